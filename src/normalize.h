/* Last step of preprocessing: 8-bit channel samples -> float (v / 255 - mean) / std, fused as
 * v * scale + bias. `step` is the distance between samples in bytes (1 planar, 4 in a BGRA row). */
#ifndef EDGETAM_NORMALIZE_H
#define EDGETAM_NORMALIZE_H

#include <stdint.h>

void edgetam__normalize_scalar(const uint8_t *src, int32_t step, int32_t n, float scale, float bias, float *dst);

#if defined(__x86_64__) || defined(__i386__)
/* Handles a prefix (step 1 or 4) and returns the first sample it did not write. */
int32_t edgetam__normalize_avx2(const uint8_t *src, int32_t step, int32_t n, float scale, float bias, float *dst);
#endif

#endif
