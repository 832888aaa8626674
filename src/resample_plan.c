/* Coefficient tables with the semantics of PIL's antialiased resize: a filter of support 2 (Keys
 * cubic, a = -0.5) stretched by the downscale factor, centred on (i + 0.5) * in / out, normalised to
 * sum 1 and rounded to fixed point away from zero. */
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "resample.h"

static double bicubic(double x)
{
    const double a = -0.5;
    x = fabs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

/* Taps one SIMD load covers for a pixel size: AVX2 loads 16 bytes (12 for 3-byte pixels), NEON
 * de-interleaves 8 pixels. Windows are padded to whole loads; without SIMD kernels, not at all. */
static int32_t simd_group(int32_t bytes_per_pixel)
{
#if defined(EDGETAM_HAVE_AVX2_KERNELS)
    return bytes_per_pixel == 1 ? 16 : bytes_per_pixel == 2 ? 8 : 4;
#elif defined(EDGETAM_HAVE_NEON_KERNELS)
    (void)bytes_per_pixel;
    return 8;
#else
    (void)bytes_per_pixel;
    return 1;
#endif
}

#ifdef EDGETAM_HAVE_AVX2_KERNELS

/* Expands plain weights into the order the AVX2 horizontal kernel multiplies them in. */
static void layout_simd_weights(resample_axis *a)
{
    const int32_t bpp = a->bytes_per_pixel, g = simd_group(bpp);
    for (int32_t i = 0; i < a->out_size; i++) {
        const int16_t *w = a->weights + (size_t)i * a->taps;
        int16_t *s = a->simd_weights + (size_t)i * (a->taps / g) * 16;
        for (int32_t k = 0; k < a->taps; k += g, s += 16, w += g) {
            for (int e = 0; e < 16; e++) {
                if (bpp == 1) s[e] = w[e];                                  /* taps in order */
                else if (bpp == 2) s[e] = w[(e / 4) * 2 + (e & 1)];         /* U,V pairs of taps */
                else s[e] = w[(e / 8) * 2 + (e & 1)];                       /* R,G,B,0 pairs */
            }
        }
    }
}

/* pshufb pattern turning one 16-byte load into int16 (tap pair) x channel lanes for pmaddwd; the
 * upper 128-bit lane takes the second half of the group's taps. 0x80 writes a zero byte. */
static void layout_simd_shuffle(resample_axis *a)
{
    const int32_t bpp = a->bytes_per_pixel;
    for (int lane = 0; lane < 2; lane++) {
        for (int e = 0; e < 8; e++) {
            int src = -1;
            if (bpp == 2) { /* [U0 U1 V0 V1 U2 U3 V2 V3]: pixels 4*lane .. 4*lane+3 */
                int px = lane * 4 + (e / 4) * 2 + (e & 1), ch = (e / 2) & 1;
                src = px * 2 + a->channel_offset[ch];
            } else if (bpp > 2) { /* [R0 R1 G0 G1 B0 B1 _ _]: pixels 2*lane, 2*lane+1 */
                int px = lane * 2 + (e & 1), ch = e / 2;
                if (ch < 3) src = px * bpp + a->channel_offset[ch];
            }
            a->simd_shuffle[lane * 16 + e * 2] = (uint8_t)(src < 0 ? 0x80 : src);
            a->simd_shuffle[lane * 16 + e * 2 + 1] = 0x80;
        }
    }
}

/* Span of output x's non-zero weights, as input indices [*lo, *hi]. */
static void nonzero_span(const resample_axis *a, int32_t x, int32_t *lo, int32_t *hi)
{
    const int16_t *w = a->weights + (size_t)x * a->taps;
    int32_t first = 0, last = a->taps - 1;
    while (first < last && w[first] == 0) first++;
    while (last > first && w[last] == 0) last--;
    *lo = a->start[x] + first;
    *hi = a->start[x] + last;
}

/* First input of block b's 16-byte window: its first output's first tap, kept inside the row. */
static int32_t block_window_origin(const resample_axis *a, int32_t b)
{
    int32_t lo, hi;
    nonzero_span(a, b * 4, &lo, &hi);
    return lo < a->in_size - 16 ? lo : a->in_size - 16;
}

/* Block layout, for single-channel rows (one-byte pixels, or U,V pairs split into two rows first):
 * four adjacent outputs whose non-zero taps all lie in one 16-byte window. One pshufb then gathers
 * (output x tap pair) int16 lanes and pmaddwd gives the four partial sums side by side, with no
 * horizontal reduction. Blocks are laid out from x = 0 while they fit (downscales up to about 2x);
 * the remaining outputs use the per-output kernel. (For packed RGB, splitting pixels into channel
 * rows first cost as much as the blocks saved, BGRA 1080p 3.2 ms against 2.2 ms, so packed RGB
 * keeps the per-output kernel.) Returns -1 on allocation failure. */
static int layout_blocks(resample_axis *a)
{
    if (a->bytes_per_pixel > 2 || a->in_size < 16) return 0;
    int32_t widest = 1;
    for (int32_t x = 0; x < a->out_size; x++) {
        int32_t lo, hi;
        nonzero_span(a, x, &lo, &hi);
        if (hi - lo + 1 > widest) widest = hi - lo + 1;
    }
    const int32_t taps = (widest + 3) / 4 * 4, groups = taps / 4;
    if (taps > 16) return 0;
    int32_t count = 0;
    for (int fits = 1; fits && (count + 1) * 4 <= a->out_size; count += fits) {
        const int32_t origin = block_window_origin(a, count);
        for (int j = 0; j < 4 && fits; j++) {
            int32_t lo, hi;
            nonzero_span(a, count * 4 + j, &lo, &hi);
            fits = lo >= origin && hi < origin + 16;
        }
    }
    if (count == 0) return 0;
    a->block_origin = edgetam__calloc((size_t)count, sizeof *a->block_origin);
    a->block_shuffle = edgetam__calloc((size_t)count * groups, 32);
    a->block_weights = edgetam__calloc((size_t)count * groups * 16, sizeof *a->block_weights);
    if (!a->block_origin || !a->block_shuffle || !a->block_weights) return -1;
    a->block_count = count;
    a->block_groups = groups;
    for (int32_t b = 0; b < count; b++) {
        const int32_t origin = a->block_origin[b] = block_window_origin(a, b);
        for (int j = 0; j < 4; j++) {
            const int32_t x = b * 4 + j;
            int32_t lo, hi;
            nonzero_span(a, x, &lo, &hi);
            /* this output's `taps` slots start at origin + first, inside the 16-sample window */
            const int32_t first = lo - origin < 16 - taps ? lo - origin : 16 - taps;
            for (int32_t t = 0; t < taps; t++) {
                const int32_t g = t / 4, lane = (t / 2) & 1, e = j * 2 + (t & 1);
                const int32_t plain = origin + first + t - a->start[x];
                uint8_t *sh = a->block_shuffle + ((size_t)b * groups + g) * 32 + lane * 16 + e * 2;
                sh[0] = (uint8_t)(first + t);
                sh[1] = 0x80;
                a->block_weights[((size_t)b * groups + g) * 16 + lane * 8 + e] =
                    plain >= 0 && plain < a->taps ? a->weights[(size_t)x * a->taps + plain] : 0;
            }
        }
    }
    return 0;
}

#endif

int edgetam__resample_axis_init(resample_axis *a, int32_t in_size, int32_t out_size, int32_t bytes_per_pixel,
                                int32_t channel_count, const uint8_t *channel_offset)
{
    memset(a, 0, sizeof *a);
    a->in_size = in_size;
    a->out_size = out_size;
    if (channel_count > 0) {
        a->bytes_per_pixel = bytes_per_pixel;
        a->channel_count = channel_count;
        for (int32_t c = 0; c < channel_count; c++) a->channel_offset[c] = channel_offset[c];
    }

    const double scale = (double)in_size / out_size;
    const double filter_scale = scale > 1.0 ? scale : 1.0;
    const double support = 2.0 * filter_scale;

    /* Window bounds first, to size the padded tap count. */
    int32_t widest = 1;
    for (int32_t i = 0; i < out_size; i++) {
        double center = (i + 0.5) * scale;
        int32_t lo = (int32_t)(center - support + 0.5), hi = (int32_t)(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > in_size) hi = in_size;
        if (hi - lo > widest) widest = hi - lo;
    }
    int32_t taps = widest;
    int simd = 0;
    if (channel_count > 0) {
        int32_t g = simd_group(bytes_per_pixel);
        int32_t padded = (widest + g - 1) / g * g;
        if (padded <= in_size && g > 1) {
            taps = padded;
            simd = 1;
        }
    }
    a->taps = taps;
    a->start = edgetam__calloc((size_t)out_size, sizeof *a->start);
    a->weights = edgetam__calloc((size_t)out_size * (size_t)taps, sizeof *a->weights);
    if (simd) a->simd_groups = taps / simd_group(bytes_per_pixel);
    int simd_tables_ok = 1;
#ifdef EDGETAM_HAVE_AVX2_KERNELS
    if (simd) { /* pairs of weights are repeated per channel lane: at most 4x the plain table */
        a->simd_weights = edgetam__calloc((size_t)out_size * (size_t)taps * 4, sizeof *a->simd_weights);
        simd_tables_ok = a->simd_weights != NULL;
    }
#endif
    if (!a->start || !a->weights || !simd_tables_ok) {
        edgetam__resample_axis_free(a);
        return -1;
    }

    for (int32_t i = 0; i < out_size; i++) {
        double center = (i + 0.5) * scale;
        int32_t lo = (int32_t)(center - support + 0.5), hi = (int32_t)(center + support + 0.5);
        if (lo < 0) lo = 0;
        if (hi > in_size) hi = in_size;
        double sum = 0.0;
        for (int32_t x = lo; x < hi; x++) sum += bicubic((x - center + 0.5) / filter_scale);
        /* keep the window inside the input so every kernel reads only real samples */
        int32_t start = lo < in_size - taps ? lo : in_size - taps;
        a->start[i] = start;
        int16_t *w = a->weights + (size_t)i * taps;
        int32_t total = 0, largest = lo - start;
        for (int32_t x = lo; x < hi; x++) {
            double v = bicubic((x - center + 0.5) / filter_scale);
            if (sum != 0.0) v /= sum;
            double q = v * (1 << RESAMPLE_WEIGHT_BITS);
            w[x - start] = (int16_t)(q < 0 ? q - 0.5 : q + 0.5);
            total += w[x - start];
            if (w[x - start] > w[largest]) largest = x - start;
        }
        /* Rounding each of many small weights can leave the sum off 1.0 (by ~90/16384 for a
         * 1024x downscale), which would shift flat areas; the largest weight absorbs the rest. */
        w[largest] = (int16_t)(w[largest] + (1 << RESAMPLE_WEIGHT_BITS) - total);
    }
#ifdef EDGETAM_HAVE_AVX2_KERNELS
    if (channel_count == 0) { /* vertical: pairs of weights for the AVX2 kernel's pmaddwd */
        const int32_t even = (taps + 1) / 2 * 2;
        a->simd_weights = edgetam__calloc((size_t)out_size * even, sizeof *a->simd_weights);
        if (!a->simd_weights) {
            edgetam__resample_axis_free(a);
            return -1;
        }
        for (int32_t i = 0; i < out_size; i++)
            memcpy(a->simd_weights + (size_t)i * even, a->weights + (size_t)i * taps, (size_t)taps * sizeof(int16_t));
    }

    if (simd) {
        layout_simd_weights(a);
        layout_simd_shuffle(a);
        if (layout_blocks(a) != 0) {
            edgetam__resample_axis_free(a);
            return -1;
        }
        /* 3-byte pixels: the last 16-byte load of a window reads 4 bytes past it */
        int32_t over = bytes_per_pixel == 3 ? 4 : 0;
        int32_t x = 0;
        while (x < out_size &&
               (int64_t)(a->start[x] + taps) * bytes_per_pixel + over <= (int64_t)in_size * bytes_per_pixel)
            x++;
        a->simd_x_end_last_row = x;
    }
#endif
    return 0;
}

void edgetam__resample_axis_free(resample_axis *a)
{
    edgetam__free(a->start);
    edgetam__free(a->weights);
    edgetam__free(a->simd_weights);
    edgetam__free(a->block_origin);
    edgetam__free(a->block_shuffle);
    edgetam__free(a->block_weights);
    memset(a, 0, sizeof *a);
}
