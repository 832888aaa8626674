/* NEON normalisation (AArch64): vfmaq_f32 is a fused multiply-add, as the scalar code's fmaf, and
 * the same operations run in the same order, so the floats are identical. */
#include "converter_simd.h"

#ifdef EDGETAM_HAVE_NEON_KERNELS
#include <arm_neon.h>

#include "normalize.h"

/* 16 bytes -> 4 x 4 floats */
static inline float32x4x4_t widen16(uint8x16_t b)
{
    const uint16x8_t lo = vmovl_u8(vget_low_u8(b)), hi = vmovl_high_u8(b);
    const float32x4x4_t f = {{vcvtq_f32_u32(vmovl_u16(vget_low_u16(lo))), vcvtq_f32_u32(vmovl_high_u16(lo)),
                              vcvtq_f32_u32(vmovl_u16(vget_low_u16(hi))), vcvtq_f32_u32(vmovl_high_u16(hi))}};
    return f;
}

int32_t edgetam__normalize_neon(const uint8_t *src, int32_t n, float scale, float bias, float *dst)
{
    const float32x4_t vs = vdupq_n_f32(scale), vb = vdupq_n_f32(bias);
    int32_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4x4_t f = widen16(vld1q_u8(src + i));
        for (int q = 0; q < 4; q++) f.val[q] = vfmaq_f32(vb, f.val[q], vs);
        vst1q_f32_x4(dst + i, f);
    }
    return i;
}

static inline float32x4_t clamp255(float32x4_t v)
{
    return vminq_f32(vmaxq_f32(v, vdupq_n_f32(0.0f)), vdupq_n_f32(255.0f));
}

int32_t edgetam__normalize_yuv_neon(const uint8_t *const yuv[3], int32_t n, const yuv_coeffs *k,
                                    const normalize_coeffs *nc, float *const rgb[3])
{
    const float32x4_t ys = vdupq_n_f32(k->y_scale), yb = vdupq_n_f32(k->y_bias);
    const float32x4_t vr = vdupq_n_f32(k->v_to_r), ug = vdupq_n_f32(k->u_to_g), vg = vdupq_n_f32(k->v_to_g);
    const float32x4_t ub = vdupq_n_f32(k->u_to_b);
    float32x4_t s[3], b[3];
    for (int c = 0; c < 3; c++) {
        s[c] = vdupq_n_f32(nc->scale[c]);
        b[c] = vdupq_n_f32(nc->bias[c]);
    }
    /* locals: the float stores cannot change them, so they stay in registers */
    const uint8_t *py = yuv[0], *pu = yuv[1], *pv = yuv[2];
    float *pr = rgb[0], *pg = rgb[1], *pb = rgb[2];
    int32_t i = 0;
    /* 8 pixels per step: with 16, the live vectors outgrow the register file */
    for (; i + 8 <= n; i += 8) {
        const uint16x8_t y16 = vmovl_u8(vld1_u8(py + i));
        const int16x8_t u16 = vreinterpretq_s16_u16(vsubl_u8(vld1_u8(pu + i), vdup_n_u8(128)));
        const int16x8_t v16 = vreinterpretq_s16_u16(vsubl_u8(vld1_u8(pv + i), vdup_n_u8(128)));
        for (int h = 0; h < 2; h++) {
            const float32x4_t y8 = vcvtq_f32_u32(h ? vmovl_high_u16(y16) : vmovl_u16(vget_low_u16(y16)));
            const float32x4_t u = vcvtq_f32_s32(h ? vmovl_high_s16(u16) : vmovl_s16(vget_low_s16(u16)));
            const float32x4_t v = vcvtq_f32_s32(h ? vmovl_high_s16(v16) : vmovl_s16(vget_low_s16(v16)));
            const float32x4_t y = vfmaq_f32(yb, y8, ys);
            vst1q_f32(pr + i + 4 * h, vfmaq_f32(b[0], clamp255(vfmaq_f32(y, v, vr)), s[0]));
            vst1q_f32(pg + i + 4 * h, vfmaq_f32(b[1], clamp255(vfmaq_f32(vfmaq_f32(y, u, ug), v, vg)), s[1]));
            vst1q_f32(pb + i + 4 * h, vfmaq_f32(b[2], clamp255(vfmaq_f32(y, u, ub)), s[2]));
        }
    }
    return i;
}
#endif
