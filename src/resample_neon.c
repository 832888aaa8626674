/* NEON kernels (AArch64 Advanced SIMD: always present there, so used without a run-time check).
 * Each produces a prefix of outputs and returns where it stopped; the scalar kernel finishes the
 * row. Sums are the scalar kernel's exact int32 sums; vqrshrun (add half, shift, saturate to
 * unsigned) followed by a clamp to 255 is its round-and-clamp, so the bytes are identical.
 *
 * Horizontal plans pad every window to a multiple of 8 taps (resample_plan.c), so one output's
 * window is whole 8-pixel loads: vld1/vld2/vld3/vld4 de-interleave 8 pixels into channel vectors
 * and read exactly the window, never past it (no special last row). */
#include "converter_simd.h"

#ifdef EDGETAM_HAVE_NEON_KERNELS
#include <arm_neon.h>

#include "resample.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Partial Q14 sums (4 lanes) of 8 taps: samples widened to int16 times their weights. */
static ALWAYS_INLINE int32x4_t dot8(uint8x8_t px, int16x8_t w)
{
    const int16x8_t s = vreinterpretq_s16_u16(vmovl_u8(px));
    return vmlal_high_s16(vmull_s16(vget_low_s16(s), vget_low_s16(w)), s, w);
}

/* Four outputs' Q14 sums -> clamp(round(sum), 0, 255) as the ring's int16, stored. */
static ALWAYS_INLINE void store_ring4(int16_t *out, int32x4_t sums)
{
    const uint16x4_t v = vmin_u16(vqrshrun_n_s32(sums, RESAMPLE_WEIGHT_BITS), vdup_n_u16(255));
    vst1_s16(out, vreinterpret_s16_u16(v));
}

/* Channel vectors of 8 pixels from p, byte position b of each pixel in ch[b]. */
static ALWAYS_INLINE void load8(const uint8_t *p, int32_t bpp, uint8x8_t ch[4])
{
    if (bpp == 1) {
        ch[0] = vld1_u8(p);
    } else if (bpp == 2) {
        const uint8x8x2_t v = vld2_u8(p);
        ch[0] = v.val[0], ch[1] = v.val[1];
    } else if (bpp == 3) {
        const uint8x8x3_t v = vld3_u8(p);
        ch[0] = v.val[0], ch[1] = v.val[1], ch[2] = v.val[2];
    } else {
        const uint8x8x4_t v = vld4_u8(p);
        ch[0] = v.val[0], ch[1] = v.val[1], ch[2] = v.val[2];
    }
}

/* Outputs four at a time for pixels of `bpp` bytes whose channels are byte positions 0..nch-1
 * (written to out[r][b]), `groups` 8-tap loads per output (taps == 8 * groups); nrows rows share
 * each weight load. The plan's fields are read once: stores into the ring cannot change them. */
static ALWAYS_INLINE int32_t h_rows(const resample_axis *a, const uint8_t *const *src, int16_t *(*out)[3],
                                    int nrows, int32_t x, int32_t x_end, int32_t bpp, int nch, int32_t groups)
{
    const int32_t *start = a->start;
    const int16_t *w = a->weights + (size_t)x * 8 * groups;
    for (; x + 4 <= x_end; x += 4, w += 32 * groups) {
        int16x8_t wq[4];
        if (groups == 1) { /* the four outputs' weights in one load */
            const int16x8x4_t all = vld1q_s16_x4(w);
            for (int j = 0; j < 4; j++) wq[j] = all.val[j];
        }
        int32x4_t pair[2][3][2]; /* pairwise sums of outputs (0, 1) and (2, 3) */
        for (int j = 0; j < 4; j++) {
            const size_t offset = (size_t)start[x + j] * bpp;
            int32x4_t p[2][3];
            const int16x8_t w0 = groups == 1 ? wq[j] : vld1q_s16(w + j * groups * 8);
            for (int r = 0; r < nrows; r++) {
                uint8x8_t ch[4];
                load8(src[r] + offset, bpp, ch);
                for (int c = 0; c < nch; c++) p[r][c] = dot8(ch[c], w0);
            }
            for (int32_t g = 1; g < groups; g++) {
                const int16x8_t wg = vld1q_s16(w + (j * groups + g) * 8);
                for (int r = 0; r < nrows; r++) {
                    uint8x8_t ch[4];
                    load8(src[r] + offset + (size_t)g * 8 * bpp, bpp, ch);
                    for (int c = 0; c < nch; c++) p[r][c] = vaddq_s32(p[r][c], dot8(ch[c], wg));
                }
            }
            for (int r = 0; r < nrows; r++)
                for (int c = 0; c < nch; c++)
                    pair[r][c][j / 2] = j & 1 ? vpaddq_s32(pair[r][c][j / 2], p[r][c]) : p[r][c];
        }
        for (int r = 0; r < nrows; r++)
            for (int c = 0; c < nch; c++) store_ring4(out[r][c] + x, vpaddq_s32(pair[r][c][0], pair[r][c][1]));
    }
    return x;
}

/* Instantiates h_rows for 1 or 2 rows and 1 or 2 tap groups (downscales up to ~3.5x). */
#define DISPATCH(bpp, nch)                                                                         \
    do {                                                                                           \
        if (nrows == 2) {                                                                          \
            if (groups == 1) return h_rows(a, src, out, 2, x, x_end, bpp, nch, 1);                 \
            if (groups == 2) return h_rows(a, src, out, 2, x, x_end, bpp, nch, 2);                 \
            return h_rows(a, src, out, 2, x, x_end, bpp, nch, groups);                             \
        }                                                                                          \
        if (groups == 1) return h_rows(a, src, out, 1, x, x_end, bpp, nch, 1);                     \
        if (groups == 2) return h_rows(a, src, out, 1, x, x_end, bpp, nch, 2);                     \
        return h_rows(a, src, out, 1, x, x_end, bpp, nch, groups);                                 \
    } while (0)

int32_t edgetam__resample_h_neon(const resample_axis *a, const resample_hrow *rows, int nrows, int32_t x,
                                 int32_t x_end)
{
    const int32_t bpp = a->bytes_per_pixel, groups = a->simd_groups;
    if (groups == 0) return x; /* window not padded to whole loads (input narrower than 8 taps) */
    /* the kernels compute byte positions 0..channel_count-1 of a pixel; each goes to its channel */
    for (int c = 0; c < a->channel_count; c++)
        if (a->channel_offset[c] >= a->channel_count) return x; /* other channel layouts: scalar */
    const uint8_t *src[2];
    int16_t *out[2][3];
    for (int r = 0; r < nrows; r++) {
        src[r] = rows[r].src;
        for (int c = 0; c < a->channel_count; c++) out[r][a->channel_offset[c]] = rows[r].out[c];
    }
    switch (bpp) {
    case 1: DISPATCH(1, 1);
    case 2: DISPATCH(2, 2);
    case 3: DISPATCH(3, 3);
    default: DISPATCH(4, 3);
    }
}

/* Vertical: 16 outputs per step. The window's row pointers and weights are copied into locals
 * first, so the compiler keeps them in registers (stores into `out` cannot change them); windows
 * of up to V_TAPS_MAX rows are instantiated below. */
#define V_TAPS_MAX 12
static ALWAYS_INLINE int32_t v_rows(const int16_t *const *rows, const int16_t *weights, int32_t taps, uint8_t *out,
                                    int32_t n)
{
    const int16_t *r[V_TAPS_MAX];
    int16x4_t w[V_TAPS_MAX];
    for (int32_t k = 0; k < taps; k++) {
        r[k] = rows[k];
        w[k] = vdup_n_s16(weights[k]);
    }
    int32_t x = 0;
    for (; x + 16 <= n; x += 16) {
        const int16x8_t f0 = vld1q_s16(r[0] + x), f1 = vld1q_s16(r[0] + x + 8);
        int32x4_t acc[4] = {vmull_lane_s16(vget_low_s16(f0), w[0], 0), vmull_high_lane_s16(f0, w[0], 0),
                            vmull_lane_s16(vget_low_s16(f1), w[0], 0), vmull_high_lane_s16(f1, w[0], 0)};
        for (int32_t k = 1; k < taps; k++) {
            const int16x8_t s0 = vld1q_s16(r[k] + x), s1 = vld1q_s16(r[k] + x + 8);
            acc[0] = vmlal_lane_s16(acc[0], vget_low_s16(s0), w[k], 0);
            acc[1] = vmlal_high_lane_s16(acc[1], s0, w[k], 0);
            acc[2] = vmlal_lane_s16(acc[2], vget_low_s16(s1), w[k], 0);
            acc[3] = vmlal_high_lane_s16(acc[3], s1, w[k], 0);
        }
        const uint16x8_t lo = vqrshrun_high_n_s32(vqrshrun_n_s32(acc[0], RESAMPLE_WEIGHT_BITS), acc[1],
                                                  RESAMPLE_WEIGHT_BITS);
        const uint16x8_t hi = vqrshrun_high_n_s32(vqrshrun_n_s32(acc[2], RESAMPLE_WEIGHT_BITS), acc[3],
                                                  RESAMPLE_WEIGHT_BITS);
        vst1q_u8(out + x, vqmovn_high_u16(vqmovn_u16(lo), hi));
    }
    return x;
}

int32_t edgetam__resample_v_neon(const resample_axis *a, int32_t y, const int16_t *const *rows, uint8_t *out)
{
    const int16_t *w = a->weights + (size_t)y * a->taps;
    const int32_t n = a->out_size;
    switch (a->taps) {
    case 1: return v_rows(rows, w, 1, out, n);
    case 2: return v_rows(rows, w, 2, out, n);
    case 3: return v_rows(rows, w, 3, out, n);
    case 4: return v_rows(rows, w, 4, out, n);
    case 5: return v_rows(rows, w, 5, out, n);
    case 6: return v_rows(rows, w, 6, out, n);
    case 7: return v_rows(rows, w, 7, out, n);
    case 8: return v_rows(rows, w, 8, out, n);
    case 9: return v_rows(rows, w, 9, out, n);
    case 10: return v_rows(rows, w, 10, out, n);
    case 11: return v_rows(rows, w, 11, out, n);
    case 12: return v_rows(rows, w, 12, out, n);
    default: return 0; /* downscales past ~2.75x: the portable pass, which compilers vectorise */
    }
}
#endif
