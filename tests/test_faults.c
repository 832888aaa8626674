/* Fault injection: every injected fault comes back as a status, leaves the tracker / stream usable
 * (where the API says a failure changes nothing, bit-identically so) and leaks nothing.
 * Faults: bundles that cannot be loaded, a model forward that throws mid-session
 * (throws_on_white.edgetam / .pte) or returns NaN (nan_on_white, as a runtime computing garbage
 * does), the n-th allocation of the library failing (counting_allocator.h),
 * a lock callback that fails, planes revoked at unlock (test_frame.h).
 * Usage: test_faults BUNDLE BAD_BUNDLE_DIR */
#define _POSIX_C_SOURCE 200809L /* pipe, pthreads under -std=c11 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bad_bundles.h"
#include "callback_gate.h"
#include "counting_allocator.h"
#include "edgetam.h"
#include "test_frame.h"

#define W 320
#define H 240
#define W2 240 /* a second frame size, taller: every size-dependent buffer is rebuilt */
#define H2 320
#define MAX_PIXELS (W * H > W2 * H2 ? W * H : W2 * H2)
#define LOW_RES (64 * 64) /* stand-in: S = 256 */
#define MAX_CALLS 16
#define NAN_MESSAGE "encode_image: output feat has NaN" /* the shim's check of every output */

static const char *bundle_path, *bad_dir;
static edgetam_model *model;       /* the stand-in bundle */
static edgetam_model *white_model; /* the same, but encode_image throws on a white frame */
static edgetam_model *nan_model;   /* the same, but encode_image gives NaN on a white frame */

/* ---- helpers ------------------------------------------------------------------------------ */

static edgetam_status load(const char *path, edgetam_model **m, char *err, size_t err_size)
{
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 1; /* hundreds of short sessions: no thread pool spinning between forwards */
    return edgetam_model_load(path, &mp, m, err, err_size);
}

/* Whether the process may read the byte at p, without crashing: write() from an unreadable
 * buffer fails with EFAULT. */
static int readable(const void *p)
{
    int fd[2];
    if (pipe(fd) != 0) fail_msg("pipe failed");
    const ssize_t n = write(fd[1], p, 1);
    close(fd[0]);
    close(fd[1]);
    return n == 1;
}

static int planes_revoked(const test_frame *t)
{
    for (int p = 0; p < t->plane_count; p++)
        if (readable(t->buf[p].data)) return 0;
    return 1;
}

static void protect_planes(test_frame *t)
{
    for (int p = 0; p < t->plane_count; p++) guarded_protect(&t->buf[p], 1);
}

/* An RGB24 frame of pure white: the frame throws_on_white.edgetam refuses, and on which
 * nan_on_white.edgetam computes NaN. */
static void white_frame_init(test_frame *t)
{
    test_frame_init(t, EDGETAM_FORMAT_RGB24, W, H, 8, 0);
    memset(t->buf[0].data, 255, t->buf[0].size);
}

/* What a result showed, comparable with memcmp (the mask as a hash). */
typedef struct observation {
    int32_t count, id[2], present[2];
    float iou[2], score[2];
    int64_t area[2];
    edgetam_box box[2];
    uint64_t mask_hash[2];
    float logits[2][LOW_RES];
} observation;

static void observe(observation *o, const edgetam_object_result *r, int32_t n, int32_t w,
                    int32_t h)
{
    memset(o, 0, sizeof *o);
    o->count = n;
    for (int32_t i = 0; i < n && i < 2; i++) {
        o->id[i] = r[i].object_id;
        o->present[i] = r[i].present;
        o->iou[i] = r[i].iou;
        o->score[i] = r[i].object_score;
        o->area[i] = r[i].area;
        o->box[i] = r[i].box;
        uint64_t hash = 1469598103934665603u; /* FNV-1a */
        for (int32_t y = 0; r[i].mask && y < h; y++)
            for (int32_t x = 0; x < w; x++)
                hash = (hash ^ r[i].mask[(size_t)y * r[i].mask_stride + x]) * 1099511628211u;
        o->mask_hash[i] = hash;
        if (r[i].low_res_logits) memcpy(o->logits[i], r[i].low_res_logits, sizeof o->logits[i]);
    }
}

/* Caller-owned result slots for two objects of a w-wide frame: masks and low-res logits. */
typedef struct result_slots {
    edgetam_object_result r[2];
    uint8_t mask[2][MAX_PIXELS];
    float logits[2][LOW_RES];
} result_slots;

static edgetam_object_result *slots_for(result_slots *s, int32_t w)
{
    for (int i = 0; i < 2; i++) {
        memset(&s->r[i], 0, sizeof s->r[i]);
        s->r[i].struct_size = sizeof s->r[i];
        s->r[i].object_id = -1;
        s->r[i].mask = s->mask[i];
        s->r[i].mask_stride = (size_t)w;
        s->r[i].low_res_logits = s->logits[i];
    }
    return s->r;
}

static edgetam_tracker *new_tracker(edgetam_model *m)
{
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    tp.max_objects = 2;
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(m, &tp, &t), EDGETAM_OK);
    return t;
}

/* Tracks a fresh guarded NV12 frame (content from `seed`); checks the lock / unlock pairing and
 * that the planes were revoked once the call returned (a later read would have crashed). */
static edgetam_status track_sized(edgetam_tracker *t, uint32_t seed, int32_t w, int32_t h,
                                  edgetam_object_result *rs, int32_t cap)
{
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, w, h, 8, seed);
    const edgetam_status st = edgetam_tracker_track(t, &f.frame, rs, cap, NULL);
    assert_int_equal(f.lock_calls, f.unlock_calls);
    if (f.unlock_calls) assert_true(planes_revoked(&f));
    test_frame_free(&f);
    return st;
}

static edgetam_prompt click_prompt(const edgetam_point *pt)
{
    edgetam_prompt p = edgetam_prompt_default();
    p.points = pt;
    p.num_points = 1;
    return p;
}

/* A w x h mask prompt: a filled rectangle in the left half. */
static edgetam_prompt mask_prompt(uint8_t *buf, int32_t w, int32_t h)
{
    memset(buf, 0, (size_t)w * (size_t)h);
    for (int32_t y = h / 4; y < h / 2; y++) memset(buf + (size_t)y * w + w / 8, 1, (size_t)w / 3);
    edgetam_prompt p = edgetam_prompt_default();
    p.mask = buf;
    p.mask_stride = (size_t)w;
    return p;
}

static const edgetam_point click_a = {100, 80, 1}, click_b = {120, 200, 1};

/* ---- the stream's callback ---------------------------------------------------------------- */

/* What the callback saw. */
typedef struct recorder {
    callback_gate gate; /* counts the calls, can hold the worker inside one */
    int64_t timestamp[MAX_CALLS];
    edgetam_status status[MAX_CALLS], prompt_status[MAX_CALLS];
    int32_t prompts_applied[MAX_CALLS];
    char error[MAX_CALLS][256];
    observation obs[MAX_CALLS];
} recorder;

static void on_result(const edgetam_stream_result *r, void *user_data)
{
    recorder *rec = user_data;
    const int k = gate_enter(&rec->gate);
    if (k < MAX_CALLS) {
        rec->timestamp[k] = r->timestamp;
        rec->status[k] = r->status;
        rec->prompt_status[k] = r->prompt_status;
        rec->prompts_applied[k] = r->prompts_applied;
        snprintf(rec->error[k], sizeof rec->error[k], "%s", r->error);
        observe(&rec->obs[k], r->objects, r->num_objects, r->width, r->height);
    }
    gate_leave(&rec->gate);
}

static recorder *recorder_init(recorder *rec)
{
    memset(rec, 0, sizeof *rec);
    gate_init(&rec->gate);
    return rec;
}

static edgetam_stream_params stream_params(recorder *rec, edgetam_stream_policy policy)
{
    edgetam_stream_params sp = edgetam_stream_default_params();
    sp.policy = policy;
    sp.on_result = on_result;
    sp.user_data = rec;
    sp.output_low_res_logits = 1;
    sp.tracker.max_objects = 2;
    return sp;
}

static edgetam_stream *new_stream(edgetam_model *m, recorder *rec, edgetam_stream_policy policy)
{
    const edgetam_stream_params sp = stream_params(rec, policy);
    edgetam_stream *s = NULL;
    assert_int_equal(edgetam_stream_create(m, &sp, &s), EDGETAM_OK);
    return s;
}

static edgetam_stream_stats stats_of(const edgetam_stream *s)
{
    edgetam_stream_stats st;
    st.struct_size = sizeof st;
    assert_int_equal(edgetam_stream_get_stats(s, &st), EDGETAM_OK);
    return st;
}

/* Pushes a fresh guarded NV12 frame; checks the borrowing contract as track_sized does. */
static edgetam_status push_sized(edgetam_stream *s, uint32_t seed, int64_t ts, int32_t w, int32_t h)
{
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, w, h, 8, seed);
    const edgetam_status st = edgetam_stream_push(s, &f.frame, ts);
    assert_int_equal(f.lock_calls, f.unlock_calls);
    if (f.unlock_calls) assert_true(planes_revoked(&f));
    test_frame_free(&f);
    return st;
}

/* A frame whose unlock also records what the library had delivered by then (`probe`), so a test
 * can show the library finished the frame after the planes were revoked. */
typedef struct watched_frame {
    test_frame tf; /* first: test_frame's lock callback gets &tf through user_data */
    void (*inner_unlock)(void *user_data);
    int (*probe)(void *ctx);
    void *ctx;
    int seen_at_unlock;
} watched_frame;

static void watched_unlock(void *user_data)
{
    watched_frame *w = user_data;
    w->seen_at_unlock = w->probe(w->ctx);
    w->inner_unlock(user_data); /* revokes the planes */
}

static void watched_init(watched_frame *w, int32_t width, int32_t height, uint32_t seed,
                         int (*probe)(void *), void *ctx)
{
    test_frame_init(&w->tf, EDGETAM_FORMAT_NV12, width, height, 8, seed);
    w->inner_unlock = w->tf.frame.unlock;
    w->tf.frame.unlock = watched_unlock;
    w->tf.frame.user_data = w;
    w->probe = probe;
    w->ctx = ctx;
    w->seen_at_unlock = -1;
    assert_false(planes_revoked(&w->tf)); /* the probe tells readable planes apart */
}

static int probe_calls(void *rec) { return gate_calls(&((recorder *)rec)->gate); }
static int probe_first_id(void *results) { return ((edgetam_object_result *)results)->object_id; }

/* ---- setup -------------------------------------------------------------------------------- */

static int setup_models(void **state)
{
    (void)state;
    char path[1024], nan_path[1024], err[512];
    bad_bundle_path(path, sizeof path, bad_dir, bundle_path, "throws_on_white");
    bad_bundle_path(nan_path, sizeof nan_path, bad_dir, bundle_path, "nan_on_white");
    if (load(bundle_path, &model, err, sizeof err) != EDGETAM_OK ||
        load(path, &white_model, err, sizeof err) != EDGETAM_OK ||
        load(nan_path, &nan_model, err, sizeof err) != EDGETAM_OK) {
        fprintf(stderr, "cannot load the bundles: %s\n", err);
        return -1;
    }
    if (edgetam_model_input_size(model) != 256) {
        fprintf(stderr, "the stand-in bundle is expected at S = 256\n");
        return -1;
    }
    return 0;
}

static int teardown_models(void **state)
{
    (void)state;
    edgetam_model_free(nan_model);
    edgetam_model_free(white_model);
    edgetam_model_free(model);
    return counting_allocator_live() == 0 ? 0 : -1;
}

/* Totals over the allocation sweeps, for the summary line main() prints. */
static int64_t injected_total;

/* ---- 1. model load failures --------------------------------------------------------------- */

static void expect_load_failure(const char *path, edgetam_status want)
{
    const int64_t live = counting_allocator_live();
    char err[512] = "";
    edgetam_model *m = (edgetam_model *)&err; /* must be reset to NULL */
    const edgetam_status st = load(path, &m, err, sizeof err);
    if (st != want)
        fail_msg("%s: got %s \"%s\", expected %s", path, edgetam_status_str(st), err,
                 edgetam_status_str(want));
    assert_null(m);
    assert_true(strlen(err) > 0);
    assert_int_equal(counting_allocator_live(), live);
}

static void test_model_load_failures(void **state)
{
    (void)state;
    char path[1024];
    expect_load_failure("/nonexistent/model.edgetam", EDGETAM_ERR_MODEL_LOAD);
    expect_load_failure(bad_dir, EDGETAM_ERR_MODEL_LOAD); /* a directory */
    size_t count;
    const bad_bundle *cases = bad_bundles_for(bundle_path, &count);
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", bad_dir, cases[i].file);
        expect_load_failure(path, cases[i].status);
    }
}

/* Each allocation the library makes while loading fails once: OUT_OF_MEMORY, nothing held. */
static void test_model_load_out_of_memory(void **state)
{
    (void)state;
    int64_t points = 0;
    for (int64_t n = 0;; n++) {
        const int64_t live = counting_allocator_live();
        char err[512] = "";
        edgetam_model *m = NULL;
        counting_allocator_fail_nth(n);
        const edgetam_status st = load(bundle_path, &m, err, sizeof err);
        const int64_t failures = counting_allocator_fail_nth(-1);
        if (failures == 0) {
            assert_int_equal(st, EDGETAM_OK);
            edgetam_model_free(m);
            assert_int_equal(counting_allocator_live(), live);
            break;
        }
        assert_int_equal(failures, 1);
        if (st != EDGETAM_ERR_OUT_OF_MEMORY)
            fail_msg("allocation %lld failed: got %s \"%s\"", (long long)n, edgetam_status_str(st), err);
        assert_null(m);
        assert_true(strlen(err) > 0);
        assert_int_equal(counting_allocator_live(), live);
        points++;
    }
    assert_true(points >= 1);
    injected_total += points;
}

/* ---- 2. a forward that throws, or returns NaN, while tracking ----------------------------- */

/* Tracks a white frame on a tracker of a bundle that fails on it: the failure's message. */
static void track_white(edgetam_tracker *t, const char *message)
{
    const int32_t objects = edgetam_tracker_object_count(t);
    test_frame f;
    white_frame_init(&f);
    result_slots *rs = test_malloc(sizeof *rs);
    assert_int_equal(edgetam_tracker_track(t, &f.frame, slots_for(rs, W), 2, NULL),
                     EDGETAM_ERR_INFERENCE);
    assert_int_equal(f.unlock_calls, 1); /* borrowed and released before the model ran */
    const char *err = edgetam_tracker_last_error(t);
    if (!strstr(err, message)) fail_msg("last error \"%s\" lacks \"%s\"", err, message);
    assert_int_equal(edgetam_tracker_object_count(t), objects);
    test_free(rs);
    test_frame_free(&f);
}

/* A fixed session; with `white` (the failure's expected message), white frames are tracked in
 * between: right after a prompt (the tracker then re-encodes the prompted frame's memory first) and
 * between two plain frames. Observes every plain frame. */
static void tracker_session(edgetam_model *m, const char *white, observation out[5])
{
    edgetam_tracker *t = new_tracker(m);
    result_slots *rs = test_malloc(sizeof *rs);
    const edgetam_prompt pa = click_prompt(&click_a), pb = click_prompt(&click_b);
    assert_int_equal(track_sized(t, 10, W, H, NULL, 0), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pa, NULL), EDGETAM_OK);
    if (white) track_white(t, white);
    for (uint32_t k = 0; k < 4; k++) {
        assert_int_equal(track_sized(t, 11 + k, W, H, slots_for(rs, W), 2), EDGETAM_OK);
        observe(&out[k], rs->r, edgetam_tracker_object_count(t), W, H);
        if (k == 1) {
            assert_int_equal(edgetam_tracker_add_prompt(t, 2, &pb, NULL), EDGETAM_OK);
            if (white) track_white(t, white);
        }
        if (k == 2 && white) track_white(t, white);
    }
    assert_int_equal(edgetam_tracker_add_prompt(t, 2, &pa, slots_for(rs, W)), EDGETAM_OK);
    observe(&out[4], rs->r, 1, W, H);
    edgetam_tracker_stats st;
    st.struct_size = sizeof st;
    assert_int_equal(edgetam_tracker_get_stats(t, &st), EDGETAM_OK);
    assert_int_equal(st.processed, 5);
    assert_int_equal(st.failed, white ? 3 : 0);
    test_free(rs);
    edgetam_tracker_destroy(t);
}

/* A tracker of `m` (failing on white frames with `message`) ends exactly as its twin that never
 * saw a white frame, which tracks as the stand-in itself. */
static void expect_tracker_survives(edgetam_model *m, const char *message)
{
    const int64_t live = counting_allocator_live();
    static observation plain[5], clean[5], faulted[5];
    tracker_session(m, NULL, clean);
    tracker_session(m, message, faulted);
    assert_int_equal(faulted[3].count, 2);
    assert_memory_equal(clean, faulted, sizeof clean);
    /* and the bundle only adds the failure: plain frames track as on the stand-in itself */
    tracker_session(model, NULL, plain);
    assert_memory_equal(plain, clean, sizeof clean);
    assert_int_equal(counting_allocator_live(), live);
}

static void test_tracker_survives_a_throwing_forward(void **state)
{
    (void)state;
    expect_tracker_survives(white_model, throws_on_white_error(bundle_path));
}

/* NaN in an output fails the call (EDGETAM_ERR_INFERENCE) before the tracker keeps anything. */
static void test_tracker_survives_nan_outputs(void **state)
{
    (void)state;
    expect_tracker_survives(nan_model, NAN_MESSAGE);
}

/* The same through a stream: the white frame's callback says why; the prompt queued before it
 * waits for the next frame that tracks; everything else is as without it. */
static void stream_session(edgetam_model *m, recorder *rec, int white)
{
    edgetam_stream *s = new_stream(m, recorder_init(rec), EDGETAM_STREAM_DROP_NEW);
    const edgetam_prompt pa = click_prompt(&click_a), pb = click_prompt(&click_b);
    int64_t ts = 0;
    for (uint32_t k = 0; k < 5; k++) {
        assert_int_equal(push_sized(s, 40 + k, ++ts, W, H), EDGETAM_OK);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
        if (k == 0) assert_int_equal(edgetam_stream_add_prompt(s, 1, &pa), EDGETAM_OK);
        if (k == 2) assert_int_equal(edgetam_stream_add_prompt(s, 2, &pb), EDGETAM_OK);
        if (white && (k == 0 || k == 3)) {
            test_frame f;
            white_frame_init(&f);
            assert_int_equal(edgetam_stream_push(s, &f.frame, ++ts), EDGETAM_OK);
            assert_int_equal(f.unlock_calls, 1);
            test_frame_free(&f);
            assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
        }
    }
    const edgetam_stream_stats st = stats_of(s);
    edgetam_stream_destroy(s);
    assert_int_equal(st.converted, white ? 7 : 5);
    assert_int_equal(st.processed, 5);
    assert_int_equal(st.failed, white ? 2 : 0);
}

static void expect_stream_survives(edgetam_model *m, const char *message)
{
    const int64_t live = counting_allocator_live();
    static recorder clean, faulted;
    stream_session(m, &clean, 0);
    stream_session(m, &faulted, 1);
    assert_int_equal(clean.gate.calls, 5);
    assert_int_equal(faulted.gate.calls, 7);
    for (int k = 0, c = 0; k < faulted.gate.calls; k++) {
        if (k == 1 || k == 5) { /* the white frames */
            assert_int_equal(faulted.status[k], EDGETAM_ERR_INFERENCE);
            if (!strstr(faulted.error[k], message))
                fail_msg("callback %d: error \"%s\" lacks \"%s\"", k, faulted.error[k], message);
            assert_int_equal(faulted.obs[k].count, 0);
            assert_int_equal(faulted.prompts_applied[k], 0); /* the prompt waits */
            continue;
        }
        assert_int_equal(faulted.status[k], EDGETAM_OK);
        assert_string_equal(faulted.error[k], "");
        assert_int_equal(faulted.prompts_applied[k], clean.prompts_applied[c]);
        assert_memory_equal(&faulted.obs[k], &clean.obs[c], sizeof clean.obs[c]);
        c++;
    }
    assert_int_equal(clean.obs[4].count, 2);
    assert_int_equal(counting_allocator_live(), live);
}

static void test_stream_survives_a_throwing_forward(void **state)
{
    (void)state;
    expect_stream_survives(white_model, throws_on_white_error(bundle_path));
}

static void test_stream_survives_nan_outputs(void **state)
{
    (void)state;
    expect_stream_survives(nan_model, NAN_MESSAGE);
}

/* ---- 3. allocation failures --------------------------------------------------------------- */

/* The tracker scenario's calls; those marked * allocate, the others must not. */
enum {
    T_CREATE,       /* * tracker, converter, per-frame buffers */
    T_TRACK,        /* * first frame: resampler plans, upsampling plan */
    T_CLICK,        /* * a new object */
    T_MASK,         /* * a new object, mask buffers */
    T_TRACK_SAME,   /*   same size: nothing */
    T_TRACK_RESIZE, /* * new size: resampler plans, upsampling plan */
    T_MASK_RESIZE,  /* * taller frame: the mask scratch grows */
    T_CLICK_RESIZE, /*   refining an object: nothing */
    T_TRACK_LAST,   /*   nothing */
    T_STEPS
};
static const int tracker_step_allocates[T_STEPS] = {1, 1, 1, 1, 0, 1, 1, 0, 0};

/* Runs `call`; a failed allocation must come back as EDGETAM_ERR_OUT_OF_MEMORY with a message and
 * change nothing, so making the same call again (nothing fails twice) must succeed and the
 * session must go on exactly as if nothing had happened. */
#define TRACKER_CALL(t, step, hits, call)                                                          \
    do {                                                                                           \
        edgetam_status st_ = (call);                                                               \
        if (st_ == EDGETAM_ERR_OUT_OF_MEMORY) {                                                    \
            (hits)[step]++;                                                                        \
            assert_true(strlen(edgetam_tracker_last_error(t)) > 0);                                \
            st_ = (call);                                                                          \
        }                                                                                          \
        if (st_ != EDGETAM_OK) fail_msg("step %d: %s", (int)(step), edgetam_status_str(st_));      \
    } while (0)

static void tracker_scenario(observation out[6], int hits[T_STEPS])
{
    static uint8_t mask[MAX_PIXELS];
    result_slots *rs = test_malloc(sizeof *rs);
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    tp.max_objects = 2;
    edgetam_tracker *t = NULL;
    edgetam_status st = edgetam_tracker_create(model, &tp, &t);
    if (st == EDGETAM_ERR_OUT_OF_MEMORY) {
        hits[T_CREATE]++;
        assert_null(t);
        st = edgetam_tracker_create(model, &tp, &t);
    }
    assert_int_equal(st, EDGETAM_OK);
    const edgetam_prompt pa = click_prompt(&click_a), pb = click_prompt(&click_b);
    const edgetam_prompt pm = mask_prompt(mask, W, H);
    TRACKER_CALL(t, T_TRACK, hits, track_sized(t, 1, W, H, NULL, 0));
    TRACKER_CALL(t, T_CLICK, hits, edgetam_tracker_add_prompt(t, 1, &pa, slots_for(rs, W)));
    observe(&out[0], rs->r, 1, W, H);
    TRACKER_CALL(t, T_MASK, hits, edgetam_tracker_add_prompt(t, 2, &pm, slots_for(rs, W)));
    observe(&out[1], rs->r, 1, W, H);
    TRACKER_CALL(t, T_TRACK_SAME, hits, track_sized(t, 2, W, H, slots_for(rs, W), 2));
    observe(&out[2], rs->r, 2, W, H);
    TRACKER_CALL(t, T_TRACK_RESIZE, hits, track_sized(t, 3, W2, H2, slots_for(rs, W2), 2));
    observe(&out[3], rs->r, 2, W2, H2);
    const edgetam_prompt pm2 = mask_prompt(mask, W2, H2);
    TRACKER_CALL(t, T_MASK_RESIZE, hits, edgetam_tracker_add_prompt(t, 2, &pm2, NULL));
    TRACKER_CALL(t, T_CLICK_RESIZE, hits,
                 edgetam_tracker_add_prompt(t, 1, &pb, slots_for(rs, W2)));
    observe(&out[4], rs->r, 1, W2, H2);
    TRACKER_CALL(t, T_TRACK_LAST, hits, track_sized(t, 4, W2, H2, slots_for(rs, W2), 2));
    observe(&out[5], rs->r, 2, W2, H2);
    edgetam_tracker_destroy(t);
    test_free(rs);
}

static void test_tracker_allocation_failures(void **state)
{
    (void)state;
    static observation clean[6], faulted[6];
    int clean_hits[T_STEPS] = {0}, hits[T_STEPS] = {0};
    tracker_scenario(clean, clean_hits);
    int64_t points = 0;
    for (int64_t n = 0;; n++) {
        const int64_t live = counting_allocator_live();
        int run_hits[T_STEPS] = {0};
        memset(faulted, 0xA5, sizeof faulted);
        counting_allocator_fail_nth(n);
        tracker_scenario(faulted, run_hits);
        const int64_t failures = counting_allocator_fail_nth(-1);
        assert_int_equal(counting_allocator_live(), live);
        int reported = 0;
        for (int s = 0; s < T_STEPS; s++) {
            reported += run_hits[s];
            hits[s] += run_hits[s];
        }
        if (failures == 0) {
            assert_int_equal(reported, 0);
            break;
        }
        assert_int_equal(failures, 1);
        if (reported != 1) fail_msg("allocation %lld failed; %d calls said so", (long long)n, reported);
        assert_memory_equal(faulted, clean, sizeof clean);
        points++;
    }
    for (int s = 0; s < T_STEPS; s++)
        if (!tracker_step_allocates[s] != !hits[s])
            fail_msg("step %d: %d failed allocations, expected %s", s, hits[s],
                     tracker_step_allocates[s] ? "some" : "none");
    print_message("tracker: %lld allocation failures injected at distinct points\n", (long long)points);
    assert_true(points >= 40);
    injected_total += points;
}

/* A failed frame-size change leaves the tracker exactly as it was, including what it needs to
 * write results: a prompt on the current (old-size) frame gives the same result as without the
 * failed call. */
static void test_failed_resize_keeps_results(void **state)
{
    (void)state;
    static observation clean, faulted;
    result_slots *rs = test_malloc(sizeof *rs);
    const edgetam_prompt pa = click_prompt(&click_a), pb = click_prompt(&click_b);
    edgetam_tracker *t = new_tracker(model);
    assert_int_equal(track_sized(t, 1, W, H, NULL, 0), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pa, NULL), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pb, slots_for(rs, W)), EDGETAM_OK);
    observe(&clean, rs->r, 1, W, H);
    edgetam_tracker_destroy(t);
    int64_t points = 0;
    for (int64_t n = 0;; n++) {
        t = new_tracker(model);
        assert_int_equal(track_sized(t, 1, W, H, NULL, 0), EDGETAM_OK);
        assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pa, NULL), EDGETAM_OK);
        counting_allocator_fail_nth(n);
        const edgetam_status st = track_sized(t, 3, W2, H2, slots_for(rs, W2), 2);
        const int64_t failures = counting_allocator_fail_nth(-1);
        if (failures == 0) {
            assert_int_equal(st, EDGETAM_OK);
            edgetam_tracker_destroy(t);
            break;
        }
        assert_int_equal(st, EDGETAM_ERR_OUT_OF_MEMORY);
        assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pb, slots_for(rs, W)), EDGETAM_OK);
        observe(&faulted, rs->r, 1, W, H);
        if (memcmp(&faulted, &clean, sizeof clean) != 0)
            fail_msg("allocation %lld of the resize failed: the next prompt's result differs "
                     "(area %lld, expected %lld)", (long long)n, (long long)faulted.area[0],
                     (long long)clean.area[0]);
        edgetam_tracker_destroy(t);
        points++;
    }
    assert_true(points >= 2);
    test_free(rs);
}

/* The stream scenario's steps. Allocations show as a call's status, or in the callback of the
 * frame being processed (status or prompt_status). */
enum {
    S_CREATE,      /* * stream, tracker, two converters, result slots */
    S_PUSH,        /* * first frame: resampler plans (push), upsampling plan, result buffers */
    S_CLICK,       /*   points are copied into the queue: nothing */
    S_MASK,        /* * the mask copy */
    S_PUSH_SAME,   /* * both prompts applied: two objects, mask buffers, bigger result buffers */
    S_PUSH_RESIZE, /* * new size: plans, result buffers */
    S_PUSH_LAST,   /*   nothing */
    S_STEPS
};
static const int stream_step_allocates[S_STEPS] = {1, 1, 0, 1, 1, 1, 0};

typedef struct stream_log {
    int hits[S_STEPS];
    int returned; /* failures reported by a call's status (retried: nothing changed) */
    int pushes;   /* accepted pushes, so callbacks */
    int rejected, failed_frames;
} stream_log;

/* A push that a failed allocation refuses is retried with the next timestamp: a failed push
 * changes nothing but the timestamp. Then waits for the callback and checks what it says. */
static void sweep_push(edgetam_stream *s, recorder *rec, int step, stream_log *log, int64_t *ts,
                       uint32_t seed, int32_t w, int32_t h)
{
    edgetam_status st = push_sized(s, seed, ++*ts, w, h);
    if (st == EDGETAM_ERR_OUT_OF_MEMORY) {
        log->hits[step]++;
        log->returned++;
        log->rejected++;
        st = push_sized(s, seed, ++*ts, w, h);
    }
    if (st != EDGETAM_OK) fail_msg("step %d: push gave %s", step, edgetam_status_str(st));
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    const int k = log->pushes++;
    assert_int_equal(gate_calls(&rec->gate), log->pushes);
    const edgetam_status cs = rec->status[k], ps = rec->prompt_status[k];
    if ((cs != EDGETAM_OK && cs != EDGETAM_ERR_OUT_OF_MEMORY) ||
        (ps != EDGETAM_OK && ps != EDGETAM_ERR_OUT_OF_MEMORY))
        fail_msg("step %d: callback status %s, prompt_status %s", step, edgetam_status_str(cs),
                 edgetam_status_str(ps));
    if (cs != EDGETAM_OK) {
        log->failed_frames++;
        assert_int_equal(rec->obs[k].count, 0);
    }
    if (cs != EDGETAM_OK || ps != EDGETAM_OK) {
        log->hits[step] += (cs != EDGETAM_OK) + (ps != EDGETAM_OK);
        assert_true(strlen(rec->error[k]) > 0);
    }
}

#define STREAM_CALL(step, log, call)                                                               \
    do {                                                                                           \
        edgetam_status st_ = (call);                                                               \
        if (st_ == EDGETAM_ERR_OUT_OF_MEMORY) {                                                    \
            (log)->hits[step]++;                                                                   \
            (log)->returned++;                                                                     \
            st_ = (call);                                                                          \
        }                                                                                          \
        if (st_ != EDGETAM_OK) fail_msg("step %d: %s", (int)(step), edgetam_status_str(st_));      \
    } while (0)

/* Runs the scenario with allocations failing as armed; returns the stream, still alive, so the
 * caller can disarm the failures and check it still works. */
static edgetam_stream *stream_scenario(recorder *rec, stream_log *log, int64_t *ts)
{
    static uint8_t mask[W * H];
    edgetam_stream_params sp = stream_params(recorder_init(rec), EDGETAM_STREAM_DROP_NEW);
    sp.output_probability = 1; /* every kind of result buffer */
    edgetam_stream *s = NULL;
    edgetam_status st = edgetam_stream_create(model, &sp, &s);
    if (st == EDGETAM_ERR_OUT_OF_MEMORY) {
        log->hits[S_CREATE]++;
        log->returned++;
        assert_null(s);
        st = edgetam_stream_create(model, &sp, &s);
    }
    assert_int_equal(st, EDGETAM_OK);
    const edgetam_prompt pa = click_prompt(&click_a);
    edgetam_prompt pm = mask_prompt(mask, W, H);
    sweep_push(s, rec, S_PUSH, log, ts, 1, W, H);
    STREAM_CALL(S_CLICK, log, edgetam_stream_add_prompt(s, 1, &pa));
    STREAM_CALL(S_MASK, log, edgetam_stream_add_prompt(s, 2, &pm));
    memset(mask, 0, sizeof mask); /* copied: the stream must not see this */
    sweep_push(s, rec, S_PUSH_SAME, log, ts, 2, W, H);
    sweep_push(s, rec, S_PUSH_RESIZE, log, ts, 3, W2, H2);
    sweep_push(s, rec, S_PUSH_LAST, log, ts, 4, W2, H2);
    return s;
}

/* With nothing failing any more: one more frame tracks fine, the counters add up, everything is
 * freed. */
static void stream_finish(edgetam_stream *s, recorder *rec, stream_log *log, int64_t *ts)
{
    const int k = log->pushes;
    assert_int_equal(push_sized(s, 5, ++*ts, W2, H2), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(gate_calls(&rec->gate), k + 1);
    assert_int_equal(rec->status[k], EDGETAM_OK);
    assert_int_equal(rec->prompt_status[k], EDGETAM_OK);
    assert_true(rec->obs[k].count >= 1);
    const edgetam_stream_stats st = stats_of(s);
    assert_int_equal(st.converted, (uint64_t)k + 1);
    assert_int_equal(st.rejected, (uint64_t)log->rejected);
    assert_int_equal(st.failed, (uint64_t)log->failed_frames);
    assert_int_equal(st.processed, (uint64_t)(k + 1 - log->failed_frames));
    edgetam_stream_destroy(s);
}

static void test_stream_allocation_failures(void **state)
{
    (void)state;
    static recorder clean, faulted;
    stream_log clean_log = {0};
    int hits[S_STEPS] = {0};
    int64_t ts = 0;
    stream_finish(stream_scenario(&clean, &clean_log, &ts), &clean, &clean_log, &ts);
    assert_int_equal(clean.obs[clean.gate.calls - 1].count, 2);
    int64_t points = 0, in_callbacks = 0;
    for (int64_t n = 0;; n++) {
        const int64_t live = counting_allocator_live();
        stream_log log = {0};
        ts = 0;
        counting_allocator_fail_nth(n);
        edgetam_stream *s = stream_scenario(&faulted, &log, &ts);
        const int64_t failures = counting_allocator_fail_nth(-1);
        stream_finish(s, &faulted, &log, &ts);
        assert_int_equal(counting_allocator_live(), live);
        int reported = 0;
        for (int i = 0; i < S_STEPS; i++) {
            reported += log.hits[i];
            hits[i] += log.hits[i];
        }
        if (failures == 0) {
            assert_int_equal(reported, 0);
            break;
        }
        assert_int_equal(failures, 1);
        if (reported != 1) fail_msg("allocation %lld failed; reported %d times", (long long)n, reported);
        if (log.returned) { /* a call failed and was made again: as if nothing had happened */
            assert_int_equal(faulted.gate.calls, clean.gate.calls);
            for (int k = 0; k < clean.gate.calls; k++) {
                assert_int_equal(faulted.status[k], clean.status[k]);
                assert_memory_equal(&faulted.obs[k], &clean.obs[k], sizeof clean.obs[k]);
            }
        } else {
            in_callbacks++;
        }
        points++;
    }
    for (int i = 0; i < S_STEPS; i++)
        if (!stream_step_allocates[i] != !hits[i])
            fail_msg("step %d: %d failed allocations, expected %s", i, hits[i],
                     stream_step_allocates[i] ? "some" : "none");
    print_message("stream: %lld allocation failures injected at distinct points, %lld reported "
                  "in callbacks\n", (long long)points, (long long)in_callbacks);
    assert_true(points >= 40);
    assert_true(in_callbacks >= 3);
    injected_total += points;
}

/* ---- 4. a lock callback that fails -------------------------------------------------------- */

/* Nothing is read (the planes are inaccessible, so a read would crash), unlock is not called, and
 * the next frames track as if the failed one had never been offered. */
static void test_failing_lock(void **state)
{
    (void)state;
    const int64_t live = counting_allocator_live();
    static observation clean, faulted;
    result_slots *rs = test_malloc(sizeof *rs);
    const edgetam_prompt pa = click_prompt(&click_a);
    edgetam_tracker *t = new_tracker(model), *u = new_tracker(model);
    for (int i = 0; i < 2; i++) {
        edgetam_tracker *x = i ? u : t;
        assert_int_equal(track_sized(x, 1, W, H, NULL, 0), EDGETAM_OK);
        assert_int_equal(edgetam_tracker_add_prompt(x, 1, &pa, NULL), EDGETAM_OK);
    }
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 8, 99);
    f.fail_lock = 1;
    protect_planes(&f);
    assert_int_equal(edgetam_tracker_track(u, &f.frame, slots_for(rs, W), 2, NULL),
                     EDGETAM_ERR_LOCK_FAILED);
    assert_int_equal(f.lock_calls, 1);
    assert_int_equal(f.unlock_calls, 0);
    assert_true(strlen(edgetam_tracker_last_error(u)) > 0);
    assert_int_equal(rs->r[0].object_id, -1); /* no result written */
    for (int i = 0; i < 2; i++) {
        edgetam_tracker *x = i ? u : t;
        assert_int_equal(track_sized(x, 2, W, H, slots_for(rs, W), 2), EDGETAM_OK);
        observe(i ? &faulted : &clean, rs->r, 1, W, H);
    }
    assert_memory_equal(&faulted, &clean, sizeof clean);
    edgetam_tracker_stats st;
    st.struct_size = sizeof st;
    assert_int_equal(edgetam_tracker_get_stats(u, &st), EDGETAM_OK);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.processed, 2);
    edgetam_tracker_destroy(t);
    edgetam_tracker_destroy(u);

    /* the stream, idle and busy (KEEP_LATEST would convert over the waiting frame) */
    static recorder rec;
    for (int policy = 0; policy < 2; policy++) {
        edgetam_stream *s = new_stream(model, recorder_init(&rec), (edgetam_stream_policy)policy);
        const int busy = policy == EDGETAM_STREAM_KEEP_LATEST;
        if (busy) gate_hold(&rec.gate, 1);
        assert_int_equal(push_sized(s, 1, 1, W, H), EDGETAM_OK);
        if (busy) {
            gate_wait_inside(&rec.gate);
            assert_int_equal(push_sized(s, 2, 2, W, H), EDGETAM_OK); /* waiting */
        } else {
            assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK); /* else DROP_NEW drops */
        }
        f.lock_calls = 0;
        assert_int_equal(edgetam_stream_push(s, &f.frame, 3), EDGETAM_ERR_LOCK_FAILED);
        assert_int_equal(f.lock_calls, 1);
        assert_int_equal(f.unlock_calls, 0);
        gate_hold(&rec.gate, 0);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
        assert_int_equal(push_sized(s, 4, 4, W, H), EDGETAM_OK);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
        const edgetam_stream_stats st2 = stats_of(s);
        edgetam_stream_destroy(s);
        assert_int_equal(st2.rejected, 1);
        assert_int_equal(st2.failed, 0);
        assert_int_equal(rec.gate.calls, busy ? 3 : 2);
        assert_int_equal(rec.timestamp[rec.gate.calls - 2], busy ? 2 : 1); /* the waiting frame kept */
        assert_int_equal(rec.timestamp[rec.gate.calls - 1], 4);
        for (int k = 0; k < rec.gate.calls; k++) assert_int_equal(rec.status[k], EDGETAM_OK);
    }
    test_frame_restore(&f);
    test_frame_free(&f);
    test_free(rs);
    assert_int_equal(counting_allocator_live(), live);
}

/* ---- 5. planes revoked at unlock ---------------------------------------------------------- */

/* The planes are gone once unlock ran, and the library still had work to do on the frame then
 * (results were delivered after it): any late read of the caller's pixels would have crashed. */
static void test_planes_revoked_at_unlock(void **state)
{
    (void)state;
    const int64_t live = counting_allocator_live();
    result_slots *rs = test_malloc(sizeof *rs);
    const edgetam_prompt pa = click_prompt(&click_a);

    /* tracker: results are written after unlock */
    edgetam_tracker *t = new_tracker(model);
    assert_int_equal(track_sized(t, 1, W, H, NULL, 0), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pa, NULL), EDGETAM_OK);
    edgetam_object_result *r = slots_for(rs, W);
    memset(rs->mask[0], 0x77, W * H);
    watched_frame w;
    watched_init(&w, W, H, 2, probe_first_id, &r[0]);
    assert_int_equal(edgetam_tracker_track(t, &w.tf.frame, r, 2, NULL), EDGETAM_OK);
    assert_int_equal(w.tf.unlock_calls, 1);
    assert_true(planes_revoked(&w.tf));
    assert_int_equal(w.seen_at_unlock, -1); /* nothing delivered yet at unlock */
    assert_int_equal(r[0].object_id, 1);
    for (size_t i = 0; i < W * H; i++)
        if (rs->mask[0][i] != 0 && rs->mask[0][i] != 255) fail_msg("mask byte %zu not written", i);
    test_frame_free(&w.tf);
    edgetam_tracker_destroy(t);

    /* stream, idle: push converts, unlocks, then the worker tracks and calls back */
    static recorder rec, ref;
    edgetam_stream *s = new_stream(model, recorder_init(&rec), EDGETAM_STREAM_KEEP_LATEST);
    assert_int_equal(push_sized(s, 1, 1, W, H), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &pa), EDGETAM_OK);
    watched_init(&w, W, H, 2, probe_calls, &rec);
    assert_int_equal(edgetam_stream_push(s, &w.tf.frame, 2), EDGETAM_OK);
    assert_true(planes_revoked(&w.tf));
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(w.seen_at_unlock, 1);
    assert_int_equal(gate_calls(&rec.gate), 2);
    assert_int_equal(rec.status[1], EDGETAM_OK);
    assert_int_equal(rec.obs[1].count, 1);
    test_frame_free(&w.tf);

    /* stream, busy: KEEP_LATEST converts while the worker runs; the frame it keeps (the latest)
     * is tracked long after its planes were revoked */
    gate_hold(&rec.gate, 1);
    assert_int_equal(push_sized(s, 3, 3, W, H), EDGETAM_OK);
    gate_wait_inside(&rec.gate);
    watched_frame w4, w5;
    watched_init(&w4, W, H, 4, probe_calls, &rec);
    watched_init(&w5, W, H, 5, probe_calls, &rec);
    assert_int_equal(edgetam_stream_push(s, &w4.tf.frame, 4), EDGETAM_OK);
    assert_int_equal(edgetam_stream_push(s, &w5.tf.frame, 5), EDGETAM_OK); /* replaces 4 */
    assert_true(planes_revoked(&w4.tf));
    assert_true(planes_revoked(&w5.tf));
    assert_int_equal(w4.seen_at_unlock, 2);
    assert_int_equal(w5.seen_at_unlock, 2);
    gate_hold(&rec.gate, 0);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    const edgetam_stream_stats st = stats_of(s);
    edgetam_stream_destroy(s);
    assert_int_equal(st.dropped_replaced, 1);
    assert_int_equal(rec.gate.calls, 4);
    assert_int_equal(rec.timestamp[3], 5);
    assert_int_equal(rec.status[3], EDGETAM_OK);
    test_frame_free(&w4.tf);
    test_frame_free(&w5.tf);

    /* frame 5 gave exactly what it gives in a stream that never saw frame 4 */
    s = new_stream(model, recorder_init(&ref), EDGETAM_STREAM_DROP_NEW);
    static const uint32_t seeds[] = {1, 2, 3, 5};
    for (int k = 0; k < 4; k++) {
        assert_int_equal(push_sized(s, seeds[k], k + 1, W, H), EDGETAM_OK);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
        if (k == 0) assert_int_equal(edgetam_stream_add_prompt(s, 1, &pa), EDGETAM_OK);
    }
    edgetam_stream_destroy(s);
    assert_int_equal(ref.gate.calls, 4);
    assert_memory_equal(&rec.obs[3], &ref.obs[3], sizeof ref.obs[3]);
    test_free(rs);
    assert_int_equal(counting_allocator_live(), live);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s BUNDLE BAD_BUNDLE_DIR\n", argv[0]);
        return 2;
    }
    bundle_path = argv[1];
    bad_dir = argv[2];
    counting_allocator_install(); /* before anything allocates */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model_load_failures),
        cmocka_unit_test(test_model_load_out_of_memory),
        cmocka_unit_test(test_tracker_survives_a_throwing_forward),
        cmocka_unit_test(test_stream_survives_a_throwing_forward),
        cmocka_unit_test(test_tracker_survives_nan_outputs),
        cmocka_unit_test(test_stream_survives_nan_outputs),
        cmocka_unit_test(test_tracker_allocation_failures),
        cmocka_unit_test(test_failed_resize_keeps_results),
        cmocka_unit_test(test_stream_allocation_failures),
        cmocka_unit_test(test_failing_lock),
        cmocka_unit_test(test_planes_revoked_at_unlock),
    };
    const int failed = cmocka_run_group_tests(tests, setup_models, teardown_models);
    printf("test_faults: %lld allocation failures injected, each at a different allocation\n",
           (long long)injected_total);
    return failed;
}
