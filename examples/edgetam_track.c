/* edgetam-track: tracks objects through a real video (or a folder of images) and writes overlays.
 *
 *   edgetam-track INPUT [--model BUNDLE] [--out DIR] [--video FILE] [--frames N] [--boxes 1]
 *                 [--at FRAME] [--object ID] [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1] ...
 *
 * Frames go to the library in the decoder's own pixel format (YUV 4:2:0, NV12, ...), no RGB detour.
 * Prompts apply to the object chosen by the last --object (default 1) on the frame chosen by the
 * last --at (default 0); LABEL is 1 (on the object, default) or 0 (background). With --out DIR,
 * every frame is written as DIR/frame_NNNNN.png with each object's mask tinted and its box drawn;
 * with --video FILE (.mp4, .mkv, ...) the same overlays also become a video. --boxes 1 prints
 * every object's result on every frame (what tests compare with boxes marked by hand).
 * Without --model it runs the demo bundle (a weight-free tracker, not EdgeTAM) and says so. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edgetam.h"
#include "load_model.h"
#include "overlay.h"
#include "png_writer.h"
#include "video_source.h"
#include "video_writer.h"

#define MAX_PROMPTS 64
#define MAX_POINTS 16
#define MAX_OBJECTS 16

typedef struct prompt_group {
    int64_t frame;
    int32_t object_id;
    edgetam_point points[MAX_POINTS];
    int32_t num_points;
    float box[4];
    int has_box;
} prompt_group;

typedef struct options {
    const char *input, *model, *out, *video;
    int64_t max_frames;
    int print_boxes;
    prompt_group prompts[MAX_PROMPTS];
    int num_prompts;
} options;

static int usage(void)
{
    fprintf(stderr,
            "usage: edgetam-track INPUT [--model BUNDLE] [--out DIR] [--video FILE] [--frames N] [--boxes 1]\n"
            "                     [--at FRAME] [--object ID] [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1]\n"
            "INPUT is a video file or a folder of images. Prompts go to the last --object (default 1)\n"
            "on the last --at frame (default 0).\n");
    return 2;
}

/* The group for (frame, object), created on first use. */
static prompt_group *group_for(options *o, int64_t frame, int32_t object_id)
{
    for (int i = 0; i < o->num_prompts; i++)
        if (o->prompts[i].frame == frame && o->prompts[i].object_id == object_id) return &o->prompts[i];
    if (o->num_prompts == MAX_PROMPTS) return NULL;
    prompt_group *g = &o->prompts[o->num_prompts++];
    memset(g, 0, sizeof *g);
    g->frame = frame;
    g->object_id = object_id;
    return g;
}

static int parse_options(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->model = example_demo_bundle;
    int64_t at = 0;
    int32_t object = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-') {
            if (o->input) return usage();
            o->input = a;
            continue;
        }
        if (!v) return usage();
        i++;
        prompt_group *g;
        if (!strcmp(a, "--model")) o->model = v;
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--video")) o->video = v;
        else if (!strcmp(a, "--frames")) o->max_frames = atoll(v);
        else if (!strcmp(a, "--boxes")) o->print_boxes = atoi(v);
        else if (!strcmp(a, "--at")) at = atoll(v);
        else if (!strcmp(a, "--object")) object = atoi(v);
        else if (!strcmp(a, "--point")) {
            float x, y;
            int label = 1;
            const int n = sscanf(v, "%f,%f,%d", &x, &y, &label);
            if (n < 2 || !(g = group_for(o, at, object)) || g->num_points == MAX_POINTS) return usage();
            g->points[g->num_points++] = (edgetam_point){x, y, label};
        } else if (!strcmp(a, "--box")) {
            float b[4];
            if (sscanf(v, "%f,%f,%f,%f", &b[0], &b[1], &b[2], &b[3]) != 4 ||
                !(g = group_for(o, at, object)))
                return usage();
            memcpy(g->box, b, sizeof b);
            g->has_box = 1;
        } else {
            return usage();
        }
    }
    return o->input ? 0 : usage();
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Applies the prompts given for frame k; each prompted object's result (r[j], whose mask buffer
 * every slot has) replaces its old one or is added. */
static int apply_prompts(const options *o, int64_t k, edgetam_tracker *t, edgetam_object_result *r,
                         int32_t *count)
{
    for (int i = 0; i < o->num_prompts; i++) {
        const prompt_group *g = &o->prompts[i];
        if (g->frame != k) continue;
        int32_t j = 0;
        while (j < *count && r[j].object_id != g->object_id) j++;
        if (j == MAX_OBJECTS) {
            fprintf(stderr, "at most %d objects\n", MAX_OBJECTS);
            return -1;
        }
        edgetam_prompt p = edgetam_prompt_default();
        p.points = g->points;
        p.num_points = g->num_points;
        p.has_box = g->has_box;
        memcpy(p.box, g->box, sizeof p.box);
        const edgetam_status st = edgetam_tracker_add_prompt(t, g->object_id, &p, &r[j]);
        if (st != EDGETAM_OK) {
            fprintf(stderr, "frame %lld, object %d: prompt refused: %s: %s\n", (long long)k,
                    g->object_id, edgetam_status_str(st), edgetam_tracker_last_error(t));
            return -1;
        }
        if (j == *count) (*count)++;
        printf("frame=%lld object=%d prompted iou=%.3f area=%lld box=%d,%d,%d,%d\n", (long long)k,
               g->object_id, r[j].iou, (long long)r[j].area, r[j].box.x0, r[j].box.y0, r[j].box.x1,
               r[j].box.y1);
    }
    return 0;
}

/* Gives every result slot a mask buffer for w x h frames. */
static int size_slots(edgetam_object_result *r, uint8_t **masks, size_t *mask_size, int32_t w, int32_t h)
{
    const size_t size = (size_t)w * (size_t)h;
    for (int i = 0; i < MAX_OBJECTS; i++) {
        if (size > *mask_size) {
            free(masks[i]);
            if (!(masks[i] = malloc(size))) return -1;
        }
        memset(&r[i], 0, sizeof r[i]);
        r[i].struct_size = sizeof r[i];
        r[i].mask = masks[i];
        r[i].mask_stride = (size_t)w;
    }
    if (size > *mask_size) *mask_size = size;
    return 0;
}

int main(int argc, char **argv)
{
    options *o = calloc(1, sizeof *o);
    if (!o) return 1;
    int status = parse_options(argc, argv, o);
    if (status) return status;
    video_source *src = video_source_open(o->input);
    if (!src) return 1;
    edgetam_model *model = example_load_model(o->model, 0, 1);
    if (!model) return 1;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    tp.max_objects = MAX_OBJECTS;
    edgetam_tracker *t = NULL;
    if (edgetam_tracker_create(model, &tp, &t) != EDGETAM_OK) return 1;

    static edgetam_object_result r[MAX_OBJECTS];
    static uint8_t *masks[MAX_OBJECTS];
    size_t mask_size = 0;
    int32_t width = 0, height = 0;
    video_writer *video = NULL; /* opened on the first frame, when its size is known */
    const double start = now_s();
    int64_t k = 0;
    for (; !o->max_frames || k < o->max_frames; k++) {
        edgetam_frame frame;
        const int got = video_source_next(src, &frame);
        if (got <= 0) {
            status = got < 0;
            break;
        }
        if (frame.width != width || frame.height != height) {
            int converted;
            const char *format = video_source_pixel_format(src, &converted);
            printf("input=%s size=%dx%d pixel_format=%s passed_as=%s fps=%.2f\n", o->input,
                   frame.width, frame.height, format, converted ? "rgb24 (converted)" : "is",
                   video_source_fps(src));
            width = frame.width;
            height = frame.height;
        }
        int32_t count = 0;
        edgetam_status st = size_slots(r, masks, &mask_size, width, height) == 0
                                ? edgetam_tracker_track(t, &frame, r, MAX_OBJECTS, &count)
                                : EDGETAM_ERR_OUT_OF_MEMORY;
        if (st != EDGETAM_OK) {
            fprintf(stderr, "frame %lld: %s: %s\n", (long long)k, edgetam_status_str(st),
                    edgetam_tracker_last_error(t));
            status = 1;
            break;
        }
        if (apply_prompts(o, k, t, r, &count) != 0) {
            status = 1;
            break;
        }
        for (int32_t j = 0; o->print_boxes && j < count; j++)
            printf("frame=%lld object=%d present=%d score=%.2f area=%lld box=%d,%d,%d,%d\n",
                   (long long)k, r[j].object_id, r[j].present, r[j].object_score,
                   (long long)r[j].area, r[j].box.x0, r[j].box.y0, r[j].box.x1, r[j].box.y1);
        if (o->out || o->video) {
            uint8_t *rgb = (uint8_t *)video_source_rgb(src); /* the source's own copy: drawn on */
            if (!rgb) {
                status = 1;
                break;
            }
            overlay_objects(rgb, width, height, r, count);
            char path[4096];
            snprintf(path, sizeof path, "%s/frame_%05lld.png", o->out, (long long)k);
            if (o->video && !video && k == 0)
                video = video_writer_open(o->video, width, height, video_source_fps(src));
            if ((o->out && png_write(path, rgb, width, height) != 0) ||
                (o->video && (!video || video_writer_add(video, rgb) != 0))) {
                status = 1;
                break;
            }
        }
        if ((k + 1) % 25 == 0) {
            edgetam_tracker_stats stats;
            stats.struct_size = sizeof stats;
            edgetam_tracker_get_stats(t, &stats);
            printf("progress frame=%lld fps=%.2f objects=%d dropped=%llu\n", (long long)k + 1,
                   (double)(k + 1) / (now_s() - start), count, (unsigned long long)stats.dropped);
        }
    }
    edgetam_tracker_stats stats;
    stats.struct_size = sizeof stats;
    edgetam_tracker_get_stats(t, &stats);
    printf("frames=%lld processed=%llu failed=%llu fps=%.2f encode_ms_avg=%.1f%s%s\n", (long long)k,
           (unsigned long long)stats.processed, (unsigned long long)stats.failed,
           (double)k / (now_s() - start),
           stats.processed ? stats.total_ms[EDGETAM_STAGE_ENCODE] / (double)stats.processed : 0.0,
           o->out ? " overlays=" : "", o->out ? o->out : "");
    if (video_writer_close(video) != 0) status = 1;
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
    video_source_close(src);
    for (int i = 0; i < MAX_OBJECTS; i++) free(masks[i]);
    free(o);
    return status;
}
