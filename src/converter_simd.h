/* Which SIMD kernel sets this compilation has, from the target's own architecture macros: one
 * multi-architecture Apple build compiles every file once per slice, so the decision cannot be
 * CMake's (which sees the host). EDGETAM_BUILD_AVX2 says CMake compiles the AVX2 files with AVX2
 * enabled for x86-64 (on Apple through -Xarch_x86_64). */
#ifndef EDGETAM_CONVERTER_SIMD_H
#define EDGETAM_CONVERTER_SIMD_H

#if defined(EDGETAM_BUILD_AVX2) && (defined(__x86_64__) || defined(__i386__))
#define EDGETAM_HAVE_AVX2_KERNELS 1 /* chosen at run time: not every x86-64 has AVX2 */
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#define EDGETAM_HAVE_NEON_KERNELS 1 /* Advanced SIMD is part of AArch64: always used */
#endif

/* Kernel sets, each including the ones below it; one architecture's sets only. (An AVX-512
 * VBMI/VNNI horizontal resampling kernel was measured at no gain on Zen 4, 2.28 vs 2.22 ms for BGRA
 * 1080p, and removed.) */
typedef enum simd_level {
    SIMD_NONE = 0, /* portable C */
    SIMD_AVX2 = 1, /* x86-64: AVX2 + FMA for every stage, where the CPU has them */
    SIMD_NEON = 1  /* AArch64: Advanced SIMD for every stage, always */
} simd_level;

/* The best set this CPU runs: the converter's and the mask upsampling's kernels. */
simd_level edgetam__cpu_simd_level(void);

#endif
