#include "latency_histogram.h"

#include <math.h>

#define BIN_RATIO 1.04
#define FIRST_MS 1e-3 /* bin 0 holds everything below 1 us */

void latency_histogram_add(latency_histogram *h, double ms)
{
    int bin = 0;
    if (ms > FIRST_MS) bin = 1 + (int)(log(ms / FIRST_MS) / log(BIN_RATIO));
    if (bin >= LATENCY_HISTOGRAM_BINS) bin = LATENCY_HISTOGRAM_BINS - 1;
    h->bins[bin]++;
    h->count++;
}

double latency_histogram_quantile(const latency_histogram *h, double q)
{
    if (h->count == 0) return 0.0;
    /* the rank of the quantile, 1-based, as "nearest rank" defines it */
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (int bin = 0; bin < LATENCY_HISTOGRAM_BINS; bin++) {
        seen += h->bins[bin];
        if (seen >= rank) /* bin b > 0 spans FIRST_MS * ratio^(b-1) .. * ratio^b */
            return bin == 0 ? FIRST_MS : FIRST_MS * pow(BIN_RATIO, bin - 0.5);
    }
    return FIRST_MS * pow(BIN_RATIO, LATENCY_HISTOGRAM_BINS - 1);
}
