/* Low-res mask logits -> what callers get: hole filling (the video predictor's
 * fill_holes_in_mask_scores, which the official code skips on CPU) and the frame-size
 * mask / probabilities / box / area (bilinear upsampling as F.interpolate, align_corners=False). */
#ifndef EDGETAM_POSTPROCESS_H
#define EDGETAM_POSTPROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "converter_simd.h"
#include "edgetam.h"

/* Background pixels (<= 0) in 8-connected components of at most max_area pixels become 0.1.
 * `scratch` holds 2 * side * side int32. max_area <= 0 does nothing. */
void fill_holes(float *logits, int32_t side, int32_t max_area, int32_t *scratch);

/* Per output column/row: the two source indices and the weight of the second
 * (PyTorch's upsample_bilinear2d with align_corners=False and no scale factor). */
typedef struct upsample_axis {
    int32_t *i0, *i1;
    float *w1;
} upsample_axis;

typedef struct upsample_plan {
    int32_t in_side, out_w, out_h;
    upsample_axis x, y;
    simd_level simd; /* the CPU's best when built; tests lower it to compare the paths */
} upsample_plan;

/* (Re)builds the plan for a new frame size; allocates only when the size changes.
 * Returns EDGETAM_OK or EDGETAM_ERR_OUT_OF_MEMORY (the plan left as it was). */
edgetam_status upsample_plan_update(upsample_plan *plan, int32_t in_side, int32_t out_w,
                                    int32_t out_h);
void upsample_plan_free(upsample_plan *plan);

/* Fills the caller's optional mask / probability / low_res_logits buffers of `r` from the
 * low-res logits, and r->box / r->area from the frame-size mask. `row`: in_side floats of scratch.
 * Without probabilities, only where the mask can be set (see postprocess.c). */
void write_object_result(const upsample_plan *plan, const float *low, float *row,
                         edgetam_object_result *r);

/* The pixels > 0 of part of an output row: first and last x (-1 if none yet) and their count. */
typedef struct row_hits {
    int32_t first, last, area;
} row_hits;

/* Adds the pixels > 0 among x, x + 1, ...: bit i of `bits` set for x + i (bits != 0). */
static inline void row_hits_add(row_hits *h, int32_t x, unsigned bits)
{
    if (h->first < 0) h->first = x + __builtin_ctz(bits);
    h->last = x + 31 - __builtin_clz(bits);
    h->area += __builtin_popcount(bits);
}

/* SIMD kernels for the mask (no probabilities): output pixels [x, end) of an output row whose
 * blended source row is `row` (in_side values); mask bytes if `mask` is not NULL, hits added to
 * *h. Each returns where it stopped; the portable loop finishes the row with the same bits. */
#ifdef EDGETAM_HAVE_AVX2_KERNELS
int32_t edgetam__mask_row_avx2(const upsample_axis *ax, const float *row, int32_t x, int32_t end, uint8_t *mask,
                               row_hits *h, int32_t in_side);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
int32_t edgetam__mask_row_neon(const upsample_axis *ax, const float *row, int32_t x, int32_t end, uint8_t *mask,
                               row_hits *h, int32_t in_side);
#endif

#endif
