/* edgetam-camera-sim: plays a video at its real frame rate (times --speed) through a live stream,
 * pushing each frame from a camera-like loop that never waits for the model, and shows
 * drop-if-busy at work: how many frames were processed and dropped, and the latency from push to
 * result.
 *
 *   edgetam-camera-sim INPUT [--model BUNDLE] [--speed X] [--frames N] [--keep-latest]
 *                      [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1]
 *
 * The prompts go to object 1 on the first frame. Without --model it runs the demo bundle (a
 * weight-free tracker, not EdgeTAM). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edgetam.h"
#include "load_model.h"
#include "video_source.h"

#define MAX_POINTS 16

static atomic_long callbacks, frames_with_object;

static void on_result(const edgetam_stream_result *r, void *user_data)
{
    (void)user_data; /* runs on the stream's worker thread; r is valid only during the call */
    atomic_fetch_add(&callbacks, 1);
    if (r->num_objects > 0 && r->objects[0].present) atomic_fetch_add(&frames_with_object, 1);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(double when)
{
    const double wait = when - now_s();
    if (wait <= 0) return;
    const struct timespec t = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
    nanosleep(&t, NULL);
}

static int usage(void)
{
    fprintf(stderr, "usage: edgetam-camera-sim INPUT [--model BUNDLE] [--speed X] [--frames N]\n"
                    "                          [--keep-latest] [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1]\n");
    return 2;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *input = NULL, *model_path = example_demo_bundle;
    double speed = 1.0;
    long max_frames = 0;
    edgetam_stream_policy policy = EDGETAM_STREAM_DROP_NEW;
    edgetam_point points[MAX_POINTS];
    edgetam_prompt prompt = edgetam_prompt_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (input) return usage();
            input = a;
        } else if (!strcmp(a, "--keep-latest")) {
            policy = EDGETAM_STREAM_KEEP_LATEST;
        } else if (!v) {
            return usage();
        } else if (i++, !strcmp(a, "--model")) {
            model_path = v;
        } else if (!strcmp(a, "--speed")) {
            speed = atof(v);
        } else if (!strcmp(a, "--frames")) {
            max_frames = atol(v);
        } else if (!strcmp(a, "--point") && prompt.num_points < MAX_POINTS) {
            edgetam_point *p = &points[prompt.num_points];
            p->label = 1;
            if (sscanf(v, "%f,%f,%d", &p->x, &p->y, &p->label) < 2) return usage();
            prompt.num_points++;
        } else if (!strcmp(a, "--box")) {
            if (sscanf(v, "%f,%f,%f,%f", &prompt.box[0], &prompt.box[1], &prompt.box[2],
                       &prompt.box[3]) != 4)
                return usage();
            prompt.has_box = 1;
        } else {
            return usage();
        }
    }
    if (!input || !(speed > 0)) return usage();
    prompt.points = points;
    video_source *src = video_source_open(input);
    if (!src) return 1;
    const double fps = video_source_fps(src) > 0 ? video_source_fps(src) : 30.0;
    edgetam_model *model = example_load_model(model_path, 0, 1);
    if (!model) return 1;
    edgetam_stream_params sp = edgetam_stream_default_params();
    sp.policy = policy;
    sp.on_result = on_result;
    edgetam_stream *stream = NULL;
    if (edgetam_stream_create(model, &sp, &stream) != EDGETAM_OK) return 1;

    /* The camera: frame k is due at start + k / (fps * speed); a push never waits for the model. */
    double *drop_us = malloc(sizeof(double) * 1);
    size_t drops = 0, drop_capacity = 1;
    long k = 0;
    int status = 0;
    const double period = 1.0 / (fps * speed), start = now_s();
    double late_s = 0;
    for (; !max_frames || k < max_frames; k++) {
        edgetam_frame frame;
        const int got = video_source_next(src, &frame);
        if (got <= 0) {
            status = got < 0;
            break;
        }
        const double due = start + (double)k * period;
        if (now_s() > due) late_s += now_s() - due; /* decoding could not keep up */
        sleep_until(due);
        const double t0 = now_s();
        const edgetam_status st = edgetam_stream_push(stream, &frame, (int64_t)(k * period * 1e6) + 1);
        const double t1 = now_s();
        if (st == EDGETAM_DROPPED) {
            if (drops == drop_capacity && !(drop_us = realloc(drop_us, sizeof(double) * (drop_capacity *= 2))))
                return 1;
            drop_us[drops++] = (t1 - t0) * 1e6;
        } else if (st != EDGETAM_OK) {
            fprintf(stderr, "frame %ld: push failed: %s\n", k, edgetam_status_str(st));
        }
        if (k == 0 && (prompt.num_points || prompt.has_box)) {
            edgetam_stream_flush(stream); /* the first frame is the one the prompt is for */
            if (edgetam_stream_add_prompt(stream, 1, &prompt) != EDGETAM_OK)
                fprintf(stderr, "the prompt was refused\n");
        }
        if ((k + 1) % 50 == 0) {
            edgetam_stream_stats s;
            s.struct_size = sizeof s;
            edgetam_stream_get_stats(stream, &s);
            printf("progress pushed=%llu processed=%llu dropped=%llu\n", (unsigned long long)s.submitted,
                   (unsigned long long)s.processed,
                   (unsigned long long)(s.dropped_busy + s.dropped_replaced));
        }
    }
    edgetam_stream_flush(stream);
    const double wall = now_s() - start;
    edgetam_stream_stats s;
    s.struct_size = sizeof s;
    edgetam_stream_get_stats(stream, &s);
    qsort(drop_us, drops, sizeof *drop_us, by_value);
    printf("input=%s fps=%.2f speed=%.2f policy=%s\n", input, fps, speed,
           policy == EDGETAM_STREAM_DROP_NEW ? "drop_new" : "keep_latest");
    printf("pushed=%llu processed=%llu dropped_busy=%llu dropped_replaced=%llu failed=%llu\n",
           (unsigned long long)s.submitted, (unsigned long long)s.processed,
           (unsigned long long)s.dropped_busy, (unsigned long long)s.dropped_replaced,
           (unsigned long long)s.failed);
    printf("processed_fps=%.2f latency_ms_p50=%.2f latency_ms_p99=%.2f push_drop_us_max=%.2f "
           "camera_late_s=%.2f frames_with_object=%ld callbacks=%ld\n",
           (double)s.processed / wall, s.latency_ms_p50, s.latency_ms_p99,
           drops ? drop_us[drops - 1] : 0.0, late_s, (long)atomic_load(&frames_with_object),
           (long)atomic_load(&callbacks));
    free(drop_us);
    edgetam_stream_destroy(stream);
    edgetam_model_free(model);
    video_source_close(src);
    return status;
}
