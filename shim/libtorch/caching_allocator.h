/* The CPU allocator torch's tensors get while the library runs: freed blocks are kept and handed
 * out again (for requests of half their size and more) instead of going back to the system.
 *
 * Why: glibc serves blocks over its mmap threshold (at most 32 MB) with fresh mappings and
 * returns them on free, so every large intermediate tensor of every forward page-faults all of
 * its pages in again, in the kernel, zeroed. At S = 1024 that was most of encode_image: measured
 * on one core, 1.9-2.3 s per call with 614 k page faults per 5 calls, 0.57-0.62 s with 183 k once
 * freed memory stayed mapped (MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ raised: a
 * process-wide setting a library must not impose, hence this allocator, which only concerns
 * torch's tensors).
 *
 * Blocks of 2 MB and more are mapped as transparent huge pages where Linux allows them: one fault
 * per 2 MB instead of 512, which makes the blocks the cache does not hold cheap too.
 *
 * Bounded: at most kMaxCachedBytes (64 MB) are kept, the least recently freed going first (sizes of
 * earlier frames, with fewer memories, make way); blocks under kMinCachedBytes (cheap from malloc)
 * are never kept. Measured at S = 1024 (2 threads): a frame's largest method holds about 110 MB at
 * once; the former exact-size cache of 512 MB filled up (rss_mb_end 924-936), this one keeps the
 * process at 394 MB.
 *
 * Installed once, process-wide, on the first model load (c10::SetCPUAllocator at the default
 * priority: an allocator another part of the process registered with a higher priority stays).
 * Thread-safe; never destroyed (tensors may outlive every model). */
#ifndef EDGETAM_CACHING_ALLOCATOR_H
#define EDGETAM_CACHING_ALLOCATOR_H

void install_caching_cpu_allocator();

/* Frees every cached block (none handed out): the next forwards page their blocks in again.
 * Any thread, any time, also while tensors are being allocated. */
void trim_caching_cpu_allocator() noexcept;

#endif
