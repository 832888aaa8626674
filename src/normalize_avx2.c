/* Built with -mavx2 -mfma. The output (12 MB at S = 1024) is far larger than the caches, so rows that
 * are 32-byte aligned are written with streaming stores, which skip reading each line first. */
#include "converter_simd.h"

#ifdef EDGETAM_HAVE_AVX2_KERNELS
#include <immintrin.h>

#include "normalize.h"

static inline void store(float *p, __m256 v, int aligned)
{
    if (aligned) _mm256_stream_ps(p, v);
    else _mm256_storeu_ps(p, v);
}

static inline __m256 load8(const uint8_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

int32_t edgetam__normalize_avx2(const uint8_t *src, int32_t n, float scale, float bias, float *dst)
{
    const __m256 vs = _mm256_set1_ps(scale), vb = _mm256_set1_ps(bias);
    const int aligned = ((uintptr_t)dst & 31) == 0;
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) store(dst + i, _mm256_fmadd_ps(load8(src + i), vs, vb), aligned);
    if (aligned) _mm_sfence(); /* streaming stores are weakly ordered: publish them before returning */
    return i;
}

int32_t edgetam__normalize_yuv_avx2(const uint8_t *const yuv[3], int32_t n, const yuv_coeffs *k,
                                    const normalize_coeffs *nc, float *const rgb[3])
{
    const __m256 ys = _mm256_set1_ps(k->y_scale), yb = _mm256_set1_ps(k->y_bias), c128 = _mm256_set1_ps(128.0f);
    const __m256 vr = _mm256_set1_ps(k->v_to_r), ug = _mm256_set1_ps(k->u_to_g), vg = _mm256_set1_ps(k->v_to_g);
    const __m256 ub = _mm256_set1_ps(k->u_to_b), lo = _mm256_setzero_ps(), hi = _mm256_set1_ps(255.0f);
    __m256 s[3], b[3];
    for (int c = 0; c < 3; c++) {
        s[c] = _mm256_set1_ps(nc->scale[c]);
        b[c] = _mm256_set1_ps(nc->bias[c]);
    }
    const int aligned = (((uintptr_t)rgb[0] | (uintptr_t)rgb[1] | (uintptr_t)rgb[2]) & 31) == 0;
    int32_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 y = _mm256_fmadd_ps(load8(yuv[0] + i), ys, yb);
        __m256 u = _mm256_sub_ps(load8(yuv[1] + i), c128), v = _mm256_sub_ps(load8(yuv[2] + i), c128);
        __m256 r = _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, vr, y), lo), hi);
        __m256 g = _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(v, vg, _mm256_fmadd_ps(u, ug, y)), lo), hi);
        __m256 bl = _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(u, ub, y), lo), hi);
        store(rgb[0] + i, _mm256_fmadd_ps(r, s[0], b[0]), aligned);
        store(rgb[1] + i, _mm256_fmadd_ps(g, s[1], b[1]), aligned);
        store(rgb[2] + i, _mm256_fmadd_ps(bl, s[2], b[2]), aligned);
    }
    if (aligned) _mm_sfence();
    return i;
}
#endif
