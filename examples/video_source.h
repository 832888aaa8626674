/* Frames of a video file or of a folder of images, decoded with FFmpeg (libavformat/libavcodec),
 * handed out in the decoder's own pixel format whenever edgetam reads it (YUV 4:2:0 planar, NV12,
 * NV21, gray, packed RGB/BGR): no RGB detour. Other formats are converted to RGB24 with swscale. */
#ifndef EDGETAM_EXAMPLES_VIDEO_SOURCE_H
#define EDGETAM_EXAMPLES_VIDEO_SOURCE_H

#include <stdint.h>

#include "edgetam.h"

typedef struct video_source video_source;

/* Opens a video file, or a folder whose image files (PNG, JPEG, ...) are the frames in name order.
 * Returns NULL after printing why not. */
video_source *video_source_open(const char *path);

/* Decodes the next frame. *frame describes it, borrowed from the source: valid until the next call
 * or close (it has no lock/unlock: the pixels stay put meanwhile). Returns 1, 0 at the end, -1 on
 * an error (printed). */
int video_source_next(video_source *src, edgetam_frame *frame);

/* The decoder's pixel format name for the last frame ("yuv420p", ...), and whether it had to be
 * converted to RGB24 first. */
const char *video_source_pixel_format(const video_source *src, int *converted);

/* Frames per second the container declares (0 if unknown: a folder of images). */
double video_source_fps(const video_source *src);

/* The last frame as RGB24 (w x h x 3, stride 3w), for drawing overlays; valid until the next call. */
const uint8_t *video_source_rgb(video_source *src);

/* NULL is a no-op. */
void video_source_close(video_source *src);

#endif
