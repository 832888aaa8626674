/* The live stream's contract with the stand-in bundle: it tracks exactly like a tracker, drops or
 * replaces frames while busy without touching them, rejects bad timestamps and prompts, queues
 * prompts for the next frame, accounts for every frame, shuts down cleanly (also from its own
 * callback) and frees everything. Every frame is guarded: its planes are revoked at unlock.
 * Usage: test_stream BUNDLE */
#define _GNU_SOURCE /* pthreads, nanosleep, syscall under -std=c11 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <cmocka.h>

#include "callback_gate.h"
#include "counting_allocator.h"
#include "edgetam.h"
#include "test_frame.h"

#define W 320
#define H 240
#define LOW_RES (64 * 64) /* stand-in: S = 256 */
#define MAX_CALLS 64

static const char *bundle_path;
static edgetam_model *model;

/* What the callback saw. */
typedef struct recorder {
    callback_gate gate; /* counts the calls, can hold the worker inside one */
    int destroy_self;
    edgetam_stream *stream;
    int64_t timestamp[MAX_CALLS];
    edgetam_status status[MAX_CALLS], prompt_status[MAX_CALLS];
    int32_t prompts_applied[MAX_CALLS], num_objects[MAX_CALLS], ids[MAX_CALLS][2];
    int64_t area[MAX_CALLS][2];
    float logits[MAX_CALLS][2][LOW_RES];
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
        rec->num_objects[k] = r->num_objects;
        for (int32_t i = 0; i < r->num_objects && i < 2; i++) {
            rec->ids[k][i] = r->objects[i].object_id;
            rec->area[k][i] = r->objects[i].area;
            if (r->objects[i].low_res_logits)
                memcpy(rec->logits[k][i], r->objects[i].low_res_logits, sizeof rec->logits[k][i]);
        }
    }
    gate_leave(&rec->gate);
    if (rec->destroy_self) edgetam_stream_destroy(rec->stream);
}

static recorder *recorder_new(void)
{
    static recorder rec; /* large; one stream under test at a time */
    memset(&rec, 0, sizeof rec);
    gate_init(&rec.gate);
    return &rec;
}

static edgetam_stream *new_stream(recorder *rec, edgetam_stream_policy policy)
{
    edgetam_stream_params sp = edgetam_stream_default_params();
    sp.policy = policy;
    sp.on_result = on_result;
    sp.user_data = rec;
    sp.output_low_res_logits = 1;
    sp.tracker.max_objects = 2;
    edgetam_stream *s = NULL;
    assert_int_equal(edgetam_stream_create(model, &sp, &s), EDGETAM_OK);
    rec->stream = s;
    return s;
}

static edgetam_stream_stats stats_of(const edgetam_stream *s)
{
    edgetam_stream_stats st;
    st.struct_size = sizeof st;
    assert_int_equal(edgetam_stream_get_stats(s, &st), EDGETAM_OK);
    return st;
}

/* Pushes a fresh guarded frame (NV12, content from `seed`, w x h); checks the borrowing contract:
 * dropped and rejected frames are never locked, others are unlocked exactly once. */
static edgetam_status push_sized(edgetam_stream *s, uint32_t seed, int64_t ts, int32_t w, int32_t h,
                                 int fail_lock)
{
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, w, h, 8, seed);
    f.fail_lock = fail_lock;
    const edgetam_status st = edgetam_stream_push(s, &f.frame, ts);
    if (st == EDGETAM_DROPPED || st == EDGETAM_ERR_BAD_TIMESTAMP) assert_int_equal(f.lock_calls, 0);
    else assert_int_equal(f.unlock_calls, fail_lock ? 0 : 1);
    test_frame_free(&f);
    return st;
}

static edgetam_status push(edgetam_stream *s, uint32_t seed, int64_t ts)
{
    return push_sized(s, seed, ts, W, H, 0);
}

static edgetam_prompt click_prompt(const edgetam_point *pt)
{
    edgetam_prompt p = edgetam_prompt_default();
    p.points = pt;
    p.num_points = 1;
    return p;
}

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
    return counting_allocator_live() == 0 ? 0 : -1;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_params(void **state)
{
    (void)state;
    edgetam_stream_params sp = edgetam_stream_default_params();
    assert_int_equal(sp.struct_size, sizeof sp);
    assert_int_equal(sp.policy, EDGETAM_STREAM_DROP_NEW);
    assert_int_equal(sp.output_masks, 1);
    assert_int_equal(sp.tracker.max_objects, edgetam_tracker_default_params().max_objects);
    edgetam_stream *s = (edgetam_stream *)&sp; /* must be reset to NULL on failure */
    assert_int_equal(edgetam_stream_create(NULL, &sp, &s), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(edgetam_stream_create(model, NULL, &s), EDGETAM_ERR_INVALID_ARGUMENT);
    sp.struct_size--;
    assert_int_equal(edgetam_stream_create(model, &sp, &s), EDGETAM_ERR_ABI_MISMATCH);
    sp = edgetam_stream_default_params();
    sp.policy = (edgetam_stream_policy)7;
    assert_int_equal(edgetam_stream_create(model, &sp, &s), EDGETAM_ERR_INVALID_ARGUMENT);
    sp = edgetam_stream_default_params();
    sp.tracker.max_objects = 0;
    assert_int_equal(edgetam_stream_create(model, &sp, &s), EDGETAM_ERR_INVALID_ARGUMENT);
    sp.tracker.struct_size = 0;
    assert_int_equal(edgetam_stream_create(model, &sp, &s), EDGETAM_ERR_ABI_MISMATCH);
    assert_null(s);
    edgetam_stream_destroy(NULL);
    assert_int_equal(edgetam_stream_push(NULL, NULL, 0), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_stream_flush(NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_stream_reset(NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_stream_remove_object(NULL, 1), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_stream_get_stats(NULL, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
}

/* A stream fed one frame at a time gives exactly what a tracker gives when each prompt is added
 * right after the frame the stream applies it to. */
static void test_stream_tracks_like_a_tracker(void **state)
{
    (void)state;
    const int64_t live = counting_allocator_live();
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_DROP_NEW);
    const edgetam_point a = {100, 80, 1}, b = {220, 150, 1};
    const edgetam_prompt pa = click_prompt(&a), pb = click_prompt(&b);
    for (uint32_t k = 0; k < 6; k++) {
        assert_int_equal(push(s, 40 + k, 1000 * (int64_t)k), EDGETAM_OK);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
        if (k == 0) assert_int_equal(edgetam_stream_add_prompt(s, 1, &pa), EDGETAM_OK);
        if (k == 2) assert_int_equal(edgetam_stream_add_prompt(s, 2, &pb), EDGETAM_OK);
        if (k == 4) assert_int_equal(edgetam_stream_remove_object(s, 1), EDGETAM_OK);
    }
    edgetam_stream_stats st = stats_of(s);
    edgetam_stream_destroy(s);
    assert_int_equal(counting_allocator_live(), live);
    assert_int_equal(st.submitted, 6);
    assert_int_equal(st.converted, 6);
    assert_int_equal(st.processed, 6);
    assert_true(st.latency_ms_p50 > 0.0 && st.latency_ms_p99 >= st.latency_ms_p50);

    static const int32_t objects[6] = {0, 1, 1, 2, 2, 1};
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    tp.max_objects = 2;
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    static float logits[2][LOW_RES];
    edgetam_object_result r[2];
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].struct_size = sizeof r[i];
        r[i].low_res_logits = logits[i];
    }
    assert_int_equal(gate_calls(&rec->gate), 6);
    for (uint32_t k = 0; k < 6; k++) {
        test_frame f;
        test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 8, 40 + k);
        int32_t n = 0;
        assert_int_equal(edgetam_tracker_track(t, &f.frame, r, 2, &n), EDGETAM_OK);
        test_frame_free(&f);
        /* prompts queued after frame k-1 apply to frame k; results are read after them */
        if (k == 1) assert_int_equal(edgetam_tracker_add_prompt(t, 1, &pa, &r[0]), EDGETAM_OK);
        if (k == 3) assert_int_equal(edgetam_tracker_add_prompt(t, 2, &pb, &r[1]), EDGETAM_OK);
        if (k == 5) {
            assert_int_equal(edgetam_tracker_remove_object(t, 1), EDGETAM_OK);
            memcpy(logits[0], logits[1], sizeof logits[0]);
        }
        n = edgetam_tracker_object_count(t);
        assert_int_equal(rec->timestamp[k], 1000 * (int64_t)k);
        assert_int_equal(rec->status[k], EDGETAM_OK);
        assert_int_equal(rec->prompt_status[k], EDGETAM_OK);
        assert_int_equal(rec->prompts_applied[k], k == 1 || k == 3 || k == 5);
        assert_int_equal(rec->num_objects[k], objects[k]);
        assert_int_equal(n, objects[k]);
        for (int32_t i = 0; i < n; i++)
            assert_memory_equal(rec->logits[k][i], logits[i], sizeof logits[i]);
    }
    assert_int_equal(rec->ids[5][0], 2);
    edgetam_tracker_destroy(t);
}

static void test_timestamps_must_increase(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_DROP_NEW);
    assert_int_equal(push(s, 1, 10), EDGETAM_OK);
    assert_int_equal(push(s, 2, 10), EDGETAM_ERR_BAD_TIMESTAMP); /* equal */
    assert_int_equal(push(s, 3, 9), EDGETAM_ERR_BAD_TIMESTAMP);  /* earlier */
    assert_int_equal(push(s, 3, -5), EDGETAM_ERR_BAD_TIMESTAMP);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(push(s, 4, 11), EDGETAM_OK);
    assert_int_equal(edgetam_stream_push(s, NULL, 12), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    const edgetam_stream_stats st = stats_of(s);
    assert_int_equal(st.submitted, 6);
    assert_int_equal(st.rejected, 4);
    assert_int_equal(st.processed, 2);
    edgetam_stream_destroy(s);
    assert_int_equal(rec->gate.calls, 2);
    assert_int_equal(rec->timestamp[1], 11);
}

/* DROP_NEW: while the worker is busy a push returns at once and the frame is never locked (its
 * planes are even inaccessible). */
static void test_drop_new_while_busy(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_DROP_NEW);
    gate_hold(&rec->gate, 1);
    assert_int_equal(push(s, 1, 1), EDGETAM_OK);
    gate_wait_inside(&rec->gate);
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 0, 2);
    guarded_protect(&f.buf[0], 1);
    guarded_protect(&f.buf[1], 1);
    for (int64_t ts = 2; ts < 12; ts++) assert_int_equal(edgetam_stream_push(s, &f.frame, ts), EDGETAM_DROPPED);
    assert_int_equal(f.lock_calls, 0);
    test_frame_restore(&f);
    test_frame_free(&f);
    gate_hold(&rec->gate, 0);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(push(s, 3, 12), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    const edgetam_stream_stats st = stats_of(s);
    assert_int_equal(st.submitted, 12);
    assert_int_equal(st.dropped_busy, 10);
    assert_int_equal(st.converted, 2);
    assert_int_equal(st.processed, 2);
    edgetam_stream_destroy(s);
    assert_int_equal(rec->gate.calls, 2);
    assert_int_equal(rec->timestamp[1], 12);
}

/* KEEP_LATEST: pushes while busy replace the one waiting frame; a failed push keeps it. */
static void test_keep_latest_replaces_the_waiting_frame(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_KEEP_LATEST);
    gate_hold(&rec->gate, 1);
    assert_int_equal(push(s, 1, 1), EDGETAM_OK);
    gate_wait_inside(&rec->gate);
    for (int64_t ts = 2; ts <= 4; ts++) assert_int_equal(push(s, (uint32_t)ts, ts), EDGETAM_OK);
    assert_int_equal(push_sized(s, 5, 5, W, H, 1), EDGETAM_ERR_LOCK_FAILED);
    gate_hold(&rec->gate, 0);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    const edgetam_stream_stats st = stats_of(s);
    assert_int_equal(st.submitted, 5);
    assert_int_equal(st.converted, 4);
    assert_int_equal(st.dropped_replaced, 2);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(st.processed, 2);
    edgetam_stream_destroy(s);
    assert_int_equal(rec->gate.calls, 2);
    assert_int_equal(rec->timestamp[0], 1);
    assert_int_equal(rec->timestamp[1], 4); /* the latest good frame, not the failed one */
}

static void test_push_errors_leave_the_stream_usable(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_DROP_NEW);
    assert_int_equal(push_sized(s, 1, 1, W, H, 1), EDGETAM_ERR_LOCK_FAILED);
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, W, H, 0, 2);
    f.frame.planes.stride[0] = W - 1;
    assert_int_equal(edgetam_stream_push(s, &f.frame, 2), EDGETAM_ERR_BAD_STRIDE);
    f.frame.planes.stride[0] = W;
    f.frame.format = (edgetam_pixel_format)99;
    assert_int_equal(edgetam_stream_push(s, &f.frame, 3), EDGETAM_ERR_UNSUPPORTED_FORMAT);
    test_frame_free(&f);
    assert_int_equal(push(s, 4, 4), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    const edgetam_stream_stats st = stats_of(s);
    assert_int_equal(st.rejected, 3);
    assert_int_equal(st.processed, 1);
    edgetam_stream_destroy(s);
    assert_int_equal(rec->gate.calls, 1);
    assert_int_equal(rec->timestamp[0], 4);
}

static void test_prompt_errors(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_DROP_NEW);
    const edgetam_point in = {10, 10, 1}, out = {W + 1.0f, 10, 1}, bad_label = {10, 10, 7};
    edgetam_prompt p = click_prompt(&in);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &p), EDGETAM_ERR_NO_FRAME);
    assert_int_equal(push(s, 1, 1), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(edgetam_stream_add_prompt(s, -1, &p), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    p = click_prompt(&out);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &p), EDGETAM_ERR_BAD_PROMPT);
    p = click_prompt(&bad_label);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &p), EDGETAM_ERR_BAD_PROMPT);
    p.struct_size = 3;
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &p), EDGETAM_ERR_ABI_MISMATCH);

    /* the queue is bounded */
    p = click_prompt(&in);
    int queued = 0;
    edgetam_status st;
    while ((st = edgetam_stream_remove_object(s, 100 + queued)) == EDGETAM_OK) queued++;
    assert_int_equal(st, EDGETAM_ERR_QUEUE_FULL);
    assert_int_equal(queued, 16);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &p), EDGETAM_ERR_QUEUE_FULL);
    assert_int_equal(push(s, 2, 2), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(rec->prompts_applied[1], 16);
    assert_int_equal(rec->prompt_status[1], EDGETAM_ERR_UNKNOWN_OBJECT);

    /* a prompt checked on one frame size cannot apply to another: reported, nothing changes */
    static uint8_t mask[W * H];
    memset(mask + W * 50, 255, W * 20);
    edgetam_prompt pm = edgetam_prompt_default();
    pm.mask = mask;
    pm.mask_stride = W;
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &pm), EDGETAM_OK);
    assert_int_equal(push_sized(s, 3, 3, W / 2, H / 2, 0), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(rec->prompt_status[2], EDGETAM_ERR_BAD_PROMPT);
    assert_int_equal(rec->num_objects[2], 0);
    /* the mask was copied: changing it now does nothing */
    assert_int_equal(push(s, 4, 4), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &pm), EDGETAM_OK);
    memset(mask, 0, sizeof mask);
    assert_int_equal(push(s, 5, 5), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(rec->prompt_status[4], EDGETAM_OK);
    assert_int_equal(rec->num_objects[4], 1);
    assert_true(rec->area[4][0] > 0);
    assert_int_equal(edgetam_stream_reset(s), EDGETAM_OK);
    assert_int_equal(push(s, 6, 6), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(rec->num_objects[5], 0);
    edgetam_stream_destroy(s);
}

typedef struct destroy_job {
    edgetam_stream *s;
    atomic_long tid; /* Linux: the destroying thread's kernel id, 0 until it runs */
} destroy_job;

static void *destroy_thread(void *arg)
{
    destroy_job *job = arg;
#ifdef __linux__
    atomic_store(&job->tid, (long)syscall(SYS_gettid));
#endif
    edgetam_stream_destroy(job->s);
    return NULL;
}

#ifdef __linux__
/* Whether thread `tid` of this process sleeps (state S in /proc). */
static int thread_sleeps(long tid)
{
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    const size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = 0;
    const char *end = strrchr(stat, ')'); /* "tid (name) S ..." */
    return end && end[1] == ' ' && end[2] == 'S';
}
#endif

/* Waits until the destroying thread has stopped the stream. Once it runs, destroy sleeps only in
 * pthread_join (the worker is held in the callback, outside the stream's lock), so a thread seen
 * asleep 20 times in a row is past setting the stop flag. A fixed 20 ms pause was not enough
 * while other processes held both cores: the worker took the waiting frame first. Without /proc
 * the wait is a plain 200 ms. */
static void wait_until_destroy_blocks(destroy_job *job)
{
#ifdef __linux__
    const struct timespec ms = {0, 1000 * 1000};
    int asleep = 0;
    for (int i = 0; i < 10000 && asleep < 20; i++) { /* at most 10 s */
        const long tid = atomic_load(&job->tid);
        asleep = tid && thread_sleeps(tid) ? asleep + 1 : 0;
        nanosleep(&ms, NULL);
    }
    assert_true(asleep >= 20);
#else
    (void)job;
    const struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL);
#endif
}

/* Destroy while a frame is processed and another waits: the first is delivered, the waiting one
 * and the queued prompts discarded, nothing leaks and no callback follows. */
static void test_destroy_with_frames_in_flight(void **state)
{
    (void)state;
    const int64_t live = counting_allocator_live();
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_KEEP_LATEST);
    gate_hold(&rec->gate, 1);
    assert_int_equal(push(s, 1, 1), EDGETAM_OK);
    gate_wait_inside(&rec->gate);
    assert_int_equal(push(s, 2, 2), EDGETAM_OK);
    static uint8_t mask[W * H];
    mask[0] = 1;
    edgetam_prompt pm = edgetam_prompt_default();
    pm.mask = mask;
    pm.mask_stride = W;
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &pm), EDGETAM_OK);
    destroy_job job = {s, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, destroy_thread, &job), 0);
    wait_until_destroy_blocks(&job);
    gate_hold(&rec->gate, 0);
    pthread_join(th, NULL);
    assert_int_equal(rec->gate.calls, 1);
    assert_int_equal(rec->timestamp[0], 1);
    const struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int_equal(gate_calls(&rec->gate), 1);
    assert_int_equal(counting_allocator_live(), live);
}

static void test_destroy_from_the_callback(void **state)
{
    (void)state;
    const int64_t live = counting_allocator_live();
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_DROP_NEW);
    rec->destroy_self = 1;
    assert_int_equal(push(s, 1, 1), EDGETAM_OK);
    assert_true(counting_allocator_wait_live(live, 30.0)); /* freed by its worker */
    assert_int_equal(gate_calls(&rec->gate), 1);
}

/* flush from the callback would wait for itself */
static void flush_in_callback(const edgetam_stream_result *r, void *user_data)
{
    (void)r;
    recorder *rec = user_data;
    gate_enter(&rec->gate);
    rec->status[0] = edgetam_stream_flush(rec->stream);
    gate_leave(&rec->gate);
}

static void test_flush_from_the_callback_is_refused(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream_params sp = edgetam_stream_default_params();
    sp.on_result = flush_in_callback;
    sp.user_data = rec;
    assert_int_equal(edgetam_stream_create(model, &sp, &rec->stream), EDGETAM_OK);
    assert_int_equal(push(rec->stream, 1, 1), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(rec->stream), EDGETAM_OK);
    assert_int_equal(rec->status[0], EDGETAM_ERR_INVALID_ARGUMENT);
    edgetam_stream_destroy(rec->stream);
}

static void test_no_allocation_per_frame(void **state)
{
    (void)state;
    recorder *rec = recorder_new();
    edgetam_stream *s = new_stream(rec, EDGETAM_STREAM_KEEP_LATEST);
    const edgetam_point a = {100, 80, 1};
    const edgetam_prompt pa = click_prompt(&a);
    assert_int_equal(push(s, 1, 1), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    assert_int_equal(edgetam_stream_add_prompt(s, 1, &pa), EDGETAM_OK);
    for (int64_t ts = 2; ts < 5; ts++) {
        assert_int_equal(push(s, (uint32_t)ts, ts), EDGETAM_OK);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    }
    const uint64_t before = edgetam_allocation_count();
    for (int64_t ts = 5; ts < 25; ts++) {
        assert_int_equal(push(s, (uint32_t)ts, ts), EDGETAM_OK);
        assert_int_equal(edgetam_stream_flush(s), EDGETAM_OK);
    }
    assert_int_equal(edgetam_allocation_count(), before);
    edgetam_stream_destroy(s);
    assert_int_equal(rec->num_objects[23], 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE\n", argv[0]);
        return 2;
    }
    bundle_path = argv[1];
    counting_allocator_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_stream_tracks_like_a_tracker),
        cmocka_unit_test(test_timestamps_must_increase),
        cmocka_unit_test(test_drop_new_while_busy),
        cmocka_unit_test(test_keep_latest_replaces_the_waiting_frame),
        cmocka_unit_test(test_push_errors_leave_the_stream_usable),
        cmocka_unit_test(test_prompt_errors),
        cmocka_unit_test(test_destroy_with_frames_in_flight),
        cmocka_unit_test(test_destroy_from_the_callback),
        cmocka_unit_test(test_flush_from_the_callback_is_refused),
        cmocka_unit_test(test_no_allocation_per_frame),
    };
    return cmocka_run_group_tests(tests, setup_model, teardown_model);
}
