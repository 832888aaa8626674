/* Version, status strings, defaults and the converter's lifetime rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"

static void test_version(void **state)
{
    (void)state;
    assert_int_equal(edgetam_version_number(), EDGETAM_VERSION_NUMBER);
    assert_int_equal(EDGETAM_VERSION_NUMBER, EDGETAM_VERSION_MAJOR * 10000 + EDGETAM_VERSION_MINOR * 100 +
                                                 EDGETAM_VERSION_PATCH);
    assert_string_equal(edgetam_version_string(), "0.1.0");
}

static void test_status_strings(void **state)
{
    (void)state;
    static const struct { edgetam_status s; int value; const char *name; } all[] = {
        {EDGETAM_OK, 0, "EDGETAM_OK"},
        {EDGETAM_ERR_INVALID_ARGUMENT, -1, "EDGETAM_ERR_INVALID_ARGUMENT"},
        {EDGETAM_ERR_UNSUPPORTED_FORMAT, -2, "EDGETAM_ERR_UNSUPPORTED_FORMAT"},
        {EDGETAM_ERR_BAD_DIMENSIONS, -3, "EDGETAM_ERR_BAD_DIMENSIONS"},
        {EDGETAM_ERR_BAD_STRIDE, -4, "EDGETAM_ERR_BAD_STRIDE"},
        {EDGETAM_ERR_BAD_PLANE, -5, "EDGETAM_ERR_BAD_PLANE"},
        {EDGETAM_ERR_LOCK_FAILED, -6, "EDGETAM_ERR_LOCK_FAILED"},
        {EDGETAM_ERR_OUT_OF_MEMORY, -7, "EDGETAM_ERR_OUT_OF_MEMORY"},
        {EDGETAM_ERR_ABI_MISMATCH, -8, "EDGETAM_ERR_ABI_MISMATCH"},
        {EDGETAM_ERR_MODEL_LOAD, -9, "EDGETAM_ERR_MODEL_LOAD"},
        {EDGETAM_ERR_BAD_BUNDLE, -10, "EDGETAM_ERR_BAD_BUNDLE"},
        {EDGETAM_ERR_INFERENCE, -11, "EDGETAM_ERR_INFERENCE"},
        {EDGETAM_ERR_BAD_PROMPT, -12, "EDGETAM_ERR_BAD_PROMPT"},
        {EDGETAM_ERR_UNKNOWN_OBJECT, -13, "EDGETAM_ERR_UNKNOWN_OBJECT"},
        {EDGETAM_ERR_NO_FRAME, -14, "EDGETAM_ERR_NO_FRAME"},
        {EDGETAM_ERR_TOO_MANY_OBJECTS, -15, "EDGETAM_ERR_TOO_MANY_OBJECTS"},
        {EDGETAM_ERR_BUFFER_TOO_SMALL, -16, "EDGETAM_ERR_BUFFER_TOO_SMALL"},
        {EDGETAM_ERR_BAD_TIMESTAMP, -17, "EDGETAM_ERR_BAD_TIMESTAMP"},
        {EDGETAM_ERR_QUEUE_FULL, -18, "EDGETAM_ERR_QUEUE_FULL"},
        {EDGETAM_DROPPED, 1, "EDGETAM_DROPPED"},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_int_equal((int)all[i].s, all[i].value); /* pinned ABI values */
        const char *str = edgetam_status_str(all[i].s);
        assert_non_null(str);
        /* the name followed by a description */
        assert_int_equal(strncmp(str, all[i].name, strlen(all[i].name)), 0);
        assert_int_equal(str[strlen(all[i].name)], ':');
    }
    assert_string_equal(edgetam_status_str((edgetam_status)12345), "unknown edgetam_status");
    assert_string_equal(edgetam_status_str((edgetam_status)-19), "unknown edgetam_status");
    assert_string_equal(edgetam_status_str((edgetam_status)2), "unknown edgetam_status");
}

static void test_defaults(void **state)
{
    (void)state;
    edgetam_frame f = edgetam_frame_default();
    assert_int_equal(f.struct_size, sizeof(edgetam_frame));
    assert_int_equal(f.color_space, EDGETAM_COLOR_SPACE_BT601);
    assert_int_equal(f.color_range, EDGETAM_COLOR_RANGE_VIDEO);
    assert_null(f.lock);
    assert_null(f.unlock);
    assert_null(f.planes.data[0]);
    edgetam_converter_params p = edgetam_converter_default_params();
    assert_int_equal(p.struct_size, sizeof(edgetam_converter_params));
    assert_int_equal(p.input_size, 1024);
}

static void test_create_rejects_bad_params(void **state)
{
    (void)state;
    edgetam_converter *c = (edgetam_converter *)(uintptr_t)1; /* must be overwritten with NULL */
    edgetam_converter_params p = edgetam_converter_default_params();
    assert_int_equal(edgetam_converter_create(&p, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_converter_create(NULL, &c), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_null(c);
    static const int32_t bad_sizes[] = {0, -1, 15, 4097, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        p.input_size = bad_sizes[i];
        c = (edgetam_converter *)(uintptr_t)1;
        assert_int_equal(edgetam_converter_create(&p, &c), EDGETAM_ERR_INVALID_ARGUMENT);
        assert_null(c);
    }
    p = edgetam_converter_default_params();
    p.struct_size = sizeof p - 4;
    assert_int_equal(edgetam_converter_create(&p, &c), EDGETAM_ERR_ABI_MISMATCH);
    assert_null(c);
}

static void test_lifetime(void **state)
{
    (void)state;
    edgetam_converter_destroy(NULL); /* no-op */
    edgetam_converter_params p = edgetam_converter_default_params();
    p.input_size = 16;
    edgetam_converter *c = NULL;
    assert_int_equal(edgetam_converter_create(&p, &c), EDGETAM_OK);
    assert_non_null(c);
    assert_int_equal(edgetam_converter_input_size(c), 16);
    assert_string_equal(edgetam_converter_last_error(c), "");
    size_t n = 0;
    const float *out = edgetam_converter_output(c, &n);
    assert_int_equal(n, 3 * 16 * 16);
    for (size_t i = 0; i < n; i++) assert_true(out[i] == 0.0f); /* zeros before the first frame */
    edgetam_converter_destroy(c);
}

static void test_null_converter(void **state)
{
    (void)state;
    size_t n = 99;
    assert_null(edgetam_converter_output(NULL, &n));
    assert_int_equal(n, 0);
    assert_int_equal(edgetam_converter_input_size(NULL), 0);
    assert_non_null(edgetam_converter_last_error(NULL));
    edgetam_frame f = edgetam_frame_default();
    assert_int_equal(edgetam_convert_frame(NULL, &f), EDGETAM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),           cmocka_unit_test(test_status_strings),
        cmocka_unit_test(test_defaults),          cmocka_unit_test(test_create_rejects_bad_params),
        cmocka_unit_test(test_lifetime),          cmocka_unit_test(test_null_converter),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
