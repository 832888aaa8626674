/* The CPU allocator torch's tensors get while the library runs: freed blocks of the sizes a
 * frame uses are kept and handed out again instead of going back to the system.
 *
 * Why: glibc serves blocks over its mmap threshold (at most 32 MB) with fresh mappings and
 * returns them on free, so every large intermediate tensor of every forward page-faults all of
 * its pages in again, in the kernel, zeroed. At S = 1024 that was most of encode_image: measured
 * on one core, 1.9-2.3 s per call with 614 k page faults per 5 calls, 0.57-0.62 s with 183 k once
 * freed memory stayed mapped (MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ raised: a
 * process-wide setting a library must not impose, hence this allocator, which only concerns
 * torch's tensors). A steady stream allocates the same sizes every frame, so after the first
 * frame nearly every block comes from the cache.
 *
 * Bounded: at most kMaxCachedBytes are kept; blocks under kMinCachedBytes (cheap from malloc) are
 * never kept. Installed once, process-wide, on the first model load (c10::SetCPUAllocator at the
 * default priority: an allocator another part of the process registered with a higher priority
 * stays). Thread-safe; never destroyed (tensors may outlive every model). */
#ifndef EDGETAM_CACHING_ALLOCATOR_H
#define EDGETAM_CACHING_ALLOCATOR_H

void install_caching_cpu_allocator();

#endif
