#include "alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_uint_fast64_t g_alloc_count;

enum { EDGETAM_ALIGN = 64 }; /* a cache line: AVX2 rows and float planes start aligned */

void *edgetam__calloc(size_t n, size_t size)
{
    if (n != 0 && size > (SIZE_MAX - EDGETAM_ALIGN) / n) return NULL;
    size_t bytes = n * size;
    bytes = (bytes + EDGETAM_ALIGN - 1) & ~(size_t)(EDGETAM_ALIGN - 1);
    if (bytes == 0) bytes = EDGETAM_ALIGN;
    void *p = aligned_alloc(EDGETAM_ALIGN, bytes); /* C11; bytes is a multiple of the alignment */
    if (!p) return NULL;
    memset(p, 0, bytes);
    atomic_fetch_add_explicit(&g_alloc_count, 1, memory_order_relaxed);
    return p;
}

void edgetam__free(void *p) { free(p); }

uint64_t edgetam_allocation_count(void) { return atomic_load_explicit(&g_alloc_count, memory_order_relaxed); }
