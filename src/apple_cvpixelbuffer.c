/* CVPixelBuffer <-> the library (edgetam_apple.h). Shipped for Apple platforms; the tests compile
 * this very file against a recording double of CoreVideo (tests/corevideo_double/).
 *
 * The pixel buffer is only ever borrowed: no retain, no release, no pointer kept. Every lock has
 * its unlock, with the same flags, before the library call returns. */
#include "edgetam_apple.h"

#include <stdint.h>
#include <string.h>

/* One flag set per direction, used by both halves of each pair. */
static const CVPixelBufferLockFlags read_only = kCVPixelBufferLock_ReadOnly;
static const CVPixelBufferLockFlags read_write = 0;

typedef struct format_entry {
    OSType type;
    edgetam_pixel_format format;
    edgetam_color_range range;
    size_t planes; /* 0: packed (CVPixelBufferIsPlanar is false) */
} format_entry;

static const format_entry formats[] = {
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

/* Bytes per row as the descriptor's int32 stride; an impossible value becomes 0, which the
 * library rejects (EDGETAM_ERR_BAD_STRIDE, after unlocking). */
static int32_t stride_of(size_t bytes_per_row)
{
    return bytes_per_row <= INT32_MAX ? (int32_t)bytes_per_row : 0;
}

/* frame->lock: runs on the thread of the library call that reads the pixels. */
static int lock_pixels(void *user_data, edgetam_planes *planes)
{
    CVPixelBufferRef buffer = (CVPixelBufferRef)user_data;
    if (CVPixelBufferLockBaseAddress(buffer, read_only) != kCVReturnSuccess) return -1;
    if (CVPixelBufferIsPlanar(buffer)) {
        const size_t count = CVPixelBufferGetPlaneCount(buffer);
        for (size_t i = 0; i < count && i < 3; i++) {
            planes->data[i] = CVPixelBufferGetBaseAddressOfPlane(buffer, i);
            planes->stride[i] = stride_of(CVPixelBufferGetBytesPerRowOfPlane(buffer, i));
        }
    } else {
        planes->data[0] = CVPixelBufferGetBaseAddress(buffer);
        planes->stride[0] = stride_of(CVPixelBufferGetBytesPerRow(buffer));
    }
    return 0;
}

static void unlock_pixels(void *user_data)
{
    CVPixelBufferUnlockBaseAddress((CVPixelBufferRef)user_data, read_only);
}

/* The YUV matrix from the buffer's attachment (a copy, released here: the attachment's own
 * reference, never the pixel buffer's). */
static edgetam_status matrix_of(CVPixelBufferRef buffer, edgetam_color_space *space)
{
    CFTypeRef matrix = CVBufferCopyAttachment(buffer, kCVImageBufferYCbCrMatrixKey, NULL);
    edgetam_status st = EDGETAM_OK;
    if (!matrix || CFEqual(matrix, kCVImageBufferYCbCrMatrix_ITU_R_601_4))
        *space = EDGETAM_COLOR_SPACE_BT601;
    else if (CFEqual(matrix, kCVImageBufferYCbCrMatrix_ITU_R_709_2))
        *space = EDGETAM_COLOR_SPACE_BT709;
    else
        st = EDGETAM_ERR_UNSUPPORTED_FORMAT;
    if (matrix) CFRelease(matrix);
    return st;
}

edgetam_status edgetam_frame_from_cvpixelbuffer(CVPixelBufferRef pixel_buffer, edgetam_frame *frame)
{
    if (!pixel_buffer || !frame) return EDGETAM_ERR_INVALID_ARGUMENT;
    const OSType type = CVPixelBufferGetPixelFormatType(pixel_buffer);
    const format_entry *entry = NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].type == type) entry = &formats[i];
    if (!entry) return EDGETAM_ERR_UNSUPPORTED_FORMAT;

    const size_t width = CVPixelBufferGetWidth(pixel_buffer);
    const size_t height = CVPixelBufferGetHeight(pixel_buffer);
    if (width < 1 || height < 1 || width > EDGETAM_MAX_FRAME_DIM || height > EDGETAM_MAX_FRAME_DIM)
        return EDGETAM_ERR_BAD_DIMENSIONS;
    const int is_planar = CVPixelBufferIsPlanar(pixel_buffer) != 0;
    if (is_planar != (entry->planes > 0)) return EDGETAM_ERR_BAD_PLANE;

    edgetam_frame f = edgetam_frame_default();
    f.format = entry->format;
    f.width = (int32_t)width;
    f.height = (int32_t)height;
    if (entry->planes) {
        if (CVPixelBufferGetPlaneCount(pixel_buffer) != entry->planes) return EDGETAM_ERR_BAD_PLANE;
        /* the library reads luma at full size and chroma at ceil(w/2) x ceil(h/2) */
        for (size_t i = 0; i < entry->planes; i++) {
            const size_t need_w = i ? (width + 1) / 2 : width, need_h = i ? (height + 1) / 2 : height;
            if (CVPixelBufferGetWidthOfPlane(pixel_buffer, i) < need_w ||
                CVPixelBufferGetHeightOfPlane(pixel_buffer, i) < need_h)
                return EDGETAM_ERR_BAD_PLANE;
        }
        f.color_range = entry->range;
        edgetam_status st = matrix_of(pixel_buffer, &f.color_space);
        if (st != EDGETAM_OK) return st;
    }
    f.lock = lock_pixels;
    f.unlock = unlock_pixels;
    f.user_data = (void *)pixel_buffer;
    *frame = f;
    return EDGETAM_OK;
}

edgetam_status edgetam_mask_to_cvpixelbuffer(const uint8_t *mask, size_t mask_stride, int32_t width,
                                             int32_t height, CVPixelBufferRef destination)
{
    if (!mask || !destination) return EDGETAM_ERR_INVALID_ARGUMENT;
    if (width < 1 || height < 1) return EDGETAM_ERR_BAD_DIMENSIONS;
    if (mask_stride < (size_t)width) return EDGETAM_ERR_BAD_STRIDE;
    if (CVPixelBufferGetPixelFormatType(destination) != kCVPixelFormatType_OneComponent8 ||
        CVPixelBufferIsPlanar(destination))
        return EDGETAM_ERR_UNSUPPORTED_FORMAT;
    if (CVPixelBufferGetWidth(destination) != (size_t)width ||
        CVPixelBufferGetHeight(destination) != (size_t)height)
        return EDGETAM_ERR_BAD_DIMENSIONS;

    if (CVPixelBufferLockBaseAddress(destination, read_write) != kCVReturnSuccess)
        return EDGETAM_ERR_LOCK_FAILED;
    uint8_t *base = CVPixelBufferGetBaseAddress(destination);
    const size_t bytes_per_row = CVPixelBufferGetBytesPerRow(destination);
    edgetam_status st = EDGETAM_OK;
    if (!base)
        st = EDGETAM_ERR_BAD_PLANE;
    else if (bytes_per_row < (size_t)width)
        st = EDGETAM_ERR_BAD_STRIDE;
    else
        for (int32_t y = 0; y < height; y++)
            memcpy(base + (size_t)y * bytes_per_row, mask + (size_t)y * mask_stride, (size_t)width);
    CVPixelBufferUnlockBaseAddress(destination, read_write);
    return st;
}
