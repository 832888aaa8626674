/* Stress: 4 producer threads push 10,000 frames each into their own streams sharing one model,
 * while another thread changes prompts on every stream and another reads stats. Checks that every
 * frame is accounted for (processed or dropped, none lost or failed), that callbacks see
 * increasing timestamps, that nothing leaks, and that RSS stays bounded. Races are for TSan.
 * Usage: test_stress BUNDLE [FRAMES_PER_PRODUCER [MAX_RSS_GROWTH_MB]] */
#define _POSIX_C_SOURCE 200809L /* pthreads, nanosleep under -std=c11 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "counting_allocator.h"
#include "edgetam.h"
#include "test_frame.h"

#define PRODUCERS 4
#define MAX_OBJECTS 3

static atomic_int failures; /* CHECK runs on the prompt and stats threads too */
#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond);                  \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fprintf(stderr, "\n");                                                             \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

typedef struct producer {
    int index;
    int64_t frames;
    edgetam_stream *stream;
    atomic_int_fast64_t callbacks, objects_seen;
    atomic_int_fast64_t last_timestamp; /* written by the worker, checked there */
    atomic_int bad_callbacks;
    pthread_t thread;
} producer;

static atomic_int producers_done;
static atomic_int_fast64_t pushes_done;

static void sleep_us(long us)
{
    const struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

static void on_result(const edgetam_stream_result *r, void *user_data)
{
    producer *p = user_data;
    const int64_t prev = atomic_load(&p->last_timestamp);
    const int ok = r->status == EDGETAM_OK && r->timestamp > prev &&
                   r->num_objects >= 0 && r->num_objects <= MAX_OBJECTS &&
                   (r->num_objects == 0 || r->objects[0].mask != NULL);
    if (!ok) atomic_fetch_add(&p->bad_callbacks, 1);
    for (int32_t i = 1; i < r->num_objects; i++) /* increasing ids */
        if (r->objects[i].object_id <= r->objects[i - 1].object_id) atomic_fetch_add(&p->bad_callbacks, 1);
    atomic_store(&p->last_timestamp, r->timestamp);
    atomic_fetch_add(&p->objects_seen, r->num_objects);
    atomic_fetch_add(&p->callbacks, 1);
}

/* Pushes `frames` guarded frames at a camera-like pace; producer 3 changes size now and then. */
static void *produce(void *arg)
{
    producer *p = arg;
    test_frame frames[2];
    test_frame_init(&frames[0], EDGETAM_FORMAT_NV12, 160, 120, 16, 10u + (uint32_t)p->index);
    test_frame_init(&frames[1], EDGETAM_FORMAT_NV12, 128, 96, 0, 20u + (uint32_t)p->index);
    for (int64_t k = 0; k < p->frames; k++) {
        test_frame *f = &frames[p->index == 3 && (k / 2500) % 2 == 1];
        const edgetam_status st = edgetam_stream_push(p->stream, &f->frame, 1000 * (k + 1));
        if (st != EDGETAM_OK && st != EDGETAM_DROPPED)
            atomic_fetch_add(&p->bad_callbacks, 1000000); /* reported below */
        if (f->locked || f->lock_calls != f->unlock_calls) atomic_fetch_add(&p->bad_callbacks, 1000000);
        test_frame_restore(f); /* unlock revoked the planes */
        atomic_fetch_add(&pushes_done, 1);
        sleep_us(250 + 50 * p->index);
    }
    test_frame_free(&frames[0]);
    test_frame_free(&frames[1]);
    atomic_fetch_add(&producers_done, 1);
    return NULL;
}

/* Changes prompts on every stream until the producers are done: clicks, removals, resets. */
static void *prompt_changer(void *arg)
{
    producer *ps = arg;
    unsigned seed = 7;
    int64_t calls = 0, bad = 0;
    while (atomic_load(&producers_done) < PRODUCERS) {
        for (int i = 0; i < PRODUCERS; i++) {
            const int32_t id = (int32_t)(rand_r(&seed) % MAX_OBJECTS);
            edgetam_status st;
            const int what = rand_r(&seed) % 40;
            if (what == 0) {
                st = edgetam_stream_reset(ps[i].stream);
            } else if (what < 8) {
                st = edgetam_stream_remove_object(ps[i].stream, id);
            } else {
                /* inside both frame sizes producer 3 uses */
                const edgetam_point pt = {(float)(rand_r(&seed) % 128), (float)(rand_r(&seed) % 96),
                                          rand_r(&seed) % 4 != 0};
                edgetam_prompt p = edgetam_prompt_default();
                p.points = &pt;
                p.num_points = 1;
                st = edgetam_stream_add_prompt(ps[i].stream, id, &p);
            }
            if (st != EDGETAM_OK && st != EDGETAM_ERR_NO_FRAME && st != EDGETAM_ERR_QUEUE_FULL) bad++;
            calls++;
        }
        sleep_us(10000);
    }
    CHECK(bad == 0, "%lld of %lld prompt calls returned an unexpected status", (long long)bad,
          (long long)calls);
    printf("prompt_calls=%lld\n", (long long)calls);
    return NULL;
}

static void *stats_reader(void *arg)
{
    producer *ps = arg;
    while (atomic_load(&producers_done) < PRODUCERS) {
        for (int i = 0; i < PRODUCERS; i++) {
            edgetam_stream_stats st;
            st.struct_size = sizeof st;
            CHECK(edgetam_stream_get_stats(ps[i].stream, &st) == EDGETAM_OK, "get_stats");
            CHECK(st.dropped_busy + st.converted + st.rejected <= st.submitted, "stats out of order");
        }
        sleep_us(5000);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s BUNDLE [FRAMES_PER_PRODUCER [MAX_RSS_GROWTH_MB]]\n", argv[0]);
        return 2;
    }
    const int64_t frames = argc > 2 ? atoll(argv[2]) : 10000;
    const double max_growth = argc > 3 ? atof(argv[3]) : 64.0;
    counting_allocator_install();

    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 1; /* four workers share two cores */
    edgetam_model *model = NULL;
    if (edgetam_model_load(argv[1], &mp, &model, err, sizeof err) != EDGETAM_OK) {
        fprintf(stderr, "cannot load %s: %s\n", argv[1], err);
        return 1;
    }
    const int64_t live_with_model = counting_allocator_live();

    static producer ps[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        ps[i].index = i;
        ps[i].frames = frames;
        edgetam_stream_params sp = edgetam_stream_default_params();
        sp.policy = i % 2 ? EDGETAM_STREAM_KEEP_LATEST : EDGETAM_STREAM_DROP_NEW;
        sp.tracker.max_objects = MAX_OBJECTS;
        sp.on_result = on_result;
        sp.user_data = &ps[i];
        sp.output_probability = i == 1;
        CHECK(edgetam_stream_create(model, &sp, &ps[i].stream) == EDGETAM_OK, "stream %d", i);
    }
    const double t0 = (double)clock() / CLOCKS_PER_SEC;
    pthread_t prompts, reader;
    for (int i = 0; i < PRODUCERS; i++) pthread_create(&ps[i].thread, NULL, produce, &ps[i]);
    pthread_create(&prompts, NULL, prompt_changer, ps);
    pthread_create(&reader, NULL, stats_reader, ps);

    /* RSS once every stream has seen work (buffers sized, runtime warmed), then at the end */
    while (atomic_load(&pushes_done) < PRODUCERS * frames / 10) sleep_us(10000);
    const double rss_start = bench_rss_mb();
    for (int i = 0; i < PRODUCERS; i++) pthread_join(ps[i].thread, NULL);
    pthread_join(prompts, NULL);
    pthread_join(reader, NULL);

    int64_t processed = 0, dropped = 0;
    for (int i = 0; i < PRODUCERS; i++) {
        CHECK(edgetam_stream_flush(ps[i].stream) == EDGETAM_OK, "flush %d", i);
        edgetam_stream_stats st;
        st.struct_size = sizeof st;
        CHECK(edgetam_stream_get_stats(ps[i].stream, &st) == EDGETAM_OK, "stats %d", i);
        CHECK(st.submitted == (uint64_t)frames, "stream %d: %llu pushes counted", i,
              (unsigned long long)st.submitted);
        CHECK(st.rejected == 0 && st.failed == 0 && st.dropped_shutdown == 0,
              "stream %d: rejected %llu failed %llu", i, (unsigned long long)st.rejected,
              (unsigned long long)st.failed);
        CHECK(st.dropped_busy + st.converted == st.submitted, "stream %d: pushes unaccounted", i);
        CHECK(st.processed + st.dropped_replaced == st.converted, "stream %d: frames unaccounted", i);
        CHECK((uint64_t)atomic_load(&ps[i].callbacks) == st.processed, "stream %d: %lld callbacks",
              i, (long long)atomic_load(&ps[i].callbacks));
        CHECK(st.processed > 0, "stream %d processed nothing", i);
        CHECK(atomic_load(&ps[i].bad_callbacks) == 0, "stream %d: %d bad results or pushes", i,
              (int)atomic_load(&ps[i].bad_callbacks));
        CHECK(i % 2 == 1 || st.dropped_replaced == 0, "DROP_NEW replaced frames");
        printf("stream%d_processed=%llu stream%d_dropped_busy=%llu stream%d_dropped_replaced=%llu "
               "stream%d_objects_seen=%lld stream%d_latency_ms_p50=%.2f stream%d_latency_ms_p99=%.2f\n",
               i, (unsigned long long)st.processed, i, (unsigned long long)st.dropped_busy, i,
               (unsigned long long)st.dropped_replaced, i, (long long)atomic_load(&ps[i].objects_seen),
               i, st.latency_ms_p50, i, st.latency_ms_p99);
        processed += (int64_t)st.processed;
        dropped += (int64_t)(st.dropped_busy + st.dropped_replaced);
    }
    const double rss_end = bench_rss_mb();
    for (int i = 0; i < PRODUCERS; i++) edgetam_stream_destroy(ps[i].stream);
    CHECK(counting_allocator_live() == live_with_model, "%lld library blocks leaked by streams",
          (long long)(counting_allocator_live() - live_with_model));
    edgetam_model_free(model);
    CHECK(counting_allocator_live() == 0, "%lld library blocks leaked",
          (long long)counting_allocator_live());
    CHECK(rss_end - rss_start <= max_growth, "RSS grew %.1f MB (bound %.1f)", rss_end - rss_start,
          max_growth);
    printf("frames_pushed=%lld processed=%lld dropped=%lld rss_mb_start=%.1f rss_mb_end=%.1f "
           "cpu_s=%.1f\n",
           (long long)(PRODUCERS * frames), (long long)processed, (long long)dropped, rss_start,
           rss_end, (double)clock() / CLOCKS_PER_SEC - t0);
    return failures ? 1 : 0;
}
