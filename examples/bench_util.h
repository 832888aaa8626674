/* Timing and statistics helpers shared by the edgetam-bench subcommands. */
#ifndef EDGETAM_BENCH_UTIL_H
#define EDGETAM_BENCH_UTIL_H

#include <stddef.h>

double bench_now_ms(void);
/* Sorts v in place and returns the q-quantile (0..1), nearest rank. */
double bench_quantile(double *v, size_t n, double q);
/* Resident set size of this process in MB (0 if unknown). */
double bench_rss_mb(void);

#endif
