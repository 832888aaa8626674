/* The C ABI of edgetam_shim.h over the runtimes of this build (backend.h): the runtime is chosen
 * from the bundle file's first bytes, every argument is checked here, every output is checked for
 * NaN and infinities here, and every C entry point runs its body inside guarded(), so no
 * exception crosses the C boundary. */
#include "edgetam_shim.h"

#include "backend.h"
#include "bundle_metadata.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using edgetam::backend;
using edgetam::fail;
using edgetam::shim_error;

struct edgetam_shim {
    std::unique_ptr<edgetam::backend_model> model;
    edgetam_bundle_info info;
};

namespace {

/* The runtimes this build holds, asked in this order. */
const backend *const kBackends[] = {
#ifdef EDGETAM_WITH_LIBTORCH
    &edgetam::libtorch_backend,
#endif
#ifdef EDGETAM_WITH_EXECUTORCH
    &edgetam::executorch_backend,
#endif
};

void set_err(char *err, size_t err_size, const char *msg)
{
    if (err && err_size) std::snprintf(err, err_size, "%s", msg);
}

/* The single C boundary: runs f, maps every exception to a status and a message in err.
 * `fallback` is the status of exceptions no runtime diagnosed. */
template <class F>
edgetam_status guarded(const char *what, edgetam_status fallback, char *err, size_t err_size,
                       F &&f) noexcept
{
    if (err && err_size) err[0] = '\0';
    try {
        try {
            f();
            return EDGETAM_OK;
        } catch (const shim_error &e) {
            set_err(err, err_size, e.what());
            return e.status;
        } catch (const std::bad_alloc &) {
            set_err(err, err_size, (std::string(what) + ": out of memory").c_str());
            return EDGETAM_ERR_OUT_OF_MEMORY;
        } catch (const std::exception &e) {
            set_err(err, err_size, (std::string(what) + ": " + e.what()).c_str());
            return fallback;
        } catch (...) {
            set_err(err, err_size, (std::string(what) + ": unknown exception").c_str());
            return fallback;
        }
    } catch (...) { /* building the message itself failed (bad_alloc) */
        set_err(err, err_size, "out of memory");
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
}

/* A runtime computing garbage (BUNDLE.md, "Runtimes") must not reach the tracker's memory, where
 * it would poison every later frame. One pass over an output costs little next to the forward. */
void check_finite(const char *method, const char *name, const float *out, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        if (!std::isfinite(out[i]))
            fail(EDGETAM_ERR_INFERENCE, std::string(method) + ": output " + name + " has " +
                                            (std::isnan(out[i]) ? "NaN" : "an infinity") +
                                            " at element " + std::to_string(i) +
                                            "; nothing was kept (a runtime computing wrongly, "
                                            "or a broken bundle)");
}

/* The runtime whose bundles start like the file at `path`. */
const backend &backend_for(const char *path)
{
    FILE *f = std::fopen(path, "rb");
    if (!f)
        fail(EDGETAM_ERR_MODEL_LOAD,
             std::string("cannot open bundle '") + path + "': " + std::strerror(errno));
    unsigned char head[edgetam::kBundleHeadBytes];
    const size_t got = std::fread(head, 1, sizeof head, f);
    const int read_errno = std::ferror(f) ? errno : 0;
    std::fclose(f);
    if (read_errno)
        fail(EDGETAM_ERR_MODEL_LOAD,
             std::string("cannot read bundle '") + path + "': " + std::strerror(read_errno));
    for (const backend *b : kBackends)
        if (b->recognises(head, got)) return *b;
    std::string kinds;
    for (const backend *b : kBackends)
        kinds += std::string(kinds.empty() ? "" : " or ") + b->file_kind;
    fail(EDGETAM_ERR_MODEL_LOAD, std::string("cannot load bundle '") + path + "': it is not " +
                                     kinds + ", the bundles this build runs (BUNDLE.md)");
}

} // namespace

/* In the C entry points below, where `fn` names the function. */
#define CHECK_ARG(cond)                                                                           \
    do {                                                                                          \
        if (!(cond))                                                                              \
            fail(EDGETAM_ERR_INVALID_ARGUMENT, std::string(fn) + ": invalid argument: " #cond);   \
    } while (0)

extern "C" {

edgetam_status edgetam_shim_load(const char *path, int32_t num_threads, int adapt_threads,
                                 edgetam_shim **out, edgetam_bundle_info *info, char *err,
                                 size_t err_size)
{
    if (out) *out = nullptr;
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_BAD_BUNDLE, err, err_size, [&] {
        CHECK_ARG(path && out && info);
        const backend &b = backend_for(path);
        std::unique_ptr<edgetam_shim> s(new edgetam_shim());
        s->model = b.load(path, num_threads, adapt_threads != 0, &s->info);
        *info = s->info;
        *out = s.release();
    });
}

void edgetam_shim_free(edgetam_shim *shim)
{
    delete shim; /* runtimes' destructors do not throw */
}

int32_t edgetam_shim_threads(const edgetam_shim *shim)
{
    return shim->model->threads();
}

void edgetam_shim_trim(edgetam_shim *shim)
{
    shim->model->trim();
#ifdef __GLIBC__
    /* what the runtime and the library freed stays in glibc's arenas otherwise */
    malloc_trim(0);
#endif
}

edgetam_status edgetam_shim_encode_image(edgetam_shim *shim, const float *image, float *hr0,
                                         float *hr1, float *feat, char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && image && hr0 && hr1 && feat);
        shim->model->encode_image(image, hr0, hr1, feat);
        edgetam::bundle_sizes z(shim->info);
        check_finite("encode_image", "hr0", hr0, z.C0 * z.LR * z.LR);
        check_finite("encode_image", "hr1", hr1, z.C1 * (z.S / 8) * (z.S / 8));
        check_finite("encode_image", "feat", feat, z.C * z.H * z.H);
    });
}

edgetam_status edgetam_shim_attend_memory(edgetam_shim *shim, const float *feat,
                                          const float *memory, const int64_t *memory_tpos,
                                          int32_t n, const float *obj_ptrs, int32_t p, float *pix,
                                          char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && feat && pix && n >= 0 && p >= 0 && (n > 0 || p == 0));
        CHECK_ARG((n == 0 || (memory && memory_tpos)) && (p == 0 || obj_ptrs));
        /* An out-of-range t_pos would index the bundle's tpos table from the end silently. */
        for (int32_t i = 0; i < n; i++)
            if (memory_tpos[i] < 0 || memory_tpos[i] >= shim->info.num_maskmem)
                fail(EDGETAM_ERR_INVALID_ARGUMENT,
                     std::string(fn) + ": memory_tpos[" + std::to_string(i) + "] = " +
                         std::to_string(memory_tpos[i]) + " is outside 0..num_maskmem-1");
        shim->model->attend_memory(feat, memory, memory_tpos, n, obj_ptrs, p, pix);
        edgetam::bundle_sizes z(shim->info);
        check_finite("attend_memory", "pix", pix, z.C * z.H * z.H);
    });
}

edgetam_status edgetam_shim_decode(edgetam_shim *shim, const float *pix, const float *hr0,
                                   const float *hr1, const float *point_coords,
                                   const int32_t *point_labels, int32_t num_points,
                                   const float *mask_input, int multimask, float *masks,
                                   float *ious, float *best, float *obj_ptr, float *object_score,
                                   char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && pix && hr0 && hr1 && num_points >= 0);
        CHECK_ARG(num_points == 0 || (point_coords && point_labels));
        CHECK_ARG(masks && ious && best && obj_ptr && object_score);
        shim->model->decode(pix, hr0, hr1, point_coords, point_labels, num_points, mask_input,
                            multimask != 0, masks, ious, best, obj_ptr, object_score);
        edgetam::bundle_sizes z(shim->info);
        const int64_t M = multimask ? 3 : 1;
        check_finite("decode", "masks", masks, M * z.LR * z.LR);
        check_finite("decode", "ious", ious, M);
        check_finite("decode", "best", best, z.LR * z.LR);
        check_finite("decode", "obj_ptr", obj_ptr, z.C);
        check_finite("decode", "object_score", object_score, 1);
    });
}

edgetam_status edgetam_shim_decode_mask(edgetam_shim *shim, const float *feat, const float *hr0,
                                        const float *hr1, const float *mask, float *best,
                                        float *obj_ptr, float *object_score, char *err,
                                        size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && feat && hr0 && hr1 && mask && best && obj_ptr && object_score);
        shim->model->decode_mask(feat, hr0, hr1, mask, best, obj_ptr, object_score);
        edgetam::bundle_sizes z(shim->info);
        check_finite("decode_mask", "best", best, z.LR * z.LR);
        check_finite("decode_mask", "obj_ptr", obj_ptr, z.C);
        check_finite("decode_mask", "object_score", object_score, 1);
    });
}

edgetam_status edgetam_shim_encode_memory(edgetam_shim *shim, const float *feat, const float *best,
                                          float object_score, int binarize, float *memory,
                                          char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && feat && best && memory);
        shim->model->encode_memory(feat, best, object_score, binarize != 0, memory);
        edgetam::bundle_sizes z(shim->info);
        check_finite("encode_memory", "memory", memory, z.T * z.Cm);
    });
}

} // extern "C"
