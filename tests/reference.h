/* Plain scalar reference of the official preprocessing, written for clarity, in double precision:
 * PIL's antialiased bicubic resize per channel (each pass rounded and clipped to 8 bits), YUV -> RGB
 * from the BT.601 / BT.709 definitions, then (x / 255 - mean) / std. */
#ifndef EDGETAM_TEST_REFERENCE_H
#define EDGETAM_TEST_REFERENCE_H

#include "edgetam.h"

/* Resizes one channel (byte `offset` of pixels `bpp` bytes apart) of a w x h plane to S x S. */
void reference_resize_channel(const uint8_t *src, int32_t stride, int32_t bpp, int32_t offset, int32_t w, int32_t h,
                              int32_t size, uint8_t *out);

/* The whole conversion of a frame (planes must be readable) into 3 x S x S floats. */
void reference_convert(const edgetam_frame *frame, int32_t size, float *out);

/* Output value -> 8-bit level of channel c (inverse of the normalisation), for error reports. */
double reference_level(float value, int c);

#endif
