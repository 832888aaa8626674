/* AVX2 kernels (this file alone is built with -mavx2; callers dispatch at run time). Each returns
 * the first output it did not produce; the scalar kernel finishes the row bit-identically. */
#include "converter_simd.h"

#ifdef EDGETAM_HAVE_AVX2_KERNELS
#include <immintrin.h>
#include <string.h>

#include "resample.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* The kernels take the tap-group count and the row count (1 or 2) as parameters but are
 * instantiated for small constants, so the compiler unrolls both loops and keeps the accumulators
 * in registers; two rows share each coefficient load. */

/* Q14 sums -> clamp(round(sum), 0, 255) as int16, the ring's representation (scalar: identical). */
static ALWAYS_INLINE __m256i round_to_ring256(__m256i lo, __m256i hi)
{
    const __m256i half = _mm256_set1_epi32(1 << (RESAMPLE_WEIGHT_BITS - 1));
    lo = _mm256_srai_epi32(_mm256_add_epi32(lo, half), RESAMPLE_WEIGHT_BITS);
    hi = _mm256_srai_epi32(_mm256_add_epi32(hi, half), RESAMPLE_WEIGHT_BITS);
    __m256i v = _mm256_packs_epi32(lo, hi); /* per 128-bit lane: lo's 4, then hi's 4 */
    v = _mm256_min_epi16(_mm256_max_epi16(v, _mm256_setzero_si256()), _mm256_set1_epi16(255));
    return v;
}

static ALWAYS_INLINE __m128i round_to_ring128(__m128i lo, __m128i hi)
{
    return _mm256_castsi256_si128(round_to_ring256(_mm256_castsi128_si256(lo), _mm256_castsi128_si256(hi)));
}

/* One-byte pixels (Y, U, V planes, gray): 16 taps per pmaddwd, four outputs reduced together. */
static ALWAYS_INLINE int32_t h_gray(const resample_axis *a, const resample_hrow *rows, int nrows, int32_t x,
                                    int32_t x_end, int32_t groups)
{
    for (; x + 4 <= x_end; x += 4) {
        __m256i acc[2][4];
        for (int j = 0; j < 4; j++) {
            const int32_t start = a->start[x + j];
            const __m256i *w = (const __m256i *)(a->simd_weights + (size_t)(x + j) * a->taps);
            for (int r = 0; r < nrows; r++) acc[r][j] = _mm256_setzero_si256();
            for (int32_t g = 0; g < groups; g++) {
                const __m256i wg = _mm256_loadu_si256(w + g);
                for (int r = 0; r < nrows; r++) {
                    __m128i px = _mm_loadu_si128((const __m128i *)(rows[r].src + start + g * 16));
                    acc[r][j] = _mm256_add_epi32(acc[r][j], _mm256_madd_epi16(_mm256_cvtepu8_epi16(px), wg));
                }
            }
        }
        for (int r = 0; r < nrows; r++) {
            __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(acc[r][0], acc[r][1]),
                                          _mm256_hadd_epi32(acc[r][2], acc[r][3]));
            __m128i tot = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
            _mm_storel_epi64((__m128i *)(rows[r].out[0] + x), round_to_ring128(tot, tot));
        }
    }
    return x;
}

/* Sums over the tap groups of one output for multi-byte pixels, for each row: every 16-byte load is
 * broadcast to both lanes and shuffled into (tap pair) x channel int16 lanes. */
static ALWAYS_INLINE void dot_packed(const resample_hrow *rows, int nrows, size_t offset, int32_t load_step,
                                     const __m256i *w, int32_t groups, __m256i shuffle, __m256i sum[2])
{
    for (int r = 0; r < nrows; r++) sum[r] = _mm256_setzero_si256();
    for (int32_t g = 0; g < groups; g++) {
        const __m256i wg = _mm256_loadu_si256(w + g);
        for (int r = 0; r < nrows; r++) {
            __m256i px = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(rows[r].src + offset + g * load_step)));
            sum[r] = _mm256_add_epi32(sum[r], _mm256_madd_epi16(_mm256_shuffle_epi8(px, shuffle), wg));
        }
    }
}

/* Interleaved U,V pixels: 8 taps per pmaddwd. */
static ALWAYS_INLINE int32_t h_uv(const resample_axis *a, const resample_hrow *rows, int nrows, int32_t x,
                                  int32_t x_end, int32_t groups)
{
    const __m256i shuffle = _mm256_loadu_si256((const __m256i *)a->simd_shuffle);
    const __m128i planar = _mm_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    for (; x + 4 <= x_end; x += 4) {
        __m128i t[2][4];
        for (int j = 0; j < 4; j++) {
            __m256i sum[2];
            dot_packed(rows, nrows, (size_t)a->start[x + j] * 2, 16,
                       (const __m256i *)(a->simd_weights + (size_t)(x + j) * groups * 16), groups, shuffle, sum);
            for (int r = 0; r < nrows; r++) {
                /* [U V U V] partial sums -> [U U V V] so hadd yields [U V] per output */
                __m128i q = _mm_add_epi32(_mm256_castsi256_si128(sum[r]), _mm256_extracti128_si256(sum[r], 1));
                t[r][j] = _mm_shuffle_epi32(q, _MM_SHUFFLE(3, 1, 2, 0));
            }
        }
        for (int r = 0; r < nrows; r++) {
            __m128i v = round_to_ring128(_mm_hadd_epi32(t[r][0], t[r][1]), _mm_hadd_epi32(t[r][2], t[r][3]));
            v = _mm_shuffle_epi8(v, planar); /* U0 V0 .. U3 V3 -> U0..U3 V0..V3 */
            _mm_storel_epi64((__m128i *)(rows[r].out[0] + x), v);
            _mm_storel_epi64((__m128i *)(rows[r].out[1] + x), _mm_unpackhi_epi64(v, v));
        }
    }
    return x;
}

/* Packed RGB(A) pixels: 4 taps per pmaddwd (two per 128-bit lane), R,G,B,0 lanes. */
static ALWAYS_INLINE int32_t h_rgb(const resample_axis *a, const resample_hrow *rows, int nrows, int32_t x,
                                   int32_t x_end, int32_t groups)
{
    const int32_t bpp = a->bytes_per_pixel;
    const __m256i shuffle = _mm256_loadu_si256((const __m256i *)a->simd_shuffle);
    const __m256i by_channel = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15, /**/
                                                0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    for (; x + 4 <= x_end; x += 4) {
        __m256i acc[4][2];
        for (int j = 0; j < 4; j++)
            dot_packed(rows, nrows, (size_t)a->start[x + j] * bpp, 4 * bpp,
                       (const __m256i *)(a->simd_weights + (size_t)(x + j) * groups * 16), groups, shuffle, acc[j]);
        for (int r = 0; r < nrows; r++) {
            /* fold the two tap-pair lanes: [x0 | x1] and [x2 | x3], each R,G,B,0 (a blend and one
             * lane swap: [a.lo + a.hi | b.hi + b.lo]) */
            __m256i s01 = _mm256_add_epi32(_mm256_blend_epi32(acc[0][r], acc[1][r], 0xF0),
                                           _mm256_permute2x128_si256(acc[0][r], acc[1][r], 0x21));
            __m256i s23 = _mm256_add_epi32(_mm256_blend_epi32(acc[2][r], acc[3][r], 0xF0),
                                           _mm256_permute2x128_si256(acc[2][r], acc[3][r], 0x21));
            /* lanes [x0 x2 | x1 x3] -> [x0R x2R x0G x2G x0B x2B ..] | [x1R x3R ..]; interleaving the
             * two lanes then orders x0..x3 per channel */
            __m256i v = _mm256_shuffle_epi8(round_to_ring256(s01, s23), by_channel);
            __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
            __m128i rg = _mm_unpacklo_epi16(lo, hi), b = _mm_unpackhi_epi16(lo, hi);
            _mm_storel_epi64((__m128i *)(rows[r].out[0] + x), rg);
            _mm_storel_epi64((__m128i *)(rows[r].out[1] + x), _mm_unpackhi_epi64(rg, rg));
            _mm_storel_epi64((__m128i *)(rows[r].out[2] + x), b);
        }
    }
    return x;
}

/* Instantiates kernel K for the tap-group counts of downscales up to ~4x, and for 1 or 2 rows. */
#define DISPATCH_GROUPS(K, a, rows, nrows, x, x_end, groups)                                       \
    do {                                                                                           \
        if (nrows == 2) {                                                                          \
            switch (groups) {                                                                      \
            case 1: return K(a, rows, 2, x, x_end, 1);                                             \
            case 2: return K(a, rows, 2, x, x_end, 2);                                             \
            case 3: return K(a, rows, 2, x, x_end, 3);                                             \
            default: return K(a, rows, 2, x, x_end, groups);                                       \
            }                                                                                      \
        }                                                                                          \
        switch (groups) {                                                                          \
        case 1: return K(a, rows, 1, x, x_end, 1);                                                 \
        case 2: return K(a, rows, 1, x, x_end, 2);                                                 \
        case 3: return K(a, rows, 1, x, x_end, 3);                                                 \
        default: return K(a, rows, 1, x, x_end, groups);                                           \
        }                                                                                          \
    } while (0)

int32_t edgetam__resample_h_avx2(const resample_axis *a, const resample_hrow *rows, int nrows, int32_t x,
                                 int32_t x_end)
{
    if (!a->simd_weights) return x;
    const int32_t bpp = a->bytes_per_pixel, groups = a->simd_groups;
    if (bpp == 1) DISPATCH_GROUPS(h_gray, a, rows, nrows, x, x_end, groups);
    if (bpp == 2) DISPATCH_GROUPS(h_uv, a, rows, nrows, x, x_end, groups);
    DISPATCH_GROUPS(h_rgb, a, rows, nrows, x, x_end, groups);
}

/* Block kernel (single-channel rows), see the plan: four adjacent outputs from one 16-byte window. */

/* The four outputs' Q14 sums of one block. */
static ALWAYS_INLINE __m128i block_sum(const uint8_t *row, int32_t origin, const __m256i *sh, const __m256i *w,
                                       int32_t groups)
{
    const __m256i win = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(row + origin)));
    __m256i acc = _mm256_madd_epi16(_mm256_shuffle_epi8(win, _mm256_loadu_si256(sh)), _mm256_loadu_si256(w));
    for (int32_t g = 1; g < groups; g++)
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_shuffle_epi8(win, _mm256_loadu_si256(sh + g)),
                                                      _mm256_loadu_si256(w + g)));
    return _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
}

static ALWAYS_INLINE void blocks(const resample_axis *a, const uint8_t *const *src, int16_t *const *out, int n,
                                 int32_t groups)
{
    const int32_t count = a->block_count;
    const __m256i *sh = (const __m256i *)a->block_shuffle, *w = (const __m256i *)a->block_weights;
    int32_t b = 0;
    for (; b + 2 <= count; b += 2, sh += 2 * groups, w += 2 * groups) { /* two blocks: one 8-sample store */
        const int32_t o0 = a->block_origin[b], o1 = a->block_origin[b + 1];
        for (int r = 0; r < n; r++) {
            __m128i s0 = block_sum(src[r], o0, sh, w, groups);
            __m128i s1 = block_sum(src[r], o1, sh + groups, w + groups, groups);
            _mm_storeu_si128((__m128i *)(out[r] + b * 4), round_to_ring128(s0, s1));
        }
    }
    if (b < count)
        for (int r = 0; r < n; r++) {
            __m128i s = block_sum(src[r], a->block_origin[b], sh, w, groups);
            _mm_storel_epi64((__m128i *)(out[r] + b * 4), round_to_ring128(s, s));
        }
}

#define DISPATCH_BLOCKS(n)                                                                         \
    switch (a->block_groups) {                                                                     \
    case 1: blocks(a, src, out, n, 1); break;                                                      \
    case 2: blocks(a, src, out, n, 2); break;                                                      \
    default: blocks(a, src, out, n, a->block_groups); break;                                       \
    }

int32_t edgetam__resample_h_blocks_avx2(const resample_axis *a, const uint8_t *const *src, int16_t *const *out,
                                        int n)
{
    if (a->block_count == 0) return 0;
    switch (n) {
    case 1: DISPATCH_BLOCKS(1) break;
    case 2: DISPATCH_BLOCKS(2) break;
    default: DISPATCH_BLOCKS(n) break;
    }
    return 4 * a->block_count;
}

void edgetam__split_pairs_avx2(const uint8_t *src, int32_t n, const uint8_t offset[2], uint8_t *first, uint8_t *second)
{
    /* per lane: 8 pixels -> [first x8, second x8]; then the lanes' halves are regrouped */
    int8_t m[32];
    for (int k = 0; k < 32; k++) m[k] = (int8_t)((k % 8) * 2 + offset[(k % 16) / 8]);
    const __m256i mask = _mm256_loadu_si256((const __m256i *)m);
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256i v = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(src + (size_t)i * 2)), mask);
        v = _mm256_permute4x64_epi64(v, _MM_SHUFFLE(3, 1, 2, 0));
        _mm_storeu_si128((__m128i *)(first + i), _mm256_castsi256_si128(v));
        _mm_storeu_si128((__m128i *)(second + i), _mm256_extracti128_si256(v, 1));
    }
    for (; i < n; i++) {
        first[i] = src[(size_t)i * 2 + offset[0]];
        second[i] = src[(size_t)i * 2 + offset[1]];
    }
}

/* Vertical: 32 outputs per step, rows in pairs: (w[k], w[k+1]) as one int32 multiplies
 * interleaved samples of rows k, k+1 (pmaddwd). An odd window's last pair repeats its row with the
 * zero weight the plan pads it with. */
static ALWAYS_INLINE int32_t v_pairs(const int16_t *const *rows, const int16_t *w, int32_t taps, int32_t pairs,
                                     uint8_t *out, int32_t n)
{
    const __m256i half = _mm256_set1_epi32(1 << (RESAMPLE_WEIGHT_BITS - 1));
    int32_t x = 0;
    for (; x + 32 <= n; x += 32) {
        __m256i acc[4] = {half, half, half, half};
        for (int32_t p = 0; p < pairs; p++) {
            const int16_t *r0 = rows[2 * p], *r1 = 2 * p + 1 < taps ? rows[2 * p + 1] : r0;
            int32_t pair;
            memcpy(&pair, w + 2 * p, sizeof pair); /* little-endian: w[2p] in the low half */
            const __m256i wp = _mm256_set1_epi32(pair);
            for (int h = 0; h < 2; h++) {
                __m256i s0 = _mm256_loadu_si256((const __m256i *)(r0 + x + 16 * h));
                __m256i s1 = _mm256_loadu_si256((const __m256i *)(r1 + x + 16 * h));
                acc[2 * h] = _mm256_add_epi32(acc[2 * h], _mm256_madd_epi16(_mm256_unpacklo_epi16(s0, s1), wp));
                acc[2 * h + 1] = _mm256_add_epi32(acc[2 * h + 1], _mm256_madd_epi16(_mm256_unpackhi_epi16(s0, s1), wp));
            }
        }
        /* packs undoes the unpack order within each lane; packus clamps to 0..255 */
        __m256i lo = _mm256_packs_epi32(_mm256_srai_epi32(acc[0], RESAMPLE_WEIGHT_BITS),
                                        _mm256_srai_epi32(acc[1], RESAMPLE_WEIGHT_BITS));
        __m256i hi = _mm256_packs_epi32(_mm256_srai_epi32(acc[2], RESAMPLE_WEIGHT_BITS),
                                        _mm256_srai_epi32(acc[3], RESAMPLE_WEIGHT_BITS));
        __m256i bytes = _mm256_permute4x64_epi64(_mm256_packus_epi16(lo, hi), _MM_SHUFFLE(3, 1, 2, 0));
        _mm256_storeu_si256((__m256i *)(out + x), bytes);
    }
    return x;
}

/* Windows of up to 2 * V_PAIRS_MAX rows: the row pointers and weights are copied into locals first
 * (an odd window padded to even), as the NEON kernel does, so that the compiler unrolls the pair loop
 * and keeps them in registers; read through `rows`, they are reloaded for every pair and step, since
 * stores into `out` could alias them. That halves the instructions per 32 outputs. */
#define V_PAIRS_MAX 8
static ALWAYS_INLINE int32_t v_fixed(const int16_t *const *rows, const int16_t *w, int32_t taps, int32_t pairs,
                                     uint8_t *out, int32_t n)
{
    const int16_t *r[2 * V_PAIRS_MAX];
    int16_t wk[2 * V_PAIRS_MAX];
    for (int32_t k = 0; k < 2 * pairs; k++) {
        r[k] = rows[k < taps ? k : taps - 1];
        wk[k] = w[k]; /* the plan pads an odd window's weights with a zero */
    }
    return v_pairs(r, wk, 2 * pairs, pairs, out, n);
}

int32_t edgetam__resample_v_avx2(const resample_axis *a, int32_t y, const int16_t *const *rows, uint8_t *out)
{
    const int32_t taps = a->taps, pairs = (taps + 1) / 2, n = a->out_size;
    const int16_t *w = a->simd_weights + (size_t)y * pairs * 2;
    switch (pairs) {
    case 1: return v_fixed(rows, w, taps, 1, out, n);
    case 2: return v_fixed(rows, w, taps, 2, out, n);
    case 3: return v_fixed(rows, w, taps, 3, out, n);
    case 4: return v_fixed(rows, w, taps, 4, out, n);
    case 5: return v_fixed(rows, w, taps, 5, out, n);
    case 6: return v_fixed(rows, w, taps, 6, out, n);
    case 7: return v_fixed(rows, w, taps, 7, out, n);
    case V_PAIRS_MAX: return v_fixed(rows, w, taps, V_PAIRS_MAX, out, n);
    default: return v_pairs(rows, w, taps, pairs, out, n); /* downscales past ~3.75x */
    }
}
#endif
