/* AVX2 mask kernel (this file alone is built with -mavx2; the caller dispatches at run time): the
 * portable loop's lerp (two products, one sum, never fused) and sign test, 8 pixels at a time. */
#include "converter_simd.h"

#ifdef EDGETAM_HAVE_AVX2_KERNELS
#include <immintrin.h>

#include "postprocess.h"

int32_t edgetam__mask_row_avx2(const upsample_axis *ax, const float *row, int32_t x, int32_t end, uint8_t *mask,
                               row_hits *h, int32_t in_side)
{
    const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    for (; x + 8 <= end; x += 8) {
        const __m256 w1 = _mm256_loadu_ps(ax->w1 + x);
        const __m256i i0 = _mm256_loadu_si256((const __m256i *)(ax->i0 + x));
        const __m256i i1 = _mm256_loadu_si256((const __m256i *)(ax->i1 + x));
        /* Upscaling, the 16 taps lie in 8 consecutive row values: one load and two permutes instead
         * of two gathers (kept inside the row: its last 8 values at the right edge). */
        const int32_t base = ax->i0[x] < in_side - 8 ? ax->i0[x] : in_side - 8;
        __m256 a, b;
        if (base >= 0 && ax->i1[x + 7] - base < 8) {
            const __m256 near = _mm256_loadu_ps(row + base);
            const __m256i at = _mm256_set1_epi32(base);
            a = _mm256_permutevar8x32_ps(near, _mm256_sub_epi32(i0, at));
            b = _mm256_permutevar8x32_ps(near, _mm256_sub_epi32(i1, at));
        } else {
            a = _mm256_i32gather_ps(row, i0, 4);
            b = _mm256_i32gather_ps(row, i1, 4);
        }
        const __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(one, w1), a), _mm256_mul_ps(w1, b));
        const __m256 on = _mm256_cmp_ps(v, zero, _CMP_GT_OQ); /* NaN: off, as v > 0.0f */
        if (mask) {
            const __m256i m = _mm256_castps_si256(on);
            const __m128i m16 = _mm_packs_epi32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
            _mm_storel_epi64((__m128i *)(mask + x), _mm_packs_epi16(m16, m16)); /* -1 -> 255 */
        }
        const unsigned bits = (unsigned)_mm256_movemask_ps(on);
        if (bits) row_hits_add(h, x, bits);
    }
    return x;
}
#endif
