#include "normalize.h"

#include <math.h>
#include <stddef.h>

void edgetam__normalize_scalar(const uint8_t *src, int32_t step, int32_t n, float scale, float bias, float *dst)
{
    for (int32_t i = 0; i < n; i++) dst[i] = fmaf((float)src[(size_t)i * step], scale, bias); /* fused, like the AVX2 path */
}
