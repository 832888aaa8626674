/* Control and records of the CoreVideo test double (corevideo_double/CoreVideo/CoreVideo.h).
 * A fake pixel buffer keeps its pixels in guarded planes (test_frame.h) that are inaccessible
 * (PROT_NONE) whenever the buffer is not locked, so any read outside lock..unlock crashes. */
#ifndef EDGETAM_TESTS_COREVIDEO_DOUBLE_H
#define EDGETAM_TESTS_COREVIDEO_DOUBLE_H

#include <CoreVideo/CoreVideo.h>

#include "test_frame.h"

/* Everything done to one fake buffer. */
typedef struct fake_cv_calls {
    int locks, unlocks;           /* successful lock / unlock calls */
    int failed_locks;             /* locks refused because fail_lock was set */
    int depth;                    /* locks not yet unlocked */
    int mismatched_unlocks;       /* unlocks whose flags differ from their lock's, or unbalanced */
    CVPixelBufferLockFlags lock_flags, unlock_flags; /* of the last lock / unlock */
    int base_address_calls;       /* CVPixelBufferGetBaseAddress */
    int plane_address_calls;      /* CVPixelBufferGetBaseAddressOfPlane */
    int addresses_while_unlocked; /* either of them while not locked */
    int retains, releases;        /* CVPixelBufferRetain/Release, CFRetain/CFRelease of the buffer */
} fake_cv_calls;

typedef struct fake_cv_knobs {
    int fail_lock;               /* lock returns kCVReturnError */
    int null_address;            /* base addresses are NULL while locked */
    size_t bytes_per_row[3];     /* nonzero: reported instead of the real ones */
    size_t plane_height[3];      /* nonzero: reported instead of the real ones */
    int planar;                  /* -1: as the format says; 0/1: what IsPlanar reports */
    CFStringRef matrix;          /* the YCbCr matrix attachment; NULL: none */
} fake_cv_knobs;

/* A buffer of `type` with the content of test_frame_init(seed); every row padded by `row_pad`
 * bytes. Unsupported types get NV12-shaped storage. */
CVPixelBufferRef fake_cv_create(OSType type, int32_t width, int32_t height, int32_t row_pad,
                                uint32_t seed);
void fake_cv_destroy(CVPixelBufferRef buffer);
fake_cv_calls *fake_cv_calls_of(CVPixelBufferRef buffer);
fake_cv_knobs *fake_cv_knobs_of(CVPixelBufferRef buffer);
/* The pixel storage, for building reference descriptors: call fake_cv_open first (planes
 * readable and writable) and fake_cv_close after (inaccessible again). */
test_frame *fake_cv_storage(CVPixelBufferRef buffer);
void fake_cv_open(CVPixelBufferRef buffer);
void fake_cv_close(CVPixelBufferRef buffer);

/* Attachment copies handed out and CFRelease'd (process-wide); retain/release calls on
 * anything that is not a fake pixel buffer. */
int fake_cv_attachment_copies(void);
int fake_cv_attachment_releases(void);
int fake_cv_foreign_retains(void);

#endif
