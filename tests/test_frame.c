#include "test_frame.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

edgetam_converter *test_converter_new(int32_t size)
{
    edgetam_converter_params p = edgetam_converter_default_params();
    p.input_size = size;
    edgetam_converter *c = NULL;
    assert_int_equal(edgetam_converter_create(&p, &c), EDGETAM_OK);
    return c;
}

int test_format_planes(edgetam_pixel_format format, int32_t bpp[3])
{
    switch (format) {
    case EDGETAM_FORMAT_BGRA: case EDGETAM_FORMAT_RGBA: bpp[0] = 4; return 1;
    case EDGETAM_FORMAT_BGR24: case EDGETAM_FORMAT_RGB24: bpp[0] = 3; return 1;
    case EDGETAM_FORMAT_GRAY8: bpp[0] = 1; return 1;
    case EDGETAM_FORMAT_NV12: case EDGETAM_FORMAT_NV21: bpp[0] = 1; bpp[1] = 2; return 2;
    case EDGETAM_FORMAT_I420: bpp[0] = bpp[1] = bpp[2] = 1; return 3;
    }
    return 0;
}

static int lock_cb(void *user_data, edgetam_planes *planes)
{
    test_frame *t = user_data;
    t->lock_calls++;
    if (t->fail_lock) return -1;
    t->locked = 1;
    if (t->planes_from_lock)
        for (int p = 0; p < t->plane_count; p++) planes->data[p] = t->buf[p].data;
    return 0;
}

static void unlock_cb(void *user_data)
{
    test_frame *t = user_data;
    t->unlock_calls++;
    t->locked = 0;
    if (t->revoke_on_unlock)
        for (int p = 0; p < t->plane_count; p++) guarded_protect(&t->buf[p], 1);
}

static uint32_t next_random(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 24;
}

void test_frame_init(test_frame *t, edgetam_pixel_format format, int32_t w, int32_t h, int32_t stride_pad,
                     uint32_t seed)
{
    memset(t, 0, sizeof *t);
    t->plane_count = test_format_planes(format, t->bytes_per_pixel);
    t->revoke_on_unlock = 1;
    t->frame = edgetam_frame_default();
    t->frame.format = format;
    t->frame.width = w;
    t->frame.height = h;
    t->frame.lock = lock_cb;
    t->frame.unlock = unlock_cb;
    t->frame.user_data = t;
    uint32_t s = seed;
    for (int p = 0; p < t->plane_count; p++) {
        int32_t pw = p ? (w + 1) / 2 : w, ph = p ? (h + 1) / 2 : h;
        int32_t row = pw * t->bytes_per_pixel[p], stride = row + stride_pad;
        t->plane_width[p] = pw;
        t->plane_height[p] = ph;
        t->buf[p] = guarded_alloc((size_t)stride * (ph - 1) + row);
        for (int32_t y = 0; y < ph; y++)
            for (int32_t x = 0; x < row; x++) {
                size_t i = (size_t)y * stride + x;
                if (i >= t->buf[p].size) break;
                /* gradients give smooth areas, the noise term hard edges */
                t->buf[p].data[i] = (uint8_t)((x * 3 + y * 2 + (int)(next_random(&s) & 63)) * (p + 1));
            }
        t->frame.planes.data[p] = t->buf[p].data;
        t->frame.planes.stride[p] = stride;
    }
}

void test_frame_restore(test_frame *t)
{
    for (int p = 0; p < t->plane_count; p++) guarded_protect(&t->buf[p], 0);
}

void test_frame_free(test_frame *t)
{
    for (int p = 0; p < t->plane_count; p++) guarded_free(&t->buf[p]);
}
