/* The tracker's contract with the stand-in bundle: load errors, prompt validation, drop-if-busy,
 * failures leaving state intact, no per-frame allocation, trackers sharing a model across threads.
 * Usage: test_tracker BUNDLE BAD_BUNDLE_DIR */
#define _POSIX_C_SOURCE 200809L /* mkstemp, unlink, pthreads under -std=c11 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "bad_bundles.h"
#include "busy_tracker.h"
#include "edgetam.h"
#include "test_frame.h"

#define W 320
#define H 240

static const char *bundle_path, *bad_dir;
static edgetam_model *model;

static int setup_model(void **state)
{
    (void)state;
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 2;
    mp.adapt_threads = 0; /* results are compared: the same thread count throughout */
    if (edgetam_model_load(bundle_path, &mp, &model, err, sizeof err) != EDGETAM_OK) {
        fprintf(stderr, "cannot load %s: %s\n", bundle_path, err);
        return -1;
    }
    return 0;
}

static int teardown_model(void **state)
{
    (void)state;
    edgetam_model_free(model);
    return 0;
}

static edgetam_tracker *new_tracker(int32_t max_objects)
{
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    tp.max_objects = max_objects;
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    return t;
}

static edgetam_object_result result_slot(float *low_res)
{
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.low_res_logits = low_res;
    return r;
}

/* Tracks a fresh test frame (NV12, content from `seed`); returns the status. */
static edgetam_status track_seed(edgetam_tracker *t, uint32_t seed, edgetam_object_result *r,
                                 int32_t cap, int32_t *count)
{
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 8, seed);
    const edgetam_status st = edgetam_tracker_track(t, &f.frame, r, cap, count);
    if (st != EDGETAM_DROPPED) assert_int_equal(f.lock_calls, f.unlock_calls);
    test_frame_free(&f);
    return st;
}

static edgetam_status click(edgetam_tracker *t, int32_t id, float x, float y,
                            edgetam_object_result *r)
{
    const edgetam_point pt = {x, y, 1};
    edgetam_prompt p = edgetam_prompt_default();
    p.points = &pt;
    p.num_points = 1;
    return edgetam_tracker_add_prompt(t, id, &p, r);
}

static void test_load_errors(void **state)
{
    (void)state;
    char err[256];
    edgetam_model_params mp = edgetam_model_default_params();
    edgetam_model *m = (edgetam_model *)&mp; /* must be reset to NULL on failure */
    assert_int_equal(edgetam_model_load("/nonexistent/model.edgetam", &mp, &m, err, sizeof err),
                     EDGETAM_ERR_MODEL_LOAD);
    assert_null(m);
    assert_true(strlen(err) > 0);

    char path[] = "/tmp/edgetam_test_XXXXXX";
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fputs("this is not a model\n", f);
    fclose(f);
    assert_int_equal(edgetam_model_load(path, &mp, &m, err, sizeof err), EDGETAM_ERR_MODEL_LOAD);

    /* the first half of a valid bundle */
    FILE *in = fopen(bundle_path, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    const long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *data = malloc((size_t)size);
    assert_int_equal(fread(data, 1, (size_t)size, in), (size_t)size);
    fclose(in);
    f = fopen(path, "wb");
    fwrite(data, 1, (size_t)size / 2, f);
    fclose(f);
    free(data);
    assert_int_equal(edgetam_model_load(path, &mp, &m, err, sizeof err), EDGETAM_ERR_MODEL_LOAD);
    unlink(path);

    assert_int_equal(edgetam_model_load(NULL, &mp, &m, err, sizeof err),
                     EDGETAM_ERR_INVALID_ARGUMENT);
    mp.struct_size = 1;
    assert_int_equal(edgetam_model_load(bundle_path, &mp, &m, NULL, 0), EDGETAM_ERR_ABI_MISMATCH);
    edgetam_model_free(NULL);
}

/* Bundles that break one rule each (tests/make_bad_bundles.py): the status and a message naming
 * what is wrong. */
static void test_bad_bundles(void **state)
{
    (void)state;
    size_t count;
    const bad_bundle *cases = bad_bundles_for(bundle_path, &count);
    edgetam_model_params mp = edgetam_model_default_params();
    for (size_t i = 0; i < count; i++) {
        char path[1024], err[512];
        snprintf(path, sizeof path, "%s/%s", bad_dir, cases[i].file);
        edgetam_model *m = NULL;
        const edgetam_status st = edgetam_model_load(path, &mp, &m, err, sizeof err);
        if (st != cases[i].status || !strstr(err, cases[i].needle))
            fail_msg("%s: got %s \"%s\", expected %s naming %s", cases[i].file,
                     edgetam_status_str(st), err, edgetam_status_str(cases[i].status),
                     cases[i].needle);
        assert_null(m);
    }
    if (bundle_is_pte(bundle_path)) return;
    /* none of the operator keys: a bundle exported before they existed still loads */
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/no_operator_keys.edgetam", bad_dir);
    edgetam_model *m = NULL;
    assert_int_equal(edgetam_model_load(path, &mp, &m, err, sizeof err), EDGETAM_OK);
    edgetam_model_free(m);
}

static void test_tracker_params(void **state)
{
    (void)state;
    edgetam_tracker *t = (edgetam_tracker *)model;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    assert_int_equal(tp.max_objects, 8);
    assert_int_equal(tp.fill_hole_area, 8);
    tp.max_objects = 0;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_null(t);
    tp = edgetam_tracker_default_params();
    tp.struct_size = 0;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_ERR_ABI_MISMATCH);
    assert_int_equal(edgetam_tracker_create(NULL, &tp, &t), EDGETAM_ERR_INVALID_ARGUMENT);
    edgetam_tracker_destroy(NULL);
}

static void test_prompt_validation(void **state)
{
    (void)state;
    edgetam_tracker *t = new_tracker(8);
    assert_int_equal(click(t, 1, 10, 10, NULL), EDGETAM_ERR_NO_FRAME);
    int32_t count = -1;
    assert_int_equal(track_seed(t, 1, NULL, 0, &count), EDGETAM_OK);
    assert_int_equal(count, 0);

    edgetam_point pts[EDGETAM_MAX_POINTS + 1];
    for (int i = 0; i <= EDGETAM_MAX_POINTS; i++) pts[i] = (edgetam_point){5.0f + i, 5.0f, 1};
    edgetam_prompt p = edgetam_prompt_default();
    struct { const char *what; edgetam_point pt; int has_box; float box[4]; int n; int clear; } bad[] = {
        {"point right of the frame", {W + 1.0f, 5, 1}, 0, {0}, 1, 1},
        {"negative point", {-0.5f, 5, 1}, 0, {0}, 1, 1},
        {"label 2 as a point", {5, 5, 2}, 0, {0}, 1, 1},
        {"empty box", {0}, 1, {10, 10, 10, 20}, 0, 1},
        {"reversed box", {0}, 1, {50, 50, 20, 20}, 0, 1},
        {"box outside", {0}, 1, {10, 10, W + 10.0f, 20}, 0, 1},
        {"box without clearing", {0}, 1, {10, 10, 20, 20}, 0, 0},
        {"nothing", {0}, 0, {0}, 0, 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        p = edgetam_prompt_default();
        p.points = bad[i].n ? &bad[i].pt : NULL;
        p.num_points = bad[i].n;
        p.has_box = bad[i].has_box;
        memcpy(p.box, bad[i].box, sizeof p.box);
        p.clear_old_points = bad[i].clear;
        const edgetam_status st = edgetam_tracker_add_prompt(t, 3, &p, NULL);
        if (st != EDGETAM_ERR_BAD_PROMPT) fail_msg("%s: got %s", bad[i].what, edgetam_status_str(st));
        assert_true(strlen(edgetam_tracker_last_error(t)) > 0);
    }
    p = edgetam_prompt_default();
    p.points = pts;
    p.num_points = EDGETAM_MAX_POINTS + 1;
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, &p, NULL), EDGETAM_ERR_BAD_PROMPT);
    uint8_t mask[W * H] = {0};
    p.mask = mask; /* mask together with points */
    p.mask_stride = W;
    p.num_points = 1;
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, &p, NULL), EDGETAM_ERR_BAD_PROMPT);
    p.num_points = 0;
    p.mask_stride = W - 1;
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, &p, NULL), EDGETAM_ERR_BAD_PROMPT);
    p.struct_size = 3;
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, &p, NULL), EDGETAM_ERR_ABI_MISMATCH);
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, NULL, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_tracker_add_prompt(t, -1, &p, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_tracker_object_count(t), 0); /* nothing was added */

    /* a full frame of points is fine; one more with clear_old_points = 0 is not */
    p = edgetam_prompt_default();
    p.points = pts;
    p.num_points = EDGETAM_MAX_POINTS;
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, &p, NULL), EDGETAM_OK);
    p.num_points = 1;
    p.clear_old_points = 0;
    assert_int_equal(edgetam_tracker_add_prompt(t, 3, &p, NULL), EDGETAM_ERR_BAD_PROMPT);
    assert_int_equal(edgetam_tracker_remove_object(t, 99), EDGETAM_ERR_UNKNOWN_OBJECT);
    edgetam_tracker_destroy(t);
}

static void test_objects_results_and_limits(void **state)
{
    (void)state;
    edgetam_tracker *t = new_tracker(2);
    assert_int_equal(track_seed(t, 2, NULL, 0, NULL), EDGETAM_OK);
    float low[3][64 * 64];
    uint8_t mask[W * H];
    edgetam_object_result r = result_slot(low[0]);
    r.mask = mask;
    r.mask_stride = W;
    assert_int_equal(click(t, 7, 100, 80, &r), EDGETAM_OK);
    assert_int_equal(r.object_id, 7);
    int64_t area = 0;
    for (int i = 0; i < W * H; i++) area += mask[i] != 0;
    assert_int_equal(r.area, area);
    edgetam_prompt box = edgetam_prompt_default();
    box.has_box = 1;
    box.box[0] = 150, box.box[1] = 100, box.box[2] = 220, box.box[3] = 180;
    assert_int_equal(edgetam_tracker_add_prompt(t, 2, &box, NULL), EDGETAM_OK);
    assert_int_equal(click(t, 5, 10, 10, NULL), EDGETAM_ERR_TOO_MANY_OBJECTS);

    edgetam_object_result rs[2] = {result_slot(low[1]), result_slot(low[2])};
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 0, 3);
    /* too few slots: refused before the frame is touched */
    assert_int_equal(edgetam_tracker_track(t, &f.frame, rs, 1, NULL), EDGETAM_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(f.lock_calls, 0);
    rs[1].struct_size = 0;
    assert_int_equal(edgetam_tracker_track(t, &f.frame, rs, 2, NULL), EDGETAM_ERR_ABI_MISMATCH);
    assert_int_equal(f.lock_calls, 0);
    rs[1].struct_size = sizeof rs[1];
    int32_t count = 0;
    assert_int_equal(edgetam_tracker_track(t, &f.frame, rs, 2, &count), EDGETAM_OK);
    assert_int_equal(count, 2);
    assert_int_equal(rs[0].object_id, 2); /* increasing id */
    assert_int_equal(rs[1].object_id, 7);
    assert_int_equal(f.lock_calls, 1);
    assert_int_equal(f.unlock_calls, 1);
    test_frame_free(&f);

    assert_int_equal(edgetam_tracker_remove_object(t, 2), EDGETAM_OK);
    assert_int_equal(track_seed(t, 4, rs, 2, &count), EDGETAM_OK);
    assert_int_equal(count, 1);
    assert_int_equal(rs[0].object_id, 7);
    assert_int_equal(edgetam_tracker_reset(t), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_object_count(t), 0);
    assert_int_equal(click(t, 1, 30, 30, NULL), EDGETAM_OK); /* the current frame stayed */

    edgetam_tracker_stats stats;
    stats.struct_size = sizeof stats;
    assert_int_equal(edgetam_tracker_get_stats(t, &stats), EDGETAM_OK);
    assert_int_equal(stats.submitted, 5);
    assert_int_equal(stats.processed, 3);
    assert_int_equal(stats.failed, 2);
    assert_int_equal(stats.dropped, 0);
    assert_true(stats.total_ms[EDGETAM_STAGE_ENCODE] > 0.0);
    edgetam_tracker_destroy(t);
}

/* Runs a fixed session; if `inject`, failing calls are interleaved. Returns the last frame's
 * low-res logits of both objects in `out`. */
static void session(int inject, float out[2][64 * 64])
{
    edgetam_tracker *t = new_tracker(4);
    edgetam_object_result rs[2] = {result_slot(out[0]), result_slot(out[1])};
    assert_int_equal(track_seed(t, 10, NULL, 0, NULL), EDGETAM_OK);
    assert_int_equal(click(t, 1, 100, 100, NULL), EDGETAM_OK);
    for (uint32_t k = 11; k < 15; k++) {
        if (inject) {
            test_frame f;
            test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 0, 99);
            f.fail_lock = 1;
            assert_int_equal(edgetam_tracker_track(t, &f.frame, rs, 2, NULL),
                             EDGETAM_ERR_LOCK_FAILED);
            test_frame_free(&f);
            assert_int_equal(click(t, 2, W + 5.0f, 10, NULL), EDGETAM_ERR_BAD_PROMPT);
        }
        assert_int_equal(track_seed(t, k, rs, 2, NULL), EDGETAM_OK);
        if (k == 12) assert_int_equal(click(t, 2, 200, 150, NULL), EDGETAM_OK);
    }
    edgetam_tracker_destroy(t);
}

static void test_failures_leave_state_intact(void **state)
{
    (void)state;
    static float clean[2][64 * 64], injected[2][64 * 64];
    session(0, clean);
    session(1, injected);
    assert_memory_equal(clean, injected, sizeof clean);
}

static void test_no_allocation_per_frame(void **state)
{
    (void)state;
    edgetam_tracker *t = new_tracker(4);
    float low[2][64 * 64];
    edgetam_object_result rs[2] = {result_slot(low[0]), result_slot(low[1])};
    assert_int_equal(track_seed(t, 20, NULL, 0, NULL), EDGETAM_OK);
    assert_int_equal(click(t, 1, 60, 60, NULL), EDGETAM_OK);
    assert_int_equal(click(t, 2, 250, 200, NULL), EDGETAM_OK);
    assert_int_equal(track_seed(t, 21, rs, 2, NULL), EDGETAM_OK);
    const uint64_t before = edgetam_allocation_count();
    for (uint32_t k = 22; k < 40; k++) assert_int_equal(track_seed(t, k, rs, 2, NULL), EDGETAM_OK);
    assert_int_equal(edgetam_allocation_count(), before);
    edgetam_tracker_destroy(t);
}

/* A frame whose lock blocks until released, to hold a track call in progress. */
static void test_drop_if_busy(void **state)
{
    (void)state;
    edgetam_tracker *t = new_tracker(2);
    busy_tracker busy;
    busy_tracker_start(&busy, t);

    test_frame other; /* arrives while the first call runs: dropped, never locked or read */
    test_frame_init(&other, EDGETAM_FORMAT_NV12, W, H, 0, 6);
    guarded_protect(&other.buf[0], 1);
    guarded_protect(&other.buf[1], 1);
    assert_int_equal(edgetam_tracker_track(t, &other.frame, NULL, 0, NULL), EDGETAM_DROPPED);
    assert_int_equal(other.lock_calls, 0);

    busy_tracker_finish(&busy);
    assert_int_equal(busy.status, EDGETAM_OK);
    edgetam_tracker_stats stats;
    stats.struct_size = sizeof stats;
    assert_int_equal(edgetam_tracker_get_stats(t, &stats), EDGETAM_OK);
    assert_int_equal(stats.submitted, 2);
    assert_int_equal(stats.processed, 1);
    assert_int_equal(stats.dropped, 1);
    test_frame_restore(&other);
    test_frame_free(&other);
    edgetam_tracker_destroy(t);
}

/* Several trackers on one model from several threads give the same masks as one at a time. */
typedef struct stream_job {
    uint32_t seed;
    float out[64 * 64];
} stream_job;

static void *stream_thread(void *arg)
{
    stream_job *j = arg;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    if (edgetam_tracker_create(model, &tp, &t) != EDGETAM_OK) return NULL;
    edgetam_object_result r = result_slot(j->out);
    track_seed(t, j->seed, NULL, 0, NULL);
    click(t, 1, 120, 90, NULL);
    for (uint32_t k = 1; k <= 4; k++) track_seed(t, j->seed + k, &r, 1, NULL);
    edgetam_tracker_destroy(t);
    return NULL;
}

static void test_trackers_share_a_model_across_threads(void **state)
{
    (void)state;
    enum { N = 3 };
    static stream_job alone[N], together[N];
    for (int i = 0; i < N; i++) {
        alone[i].seed = together[i].seed = 100 * (uint32_t)(i + 1);
        stream_thread(&alone[i]);
    }
    pthread_t th[N];
    for (int i = 0; i < N; i++) assert_int_equal(pthread_create(&th[i], NULL, stream_thread, &together[i]), 0);
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) assert_memory_equal(alone[i].out, together[i].out, sizeof alone[i].out);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BUNDLE BAD_BUNDLE_DIR\n", argv[0]);
        return 2;
    }
    bundle_path = argv[1];
    bad_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_bad_bundles),
        cmocka_unit_test(test_tracker_params),
        cmocka_unit_test(test_prompt_validation),
        cmocka_unit_test(test_objects_results_and_limits),
        cmocka_unit_test(test_failures_leave_state_intact),
        cmocka_unit_test(test_no_allocation_per_frame),
        cmocka_unit_test(test_drop_if_busy),
        cmocka_unit_test(test_trackers_share_a_model_across_threads),
    };
    return cmocka_run_group_tests(tests, setup_model, teardown_model);
}
