/* Separable antialiased bicubic resampling with PIL's semantics (Image.resize, BICUBIC, a = -0.5,
 * support scaled by the downscale factor, each pass rounded and clipped to 8 bits), in fixed point.
 *
 * Pipeline per source plane: horizontal pass (one source row -> int16 rows of S samples per
 * channel) into a small ring, then a vertical pass over the ring -> uint8 rows. Both passes sum
 * exactly in 32 bits and round once, as PIL does; the integer weights of every output sum to 1.0.
 * The scalar kernels are the specification; the AVX2 and NEON kernels produce bit-identical results. */
#ifndef EDGETAM_RESAMPLE_H
#define EDGETAM_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "converter_simd.h"

#define RESAMPLE_WEIGHT_BITS 14 /* Q14 weights: 1.0 == 16384 (largest bicubic weight: 1.125) */

/* Coefficients for one axis: output i reads input samples start[i] .. start[i] + taps - 1. A
 * horizontal plan also knows the pixel layout it reads (bytes per pixel, which channels). */
typedef struct resample_axis {
    int32_t in_size, out_size;
    int32_t taps;            /* same for every output; padded with zero weights */
    int32_t *start;          /* out_size entries, start + taps <= in_size */
    int16_t *weights;        /* out_size * taps, Q14, plain order (scalar kernels) */
    /* horizontal plans only */
    int32_t bytes_per_pixel; /* 0 for vertical plans */
    int32_t channel_count;   /* channels extracted, 1..3 */
    uint8_t channel_offset[3];
    int32_t simd_groups;     /* horizontal SIMD kernel: loads (tap groups) per output, 0 if it cannot
                              * run (AVX2: 16 bytes, 12 for 3-byte pixels; NEON: 8 pixels) */
    int16_t *simd_weights;   /* AVX2 only: order of its multiplies, or NULL if it cannot run;
                              * vertical plans: the weights padded to an even count per output */
    uint8_t simd_shuffle[32];/* AVX2 byte shuffle: loaded pixels -> (tap pair) x channel int16 lanes */
    int32_t simd_x_end_last_row; /* AVX2 may produce x < this on a plane's last row (no over-read) */
    /* AVX2 block kernel (single-channel rows): outputs 4b .. 4b+3 for b < block_count read one
     * 16-byte window at block_origin[b]; per block, block_groups x (32 shuffle bytes, 16 weights) */
    int32_t block_count, block_groups;
    int32_t *block_origin;
    uint8_t *block_shuffle;
    int16_t *block_weights;
} resample_axis;

/* Builds the plan for in_size -> out_size. channel_count > 0 makes a horizontal plan for pixels of
 * bytes_per_pixel with the given channels; channel_count 0 a vertical plan. Returns 0, or -1 on
 * allocation failure (nothing leaked). */
int edgetam__resample_axis_init(resample_axis *axis, int32_t in_size, int32_t out_size, int32_t bytes_per_pixel,
                                int32_t channel_count, const uint8_t *channel_offset);
void edgetam__resample_axis_free(resample_axis *axis);

/* One source row and the ring rows (one per channel, S samples) it is resampled into. */
typedef struct resample_hrow {
    const uint8_t *src;
    int16_t *out[3];
} resample_hrow;

/* Horizontal pass over outputs [x_begin, x_end). */
void edgetam__resample_h_scalar(const resample_axis *axis, const resample_hrow *row, int32_t x_begin,
                                int32_t x_end);
/* Vertical pass: rows[k] is the ring row of input row axis->start[y] + k. */
void edgetam__resample_v_scalar(const resample_axis *axis, int32_t y, const int16_t *const *rows,
                                uint8_t *out, int32_t x_begin, int32_t x_end);

/* converter_simd.h says which kernel sets this architecture has. */
#ifdef EDGETAM_HAVE_AVX2_KERNELS
/* AVX2 versions: produce a prefix of outputs and return where they stopped. The horizontal kernel
 * does `row_count` (1 or 2) rows at once, sharing the coefficient loads. */
int32_t edgetam__resample_h_avx2(const resample_axis *axis, const resample_hrow *rows, int row_count, int32_t x_begin,
                                 int32_t x_end);
/* Block kernel: outputs [0, 4 * block_count) of n single-channel rows src[k] into out[k]; returns
 * 4 * block_count. */
int32_t edgetam__resample_h_blocks_avx2(const resample_axis *axis, const uint8_t *const *src, int16_t *const *out,
                                        int n);
/* Splits n two-byte pixels into the bytes at offset[0] and offset[1] (e.g. NV12's U and V rows). */
void edgetam__split_pairs_avx2(const uint8_t *src, int32_t n, const uint8_t offset[2], uint8_t *first, uint8_t *second);
int32_t edgetam__resample_v_avx2(const resample_axis *axis, int32_t y, const int16_t *const *rows, uint8_t *out);
#endif
#ifdef EDGETAM_HAVE_NEON_KERNELS
/* NEON versions, the same contract (no over-read: they run on every row, the last one included). */
int32_t edgetam__resample_h_neon(const resample_axis *axis, const resample_hrow *rows, int row_count, int32_t x_begin,
                                 int32_t x_end);
int32_t edgetam__resample_v_neon(const resample_axis *axis, int32_t y, const int16_t *const *rows, uint8_t *out);
#endif

#endif
