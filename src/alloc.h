/* The library's own allocations all go through here, so tests and benchmarks can count them
 * (steady-state tracking must allocate nothing) and callers can route or fault-inject them
 * (edgetam_set_allocator). */
#ifndef EDGETAM_ALLOC_H
#define EDGETAM_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "edgetam.h"

/* 64-byte aligned, zero-filled; NULL on failure or on size overflow of n * size. */
void *edgetam__calloc(size_t n, size_t size);
void edgetam__free(void *p);

/* edgetam_allocation_count() (public, edgetam.h) counts the successful edgetam__calloc calls. */

#endif
