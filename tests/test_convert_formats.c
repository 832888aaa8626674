/* Every pixel format against the scalar reference, with libyuv-style variants (odd sizes, unaligned
 * planes, padded strides, buffers ending at a page boundary and revoked at unlock), the AVX2 or NEON
 * kernels against the portable ones bit for bit, and no allocation per frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "alloc.h"
#include "converter_internal.h"
#include "reference.h"
#include "test_frame.h"

/* Measured bounds, in 8-bit levels of the R,G,B result (1 level = 1/255 before normalisation).
 * The library uses Q14 weights where the reference uses doubles, so a rounding boundary may fall on
 * the other side in either resampling pass: a plane sample is off by at most 2 levels, rarely
 * (measured on this noisy content: RGB/gray max 2, mean <= 0.0049).
 * YUV: the same flips in Y, U or V, amplified by the matrix (up to 1.164 + 2.112 per level);
 * measured max 4.03, mean <= 0.0113 (4K NV12 -> 1024; <= 0.0081 up to 1080p).
 * (libyuv's fixed-point YUV->RGB measured max 15, mean 0.97.) */
#define RGB_MAX_LEVELS 2.0
#define RGB_MEAN_LEVELS 0.006
#define YUV_MAX_LEVELS 4.5
#define YUV_MEAN_LEVELS 0.013

static const edgetam_pixel_format k_formats[] = {EDGETAM_FORMAT_BGRA,  EDGETAM_FORMAT_RGBA, EDGETAM_FORMAT_BGR24,
                                                 EDGETAM_FORMAT_RGB24, EDGETAM_FORMAT_GRAY8, EDGETAM_FORMAT_NV12,
                                                 EDGETAM_FORMAT_NV21,  EDGETAM_FORMAT_I420};
#define FORMAT_COUNT (sizeof k_formats / sizeof k_formats[0])

static int is_yuv(edgetam_pixel_format f)
{
    return f == EDGETAM_FORMAT_NV12 || f == EDGETAM_FORMAT_NV21 || f == EDGETAM_FORMAT_I420;
}

/* Converts t with conv (checking the borrow contract), then compares with the reference. */
static void check_against_reference(edgetam_converter *conv, test_frame *t, const char *label)
{
    const int32_t size = edgetam_converter_input_size(conv);
    int locks = t->lock_calls, unlocks = t->unlock_calls;
    edgetam_status st = edgetam_convert_frame(conv, &t->frame);
    if (st != EDGETAM_OK) fail_msg("%s: %s (%s)", label, edgetam_status_str(st), edgetam_converter_last_error(conv));
    assert_int_equal(t->lock_calls, locks + 1);
    assert_int_equal(t->unlock_calls, unlocks + 1);
    assert_false(t->locked);

    test_frame_restore(t); /* the library is done with it; now the test may read it */
    size_t n = 0;
    const float *out = edgetam_converter_output(conv, &n);
    assert_int_equal(n, (size_t)3 * size * size);
    float *ref = malloc(n * sizeof *ref);
    edgetam_frame readable = t->frame;
    for (int p = 0; p < t->plane_count; p++) readable.planes.data[p] = t->buf[p].data;
    reference_convert(&readable, size, ref);
    double max_diff = 0, sum_diff = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (int)(i / ((size_t)size * size));
        double d = fabs(reference_level(out[i], c) - reference_level(ref[i], c));
        sum_diff += d;
        if (d > max_diff) max_diff = d;
    }
    free(ref);
    double mean_diff = sum_diff / n;
    int yuv = is_yuv(t->frame.format);
    print_message("%-34s max %.3f mean %.4f levels\n", label, max_diff, mean_diff);
    assert_true(max_diff <= (yuv ? YUV_MAX_LEVELS : RGB_MAX_LEVELS) + 1e-3);
    assert_true(mean_diff <= (yuv ? YUV_MEAN_LEVELS : RGB_MEAN_LEVELS));
}

typedef struct variant {
    int32_t width, height, stride_pad, size;
} variant;

/* downscale with odd sizes, upscale with odd sizes and padding, 4:3 camera-like with padding */
static const variant k_variants[] = {{333, 217, 0, 128}, {37, 29, 5, 64}, {640, 480, 13, 256}, {1, 1, 0, 16}};

static void test_all_formats_match_reference(void **state)
{
    (void)state;
    int unaligned_planes = 0; /* guarded buffers end at a page, so most start unaligned: check it */
    for (size_t v = 0; v < sizeof k_variants / sizeof k_variants[0]; v++) {
        const variant *var = &k_variants[v];
        edgetam_converter *conv = test_converter_new(var->size);
        for (size_t f = 0; f < FORMAT_COUNT; f++) {
            test_frame t;
            test_frame_init(&t, k_formats[f], var->width, var->height, var->stride_pad, (uint32_t)(v * 31 + f));
            for (int p = 0; p < t.plane_count; p++) unaligned_planes += ((uintptr_t)t.buf[p].data & 15) != 0;
            char label[96];
            snprintf(label, sizeof label, "format %d %dx%d pad %d -> %d", (int)k_formats[f], var->width,
                     var->height, var->stride_pad, var->size);
            check_against_reference(conv, &t, label);
            test_frame_free(&t);
        }
        edgetam_converter_destroy(conv);
    }
    print_message("%d planes were not 16-byte aligned\n", unaligned_planes);
    assert_true(unaligned_planes >= 8);
}

static void test_yuv_color_spaces_and_ranges(void **state)
{
    (void)state;
    edgetam_converter *conv = test_converter_new(96);
    for (int space = 0; space < 2; space++)
        for (int range = 0; range < 2; range++) {
            test_frame t;
            test_frame_init(&t, EDGETAM_FORMAT_NV12, 161, 97, 3, (uint32_t)(space * 2 + range));
            t.frame.color_space = (edgetam_color_space)space;
            t.frame.color_range = (edgetam_color_range)range;
            char label[64];
            snprintf(label, sizeof label, "nv12 space %d range %d", space, range);
            check_against_reference(conv, &t, label);
            test_frame_free(&t);
        }
    edgetam_converter_destroy(conv);
}

/* The model sizes: 512, 768 and EdgeTAM's 1024, from camera-sized frames. */
static void test_model_input_sizes(void **state)
{
    (void)state;
    static const struct { edgetam_pixel_format f; int32_t w, h, size; } cases[] = {
        {EDGETAM_FORMAT_BGRA, 1280, 720, 512}, {EDGETAM_FORMAT_I420, 1280, 720, 768},
        {EDGETAM_FORMAT_NV12, 1920, 1080, 1024}, {EDGETAM_FORMAT_BGRA, 1920, 1080, 1024},
        {EDGETAM_FORMAT_NV12, 3840, 2160, 1024}}; /* 4K: past the block kernel's reach (3.75x) */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        edgetam_converter *conv = test_converter_new(cases[i].size);
        test_frame t;
        test_frame_init(&t, cases[i].f, cases[i].w, cases[i].h, 64, (uint32_t)i);
        char label[64];
        snprintf(label, sizeof label, "format %d %dx%d -> %d", (int)cases[i].f, cases[i].w, cases[i].h,
                 cases[i].size);
        check_against_reference(conv, &t, label);
        test_frame_free(&t);
        edgetam_converter_destroy(conv);
    }
}

/* CVPixelBuffer style: plane addresses exist only once locked. */
static void test_planes_supplied_by_lock(void **state)
{
    (void)state;
    edgetam_converter *conv = test_converter_new(64);
    test_frame t;
    test_frame_init(&t, EDGETAM_FORMAT_NV12, 120, 90, 8, 7);
    t.planes_from_lock = 1;
    t.frame.planes.data[0] = t.frame.planes.data[1] = NULL;
    check_against_reference(conv, &t, "nv12 planes from lock");
    test_frame_free(&t);
    edgetam_converter_destroy(conv);
}

/* Every SIMD kernel set the CPU has must give exactly the portable kernels' bytes, including on
 * the last row, whose end is the buffer's end (a guard page follows). */
static void test_simd_matches_scalar_bit_for_bit(void **state)
{
    (void)state;
    static const variant sizes[] = {{1920, 1080, 0, 1024}, {333, 217, 7, 128}, {37, 29, 0, 64}, {250, 250, 1, 96}};
    for (size_t v = 0; v < sizeof sizes / sizeof sizes[0]; v++) {
        edgetam_converter *conv = test_converter_new(sizes[v].size);
        const simd_level best = conv->simd;
        if (best == SIMD_NONE) {
#ifdef __aarch64__
            fail_msg("AArch64 always has NEON, but the converter chose the portable kernels");
#endif
            edgetam_converter_destroy(conv);
            skip(); /* an x86-64 CPU without AVX2 has only the portable path */
        }
        size_t n = (size_t)3 * sizes[v].size * sizes[v].size;
        float *scalar = malloc(n * sizeof *scalar);
        for (size_t f = 0; f < FORMAT_COUNT; f++) {
            test_frame t;
            test_frame_init(&t, k_formats[f], sizes[v].width, sizes[v].height, sizes[v].stride_pad, (uint32_t)f);
            conv->simd = SIMD_NONE;
            assert_int_equal(edgetam_convert_frame(conv, &t.frame), EDGETAM_OK);
            memcpy(scalar, edgetam_converter_output(conv, NULL), n * sizeof *scalar);
            for (int level = SIMD_NONE + 1; level <= (int)best; level++) {
                test_frame_restore(&t);
                conv->simd = (simd_level)level;
                assert_int_equal(edgetam_convert_frame(conv, &t.frame), EDGETAM_OK);
                if (memcmp(scalar, edgetam_converter_output(conv, NULL), n * sizeof *scalar) != 0)
                    fail_msg("format %d %dx%d -> %d: SIMD level %d and scalar outputs differ", (int)k_formats[f],
                             sizes[v].width, sizes[v].height, sizes[v].size, level);
            }
            test_frame_free(&t);
        }
        print_message("%dx%d -> %d: SIMD levels 1..%d equal the scalar path\n", sizes[v].width, sizes[v].height,
                      sizes[v].size, (int)best);
        free(scalar);
        edgetam_converter_destroy(conv);
    }
}

/* Random geometries, including inputs narrower than the filter window (where the kernels must stay
 * inside the buffer on their own), against the reference and across kernel sets. */
static void test_random_geometries(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    double worst_rgb = 0, worst_yuv = 0;
    for (int i = 0; i < 150; i++) {
        seed = seed * 1103515245u + 12345u;
        edgetam_pixel_format format = k_formats[(seed >> 8) % FORMAT_COUNT];
        int32_t w = 1 + (int32_t)((seed >> 12) % 300), h = 1 + (int32_t)((seed >> 3) % 200);
        seed = seed * 1103515245u + 12345u;
        int32_t pad = (int32_t)((seed >> 10) % 41), size = 16 + (int32_t)((seed >> 16) % 181);
        edgetam_converter *conv = test_converter_new(size);
        const simd_level best = conv->simd;
        test_frame t;
        test_frame_init(&t, format, w, h, pad, seed);
        size_t n = (size_t)3 * size * size;
        float *first = malloc(n * sizeof *first), *ref = malloc(n * sizeof *ref);
        for (int level = (int)best; level >= SIMD_NONE; level--) {
            test_frame_restore(&t);
            conv->simd = (simd_level)level;
            edgetam_status st = edgetam_convert_frame(conv, &t.frame);
            if (st != EDGETAM_OK) fail_msg("format %d %dx%d pad %d -> %d: %s", (int)format, w, h, pad, size,
                                           edgetam_converter_last_error(conv));
            if (level == (int)best) memcpy(first, edgetam_converter_output(conv, NULL), n * sizeof *first);
            else if (memcmp(first, edgetam_converter_output(conv, NULL), n * sizeof *first) != 0)
                fail_msg("format %d %dx%d pad %d -> %d: kernel sets disagree", (int)format, w, h, pad, size);
        }
        test_frame_restore(&t);
        edgetam_frame readable = t.frame;
        reference_convert(&readable, size, ref);
        double max_diff = 0;
        for (size_t k = 0; k < n; k++) {
            int c = (int)(k / ((size_t)size * size));
            double d = fabs(reference_level(first[k], c) - reference_level(ref[k], c));
            if (d > max_diff) max_diff = d;
        }
        if (is_yuv(format) && max_diff > worst_yuv) worst_yuv = max_diff;
        if (!is_yuv(format) && max_diff > worst_rgb) worst_rgb = max_diff;
        if (max_diff > (is_yuv(format) ? YUV_MAX_LEVELS : RGB_MAX_LEVELS) + 1e-3)
            fail_msg("format %d %dx%d pad %d -> %d: %.3f levels from the reference", (int)format, w, h, pad, size,
                     max_diff);
        free(first);
        free(ref);
        test_frame_free(&t);
        edgetam_converter_destroy(conv);
    }
    print_message("150 random geometries: worst RGB/gray %.3f, YUV %.3f levels\n", worst_rgb, worst_yuv);
}

/* A flat frame must come out exactly flat, however extreme the ratio: the weights of every output
 * sum to exactly 1.0 and both passes sum exactly before rounding once. */
static void test_flat_frames_stay_flat(void **state)
{
    (void)state;
    static const struct { edgetam_pixel_format f; int32_t w, h, size; } cases[] = {
        {EDGETAM_FORMAT_GRAY8, 64, 16384, 16}, {EDGETAM_FORMAT_GRAY8, 16384, 64, 16},
        {EDGETAM_FORMAT_BGRA, 4096, 4096, 16},  {EDGETAM_FORMAT_NV12, 16384, 128, 32},
        {EDGETAM_FORMAT_RGB24, 7, 5, 4096}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        edgetam_converter *conv = test_converter_new(cases[i].size);
        const simd_level best = conv->simd;
        test_frame t;
        test_frame_init(&t, cases[i].f, cases[i].w, cases[i].h, 0, 1);
        t.revoke_on_unlock = 0;
        const uint8_t level[3] = {200, 100, 50}; /* per byte of a pixel; YUV planes: Y 200, U 100, V 50 */
        for (int p = 0; p < t.plane_count; p++)
            for (size_t k = 0; k < t.buf[p].size; k++)
                t.buf[p].data[k] = level[p ? p : (int)(k % t.bytes_per_pixel[0]) % 3];
        float *expected = malloc(sizeof(float) * 3 * cases[i].size * cases[i].size);
        edgetam_frame one_pixel = t.frame; /* the same colour as a 1x1 frame: no resampling at all */
        one_pixel.width = one_pixel.height = 1;
        reference_convert(&one_pixel, 1, expected);
        for (int lvl = (int)best; lvl >= SIMD_NONE; lvl--) {
            conv->simd = (simd_level)lvl;
            assert_int_equal(edgetam_convert_frame(conv, &t.frame), EDGETAM_OK);
            size_t n;
            const float *out = edgetam_converter_output(conv, &n);
            for (size_t k = 0; k < n; k++) {
                int c = (int)(k / (n / 3));
                if (fabs(reference_level(out[k], c) - reference_level(expected[c], c)) > 1e-3)
                    fail_msg("format %d %dx%d -> %d, kernels %d: sample %zu is %.3f, flat value %.3f", (int)cases[i].f,
                             cases[i].w, cases[i].h, cases[i].size, lvl, k, reference_level(out[k], c),
                             reference_level(expected[c], c));
            }
        }
        free(expected);
        test_frame_free(&t);
        edgetam_converter_destroy(conv);
    }
}

static void test_no_allocation_per_frame(void **state)
{
    (void)state;
    edgetam_converter *conv = test_converter_new(256);
    test_frame a, b;
    test_frame_init(&a, EDGETAM_FORMAT_NV12, 640, 360, 0, 1);
    test_frame_init(&b, EDGETAM_FORMAT_BGRA, 320, 240, 0, 2);
    a.revoke_on_unlock = b.revoke_on_unlock = 0;
    assert_int_equal(edgetam_convert_frame(conv, &a.frame), EDGETAM_OK);
    uint64_t before = edgetam_allocation_count();
    for (int i = 0; i < 20; i++) assert_int_equal(edgetam_convert_frame(conv, &a.frame), EDGETAM_OK);
    assert_int_equal(edgetam_allocation_count(), before);
    /* a new geometry plans once, then is steady again */
    assert_int_equal(edgetam_convert_frame(conv, &b.frame), EDGETAM_OK);
    uint64_t after_switch = edgetam_allocation_count();
    assert_true(after_switch > before);
    for (int i = 0; i < 5; i++) assert_int_equal(edgetam_convert_frame(conv, &b.frame), EDGETAM_OK);
    assert_int_equal(edgetam_allocation_count(), after_switch);
    test_frame_free(&a);
    test_frame_free(&b);
    edgetam_converter_destroy(conv);
}

/* Switching geometry back and forth gives the same bytes as a fresh converter. */
static void test_geometry_switch_is_clean(void **state)
{
    (void)state;
    edgetam_converter *shared = test_converter_new(64), *fresh = test_converter_new(64);
    test_frame a, b;
    test_frame_init(&a, EDGETAM_FORMAT_I420, 101, 77, 0, 3);
    test_frame_init(&b, EDGETAM_FORMAT_RGB24, 55, 140, 2, 4);
    a.revoke_on_unlock = b.revoke_on_unlock = 0;
    assert_int_equal(edgetam_convert_frame(shared, &a.frame), EDGETAM_OK);
    assert_int_equal(edgetam_convert_frame(shared, &b.frame), EDGETAM_OK);
    assert_int_equal(edgetam_convert_frame(shared, &a.frame), EDGETAM_OK);
    assert_int_equal(edgetam_convert_frame(fresh, &a.frame), EDGETAM_OK);
    size_t n;
    const float *x = edgetam_converter_output(shared, &n), *y = edgetam_converter_output(fresh, NULL);
    assert_memory_equal(x, y, n * sizeof *x);
    test_frame_free(&a);
    test_frame_free(&b);
    edgetam_converter_destroy(shared);
    edgetam_converter_destroy(fresh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_formats_match_reference),
        cmocka_unit_test(test_yuv_color_spaces_and_ranges),
        cmocka_unit_test(test_model_input_sizes),
        cmocka_unit_test(test_planes_supplied_by_lock),
        cmocka_unit_test(test_simd_matches_scalar_bit_for_bit),
        cmocka_unit_test(test_random_geometries),
        cmocka_unit_test(test_flat_frames_stay_flat),
        cmocka_unit_test(test_no_allocation_per_frame),
        cmocka_unit_test(test_geometry_switch_is_clean),
    };
    return cmocka_run_group_tests_name("convert_formats", tests, NULL, NULL);
}
