/* The CoreVideo test double: see corevideo_double.h. Single-threaded use per buffer (the adapter
 * locks on the calling thread; a stream's worker never touches the caller's buffer). */
#include "corevideo_double.h"

#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* Every fake CF object starts with a tag, so CFRelease can tell what it was given. */
enum { TAG_STRING = 0x53545247, TAG_BUFFER = 0x42554646 };

struct __CFString {
    uint32_t tag;
    const char *text;
};

static const struct __CFString matrix_key = {TAG_STRING, "CVImageBufferYCbCrMatrix"},
                                matrix_709 = {TAG_STRING, "ITU_R_709_2"},
                                matrix_601 = {TAG_STRING, "ITU_R_601_4"},
                                matrix_2020 = {TAG_STRING, "ITU_R_2020"};
const CFStringRef kCVImageBufferYCbCrMatrixKey = &matrix_key;
const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_709_2 = &matrix_709;
const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_601_4 = &matrix_601;
const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_2020 = &matrix_2020;

struct __CVBuffer {
    uint32_t tag;
    OSType type;
    int planar; /* per the format */
    test_frame storage;
    guarded_buffer planar_info; /* what GetBaseAddress returns for planar buffers: not pixels */
    CVPixelBufferLockFlags held_flags[8];
    fake_cv_calls calls;
    fake_cv_knobs knobs;
};

static int attachment_copies, attachment_releases, foreign_retains;

static edgetam_pixel_format storage_format(OSType type, int *planar)
{
    *planar = 0;
    switch (type) {
    case kCVPixelFormatType_32BGRA: return EDGETAM_FORMAT_BGRA;
    case kCVPixelFormatType_32RGBA: return EDGETAM_FORMAT_RGBA;
    case kCVPixelFormatType_24BGR: return EDGETAM_FORMAT_BGR24;
    case kCVPixelFormatType_24RGB: return EDGETAM_FORMAT_RGB24;
    case kCVPixelFormatType_OneComponent8: return EDGETAM_FORMAT_GRAY8;
    case kCVPixelFormatType_420YpCbCr8Planar:
    case kCVPixelFormatType_420YpCbCr8PlanarFullRange: *planar = 1; return EDGETAM_FORMAT_I420;
    default: *planar = 1; return EDGETAM_FORMAT_NV12;
    }
}

static void protect(CVPixelBufferRef b, int to_none)
{
    for (int p = 0; p < b->storage.plane_count; p++) guarded_protect(&b->storage.buf[p], to_none);
}

CVPixelBufferRef fake_cv_create(OSType type, int32_t width, int32_t height, int32_t row_pad,
                                uint32_t seed)
{
    CVPixelBufferRef b = calloc(1, sizeof *b);
    assert_non_null(b);
    b->tag = TAG_BUFFER;
    b->type = type;
    test_frame_init(&b->storage, storage_format(type, &b->planar), width, height, row_pad, seed);
    b->storage.revoke_on_unlock = 0;
    b->planar_info = guarded_alloc(64);
    memset(b->planar_info.data, 0xA5, 64); /* a CVPlanarPixelBufferInfo would be here */
    b->knobs.planar = -1;
    protect(b, 1);
    return b;
}

void fake_cv_destroy(CVPixelBufferRef b)
{
    if (!b) return;
    protect(b, 0);
    test_frame_free(&b->storage);
    guarded_free(&b->planar_info);
    free(b);
}

fake_cv_calls *fake_cv_calls_of(CVPixelBufferRef b) { return &b->calls; }
fake_cv_knobs *fake_cv_knobs_of(CVPixelBufferRef b) { return &b->knobs; }
test_frame *fake_cv_storage(CVPixelBufferRef b) { return &b->storage; }
void fake_cv_open(CVPixelBufferRef b) { protect(b, 0); }
void fake_cv_close(CVPixelBufferRef b) { protect(b, 1); }
int fake_cv_attachment_copies(void) { return attachment_copies; }
int fake_cv_attachment_releases(void) { return attachment_releases; }
int fake_cv_foreign_retains(void) { return foreign_retains; }

/* ---- CoreFoundation ------------------------------------------------------------------------ */

Boolean CFEqual(CFTypeRef a, CFTypeRef b)
{
    assert_non_null(a);
    assert_non_null(b);
    if (a == b) return 1;
    const struct __CFString *x = a, *y = b;
    return x->tag == TAG_STRING && y->tag == TAG_STRING && strcmp(x->text, y->text) == 0;
}

CFTypeRef CFRetain(CFTypeRef cf)
{
    assert_non_null(cf);
    if (*(const uint32_t *)cf == TAG_BUFFER)
        ((CVPixelBufferRef)cf)->calls.retains++;
    else
        foreign_retains++;
    return cf;
}

void CFRelease(CFTypeRef cf)
{
    assert_non_null(cf); /* CFRelease(NULL) crashes on Apple platforms */
    if (*(const uint32_t *)cf == TAG_BUFFER)
        ((CVPixelBufferRef)cf)->calls.releases++;
    else
        attachment_releases++;
}

/* ---- CoreVideo ------------------------------------------------------------------------------ */

CFTypeRef CVBufferCopyAttachment(CVBufferRef b, CFStringRef key, CVAttachmentMode *mode)
{
    assert_int_equal(b->tag, TAG_BUFFER);
    if (!CFEqual(key, kCVImageBufferYCbCrMatrixKey) || !b->knobs.matrix) return NULL;
    if (mode) *mode = kCVAttachmentMode_ShouldPropagate;
    attachment_copies++;
    return b->knobs.matrix;
}

CVPixelBufferRef CVPixelBufferRetain(CVPixelBufferRef b)
{
    if (b) b->calls.retains++;
    return b;
}

void CVPixelBufferRelease(CVPixelBufferRef b)
{
    if (b) b->calls.releases++;
}

OSType CVPixelBufferGetPixelFormatType(CVPixelBufferRef b) { return b->type; }
size_t CVPixelBufferGetWidth(CVPixelBufferRef b) { return (size_t)b->storage.frame.width; }
size_t CVPixelBufferGetHeight(CVPixelBufferRef b) { return (size_t)b->storage.frame.height; }

Boolean CVPixelBufferIsPlanar(CVPixelBufferRef b)
{
    return (Boolean)(b->knobs.planar >= 0 ? b->knobs.planar : b->planar);
}

size_t CVPixelBufferGetPlaneCount(CVPixelBufferRef b)
{
    return CVPixelBufferIsPlanar(b) ? (size_t)b->storage.plane_count : 0;
}

static size_t row_bytes(CVPixelBufferRef b, size_t plane)
{
    return b->knobs.bytes_per_row[plane] ? b->knobs.bytes_per_row[plane]
                                         : (size_t)b->storage.frame.planes.stride[plane];
}

static void *address(CVPixelBufferRef b, size_t plane)
{
    if (!b->calls.depth) b->calls.addresses_while_unlocked++;
    return b->knobs.null_address ? NULL : b->storage.buf[plane].data;
}

/* For a planar buffer the base address is a CVPlanarPixelBufferInfo, not pixels: neither it nor
 * its "bytes per row" describe any plane. */
size_t CVPixelBufferGetBytesPerRow(CVPixelBufferRef b) { return b->planar ? 64 : row_bytes(b, 0); }

void *CVPixelBufferGetBaseAddress(CVPixelBufferRef b)
{
    b->calls.base_address_calls++;
    if (b->planar) return b->planar_info.data;
    return address(b, 0);
}

static size_t plane_index_ok(CVPixelBufferRef b, size_t i)
{
    assert_true(i < (size_t)b->storage.plane_count);
    return i;
}

size_t CVPixelBufferGetWidthOfPlane(CVPixelBufferRef b, size_t i)
{
    return (size_t)b->storage.plane_width[plane_index_ok(b, i)];
}

size_t CVPixelBufferGetHeightOfPlane(CVPixelBufferRef b, size_t i)
{
    i = plane_index_ok(b, i);
    return b->knobs.plane_height[i] ? b->knobs.plane_height[i] : (size_t)b->storage.plane_height[i];
}

void *CVPixelBufferGetBaseAddressOfPlane(CVPixelBufferRef b, size_t i)
{
    b->calls.plane_address_calls++;
    return address(b, plane_index_ok(b, i));
}

size_t CVPixelBufferGetBytesPerRowOfPlane(CVPixelBufferRef b, size_t i)
{
    return row_bytes(b, plane_index_ok(b, i));
}

CVReturn CVPixelBufferLockBaseAddress(CVPixelBufferRef b, CVPixelBufferLockFlags flags)
{
    if (b->knobs.fail_lock) {
        b->calls.failed_locks++;
        return kCVReturnError;
    }
    assert_true(b->calls.depth < 8);
    b->held_flags[b->calls.depth++] = flags;
    b->calls.locks++;
    b->calls.lock_flags = flags;
    if (b->calls.depth == 1) protect(b, 0);
    return kCVReturnSuccess;
}

CVReturn CVPixelBufferUnlockBaseAddress(CVPixelBufferRef b, CVPixelBufferLockFlags flags)
{
    b->calls.unlocks++;
    b->calls.unlock_flags = flags;
    if (b->calls.depth == 0 || b->held_flags[b->calls.depth - 1] != flags) {
        b->calls.mismatched_unlocks++;
        return kCVReturnError;
    }
    if (--b->calls.depth == 0) protect(b, 1);
    return kCVReturnSuccess;
}
