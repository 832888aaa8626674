/* Synthetic frames for the converter benchmarks: any format, a camera-like picture. */
#ifndef EDGETAM_BENCH_FRAME_H
#define EDGETAM_BENCH_FRAME_H

#include <stdint.h>

#include "edgetam.h"

/* Owns the planes of a synthetic frame of any format. */
typedef struct bench_frame {
    edgetam_frame frame;
    uint8_t *mem[3];
} bench_frame;

/* The format called `name` (bgra, rgba, bgr24, rgb24, gray8, nv12, nv21, i420); 0 if none is. */
int bench_format_from_name(const char *name, edgetam_pixel_format *format);
/* Tight strides; smooth gradients plus fine texture, so no filter path is trivial. */
void bench_frame_init(bench_frame *b, edgetam_pixel_format format, int w, int h);
void bench_frame_free(bench_frame *b);

/* A converter for input size `size`; NULL, with the reason on stderr, if it cannot be made. */
edgetam_converter *bench_converter_new(int size);

#endif
