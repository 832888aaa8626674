/* Every --precision of the TorchScript exporters (fp32, bf16, int8: the memory attention's
 * arithmetic) loads and tracks under the shim's oneDNN policy, and its masks stay close to the
 * float32 bundle's. The bundles are the benchmark profile with "sensitive" random weights at a
 * small S (tests/make_precision_bundles.py), the same weights in each.
 * Usage: test_precisions FP32_BUNDLE OTHER_BUNDLE... */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"
#include "test_frame.h"

#define W 320
#define H 240
#define FRAMES 5
/* The float32 masks' IoU with a reduced precision's, per frame, at least this. Far below what the
 * precisions give (the README's table), far above what a wrong product gives (unrelated masks). */
#define MIN_IOU 0.9

static int bundle_count;
static char **bundle_paths;

/* Frame 0: a click; frames 1..FRAMES-1: tracking. masks[f] gets frame f's mask. */
static void run_session(const char *path, uint8_t masks[FRAMES][W * H])
{
    char err[512] = "";
    edgetam_model_params mp = edgetam_model_default_params();
    /* one thread: results are compared, and a loaded machine slows one thread least */
    mp.num_threads = 1;
    mp.adapt_threads = 0;
    edgetam_model *model = NULL;
    const edgetam_status st = edgetam_model_load(path, &mp, &model, err, sizeof err);
    if (st != EDGETAM_OK) fprintf(stderr, "%s: %s\n", path, err);
    assert_int_equal(st, EDGETAM_OK);
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    for (int f = 0; f < FRAMES; f++) {
        edgetam_object_result r;
        memset(&r, 0, sizeof r);
        r.struct_size = sizeof r;
        r.mask = masks[f];
        r.mask_stride = W;
        test_frame tf;
        test_frame_init(&tf, EDGETAM_FORMAT_NV12, W, H, 0, 40u + (uint32_t)f);
        int32_t count = 0;
        assert_int_equal(edgetam_tracker_track(t, &tf.frame, f ? &r : NULL, f ? 1 : 0, &count),
                         EDGETAM_OK);
        test_frame_free(&tf);
        if (f == 0) {
            const edgetam_point click = {W * 0.4f, H * 0.5f, 1};
            edgetam_prompt p = edgetam_prompt_default();
            p.points = &click;
            p.num_points = 1;
            assert_int_equal(edgetam_tracker_add_prompt(t, 1, &p, &r), EDGETAM_OK);
        } else {
            assert_int_equal(count, 1);
        }
    }
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

static double iou(const uint8_t *a, const uint8_t *b, int64_t *area_a)
{
    int64_t both = 0, either = 0;
    *area_a = 0;
    for (int i = 0; i < W * H; i++) {
        both += a[i] && b[i];
        either += a[i] || b[i];
        *area_a += a[i] != 0;
    }
    return either ? (double)both / (double)either : 1.0;
}

static void test_every_precision_tracks_like_fp32(void **state)
{
    (void)state;
    static uint8_t ref[FRAMES][W * H], got[FRAMES][W * H];
    run_session(bundle_paths[0], ref);
    for (int b = 1; b < bundle_count; b++) {
        run_session(bundle_paths[b], got);
        double min_iou = 1.0;
        int64_t min_area = INT64_MAX;
        for (int f = 0; f < FRAMES; f++) {
            int64_t area;
            const double v = iou(ref[f], got[f], &area);
            if (v < min_iou) min_iou = v;
            if (area < min_area) min_area = area;
        }
        printf("%s: %d frames, min mask IoU vs %s %.5f (fp32 masks of >= %lld pixels)\n",
               bundle_paths[b], FRAMES, bundle_paths[0], min_iou, (long long)min_area);
        /* an empty float32 mask would make the comparison vacuous */
        assert_true(min_area > 0);
        assert_true(min_iou >= MIN_IOU);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FP32_BUNDLE OTHER_BUNDLE...\n", argv[0]);
        return 2;
    }
    bundle_count = argc - 1;
    bundle_paths = argv + 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_precision_tracks_like_fp32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
