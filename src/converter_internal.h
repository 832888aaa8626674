/* The converter's state, shared with the internal tests (which switch the SIMD kernels off to
 * check that both paths agree bit for bit). */
#ifndef EDGETAM_CONVERTER_INTERNAL_H
#define EDGETAM_CONVERTER_INTERNAL_H

#include "edgetam.h"
#include "frame.h"
#include "normalize.h"
#include "resample.h"

typedef struct plane_pass {
    resample_axis h, v;
    int16_t *ring;    /* channel_count x ring_slots() rows of S samples */
    const int16_t **window; /* v.taps ring rows of the current output row, in input order */
    uint8_t *split;         /* U,V planes with block kernel: 2 rows x (U, V) of plane width */
    int32_t next_row; /* first source row not yet in the ring */
} plane_pass;

/* The vertical window of the current output row, plus one row read ahead. */
static inline int32_t ring_slots(const plane_pass *pp) { return pp->v.taps + 1; }

struct edgetam_converter {
    int32_t size; /* S */
    float *output;
    normalize_coeffs norm;
    simd_level simd; /* best the CPU has; tests lower it to compare the paths */
    char error[256];
    /* cached for the last frame geometry */
    int have_geometry;
    frame_layout layout;
    plane_pass pass[3];
    uint8_t *rows[3]; /* vertical-pass output: R,G,B or Y,U,V (or gray) */
};

#endif
