/* Both kinds of bundle: the full-JIT one (torch.jit.save) and the lite-interpreter one
 * (_save_for_lite_interpreter, .ptl, what LibTorch-Lite on iOS runs), written from the same
 * stand-in model. The interpreter is picked by content, and both track the same session alike.
 * Usage: test_bundle_kinds FULL_BUNDLE LITE_BUNDLE SCRATCH_DIR */
#define _POSIX_C_SOURCE 200809L
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
#include "model.h"
#include "test_frame.h"

#define W 200
#define H 150
#define FRAMES 6

static const char *full_path, *lite_path, *scratch_dir;

static edgetam_model *load(const char *path)
{
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 2;
    mp.adapt_threads = 0; /* results are compared: the same thread count throughout */
    edgetam_model *m = NULL;
    edgetam_status st = edgetam_model_load(path, &mp, &m, err, sizeof err);
    if (st != EDGETAM_OK) fprintf(stderr, "%s: %s\n", path, err);
    assert_int_equal(st, EDGETAM_OK);
    return m;
}

/* Copies the first `size` bytes of `src` (all of it if size < 0) to scratch_dir/name. */
static const char *copy_file(const char *src, const char *name, long size, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", scratch_dir, name);
    FILE *in = fopen(src, "rb"), *out = fopen(path, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    long left = size < 0 ? -1 : size;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (left >= 0 && (long)n > left) n = (size_t)left;
        assert_int_equal(fwrite(buf, 1, n, out), n);
        if (left >= 0 && (left -= (long)n) == 0) break;
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    return path;
}

static void test_interpreter_is_picked_by_content(void **state)
{
    (void)state;
    edgetam_model *full = load(full_path), *lite = load(lite_path);
    assert_int_equal(full->info.lite_interpreter, 0);
    assert_int_equal(lite->info.lite_interpreter, 1);
    assert_int_equal(edgetam_model_input_size(full), edgetam_model_input_size(lite));
    edgetam_model_free(full);
    edgetam_model_free(lite);

    /* the name does not matter: a lite bundle called .edgetam is still run by the lite
     * interpreter, a full one called .ptl by the JIT */
    char path[1024];
    edgetam_model *m = load(copy_file(lite_path, "lite_named.edgetam", -1, path, sizeof path));
    assert_int_equal(m->info.lite_interpreter, 1);
    edgetam_model_free(m);
    remove(path);
    m = load(copy_file(full_path, "full_named.ptl", -1, path, sizeof path));
    assert_int_equal(m->info.lite_interpreter, 0);
    edgetam_model_free(m);
    remove(path);
}

static void test_damaged_lite_bundle_is_an_error(void **state)
{
    (void)state;
    FILE *f = fopen(lite_path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fclose(f);
    for (int cut = 1; cut <= 3; cut++) { /* a quarter, half, three quarters */
        char path[1024], err[512] = "";
        copy_file(lite_path, "truncated.ptl", size * cut / 4, path, sizeof path);
        edgetam_model_params mp = edgetam_model_default_params();
        edgetam_model *m = (edgetam_model *)&mp; /* must be reset to NULL */
        edgetam_status st = edgetam_model_load(path, &mp, &m, err, sizeof err);
        assert_int_equal(st, EDGETAM_ERR_MODEL_LOAD);
        assert_null(m);
        assert_true(strlen(err) > 0);
        remove(path);
    }
}

typedef struct session_output {
    float *logits[FRAMES][2]; /* (S/4)^2 each */
    int64_t area[FRAMES][2];
    int32_t present[FRAMES][2];
    float iou[FRAMES][2];
} session_output;

/* Frame 0: click object 1, box object 2; frames 1..5: track. */
static void run_session(edgetam_model *model, session_output *out)
{
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    static uint8_t masks[2][W * H];
    edgetam_object_result r[2];
    for (int f = 0; f < FRAMES; f++) {
        for (int i = 0; i < 2; i++) {
            memset(&r[i], 0, sizeof r[i]);
            r[i].struct_size = sizeof r[i];
            r[i].mask = masks[i];
            r[i].mask_stride = W;
            r[i].low_res_logits = out->logits[f][i];
        }
        test_frame tf;
        test_frame_init(&tf, EDGETAM_FORMAT_NV12, W, H, 3, 100u + (uint32_t)f);
        int32_t count = 0;
        assert_int_equal(edgetam_tracker_track(t, &tf.frame, r, 2, &count), EDGETAM_OK);
        test_frame_free(&tf);
        if (f == 0) {
            const edgetam_point click = {W * 0.3f, H * 0.4f, 1};
            edgetam_prompt p = edgetam_prompt_default();
            p.points = &click;
            p.num_points = 1;
            assert_int_equal(edgetam_tracker_add_prompt(t, 1, &p, &r[0]), EDGETAM_OK);
            p = edgetam_prompt_default();
            p.has_box = 1;
            p.box[0] = W * 0.5f, p.box[1] = H * 0.2f, p.box[2] = W * 0.9f, p.box[3] = H * 0.8f;
            assert_int_equal(edgetam_tracker_add_prompt(t, 2, &p, &r[1]), EDGETAM_OK);
        } else {
            assert_int_equal(count, 2);
        }
        for (int i = 0; i < 2; i++) {
            out->area[f][i] = r[i].area;
            out->present[f][i] = r[i].present;
            out->iou[f][i] = r[i].iou;
        }
    }
    edgetam_tracker_destroy(t);
}

static session_output *session_output_new(size_t low_res)
{
    session_output *o = calloc(1, sizeof *o);
    assert_non_null(o);
    for (int f = 0; f < FRAMES; f++)
        for (int i = 0; i < 2; i++) assert_non_null(o->logits[f][i] = calloc(low_res, sizeof(float)));
    return o;
}

static void session_output_free(session_output *o)
{
    for (int f = 0; f < FRAMES; f++)
        for (int i = 0; i < 2; i++) free(o->logits[f][i]);
    free(o);
}

static void test_both_kinds_track_alike(void **state)
{
    (void)state;
    edgetam_model *full = load(full_path), *lite = load(lite_path);
    const int32_t lr = edgetam_model_input_size(full) / 4;
    session_output *a = session_output_new((size_t)lr * lr), *b = session_output_new((size_t)lr * lr);
    run_session(full, a);
    run_session(lite, b);
    double max_diff = 0;
    for (int f = 0; f < FRAMES; f++) {
        for (int i = 0; i < 2; i++) {
            for (int32_t k = 0; k < lr * lr; k++) {
                double d = fabs((double)a->logits[f][i][k] - b->logits[f][i][k]);
                if (d > max_diff) max_diff = d;
            }
            assert_int_equal(a->present[f][i], b->present[f][i]);
            assert_true(fabsf(a->iou[f][i] - b->iou[f][i]) <= 1e-4f);
            /* a pixel whose logit is within rounding of 0 may flip */
            assert_true(llabs(a->area[f][i] - b->area[f][i]) <= 4);
        }
    }
    printf("bundle kinds: %d frames x 2 objects, max |low-res logit diff| full vs lite %.3g\n",
           FRAMES, max_diff);
    assert_true(max_diff <= 1e-4);
    session_output_free(a);
    session_output_free(b);
    edgetam_model_free(full);
    edgetam_model_free(lite);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FULL_BUNDLE LITE_BUNDLE SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    full_path = argv[1];
    lite_path = argv[2];
    scratch_dir = argv[3];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interpreter_is_picked_by_content),
        cmocka_unit_test(test_damaged_lite_bundle_is_an_error),
        cmocka_unit_test(test_both_kinds_track_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
