#include "bench_camera.h"

#include <stdlib.h>

void camera_init(camera *c)
{
    c->y = malloc((size_t)CAM_W * CAM_H);
    c->uv = malloc((size_t)CAM_W * CAM_H / 2);
    c->frame = edgetam_frame_default();
    c->frame.format = EDGETAM_FORMAT_NV12;
    c->frame.width = CAM_W;
    c->frame.height = CAM_H;
    c->frame.planes.data[0] = c->y;
    c->frame.planes.stride[0] = CAM_W;
    c->frame.planes.data[1] = c->uv;
    c->frame.planes.stride[1] = CAM_W;
}

void camera_render(camera *c, int k)
{
    for (int y = 0; y < CAM_H; y++) {
        for (int x = 0; x < CAM_W; x++) {
            int v = (x + y) / 8 + ((x * 7 + y * 13) & 15);
            for (int d = 0; d < 3; d++) {
                const int cx = 300 + 350 * d + (k * (d + 2)) % 200, cy = 360 + (d - 1) * 150;
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < 80 * 80) v = 200 + d * 20;
            }
            c->y[(size_t)y * CAM_W + x] = (uint8_t)v;
        }
    }
    for (size_t i = 0; i < (size_t)CAM_W * CAM_H / 2; i++) c->uv[i] = (uint8_t)(128 + (i % 7));
}

void camera_free(camera *c)
{
    free(c->y);
    free(c->uv);
}

edgetam_point camera_click(int o)
{
    const edgetam_point p = {(float)(100 + (o * 211) % (CAM_W - 200)),
                             (float)(100 + (o * 137) % (CAM_H - 200)), 1};
    return p;
}
