/* Prompt checks and their conversion to model input: points in frame pixels -> input pixels, a
 * box as two labelled corners, a frame-size mask -> S x S binary mask. */
#ifndef EDGETAM_PROMPT_H
#define EDGETAM_PROMPT_H

#include <stddef.h>
#include <stdint.h>

#include "edgetam.h"

/* Checks `p` against a frame of w x h. Returns EDGETAM_OK or EDGETAM_ERR_BAD_PROMPT /
 * EDGETAM_ERR_ABI_MISMATCH / EDGETAM_ERR_INVALID_ARGUMENT with a message in `msg`. `old_points`
 * is how many points the object already has on this frame (counted unless clear_old_points);
 * `max_points` the bundle's bound on them (0: none but EDGETAM_MAX_POINTS). */
edgetam_status prompt_validate(const edgetam_prompt *p, int32_t w, int32_t h, int32_t old_points,
                               int32_t max_points, char *msg, size_t msg_size);

/* Appends the box corners (labels 2, 3) then the points to coords/labels (which hold *n entries
 * already), mapping x -> x / w * s and y -> y / h * s in float32 as the video predictor does. */
void prompt_append_points(const edgetam_prompt *p, int32_t w, int32_t h, int32_t s, float *coords,
                          int32_t *labels, int32_t *n);

/* The caller's w x h mask as an S x S 0/1 float mask: copied when already S x S, else resized
 * with an antialiased bilinear (triangle) filter, PyTorch's interpolate(antialias=True), and
 * thresholded at 0.5. `tmp` holds s * h floats. */
void prompt_mask_to_input(const uint8_t *mask, size_t stride, int32_t w, int32_t h, int32_t s,
                          float *tmp, float *out);

#endif
