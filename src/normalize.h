/* Last step of preprocessing, fused per output row: 8-bit samples -> float (v / 255 - mean) / std
 * as v * scale + bias; for YUV the matrix to RGB is applied first, in float, clamped to [0, 255].
 * The scalar versions use fmaf exactly where the AVX2 and NEON versions use FMA, so all give equal bits. */
#ifndef EDGETAM_NORMALIZE_H
#define EDGETAM_NORMALIZE_H

#include <stdint.h>

#include "converter_simd.h"
#include "edgetam.h"

/* out = v * scale[c] + bias[c] */
typedef struct normalize_coeffs {
    float scale[3], bias[3];
} normalize_coeffs;

/* R = Y' + v_to_r (V - 128); G = Y' + u_to_g (U - 128) + v_to_g (V - 128); B = Y' + u_to_b (U - 128),
 * with Y' = Y * y_scale + y_bias. */
typedef struct yuv_coeffs {
    float y_scale, y_bias, v_to_r, u_to_g, v_to_g, u_to_b;
} yuv_coeffs;

/* Per-channel mean and std of x / 255 (RGB); bundles must declare the same. */
extern const float normalize_pixel_mean[3], normalize_pixel_std[3];

normalize_coeffs edgetam__normalize_coeffs(void);
/* From the standard's Kr, Kb and the range's scaling (video: Y 16..235, C 16..240). */
yuv_coeffs edgetam__yuv_coeffs(edgetam_color_space space, edgetam_color_range range);

/* One channel row: n samples from src (planar), into dst. */
void edgetam__normalize_scalar(const uint8_t *src, int32_t n, float scale, float bias, float *dst);
/* n pixels of Y, U, V rows into the R, G, B output rows. */
void edgetam__normalize_yuv_scalar(const uint8_t *const yuv[3], int32_t n, const yuv_coeffs *k,
                                   const normalize_coeffs *nc, float *const rgb[3]);

#ifdef EDGETAM_HAVE_AVX2_KERNELS
/* AVX2 versions: handle a prefix and return the first sample not written. */
int32_t edgetam__normalize_avx2(const uint8_t *src, int32_t n, float scale, float bias, float *dst);
int32_t edgetam__normalize_yuv_avx2(const uint8_t *const yuv[3], int32_t n, const yuv_coeffs *k,
                                    const normalize_coeffs *nc, float *const rgb[3]);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
/* NEON versions, the same contract. */
int32_t edgetam__normalize_neon(const uint8_t *src, int32_t n, float scale, float bias, float *dst);
int32_t edgetam__normalize_yuv_neon(const uint8_t *const yuv[3], int32_t n, const yuv_coeffs *k,
                                    const normalize_coeffs *nc, float *const rgb[3]);
#endif

#endif
