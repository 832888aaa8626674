/* Draws tracking results over a picture a person can look at: each object's mask tinted in its
 * own colour, its box outlined. Used by edgetam-demo and edgetam-track. */
#ifndef EDGETAM_EXAMPLES_OVERLAY_H
#define EDGETAM_EXAMPLES_OVERLAY_H

#include <stdint.h>

#include "edgetam.h"

/* rgb: width x height RGB24, rows of 3 * width bytes; objects: results with frame-size masks. */
void overlay_objects(uint8_t *rgb, int32_t width, int32_t height,
                     const edgetam_object_result *objects, int32_t count);

/* Writes an RGB24 picture as a binary PPM. Returns 0, or -1 if the file cannot be written. */
int overlay_write_ppm(const char *path, const uint8_t *rgb, int32_t width, int32_t height);

#endif
