/* Built with -mavx2 -mfma; the FMA gives the same value as the scalar path's contracted mul-add. */
#include <immintrin.h>

#include "normalize.h"

/* The output (12 MB at S = 1024) is far larger than the caches: where the row is 32-byte aligned,
 * streaming stores skip reading every destination line before writing it. */
#define store(p, v) (aligned ? _mm256_stream_ps((p), (v)) : _mm256_storeu_ps((p), (v)))

int32_t edgetam__normalize_avx2(const uint8_t *src, int32_t step, int32_t n, float scale, float bias, float *dst)
{
    const __m256 vs = _mm256_set1_ps(scale), vb = _mm256_set1_ps(bias);
    const int aligned = ((uintptr_t)dst & 31) == 0;
    int32_t i = 0;
    if (step == 1) {
        for (; i + 8 <= n; i += 8) {
            __m256i v = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(src + i)));
            store(dst + i, _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), vs, vb));
        }
    } else if (step == 4) {
        /* eight 4-byte pixels; the wanted byte is the low byte of each 32-bit lane */
        const __m256i low = _mm256_set1_epi32(0xff);
        for (; i + 8 <= n; i += 8) {
            __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(src + (size_t)i * 4)), low);
            store(dst + i, _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), vs, vb));
        }
    }
    if (aligned) _mm_sfence(); /* order the streaming stores before later normal stores / readers */
    return i;
}
