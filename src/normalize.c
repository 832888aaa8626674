#include "normalize.h"

#include <math.h>
#include <stddef.h>

/* the official SAM 2 / EdgeTAM image normalisation */
const float normalize_pixel_mean[3] = {0.485f, 0.456f, 0.406f};
const float normalize_pixel_std[3] = {0.229f, 0.224f, 0.225f};

normalize_coeffs edgetam__normalize_coeffs(void)
{
    normalize_coeffs n;
    for (int c = 0; c < 3; c++) {
        n.scale[c] = 1.0f / (255.0f * normalize_pixel_std[c]);
        n.bias[c] = -normalize_pixel_mean[c] / normalize_pixel_std[c];
    }
    return n;
}

yuv_coeffs edgetam__yuv_coeffs(edgetam_color_space space, edgetam_color_range range)
{
    const double kr = space == EDGETAM_COLOR_SPACE_BT709 ? 0.2126 : 0.299;
    const double kb = space == EDGETAM_COLOR_SPACE_BT709 ? 0.0722 : 0.114;
    const double kg = 1.0 - kr - kb;
    const int video = range == EDGETAM_COLOR_RANGE_VIDEO;
    const double ys = video ? 255.0 / 219.0 : 1.0, cs = video ? 255.0 / 224.0 : 1.0;
    yuv_coeffs k;
    k.y_scale = (float)ys;
    k.y_bias = (float)(video ? -16.0 * ys : 0.0);
    k.v_to_r = (float)(2.0 * (1.0 - kr) * cs);
    k.u_to_g = (float)(-2.0 * kb * (1.0 - kb) / kg * cs);
    k.v_to_g = (float)(-2.0 * kr * (1.0 - kr) / kg * cs);
    k.u_to_b = (float)(2.0 * (1.0 - kb) * cs);
    return k;
}

void edgetam__normalize_scalar(const uint8_t *src, int32_t n, float scale, float bias, float *dst)
{
    for (int32_t i = 0; i < n; i++) dst[i] = fmaf((float)src[i], scale, bias);
}

static float clamp255(float v) { return fminf(fmaxf(v, 0.0f), 255.0f); }

void edgetam__normalize_yuv_scalar(const uint8_t *const yuv[3], int32_t n, const yuv_coeffs *k,
                                   const normalize_coeffs *nc, float *const rgb[3])
{
    for (int32_t i = 0; i < n; i++) {
        float y = fmaf((float)yuv[0][i], k->y_scale, k->y_bias);
        float u = (float)yuv[1][i] - 128.0f, v = (float)yuv[2][i] - 128.0f;
        float r = clamp255(fmaf(v, k->v_to_r, y));
        float g = clamp255(fmaf(v, k->v_to_g, fmaf(u, k->u_to_g, y)));
        float b = clamp255(fmaf(u, k->u_to_b, y));
        rgb[0][i] = fmaf(r, nc->scale[0], nc->bias[0]);
        rgb[1][i] = fmaf(g, nc->scale[1], nc->bias[1]);
        rgb[2][i] = fmaf(b, nc->scale[2], nc->bias[2]);
    }
}
