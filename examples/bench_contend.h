/* Busy-loop threads beside a benchmark: the CPU contention a phone app or a shared server lives
 * with (other apps, the camera pipeline, other tenants). */
#ifndef EDGETAM_BENCH_CONTEND_H
#define EDGETAM_BENCH_CONTEND_H

typedef struct bench_contenders bench_contenders;

/* Starts n threads that spin until bench_contenders_stop; NULL if a thread cannot start. */
bench_contenders *bench_contenders_start(int n);
/* Stops and joins them and frees c; NULL is a no-op. */
void bench_contenders_stop(bench_contenders *c);

#endif
