/* edgetam-demo: tracks one object through a synthetic sequence (a disc crossing a textured
 * scene) and prints what the tracker reports per frame; with --out DIR it also writes overlays
 * (mask tinted, box outlined) as PPM images any viewer opens.
 * With the stand-in bundle (the default) the masks are meaningless: it has random weights and
 * only proves the pipeline runs. Export the real EdgeTAM model with shim/export/export_edgetam.py. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgetam.h"
#include "load_model.h"
#include "overlay.h"

#define W 640
#define H 360
#define RADIUS 50

static int disc_x(int k) { return 120 + 12 * k; }

static void render(uint8_t *rgb, int k)
{
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            uint8_t *p = rgb + 3 * ((size_t)y * W + x);
            const int dx = x - disc_x(k), dy = y - H / 2, on = dx * dx + dy * dy < RADIUS * RADIUS;
            p[0] = on ? 230 : (uint8_t)(60 + (x / 16 + y / 16) % 2 * 40);
            p[1] = on ? 180 : (uint8_t)(90 + (x * 3 + y) % 50);
            p[2] = on ? 40 : (uint8_t)(120 + y / 4);
        }
    }
}

int main(int argc, char **argv)
{
    const char *model_path = example_standin_bundle, *out_dir = NULL;
    int frames = 20;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc) model_path = argv[++i];
        else if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out_dir = argv[++i];
        else {
            fprintf(stderr, "usage: edgetam-demo [--model BUNDLE] [--frames N] [--out DIR]\n");
            return 2;
        }
    }
    edgetam_model *model = example_load_model(model_path, 0, 1);
    if (!model) return 1;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *tracker = NULL;
    if (edgetam_tracker_create(model, &tp, &tracker) != EDGETAM_OK) return 1;

    uint8_t *rgb = malloc((size_t)W * H * 3), *mask = malloc((size_t)W * H);
    edgetam_frame frame = edgetam_frame_default(); /* borrowed view of `rgb` */
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

    int status = 0;
    for (int k = 0; k < frames && !status; k++) {
        render(rgb, k);
        int32_t count = 0;
        edgetam_status st = edgetam_tracker_track(tracker, &frame, &r, 1, &count);
        if (st == EDGETAM_OK && k == 0) { /* click the disc on the first frame */
            const edgetam_point click = {(float)disc_x(0), H / 2.0f, 1};
            edgetam_prompt p = edgetam_prompt_default();
            p.points = &click;
            p.num_points = 1;
            st = edgetam_tracker_add_prompt(tracker, 1, &p, &r);
            count = 1;
        }
        if (st != EDGETAM_OK) {
            fprintf(stderr, "frame %d: %s: %s\n", k, edgetam_status_str(st),
                    edgetam_tracker_last_error(tracker));
            status = 1;
            break;
        }
        if (count == 1)
            printf("frame=%d object=%d present=%d score=%.3f iou=%.3f area=%lld box=%d,%d,%d,%d\n",
                   k, r.object_id, r.present, r.object_score, r.iou, (long long)r.area, r.box.x0,
                   r.box.y0, r.box.x1, r.box.y1);
        if (out_dir) {
            char path[1024];
            snprintf(path, sizeof path, "%s/frame_%04d.ppm", out_dir, k);
            overlay_objects(rgb, W, H, &r, count); /* the tracker has its own copy by now */
            if (overlay_write_ppm(path, rgb, W, H) != 0) {
                fprintf(stderr, "cannot write %s\n", path);
                status = 1;
            }
        }
    }
    edgetam_tracker_stats stats;
    stats.struct_size = sizeof stats;
    edgetam_tracker_get_stats(tracker, &stats);
    printf("processed=%llu dropped=%llu encode_ms_avg=%.1f\n",
           (unsigned long long)stats.processed, (unsigned long long)stats.dropped,
           stats.processed ? stats.total_ms[EDGETAM_STAGE_ENCODE] / (double)stats.processed : 0.0);
    free(rgb);
    free(mask);
    edgetam_tracker_destroy(tracker);
    edgetam_model_free(model);
    return status;
}
