/* edgetam-bench track: the tracker per frame on a synthetic 720p NV12 camera stream, with the
 * stand-in bundle unless --model is given. Reports stage medians, the share of time spent outside
 * model forwards, allocations and RSS in steady state, the drop path's latency, and the same
 * bundle driven by the Python reference loop (tests/golden_reference.py --time: one object on
 * S x S frames, 50 frames), compared with the C library doing that same work. --contend N adds
 * frames with N busy-loop threads beside, alternating with frames without (contended_ratio);
 * --fixed-threads keeps the model on --threads throughout (adapt_threads 0). --official F runs
 * Meta's official predictor built by the factory F (tests/official_time.py) on the same thread
 * count first and tracks with the bundle exported from that same model (ratio_vs_official). */
#define _DEFAULT_SOURCE /* usleep */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* usleep */

#include "bench.h"
#include "bench_camera.h"
#include "bench_contend.h"
#include "bench_util.h"
#include "edgetam.h"
#include "load_model.h"

#define MAX_OBJECTS 16

/* Drop path: one thread keeps the tracker busy; the caller's calls must come back at once. */
typedef struct busy_job {
    edgetam_tracker *t;
    camera *cam;
    atomic_int stop;
} busy_job;

static void *keep_busy(void *arg)
{
    busy_job *j = arg;
    while (!atomic_load(&j->stop)) edgetam_tracker_track(j->t, &j->cam->frame, NULL, 0, NULL);
    return NULL;
}

static double busy_return_us_p99(edgetam_tracker *t, camera *cam, int calls)
{
    busy_job job = {t, cam, 0};
    pthread_t th;
    pthread_create(&th, NULL, keep_busy, &job);
    double *us = malloc(sizeof(double) * (size_t)calls);
    int n = 0;
    camera other;
    camera_init(&other);
    for (int i = 0; i < calls * 20 && n < calls; i++) {
        const double t0 = bench_now_ms();
        const edgetam_status st = edgetam_tracker_track(t, &other.frame, NULL, 0, NULL);
        const double t1 = bench_now_ms();
        if (st == EDGETAM_DROPPED) us[n++] = (t1 - t0) * 1e3;
        usleep(200);
    }
    atomic_store(&job.stop, 1);
    pthread_join(th, NULL);
    const double p99 = n ? bench_quantile(us, (size_t)n, 0.99) : -1.0;
    free(us);
    camera_free(&other);
    return p99;
}

/* linked_kb: the size of what an app links, measured by the build (cmake/linked_size.cmake) */
static void print_linked_size(void)
{
    FILE *f = fopen(EDGETAM_LINKED_SIZE_FILE, "r");
    char line[4096];
    if (!f) {
        printf("linked_kb=unavailable\n");
        return;
    }
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
}

/* Runs a Python helper of the source tree and returns the number it prints as `format` (a
 * "key=%lf" pattern), or -1. With `echo`, its other output lines are passed on (reasons it gives
 * for not running). */
static double script_value(const char *cmd, const char *format, int echo)
{
    FILE *p = popen(cmd, "r");
    if (!p) return -1.0;
    char line[512];
    double value = -1.0;
    while (fgets(line, sizeof line, p))
        if (sscanf(line, format, &value) != 1 && echo) fputs(line, stdout);
    pclose(p);
    return value;
}

/* Median ms per frame of the Python reference loop on the same bundle (1 object), or -1. */
static double python_frame_ms(const char *bundle)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/golden_reference.py --bundle '%s' --out /tmp/edgetam-bench-py"
             " --time 2>/dev/null",
             EDGETAM_SOURCE_DIR, bundle);
    return script_value(cmd, "python_frame_ms_p50=%lf", 0);
}

/* The official predictor (tests/official_time.py with `factory`): exports the same model to
 * `bundle_out` and returns its median ms per tracked frame (one clicked object), or -1 with the
 * script's reason printed (e.g. the official package cannot be imported). */
static double official_frame_ms(const char *factory, int threads, const char *bundle_out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/tests/official_time.py --factory '%s' --threads %d --frames 6"
             " --bundle-out '%s' 2>/dev/null",
             EDGETAM_SOURCE_DIR, factory, threads > 0 ? threads : 2, bundle_out);
    return script_value(cmd, "official_frame_ms_p50=%lf", 1);
}

/* The C side of ratio_vs_python on the Python loop's own workload: S x S RGB frames (no resize),
 * one object, frame-size outputs at S x S. Median ms per frame. */
static double same_work_frame_ms(edgetam_model *model, int frames)
{
    const int s = edgetam_model_input_size(model);
    uint8_t *rgb = malloc((size_t)3 * s * s), *mask = malloc((size_t)s * s);
    edgetam_frame f = edgetam_frame_default();
    f.format = EDGETAM_FORMAT_RGB24;
    f.width = f.height = s;
    f.planes.data[0] = rgb;
    f.planes.stride[0] = 3 * s;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    edgetam_tracker_create(model, &tp, &t);
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.mask = mask;
    r.mask_stride = (size_t)s;
    double *ms = malloc(sizeof(double) * (size_t)frames);
    for (int k = 0; k <= frames; k++) {
        for (size_t i = 0; i < (size_t)3 * s * s; i++) rgb[i] = (uint8_t)((i * 7 + (size_t)k * 5) & 255);
        const double t0 = bench_now_ms();
        edgetam_tracker_track(t, &f, &r, 1, NULL);
        if (k > 0) ms[k - 1] = bench_now_ms() - t0;
        if (k == 0) {
            const edgetam_point pt = {s / 2.0f, s / 2.0f, 1};
            edgetam_prompt p = edgetam_prompt_default();
            p.points = &pt;
            p.num_points = 1;
            edgetam_tracker_add_prompt(t, 1, &p, NULL);
        }
    }
    const double median = bench_quantile(ms, (size_t)frames, 0.5);
    free(ms);
    free(rgb);
    free(mask);
    edgetam_tracker_destroy(t);
    return median;
}

/* Frame times with and without `contend` busy-loop threads, in alternating blocks of 10 frames
 * (the first frame of each block is not counted) so that both see the same machine. Prints the
 * medians and contended_ratio = contended / uncontended. */
static int contention_ratio(edgetam_tracker *t, camera *cam, edgetam_object_result *results,
                            int contend, int frames)
{
    enum { BLOCK = 10 };
    const int blocks = frames / BLOCK < 2 ? 2 : frames / BLOCK;
    double *ms[2];
    size_t n[2] = {0, 0};
    ms[0] = malloc(sizeof(double) * (size_t)blocks * BLOCK);
    ms[1] = malloc(sizeof(double) * (size_t)blocks * BLOCK);
    int failed = 0;
    for (int b = 0; b < blocks && !failed; b++) {
        const int contended = b % 2;
        bench_contenders *c = contended ? bench_contenders_start(contend) : NULL;
        if (contended && !c) {
            fprintf(stderr, "cannot start %d busy-loop threads\n", contend);
            break;
        }
        for (int k = 0; k < BLOCK && !failed; k++) {
            camera_render(cam, 100000 + b * BLOCK + k);
            const double t0 = bench_now_ms();
            failed = edgetam_tracker_track(t, &cam->frame, results, MAX_OBJECTS, NULL) != EDGETAM_OK;
            if (failed) fprintf(stderr, "track failed: %s\n", edgetam_tracker_last_error(t));
            else if (k > 0) ms[contended][n[contended]++] = bench_now_ms() - t0;
        }
        bench_contenders_stop(c);
    }
    const int complete = n[0] + n[1] == (size_t)blocks * (BLOCK - 1);
    if (complete) {
        const double quiet = bench_quantile(ms[0], n[0], 0.5);
        const double busy = bench_quantile(ms[1], n[1], 0.5);
        printf("contend=%d\nuncontended_frame_ms_p50=%.3f\ncontended_frame_ms_p50=%.3f\n"
               "contended_ratio=%.2f\n", contend, quiet, busy, busy / quiet);
    }
    free(ms[0]);
    free(ms[1]);
    return complete ? 0 : 1;
}

int bench_track(int argc, char **argv)
{
    const char *model_path = example_standin_bundle;
    int objects = 1, frames = 2000, threads = 0, python = 1, contend = 0, fixed_threads = 0;
    const char *official = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(argv[i], "--objects") && i + 1 < argc) objects = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--contend") && i + 1 < argc) contend = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--fixed-threads")) fixed_threads = 1;
        else if (!strcmp(argv[i], "--official") && i + 1 < argc) official = argv[++i];
        else if (!strcmp(argv[i], "--no-python")) python = 0;
        else {
            fprintf(stderr, "usage: edgetam-bench track [--model PATH] [--objects N] [--frames N]"
                            " [--threads N] [--fixed-threads] [--contend N] [--official MODULE:FUNCTION]"
                            " [--no-python]\n");
            return 2;
        }
    }
    if (objects < 1 || objects > MAX_OBJECTS || frames < 10 || contend < 0 || contend > 64) {
        fprintf(stderr, "--objects must be 1..%d, --frames >= 10, --contend 0..64\n", MAX_OBJECTS);
        return 2;
    }
    /* --official: the official predictor first, then the library on the bundle exported from
     * the very same model (same weights), same thread count */
    static char official_bundle[64];
    double official_ms = -1.0;
    if (official) {
        snprintf(official_bundle, sizeof official_bundle, "/tmp/edgetam-bench-official-%d.edgetam",
                 (int)getpid());
        official_ms = official_frame_ms(official, threads, official_bundle);
        if (official_ms > 0) model_path = official_bundle;
    }
    const double rss_start = bench_rss_mb();
    const double load_t0 = bench_now_ms();
    edgetam_model *model = example_load_model(model_path, threads, !fixed_threads);
    if (!model) return 1;
    const double load_ms = bench_now_ms() - load_t0;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    tp.max_objects = MAX_OBJECTS;
    edgetam_tracker *t = NULL;
    edgetam_tracker_create(model, &tp, &t);
    camera cam;
    camera_init(&cam);
    camera_render(&cam, 0);
    edgetam_tracker_track(t, &cam.frame, NULL, 0, NULL);
    for (int o = 0; o < objects; o++) {
        edgetam_prompt p = edgetam_prompt_default();
        const edgetam_point pt = camera_click(o);
        p.points = &pt;
        p.num_points = 1;
        if (edgetam_tracker_add_prompt(t, o, &p, NULL) != EDGETAM_OK) {
            fprintf(stderr, "prompt failed: %s\n", edgetam_tracker_last_error(t));
            return 1;
        }
    }
    static edgetam_object_result results[MAX_OBJECTS];
    static uint8_t masks[MAX_OBJECTS][CAM_W * CAM_H];
    for (int o = 0; o < objects; o++) {
        memset(&results[o], 0, sizeof results[o]);
        results[o].struct_size = sizeof results[o];
        results[o].mask = masks[o];
        results[o].mask_stride = CAM_W;
    }
    double *frame_ms = malloc(sizeof(double) * (size_t)frames);
    double *model_ms = malloc(sizeof(double) * (size_t)frames);
    double *stage_ms[EDGETAM_STAGE_COUNT];
    for (int s = 0; s < EDGETAM_STAGE_COUNT; s++) stage_ms[s] = malloc(sizeof(double) * (size_t)frames);
    const int warmup = 20 < frames / 10 ? 20 : frames / 10;
    uint64_t allocs_before = 0;
    double rss_warm = 0.0;
    for (int k = 0; k < frames; k++) {
        camera_render(&cam, k + 1); /* outside the timed call */
        if (k == warmup) {
            allocs_before = edgetam_allocation_count();
            rss_warm = bench_rss_mb();
        }
        const double t0 = bench_now_ms();
        if (edgetam_tracker_track(t, &cam.frame, results, MAX_OBJECTS, NULL) != EDGETAM_OK) {
            fprintf(stderr, "track failed: %s\n", edgetam_tracker_last_error(t));
            return 1;
        }
        frame_ms[k] = bench_now_ms() - t0;
        edgetam_tracker_stats st;
        st.struct_size = sizeof st;
        edgetam_tracker_get_stats(t, &st);
        model_ms[k] = st.last_model_ms;
        for (int s = 0; s < EDGETAM_STAGE_COUNT; s++) stage_ms[s][k] = st.last_ms[s];
    }
    const uint64_t allocs = edgetam_allocation_count() - allocs_before;
    const double rss_end = bench_rss_mb();
    const int steady = frames - warmup;
    double frame_sum = 0.0, model_sum = 0.0;
    for (int k = warmup; k < frames; k++) {
        frame_sum += frame_ms[k];
        model_sum += model_ms[k];
    }
    static const char *names[EDGETAM_STAGE_COUNT] = {"convert", "encode", "attend",
                                                     "decode", "memory_encode", "postprocess"};
    printf("model=%s\nobjects=%d\nframes=%d\ncamera=%dx%d_nv12\ninput_size=%d\nthreads=%d\n"
           "adapt_threads=%d\n", model_path, objects, frames, CAM_W, CAM_H,
           edgetam_model_input_size(model), threads, !fixed_threads);
    for (int s = 0; s < EDGETAM_STAGE_COUNT; s++)
        printf("%s_ms_p50=%.3f\n", names[s], bench_quantile(stage_ms[s] + warmup, (size_t)steady, 0.5));
    const double frame_p50 = bench_quantile(frame_ms + warmup, (size_t)steady, 0.5);
    printf("frame_ms_p50=%.3f\n", frame_p50);
    /* what an app waits for before the first mask: the load, then the first tracked frame */
    printf("load_ms=%.1f\nfirst_frame_ms=%.1f\n", load_ms, frame_ms[0]);
    print_linked_size();
    printf("overhead_pct=%.2f\n", 100.0 * (frame_sum - model_sum) / frame_sum);
    printf("lib_allocs_per_frame=%.3f\n", (double)allocs / (double)steady);
    printf("rss_mb_start=%.1f\nrss_mb_warm=%.1f\nrss_mb_end=%.1f\n", rss_start, rss_warm, rss_end);
    if (official_ms > 0) {
        printf("official_frame_ms_p50=%.3f\nratio_vs_official=%.3f\n", official_ms,
               frame_p50 / official_ms);
        remove(official_bundle);
    } else if (official) {
        printf("ratio_vs_official=unavailable\n");
    }
    printf("busy_return_us_p99=%.2f\n", busy_return_us_p99(t, &cam, 2000));
    if (contend && contention_ratio(t, &cam, results, contend, frames)) return 1;
    if (python) {
        const double py = python_frame_ms(model_path);
        const double c_ms = same_work_frame_ms(model, 50);
        printf("c_same_work_frame_ms_p50=%.3f\n", c_ms);
        if (py > 0) printf("python_frame_ms_p50=%.3f\nratio_vs_python=%.3f\n", py, c_ms / py);
        else printf("ratio_vs_python=unavailable\n");
    }
    for (int s = 0; s < EDGETAM_STAGE_COUNT; s++) free(stage_ms[s]);
    free(frame_ms);
    free(model_ms);
    camera_free(&cam);
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
    return 0;
}
