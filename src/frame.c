#include "frame.h"

#include <stdio.h>

static frame_plane_layout packed(int32_t bpp, int r, int g, int b)
{
    frame_plane_layout p = {0, 0, bpp, 3, {(uint8_t)r, (uint8_t)g, (uint8_t)b}};
    return p;
}

static frame_plane_layout single(int32_t bpp, int channels, int c0, int c1)
{
    frame_plane_layout p = {0, 0, bpp, channels, {(uint8_t)c0, (uint8_t)c1, 0}};
    return p;
}

edgetam_status edgetam__frame_describe(const edgetam_frame *frame, frame_layout *layout, char *err,
                                       size_t err_size)
{
    if (!frame) {
        snprintf(err, err_size, "frame is NULL");
        return EDGETAM_ERR_INVALID_ARGUMENT;
    }
    if (frame->struct_size != sizeof(edgetam_frame)) {
        snprintf(err, err_size, "frame.struct_size is %u, this library expects %u (use edgetam_frame_default())",
                 (unsigned)frame->struct_size, (unsigned)sizeof(edgetam_frame));
        return EDGETAM_ERR_ABI_MISMATCH;
    }
    frame_layout l = {frame->format, FRAME_MODEL_RGB, 1, {{0}}};
    switch (frame->format) {
    case EDGETAM_FORMAT_BGRA: l.plane[0] = packed(4, 2, 1, 0); break;
    case EDGETAM_FORMAT_RGBA: l.plane[0] = packed(4, 0, 1, 2); break;
    case EDGETAM_FORMAT_BGR24: l.plane[0] = packed(3, 2, 1, 0); break;
    case EDGETAM_FORMAT_RGB24: l.plane[0] = packed(3, 0, 1, 2); break;
    case EDGETAM_FORMAT_GRAY8:
        l.model = FRAME_MODEL_GRAY;
        l.plane[0] = single(1, 1, 0, 0);
        break;
    case EDGETAM_FORMAT_NV12:
    case EDGETAM_FORMAT_NV21:
        l.model = FRAME_MODEL_YUV;
        l.plane_count = 2;
        l.plane[0] = single(1, 1, 0, 0);
        /* channels are always extracted as U then V */
        l.plane[1] = frame->format == EDGETAM_FORMAT_NV12 ? single(2, 2, 0, 1) : single(2, 2, 1, 0);
        break;
    case EDGETAM_FORMAT_I420:
        l.model = FRAME_MODEL_YUV;
        l.plane_count = 3;
        l.plane[0] = l.plane[1] = l.plane[2] = single(1, 1, 0, 0);
        break;
    default:
        snprintf(err, err_size, "unknown pixel format %d", (int)frame->format);
        return EDGETAM_ERR_UNSUPPORTED_FORMAT;
    }
    if (l.model == FRAME_MODEL_YUV &&
        (frame->color_space < EDGETAM_COLOR_SPACE_BT601 || frame->color_space > EDGETAM_COLOR_SPACE_BT709 ||
         frame->color_range < EDGETAM_COLOR_RANGE_VIDEO || frame->color_range > EDGETAM_COLOR_RANGE_FULL)) {
        snprintf(err, err_size, "unknown colour space %d or range %d", (int)frame->color_space,
                 (int)frame->color_range);
        return EDGETAM_ERR_UNSUPPORTED_FORMAT;
    }
    if (frame->width < 1 || frame->height < 1 || frame->width > EDGETAM_MAX_FRAME_DIM ||
        frame->height > EDGETAM_MAX_FRAME_DIM) {
        snprintf(err, err_size, "frame size %dx%d is outside 1..%d", (int)frame->width, (int)frame->height,
                 EDGETAM_MAX_FRAME_DIM);
        return EDGETAM_ERR_BAD_DIMENSIONS;
    }
    if ((frame->lock == NULL) != (frame->unlock == NULL)) {
        snprintf(err, err_size, "lock and unlock must be set together (lock %s, unlock %s)",
                 frame->lock ? "set" : "NULL", frame->unlock ? "set" : "NULL");
        return EDGETAM_ERR_INVALID_ARGUMENT;
    }
    for (int i = 0; i < l.plane_count; i++) {
        int luma = i == 0;
        l.plane[i].width = luma ? frame->width : (frame->width + 1) / 2;
        l.plane[i].height = luma ? frame->height : (frame->height + 1) / 2;
    }
    *layout = l;
    return EDGETAM_OK;
}

edgetam_status edgetam__frame_check_planes(const frame_layout *layout, const edgetam_planes *planes,
                                           char *err, size_t err_size)
{
    for (int i = 0; i < layout->plane_count; i++) {
        const frame_plane_layout *p = &layout->plane[i];
        if (!planes->data[i]) {
            snprintf(err, err_size, "plane %d is NULL (format %d needs %d planes)", i, (int)layout->format,
                     (int)layout->plane_count);
            return EDGETAM_ERR_BAD_PLANE;
        }
        /* width <= 16384 and bpp <= 4, so the row size cannot overflow */
        int64_t row_bytes = (int64_t)p->width * p->bytes_per_pixel;
        int64_t stride = planes->stride[i];
        if (stride < row_bytes) {
            snprintf(err, err_size, "plane %d stride %lld is shorter than its row (%lld bytes)", i,
                     (long long)stride, (long long)row_bytes);
            return EDGETAM_ERR_BAD_STRIDE;
        }
        /* the last byte read is data + stride*(h-1) + row_bytes - 1: it must be addressable */
        uint64_t span = (uint64_t)stride * (uint64_t)(p->height - 1) + (uint64_t)row_bytes;
        if (span > (uint64_t)PTRDIFF_MAX || (uintptr_t)planes->data[i] > UINTPTR_MAX - (uintptr_t)span) {
            snprintf(err, err_size, "plane %d spans %llu bytes, beyond the address space", i,
                     (unsigned long long)span);
            return EDGETAM_ERR_BAD_STRIDE;
        }
    }
    return EDGETAM_OK;
}
