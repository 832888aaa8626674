/* The converter against the official preprocessing on real photos: PIL's Image.resize((S, S)) as the
 * EdgeTAM / SAM 2 video predictor does it (files written by pil_reference.py).
 * Usage: test_pil_parity DIR CASE [CASE ...] where DIR/CASE.* are pil_reference.py's files. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"
#include "guarded_buffer.h"
#include "reference.h"
#include "test_frame.h"

/* Measured (levels of 8-bit RGB, over all 4.2 M samples of the three photos):
 *   RGB24 / BGRA vs PIL: max 1, mean 0.0004 - only Q14 (ours) vs Q22 (PIL) weights, which moves a
 *   sample across a rounding boundary on ~0.04 % of samples.
 *   I420 vs "decode to RGB at full size, then PIL": max 22.4, mean 0.79 - the cost of resampling
 *   chroma before the matrix (and with bicubic rather than nearest chroma upsampling); the large
 *   differences sit on sharp colour edges. Bounds leave a little room above the measurements. */
#define RGB_MAX_LEVELS 1.0
#define RGB_MEAN_LEVELS 0.0006
#define YUV_MAX_LEVELS 25.0
#define YUV_MEAN_LEVELS 0.85

static const char *g_dir;
static char **g_cases;
static int g_case_count;

/* Reads "W H\n" + payload; returns malloc'd payload (payload_bytes set) or fails the test. */
static uint8_t *read_file(const char *name, const char *suffix, int *w, int *h, size_t *payload_bytes)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s%s", g_dir, name, suffix);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (run pil_reference.py first)", path);
    if (fscanf(f, "%d %d", w, h) != 2 || fgetc(f) != '\n') fail_msg("bad header in %s", path);
    long start = ftell(f);
    fseek(f, 0, SEEK_END);
    *payload_bytes = (size_t)(ftell(f) - start);
    fseek(f, start, SEEK_SET);
    uint8_t *data = malloc(*payload_bytes);
    if (fread(data, 1, *payload_bytes, f) != *payload_bytes) fail_msg("short read in %s", path);
    fclose(f);
    return data;
}

typedef struct diff_stats {
    double max, sum;
    size_t count;
} diff_stats;

/* Compares the converter's output with an interleaved S x S RGB image. */
static void accumulate(const edgetam_converter *conv, const uint8_t *rgb, diff_stats *d)
{
    size_t n;
    const float *out = edgetam_converter_output(conv, &n);
    const size_t plane = n / 3;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++) {
            double diff = fabs(reference_level(out[c * plane + i], c) - rgb[i * 3 + c]);
            d->sum += diff;
            d->count++;
            if (diff > d->max) d->max = diff;
        }
}

/* One photo of pil_reference.py's output: the frame data, the expected S x S RGB image, and a
 * converter for S. */
typedef struct photo_case {
    uint8_t *src, *expected;
    int width, height;
    size_t src_bytes;
    edgetam_converter *conv;
} photo_case;

static photo_case open_case(const char *name, const char *src_suffix, const char *expected_suffix)
{
    photo_case c;
    int s, s2;
    size_t expected_bytes;
    c.src = read_file(name, src_suffix, &c.width, &c.height, &c.src_bytes);
    c.expected = read_file(name, expected_suffix, &s, &s2, &expected_bytes);
    c.conv = test_converter_new(s);
    return c;
}

static void close_case(photo_case *c)
{
    free(c->src);
    free(c->expected);
    edgetam_converter_destroy(c->conv);
}

/* Hands `frame` over in page-end guarded copies of its planes, so an over-read would crash. */
static void convert_guarded(edgetam_converter *conv, edgetam_frame frame, const size_t plane_bytes[3])
{
    guarded_buffer b[3] = {{0}};
    for (int p = 0; p < 3 && plane_bytes[p]; p++) {
        b[p] = guarded_alloc(plane_bytes[p]);
        memcpy(b[p].data, frame.planes.data[p], plane_bytes[p]);
        frame.planes.data[p] = b[p].data;
    }
    edgetam_status st = edgetam_convert_frame(conv, &frame);
    if (st != EDGETAM_OK) fail_msg("%s: %s", edgetam_status_str(st), edgetam_converter_last_error(conv));
    for (int p = 0; p < 3; p++) guarded_free(&b[p]);
}

static void test_rgb_matches_pil(void **state)
{
    (void)state;
    diff_stats rgb24 = {0, 0, 0}, bgra = {0, 0, 0};
    for (int i = 0; i < g_case_count; i++) {
        photo_case pc = open_case(g_cases[i], ".src.rgb", ".pil.rgb");
        const uint8_t *src = pc.src;
        const int w = pc.width, h = pc.height;
        edgetam_frame f = edgetam_frame_default();
        f.format = EDGETAM_FORMAT_RGB24;
        f.width = w;
        f.height = h;
        f.planes.data[0] = src;
        f.planes.stride[0] = w * 3;
        size_t bytes[3] = {pc.src_bytes, 0, 0};
        convert_guarded(pc.conv, f, bytes);
        accumulate(pc.conv, pc.expected, &rgb24);

        /* the same photo as iOS 32BGRA */
        uint8_t *b = malloc((size_t)w * h * 4);
        for (size_t p = 0; p < (size_t)w * h; p++) {
            b[p * 4 + 0] = src[p * 3 + 2];
            b[p * 4 + 1] = src[p * 3 + 1];
            b[p * 4 + 2] = src[p * 3 + 0];
            b[p * 4 + 3] = 255;
        }
        f.format = EDGETAM_FORMAT_BGRA;
        f.planes.data[0] = b;
        f.planes.stride[0] = w * 4;
        bytes[0] = (size_t)w * h * 4;
        convert_guarded(pc.conv, f, bytes);
        accumulate(pc.conv, pc.expected, &bgra);
        free(b);
        close_case(&pc);
    }
    print_message("RGB24 vs PIL: max %.3f mean %.5f levels over %zu samples\n", rgb24.max, rgb24.sum / rgb24.count,
                  rgb24.count);
    print_message("BGRA  vs PIL: max %.3f mean %.5f levels\n", bgra.max, bgra.sum / bgra.count);
    assert_true(rgb24.max <= RGB_MAX_LEVELS + 1e-3 && bgra.max <= RGB_MAX_LEVELS + 1e-3);
    assert_true(rgb24.sum / rgb24.count <= RGB_MEAN_LEVELS && bgra.sum / bgra.count <= RGB_MEAN_LEVELS);
}

static void test_i420_close_to_official_order(void **state)
{
    (void)state;
    diff_stats d = {0, 0, 0};
    for (int i = 0; i < g_case_count; i++) {
        photo_case pc = open_case(g_cases[i], ".i420", ".i420pil.rgb");
        const uint8_t *yuv = pc.src;
        const int w = pc.width, h = pc.height, cw = (w + 1) / 2, ch = (h + 1) / 2;
        edgetam_frame f = edgetam_frame_default();
        f.format = EDGETAM_FORMAT_I420;
        f.color_range = EDGETAM_COLOR_RANGE_FULL;
        f.width = w;
        f.height = h;
        f.planes.data[0] = yuv;
        f.planes.data[1] = yuv + (size_t)w * h;
        f.planes.data[2] = yuv + (size_t)w * h + (size_t)cw * ch;
        f.planes.stride[0] = w;
        f.planes.stride[1] = f.planes.stride[2] = cw;
        size_t bytes[3] = {(size_t)w * h, (size_t)cw * ch, (size_t)cw * ch};
        convert_guarded(pc.conv, f, bytes);
        accumulate(pc.conv, pc.expected, &d);
        close_case(&pc);
    }
    print_message("I420 vs RGB-first official path: max %.3f mean %.4f levels\n", d.max, d.sum / d.count);
    assert_true(d.max <= YUV_MAX_LEVELS);
    assert_true(d.sum / d.count <= YUV_MEAN_LEVELS);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DIR CASE [CASE ...]\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    g_cases = argv + 2;
    g_case_count = argc - 2;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rgb_matches_pil),
        cmocka_unit_test(test_i420_close_to_official_order),
    };
    return cmocka_run_group_tests_name("pil_parity", tests, NULL, NULL);
}
