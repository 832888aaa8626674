/* Low-res logits -> caller outputs, without a model: hole filling (8-connected, area bound),
 * bilinear upsampling against a double-precision reference of F.interpolate, masks, boxes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postprocess.h"

#define SIDE 16

static void fill(float *v, float value)
{
    for (int i = 0; i < SIDE * SIDE; i++) v[i] = value;
}

static void test_small_holes_are_filled(void **state)
{
    (void)state;
    float v[SIDE * SIDE];
    int32_t scratch[2 * SIDE * SIDE];
    fill(v, 3.0f);
    /* a hole of 8 pixels joined only diagonally (8-connectivity makes it one component) */
    const int hole8[][2] = {{2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {8, 8}, {9, 9}};
    for (int i = 0; i < 8; i++) v[hole8[i][0] * SIDE + hole8[i][1]] = -1.0f;
    /* a 3x3 hole: 9 pixels, above the limit */
    for (int y = 11; y < 14; y++)
        for (int x = 1; x < 4; x++) v[y * SIDE + x] = -2.0f;
    v[0] = 0.0f; /* a one-pixel hole at the border, logit exactly 0 counts as background */
    fill_holes(v, SIDE, 8, scratch);
    for (int i = 0; i < 8; i++) assert_true(v[hole8[i][0] * SIDE + hole8[i][1]] == 0.1f);
    for (int y = 11; y < 14; y++)
        for (int x = 1; x < 4; x++) assert_true(v[y * SIDE + x] == -2.0f);
    assert_true(v[0] == 0.1f);
    assert_true(v[SIDE + 1] == 3.0f); /* foreground untouched */
}

static void test_fill_disabled_and_all_background(void **state)
{
    (void)state;
    float v[SIDE * SIDE];
    int32_t scratch[2 * SIDE * SIDE];
    fill(v, -1.0f);
    fill_holes(v, SIDE, 8, scratch); /* one 256-pixel component: not a hole */
    for (int i = 0; i < SIDE * SIDE; i++) assert_true(v[i] == -1.0f);
    v[5] = -7.0f;
    fill_holes(v, SIDE, 0, scratch);
    assert_true(v[5] == -7.0f);
}

/* F.interpolate(mode="bilinear", align_corners=False) in double precision. */
static double reference_at(const float *low, int in, int out_w, int out_h, int x, int y)
{
    double sx = (double)in / out_w * (x + 0.5) - 0.5, sy = (double)in / out_h * (y + 0.5) - 0.5;
    if (sx < 0) sx = 0;
    if (sy < 0) sy = 0;
    const int x0 = (int)sx, y0 = (int)sy;
    const int x1 = x0 < in - 1 ? x0 + 1 : x0, y1 = y0 < in - 1 ? y0 + 1 : y0;
    const double ax = sx - x0, ay = sy - y0;
    return (1 - ay) * ((1 - ax) * low[y0 * in + x0] + ax * low[y0 * in + x1]) +
           ay * ((1 - ax) * low[y1 * in + x0] + ax * low[y1 * in + x1]);
}

/* Through the probability output: logits in [-2, 2], where sigmoid's slope (>= 0.105) turns the
 * 1e-5 probability bound into a logit bound below 1e-4. */
static void test_upsample_matches_reference(void **state)
{
    (void)state;
    float low[SIDE * SIDE], row[SIDE];
    srand(3);
    for (int i = 0; i < SIDE * SIDE; i++) low[i] = (float)(rand() % 401 - 200) / 100.0f;
    const int sizes[][2] = {{16, 16}, {37, 23}, {640, 360}, {7, 101}, {1, 1}};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        upsample_plan plan = {0};
        const int w = sizes[k][0], h = sizes[k][1];
        assert_int_equal(upsample_plan_update(&plan, SIDE, w, h), EDGETAM_OK);
        float *prob = malloc(sizeof(float) * (size_t)w * (size_t)h);
        edgetam_object_result r;
        memset(&r, 0, sizeof r);
        r.probability = prob;
        r.probability_stride = (size_t)w;
        write_object_result(&plan, low, row, &r);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                assert_true(fabs(prob[y * w + x] -
                                 1.0 / (1.0 + exp(-reference_at(low, SIDE, w, h, x, y)))) < 1e-5);
        free(prob);
        upsample_plan_free(&plan);
    }
}

static void test_result_mask_box_area_probability(void **state)
{
    (void)state;
    float low[SIDE * SIDE];
    fill(low, -5.0f);
    for (int y = 4; y < 8; y++)
        for (int x = 2; x < 10; x++) low[y * SIDE + x] = 5.0f;
    upsample_plan plan = {0};
    assert_int_equal(upsample_plan_update(&plan, SIDE, 64, 32), EDGETAM_OK);
    enum { W = 64, H = 32, PAD = 3 };
    uint8_t mask[H * (W + PAD)];
    float prob[H * (W + PAD)], lowcopy[SIDE * SIDE], row[SIDE];
    memset(mask, 0x77, sizeof mask);
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.mask = mask;
    r.mask_stride = W + PAD;
    r.probability = prob;
    r.probability_stride = W + PAD;
    r.low_res_logits = lowcopy;
    write_object_result(&plan, low, row, &r);
    int64_t area = 0;
    int x0 = W, y0 = H, x1 = 0, y1 = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            const double v = reference_at(low, SIDE, W, H, x, y);
            const uint8_t m = mask[y * (W + PAD) + x];
            assert_true(m == (v > 0 ? 255 : 0));
            assert_true(fabs(prob[y * (W + PAD) + x] - 1.0 / (1.0 + exp(-v))) < 1e-5);
            if (m) {
                area++;
                if (x < x0) x0 = x;
                if (y < y0) y0 = y;
                if (x + 1 > x1) x1 = x + 1;
                if (y + 1 > y1) y1 = y + 1;
            }
        }
        for (int x = W; x < W + PAD; x++) assert_int_equal(mask[y * (W + PAD) + x], 0x77);
    }
    assert_true(area > 0);
    assert_int_equal(r.area, area);
    assert_int_equal(r.box.x0, x0);
    assert_int_equal(r.box.y0, y0);
    assert_int_equal(r.box.x1, x1);
    assert_int_equal(r.box.y1, y1);
    assert_memory_equal(lowcopy, low, sizeof low);

    fill(low, -5.0f); /* an empty mask gives an empty box */
    write_object_result(&plan, low, row, &r);
    assert_int_equal(r.area, 0);
    assert_int_equal(r.box.x1, 0);
    upsample_plan_free(&plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_holes_are_filled),
        cmocka_unit_test(test_fill_disabled_and_all_background),
        cmocka_unit_test(test_upsample_matches_reference),
        cmocka_unit_test(test_result_mask_box_area_probability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
