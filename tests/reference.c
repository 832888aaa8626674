#include "reference.h"

#include <math.h>
#include <stdlib.h>

static const double k_mean[3] = {0.485, 0.456, 0.406}, k_std[3] = {0.229, 0.224, 0.225};

static double cubic(double x)
{
    x = fabs(x);
    if (x < 1) return 1.5 * x * x * x - 2.5 * x * x + 1;
    if (x < 2) return -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2;
    return 0;
}

static uint8_t to_u8(double v) { return (uint8_t)(v <= 0 ? 0 : v >= 255 ? 255 : floor(v + 0.5)); }

/* One axis: out[i] = sum_j weight(i, j) * in[j], PIL's window and normalisation. */
static void resize_line(const uint8_t *in, int32_t in_step, int32_t n_in, uint8_t *out, int32_t out_step,
                        int32_t n_out)
{
    double scale = (double)n_in / n_out, fscale = scale > 1 ? scale : 1, support = 2 * fscale;
    for (int32_t i = 0; i < n_out; i++) {
        double center = (i + 0.5) * scale, sum = 0, acc = 0;
        int32_t lo = (int32_t)(center - support + 0.5), hi = (int32_t)(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > n_in) hi = n_in;
        for (int32_t j = lo; j < hi; j++) {
            double w = cubic((j - center + 0.5) / fscale);
            sum += w;
            acc += w * in[(size_t)j * in_step];
        }
        out[(size_t)i * out_step] = to_u8(sum != 0 ? acc / sum : 0);
    }
}

void reference_resize_channel(const uint8_t *src, int32_t stride, int32_t bpp, int32_t offset, int32_t w, int32_t h,
                              int32_t size, uint8_t *out)
{
    uint8_t *tmp = malloc((size_t)size * h); /* horizontal pass first, like PIL */
    for (int32_t y = 0; y < h; y++) resize_line(src + (size_t)y * stride + offset, bpp, w, tmp + (size_t)y * size, 1, size);
    for (int32_t x = 0; x < size; x++) resize_line(tmp + x, size, h, out + x, size, size);
    free(tmp);
}

static double clamp255(double v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* Exact matrix, clamped but not rounded: the library converts in float after resampling. */
static void yuv_to_rgb(double y, double u, double v, const edgetam_frame *f, double rgb[3])
{
    double kr = 0.299, kb = 0.114;
    if (f->color_space == EDGETAM_COLOR_SPACE_BT709) kr = 0.2126, kb = 0.0722;
    double kg = 1 - kr - kb;
    double yy = y, cb = u - 128, cr = v - 128;
    if (f->color_range == EDGETAM_COLOR_RANGE_VIDEO) {
        yy = (y - 16) * 255.0 / 219.0;
        cb *= 255.0 / 224.0;
        cr *= 255.0 / 224.0;
    }
    rgb[0] = clamp255(yy + 2 * (1 - kr) * cr);
    rgb[1] = clamp255(yy - 2 * kb * (1 - kb) / kg * cb - 2 * kr * (1 - kr) / kg * cr);
    rgb[2] = clamp255(yy + 2 * (1 - kb) * cb);
}

void reference_convert(const edgetam_frame *f, int32_t size, float *out)
{
    const size_t n = (size_t)size * size;
    uint8_t *ch[3];
    for (int c = 0; c < 3; c++) ch[c] = malloc(n);
    const uint8_t *const *d = f->planes.data;
    const int32_t *s = f->planes.stride;
    int32_t w = f->width, h = f->height, cw = (w + 1) / 2, chh = (h + 1) / 2;
    int yuv = 0;
    switch (f->format) {
    case EDGETAM_FORMAT_BGRA: for (int c = 0; c < 3; c++) reference_resize_channel(d[0], s[0], 4, 2 - c, w, h, size, ch[c]); break;
    case EDGETAM_FORMAT_RGBA: for (int c = 0; c < 3; c++) reference_resize_channel(d[0], s[0], 4, c, w, h, size, ch[c]); break;
    case EDGETAM_FORMAT_BGR24: for (int c = 0; c < 3; c++) reference_resize_channel(d[0], s[0], 3, 2 - c, w, h, size, ch[c]); break;
    case EDGETAM_FORMAT_RGB24: for (int c = 0; c < 3; c++) reference_resize_channel(d[0], s[0], 3, c, w, h, size, ch[c]); break;
    case EDGETAM_FORMAT_GRAY8: for (int c = 0; c < 3; c++) reference_resize_channel(d[0], s[0], 1, 0, w, h, size, ch[c]); break;
    case EDGETAM_FORMAT_NV12:
    case EDGETAM_FORMAT_NV21: {
        int u_off = f->format == EDGETAM_FORMAT_NV12 ? 0 : 1;
        reference_resize_channel(d[0], s[0], 1, 0, w, h, size, ch[0]);
        reference_resize_channel(d[1], s[1], 2, u_off, cw, chh, size, ch[1]);
        reference_resize_channel(d[1], s[1], 2, 1 - u_off, cw, chh, size, ch[2]);
        yuv = 1;
        break;
    }
    case EDGETAM_FORMAT_I420:
        reference_resize_channel(d[0], s[0], 1, 0, w, h, size, ch[0]);
        reference_resize_channel(d[1], s[1], 1, 0, cw, chh, size, ch[1]);
        reference_resize_channel(d[2], s[2], 1, 0, cw, chh, size, ch[2]);
        yuv = 1;
        break;
    }
    for (size_t i = 0; i < n; i++) {
        double rgb[3] = {ch[0][i], ch[1][i], ch[2][i]};
        if (yuv) yuv_to_rgb(ch[0][i], ch[1][i], ch[2][i], f, rgb);
        for (int c = 0; c < 3; c++) out[c * n + i] = (float)((rgb[c] / 255.0 - k_mean[c]) / k_std[c]);
    }
    for (int c = 0; c < 3; c++) free(ch[c]);
}

double reference_level(float value, int c) { return (value * k_std[c] + k_mean[c]) * 255.0; }
