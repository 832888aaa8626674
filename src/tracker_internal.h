/* What a stream needs from its tracker beyond the public API: the stream converts frames itself
 * (on the caller's thread) and hands the worker converted input. */
#ifndef EDGETAM_TRACKER_INTERNAL_H
#define EDGETAM_TRACKER_INTERNAL_H

#include "edgetam.h"

/* edgetam_tracker_create; without a converter when the caller converts (tracker_track_input). */
edgetam_status tracker_create(edgetam_model *model, const edgetam_tracker_params *params,
                              int with_converter, edgetam_tracker **out);

/* edgetam_tracker_track on an already converted input (3 x S x S floats, from a w x h frame),
 * waiting for the lock instead of dropping. Stage times are added to `ms`. Writes no results. */
edgetam_status tracker_track_input(edgetam_tracker *t, const float *input, int32_t w, int32_t h,
                                   double ms[EDGETAM_STAGE_COUNT]);

/* Every object's output on the current frame into `results` (in increasing id), like the results
 * of edgetam_tracker_track; postprocessing time is added to `ms`. */
edgetam_status tracker_results(edgetam_tracker *t, edgetam_object_result *results,
                               int32_t capacity, int32_t *count, double ms[EDGETAM_STAGE_COUNT]);

#endif
