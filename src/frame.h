/* Frame descriptors: what each pixel format looks like in memory, and the checks that make a
 * borrowed buffer safe to read (done before lock for the descriptor, after lock for the planes). */
#ifndef EDGETAM_FRAME_H
#define EDGETAM_FRAME_H

#include "edgetam.h"

typedef enum frame_color_model {
    FRAME_MODEL_RGB,  /* packed R,G,B (+A) in some byte order */
    FRAME_MODEL_GRAY, /* one luma channel, replicated to R=G=B */
    FRAME_MODEL_YUV   /* Y plane + subsampled chroma */
} frame_color_model;

/* One plane of the caller's buffer and the channels read from it. */
typedef struct frame_plane_layout {
    int32_t width, height;    /* in samples */
    int32_t bytes_per_pixel;  /* 1..4 */
    int32_t channel_count;    /* channels extracted: 1..3 */
    uint8_t channel_offset[3];/* byte offset in a pixel of each extracted channel (R,G,B or U,V) */
} frame_plane_layout;

typedef struct frame_layout {
    edgetam_pixel_format format;
    frame_color_model model;
    int32_t plane_count;
    frame_plane_layout plane[3];
} frame_layout;

/* Checks everything that does not need the pixels (struct_size, format, colour fields, sizes,
 * callback pairing) and fills `layout`. Writes a message into err on failure. */
edgetam_status edgetam__frame_describe(const edgetam_frame *frame, frame_layout *layout, char *err,
                                       size_t err_size);

/* Checks the plane pointers and strides a (possibly lock-updated) plane set carries: non-NULL,
 * stride >= row bytes, and the whole span addressable without overflow. */
edgetam_status edgetam__frame_check_planes(const frame_layout *layout, const edgetam_planes *planes,
                                           char *err, size_t err_size);

#endif
