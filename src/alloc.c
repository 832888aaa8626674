#include "alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { EDGETAM_ALIGN = 64 }; /* a cache line: AVX2 rows and float planes start aligned */

static void *default_alloc(void *user_data, size_t size, size_t alignment)
{
    (void)user_data;
    return aligned_alloc(alignment, size); /* C11; size is a multiple of the alignment */
}

static void default_free(void *user_data, void *ptr)
{
    (void)user_data;
    free(ptr);
}

static edgetam_allocator g_allocator = {default_alloc, default_free, NULL};
static atomic_uint_fast64_t g_alloc_count;
static atomic_int_fast64_t g_live; /* blocks handed out and not yet freed */

edgetam_status edgetam_set_allocator(const edgetam_allocator *allocator)
{
    if (allocator && (!allocator->alloc || !allocator->free)) return EDGETAM_ERR_INVALID_ARGUMENT;
    /* every block must go back to the allocator that made it */
    if (atomic_load(&g_live) != 0) return EDGETAM_ERR_INVALID_ARGUMENT;
    const edgetam_allocator fallback = {default_alloc, default_free, NULL};
    g_allocator = allocator ? *allocator : fallback;
    return EDGETAM_OK;
}

void *edgetam__calloc(size_t n, size_t size)
{
    if (n != 0 && size > (SIZE_MAX - EDGETAM_ALIGN) / n) return NULL;
    size_t bytes = n * size;
    bytes = (bytes + EDGETAM_ALIGN - 1) & ~(size_t)(EDGETAM_ALIGN - 1);
    if (bytes == 0) bytes = EDGETAM_ALIGN;
    void *p = g_allocator.alloc(g_allocator.user_data, bytes, EDGETAM_ALIGN);
    if (!p) return NULL;
    memset(p, 0, bytes);
    atomic_fetch_add_explicit(&g_alloc_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_live, 1, memory_order_relaxed);
    return p;
}

void edgetam__free(void *p)
{
    if (!p) return;
    atomic_fetch_sub_explicit(&g_live, 1, memory_order_relaxed);
    g_allocator.free(g_allocator.user_data, p);
}

uint64_t edgetam_allocation_count(void) { return atomic_load_explicit(&g_alloc_count, memory_order_relaxed); }
