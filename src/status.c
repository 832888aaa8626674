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
    case EDGETAM_ERR_MODEL_LOAD: return "EDGETAM_ERR_MODEL_LOAD: the model file could not be loaded";
    case EDGETAM_ERR_BAD_BUNDLE: return "EDGETAM_ERR_BAD_BUNDLE: the model bundle does not match the contract";
    case EDGETAM_ERR_INFERENCE: return "EDGETAM_ERR_INFERENCE: the model failed while running";
    case EDGETAM_ERR_BAD_PROMPT: return "EDGETAM_ERR_BAD_PROMPT: invalid prompt";
    case EDGETAM_ERR_UNKNOWN_OBJECT: return "EDGETAM_ERR_UNKNOWN_OBJECT: no object with that id";
    case EDGETAM_ERR_NO_FRAME: return "EDGETAM_ERR_NO_FRAME: no frame has been tracked yet";
    case EDGETAM_ERR_TOO_MANY_OBJECTS: return "EDGETAM_ERR_TOO_MANY_OBJECTS: the tracker holds max_objects objects";
    case EDGETAM_ERR_BUFFER_TOO_SMALL: return "EDGETAM_ERR_BUFFER_TOO_SMALL: fewer result slots than objects";
    case EDGETAM_ERR_BAD_TIMESTAMP: return "EDGETAM_ERR_BAD_TIMESTAMP: timestamp not greater than the previous one";
    case EDGETAM_ERR_QUEUE_FULL: return "EDGETAM_ERR_QUEUE_FULL: too many prompts waiting for the next frame";
    case EDGETAM_DROPPED: return "EDGETAM_DROPPED: busy with another frame; this frame was dropped untouched";
    }
    return "unknown edgetam_status";
}
