/* edgetam-bench convert: frame -> model input, against memcpy and against the original app's
 * approach (per-pixel loop into a full-size float CHW buffer, then a plain bilinear resize). */
#include <libyuv/convert_argb.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_frame.h"
#include "bench_util.h"
#include "edgetam.h"

static const float k_mean[3] = {0.485f, 0.456f, 0.406f}, k_std[3] = {0.229f, 0.224f, 0.225f};

/* ---- the original app's approach, reproduced honestly ---- */

static void naive_fetch_rgb(const edgetam_frame *f, int x, int y, float rgb[3])
{
    const uint8_t *const *d = f->planes.data;
    const int32_t *s = f->planes.stride;
    switch (f->format) {
    case EDGETAM_FORMAT_BGRA: case EDGETAM_FORMAT_BGR24: {
        int bpp = f->format == EDGETAM_FORMAT_BGRA ? 4 : 3;
        const uint8_t *p = d[0] + y * s[0] + x * bpp;
        rgb[0] = p[2]; rgb[1] = p[1]; rgb[2] = p[0];
        return;
    }
    case EDGETAM_FORMAT_RGBA: case EDGETAM_FORMAT_RGB24: {
        int bpp = f->format == EDGETAM_FORMAT_RGBA ? 4 : 3;
        const uint8_t *p = d[0] + y * s[0] + x * bpp;
        rgb[0] = p[0]; rgb[1] = p[1]; rgb[2] = p[2];
        return;
    }
    case EDGETAM_FORMAT_GRAY8:
        rgb[0] = rgb[1] = rgb[2] = d[0][y * s[0] + x];
        return;
    default: {
        float Y = d[0][y * s[0] + x], U, V;
        if (f->format == EDGETAM_FORMAT_I420) {
            U = d[1][(y / 2) * s[1] + x / 2];
            V = d[2][(y / 2) * s[2] + x / 2];
        } else {
            const uint8_t *uv = d[1] + (y / 2) * s[1] + (x / 2) * 2;
            U = uv[f->format == EDGETAM_FORMAT_NV12 ? 0 : 1];
            V = uv[f->format == EDGETAM_FORMAT_NV12 ? 1 : 0];
        }
        float yy = 1.164f * (Y - 16.f);
        rgb[0] = yy + 1.596f * (V - 128.f);
        rgb[1] = yy - 0.392f * (U - 128.f) - 0.813f * (V - 128.f);
        rgb[2] = yy + 2.017f * (U - 128.f);
        for (int c = 0; c < 3; c++) rgb[c] = rgb[c] < 0 ? 0 : rgb[c] > 255 ? 255 : rgb[c];
    }
    }
}

static void naive_convert(const edgetam_frame *f, int size, float *full, float *out)
{
    const int w = f->width, h = f->height;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float rgb[3];
            naive_fetch_rgb(f, x, y, rgb);
            for (int c = 0; c < 3; c++) full[c * w * h + y * w + x] = (rgb[c] / 255.f - k_mean[c]) / k_std[c];
        }
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < size; y++) {
            float sy = (y + 0.5f) * h / size - 0.5f;
            if (sy < 0) sy = 0;
            int y0 = (int)sy, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
            float fy = sy - y0;
            for (int x = 0; x < size; x++) {
                float sx = (x + 0.5f) * w / size - 0.5f;
                if (sx < 0) sx = 0;
                int x0 = (int)sx, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
                float fx = sx - x0;
                const float *p = full + c * w * h;
                float top = p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx;
                float bot = p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx;
                out[c * size * size + y * size + x] = top * (1 - fy) + bot * fy;
            }
        }
}

/* ---- the alternative order for YUV: full-size RGB with libyuv first, then resample ---- */

static int rgb_first(edgetam_converter *conv, const edgetam_frame *f, uint8_t *bgra)
{
    const uint8_t *const *d = f->planes.data;
    const int32_t *s = f->planes.stride;
    int w = f->width, h = f->height;
    if (f->format == EDGETAM_FORMAT_NV12) NV12ToARGB(d[0], s[0], d[1], s[1], bgra, w * 4, w, h);
    else if (f->format == EDGETAM_FORMAT_NV21) NV21ToARGB(d[0], s[0], d[1], s[1], bgra, w * 4, w, h);
    else I420ToARGB(d[0], s[0], d[1], s[1], d[2], s[2], bgra, w * 4, w, h);
    edgetam_frame b = edgetam_frame_default();
    b.format = EDGETAM_FORMAT_BGRA;
    b.width = w;
    b.height = h;
    b.planes.data[0] = bgra;
    b.planes.stride[0] = w * 4;
    return edgetam_convert_frame(conv, &b);
}

static int usage(void)
{
    fprintf(stderr, "usage: edgetam-bench convert [--format bgra|rgba|bgr24|rgb24|gray8|nv12|nv21|i420]\n"
                    "                             [--width W] [--height H] [--size S] [--iters N]\n");
    return 2;
}

int bench_convert(int argc, char **argv)
{
    const char *format_name = "bgra";
    int w = 1920, h = 1080, size = 1024, iters = 300;
    for (int i = 0; i < argc; i++) {
        if (i + 1 >= argc) return usage();
        if (!strcmp(argv[i], "--format")) format_name = argv[++i];
        else if (!strcmp(argv[i], "--width")) w = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--height")) h = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size")) size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--iters")) iters = atoi(argv[++i]);
        else return usage();
    }
    edgetam_pixel_format f;
    if (!bench_format_from_name(format_name, &f) || iters < 1) return usage();

    edgetam_converter *conv = bench_converter_new(size);
    if (!conv) return 1;
    bench_frame bf;
    bench_frame_init(&bf, f, w, h);
    const size_t out_floats = (size_t)3 * size * size;
    float *copy_src = malloc(out_floats * sizeof(float)), *copy_dst = malloc(out_floats * sizeof(float));
    memset(copy_src, 1, out_floats * sizeof(float));
    memset(copy_dst, 0, out_floats * sizeof(float));
    double *t_conv = malloc(sizeof(double) * iters), *t_copy = malloc(sizeof(double) * iters);

    const edgetam_status st = edgetam_convert_frame(conv, &bf.frame); /* first call plans the geometry: not timed */
    if (st != EDGETAM_OK) {
        fprintf(stderr, "convert: %s: %s\n", edgetam_status_str(st), edgetam_converter_last_error(conv));
        return 1;
    }
    /* interleave the two measurements so machine noise hits both alike */
    for (int i = 0; i < iters; i++) {
        double t0 = bench_now_ms();
        edgetam_convert_frame(conv, &bf.frame);
        double t1 = bench_now_ms();
        memcpy(copy_dst, copy_src, out_floats * sizeof(float));
        double t2 = bench_now_ms();
        t_conv[i] = t1 - t0;
        t_copy[i] = t2 - t1;
    }
    double p50 = bench_quantile(t_conv, iters, 0.5), p99 = bench_quantile(t_conv, iters, 0.99);
    double copy_p50 = bench_quantile(t_copy, iters, 0.5);

    int naive_iters = iters < 10 ? iters : 10;
    float *full = malloc(sizeof(float) * 3 * (size_t)w * h), *naive_out = malloc(out_floats * sizeof(float));
    double *t_naive = malloc(sizeof(double) * naive_iters);
    for (int i = 0; i < naive_iters; i++) {
        double t0 = bench_now_ms();
        naive_convert(&bf.frame, size, full, naive_out);
        t_naive[i] = bench_now_ms() - t0;
    }
    double naive_p50 = bench_quantile(t_naive, naive_iters, 0.5);

    printf("format=%s\nwidth=%d\nheight=%d\nsize=%d\niters=%d\nthreads=1\n", format_name, w, h, size, iters);
    printf("ms_p50=%.3f\nms_p99=%.3f\nmemcpy_ms_p50=%.3f\nratio_vs_memcpy=%.2f\n", p50, p99, copy_p50, p50 / copy_p50);
    printf("naive_ms_p50=%.3f\nratio_vs_naive=%.2f\n", naive_p50, naive_p50 / p50);

    if (f == EDGETAM_FORMAT_NV12 || f == EDGETAM_FORMAT_NV21 || f == EDGETAM_FORMAT_I420) {
        uint8_t *bgra = malloc((size_t)w * h * 4);
        double *t_alt = malloc(sizeof(double) * iters);
        rgb_first(conv, &bf.frame, bgra); /* plans the BGRA geometry */
        for (int i = 0; i < iters; i++) {
            double t0 = bench_now_ms();
            rgb_first(conv, &bf.frame, bgra);
            t_alt[i] = bench_now_ms() - t0;
        }
        double alt = bench_quantile(t_alt, iters, 0.5);
        printf("rgb_first_ms_p50=%.3f\nratio_rgb_first_vs_yuv_first=%.2f\n", alt, alt / p50);
        free(bgra);
        free(t_alt);
    }
    free(full); free(naive_out); free(t_naive); free(t_conv); free(t_copy); free(copy_src); free(copy_dst);
    bench_frame_free(&bf);
    edgetam_converter_destroy(conv);
    return 0;
}
