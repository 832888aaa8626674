/* Timing and statistics helpers shared by the edgetam-bench subcommands. */
#ifndef EDGETAM_BENCH_UTIL_H
#define EDGETAM_BENCH_UTIL_H

#include <stddef.h>

#include "edgetam.h"

double bench_now_ms(void);
/* Sorts v in place and returns the q-quantile (0..1), nearest rank. */
double bench_quantile(double *v, size_t n, double q);
/* Resident set size of this process in MB (0 if unknown). */
double bench_rss_mb(void);
/* Loads a bundle with `threads` model threads (0: all cores); NULL after printing why not. */
edgetam_model *bench_load_model(const char *path, int threads);

#endif
