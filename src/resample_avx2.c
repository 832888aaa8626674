/* AVX2 kernels (this file alone is built with -mavx2; callers dispatch at run time). Each returns
 * the first output it did not produce; the scalar kernel finishes the row bit-identically. */
#include <immintrin.h>

#include "resample.h"

/* pshufb mask turning 16 loaded bytes into int16 (tap pair) x channel lanes for pmaddwd; lane 1
 * takes the second half of the group's taps. 0x80 writes a zero byte. */
static __m256i load_mask(const resample_hrow *row)
{
    int8_t m[32];
    const int32_t bpp = row->bytes_per_pixel;
    for (int lane = 0; lane < 2; lane++) {
        for (int e = 0; e < 8; e++) {
            int src = -1;
            if (bpp == 2) { /* [U0 U1 V0 V1 U2 U3 V2 V3]: pixels 4*lane .. 4*lane+3 */
                int px = lane * 4 + (e / 4) * 2 + (e & 1), ch = (e / 2) & 1;
                src = px * 2 + row->channel_offset[ch];
            } else { /* [R0 R1 G0 G1 B0 B1 _ _]: pixels 2*lane, 2*lane+1 */
                int px = lane * 2 + (e & 1), ch = e / 2;
                if (ch < 3) src = px * bpp + row->channel_offset[ch];
            }
            m[lane * 16 + e * 2] = (int8_t)(src < 0 ? 0x80 : src);
            m[lane * 16 + e * 2 + 1] = (int8_t)0x80;
        }
    }
    return _mm256_loadu_si256((const __m256i *)m);
}

static inline __m128i round_to_ring(__m128i acc32_lo, __m128i acc32_hi)
{
    const __m128i half = _mm_set1_epi32(1 << (RESAMPLE_WEIGHT_BITS - 1));
    __m128i lo = _mm_srai_epi32(_mm_add_epi32(acc32_lo, half), RESAMPLE_WEIGHT_BITS);
    __m128i hi = _mm_srai_epi32(_mm_add_epi32(acc32_hi, half), RESAMPLE_WEIGHT_BITS);
    __m128i v = _mm_packs_epi32(lo, hi);
    v = _mm_min_epi16(_mm_max_epi16(v, _mm_setzero_si128()), _mm_set1_epi16(255));
    return _mm_slli_epi16(v, RESAMPLE_RING_SHIFT);
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Kernels take `groups` (taps / taps-per-load) as a parameter but are instantiated for small
 * constants below, so the compiler unrolls the tap loop and keeps all accumulators in registers. */

/* One-byte pixels (Y, U, V planes, gray): 16 taps per pmaddwd, four outputs reduced together. */
static ALWAYS_INLINE int32_t h_gray(const resample_axis *a, const resample_hrow *row, int32_t x_end, int32_t groups)
{
    const int32_t taps = a->taps;
    int32_t x = 0;
    for (; x + 4 <= x_end; x += 4) {
        __m256i acc[4];
        for (int j = 0; j < 4; j++) {
            const uint8_t *s = row->src + a->start[x + j];
            const __m256i *w = (const __m256i *)(a->simd_weights + (size_t)(x + j) * taps);
            __m256i sum = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)s)),
                                            _mm256_loadu_si256(w));
            for (int32_t g = 1; g < groups; g++) {
                __m256i px = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(s + g * 16)));
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(px, _mm256_loadu_si256(w + g)));
            }
            acc[j] = sum;
        }
        __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[0], acc[1]), _mm256_hadd_epi32(acc[2], acc[3]));
        __m128i tot = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        _mm_storel_epi64((__m128i *)(row->out[0] + x), round_to_ring(tot, tot));
    }
    return x;
}

/* Sum over the tap groups of one output for multi-byte pixels: each 16-byte load is broadcast to
 * both lanes and shuffled into (tap pair) x channel int16 lanes. */
static ALWAYS_INLINE __m256i dot_packed(const uint8_t *s, int32_t load_step, const __m256i *w, int32_t groups,
                                        __m256i mask)
{
    __m256i sum = _mm256_madd_epi16(
        _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)s)), mask),
        _mm256_loadu_si256(w));
    for (int32_t g = 1; g < groups; g++) {
        __m256i px = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(s + g * load_step)));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_shuffle_epi8(px, mask), _mm256_loadu_si256(w + g)));
    }
    return sum;
}

/* Interleaved U,V pixels: 8 taps per pmaddwd. */
static ALWAYS_INLINE int32_t h_uv(const resample_axis *a, const resample_hrow *row, int32_t x_end, int32_t groups)
{
    const __m256i mask = load_mask(row);
    int32_t x = 0;
    for (; x + 4 <= x_end; x += 4) {
        __m128i t[4];
        for (int j = 0; j < 4; j++) {
            __m256i sum = dot_packed(row->src + (size_t)a->start[x + j] * 2, 16,
                                     (const __m256i *)(a->simd_weights + (size_t)(x + j) * groups * 16), groups, mask);
            /* [U V U V] partial sums -> [U U V V] so hadd yields [U V] per output */
            __m128i q = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
            t[j] = _mm_shuffle_epi32(q, _MM_SHUFFLE(3, 1, 2, 0));
        }
        __m128i v = round_to_ring(_mm_hadd_epi32(t[0], t[1]), _mm_hadd_epi32(t[2], t[3])); /* U0 V0 .. U3 V3 */
        v = _mm_shuffle_epi8(v, _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15));
        _mm_storel_epi64((__m128i *)(row->out[0] + x), v);
        _mm_storeh_pd((double *)(row->out[1] + x), _mm_castsi128_pd(v));
    }
    return x;
}

/* Packed RGB(A) pixels: 4 taps per pmaddwd (two per 128-bit lane), R,G,B,0 lanes. */
static ALWAYS_INLINE int32_t h_rgb(const resample_axis *a, const resample_hrow *row, int32_t x_end, int32_t groups)
{
    const int32_t bpp = row->bytes_per_pixel;
    const __m256i mask = load_mask(row);
    const __m256i by_channel = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15, /**/
                                                0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    int32_t x = 0;
    for (; x + 4 <= x_end; x += 4) {
        __m256i acc[4];
        for (int j = 0; j < 4; j++)
            acc[j] = dot_packed(row->src + (size_t)a->start[x + j] * bpp, 4 * bpp,
                                (const __m256i *)(a->simd_weights + (size_t)(x + j) * groups * 16), groups, mask);
        /* fold the two tap-pair lanes: [x0 | x1] and [x2 | x3], each R,G,B,0 */
        __m256i s01 = _mm256_add_epi32(_mm256_permute2x128_si256(acc[0], acc[1], 0x20),
                                       _mm256_permute2x128_si256(acc[0], acc[1], 0x31));
        __m256i s23 = _mm256_add_epi32(_mm256_permute2x128_si256(acc[2], acc[3], 0x20),
                                       _mm256_permute2x128_si256(acc[2], acc[3], 0x31));
        const __m256i half = _mm256_set1_epi32(1 << (RESAMPLE_WEIGHT_BITS - 1));
        s01 = _mm256_srai_epi32(_mm256_add_epi32(s01, half), RESAMPLE_WEIGHT_BITS);
        s23 = _mm256_srai_epi32(_mm256_add_epi32(s23, half), RESAMPLE_WEIGHT_BITS);
        __m256i v = _mm256_packs_epi32(s01, s23); /* lanes: [x0 x2 | x1 x3], each R,G,B,0 */
        v = _mm256_min_epi16(_mm256_max_epi16(v, _mm256_setzero_si256()), _mm256_set1_epi16(255));
        v = _mm256_shuffle_epi8(_mm256_slli_epi16(v, RESAMPLE_RING_SHIFT), by_channel);
        /* [x0R x2R x0G x2G x0B x2B ..] | [x1R x3R ..]: interleaving the lanes orders x0..x3 */
        __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
        __m128i rg = _mm_unpacklo_epi16(lo, hi), b = _mm_unpackhi_epi16(lo, hi);
        _mm_storel_epi64((__m128i *)(row->out[0] + x), rg);
        _mm_storeh_pd((double *)(row->out[1] + x), _mm_castsi128_pd(rg));
        _mm_storel_epi64((__m128i *)(row->out[2] + x), b);
    }
    return x;
}

/* Instantiates kernel K for the tap-group counts that occur for downscales up to ~4x. */
#define DISPATCH_GROUPS(K, a, row, x_end, groups)                                                  \
    switch (groups) {                                                                              \
    case 1: return K(a, row, x_end, 1);                                                            \
    case 2: return K(a, row, x_end, 2);                                                            \
    case 3: return K(a, row, x_end, 3);                                                            \
    case 4: return K(a, row, x_end, 4);                                                            \
    default: return K(a, row, x_end, groups);                                                      \
    }

int32_t edgetam__resample_h_avx2(const resample_axis *a, const resample_hrow *row, int32_t x_end)
{
    if (!a->simd_weights || a->bytes_per_pixel != row->bytes_per_pixel) return 0;
    const int32_t bpp = row->bytes_per_pixel, groups = a->taps / (bpp == 1 ? 16 : bpp == 2 ? 8 : 4);
    if (bpp == 1) DISPATCH_GROUPS(h_gray, a, row, x_end, groups)
    if (bpp == 2) DISPATCH_GROUPS(h_uv, a, row, x_end, groups)
    DISPATCH_GROUPS(h_rgb, a, row, x_end, groups)
}

int32_t edgetam__resample_v_avx2(const resample_axis *a, int32_t y, const int16_t *const *rows, uint8_t *out)
{
    const int16_t *w = a->weights + (size_t)y * a->taps;
    const int32_t n = a->out_size, out_shift = RESAMPLE_WEIGHT_BITS + RESAMPLE_RING_SHIFT - 15;
    const __m256i round = _mm256_set1_epi16(1 << (out_shift - 1));
    int32_t x = 0;
    for (; x + 32 <= n; x += 32) {
        __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
        for (int32_t k = 0; k < a->taps; k++) {
            __m256i wk = _mm256_set1_epi16(w[k]);
            lo = _mm256_add_epi16(lo, _mm256_mulhrs_epi16(_mm256_loadu_si256((const __m256i *)(rows[k] + x)), wk));
            hi = _mm256_add_epi16(hi, _mm256_mulhrs_epi16(_mm256_loadu_si256((const __m256i *)(rows[k] + x + 16)), wk));
        }
        lo = _mm256_srai_epi16(_mm256_add_epi16(lo, round), out_shift);
        hi = _mm256_srai_epi16(_mm256_add_epi16(hi, round), out_shift);
        __m256i bytes = _mm256_permute4x64_epi64(_mm256_packus_epi16(lo, hi), _MM_SHUFFLE(3, 1, 2, 0));
        _mm256_storeu_si256((__m256i *)(out + x), bytes);
    }
    return x;
}
