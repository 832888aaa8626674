/* The postprocessing shortcuts give exactly the bits of the code they replaced: hole filling that
 * searches only the foreground's box, and masks upsampled only where a low-res tap is > 0. Both are
 * compared with the earlier whole-grid / whole-frame code, kept here verbatim (from commit 053fb76),
 * on random logits with special values, odd sizes, padded strides, objects touching the borders,
 * and mask rows ending at a page boundary before a guard page. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guarded_buffer.h"
#include "postprocess.h"

/* ---- the earlier code, verbatim --------------------------------------------------------------- */

static void old_fill_holes(float *logits, int32_t side, int32_t max_area, int32_t *scratch)
{
    if (max_area <= 0) return;
    const int32_t n = side * side;
    int32_t *seen = scratch;      /* 0 = not visited */
    int32_t *queue = scratch + n; /* pixels of the component being grown */
    memset(seen, 0, (size_t)n * sizeof *seen);
    for (int32_t start = 0; start < n; start++) {
        if (seen[start] || logits[start] > 0.0f) continue;
        int32_t head = 0, tail = 0;
        queue[tail++] = start;
        seen[start] = 1;
        while (head < tail) {
            const int32_t p = queue[head++], py = p / side, px = p % side;
            for (int32_t dy = -1; dy <= 1; dy++) {
                for (int32_t dx = -1; dx <= 1; dx++) {
                    const int32_t qy = py + dy, qx = px + dx;
                    if (qy < 0 || qy >= side || qx < 0 || qx >= side) continue;
                    const int32_t q = qy * side + qx;
                    if (seen[q] || logits[q] > 0.0f) continue;
                    seen[q] = 1;
                    queue[tail++] = q;
                }
            }
        }
        if (tail <= max_area)
            for (int32_t i = 0; i < tail; i++) logits[queue[i]] = 0.1f;
    }
}

static inline float lerp(float a, float b, float w1) { return (1.0f - w1) * a + w1 * b; }

/* Row by row: blend the two source rows once (in_side values), then one lerp per output pixel.
 * Linear interpolation in either order is the same function; only the float rounding differs
 * from PyTorch's order, by a few ulp. `row` holds in_side floats. */
static void old_write_object_result(const upsample_plan *p, const float *low, float *row,
                         edgetam_object_result *r)
{
    int32_t x0 = p->out_w, y0 = p->out_h, x1 = 0, y1 = 0;
    int64_t area = 0;
    if (r->low_res_logits)
        memcpy(r->low_res_logits, low, (size_t)p->in_side * p->in_side * sizeof *low);
    const int32_t *ix0 = p->x.i0, *ix1 = p->x.i1;
    const float *wx = p->x.w1;
    for (int32_t y = 0; y < p->out_h; y++) {
        const float *r0 = low + (size_t)p->y.i0[y] * p->in_side;
        const float *r1 = low + (size_t)p->y.i1[y] * p->in_side;
        const float h1 = p->y.w1[y];
        for (int32_t i = 0; i < p->in_side; i++) row[i] = lerp(r0[i], r1[i], h1);
        uint8_t *mrow = r->mask ? r->mask + (size_t)y * r->mask_stride : NULL;
        float *prow = r->probability ? r->probability + (size_t)y * r->probability_stride : NULL;
        int32_t row_first = -1, row_last = -1, row_area = 0;
        for (int32_t x = 0; x < p->out_w; x++) {
            const float v = lerp(row[ix0[x]], row[ix1[x]], wx[x]);
            const int on = v > 0.0f;
            if (mrow) mrow[x] = on ? 255 : 0;
            if (prow) prow[x] = 1.0f / (1.0f + expf(-v));
            if (on) {
                if (row_first < 0) row_first = x;
                row_last = x;
                row_area++;
            }
        }
        if (row_first >= 0) {
            area += row_area;
            if (row_first < x0) x0 = row_first;
            if (row_last + 1 > x1) x1 = row_last + 1;
            if (y < y0) y0 = y;
            y1 = y + 1;
        }
    }
    r->area = area;
    r->box = area ? (edgetam_box){x0, y0, x1, y1} : (edgetam_box){0, 0, 0, 0};
}

/* ---- random low-res logits -------------------------------------------------------------------- */

static uint32_t rng_state;
static uint32_t rnd(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() & 0xFFFF) / 65535.0f; }

/* Background in [-8, -0.01] with a few exact zeros, -0.0, NaN and infinities; then `blobs`
 * rectangles of foreground in [-0.5, 4] (mostly > 0, with holes and near-zero values), anywhere,
 * borders included. */
static void random_logits(float *v, int32_t side, int blobs)
{
    for (int32_t i = 0; i < side * side; i++) {
        const uint32_t k = rnd() % 1000;
        v[i] = k == 0 ? 0.0f : k == 1 ? -0.0f : k == 2 ? NAN : k == 3 ? -INFINITY : uniform(-8.0f, -0.01f);
    }
    for (int b = 0; b < blobs; b++) {
        const int32_t w = 1 + (int32_t)(rnd() % (uint32_t)side), h = 1 + (int32_t)(rnd() % (uint32_t)side);
        const int32_t x0 = (int32_t)(rnd() % (uint32_t)(side - w + 1)), y0 = (int32_t)(rnd() % (uint32_t)(side - h + 1));
        for (int32_t y = y0; y < y0 + h; y++)
            for (int32_t x = x0; x < x0 + w; x++) {
                const uint32_t k = rnd() % 100;
                v[y * side + x] = k < 8 ? uniform(-3.0f, 0.0f) : k == 8 ? INFINITY : uniform(-0.5f, 4.0f);
            }
    }
}

/* ---- hole filling ----------------------------------------------------------------------------- */

static void check_fill(const float *logits, int32_t side, int32_t max_area)
{
    const size_t n = (size_t)side * side;
    float *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
    int32_t *scratch = malloc(2 * n * sizeof *scratch);
    assert_non_null(want);
    assert_non_null(got);
    assert_non_null(scratch);
    memcpy(want, logits, n * sizeof *want);
    memcpy(got, logits, n * sizeof *got);
    old_fill_holes(want, side, max_area, scratch);
    memset(scratch, 0x5A, 2 * n * sizeof *scratch); /* nothing carried over in the scratch */
    fill_holes(got, side, max_area, scratch);
    assert_memory_equal(got, want, n * sizeof *got);
    free(want);
    free(got);
    free(scratch);
}

static void test_fill_holes_matches_whole_grid(void **state)
{
    (void)state;
    const int32_t sides[] = {1, 2, 5, 16, 37, 64, 256};
    const int32_t areas[] = {1, 8, 50, 700, 70000};
    rng_state = 11;
    for (size_t s = 0; s < sizeof sides / sizeof *sides; s++) {
        const int32_t side = sides[s];
        float *v = malloc((size_t)side * side * sizeof *v);
        assert_non_null(v);
        for (int trial = 0; trial < (side > 64 ? 6 : 40); trial++) {
            random_logits(v, side, trial % 5);
            for (size_t a = 0; a < sizeof areas / sizeof *areas; a++) check_fill(v, side, areas[a]);
        }
        free(v);
    }
}

/* Boxes spanning the width or the height, whose outside pieces are just below, at and above the
 * area bound, and the all-foreground and all-background grids. */
static void test_fill_holes_small_outside_pieces(void **state)
{
    (void)state;
    enum { SIDE = 16 };
    float v[SIDE * SIDE];
    for (int orient = 0; orient < 2; orient++)
        for (int32_t top = 0; top <= 3; top++)
            for (int32_t bottom = 0; bottom <= 3; bottom++) {
                for (int32_t y = 0; y < SIDE; y++)
                    for (int32_t x = 0; x < SIDE; x++) {
                        const int32_t along = orient ? x : y;
                        const int inside = along >= top && along < SIDE - bottom;
                        /* a foreground band with a few single-pixel holes inside it */
                        v[y * SIDE + x] = inside && (x * 7 + y * 3) % 11 != 0 ? 1.0f : -1.0f;
                    }
                for (int32_t area = 1; area <= 4 * SIDE; area += 5) check_fill(v, SIDE, area);
                check_fill(v, SIDE, 16);
                check_fill(v, SIDE, 32);
                check_fill(v, SIDE, 48);
            }
    for (int32_t i = 0; i < SIDE * SIDE; i++) v[i] = 2.0f;
    check_fill(v, SIDE, 8);
    for (int32_t i = 0; i < SIDE * SIDE; i++) v[i] = -2.0f;
    check_fill(v, SIDE, 8);
    check_fill(v, SIDE, SIDE * SIDE);
}

/* ---- masks, box and area ---------------------------------------------------------------------- */

/* One result with the given outputs (mask rows of `stride` bytes, the last one ending at a guard
 * page; probabilities and low-res logits in plain buffers), filled with `fill` bytes first. */
typedef struct outputs {
    guarded_buffer mask;
    float *prob, *low;
    edgetam_object_result r;
} outputs;

static void outputs_init(outputs *o, int32_t side, int32_t w, int32_t h, size_t stride, int with_mask,
                         int with_prob)
{
    memset(o, 0, sizeof *o);
    o->r.struct_size = sizeof o->r;
    if (with_mask) {
        o->mask = guarded_alloc(stride * (size_t)(h - 1) + (size_t)w);
        memset(o->mask.data, 0xA5, o->mask.size);
        o->r.mask = o->mask.data;
        o->r.mask_stride = stride;
    }
    if (with_prob) {
        o->prob = malloc(sizeof(float) * stride * (size_t)h);
        o->low = malloc(sizeof(float) * (size_t)side * side);
        assert_non_null(o->prob);
        assert_non_null(o->low);
        memset(o->prob, 0xA5, sizeof(float) * stride * (size_t)h);
        o->r.probability = o->prob;
        o->r.probability_stride = stride;
        o->r.low_res_logits = o->low;
    }
    o->r.box = (edgetam_box){-7, -7, -7, -7};
    o->r.area = -7;
}

static void outputs_free(outputs *o)
{
    if (o->r.mask) guarded_free(&o->mask);
    free(o->prob);
    free(o->low);
}

/* Returns the area, which both gave. */
static int64_t check_result(const upsample_plan *plan, const float *low, int32_t side, int32_t w, int32_t h,
                         size_t stride, int with_mask, int with_prob)
{
    float *row = malloc(sizeof(float) * (size_t)side);
    assert_non_null(row);
    outputs want, got;
    outputs_init(&want, side, w, h, stride, with_mask, with_prob);
    outputs_init(&got, side, w, h, stride, with_mask, with_prob);
    old_write_object_result(plan, low, row, &want.r);
    for (int32_t i = 0; i < side; i++) row[i] = NAN; /* nothing carried over in the scratch row */
    write_object_result(plan, low, row, &got.r);
    if (with_mask) assert_memory_equal(got.mask.data, want.mask.data, want.mask.size);
    if (with_prob) {
        assert_memory_equal(got.prob, want.prob, sizeof(float) * stride * (size_t)h);
        assert_memory_equal(got.low, want.low, sizeof(float) * (size_t)side * side);
    }
    assert_int_equal(got.r.area, want.r.area);
    assert_int_equal(got.r.box.x0, want.r.box.x0);
    assert_int_equal(got.r.box.y0, want.r.box.y0);
    assert_int_equal(got.r.box.x1, want.r.box.x1);
    assert_int_equal(got.r.box.y1, want.r.box.y1);
    const int64_t area = got.r.area;
    outputs_free(&want);
    outputs_free(&got);
    free(row);
    return area;
}

/* Every SIMD level the CPU has, and the portable loop (SIMD_NONE). */
static void test_masks_match_whole_frame(void **state)
{
    (void)state;
    const int32_t sides[] = {1, 3, 16, 37, 256};
    const int32_t sizes[][2] = {{1280, 720}, {37, 23}, {7, 101}, {1, 1}, {333, 1000}, {100, 60}, {256, 256}, {1919, 1081}, {2, 3}};
    rng_state = 5;
    int64_t areas = 0;
    int best = SIMD_NONE;
    for (size_t s = 0; s < sizeof sides / sizeof *sides; s++) {
        const int32_t side = sides[s];
        float *buffer = malloc(((size_t)side * side + 1) * sizeof *buffer);
        assert_non_null(buffer);
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            const int32_t w = sizes[k][0], h = sizes[k][1];
            upsample_plan plan = {0};
            assert_int_equal(upsample_plan_update(&plan, side, w, h), EDGETAM_OK);
            best = plan.simd;
            const int trials = (int64_t)w * h > 100000 ? 2 : 12;
            for (int trial = 0; trial < trials; trial++) {
                float *low = buffer + trial % 2; /* unaligned too */
                random_logits(low, side, trial % 4);
                const size_t stride = (size_t)w + (trial % 3 == 1 ? 13 : 0);
                for (int level = best; level >= SIMD_NONE; level--) {
                    plan.simd = (simd_level)level;
                    areas += check_result(&plan, low, side, w, h, stride, 1, 0); /* mask */
                    check_result(&plan, low, side, w, h, stride, 0, 0);          /* box and area only */
                    if (trial == 1) check_result(&plan, low, side, w, h, stride, 1, 1); /* everything, padded */
                }
            }
            upsample_plan_free(&plan);
        }
        free(buffer);
    }
    assert_true(areas > 0); /* the random objects did reach the masks */
#if defined(__aarch64__)
    assert_int_equal(best, SIMD_NEON); /* NEON is always there: its kernel must have been compared */
#endif
    print_message("masks: SIMD levels %d..0 equal the whole-frame code\n", best);
}

/* Values where a fused multiply-add would flip the sign: the SIMD kernels must multiply and add
 * apart, as the portable loop does. Low-res rows all alike and one output row per low-res row
 * (vertical weight 0), so the horizontal lerp alone decides; each even column pair gets an a and a b
 * that sit where (1 - w) a + w b, rounded twice, and either fused form disagree on the sign. */
static void test_lerp_is_never_fused(void **state)
{
    (void)state;
    enum { SIDE = 16, W = 83 };
    float low[SIDE * SIDE];
    upsample_plan plan = {0};
    assert_int_equal(upsample_plan_update(&plan, SIDE, W, SIDE), EDGETAM_OK);
    for (int32_t y = 0; y < SIDE; y++) assert_true(plan.y.w1[y] == 0.0f);
    rng_state = 17;
    int flips[2] = {0, 0}; /* pixels where fmaf((1 - w), a, w b), fmaf(w, b, (1 - w) a) flip */
    float row[SIDE];
    for (int32_t c = 0; c + 1 < SIDE; c += 2) {
        row[c] = uniform(0.5f, 2.0f);
        row[c + 1] = -1.0f;
        int32_t x = 0;
        while (x < W && !(plan.x.i0[x] == c && plan.x.w1[x] > 0.0f)) x++;
        if (x == W) continue;
        const float w = plan.x.w1[x], a = row[c], b0 = (float)(-(1.0 - w) * a / w);
        for (int k = 0; k < 4096; k++) { /* b0 + k ulps, b0 - k ulps, ... */
            float b = b0;
            for (int i = 0; i < k / 2; i++) b = nextafterf(b, k % 2 ? -INFINITY : INFINITY);
            const float pa = (1.0f - w) * a, pb = w * b, apart = pa + pb;
            const int on = apart > 0.0f, flip0 = on != (fmaf(1.0f - w, a, pb) > 0.0f),
                      flip1 = on != (fmaf(w, b, pa) > 0.0f);
            if (flip0 || flip1) {
                row[c + 1] = b;
                flips[0] += flip0;
                flips[1] += flip1;
                break;
            }
        }
    }
    assert_true(flips[0] >= 2 && flips[1] >= 2); /* the adversarial pixels exist, for either form */
    for (int32_t y = 0; y < SIDE; y++) memcpy(low + y * SIDE, row, sizeof row);
    for (int level = plan.simd; level >= SIMD_NONE; level--) {
        plan.simd = (simd_level)level;
        check_result(&plan, low, SIDE, W, SIDE, W, 1, 0);
    }
    upsample_plan_free(&plan);
}

#if defined(EDGETAM_HAVE_AVX2_KERNELS)
#define MASK_KERNEL edgetam__mask_row_avx2
#elif defined(EDGETAM_HAVE_NEON_KERNELS)
#define MASK_KERNEL edgetam__mask_row_neon
#endif

/* The SIMD kernel itself, straight: it must do the row (up to its last partial vector) and give the
 * portable lerp's bytes and hits, reading a source row and writing a mask that both end at a guard
 * page; upscales (taps within 8 neighbours) and downscales and short rows (gathered taps). */
static void test_mask_kernel_does_the_row(void **state)
{
    (void)state;
    const int32_t shapes[][2] = {{37, 1283}, {37, 29}, {5, 301}, {8, 64}, {256, 1280}};
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
        const int32_t side = shapes[k][0], w = shapes[k][1];
        upsample_plan plan = {0};
        assert_int_equal(upsample_plan_update(&plan, side, w, 1), EDGETAM_OK);
#ifdef MASK_KERNEL
        if (plan.simd == SIMD_NONE) {
#endif
            print_message("no SIMD kernel in this build or on this CPU: not checked\n");
            upsample_plan_free(&plan);
            return;
#ifdef MASK_KERNEL
        }
        guarded_buffer row_buffer = guarded_alloc(sizeof(float) * (size_t)side);
        float *row = (float *)(void *)row_buffer.data;
        rng_state = 23;
        for (int trial = 0; trial < 30; trial++) {
            for (int32_t i = 0; i < side; i++) row[i] = uniform(-1.0f, 1.0f);
            const int32_t x0 = (int32_t)(rnd() % 9), x1 = w - (int32_t)(rnd() % 9);
            guarded_buffer mask = guarded_alloc((size_t)(x1 - x0));
            row_hits got = {-1, -1, 0}, want = {-1, -1, 0};
            uint8_t *m = mask.data - x0; /* the kernel writes m[x0 .. x1) */
            const int32_t done = MASK_KERNEL(&plan.x, row, x0, x1, m, &got, side);
            assert_true(done > x1 - 8 && done <= x1);
            for (int32_t x = x0; x < done; x++) {
                const float pa = (1.0f - plan.x.w1[x]) * row[plan.x.i0[x]], pb = plan.x.w1[x] * row[plan.x.i1[x]];
                const int on = pa + pb > 0.0f;
                assert_int_equal(m[x], on ? 255 : 0);
                if (on) {
                    if (want.first < 0) want.first = x;
                    want.last = x;
                    want.area++;
                }
            }
            assert_int_equal(got.first, want.first);
            assert_int_equal(got.last, want.last);
            assert_int_equal(got.area, want.area);
            guarded_free(&mask);
        }
        guarded_free(&row_buffer);
        upsample_plan_free(&plan);
#endif
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_holes_matches_whole_grid),
        cmocka_unit_test(test_fill_holes_small_outside_pieces),
        cmocka_unit_test(test_masks_match_whole_frame),
        cmocka_unit_test(test_lerp_is_never_fused),
        cmocka_unit_test(test_mask_kernel_does_the_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
