/* libFuzzer target: the frame descriptor checks and the converter (edgetam_convert_frame).
 *
 * Each input describes one call. The harness first builds a frame that is valid in every respect
 * (format, size, colour fields, strides with padding, planes, optional lock/unlock), then injects
 * the faults the input asks for, and knows from them which statuses the call may return. Planes
 * are exact-size heap buffers of stride * (rows - 1) + row bytes, the last byte the library may
 * read, so AddressSanitizer reports any read beyond them; when the frame has lock/unlock they are
 * also poisoned outside lock..unlock, so a pixel read outside the borrow is reported as well.
 *
 * Contract checks (abort on violation), from include/edgetam.h:
 *   - the status is one the injected faults allow (OK when there are none);
 *   - descriptor faults are found before lock is called; lock runs at most once, on a library-owned
 *     copy of the planes; unlock runs exactly once iff lock succeeded;
 *   - on success every output float is finite and within the normalised range of 0..255, and the
 *     error message is empty; on failure the previous output is unchanged and a message is set;
 *   - a call with the same format and size as the previous successful one allocates nothing.
 * One converter per input size lives across runs, so "previous output unchanged" and "no
 * allocation" compare against what earlier inputs left behind.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgetam.h"

#if defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    include <sanitizer/asan_interface.h>
#    define POISON(p, n) __asan_poison_memory_region((p), (n))
#    define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#  endif
#endif
#ifndef POISON
#  define POISON(p, n) ((void)(p), (void)(n))
#  define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* assert() is compiled out in the optimised builds the fuzzer uses */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_convert: contract violated: %s (line %d)\n", #cond, __LINE__);  \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Frames up to 4 megapixels: large enough for every resampler path, small enough to stay fast. */
#define MAX_PIXELS (4 << 20)

/* Faults an input can inject (bits of a 16-bit mask). */
enum {
    FAULT_STRUCT_SIZE = 1 << 0, /* EDGETAM_ERR_ABI_MISMATCH */
    FAULT_FORMAT = 1 << 1,      /* EDGETAM_ERR_UNSUPPORTED_FORMAT */
    FAULT_COLOUR = 1 << 2,      /* same, for YUV formats only; ignored by the others */
    FAULT_DIMENSIONS = 1 << 3,  /* EDGETAM_ERR_BAD_DIMENSIONS */
    FAULT_CALLBACK_PAIR = 1 << 4, /* lock without unlock or the reverse: INVALID_ARGUMENT */
    FAULT_LOCK_FAILS = 1 << 5,  /* EDGETAM_ERR_LOCK_FAILED (frames with lock/unlock only) */
    FAULT_NULL_PLANE = 1 << 6,  /* EDGETAM_ERR_BAD_PLANE */
    FAULT_STRIDE = 1 << 7,      /* short, zero or negative stride: EDGETAM_ERR_BAD_STRIDE */
    FAULT_WRAP = 1 << 8,        /* plane pointer whose span wraps the address space: BAD_STRIDE */
    FAULT_NULL_FRAME = 1 << 9   /* frame pointer NULL: EDGETAM_ERR_INVALID_ARGUMENT */
};

enum lock_mode { LOCK_NONE, LOCK_KEEPS_PLANES, LOCK_SUPPLIES_PLANES };

/* Little reader over the input: every value past the end reads as 0. */
typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static uint32_t take(input *in, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++) {
        v = v << 8 | (in->n ? *in->p : 0);
        if (in->n) in->p++, in->n--;
    }
    return v;
}

static int32_t pick(input *in, const int32_t *values, size_t count)
{
    return values[take(in, 1) % count];
}

/* Status sets: bit -status (statuses are -16..0). */
#define SET(st) (1u << -(st))

/* What the caller's buffer looks like for one plane. */
typedef struct plane_geometry {
    int32_t width, height, bytes_per_pixel;
} plane_geometry;

/* Plane geometry of each format, as edgetam.h documents it; returns the plane count. */
static int describe(edgetam_pixel_format format, int32_t w, int32_t h, plane_geometry *p)
{
    const int32_t cw = (w + 1) / 2, ch = (h + 1) / 2;
    switch (format) {
    case EDGETAM_FORMAT_BGRA:
    case EDGETAM_FORMAT_RGBA: p[0] = (plane_geometry){w, h, 4}; return 1;
    case EDGETAM_FORMAT_BGR24:
    case EDGETAM_FORMAT_RGB24: p[0] = (plane_geometry){w, h, 3}; return 1;
    case EDGETAM_FORMAT_GRAY8: p[0] = (plane_geometry){w, h, 1}; return 1;
    case EDGETAM_FORMAT_NV12:
    case EDGETAM_FORMAT_NV21:
        p[0] = (plane_geometry){w, h, 1};
        p[1] = (plane_geometry){cw, ch, 2};
        return 2;
    case EDGETAM_FORMAT_I420:
        p[0] = (plane_geometry){w, h, 1};
        p[1] = p[2] = (plane_geometry){cw, ch, 1};
        return 3;
    }
    abort(); /* the harness only builds valid formats */
}

/* A width or height: mostly small (more calls per second), sometimes up to the maximum. */
static int32_t take_dimension(input *in)
{
    static const uint32_t range[4] = {64, 64, 1024, EDGETAM_MAX_FRAME_DIM};
    const uint32_t cls = take(in, 1), v = take(in, 2);
    return (int32_t)(1 + v % range[cls % 4]);
}

/* The borrow as the callbacks see it. */
typedef struct borrow {
    const edgetam_planes *descriptor; /* the frame's own planes: lock must get a copy */
    const edgetam_planes *supply;     /* planes lock hands out, or NULL to leave them */
    int fail;                         /* lock returns non-zero */
    int lock_calls, unlock_calls;
    uint8_t *buffer[3];
    size_t size[3];
} borrow;

static void poison(borrow *b, int on)
{
    for (int i = 0; i < 3; i++) {
        if (!b->buffer[i]) continue;
        if (on)
            POISON(b->buffer[i], b->size[i]);
        else
            UNPOISON(b->buffer[i], b->size[i]);
    }
}

static int same_planes(const edgetam_planes *a, const edgetam_planes *b)
{
    for (int i = 0; i < 3; i++)
        if (a->data[i] != b->data[i] || a->stride[i] != b->stride[i]) return 0;
    return 1;
}

static int lock_cb(void *user_data, edgetam_planes *planes)
{
    borrow *b = user_data;
    REQUIRE(b->lock_calls == 0 && b->unlock_calls == 0);
    b->lock_calls++;
    REQUIRE(planes != b->descriptor && same_planes(planes, b->descriptor));
    if (b->fail) return -1;
    if (b->supply) *planes = *b->supply;
    poison(b, 0);
    return 0;
}

static void unlock_cb(void *user_data)
{
    borrow *b = user_data;
    REQUIRE(b->lock_calls == 1 && !b->fail && b->unlock_calls == 0);
    b->unlock_calls++;
    poison(b, 1);
}

/* One converter per input size, kept across runs with a copy of its last good output. */
#define NUM_SIZES 4
static const int32_t kInputSizes[NUM_SIZES] = {16, 64, 100, 256};
static struct {
    edgetam_converter *conv;
    float *expected; /* what edgetam_converter_output must hold after a failure */
    size_t count;
    int ok_before; /* the last call succeeded, with this format and size: */
    edgetam_pixel_format format;
    int32_t width, height;
} g_conv[NUM_SIZES];

static void init_converter(int i)
{
    edgetam_converter_params cp = edgetam_converter_default_params();
    cp.input_size = kInputSizes[i];
    REQUIRE(edgetam_converter_create(&cp, &g_conv[i].conv) == EDGETAM_OK);
    const float *out = edgetam_converter_output(g_conv[i].conv, &g_conv[i].count);
    g_conv[i].expected = calloc(g_conv[i].count, sizeof(float));
    REQUIRE(g_conv[i].expected);
    /* before the first successful conversion the buffer holds zeros */
    REQUIRE(memcmp(out, g_conv[i].expected, g_conv[i].count * sizeof(float)) == 0);
}

static void check_output(const float *out, size_t count)
{
    /* (v / 255 - mean) / std for v in 0..255, with rounding slack */
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    const size_t plane = count / 3;
    for (int c = 0; c < 3; c++) {
        const float lo = -mean[c] / std[c] - 1e-4f, hi = (1 - mean[c]) / std[c] + 1e-4f;
        for (size_t i = 0; i < plane; i++) {
            const float v = out[c * plane + i];
            REQUIRE(isfinite(v) && v >= lo && v <= hi);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    const int ci = (int)(take(&in, 1) % NUM_SIZES);
    if (!g_conv[ci].conv) init_converter(ci);
    edgetam_converter *conv = g_conv[ci].conv;

    /* ---- a valid frame */
    const edgetam_pixel_format format = (edgetam_pixel_format)(1 + take(&in, 1) % 8);
    const int32_t width = take_dimension(&in);
    int32_t height = take_dimension(&in);
    if ((int64_t)width * height > MAX_PIXELS) height = MAX_PIXELS / width;
    const uint32_t colour = take(&in, 1);
    const enum lock_mode lock_mode = (enum lock_mode)(take(&in, 1) % 3);
    /* each fault in about 1 input of 8, so that a quarter of random inputs have none */
    const uint32_t faults = take(&in, 2) & take(&in, 2) & take(&in, 2);

    plane_geometry geo[3];
    const int planes_needed = describe(format, width, height, geo);
    const int yuv = planes_needed > 1;
    edgetam_planes planes;
    memset(&planes, 0, sizeof planes);
    borrow b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < planes_needed; i++) {
        const int64_t row = (int64_t)geo[i].width * geo[i].bytes_per_pixel;
        /* padding only on planes of few rows, which bounds the buffer size */
        const int64_t stride = row + (geo[i].height <= 4096 ? take(&in, 1) % 64 : 0);
        b.size[i] = (size_t)(stride * (geo[i].height - 1) + row);
        b.buffer[i] = malloc(b.size[i]);
        REQUIRE(b.buffer[i]);
        planes.data[i] = b.buffer[i];
        planes.stride[i] = (int32_t)stride;
    }

    edgetam_frame frame = edgetam_frame_default();
    frame.format = format;
    frame.width = width;
    frame.height = height;
    frame.color_space = (edgetam_color_space)(colour & 1);
    frame.color_range = (edgetam_color_range)(colour >> 1 & 1);
    if (lock_mode != LOCK_NONE) {
        frame.lock = lock_cb;
        frame.unlock = unlock_cb;
        frame.user_data = &b;
    }

    /* ---- injected faults, and the statuses they allow. Descriptor faults (pre) must be found
     * before lock; plane faults (post) in the planes actually read, i.e. after lock. */
    uint32_t pre = 0, post = 0;
    if (faults & FAULT_STRUCT_SIZE) {
        static const int32_t bad[] = {0, sizeof frame - 4, sizeof frame + 4, -1};
        frame.struct_size = (uint32_t)pick(&in, bad, 4);
        pre |= SET(EDGETAM_ERR_ABI_MISMATCH);
    }
    if (faults & FAULT_FORMAT) {
        static const int32_t bad[] = {0, 9, -1, 255, INT32_MIN, INT32_MAX};
        frame.format = (edgetam_pixel_format)pick(&in, bad, 6);
        pre |= SET(EDGETAM_ERR_UNSUPPORTED_FORMAT);
    }
    if (faults & FAULT_COLOUR) {
        static const int32_t bad[] = {2, -1, INT32_MIN, INT32_MAX};
        const int32_t v = pick(&in, bad, 4);
        if (take(&in, 1) & 1)
            frame.color_space = (edgetam_color_space)v;
        else
            frame.color_range = (edgetam_color_range)v;
        if (yuv) pre |= SET(EDGETAM_ERR_UNSUPPORTED_FORMAT);
    }
    if (faults & FAULT_DIMENSIONS) {
        static const int32_t bad[] = {0, -1, -EDGETAM_MAX_FRAME_DIM, EDGETAM_MAX_FRAME_DIM + 1,
                                      INT32_MIN, INT32_MAX};
        const int32_t v = pick(&in, bad, 6);
        if (take(&in, 1) & 1)
            frame.width = v;
        else
            frame.height = v;
        pre |= SET(EDGETAM_ERR_BAD_DIMENSIONS);
    }
    if (faults & FAULT_CALLBACK_PAIR) {
        frame.lock = take(&in, 1) & 1 ? lock_cb : NULL;
        frame.unlock = frame.lock ? NULL : unlock_cb;
        frame.user_data = &b;
        pre |= SET(EDGETAM_ERR_INVALID_ARGUMENT);
    }
    const int has_lock = frame.lock && frame.unlock;
    b.fail = has_lock && (faults & FAULT_LOCK_FAILS);
    if (faults & FAULT_NULL_PLANE) {
        planes.data[take(&in, 1) % planes_needed] = NULL;
        post |= SET(EDGETAM_ERR_BAD_PLANE);
    }
    if (faults & FAULT_STRIDE) {
        const int i = (int)(take(&in, 1) % planes_needed);
        const int32_t row = geo[i].width * geo[i].bytes_per_pixel;
        const int32_t bad[] = {row - 1, row - 1 - (int32_t)take(&in, 1), 0, -1, -row, INT32_MIN};
        planes.stride[i] = pick(&in, bad, 6);
        post |= SET(EDGETAM_ERR_BAD_STRIDE);
    }
    if (faults & FAULT_WRAP) {
        /* a pointer so high that data + span overflows: the span check must refuse it */
        const int i = (int)(take(&in, 1) % planes_needed);
        const uint64_t span = (uint64_t)planes.stride[i] * (uint64_t)(geo[i].height - 1) +
                              (uint64_t)geo[i].width * (uint64_t)geo[i].bytes_per_pixel;
        if (planes.stride[i] > 0 && span <= UINTPTR_MAX) {
            planes.data[i] = (const uint8_t *)(UINTPTR_MAX - (uintptr_t)span + 1 +
                                               take(&in, 2) % (uintptr_t)span);
            post |= SET(EDGETAM_ERR_BAD_STRIDE);
        }
    }
    /* With LOCK_SUPPLIES_PLANES the descriptor carries no planes at all: they only exist while
     * locked (CVPixelBufferGetBaseAddressOfPlane), so nothing may check them before lock. */
    edgetam_planes supplied = planes;
    if (has_lock && lock_mode == LOCK_SUPPLIES_PLANES) {
        memset(&frame.planes, 0, sizeof frame.planes);
        b.supply = &supplied;
    } else {
        frame.planes = planes;
    }
    b.descriptor = &frame.planes;

    /* pixels: the rest of the input, repeated */
    for (int i = 0; i < planes_needed; i++) {
        for (size_t off = 0; off < b.size[i]; off += in.n) {
            if (!in.n) {
                memset(b.buffer[i] + off, 0x80, b.size[i] - off);
                break;
            }
            memcpy(b.buffer[i] + off, in.p, in.n < b.size[i] - off ? in.n : b.size[i] - off);
        }
    }

    uint32_t allowed;
    if (has_lock)
        allowed = pre ? pre : b.fail ? SET(EDGETAM_ERR_LOCK_FAILED) : post ? post : SET(EDGETAM_OK);
    else
        allowed = pre | post ? pre | post : SET(EDGETAM_OK);
    const edgetam_frame *fp = &frame;
    if (faults & FAULT_NULL_FRAME) {
        fp = NULL;
        allowed = SET(EDGETAM_ERR_INVALID_ARGUMENT);
        pre = allowed;
    }

    /* ---- the call */
    if (has_lock) poison(&b, 1);
    const uint64_t allocs = edgetam_allocation_count();
    const edgetam_status st = edgetam_convert_frame(conv, fp);
    const int same_geometry = g_conv[ci].ok_before && g_conv[ci].format == format &&
                              g_conv[ci].width == width && g_conv[ci].height == height;
    if (has_lock) poison(&b, 0);

    REQUIRE(st <= 0 && st >= -16 && (allowed & SET(st)));
    if (pre) REQUIRE(b.lock_calls == 0);
    REQUIRE(b.unlock_calls == (b.lock_calls && !b.fail));
    if (same_geometry && fp == &frame && frame.format == format && frame.width == width &&
        frame.height == height)
        REQUIRE(edgetam_allocation_count() == allocs);
    const float *out = edgetam_converter_output(conv, NULL);
    const char *msg = edgetam_converter_last_error(conv);
    if (st == EDGETAM_OK) {
        REQUIRE(msg[0] == '\0');
        check_output(out, g_conv[ci].count);
        memcpy(g_conv[ci].expected, out, g_conv[ci].count * sizeof(float));
    } else {
        REQUIRE(msg[0] != '\0');
        REQUIRE(memcmp(out, g_conv[ci].expected, g_conv[ci].count * sizeof(float)) == 0);
    }
    g_conv[ci].ok_before = st == EDGETAM_OK;
    g_conv[ci].format = format;
    g_conv[ci].width = width;
    g_conv[ci].height = height;

    for (int i = 0; i < 3; i++) free(b.buffer[i]);
    return 0;
}
