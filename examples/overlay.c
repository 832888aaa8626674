#include "overlay.h"

#include <stdio.h>

static void colour_of(int32_t object_id, uint8_t c[3])
{
    static const uint8_t kPalette[][3] = {{230, 25, 75},  {60, 180, 75},  {255, 225, 25},
                                          {0, 130, 200},  {245, 130, 48}, {145, 30, 180},
                                          {70, 240, 240}, {240, 50, 230}};
    const uint8_t *p = kPalette[(uint32_t)object_id % (sizeof kPalette / sizeof *kPalette)];
    c[0] = p[0], c[1] = p[1], c[2] = p[2];
}

static void box_outline(uint8_t *rgb, int32_t w, int32_t h, const edgetam_box *b, const uint8_t c[3])
{
    for (int32_t y = b->y0; y < b->y1 && y < h; y++) {
        for (int32_t x = b->x0; x < b->x1 && x < w; x++) {
            const int edge = x - b->x0 < 2 || b->x1 - 1 - x < 2 || y - b->y0 < 2 || b->y1 - 1 - y < 2;
            if (!edge) continue;
            uint8_t *p = rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
            p[0] = c[0], p[1] = c[1], p[2] = c[2];
        }
    }
}

void overlay_objects(uint8_t *rgb, int32_t w, int32_t h, const edgetam_object_result *objects,
                     int32_t count)
{
    for (int32_t i = 0; i < count; i++) {
        const edgetam_object_result *r = &objects[i];
        uint8_t c[3];
        colour_of(r->object_id, c);
        for (int32_t y = 0; r->mask && y < h; y++) {
            const uint8_t *m = r->mask + (size_t)y * r->mask_stride;
            uint8_t *p = rgb + 3 * (size_t)y * (size_t)w;
            for (int32_t x = 0; x < w; x++, p += 3)
                if (m[x])
                    for (int k = 0; k < 3; k++) p[k] = (uint8_t)((p[k] + c[k]) / 2);
        }
        if (r->area) box_outline(rgb, w, h, &r->box, c);
    }
}

int overlay_write_ppm(const char *path, const uint8_t *rgb, int32_t w, int32_t h)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fprintf(f, "P6\n%d %d\n255\n", (int)w, (int)h);
    const size_t size = (size_t)w * (size_t)h * 3;
    const int ok = fwrite(rgb, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}
