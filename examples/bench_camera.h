/* A synthetic 720p NV12 camera for the benchmarks: a few bright discs moving over a gradient. */
#ifndef EDGETAM_BENCH_CAMERA_H
#define EDGETAM_BENCH_CAMERA_H

#include <stdint.h>

#include "edgetam.h"

#define CAM_W 1280
#define CAM_H 720

typedef struct camera {
    uint8_t *y, *uv;
    edgetam_frame frame; /* describes y / uv */
} camera;

void camera_init(camera *c);
/* Draws frame k of the scene. */
void camera_render(camera *c, int k);
void camera_free(camera *c);
/* Where the benchmarks click object number o (spread over the frame). */
edgetam_point camera_click(int o);

#endif
