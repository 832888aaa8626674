/* Every bad input gets a clear status, the borrow contract holds on every path (lock/unlock
 * balanced, unlock never after a failed lock, nothing read when nothing may be), and a failed call
 * leaves the converter exactly as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"
#include "test_frame.h"

enum { SIZE = 32 };

typedef struct fixture {
    edgetam_converter *conv;
    float *snapshot; /* the output of the last good conversion */
    size_t count;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->conv = test_converter_new(SIZE);
    /* a good frame first, so "state intact" means a real output survives */
    test_frame t;
    test_frame_init(&t, EDGETAM_FORMAT_BGRA, 50, 40, 0, 42);
    if (edgetam_convert_frame(f->conv, &t.frame) != EDGETAM_OK) return -1;
    test_frame_free(&t);
    const float *out = edgetam_converter_output(f->conv, &f->count);
    f->snapshot = malloc(f->count * sizeof(float));
    memcpy(f->snapshot, out, f->count * sizeof(float));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    edgetam_converter_destroy(f->conv);
    free(f->snapshot);
    free(f);
    return 0;
}

/* Runs a conversion expected to fail with `want`; checks the message, the intact output, and the
 * number of lock and unlock calls the frame saw. */
static void expect_failure(fixture *f, test_frame *t, edgetam_status want, int locks, int unlocks)
{
    edgetam_status got = edgetam_convert_frame(f->conv, &t->frame);
    if (got != want)
        fail_msg("expected %s, got %s (%s)", edgetam_status_str(want), edgetam_status_str(got),
                 edgetam_converter_last_error(f->conv));
    assert_true(strlen(edgetam_converter_last_error(f->conv)) > 0);
    assert_int_equal(t->lock_calls, locks);
    assert_int_equal(t->unlock_calls, unlocks);
    assert_false(t->locked);
    assert_memory_equal(edgetam_converter_output(f->conv, NULL), f->snapshot, f->count * sizeof(float));
}

/* Revokes the planes before the call: any read would crash the test. */
static void revoke(test_frame *t)
{
    for (int p = 0; p < t->plane_count; p++) guarded_protect(&t->buf[p], 1);
}

static void test_null_frame(void **state)
{
    fixture *f = *state;
    assert_int_equal(edgetam_convert_frame(f->conv, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_memory_equal(edgetam_converter_output(f->conv, NULL), f->snapshot, f->count * sizeof(float));
}

static void test_struct_size_mismatch(void **state)
{
    fixture *f = *state;
    static const uint32_t sizes[] = {0, sizeof(edgetam_frame) - 8, sizeof(edgetam_frame) + 8};
    for (size_t i = 0; i < 3; i++) {
        test_frame t;
        test_frame_init(&t, EDGETAM_FORMAT_BGRA, 8, 8, 0, 1);
        revoke(&t);
        t.frame.struct_size = sizes[i];
        expect_failure(f, &t, EDGETAM_ERR_ABI_MISMATCH, 0, 0);
        test_frame_free(&t);
    }
}

static void test_unknown_format_and_color(void **state)
{
    fixture *f = *state;
    static const int bad_formats[] = {0, 9, -1, 1000};
    for (size_t i = 0; i < 4; i++) {
        test_frame t;
        test_frame_init(&t, EDGETAM_FORMAT_BGRA, 8, 8, 0, 1);
        revoke(&t);
        t.frame.format = (edgetam_pixel_format)bad_formats[i];
        expect_failure(f, &t, EDGETAM_ERR_UNSUPPORTED_FORMAT, 0, 0);
        test_frame_free(&t);
    }
    test_frame t;
    test_frame_init(&t, EDGETAM_FORMAT_NV12, 8, 8, 0, 1);
    revoke(&t);
    t.frame.color_space = (edgetam_color_space)2;
    expect_failure(f, &t, EDGETAM_ERR_UNSUPPORTED_FORMAT, 0, 0);
    t.frame.color_space = EDGETAM_COLOR_SPACE_BT601;
    t.frame.color_range = (edgetam_color_range)-1;
    expect_failure(f, &t, EDGETAM_ERR_UNSUPPORTED_FORMAT, 0, 0);
    test_frame_free(&t);
}

static void test_bad_dimensions(void **state)
{
    fixture *f = *state;
    static const int32_t bad[][2] = {{0, 8}, {8, 0}, {-1, 8}, {8, -5}, {EDGETAM_MAX_FRAME_DIM + 1, 8},
                                     {8, EDGETAM_MAX_FRAME_DIM + 1}, {INT32_MAX, INT32_MAX}, {INT32_MIN, 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        test_frame t;
        test_frame_init(&t, EDGETAM_FORMAT_I420, 8, 8, 0, 1);
        revoke(&t);
        t.frame.width = bad[i][0];
        t.frame.height = bad[i][1];
        expect_failure(f, &t, EDGETAM_ERR_BAD_DIMENSIONS, 0, 0);
        test_frame_free(&t);
    }
}

static void test_unpaired_callbacks(void **state)
{
    fixture *f = *state;
    test_frame t;
    test_frame_init(&t, EDGETAM_FORMAT_GRAY8, 8, 8, 0, 1);
    revoke(&t);
    t.frame.unlock = NULL;
    expect_failure(f, &t, EDGETAM_ERR_INVALID_ARGUMENT, 0, 0);
    test_frame_free(&t);
    test_frame_init(&t, EDGETAM_FORMAT_GRAY8, 8, 8, 0, 1);
    revoke(&t);
    t.frame.lock = NULL;
    expect_failure(f, &t, EDGETAM_ERR_INVALID_ARGUMENT, 0, 0);
    test_frame_free(&t);
}

/* A failed lock: no unlock, and not a byte read (the planes are revoked). */
static void test_lock_failure(void **state)
{
    fixture *f = *state;
    for (int format = EDGETAM_FORMAT_BGRA; format <= EDGETAM_FORMAT_I420; format++) {
        test_frame t;
        test_frame_init(&t, (edgetam_pixel_format)format, 64, 48, 0, 1);
        revoke(&t);
        t.fail_lock = 1;
        expect_failure(f, &t, EDGETAM_ERR_LOCK_FAILED, 1, 0);
        test_frame_free(&t);
    }
}

/* Plane problems are found after lock (the lock may supply the planes): unlock is still called. */
static void test_null_planes(void **state)
{
    fixture *f = *state;
    static const struct { edgetam_pixel_format format; int plane; } cases[] = {
        {EDGETAM_FORMAT_BGRA, 0}, {EDGETAM_FORMAT_NV12, 0}, {EDGETAM_FORMAT_NV12, 1},
        {EDGETAM_FORMAT_I420, 1}, {EDGETAM_FORMAT_I420, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_frame t;
        test_frame_init(&t, cases[i].format, 16, 16, 0, 1);
        revoke(&t);
        t.frame.planes.data[cases[i].plane] = NULL;
        expect_failure(f, &t, EDGETAM_ERR_BAD_PLANE, 1, 1);
        test_frame_free(&t);
    }
    /* no callbacks at all: the same check, nothing to balance */
    test_frame t;
    test_frame_init(&t, EDGETAM_FORMAT_RGB24, 16, 16, 0, 1);
    t.frame.lock = NULL;
    t.frame.unlock = NULL;
    t.frame.planes.data[0] = NULL;
    expect_failure(f, &t, EDGETAM_ERR_BAD_PLANE, 0, 0);
    test_frame_free(&t);
}

static void test_short_and_negative_strides(void **state)
{
    fixture *f = *state;
    static const struct { edgetam_pixel_format format; int plane; int32_t stride; } cases[] = {
        {EDGETAM_FORMAT_BGRA, 0, 17 * 4 - 1}, {EDGETAM_FORMAT_BGRA, 0, 0},     {EDGETAM_FORMAT_RGB24, 0, -51},
        {EDGETAM_FORMAT_GRAY8, 0, 16},        {EDGETAM_FORMAT_NV12, 1, 17},    {EDGETAM_FORMAT_NV21, 0, 1},
        {EDGETAM_FORMAT_I420, 2, 8},          {EDGETAM_FORMAT_I420, 1, INT32_MIN}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        test_frame t;
        test_frame_init(&t, cases[i].format, 17, 9, 0, 1); /* odd: chroma rows are 9 samples */
        revoke(&t);
        t.frame.planes.stride[cases[i].plane] = cases[i].stride;
        expect_failure(f, &t, EDGETAM_ERR_BAD_STRIDE, 1, 1);
        test_frame_free(&t);
    }
}

/* A stride that makes data + stride * (height - 1) wrap around the address space. */
static void test_span_overflow(void **state)
{
    fixture *f = *state;
    test_frame t;
    test_frame_init(&t, EDGETAM_FORMAT_BGRA, 64, 64, 0, 1);
    revoke(&t);
    t.frame.width = 4096;
    t.frame.height = EDGETAM_MAX_FRAME_DIM;
    t.frame.planes.data[0] = (const uint8_t *)(UINTPTR_MAX - 4095);
    t.frame.planes.stride[0] = INT32_MAX;
    expect_failure(f, &t, EDGETAM_ERR_BAD_STRIDE, 1, 1);
    test_frame_free(&t);
}

/* After all of the above, the converter still works and gives what a fresh one gives. */
static void test_still_usable(void **state)
{
    fixture *f = *state;
    edgetam_converter *fresh = test_converter_new(SIZE);
    test_frame a, b;
    test_frame_init(&a, EDGETAM_FORMAT_NV21, 33, 21, 3, 9);
    test_frame_init(&b, EDGETAM_FORMAT_NV21, 33, 21, 3, 9);
    assert_int_equal(edgetam_convert_frame(f->conv, &a.frame), EDGETAM_OK);
    assert_string_equal(edgetam_converter_last_error(f->conv), "");
    assert_int_equal(edgetam_convert_frame(fresh, &b.frame), EDGETAM_OK);
    assert_memory_equal(edgetam_converter_output(f->conv, NULL), edgetam_converter_output(fresh, NULL),
                        f->count * sizeof(float));
    test_frame_free(&a);
    test_frame_free(&b);
    edgetam_converter_destroy(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_frame),
        cmocka_unit_test(test_struct_size_mismatch),
        cmocka_unit_test(test_unknown_format_and_color),
        cmocka_unit_test(test_bad_dimensions),
        cmocka_unit_test(test_unpaired_callbacks),
        cmocka_unit_test(test_lock_failure),
        cmocka_unit_test(test_null_planes),
        cmocka_unit_test(test_short_and_negative_strides),
        cmocka_unit_test(test_span_overflow),
        cmocka_unit_test(test_still_usable),
    };
    return cmocka_run_group_tests_name("frame_errors", tests, setup, teardown);
}
