/* Version and status strings: static data only, safe from any thread. */
#include "edgetam.h"

#define EDGETAM_STR2(x) #x
#define EDGETAM_STR(x) EDGETAM_STR2(x)

unsigned edgetam_version_number(void) { return EDGETAM_VERSION_NUMBER; }

const char *edgetam_version_string(void)
{
    return EDGETAM_STR(EDGETAM_VERSION_MAJOR) "." EDGETAM_STR(EDGETAM_VERSION_MINOR) "." EDGETAM_STR(
        EDGETAM_VERSION_PATCH);
}

const char *edgetam_status_str(edgetam_status status)
{
    switch (status) {
    case EDGETAM_OK: return "EDGETAM_OK: success";
    case EDGETAM_ERR_INVALID_ARGUMENT: return "EDGETAM_ERR_INVALID_ARGUMENT: invalid argument";
    case EDGETAM_ERR_UNSUPPORTED_FORMAT: return "EDGETAM_ERR_UNSUPPORTED_FORMAT: unsupported pixel format";
    case EDGETAM_ERR_BAD_DIMENSIONS: return "EDGETAM_ERR_BAD_DIMENSIONS: width or height out of range";
    case EDGETAM_ERR_BAD_STRIDE: return "EDGETAM_ERR_BAD_STRIDE: stride shorter than a row or overflowing";
    case EDGETAM_ERR_BAD_PLANE: return "EDGETAM_ERR_BAD_PLANE: a required plane is NULL";
    case EDGETAM_ERR_LOCK_FAILED: return "EDGETAM_ERR_LOCK_FAILED: the frame's lock callback failed";
    case EDGETAM_ERR_OUT_OF_MEMORY: return "EDGETAM_ERR_OUT_OF_MEMORY: out of memory";
    case EDGETAM_ERR_ABI_MISMATCH: return "EDGETAM_ERR_ABI_MISMATCH: struct_size does not match this library";
    }
    return "unknown edgetam_status";
}
