/* The one interface every model runtime implements (one folder per runtime under shim/), and the
 * table of runtimes a build holds. edgetam_shim.cpp implements the C ABI (edgetam_shim.h) on top:
 * it picks the runtime from the bundle file's first bytes, checks every argument, turns
 * exceptions into statuses and messages, and rejects outputs holding NaN or infinities, so that a
 * runtime only loads bundles and computes.
 *
 * A runtime's code throws shim_error (a status and a message) for what it diagnoses, and
 * std::bad_alloc for exhausted memory; any other exception becomes the ABI function's fallback
 * status with its what() as the message. */
#ifndef EDGETAM_BACKEND_H
#define EDGETAM_BACKEND_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "edgetam_shim.h"

namespace edgetam {

struct shim_error : std::runtime_error {
    edgetam_status status;
    shim_error(edgetam_status s, const std::string &msg) : std::runtime_error(msg), status(s) {}
};

[[noreturn]] inline void fail(edgetam_status status, const std::string &msg)
{
    throw shim_error(status, msg);
}

/* One bundle loaded by one runtime. Arguments are those of edgetam_shim.h, already checked
 * (pointers non-NULL where required, counts in range, memory_tpos in 0..num_maskmem-1);
 * outputs are written whole or the call throws. Concurrency as edgetam_shim.h promises: every
 * method may run on several threads at once (a runtime whose programs are not re-entrant
 * serialises them itself). */
class backend_model {
public:
    virtual ~backend_model() = default;
    /* Threads the next call will run on; any thread, any time. */
    virtual int32_t threads() const = 0;
    /* Gives back the memory the runtime keeps between calls only to be faster (caches, scratch
     * whose content no later call reads), so that the next calls compute the same results, only
     * slower while they fill it again. Any thread, any time, also while a method runs on this
     * model, which it must neither wait for nor disturb; must not throw. */
    virtual void trim() noexcept = 0;
    virtual void encode_image(const float *image, float *hr0, float *hr1, float *feat) = 0;
    virtual void attend_memory(const float *feat, const float *memory, const int64_t *memory_tpos,
                               int32_t n, const float *obj_ptrs, int32_t p, float *pix) = 0;
    virtual void decode(const float *pix, const float *hr0, const float *hr1,
                        const float *point_coords, const int32_t *point_labels, int32_t num_points,
                        const float *mask_input, bool multimask, float *masks, float *ious,
                        float *best, float *obj_ptr, float *object_score) = 0;
    virtual void decode_mask(const float *feat, const float *hr0, const float *hr1,
                             const float *mask, float *best, float *obj_ptr,
                             float *object_score) = 0;
    virtual void encode_memory(const float *feat, const float *best, float object_score,
                               bool binarize, float *memory) = 0;
};

/* A runtime, as the table lists it. */
struct backend {
    const char *name; /* "libtorch", "executorch" */
    /* The file kind it loads, for messages: "a TorchScript archive (.edgetam, .ptl)". */
    const char *file_kind;
    /* Whether a file that starts with `head` (its first `size` bytes, size <= kBundleHeadBytes;
     * fewer only when the file is that short) is one of its bundles. */
    bool (*recognises)(const unsigned char *head, size_t size);
    /* Loads `path` (readable, recognised): validates metadata, methods and shapes, applies the
     * thread settings (edgetam_shim_load), fills *info. */
    std::unique_ptr<backend_model> (*load)(const char *path, int32_t num_threads,
                                           bool adapt_threads, edgetam_bundle_info *info);
};

constexpr size_t kBundleHeadBytes = 64; /* ExecuTorch's Program::kMinHeadBytes */

/* The runtimes of this build, in the order they are asked; each folder defines its own. */
extern const backend libtorch_backend;   /* shim/libtorch/ */
extern const backend executorch_backend; /* shim/executorch/ */

} // namespace edgetam

#endif
