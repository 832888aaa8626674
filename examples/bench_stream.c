/* edgetam-bench stream: a camera at --fps pushing 720p NV12 frames into a stream for --seconds,
 * with the stand-in bundle unless --model is given. Reports what the camera thread pays per push
 * (dropped pushes in us, accepted ones in ms), how many frames were dropped, the latency from push
 * to callback, and RSS. Frames are pre-rendered so the camera thread only pushes. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "bench_camera.h"
#include "bench_util.h"
#include "edgetam.h"
#include "load_model.h"

#define RING 16 /* distinct pre-rendered frames, pushed in turn */
#define MAX_OBJECTS 16

static atomic_int_fast64_t callbacks, masked_pixels;

static void on_result(const edgetam_stream_result *r, void *user_data)
{
    (void)user_data;
    for (int32_t i = 0; i < r->num_objects; i++) atomic_fetch_add(&masked_pixels, r->objects[i].area);
    atomic_fetch_add(&callbacks, 1);
}

static void sleep_until_ms(double deadline)
{
    const double wait = deadline - bench_now_ms();
    if (wait <= 0) return;
    const struct timespec t = {(time_t)(wait / 1e3), (long)((wait - (double)(time_t)(wait / 1e3) * 1e3) * 1e6)};
    nanosleep(&t, NULL);
}

int bench_stream(int argc, char **argv)
{
    const char *model_path = example_standin_bundle;
    double fps = 30.0, seconds = 10.0;
    int objects = 1, threads = 0;
    edgetam_stream_policy policy = EDGETAM_STREAM_DROP_NEW;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(argv[i], "--fps") && i + 1 < argc) fps = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--objects") && i + 1 < argc) objects = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--keep-latest")) policy = EDGETAM_STREAM_KEEP_LATEST;
        else {
            fprintf(stderr, "usage: edgetam-bench stream [--model PATH] [--fps F] [--seconds N]"
                            " [--objects N] [--threads N] [--keep-latest]\n");
            return 2;
        }
    }
    if (fps <= 0 || seconds <= 0 || objects < 0 || objects > MAX_OBJECTS) {
        fprintf(stderr, "--fps and --seconds must be positive, --objects 0..%d\n", MAX_OBJECTS);
        return 2;
    }
    edgetam_model *model = example_load_model(model_path, threads, 1);
    if (!model) return 1;
    edgetam_stream_params sp = edgetam_stream_default_params();
    sp.policy = policy;
    sp.tracker.max_objects = MAX_OBJECTS;
    sp.on_result = on_result;
    edgetam_stream *stream = NULL;
    if (edgetam_stream_create(model, &sp, &stream) != EDGETAM_OK) {
        fprintf(stderr, "cannot create the stream\n");
        return 1;
    }
    static camera cams[RING];
    for (int i = 0; i < RING; i++) {
        camera_init(&cams[i]);
        camera_render(&cams[i], i);
    }
    /* a first frame to prompt on, then the objects */
    edgetam_stream_push(stream, &cams[0].frame, 0);
    edgetam_stream_flush(stream);
    for (int o = 0; o < objects; o++) {
        edgetam_prompt p = edgetam_prompt_default();
        const edgetam_point pt = camera_click(o);
        p.points = &pt;
        p.num_points = 1;
        edgetam_stream_add_prompt(stream, o, &p);
    }

    const int pushes = (int)(fps * seconds);
    double *drop_us = malloc(sizeof(double) * (size_t)pushes);
    double *accept_ms = malloc(sizeof(double) * (size_t)pushes);
    int drops = 0, accepts = 0;
    const double rss_start = bench_rss_mb();
    const double period = 1e3 / fps, start = bench_now_ms();
    for (int k = 0; k < pushes; k++) {
        sleep_until_ms(start + k * period);
        const double t0 = bench_now_ms();
        const int64_t timestamp_us = (int64_t)((t0 - start) * 1e3) + 1;
        const edgetam_status st = edgetam_stream_push(stream, &cams[(k + 1) % RING].frame, timestamp_us);
        const double t1 = bench_now_ms();
        if (st == EDGETAM_DROPPED) drop_us[drops++] = (t1 - t0) * 1e3;
        else if (st == EDGETAM_OK) accept_ms[accepts++] = t1 - t0;
        else fprintf(stderr, "push failed: %s\n", edgetam_status_str(st));
    }
    edgetam_stream_flush(stream);
    const double wall_s = (bench_now_ms() - start) / 1e3;
    const double rss_end = bench_rss_mb();
    edgetam_stream_stats st;
    st.struct_size = sizeof st;
    edgetam_stream_get_stats(stream, &st);
    const uint64_t dropped = st.dropped_busy + st.dropped_replaced;

    printf("model=%s\ncamera=%dx%d_nv12\nfps=%.1f\nseconds=%.1f\nobjects=%d\npolicy=%s\n", model_path,
           CAM_W, CAM_H, fps, seconds, objects,
           policy == EDGETAM_STREAM_DROP_NEW ? "drop_new" : "keep_latest");
    /* DROP_NEW drops untouched; KEEP_LATEST has no cheap drop path (every push converts) */
    if (drops) printf("push_drop_us_p99=%.2f\npush_drop_us_p50=%.2f\n",
                      bench_quantile(drop_us, (size_t)drops, 0.99),
                      bench_quantile(drop_us, (size_t)drops, 0.5));
    if (accepts) printf("push_accept_ms_p50=%.3f\n", bench_quantile(accept_ms, (size_t)accepts, 0.5));
    printf("pushed=%llu\nprocessed=%llu\ndropped=%llu\ndropped_pct=%.1f\n",
           (unsigned long long)st.submitted, (unsigned long long)st.processed,
           (unsigned long long)dropped, 100.0 * (double)dropped / (double)st.submitted);
    printf("processed_fps=%.1f\n", (double)st.processed / wall_s);
    printf("latency_ms_p50=%.2f\nlatency_ms_p99=%.2f\n", st.latency_ms_p50, st.latency_ms_p99);
    printf("rss_mb_start=%.1f\nrss_mb_end=%.1f\n", rss_start, rss_end);
    printf("callbacks=%lld\n", (long long)atomic_load(&callbacks));
    edgetam_stream_destroy(stream);
    edgetam_model_free(model);
    for (int i = 0; i < RING; i++) camera_free(&cams[i]);
    free(drop_us);
    free(accept_ms);
    return 0;
}
