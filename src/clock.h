/* Monotonic milliseconds for the per-stage timings. */
#ifndef EDGETAM_CLOCK_H
#define EDGETAM_CLOCK_H

#include <time.h>

static inline double clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

#endif
