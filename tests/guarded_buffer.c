#define _DEFAULT_SOURCE
#include "guarded_buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

guarded_buffer guarded_alloc(size_t size)
{
    const size_t page = page_size();
    size_t usable_pages = (size + page - 1) / page;
    guarded_buffer b;
    b.map_size = (usable_pages + 1) * page;
    b.map = mmap(NULL, b.map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b.map == MAP_FAILED) {
        perror("mmap");
        abort();
    }
    uint8_t *guard = b.map + usable_pages * page;
    if (mprotect(guard, page, PROT_NONE) != 0) abort();
    b.data = guard - size;
    b.size = size;
    return b;
}

void guarded_protect(guarded_buffer *b, int to_none)
{
    size_t usable = b->map_size - page_size();
    if (mprotect(b->map, usable, to_none ? PROT_NONE : PROT_READ | PROT_WRITE) != 0) abort();
}

void guarded_free(guarded_buffer *b)
{
    if (b->map) munmap(b->map, b->map_size);
    b->map = NULL;
    b->data = NULL;
}
