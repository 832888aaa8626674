/* NEON mask kernel: the portable loop's lerp (two products, one sum, never fused) and sign test,
 * 4 pixels at a time (AArch64 has no gather: the taps are loaded lane by lane). */
#include "converter_simd.h"

#ifdef EDGETAM_HAVE_NEON_KERNELS
#include <arm_neon.h>
#include <string.h>

#include "postprocess.h"

int32_t edgetam__mask_row_neon(const upsample_axis *ax, const float *row, int32_t x, int32_t end, uint8_t *mask,
                               row_hits *h, int32_t in_side)
{
    (void)in_side; /* the taps are loaded one by one */
    const float32x4_t one = vdupq_n_f32(1.0f), zero = vdupq_n_f32(0.0f);
    const uint32x4_t lane_bit = {1, 2, 4, 8};
    for (; x + 4 <= end; x += 4) {
        const int32_t *i0 = ax->i0 + x, *i1 = ax->i1 + x;
        const float ta[4] = {row[i0[0]], row[i0[1]], row[i0[2]], row[i0[3]]};
        const float tb[4] = {row[i1[0]], row[i1[1]], row[i1[2]], row[i1[3]]};
        const float32x4_t w1 = vld1q_f32(ax->w1 + x), a = vld1q_f32(ta), b = vld1q_f32(tb);
        const float32x4_t v = vaddq_f32(vmulq_f32(vsubq_f32(one, w1), a), vmulq_f32(w1, b));
        const uint32x4_t on = vcgtq_f32(v, zero); /* NaN: off, as v > 0.0f */
        if (mask) {
            const uint8x8_t m8 = vmovn_u16(vcombine_u16(vmovn_u32(on), vmovn_u32(on)));
            const uint32_t four = vget_lane_u32(vreinterpret_u32_u8(m8), 0);
            memcpy(mask + x, &four, sizeof four);
        }
        const unsigned bits = vaddvq_u32(vandq_u32(on, lane_bit));
        if (bits) row_hits_add(h, x, bits);
    }
    return x;
}
#endif
