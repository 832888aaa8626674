/* Writes RGB24 pictures as a video file with FFmpeg; the container follows the file name (.mp4,
 * .mkv, .avi, ...) and the codec is the container's default. */
#ifndef EDGETAM_EXAMPLES_VIDEO_WRITER_H
#define EDGETAM_EXAMPLES_VIDEO_WRITER_H

#include <stdint.h>

typedef struct video_writer video_writer;

/* Opens `path` for width x height pictures at `fps`. NULL after printing why not. */
video_writer *video_writer_open(const char *path, int32_t width, int32_t height, double fps);

/* Appends a picture (width x height, rows of 3 * width bytes). Returns 0, or -1 (printed). */
int video_writer_add(video_writer *w, const uint8_t *rgb);

/* Flushes the encoder, finishes the file and frees. Returns 0, or -1 (printed). NULL: 0. */
int video_writer_close(video_writer *w);

#endif
