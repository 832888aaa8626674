/* A borrowed frame as a test sees it: guarded planes, counting lock/unlock callbacks that revoke
 * access at unlock, and knobs for the failure paths. */
#ifndef EDGETAM_TEST_FRAME_H
#define EDGETAM_TEST_FRAME_H

#include "edgetam.h"
#include "guarded_buffer.h"

typedef struct test_frame {
    edgetam_frame frame;
    guarded_buffer buf[3];
    int plane_count;
    int32_t bytes_per_pixel[3], plane_width[3], plane_height[3];
    int lock_calls, unlock_calls, locked;
    int fail_lock;         /* lock returns non-zero */
    int revoke_on_unlock;  /* mprotect every plane PROT_NONE inside unlock (default on) */
    int planes_from_lock;  /* descriptor planes are NULL; lock supplies them (CVPixelBuffer style) */
} test_frame;

/* Allocates and fills a frame: every plane's stride is its row size + stride_pad, the last row ends
 * at a page boundary, content is a deterministic mix of gradients and noise from `seed`. */
void test_frame_init(test_frame *t, edgetam_pixel_format format, int32_t width, int32_t height, int32_t stride_pad,
                     uint32_t seed);
/* Makes the planes accessible again (after a revoking unlock) so the test can read them. */
void test_frame_restore(test_frame *t);
void test_frame_free(test_frame *t);

/* A converter for input size S; fails the running cmocka test if creation fails. */
edgetam_converter *test_converter_new(int32_t size);

/* Bytes per pixel and plane count of a format, from the header's table (independent of src/). */
int test_format_planes(edgetam_pixel_format format, int32_t bytes_per_pixel[3]);

#endif
