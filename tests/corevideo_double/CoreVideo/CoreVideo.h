/* TEST DOUBLE of the part of Apple's CoreVideo / CoreFoundation that src/apple_cvpixelbuffer.c
 * uses, so that the very file shipped for Apple compiles and runs in the Linux tests. Names,
 * types, signatures and constant values follow Apple's SDK headers (CVPixelBuffer.h,
 * CVBuffer.h, CVImageBuffer.h, CVPixelFormat types, CFBase.h). Implemented in
 * tests/corevideo_double.c, which records every call; tests/corevideo_double.h controls it.
 * Retain/release functions are declared so that a call to them would link and be counted. */
#ifndef FAKE_COREVIDEO_H
#define FAKE_COREVIDEO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CoreFoundation */
typedef unsigned char Boolean;
typedef uint32_t OSType;
typedef const void *CFTypeRef;
typedef const struct __CFString *CFStringRef;
Boolean CFEqual(CFTypeRef cf1, CFTypeRef cf2);
CFTypeRef CFRetain(CFTypeRef cf);
void CFRelease(CFTypeRef cf);

/* CoreVideo */
typedef int32_t CVReturn;
enum { kCVReturnSuccess = 0, kCVReturnError = -6660 };
typedef uint64_t CVOptionFlags;
typedef CVOptionFlags CVPixelBufferLockFlags;
enum { kCVPixelBufferLock_ReadOnly = 0x00000001 };
typedef uint32_t CVAttachmentMode;
enum { kCVAttachmentMode_ShouldNotPropagate = 0, kCVAttachmentMode_ShouldPropagate = 1 };

typedef struct __CVBuffer *CVBufferRef;
typedef CVBufferRef CVImageBufferRef;
typedef CVImageBufferRef CVPixelBufferRef;

enum {
    kCVPixelFormatType_24RGB = 0x00000018,
    kCVPixelFormatType_24BGR = 0x32344247,                        /* '24BG' */
    kCVPixelFormatType_32BGRA = 0x42475241,                       /* 'BGRA' */
    kCVPixelFormatType_32RGBA = 0x52474241,                       /* 'RGBA' */
    kCVPixelFormatType_OneComponent8 = 0x4C303038,                /* 'L008' */
    kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange = 0x34323076, /* '420v' */
    kCVPixelFormatType_420YpCbCr8BiPlanarFullRange = 0x34323066,  /* '420f' */
    kCVPixelFormatType_420YpCbCr8Planar = 0x79343230,             /* 'y420' */
    kCVPixelFormatType_420YpCbCr8PlanarFullRange = 0x66343230,    /* 'f420' */
    kCVPixelFormatType_420YpCbCr10BiPlanarVideoRange = 0x78343230 /* 'x420' */
};

extern const CFStringRef kCVImageBufferYCbCrMatrixKey;
extern const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_709_2;
extern const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_601_4;
extern const CFStringRef kCVImageBufferYCbCrMatrix_ITU_R_2020;

CFTypeRef CVBufferCopyAttachment(CVBufferRef buffer, CFStringRef key, CVAttachmentMode *attachmentMode);

CVPixelBufferRef CVPixelBufferRetain(CVPixelBufferRef texture);
void CVPixelBufferRelease(CVPixelBufferRef texture);
OSType CVPixelBufferGetPixelFormatType(CVPixelBufferRef pixelBuffer);
size_t CVPixelBufferGetWidth(CVPixelBufferRef pixelBuffer);
size_t CVPixelBufferGetHeight(CVPixelBufferRef pixelBuffer);
size_t CVPixelBufferGetBytesPerRow(CVPixelBufferRef pixelBuffer);
void *CVPixelBufferGetBaseAddress(CVPixelBufferRef pixelBuffer);
Boolean CVPixelBufferIsPlanar(CVPixelBufferRef pixelBuffer);
size_t CVPixelBufferGetPlaneCount(CVPixelBufferRef pixelBuffer);
size_t CVPixelBufferGetWidthOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
size_t CVPixelBufferGetHeightOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
void *CVPixelBufferGetBaseAddressOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
size_t CVPixelBufferGetBytesPerRowOfPlane(CVPixelBufferRef pixelBuffer, size_t planeIndex);
CVReturn CVPixelBufferLockBaseAddress(CVPixelBufferRef pixelBuffer, CVPixelBufferLockFlags lockFlags);
CVReturn CVPixelBufferUnlockBaseAddress(CVPixelBufferRef pixelBuffer, CVPixelBufferLockFlags unlockFlags);

#ifdef __cplusplus
}
#endif

#endif
