/* The model as the C library sees it: a C ABI over one loaded bundle (shim/BUNDLE.md), whichever
 * runtime runs it. This is the only boundary between the C library and a model runtime: the
 * runtimes of a build (one folder each under shim/, backend.h) sit behind it, and the one that
 * loads a bundle is chosen from the file's content (edgetam_shim.cpp).
 *
 * Every function returns an edgetam_status; an output holding NaN or an infinity fails the call
 * with EDGETAM_ERR_INFERENCE. On failure it writes a NUL-terminated message into `err` (capacity
 * `err_size`, truncated if needed; `err` may be NULL) and leaves every output buffer either
 * untouched or partially written (callers treat them as garbage). No function
 * throws, allocates memory the caller must free, or keeps a pointer to an argument after it
 * returns. Inputs are read, never written; outputs are copied into the caller's buffers,
 * which must hold exactly the element counts stated (all float32, contiguous, batch 1).
 *
 * Threading: load/free are not concurrent with anything else on the same handle; all other
 * functions may run concurrently on one handle from several threads (each call is independent).
 */
#ifndef EDGETAM_SHIM_H
#define EDGETAM_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include "edgetam.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct edgetam_shim edgetam_shim;

/* The bundle's metadata, validated at load (names as in BUNDLE.md). */
typedef struct edgetam_bundle_info {
    char model[64];
    int32_t format_version;
    int32_t image_size;    /* S */
    int32_t hidden_dim;    /* C */
    int32_t memory_dim;    /* Cm */
    int32_t high_res_dim0; /* C0 */
    int32_t high_res_dim1; /* C1 */
    int32_t memory_tokens; /* T */
    int32_t num_maskmem;
    int32_t max_obj_ptrs;
    int32_t multimask_output_in_sam;
    int32_t multimask_output_for_tracking;
    int32_t multimask_min_pt_num;
    int32_t multimask_max_pt_num;
    float sigmoid_scale_for_mem_enc;
    float sigmoid_bias_for_mem_enc;
    float pixel_mean[3];
    float pixel_std[3];
    int32_t max_points;       /* most prompt points per decode, a box counting 2 (ExecuTorch
                                 bundles); 0: no bound of the bundle's */
    int32_t max_memories;     /* most memories / pointers one attend_memory takes (ExecuTorch */
    int32_t max_pointers;     /*   bundles: their padded sizes); 0: no bound of the bundle's */
    int32_t lite_interpreter; /* libtorch: 1 for a .ptl bundle, run by the lite interpreter (not
                                 metadata) */
} edgetam_bundle_info;

/* Loads `path` with the runtime of this build that recognises its content, validates metadata,
 * methods and output shapes, and sets the most intra-op threads (num_threads <= 0: all cores;
 * with adapt_threads, fewer while the CPU is contended: thread_policy.h). What a runtime checks
 * besides (libtorch: its convolutions, then a warm-up of every method) is in BUNDLE.md.
 * Statuses: EDGETAM_ERR_INVALID_ARGUMENT, EDGETAM_ERR_MODEL_LOAD (unreadable, no runtime of this
 * build recognises it, or the runtime cannot load it), EDGETAM_ERR_BAD_BUNDLE (metadata, missing
 * method, wrong arity or shape), EDGETAM_ERR_INFERENCE (the runtime computes wrongly),
 * EDGETAM_ERR_OUT_OF_MEMORY. On success *out owns the model and *info is filled. */
edgetam_status edgetam_shim_load(const char *path, int32_t num_threads, int adapt_threads,
                                 edgetam_shim **out,
                                 edgetam_bundle_info *info, char *err, size_t err_size);

/* Frees everything the handle owns. NULL is a no-op. */
void edgetam_shim_free(edgetam_shim *shim);

/* Threads the next forward will run on (thread_policy.h). Any thread, any time. */
int32_t edgetam_shim_threads(const edgetam_shim *shim);

/* Gives back memory kept for speed: the runtime's caches (trim() in backend.h), then the C
 * heap's free pages (glibc's malloc_trim). Later calls compute the same results. Any thread, any
 * time, also during another call on the handle, which it does not wait for. */
void edgetam_shim_trim(edgetam_shim *shim);

/* image: 3*S*S. Outputs hr0: C0*(S/4)^2, hr1: C1*(S/8)^2, feat: C*(S/16)^2. */
edgetam_status edgetam_shim_encode_image(edgetam_shim *shim, const float *image, float *hr0,
                                         float *hr1, float *feat, char *err, size_t err_size);

/* feat: C*H*W; memory: n*T*Cm; memory_tpos: n; obj_ptrs: p*C (n == 0 requires p == 0);
 * pix: C*H*W. */
edgetam_status edgetam_shim_attend_memory(edgetam_shim *shim, const float *feat,
                                          const float *memory, const int64_t *memory_tpos,
                                          int32_t n, const float *obj_ptrs, int32_t p, float *pix,
                                          char *err, size_t err_size);

/* point_coords: P*2 (x, y in input pixels), point_labels: P, P >= 0; mask_input: LR*LR or NULL;
 * outputs masks: M*LR*LR, ious: M (M = multimask ? 3 : 1), best: LR*LR, obj_ptr: C,
 * object_score: 1. */
edgetam_status edgetam_shim_decode(edgetam_shim *shim, const float *pix, const float *hr0,
                                   const float *hr1, const float *point_coords,
                                   const int32_t *point_labels, int32_t num_points,
                                   const float *mask_input, int multimask, float *masks,
                                   float *ious, float *best, float *obj_ptr, float *object_score,
                                   char *err, size_t err_size);

/* mask: S*S values 0 or 1. Outputs best: LR*LR, obj_ptr: C, object_score: 1. */
edgetam_status edgetam_shim_decode_mask(edgetam_shim *shim, const float *feat, const float *hr0,
                                        const float *hr1, const float *mask, float *best,
                                        float *obj_ptr, float *object_score, char *err,
                                        size_t err_size);

/* best: LR*LR; output memory: T*Cm (float32; the caller rounds it for storage). */
edgetam_status edgetam_shim_encode_memory(edgetam_shim *shim, const float *feat, const float *best,
                                          float object_score, int binarize, float *memory,
                                          char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif
