/* An edgetam_allocator for tests: counts the library's live blocks (a leak check that works
 * without a sanitizer) and fails chosen allocations (fault injection). Install it in main(),
 * before the library allocates anything. */
#ifndef EDGETAM_TEST_COUNTING_ALLOCATOR_H
#define EDGETAM_TEST_COUNTING_ALLOCATOR_H

#include <stdint.h>

/* Installs the allocator; aborts if the library refuses (it already holds memory). */
void counting_allocator_install(void);

/* Blocks the library holds now. */
int64_t counting_allocator_live(void);

/* Makes the n-th allocation from now (0 = the next one) fail, and only that one; n < 0 fails none.
 * Returns how many allocations failed since the previous call. */
int64_t counting_allocator_fail_nth(int64_t n);

/* Polls until the library holds `live` blocks (e.g. after a stream freed itself on its worker
 * thread); returns 1 if it did within `seconds`, else 0. */
int counting_allocator_wait_live(int64_t live, double seconds);

#endif
