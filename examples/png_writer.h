/* Writes RGB24 pictures as PNG files with FFmpeg's PNG encoder (no other image library). */
#ifndef EDGETAM_EXAMPLES_PNG_WRITER_H
#define EDGETAM_EXAMPLES_PNG_WRITER_H

#include <stdint.h>

/* rgb: width x height, rows of 3 * width bytes. Returns 0, or -1 after printing why not. */
int png_write(const char *path, const uint8_t *rgb, int32_t width, int32_t height);

#endif
