/* The demo bundle tracks, through the library's whole path (conversion, memory selection,
 * postprocessing): a synthetic object moving across a textured scene passes behind a bar. While
 * it is visible its mask must match the true one (IoU >= 0.7); while it is hidden the object score
 * must say so (not present) on every frame; after it comes out, it must be present again within 3
 * frames. Usage: test_demo_tracking DEMO_BUNDLE */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"

#define W 320
#define H 240
#define FRAMES 40
#define RX 14 /* the object: an ellipse, RX x RY half axes, moving right */
#define RY 24
#define BAR_X0 136 /* the occluder: a vertical bar over the whole height */
#define BAR_X1 184

static const char *bundle_path;

static int object_x(int k) { return 60 + 4 * k; }

static int on_object(int k, int x, int y)
{
    const int dx = x - object_x(k), dy = y - H / 2;
    return dx * dx * RY * RY + dy * dy * RX * RX < RX * RX * RY * RY;
}

static int on_bar(int x) { return x >= BAR_X0 && x < BAR_X1; }

/* Entirely behind the bar. */
static int hidden(int k) { return object_x(k) - RX >= BAR_X0 && object_x(k) + RX < BAR_X1; }

/* Entirely in view. */
static int visible(int k) { return object_x(k) + RX < BAR_X0 || object_x(k) - RX >= BAR_X1; }

static void render(uint8_t *rgb, int k)
{
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            uint8_t *p = rgb + 3 * ((size_t)y * W + x);
            if (on_bar(x)) { /* a grey-violet bar with a little texture */
                p[0] = (uint8_t)(120 + (y / 6) % 2 * 12);
                p[1] = 100;
                p[2] = 140;
            } else if (on_object(k, x, y)) { /* orange, shaded */
                p[0] = (uint8_t)(220 - (y - H / 2 + RY));
                p[1] = 120;
                p[2] = 40;
            } else { /* green-grey ground: tiles and a gradient */
                p[0] = (uint8_t)(70 + (x / 20 + y / 20) % 2 * 25);
                p[1] = (uint8_t)(110 + (x + 2 * y) % 40);
                p[2] = (uint8_t)(80 + y / 8);
            }
        }
    }
}

static double iou_with_truth(const uint8_t *mask, int k)
{
    long inter = 0, uni = 0;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            const int truth = on_object(k, x, y) && !on_bar(x), got = mask[(size_t)y * W + x] != 0;
            inter += truth && got;
            uni += truth || got;
        }
    }
    return uni ? (double)inter / (double)uni : 0.0;
}

static void test_follows_through_occlusion(void **state)
{
    (void)state;
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 2;
    edgetam_model *model = NULL;
    assert_int_equal(edgetam_model_load(bundle_path, &mp, &model, err, sizeof err), EDGETAM_OK);
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);

    uint8_t *rgb = malloc((size_t)W * H * 3), *mask = malloc((size_t)W * H);
    assert_non_null(rgb);
    assert_non_null(mask);
    edgetam_frame frame = edgetam_frame_default();
    frame.format = EDGETAM_FORMAT_RGB24;
    frame.width = W;
    frame.height = H;
    frame.planes.data[0] = rgb;
    frame.planes.stride[0] = 3 * W;
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.mask = mask;
    r.mask_stride = W;

    int hidden_frames = 0, checked = 0, last_hidden = -1, back = -1;
    for (int k = 0; k < FRAMES; k++) {
        render(rgb, k);
        int32_t count = 0;
        assert_int_equal(edgetam_tracker_track(t, &frame, &r, 1, &count), EDGETAM_OK);
        if (k == 0) { /* one click in the middle of the object */
            const edgetam_point click = {(float)object_x(0), H / 2.0f, 1};
            edgetam_prompt p = edgetam_prompt_default();
            p.points = &click;
            p.num_points = 1;
            assert_int_equal(edgetam_tracker_add_prompt(t, 1, &p, &r), EDGETAM_OK);
            count = 1;
        }
        assert_int_equal(count, 1);
        const double iou = r.present ? iou_with_truth(mask, k) : 0.0;
        printf("frame %2d: %-8s present=%d score=%6.2f iou=%.3f box=%d,%d,%d,%d\n", k,
               hidden(k) ? "hidden" : visible(k) ? "visible" : "partly", r.present,
               r.object_score, iou, r.box.x0, r.box.y0, r.box.x1, r.box.y1);
        if (visible(k) && back < 0 && last_hidden < 0) {
            assert_true(r.present);
            assert_true(iou >= 0.7);
            checked++;
        }
        if (hidden(k)) {
            assert_false(r.present);
            assert_true(r.object_score <= 0.0f);
            hidden_frames++;
            last_hidden = k;
        } else if (last_hidden >= 0 && back < 0 && r.present) {
            back = k;
        }
        if (back >= 0 && visible(k)) { /* once back, followed again */
            assert_true(r.present);
            assert_true(iou >= 0.7);
            checked++;
        }
    }
    assert_true(hidden_frames >= 3); /* the scene does what it says */
    assert_true(last_hidden >= 0 && back > last_hidden && back - last_hidden <= 3);
    assert_true(checked >= 20);
    free(rgb);
    free(mask);
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_demo_tracking DEMO_BUNDLE\n");
        return 2;
    }
    bundle_path = argv[1];
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_follows_through_occlusion)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
