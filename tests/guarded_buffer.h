/* Caller-side buffers for tests, made the way a hostile camera stack would: mmap'd (so a stray
 * free() or realloc() by the library crashes), ending exactly at a page boundary followed by an
 * inaccessible guard page (so any over-read crashes), and revocable (mprotect PROT_NONE after
 * unlock, so any later touch crashes). */
#ifndef EDGETAM_TEST_GUARDED_BUFFER_H
#define EDGETAM_TEST_GUARDED_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct guarded_buffer {
    uint8_t *data; /* first usable byte; data + size is the start of the guard page */
    size_t size;
    uint8_t *map;   /* whole mapping */
    size_t map_size;
} guarded_buffer;

/* Maps `size` (> 0) usable bytes. Aborts the test run if mmap fails. */
guarded_buffer guarded_alloc(size_t size);
/* PROT_NONE on the usable pages (to_none != 0) or read/write again (0). */
void guarded_protect(guarded_buffer *b, int to_none);
void guarded_free(guarded_buffer *b);

#endif
