/*
 * edgetam.h - segment and track objects in live camera frames with EdgeTAM.
 *
 * One header, read top to bottom. Everything public starts with `edgetam_` / `EDGETAM_`.
 *
 * ---------------------------------------------------------------------------------------------
 * Basic usage: track an object through camera frames
 * ---------------------------------------------------------------------------------------------
 *
 *     edgetam_model_params mp = edgetam_model_default_params();
 *     edgetam_model *model = NULL;
 *     char err[256];
 *     if (edgetam_model_load("edgetam.bundle", &mp, &model, err, sizeof err) != EDGETAM_OK) { ... }
 *     edgetam_tracker_params tp = edgetam_tracker_default_params();
 *     edgetam_tracker *tracker = NULL;
 *     edgetam_tracker_create(model, &tp, &tracker);
 *
 *     edgetam_frame frame = edgetam_frame_default();  // a *borrowed* view of the caller's pixels
 *     frame.format = EDGETAM_FORMAT_NV12;
 *     frame.width = 1920; frame.height = 1080;
 *     frame.planes.data[0] = y_plane;  frame.planes.stride[0] = y_stride;
 *     frame.planes.data[1] = uv_plane; frame.planes.stride[1] = uv_stride;
 *     edgetam_tracker_track(tracker, &frame, NULL, 0, NULL);      // first frame: no objects yet
 *
 *     edgetam_point click = {960, 540, 1};                         // "this is the object"
 *     edgetam_prompt prompt = edgetam_prompt_default();
 *     prompt.points = &click; prompt.num_points = 1;
 *     edgetam_tracker_add_prompt(tracker, 1, &prompt, NULL);       // object id 1
 *
 *     edgetam_object_result r = {sizeof r};                        // caller-owned outputs
 *     r.mask = my_mask; r.mask_stride = 1920;                      // 1920 x 1080 bytes
 *     for (;;) {                                                   // every next frame
 *         edgetam_status st = edgetam_tracker_track(tracker, &frame, &r, 1, NULL);
 *         if (st == EDGETAM_DROPPED) continue;   // still busy with the previous frame
 *         if (st != EDGETAM_OK) fprintf(stderr, "%s\n", edgetam_tracker_last_error(tracker));
 *         // r.mask, r.box, r.area, r.present, r.iou now describe object 1 in this frame
 *     }
 *     edgetam_tracker_destroy(tracker);
 *     edgetam_model_free(model);
 *
 * Lower level, the converter alone turns a frame into the model's input tensor
 * (edgetam_converter_*, at the end of this header).
 *
 * ---------------------------------------------------------------------------------------------
 * The borrowing contract (why this library exists)
 * ---------------------------------------------------------------------------------------------
 * Frames are lent to the library, never given. For every call that takes an edgetam_frame the
 * library: (1) validates the descriptor, (2) calls frame->lock once if set, (3) reads the pixels and
 * converts them into memory it owns, (4) calls frame->unlock exactly once, (5) returns. After (4)
 * the library never touches the caller's buffer again: it keeps no pointer to it, and it never
 * frees, reallocates, retains or releases it. If lock fails, unlock is not called and no pixel is
 * read. Every other failure after a successful lock still calls unlock exactly once.
 *
 * ---------------------------------------------------------------------------------------------
 * Threading
 * ---------------------------------------------------------------------------------------------
 * Any thread may call anything; what runs concurrently and what is serialised:
 * - No object (version, status strings, *_default*, edgetam_allocation_count): any thread, any
 *   time. edgetam_set_allocator is the exception: call it before anything else.
 * - Model: read-only after loading; any number of trackers and streams on any threads share it.
 *   edgetam_model_free only after all of them are destroyed.
 * - Tracker: serialises its own calls with a mutex. edgetam_tracker_track never waits: if another
 *   call is running on the same tracker it returns EDGETAM_DROPPED at once without touching the
 *   frame (drop-if-busy, for camera callbacks). Prompts, remove, reset and object_count wait for a
 *   running call. edgetam_tracker_get_stats never waits. edgetam_tracker_last_error is the text
 *   of the last failed call on the tracker: read it on the thread that got the error.
 * - Stream: owns one worker thread that runs every model call and every callback, one frame at a
 *   time. push, add_prompt, remove_object, reset and get_stats may be called from any threads at
 *   once and never wait for the model (a push converts its own frame on the calling thread when
 *   accepted). flush waits for the worker. destroy must not race with other calls on the stream.
 *   Callbacks run on the worker thread only, never after destroy returned.
 * - Different trackers and streams run fully in parallel (each needs its own cores).
 * - Converter: one thread at a time; distinct converters may be used concurrently.
 * - Callbacks the caller gives (frame lock/unlock, the allocator, stream results) run on the
 *   threads stated where they are declared and must not block for long: a frame's lock runs on the
 *   pushing thread, a stream's callback holds up its next frame.
 *
 * ---------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------------
 * Every fallible function returns an edgetam_status. EDGETAM_OK is 0, errors are negative, the one
 * positive value (EDGETAM_DROPPED) is not an error, and numeric values never change between
 * releases. A failing call changes nothing the caller can observe (a converter's previous output
 * and a tracker's objects and memory stay exactly as they were) and stores a human-readable
 * message that the object owns (edgetam_converter_last_error, edgetam_tracker_last_error); the
 * caller never frees it. A stream reports each frame's outcome, with its message, in the result
 * its callback receives.
 */
#ifndef EDGETAM_H
#define EDGETAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Export macro: symbols are hidden by default; only EDGETAM_API functions are exported.
 * Define EDGETAM_STATIC when linking the static library on Windows. */
#if defined(_WIN32) && !defined(EDGETAM_STATIC)
#  ifdef EDGETAM_BUILDING
#    define EDGETAM_API __declspec(dllexport)
#  else
#    define EDGETAM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define EDGETAM_API __attribute__((visibility("default")))
#else
#  define EDGETAM_API
#endif

/* ---- Version ------------------------------------------------------------------------------ */

#define EDGETAM_VERSION_MAJOR 0
#define EDGETAM_VERSION_MINOR 1
#define EDGETAM_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH, like ZSTD_VERSION_NUMBER. */
#define EDGETAM_VERSION_NUMBER \
    (EDGETAM_VERSION_MAJOR * 10000 + EDGETAM_VERSION_MINOR * 100 + EDGETAM_VERSION_PATCH)

/* Version of the library actually linked (compare with EDGETAM_VERSION_NUMBER to detect a header
 * / library mismatch). Thread-safe. */
EDGETAM_API unsigned edgetam_version_number(void);

/* "MAJOR.MINOR.PATCH", a static string owned by the library. Thread-safe. */
EDGETAM_API const char *edgetam_version_string(void);

/* ---- Status ------------------------------------------------------------------------------- */

/* Values are pinned: they are part of the ABI and never renumbered. Negative means failure. */
typedef enum edgetam_status {
    EDGETAM_OK = 0,
    EDGETAM_ERR_INVALID_ARGUMENT = -1,   /* NULL pointer, value out of range, bad callback pair */
    EDGETAM_ERR_UNSUPPORTED_FORMAT = -2, /* pixel format / colour space / range not known */
    EDGETAM_ERR_BAD_DIMENSIONS = -3,     /* width/height zero, negative or above the maximum */
    EDGETAM_ERR_BAD_STRIDE = -4,         /* stride shorter than a row, negative, or overflowing */
    EDGETAM_ERR_BAD_PLANE = -5,          /* a plane the format needs is NULL */
    EDGETAM_ERR_LOCK_FAILED = -6,        /* frame->lock returned non-zero; nothing was read */
    EDGETAM_ERR_OUT_OF_MEMORY = -7,      /* the library could not allocate its own memory */
    EDGETAM_ERR_ABI_MISMATCH = -8,       /* struct_size of a caller-filled struct is wrong */
    EDGETAM_ERR_MODEL_LOAD = -9,         /* the model file is missing, unreadable or not a bundle */
    EDGETAM_ERR_BAD_BUNDLE = -10,        /* bundle metadata or method signatures do not match */
    EDGETAM_ERR_INFERENCE = -11,         /* the model failed while running (message says why) */
    EDGETAM_ERR_BAD_PROMPT = -12,        /* point outside the frame, empty box, bad label, ... */
    EDGETAM_ERR_UNKNOWN_OBJECT = -13,    /* no object with that id */
    EDGETAM_ERR_NO_FRAME = -14,          /* a prompt before the tracker has seen any frame */
    EDGETAM_ERR_TOO_MANY_OBJECTS = -15,  /* max_objects reached */
    EDGETAM_ERR_BUFFER_TOO_SMALL = -16,  /* fewer result slots than objects */
    EDGETAM_ERR_BAD_TIMESTAMP = -17,     /* a stream timestamp not greater than the previous one */
    EDGETAM_ERR_QUEUE_FULL = -18,        /* too many prompts waiting for a stream's next frame */
    /* Not an error: the tracker was busy with another frame; this frame was not touched. */
    EDGETAM_DROPPED = 1
} edgetam_status;

/* Short English name of a status, e.g. "EDGETAM_ERR_BAD_STRIDE: stride shorter than a row".
 * Static string owned by the library; unknown values give "unknown edgetam_status". Thread-safe. */
EDGETAM_API const char *edgetam_status_str(edgetam_status status);

/* ---- Frames: a borrowed view of the caller's pixels ---------------------------------------- */

/* Pixel formats, named by BYTE ORDER IN MEMORY.
 *
 * libyuv byte-order trap: libyuv names packed formats by the order of a little-endian 32-bit word,
 * so libyuv "ARGB" is B,G,R,A in memory (our BGRA), libyuv "ABGR" is our RGBA, libyuv "RGB24" is
 * B,G,R in memory (our BGR24) and libyuv "RAW" is R,G,B (our RGB24). Our names never follow that
 * convention. iOS kCVPixelFormatType_32BGRA is EDGETAM_FORMAT_BGRA; Android RGBA_8888 is RGBA.
 *
 * Plane layout (data[i], stride[i] in bytes; chroma planes are ceil(w/2) x ceil(h/2) samples):
 *   BGRA, RGBA       1 plane, 4 bytes/pixel (alpha ignored)
 *   BGR24, RGB24     1 plane, 3 bytes/pixel
 *   GRAY8            1 plane, 1 byte/pixel (replicated to R=G=B, like PIL's convert("RGB"))
 *   NV12             plane 0 Y, plane 1 interleaved U,V (Cb,Cr)  - iOS 420YpCbCr8BiPlanar*
 *   NV21             plane 0 Y, plane 1 interleaved V,U (Cr,Cb)  - Android camera default
 *   I420             plane 0 Y, plane 1 U, plane 2 V             - FFmpeg yuv420p
 * Odd widths and heights are accepted by every format. */
typedef enum edgetam_pixel_format {
    EDGETAM_FORMAT_BGRA = 1,
    EDGETAM_FORMAT_RGBA = 2,
    EDGETAM_FORMAT_BGR24 = 3,
    EDGETAM_FORMAT_RGB24 = 4,
    EDGETAM_FORMAT_GRAY8 = 5,
    EDGETAM_FORMAT_NV12 = 6,
    EDGETAM_FORMAT_NV21 = 7,
    EDGETAM_FORMAT_I420 = 8
} edgetam_pixel_format;

/* YUV matrix. Ignored for RGB and gray formats. Default (0): BT.601. */
typedef enum edgetam_color_space {
    EDGETAM_COLOR_SPACE_BT601 = 0,
    EDGETAM_COLOR_SPACE_BT709 = 1
} edgetam_color_space;

/* YUV range. Ignored for RGB and gray formats. Default (0): video range (Y 16-235, C 16-240),
 * which is what 420YpCbCr8BiPlanarVideoRange and most decoders produce. Android camera NV21 and
 * JPEG are full range. */
typedef enum edgetam_color_range {
    EDGETAM_COLOR_RANGE_VIDEO = 0,
    EDGETAM_COLOR_RANGE_FULL = 1
} edgetam_color_range;

/* Largest accepted width or height. Larger values get EDGETAM_ERR_BAD_DIMENSIONS. */
#define EDGETAM_MAX_FRAME_DIM 16384

/* Plane pointers and byte strides. Strides must be >= the plane's row size (no negative strides);
 * pointers need no alignment. */
typedef struct edgetam_planes {
    const uint8_t *data[3];
    int32_t stride[3];
} edgetam_planes;

/* A frame descriptor: describes pixels the CALLER owns. Fill it with edgetam_frame_default() and
 * then set the fields. The library reads it only during the call it is passed to.
 *
 * lock / unlock (optional, set both or neither): bracket every read of the pixels, e.g.
 * CVPixelBufferLockBaseAddress(buf, kCVPixelBufferLock_ReadOnly) / the matching Unlock.
 * lock receives a library-owned copy of `planes` and may overwrite it; that is the place to fetch
 * base addresses that are only valid while locked (CVPixelBufferGetBaseAddressOfPlane). lock
 * returns 0 on success; on failure unlock is not called and nothing is read. Both are called on the
 * calling thread, at most once per library call, and never after that call returned. */
typedef struct edgetam_frame {
    uint32_t struct_size; /* = sizeof(edgetam_frame); set by edgetam_frame_default() */
    edgetam_pixel_format format;
    int32_t width;
    int32_t height;
    edgetam_planes planes;
    edgetam_color_space color_space;
    edgetam_color_range color_range;
    int (*lock)(void *user_data, edgetam_planes *planes);
    void (*unlock)(void *user_data);
    void *user_data; /* passed to lock/unlock untouched; the library never dereferences it */
} edgetam_frame;

/* A zeroed frame with struct_size set and the defaults stated above (format must still be set).
 * Returned by value; thread-safe. */
EDGETAM_API edgetam_frame edgetam_frame_default(void);

/* ---- Converter: frame -> model input ------------------------------------------------------- */

/* Turns frames into the official EdgeTAM / SAM 2 video-predictor input: resize to S x S without
 * letterbox using PIL's antialiased bicubic filter (what Image.resize((S, S)) does), RGB, x / 255,
 * then (x - mean) / std per channel with mean 0.485,0.456,0.406 and std 0.229,0.224,0.225,
 * stored as float32 planar CHW. Measured on real photos, RGB frames match PIL within 1 level (of
 * 255; mean 0.0004); flat areas stay exactly flat at any ratio.
 * YUV frames are resampled per plane and converted to RGB at S x S with the exact matrix: much less
 * work than converting the full-size frame first, and within 0.8 levels on average of that order
 * (differences concentrate on sharp colour edges). */
typedef struct edgetam_converter edgetam_converter;

typedef struct edgetam_converter_params {
    uint32_t struct_size; /* = sizeof(edgetam_converter_params) */
    int32_t input_size;   /* S: the model's square input size, 16..4096 (EdgeTAM: 1024) */
} edgetam_converter_params;

/* Defaults: input_size 1024. Returned by value; thread-safe. */
EDGETAM_API edgetam_converter_params edgetam_converter_default_params(void);

/* Creates a converter. On success *out owns a new converter (free it with
 * edgetam_converter_destroy); on failure *out is set to NULL. The output buffer (3*S*S floats) is
 * allocated here, once; `params` is only read during the call. Thread-safe. */
EDGETAM_API edgetam_status edgetam_converter_create(const edgetam_converter_params *params,
                                                    edgetam_converter **out);

/* Frees the converter and everything it owns, including the buffer returned by
 * edgetam_converter_output. NULL is a no-op. No other call may be using `conv` meanwhile. */
EDGETAM_API void edgetam_converter_destroy(edgetam_converter *conv);

/* Borrows `frame` (lock -> convert -> unlock, see the contract above) and writes the model input
 * into the converter's output buffer. `frame` and its pixels are only read, only during the call.
 * Allocates only when the frame geometry (format, width, height) differs from the previous call;
 * a steady stream of same-size frames causes no allocation. On failure the previous output is
 * left untouched and a message is stored. One thread at a time per converter; lock and unlock
 * run on the calling thread. */
EDGETAM_API edgetam_status edgetam_convert_frame(edgetam_converter *conv, const edgetam_frame *frame);

/* The output buffer: 3 * S * S floats, planes R, G, B, each S rows of S floats. Owned by the
 * converter; valid until edgetam_converter_destroy; its contents change on each successful
 * edgetam_convert_frame. If `count` is not NULL it receives the number of floats. Before the first
 * successful conversion the buffer holds zeros. Read it from the thread that converts, or after
 * synchronising with it: a conversion running meanwhile rewrites it. */
EDGETAM_API const float *edgetam_converter_output(const edgetam_converter *conv, size_t *count);

/* S, as configured (0 for NULL). Same threading rule as the converter's other calls. */
EDGETAM_API int32_t edgetam_converter_input_size(const edgetam_converter *conv);

/* Message describing why the most recent edgetam_convert_frame on this converter failed ("" if it
 * succeeded or none was made). Owned by the converter, valid until the next call on it; never NULL
 * (NULL conv gives a static message). Same threading rule as the converter's other calls. */
EDGETAM_API const char *edgetam_converter_last_error(const edgetam_converter *conv);

/* ---- Model: a loaded bundle --------------------------------------------------------------- */

/* A model bundle (see shim/BUNDLE.md) loaded once and shared, read-only, by any number of
 * trackers on any threads. */
typedef struct edgetam_model edgetam_model;

typedef struct edgetam_model_params {
    uint32_t struct_size; /* = sizeof(edgetam_model_params) */
    int32_t num_threads;  /* most threads for the model's math; <= 0: all cores. Process-wide. */
    int32_t adapt_threads; /* 1: run on one thread while other work keeps the CPU busy, on
                              num_threads otherwise (see edgetam_model_threads); 0: always on
                              num_threads. Results can differ in the last bits with the thread
                              count (summation order), so 0 when runs must match bit for bit. */
} edgetam_model_params;

/* Defaults: num_threads 0 (all cores), adapt_threads 1. Returned by value; thread-safe. */
EDGETAM_API edgetam_model_params edgetam_model_default_params(void);

/* Loads a bundle of either kind (shim/BUNDLE.md): full TorchScript (torch.jit.save, *.edgetam) or
 * lite interpreter (*.ptl, what LibTorch-Lite runs), told apart by content; a build made for
 * LibTorch-Lite loads only the latter. Checks it against the contract and warms every method up
 * once (so the first frame is not slow). On success *out owns the model (free it with edgetam_model_free after every
 * tracker using it is destroyed); on failure *out is NULL and, if `error` is not NULL, a message
 * naming what is wrong is written into the caller's buffer of `error_size` bytes (truncated,
 * always NUL-terminated). `path` and `params` are only read during the call. Thread-safe.
 * A bundle is a program (TorchScript): load only bundles from a source you trust. A damaged file
 * (truncated, flipped bits) fails with a status, but libtorch's parsers can crash on a crafted
 * one (fuzz/README.md). */
EDGETAM_API edgetam_status edgetam_model_load(const char *path, const edgetam_model_params *params,
                                              edgetam_model **out, char *error, size_t error_size);

/* Frees the model. NULL is a no-op. No tracker created from it may remain. */
EDGETAM_API void edgetam_model_free(edgetam_model *model);

/* The model's square input size S (0 for NULL). Thread-safe. */
EDGETAM_API int32_t edgetam_model_input_size(const edgetam_model *model);

/* How many threads the model's math runs on now (0 for NULL). Threads of a parallel step wait for
 * each other; on a contended CPU (other apps, the camera pipeline, other tenants) a preempted one
 * stalls every step, so with adapt_threads the model watches how much CPU each forward actually
 * got and drops to one thread while the others are kept waiting, going back to num_threads once
 * calls run undisturbed again. Measured: edgetam-bench track --contend (README, Performance). Thread-safe. */
EDGETAM_API int32_t edgetam_model_threads(const edgetam_model *model);

/* Gives memory the library keeps only for speed back to the system: the blocks the model's runtime
 * caches for the next forwards (libtorch: up to 64 MB of tensor memory, shared by every model in
 * the process; ExecuTorch: the pages of the model's planned memory) and the C heap's free pages
 * (glibc). Call it on a memory warning (iOS, Android) or when a server goes idle between bursts.
 * Results do not change: the next frame is slower while its memory is paged in again.
 * EDGETAM_ERR_INVALID_ARGUMENT for NULL. Thread-safe: any thread, any time, also while trackers
 * or streams run on the model; it does not wait for a running frame (what that frame holds is
 * given back by a later call). */
EDGETAM_API edgetam_status edgetam_model_trim(edgetam_model *model);

/* ---- Tracker: one video stream ------------------------------------------------------------ */

/* Tracks objects through one stream of frames: docs/tracking.md states the loop exactly (the
 * official SAM2VideoPredictor loop, made live). Each object has its own bounded memory, so an
 * endless stream uses constant memory. */
typedef struct edgetam_tracker edgetam_tracker;

typedef struct edgetam_tracker_params {
    uint32_t struct_size;           /* = sizeof(edgetam_tracker_params) */
    int32_t max_objects;            /* objects tracked at once, 1..64; default 8 */
    int32_t max_conditioning_frames;/* prompted frames kept per object, 1..16; default 4. Beyond
                                       it the oldest one other than the first is dropped. */
    int32_t fill_hole_area;         /* fill background holes up to this many low-res pixels
                                       (video predictor: 8); 0 disables; default 8 */
    int32_t corrections_as_conditioning; /* official add_all_frames_to_correct_as_cond; 0 */
} edgetam_tracker_params;

/* Defaults as documented above. Returned by value; thread-safe. */
EDGETAM_API edgetam_tracker_params edgetam_tracker_default_params(void);

/* Creates a tracker using `model` (which must outlive it). All per-object and per-frame buffers
 * are allocated here or when an object is added, never per frame. On failure *out is NULL.
 * EDGETAM_ERR_INVALID_ARGUMENT also when the model cannot attend the memories the parameters
 * call for: an ExecuTorch bundle is exported for a number of conditioning frames per object (one
 * by default, all that corrections_as_conditioning = 0 needs; shim/BUNDLE.md, max_memories). */
EDGETAM_API edgetam_status edgetam_tracker_create(edgetam_model *model,
                                                  const edgetam_tracker_params *params,
                                                  edgetam_tracker **out);

/* Frees the tracker and everything it owns. NULL is a no-op. No call may be running on it. */
EDGETAM_API void edgetam_tracker_destroy(edgetam_tracker *tracker);

/* A rectangle in frame pixels, half-open: x0 <= x < x1, y0 <= y < y1. Empty: all zero. */
typedef struct edgetam_box {
    int32_t x0, y0, x1, y1;
} edgetam_box;

/* One object's result. The caller owns every buffer and may leave any of them NULL; the library
 * writes into them during the call only and keeps no pointer to them. */
typedef struct edgetam_object_result {
    uint32_t struct_size;     /* = sizeof(edgetam_object_result), set by the caller */
    /* in: optional caller buffers, frame size (width x height of the tracked frame) */
    uint8_t *mask;            /* 255 where the object is, else 0; rows of mask_stride bytes */
    size_t mask_stride;       /* >= width */
    float *probability;       /* sigmoid of the frame-size logits; rows of probability_stride */
    size_t probability_stride;/* in floats, >= width */
    float *low_res_logits;    /* (S/4) x (S/4) floats: the model's mask logits, before resizing */
    /* out */
    int32_t object_id;
    float iou;                /* the model's predicted IoU of the mask */
    float object_score;       /* object-presence logit */
    int32_t present;          /* object_score > 0 (else the object is lost: empty mask) */
    edgetam_box box;          /* bounding box of the mask */
    int64_t area;             /* mask pixels */
} edgetam_object_result;

/* Tracks every object into the next frame. Drop-if-busy: if another call is running on this
 * tracker, returns EDGETAM_DROPPED at once without reading or locking `frame` and counts the drop.
 * Otherwise the frame is borrowed (lock -> convert -> unlock) before any model work, so the caller
 * gets its buffer back as early as possible. `results` (may be NULL if capacity is 0) receives one
 * result per object in increasing id order, `*count` (may be NULL) their number; capacity below
 * the number of objects is EDGETAM_ERR_BUFFER_TOO_SMALL, checked before the frame is touched. A
 * frame with no objects is still encoded (it becomes the frame prompts apply to). On any failure
 * the tracker's state is exactly as before the call. */
EDGETAM_API edgetam_status edgetam_tracker_track(edgetam_tracker *tracker,
                                                 const edgetam_frame *frame,
                                                 edgetam_object_result *results, int32_t capacity,
                                                 int32_t *count);

/* A click: (x, y) in frame pixels of the current frame; label 1 = object, 0 = not object. */
typedef struct edgetam_point {
    float x, y;
    int32_t label;
} edgetam_point;

#define EDGETAM_MAX_POINTS 32 /* points per object and frame, a box counting as 2 */

/* Prompts for one object on the current frame: points and/or a box, or a mask (alone). */
typedef struct edgetam_prompt {
    uint32_t struct_size;        /* = sizeof(edgetam_prompt) */
    const edgetam_point *points; /* num_points clicks, read during the call only */
    int32_t num_points;
    int32_t has_box;
    float box[4];                /* x0, y0, x1, y1 in frame pixels, x0 < x1, y0 < y1 */
    const uint8_t *mask;         /* frame-size, nonzero = object; rows of mask_stride bytes */
    size_t mask_stride;
    int32_t clear_old_points;    /* 1 (default): replace this frame's points; 0: add to them */
} edgetam_prompt;

/* A prompt with no input and clear_old_points = 1. Returned by value; thread-safe. */
EDGETAM_API edgetam_prompt edgetam_prompt_default(void);

/* Adds object `object_id` (>= 0) if new, or refines it, on the current frame (the last one
 * tracked): a new object starts from its prompt alone; an existing one is corrected using its
 * memory. The result for that object goes to `result` (optional). Waits for a running track call
 * (prompts are never dropped). Bad prompts (point outside the frame, bad label, empty or reversed
 * box, mask with points, too many points) give EDGETAM_ERR_BAD_PROMPT and change nothing. */
EDGETAM_API edgetam_status edgetam_tracker_add_prompt(edgetam_tracker *tracker, int32_t object_id,
                                                      const edgetam_prompt *prompt,
                                                      edgetam_object_result *result);

/* Forgets one object and its memory; the others are untouched. */
EDGETAM_API edgetam_status edgetam_tracker_remove_object(edgetam_tracker *tracker,
                                                         int32_t object_id);

/* Forgets every object. The current frame stays, so prompts can follow at once. */
EDGETAM_API edgetam_status edgetam_tracker_reset(edgetam_tracker *tracker);

/* Pipeline stages timed per frame. */
typedef enum edgetam_stage {
    EDGETAM_STAGE_CONVERT = 0,
    EDGETAM_STAGE_ENCODE = 1,        /* image encoder */
    EDGETAM_STAGE_ATTEND = 2,        /* memory attention, all objects */
    EDGETAM_STAGE_DECODE = 3,        /* prompt encoder + mask decoder, all objects */
    EDGETAM_STAGE_MEMORY_ENCODE = 4, /* memory encoder + perceiver, all objects */
    EDGETAM_STAGE_POSTPROCESS = 5,   /* holes, upsampling, masks, boxes */
    EDGETAM_STAGE_COUNT = 6
} edgetam_stage;

typedef struct edgetam_tracker_stats {
    uint32_t struct_size;           /* = sizeof(edgetam_tracker_stats), set by the caller */
    uint64_t submitted;             /* edgetam_tracker_track calls */
    uint64_t processed;             /* frames tracked successfully */
    uint64_t dropped;               /* EDGETAM_DROPPED returns */
    uint64_t failed;                /* other non-OK returns */
    double last_ms[EDGETAM_STAGE_COUNT];  /* stage times of the last processed frame */
    double total_ms[EDGETAM_STAGE_COUNT]; /* summed over processed frames */
    double last_model_ms;  /* of last_ms, the time spent inside model forwards */
    double total_model_ms; /* of total_ms, the same */
} edgetam_tracker_stats;

/* Copies the counters; callable from any thread at any time, never blocks on a running frame
 * (stage times are those of the last completed frame). */
EDGETAM_API edgetam_status edgetam_tracker_get_stats(const edgetam_tracker *tracker,
                                                     edgetam_tracker_stats *stats);

/* How many allocations the library has made since the process started (all of them go through
 * one internal allocator): a diagnostic for "no allocation per frame". Thread-safe. */
EDGETAM_API uint64_t edgetam_allocation_count(void);

/* Where the library's own memory comes from (trackers, streams, converters, objects, results;
 * the model runtime, libtorch, allocates through its own allocator). alloc returns `size` bytes
 * aligned to `alignment` (a power of two; `size` is a multiple of it) or NULL, which the library
 * reports as EDGETAM_ERR_OUT_OF_MEMORY and survives. free receives only pointers alloc returned,
 * never NULL. Both may be called from any library thread, concurrently. */
typedef struct edgetam_allocator {
    void *(*alloc)(void *user_data, size_t size, size_t alignment);
    void (*free)(void *user_data, void *ptr);
    void *user_data; /* passed back untouched */
} edgetam_allocator;

/* Routes the library's allocations to `allocator` (copied; NULL restores aligned_alloc/free).
 * Only while the library holds no memory, i.e. before the first object is created or after the
 * last is freed: otherwise EDGETAM_ERR_INVALID_ARGUMENT and nothing changes (every block must go
 * back to the allocator that made it). Not thread-safe: call it before using the library. */
EDGETAM_API edgetam_status edgetam_set_allocator(const edgetam_allocator *allocator);

/* Number of objects (0 for NULL). Waits for a running call. */
EDGETAM_API int32_t edgetam_tracker_object_count(edgetam_tracker *tracker);

/* Why the last failed call on this tracker failed ("" if none). Owned by the tracker, valid until
 * the next call on it; read it from the thread that got the error. Never NULL. */
EDGETAM_API const char *edgetam_tracker_last_error(const edgetam_tracker *tracker);

/* ---- Stream: live camera mode ------------------------------------------------------------- */

/* A tracker driven by its own worker thread, for camera callbacks that must never block (what
 * MediaPipe calls LIVE_STREAM mode):
 *
 *     static void on_result(const edgetam_stream_result *r, void *user_data)
 *     {   // worker thread; r and everything it points to are valid only until this returns
 *         for (int32_t i = 0; i < r->num_objects; i++) draw(r->objects[i].mask, r->timestamp);
 *     }
 *     edgetam_stream_params sp = edgetam_stream_default_params();
 *     sp.on_result = on_result; sp.user_data = my_view;
 *     edgetam_stream *stream = NULL;
 *     edgetam_stream_create(model, &sp, &stream);
 *     // camera thread, every frame (timestamps must increase, e.g. microseconds):
 *     edgetam_stream_push(stream, &frame, timestamp_us);   // returns at once, buffer released
 *     // UI thread, on a tap: applies to the next frame the worker processes
 *     edgetam_stream_add_prompt(stream, 1, &prompt);
 *     edgetam_stream_destroy(stream);                         // joins the worker
 *
 * Frames never queue up: the stream holds at most one frame waiting for the worker. */
typedef struct edgetam_stream edgetam_stream;

/* What push does when the worker is busy. Either way it returns at once. */
typedef enum edgetam_stream_policy {
    /* Drop the new frame without reading or locking it (EDGETAM_DROPPED). Default: the least work
     * on the camera thread. */
    EDGETAM_STREAM_DROP_NEW = 0,
    /* Convert the new frame and let it replace the one waiting frame (which is counted as
     * dropped_replaced): the worker always gets the freshest frame, at the cost of a conversion
     * on the camera thread for every push. */
    EDGETAM_STREAM_KEEP_LATEST = 1
} edgetam_stream_policy;

/* One processed frame, handed to the callback. Everything here, and every buffer it points to,
 * is owned by the stream and valid ONLY DURING THE CALLBACK: copy what you keep. */
typedef struct edgetam_stream_result {
    uint32_t struct_size;          /* = sizeof(edgetam_stream_result) */
    int64_t timestamp;             /* as given to edgetam_stream_push */
    edgetam_status status;         /* EDGETAM_OK, or why this frame failed (then no objects):
                                      tracking it (the objects' state is then as before it), or
                                      allocating the result buffers */
    const char *error;             /* "" or what failed: tracking, or the first failing prompt */
    int32_t width, height;         /* of the frame */
    int32_t num_objects;
    const edgetam_object_result *objects; /* increasing id; mask / probability / low_res_logits
                                      set as edgetam_stream_params asks, else NULL */
    int32_t prompts_applied;       /* prompt / remove / reset calls applied to this frame */
    edgetam_status prompt_status;  /* EDGETAM_OK, or the status of the first that failed */
    double stage_ms[EDGETAM_STAGE_COUNT]; /* this frame's pipeline, conversion included */
    double latency_ms;             /* from the start of its push to this callback */
} edgetam_stream_result;

/* Runs on the stream's worker thread, one frame at a time, never after edgetam_stream_destroy
 * returned. It may call edgetam_stream_add_prompt / remove_object / reset / get_stats / push on
 * its own stream, and edgetam_stream_destroy (the stream is then freed once the callback
 * returns); it must not call edgetam_stream_flush. */
typedef void (*edgetam_stream_callback)(const edgetam_stream_result *result, void *user_data);

typedef struct edgetam_stream_params {
    uint32_t struct_size;            /* = sizeof(edgetam_stream_params) */
    edgetam_tracker_params tracker;  /* the stream's tracker; default edgetam_tracker_default_params */
    edgetam_stream_policy policy;    /* default EDGETAM_STREAM_DROP_NEW */
    edgetam_stream_callback on_result; /* may be NULL (then only stats report progress) */
    void *user_data;                 /* passed to on_result untouched */
    int32_t output_masks;            /* 1 (default): frame-size 0/255 masks in the results */
    int32_t output_probability;      /* 1: frame-size probabilities too; default 0 */
    int32_t output_low_res_logits;   /* 1: the (S/4)^2 logits too; default 0 */
} edgetam_stream_params;

/* Defaults as documented above. Returned by value; thread-safe. */
EDGETAM_API edgetam_stream_params edgetam_stream_default_params(void);

/* Creates a stream on `model` (which must outlive it) and starts its worker thread. On failure
 * *out is NULL. `params` is only read during the call. */
EDGETAM_API edgetam_status edgetam_stream_create(edgetam_model *model,
                                                 const edgetam_stream_params *params,
                                                 edgetam_stream **out);

/* Stops the stream: a frame being processed finishes and its callback runs; a frame still
 * waiting is discarded (counted in dropped_shutdown) and so are prompts not yet applied; the
 * worker is joined; then everything is freed. No callback runs after this returns (when called
 * from the callback itself, the stream is freed as soon as that callback returns). NULL is a
 * no-op. No push or prompt call may be running on it from another thread. */
EDGETAM_API void edgetam_stream_destroy(edgetam_stream *stream);

/* Offers a frame, from any thread (typically the camera callback); never waits for the model.
 * `timestamp` (any unit, e.g. microseconds) must be greater than that of every earlier push on
 * this stream, accepted or dropped: otherwise EDGETAM_ERR_BAD_TIMESTAMP and the frame is not
 * touched. If the worker is idle the frame is borrowed and converted on the calling thread
 * (lock -> convert -> unlock, see the borrowing contract), handed to the worker, and EDGETAM_OK
 * returned: the caller's buffer is already released. If the worker is busy: DROP_NEW returns
 * EDGETAM_DROPPED without reading or locking the frame; KEEP_LATEST converts it and replaces the
 * waiting frame, returning EDGETAM_OK. A push that arrives while another push is converting is
 * dropped the same way. Frame errors (descriptor, lock) are returned here and change nothing but
 * the timestamp. */
EDGETAM_API edgetam_status edgetam_stream_push(edgetam_stream *stream, const edgetam_frame *frame,
                                               int64_t timestamp);

/* Queues a prompt for object `object_id`, from any thread, applied right after the next frame the
 * worker tracks (its result then includes the object). Points, box and mask are in pixels of the
 * latest frame pushed so far and are copied; nothing is kept. Checked now against that frame
 * (EDGETAM_ERR_NO_FRAME before any, EDGETAM_ERR_BAD_PROMPT, ...) and again when applied (e.g. if
 * the frame size changed), in which case the result's prompt_status says why. At most 16 calls
 * wait at a time: then EDGETAM_ERR_QUEUE_FULL. */
EDGETAM_API edgetam_status edgetam_stream_add_prompt(edgetam_stream *stream, int32_t object_id,
                                                     const edgetam_prompt *prompt);

/* Queues removing one object (EDGETAM_ERR_UNKNOWN_OBJECT then shows in prompt_status), or every
 * object, for the next processed frame, like edgetam_stream_add_prompt. */
EDGETAM_API edgetam_status edgetam_stream_remove_object(edgetam_stream *stream, int32_t object_id);
EDGETAM_API edgetam_status edgetam_stream_reset(edgetam_stream *stream);

/* Waits until no frame is waiting or being processed (and so its callback has returned). For
 * tests and for draining before shutdown; not from the callback (EDGETAM_ERR_INVALID_ARGUMENT). */
EDGETAM_API edgetam_status edgetam_stream_flush(edgetam_stream *stream);

/* Counters since creation. Every push is exactly one of rejected, dropped_busy or converted;
 * every converted frame ends as exactly one of processed, failed, dropped_replaced or
 * dropped_shutdown (or is still in flight). */
typedef struct edgetam_stream_stats {
    uint32_t struct_size;       /* = sizeof(edgetam_stream_stats), set by the caller */
    uint64_t submitted;         /* edgetam_stream_push calls */
    uint64_t rejected;          /* pushes that returned an error (bad frame, timestamp, lock) */
    uint64_t dropped_busy;      /* pushes dropped untouched because the worker was busy */
    uint64_t converted;         /* frames converted and handed to the worker */
    uint64_t dropped_replaced;  /* converted, then replaced by a newer frame (KEEP_LATEST) */
    uint64_t dropped_shutdown;  /* converted, then discarded by edgetam_stream_destroy */
    uint64_t processed;         /* delivered with status EDGETAM_OK */
    uint64_t failed;            /* delivered with an error status */
    double latency_ms_p50;      /* push to callback over every delivered frame; within 2% */
    double latency_ms_p99;
} edgetam_stream_stats;

/* Copies the counters; any thread, any time, never waits for the model. */
EDGETAM_API edgetam_status edgetam_stream_get_stats(const edgetam_stream *stream,
                                                    edgetam_stream_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* EDGETAM_H */
