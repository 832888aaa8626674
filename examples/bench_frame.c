#include "bench_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    edgetam_pixel_format format;
} k_formats[] = {{"bgra", EDGETAM_FORMAT_BGRA},   {"rgba", EDGETAM_FORMAT_RGBA}, {"bgr24", EDGETAM_FORMAT_BGR24},
                 {"rgb24", EDGETAM_FORMAT_RGB24}, {"gray8", EDGETAM_FORMAT_GRAY8}, {"nv12", EDGETAM_FORMAT_NV12},
                 {"nv21", EDGETAM_FORMAT_NV21},   {"i420", EDGETAM_FORMAT_I420}};

int bench_format_from_name(const char *name, edgetam_pixel_format *format)
{
    for (size_t i = 0; i < sizeof k_formats / sizeof k_formats[0]; i++)
        if (!strcmp(name, k_formats[i].name)) {
            *format = k_formats[i].format;
            return 1;
        }
    return 0;
}

static uint8_t pattern(int x, int y, int c)
{
    uint32_t h = (uint32_t)(x * 73856093u) ^ (uint32_t)(y * 19349663u) ^ (uint32_t)(c * 83492791u);
    return (uint8_t)((x * (c + 1) + y * 2 + (int)((h >> 13) & 31)) & 255);
}

void bench_frame_init(bench_frame *b, edgetam_pixel_format format, int w, int h)
{
    memset(b, 0, sizeof *b);
    b->frame = edgetam_frame_default();
    b->frame.format = format;
    b->frame.width = w;
    b->frame.height = h;
    int cw = (w + 1) / 2, ch = (h + 1) / 2, bpp = 0, planes = 1;
    int32_t stride[3] = {0, 0, 0}, rows[3] = {h, ch, ch};
    switch (format) {
    case EDGETAM_FORMAT_BGRA: case EDGETAM_FORMAT_RGBA: bpp = 4; break;
    case EDGETAM_FORMAT_BGR24: case EDGETAM_FORMAT_RGB24: bpp = 3; break;
    default: bpp = 1; break;
    }
    stride[0] = w * bpp;
    if (format == EDGETAM_FORMAT_NV12 || format == EDGETAM_FORMAT_NV21) { planes = 2; stride[1] = cw * 2; }
    if (format == EDGETAM_FORMAT_I420) { planes = 3; stride[1] = stride[2] = cw; }
    for (int p = 0; p < planes; p++) {
        b->mem[p] = malloc((size_t)stride[p] * rows[p]);
        for (int y = 0; y < rows[p]; y++)
            for (int x = 0; x < stride[p]; x++) b->mem[p][(size_t)y * stride[p] + x] = pattern(x, y, p);
        b->frame.planes.data[p] = b->mem[p];
        b->frame.planes.stride[p] = stride[p];
    }
}

void bench_frame_free(bench_frame *b)
{
    for (int p = 0; p < 3; p++) free(b->mem[p]);
}

edgetam_converter *bench_converter_new(int size)
{
    edgetam_converter_params params = edgetam_converter_default_params();
    params.input_size = size;
    edgetam_converter *conv = NULL;
    const edgetam_status st = edgetam_converter_create(&params, &conv);
    if (st != EDGETAM_OK) fprintf(stderr, "converter: %s\n", edgetam_status_str(st));
    return conv;
}
