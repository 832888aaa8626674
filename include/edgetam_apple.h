/*
 * edgetam_apple.h - CoreVideo glue for Apple platforms (iOS 15+, macOS 12+).
 *
 * Built into libedgetam on Apple platforms only (it needs CoreVideo). Include it after, or
 * instead of, edgetam.h; Swift sees both through the `edgetam` module.
 *
 * ---------------------------------------------------------------------------------------------
 * Basic usage: camera frames in, masks out
 * ---------------------------------------------------------------------------------------------
 *
 *     // AVCaptureVideoDataOutput delegate (camera queue). The sample buffer owns the pixel
 *     // buffer for the whole callback; the library only borrows it during the push.
 *     CVPixelBufferRef pixels = CMSampleBufferGetImageBuffer(sample);
 *     edgetam_frame frame;
 *     if (edgetam_frame_from_cvpixelbuffer(pixels, &frame) == EDGETAM_OK)
 *         edgetam_stream_push(stream, &frame, timestamp_us);  // returns at once; buffer unlocked
 *
 *     // stream callback (worker thread): copy a mask into a OneComponent8 buffer YOU created
 *     edgetam_mask_to_cvpixelbuffer(r->objects[0].mask, r->objects[0].mask_stride,
 *                                   r->width, r->height, my_mask_buffer);
 *
 * ---------------------------------------------------------------------------------------------
 * Ownership, in one place (the crash this library was written after came from guessing it)
 * ---------------------------------------------------------------------------------------------
 * - No function here ever calls CVPixelBufferRetain / CVPixelBufferRelease / CFRetain / CFRelease
 *   on a pixel buffer, and none keeps a pointer to one after it returns. The caller's reference
 *   (the sample buffer's, or Swift's ARC reference) is the only one, before and after.
 * - Pixel buffers are read or written only between CVPixelBufferLockBaseAddress and
 *   CVPixelBufferUnlockBaseAddress, called in pairs with identical flags, on the calling thread,
 *   and the buffer is unlocked before the call returns on every path (errors and drops too).
 *   A frame that is dropped (EDGETAM_DROPPED) is not even locked.
 */
#ifndef EDGETAM_APPLE_H
#define EDGETAM_APPLE_H

#include <CoreVideo/CoreVideo.h>

#include "edgetam.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Describes `pixel_buffer` as a frame for any call that takes an edgetam_frame (track, push,
 * convert). On success `*frame` is a complete descriptor; on failure it is left untouched.
 *
 * Formats (CVPixelBufferGetPixelFormatType -> the library's):
 *   32BGRA -> BGRA, 32RGBA -> RGBA, 24BGR -> BGR24, 24RGB -> RGB24, OneComponent8 -> GRAY8,
 *   420YpCbCr8BiPlanarVideoRange / FullRange -> NV12 (video / full range),
 *   420YpCbCr8Planar / 420YpCbCr8PlanarFullRange -> I420 (video / full range).
 * Anything else (10-bit, 4:2:2, ...) gives EDGETAM_ERR_UNSUPPORTED_FORMAT. The YUV matrix comes
 * from the buffer's kCVImageBufferYCbCrMatrixKey attachment: ITU_R_709_2 -> BT.709; ITU_R_601_4
 * or none -> BT.601; any other matrix -> EDGETAM_ERR_UNSUPPORTED_FORMAT. Planar buffers whose
 * planes are smaller than 4:2:0 needs give EDGETAM_ERR_BAD_PLANE.
 *
 * The descriptor BORROWS `pixel_buffer` (its user_data is the buffer, not retained): use it only
 * while you hold your own reference, e.g. inside the capture callback. Its lock/unlock callbacks
 * lock the buffer read-only (kCVPixelBufferLock_ReadOnly on both) and take plane addresses and
 * bytes-per-row from the ...OfPlane getters for planar buffers (CVPixelBufferGetBaseAddress is
 * not the pixels for those). Nothing is locked by this function itself. Thread-safe. */
EDGETAM_API edgetam_status edgetam_frame_from_cvpixelbuffer(CVPixelBufferRef pixel_buffer,
                                                            edgetam_frame *frame);

/* Copies a width x height 0/255 mask (rows of mask_stride bytes, e.g. an edgetam_object_result's
 * mask) into `destination`, a kCVPixelFormatType_OneComponent8 buffer of exactly that size that
 * the CALLER created and owns (e.g. from a CVPixelBufferPool). The buffer is locked for writing
 * (flags 0 on lock and unlock) only during the call; rows are written honouring its bytes per row,
 * row padding is left as it was. Errors, with nothing written: EDGETAM_ERR_INVALID_ARGUMENT (NULL),
 * EDGETAM_ERR_BAD_DIMENSIONS (size < 1 or not the buffer's), EDGETAM_ERR_BAD_STRIDE
 * (mask_stride < width, or the buffer's rows are shorter), EDGETAM_ERR_UNSUPPORTED_FORMAT (not
 * OneComponent8), EDGETAM_ERR_LOCK_FAILED, EDGETAM_ERR_BAD_PLANE (no base address while locked).
 * Thread-safe for distinct destinations. */
EDGETAM_API edgetam_status edgetam_mask_to_cvpixelbuffer(const uint8_t *mask, size_t mask_stride,
                                                         int32_t width, int32_t height,
                                                         CVPixelBufferRef destination);

#ifdef __cplusplus
}
#endif

#endif /* EDGETAM_APPLE_H */
