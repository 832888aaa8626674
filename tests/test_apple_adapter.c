/* The CoreVideo adapter (src/apple_cvpixelbuffer.c, the file shipped for Apple) against the
 * recording CoreVideo double: formats, lock/unlock balance with identical flags on every path
 * (success, errors after lock, refused locks, drops), no retain/release ever, no pixel access
 * outside lock..unlock (the double's planes are PROT_NONE then), plane getters for planar
 * buffers, odd sizes and padded rows, and masks written into a caller's OneComponent8 buffer.
 * Usage: test_apple_adapter BUNDLE */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "busy_tracker.h"
#include "callback_gate.h"
#include "corevideo_double.h"
#include "edgetam_apple.h"

static const char *bundle_path;

typedef struct format_case {
    OSType type;
    edgetam_pixel_format format;
    edgetam_color_range range;
    int planes; /* 0: packed */
} format_case;

static const format_case supported[] = {
    {kCVPixelFormatType_32BGRA, EDGETAM_FORMAT_BGRA, EDGETAM_COLOR_RANGE_VIDEO, 0},
    {kCVPixelFormatType_32RGBA, EDGETAM_FORMAT_RGBA, EDGETAM_COLOR_RANGE_VIDEO, 0},
    {kCVPixelFormatType_24BGR, EDGETAM_FORMAT_BGR24, EDGETAM_COLOR_RANGE_VIDEO, 0},
    {kCVPixelFormatType_24RGB, EDGETAM_FORMAT_RGB24, EDGETAM_COLOR_RANGE_VIDEO, 0},
    {kCVPixelFormatType_OneComponent8, EDGETAM_FORMAT_GRAY8, EDGETAM_COLOR_RANGE_VIDEO, 0},
    {kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, EDGETAM_FORMAT_NV12, EDGETAM_COLOR_RANGE_VIDEO, 2},
    {kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, EDGETAM_FORMAT_NV12, EDGETAM_COLOR_RANGE_FULL, 2},
    {kCVPixelFormatType_420YpCbCr8Planar, EDGETAM_FORMAT_I420, EDGETAM_COLOR_RANGE_VIDEO, 3},
    {kCVPixelFormatType_420YpCbCr8PlanarFullRange, EDGETAM_FORMAT_I420, EDGETAM_COLOR_RANGE_FULL, 3},
};
#define NUM_SUPPORTED ((int)(sizeof supported / sizeof supported[0]))

/* What must hold for every buffer after every library call: the library borrowed it and gave it
 * back (no lock held, every unlock matching its lock's flags, no retain/release, no address
 * asked for while unlocked), and every attachment copy was released. */
static void assert_returned_intact(CVPixelBufferRef b)
{
    const fake_cv_calls *c = fake_cv_calls_of(b);
    assert_int_equal(c->depth, 0);
    assert_int_equal(c->locks, c->unlocks);
    assert_int_equal(c->mismatched_unlocks, 0);
    assert_int_equal(c->retains, 0);
    assert_int_equal(c->releases, 0);
    assert_int_equal(c->addresses_while_unlocked, 0);
    assert_int_equal(fake_cv_foreign_retains(), 0);
    assert_int_equal(fake_cv_attachment_copies(), fake_cv_attachment_releases());
}

static void test_formats_and_matrices(void **state)
{
    (void)state;
    for (int i = 0; i < NUM_SUPPORTED; i++) {
        const format_case *fc = &supported[i];
        /* packed buffers ignore the matrix; YUV ones read it: none/601 -> BT.601, 709 -> BT.709 */
        const CFStringRef matrices[] = {NULL, kCVImageBufferYCbCrMatrix_ITU_R_601_4,
                                        kCVImageBufferYCbCrMatrix_ITU_R_709_2};
        for (int m = 0; m < 3; m++) {
            CVPixelBufferRef b = fake_cv_create(fc->type, 33, 17, 5, 1u);
            fake_cv_knobs_of(b)->matrix = matrices[m];
            edgetam_frame f;
            assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_OK);
            assert_int_equal(f.struct_size, sizeof f);
            assert_int_equal(f.format, fc->format);
            assert_int_equal(f.width, 33);
            assert_int_equal(f.height, 17);
            assert_non_null(f.lock);
            assert_non_null(f.unlock);
            assert_ptr_equal(f.user_data, b);
            if (fc->planes) {
                assert_int_equal(f.color_range, fc->range);
                assert_int_equal(f.color_space, m == 2 ? EDGETAM_COLOR_SPACE_BT709 : EDGETAM_COLOR_SPACE_BT601);
            }
            /* describing a buffer reads nothing: no lock, no address */
            const fake_cv_calls *c = fake_cv_calls_of(b);
            assert_int_equal(c->locks + c->failed_locks, 0);
            assert_int_equal(c->base_address_calls + c->plane_address_calls, 0);
            assert_returned_intact(b);
            fake_cv_destroy(b);
        }
    }
}

static void test_refused_buffers_leave_the_frame_untouched(void **state)
{
    (void)state;
    edgetam_frame sentinel, f;
    memset(&sentinel, 0x7C, sizeof sentinel);
    f = sentinel;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(NULL, &f), EDGETAM_ERR_INVALID_ARGUMENT);

    CVPixelBufferRef b = fake_cv_create(kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, 64, 48, 0, 2u);
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    /* a matrix the library has no coefficients for */
    fake_cv_knobs_of(b)->matrix = kCVImageBufferYCbCrMatrix_ITU_R_2020;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_ERR_UNSUPPORTED_FORMAT);
    fake_cv_knobs_of(b)->matrix = NULL;
    /* a 4:2:0 format whose buffer claims not to be planar, or too few chroma rows */
    fake_cv_knobs_of(b)->planar = 0;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_ERR_BAD_PLANE);
    fake_cv_knobs_of(b)->planar = -1;
    fake_cv_knobs_of(b)->plane_height[1] = 23;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_ERR_BAD_PLANE);
    assert_memory_equal(&f, &sentinel, sizeof f);
    assert_int_equal(fake_cv_calls_of(b)->locks, 0);
    assert_returned_intact(b);
    fake_cv_destroy(b);

    /* 10-bit and a packed format claiming planes */
    b = fake_cv_create(kCVPixelFormatType_420YpCbCr10BiPlanarVideoRange, 64, 48, 0, 3u);
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_ERR_UNSUPPORTED_FORMAT);
    fake_cv_destroy(b);
    b = fake_cv_create(kCVPixelFormatType_32BGRA, 64, 48, 0, 3u);
    fake_cv_knobs_of(b)->planar = 1;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_ERR_BAD_PLANE);
    assert_memory_equal(&f, &sentinel, sizeof f);
    assert_returned_intact(b);
    fake_cv_destroy(b);
}

/* Converts through the adapter and through a plain descriptor of the same bytes: identical. */
static void check_conversion(const format_case *fc, int32_t w, int32_t h, int32_t row_pad)
{
    edgetam_converter *conv = test_converter_new(64);
    CVPixelBufferRef b = fake_cv_create(fc->type, w, h, row_pad, (uint32_t)(w * 31 + h));
    fake_cv_knobs_of(b)->matrix = kCVImageBufferYCbCrMatrix_ITU_R_709_2;
    edgetam_frame f;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_OK);
    assert_int_equal(edgetam_convert_frame(conv, &f), EDGETAM_OK);
    size_t n = 0;
    const float *output = edgetam_converter_output(conv, &n);
    float *through_adapter = malloc(n * sizeof(float));
    assert_non_null(through_adapter);
    memcpy(through_adapter, output, n * sizeof(float));

    const fake_cv_calls *c = fake_cv_calls_of(b);
    assert_int_equal(c->locks, 1);
    assert_int_equal(c->lock_flags, kCVPixelBufferLock_ReadOnly);
    assert_int_equal(c->unlock_flags, kCVPixelBufferLock_ReadOnly);
    if (fc->planes) { /* the plane getters; GetBaseAddress is not the pixels of a planar buffer */
        assert_int_equal(c->base_address_calls, 0);
        assert_int_equal(c->plane_address_calls, fc->planes);
    } else {
        assert_int_equal(c->base_address_calls, 1);
        assert_int_equal(c->plane_address_calls, 0);
    }
    assert_returned_intact(b);

    fake_cv_open(b);
    edgetam_frame plain = fake_cv_storage(b)->frame;
    plain.lock = NULL;
    plain.unlock = NULL;
    plain.color_space = f.color_space;
    plain.color_range = f.color_range;
    assert_int_equal(edgetam_convert_frame(conv, &plain), EDGETAM_OK);
    fake_cv_close(b);
    assert_memory_equal(through_adapter, edgetam_converter_output(conv, NULL), n * sizeof(float));
    free(through_adapter);
    fake_cv_destroy(b);
    edgetam_converter_destroy(conv);
}

static void test_conversion_odd_sizes_and_padded_rows(void **state)
{
    (void)state;
    static const int32_t geometry[][3] = {{37, 23, 13}, {64, 48, 0}, {1, 1, 7}, {101, 3, 1}};
    for (int i = 0; i < NUM_SUPPORTED; i++)
        for (size_t g = 0; g < sizeof geometry / sizeof geometry[0]; g++)
            check_conversion(&supported[i], geometry[g][0], geometry[g][1], geometry[g][2]);
}

/* Failures after a successful lock still unlock, with the same flags; a refused lock is not
 * unlocked; the converter reports each with its status. */
static void test_errors_keep_lock_and_unlock_paired(void **state)
{
    (void)state;
    edgetam_converter *conv = test_converter_new(32);
    for (int i = 0; i < NUM_SUPPORTED; i++) {
        for (int fault = 0; fault < 4; fault++) {
            CVPixelBufferRef b = fake_cv_create(supported[i].type, 40, 30, 2, 5u);
            fake_cv_knobs *k = fake_cv_knobs_of(b);
            edgetam_status expect;
            switch (fault) {
            case 0: k->fail_lock = 1; expect = EDGETAM_ERR_LOCK_FAILED; break;
            case 1: k->null_address = 1; expect = EDGETAM_ERR_BAD_PLANE; break;
            case 2: k->bytes_per_row[0] = 39; expect = EDGETAM_ERR_BAD_STRIDE; break; /* < a row */
            default: k->bytes_per_row[0] = (size_t)INT32_MAX + 1; expect = EDGETAM_ERR_BAD_STRIDE; break;
            }
            edgetam_frame f;
            assert_int_equal(edgetam_frame_from_cvpixelbuffer(b, &f), EDGETAM_OK);
            assert_int_equal(edgetam_convert_frame(conv, &f), expect);
            const fake_cv_calls *c = fake_cv_calls_of(b);
            assert_int_equal(c->locks, fault == 0 ? 0 : 1);
            assert_int_equal(c->failed_locks, fault == 0 ? 1 : 0);
            if (fault) assert_int_equal(c->unlock_flags, c->lock_flags);
            assert_returned_intact(b);
            fake_cv_destroy(b);
        }
    }
    edgetam_converter_destroy(conv);
}

/* ---- with the model: a stream that drops, a tracker, masks into a OneComponent8 buffer ------- */

static edgetam_model *load_model(void)
{
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 2;
    mp.adapt_threads = 0; /* results are compared: the same thread count throughout */
    edgetam_model *m = NULL;
    if (edgetam_model_load(bundle_path, &mp, &m, err, sizeof err) != EDGETAM_OK)
        fail_msg("cannot load %s: %s", bundle_path, err);
    return m;
}

typedef struct mask_sink {
    callback_gate gate;
    CVPixelBufferRef destination; /* the caller's OneComponent8 buffer */
    edgetam_status copy_status;
    int64_t area;
} mask_sink;

/* Stream callback: copies object 1's mask into the caller's pixel buffer, as an app would. */
static void on_result(const edgetam_stream_result *r, void *user_data)
{
    mask_sink *sink = user_data;
    gate_enter(&sink->gate);
    if (r->num_objects > 0) {
        sink->copy_status = edgetam_mask_to_cvpixelbuffer(r->objects[0].mask, r->objects[0].mask_stride,
                                                          r->width, r->height, sink->destination);
        sink->area = r->objects[0].area;
    }
    gate_leave(&sink->gate);
}

static int64_t count_set(CVPixelBufferRef mask_buffer, int32_t w, int32_t h)
{
    fake_cv_open(mask_buffer);
    const test_frame *s = fake_cv_storage(mask_buffer);
    int64_t n = 0;
    for (int32_t y = 0; y < h; y++)
        for (int32_t x = 0; x < w; x++) {
            const uint8_t v = s->buf[0].data[(size_t)y * (size_t)s->frame.planes.stride[0] + (size_t)x];
            assert_true(v == 0 || v == 255);
            n += v == 255;
        }
    fake_cv_close(mask_buffer);
    return n;
}

static void test_stream_drops_without_locking(void **state)
{
    (void)state;
    enum { W = 160, H = 120 };
    edgetam_model *model = load_model();
    mask_sink sink;
    memset(&sink, 0, sizeof sink);
    gate_init(&sink.gate);
    sink.destination = fake_cv_create(kCVPixelFormatType_OneComponent8, W, H, 3, 0u);
    edgetam_stream_params sp = edgetam_stream_default_params();
    sp.on_result = on_result;
    sp.user_data = &sink;
    edgetam_stream *stream = NULL;
    assert_int_equal(edgetam_stream_create(model, &sp, &stream), EDGETAM_OK);

    CVPixelBufferRef camera[3];
    for (int i = 0; i < 3; i++) {
        camera[i] = fake_cv_create(kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, W, H, 16, 10u + (uint32_t)i);
        fake_cv_knobs_of(camera[i])->matrix = kCVImageBufferYCbCrMatrix_ITU_R_709_2;
    }
    edgetam_frame f;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(camera[0], &f), EDGETAM_OK);
    assert_int_equal(edgetam_stream_push(stream, &f, 1), EDGETAM_OK);
    assert_int_equal(edgetam_stream_flush(stream), EDGETAM_OK);
    const edgetam_point click = {W / 2.0f, H / 2.0f, 1};
    edgetam_prompt p = edgetam_prompt_default();
    p.points = &click;
    p.num_points = 1;
    assert_int_equal(edgetam_stream_add_prompt(stream, 1, &p), EDGETAM_OK);

    /* the worker is held inside the callback of frame 2: frame 3 is dropped untouched */
    gate_hold(&sink.gate, 1);
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(camera[1], &f), EDGETAM_OK);
    assert_int_equal(edgetam_stream_push(stream, &f, 2), EDGETAM_OK);
    gate_wait_inside(&sink.gate);
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(camera[2], &f), EDGETAM_OK);
    assert_int_equal(edgetam_stream_push(stream, &f, 3), EDGETAM_DROPPED);
    const fake_cv_calls *dropped = fake_cv_calls_of(camera[2]);
    assert_int_equal(dropped->locks + dropped->failed_locks, 0);
    assert_int_equal(dropped->base_address_calls + dropped->plane_address_calls, 0);
    gate_hold(&sink.gate, 0);
    assert_int_equal(edgetam_stream_flush(stream), EDGETAM_OK);
    edgetam_stream_destroy(stream);

    for (int i = 0; i < 3; i++) {
        assert_int_equal(fake_cv_calls_of(camera[i])->locks, i < 2 ? 1 : 0);
        assert_returned_intact(camera[i]);
        fake_cv_destroy(camera[i]);
    }
    /* the callback wrote object 1's mask into the caller's buffer, through a write lock */
    assert_int_equal(sink.copy_status, EDGETAM_OK);
    const fake_cv_calls *mc = fake_cv_calls_of(sink.destination);
    assert_int_equal(mc->locks, 1);
    assert_int_equal(mc->lock_flags, 0);
    assert_int_equal(mc->unlock_flags, 0);
    assert_returned_intact(sink.destination);
    assert_int_equal(count_set(sink.destination, W, H), sink.area);
    fake_cv_destroy(sink.destination);
    edgetam_model_free(model);
}

static void test_tracker_drops_without_locking(void **state)
{
    (void)state;
    edgetam_model *model = load_model();
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    busy_tracker busy;
    busy_tracker_start(&busy, t);

    CVPixelBufferRef camera = fake_cv_create(kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, 64, 48, 8, 9u);
    edgetam_frame f;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(camera, &f), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_track(t, &f, NULL, 0, NULL), EDGETAM_DROPPED);
    const fake_cv_calls *c = fake_cv_calls_of(camera);
    assert_int_equal(c->locks + c->failed_locks, 0);
    assert_int_equal(c->base_address_calls + c->plane_address_calls, 0);
    assert_returned_intact(camera);

    busy_tracker_finish(&busy);
    assert_int_equal(busy.status, EDGETAM_OK);
    /* once idle, the same descriptor is tracked: one lock, one unlock */
    assert_int_equal(edgetam_tracker_track(t, &f, NULL, 0, NULL), EDGETAM_OK);
    assert_int_equal(c->locks, 1);
    assert_returned_intact(camera);
    fake_cv_destroy(camera);
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

static void test_tracker_and_mask_rows(void **state)
{
    (void)state;
    enum { W = 123, H = 77, PAD = 9 };
    edgetam_model *model = load_model();
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    CVPixelBufferRef camera = fake_cv_create(kCVPixelFormatType_32BGRA, W, H, 4, 42u);
    edgetam_frame f;
    assert_int_equal(edgetam_frame_from_cvpixelbuffer(camera, &f), EDGETAM_OK);
    assert_int_equal(edgetam_tracker_track(t, &f, NULL, 0, NULL), EDGETAM_OK);
    static uint8_t mask[W * H];
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.mask = mask;
    r.mask_stride = W;
    edgetam_prompt p = edgetam_prompt_default();
    p.has_box = 1;
    p.box[0] = 10, p.box[1] = 10, p.box[2] = 100, p.box[3] = 60;
    assert_int_equal(edgetam_tracker_add_prompt(t, 7, &p, &r), EDGETAM_OK);
    int32_t count = 0;
    assert_int_equal(edgetam_tracker_track(t, &f, &r, 1, &count), EDGETAM_OK);
    assert_int_equal(count, 1);
    assert_int_equal(fake_cv_calls_of(camera)->locks, 2);
    assert_returned_intact(camera);

    /* rows land at the destination's bytes per row; its row padding stays as it was (the
     * double's last row ends at a guard page, so it has none) */
    CVPixelBufferRef out = fake_cv_create(kCVPixelFormatType_OneComponent8, W, H, PAD, 0u);
    fake_cv_open(out);
    test_frame *s = fake_cv_storage(out);
    const size_t bpr = (size_t)s->frame.planes.stride[0];
    for (int32_t y = 0; y + 1 < H; y++) memset(s->buf[0].data + (size_t)y * bpr + W, 0x5A, PAD);
    fake_cv_close(out);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H, out), EDGETAM_OK);
    fake_cv_open(out);
    for (int32_t y = 0; y < H; y++) {
        assert_memory_equal(s->buf[0].data + (size_t)y * bpr, mask + (size_t)y * W, W);
        for (int k = 0; k < PAD && y + 1 < H; k++)
            assert_int_equal(s->buf[0].data[(size_t)y * bpr + W + (size_t)k], 0x5A);
    }
    fake_cv_close(out);
    assert_returned_intact(out);
    fake_cv_destroy(out);
    fake_cv_destroy(camera);
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

static void test_mask_output_errors(void **state)
{
    (void)state;
    enum { W = 20, H = 10 };
    static uint8_t mask[(W + 1) * H];
    memset(mask, 255, sizeof mask);
    CVPixelBufferRef out = fake_cv_create(kCVPixelFormatType_OneComponent8, W, H, 0, 0u);
    fake_cv_open(out);
    memset(fake_cv_storage(out)->buf[0].data, 0, (size_t)W * H);
    fake_cv_close(out);
    CVPixelBufferRef bgra = fake_cv_create(kCVPixelFormatType_32BGRA, W, H, 0, 0u);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(NULL, W, W, H, out), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H, NULL), EDGETAM_ERR_INVALID_ARGUMENT);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, 0, H, out), EDGETAM_ERR_BAD_DIMENSIONS);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W + 1, W + 1, H, out), EDGETAM_ERR_BAD_DIMENSIONS);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H - 1, out), EDGETAM_ERR_BAD_DIMENSIONS);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W - 1, W, H, out), EDGETAM_ERR_BAD_STRIDE);
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H, bgra), EDGETAM_ERR_UNSUPPORTED_FORMAT);
    assert_int_equal(fake_cv_calls_of(out)->locks + fake_cv_calls_of(bgra)->locks, 0);

    fake_cv_knobs_of(out)->fail_lock = 1;
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H, out), EDGETAM_ERR_LOCK_FAILED);
    fake_cv_knobs_of(out)->fail_lock = 0;
    fake_cv_knobs_of(out)->null_address = 1;
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H, out), EDGETAM_ERR_BAD_PLANE);
    fake_cv_knobs_of(out)->null_address = 0;
    fake_cv_knobs_of(out)->bytes_per_row[0] = W - 1;
    assert_int_equal(edgetam_mask_to_cvpixelbuffer(mask, W, W, H, out), EDGETAM_ERR_BAD_STRIDE);
    const fake_cv_calls *c = fake_cv_calls_of(out);
    assert_int_equal(c->failed_locks, 1);
    assert_int_equal(c->locks, 2);
    assert_returned_intact(out);
    assert_int_equal(count_set(out, W, H), 0); /* nothing written on any error */
    fake_cv_destroy(out);
    fake_cv_destroy(bgra);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE\n", argv[0]);
        return 2;
    }
    bundle_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_and_matrices),
        cmocka_unit_test(test_refused_buffers_leave_the_frame_untouched),
        cmocka_unit_test(test_conversion_odd_sizes_and_padded_rows),
        cmocka_unit_test(test_errors_keep_lock_and_unlock_paired),
        cmocka_unit_test(test_stream_drops_without_locking),
        cmocka_unit_test(test_tracker_drops_without_locking),
        cmocka_unit_test(test_tracker_and_mask_rows),
        cmocka_unit_test(test_mask_output_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
