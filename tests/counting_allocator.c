#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "counting_allocator.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "edgetam.h"

static atomic_int_fast64_t live, countdown = -1, failures;

static void *counting_alloc(void *user_data, size_t size, size_t alignment)
{
    (void)user_data;
    /* exactly one allocation sees the countdown pass zero, even with threads */
    if (atomic_fetch_sub(&countdown, 1) == 0) {
        atomic_fetch_add(&failures, 1);
        return NULL;
    }
    void *p = aligned_alloc(alignment, size);
    if (p) atomic_fetch_add(&live, 1);
    return p;
}

static void counting_free(void *user_data, void *ptr)
{
    (void)user_data;
    atomic_fetch_sub(&live, 1);
    free(ptr);
}

void counting_allocator_install(void)
{
    const edgetam_allocator a = {counting_alloc, counting_free, NULL};
    if (edgetam_set_allocator(&a) != EDGETAM_OK) {
        fprintf(stderr, "edgetam_set_allocator refused: the library already holds memory\n");
        abort();
    }
}

int64_t counting_allocator_live(void) { return atomic_load(&live); }

int64_t counting_allocator_fail_nth(int64_t n)
{
    atomic_store(&countdown, n < 0 ? INT64_MIN / 2 : n);
    return atomic_exchange(&failures, 0);
}

int counting_allocator_wait_live(int64_t want, double seconds)
{
    const struct timespec step = {0, 1000000};
    for (double waited = 0; waited < seconds; waited += 1e-3) {
        if (atomic_load(&live) == want) return 1;
        nanosleep(&step, NULL);
    }
    return atomic_load(&live) == want;
}
