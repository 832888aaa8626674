/* Latency percentiles in constant memory: a histogram with logarithmic bins 4% wide from 1 us to
 * about 20 minutes, so an endless stream needs no allocation and a quantile is exact to 2%. */
#ifndef EDGETAM_LATENCY_HISTOGRAM_H
#define EDGETAM_LATENCY_HISTOGRAM_H

#include <stdint.h>

#define LATENCY_HISTOGRAM_BINS 540

typedef struct latency_histogram {
    uint64_t count;
    uint64_t bins[LATENCY_HISTOGRAM_BINS];
} latency_histogram;

void latency_histogram_add(latency_histogram *h, double ms);

/* The q-quantile (0..1) in ms, the middle of its bin; 0 when empty. */
double latency_histogram_quantile(const latency_histogram *h, double q);

#endif
