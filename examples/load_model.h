/* Loading a bundle for the example programs, saying loudly when it is the stand-in or the demo. */
#ifndef EDGETAM_EXAMPLES_LOAD_MODEL_H
#define EDGETAM_EXAMPLES_LOAD_MODEL_H

#include <stdint.h>

#include "edgetam.h"

/* The stand-in bundle this build generates: the default --model of the benchmarks and of
 * edgetam-demo. */
extern const char *const example_standin_bundle;
/* The demo bundle (a weight-free tracker, not EdgeTAM): the video examples' default --model;
 * the stand-in in builds without libtorch. */
extern const char *const example_demo_bundle;

/* Loads `path` with at most `threads` model threads (0: all cores; adapt_threads as in
 * edgetam_model_params). Prints a NOTE if it is the stand-in or the demo, or why it cannot be
 * loaded (then returns NULL). */
edgetam_model *example_load_model(const char *path, int32_t threads, int32_t adapt_threads);

#endif
