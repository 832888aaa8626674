/* The tracker: drop-if-busy locking, the live loop of docs/tracking.md over the shim's methods,
 * and staging so that any failure leaves the tracker exactly as it was. */
#define _POSIX_C_SOURCE 200809L /* pthread_mutex_trylock, clock_gettime under -std=c11 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "bf16.h"
#include "clock.h"
#include "memory_select.h"
#include "model.h"
#include "postprocess.h"
#include "prompt.h"
#include "tracked_object.h"
#include "tracker_internal.h"

#define MAX_OBJECTS_LIMIT 64
#define MAX_COND_LIMIT 16

struct edgetam_tracker {
    edgetam_model *model;
    edgetam_tracker_params params;
    object_layout layout;
    pthread_mutex_t lock; /* held by a running track / prompt / remove / reset */
    edgetam_converter *conv;

    /* image features of the current frame (set `cur_set`) and of the frame being tracked */
    float *hr0[2], *hr1[2], *feat[2];
    int cur_set;
    int have_frame;
    int64_t t;
    int32_t frame_w, frame_h;
    int frame_prompted; /* a prompt since frame t was tracked: consolidate it (step 1) */

    tracked_object **objects; /* increasing id */
    int32_t n_objects;

    /* scratch for one model call at a time */
    float *pix, *memory_in, *ptrs_in, *masks, *mask_input, *memory_out, *upsample_row;
    int64_t *tpos;
    float *mask_s, *mask_tmp; /* mask prompts: S*S and S*max(h) floats, allocated on use */
    size_t mask_tmp_size;
    int32_t *hole_scratch;
    memory_candidate *cands;
    const uint16_t **cand_mems;
    const float **cand_ptrs;
    memory_choice *choices;
    int32_t *ptr_choices;
    upsample_plan plan;

    _Atomic uint64_t submitted, processed, dropped, failed;
    pthread_mutex_t stats_lock; /* guards the stage times only, never held during model work */
    double last_ms[EDGETAM_STAGE_COUNT], total_ms[EDGETAM_STAGE_COUNT];
    double model_ms;                    /* model time of the call in progress */
    double last_model_ms, total_model_ms;
    char error[256];
};

edgetam_tracker_params edgetam_tracker_default_params(void)
{
    edgetam_tracker_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.max_objects = 8;
    p.max_conditioning_frames = 4;
    p.fill_hole_area = 8;
    p.corrections_as_conditioning = 0;
    return p;
}

edgetam_prompt edgetam_prompt_default(void)
{
    edgetam_prompt p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.clear_old_points = 1;
    return p;
}

static edgetam_status fail(edgetam_tracker *t, edgetam_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->error, sizeof t->error, fmt, ap);
    va_end(ap);
    return st;
}

void edgetam_tracker_destroy(edgetam_tracker *t)
{
    if (!t) return;
    for (int32_t i = 0; i < t->n_objects; i++) tracked_object_free(t->objects[i], &t->layout);
    edgetam__free(t->objects);
    edgetam_converter_destroy(t->conv);
    for (int i = 0; i < 2; i++) {
        edgetam__free(t->hr0[i]);
        edgetam__free(t->hr1[i]);
        edgetam__free(t->feat[i]);
    }
    void *bufs[] = {t->pix, t->memory_in, t->ptrs_in, t->masks, t->mask_input,
                    t->upsample_row,
                    t->memory_out, t->tpos, t->mask_s, t->mask_tmp, t->hole_scratch, t->cands,
                    (void *)t->cand_mems, (void *)t->cand_ptrs, t->choices, t->ptr_choices};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) edgetam__free(bufs[i]);
    upsample_plan_free(&t->plan);
    pthread_mutex_destroy(&t->lock);
    pthread_mutex_destroy(&t->stats_lock);
    edgetam__free(t);
}

edgetam_status tracker_create(edgetam_model *model, const edgetam_tracker_params *params,
                              int with_converter, edgetam_tracker **out)
{
    if (out) *out = NULL;
    if (!model || !params || !out) return EDGETAM_ERR_INVALID_ARGUMENT;
    if (params->struct_size != sizeof *params) return EDGETAM_ERR_ABI_MISMATCH;
    if (params->max_objects < 1 || params->max_objects > MAX_OBJECTS_LIMIT ||
        params->max_conditioning_frames < 1 || params->max_conditioning_frames > MAX_COND_LIMIT ||
        params->fill_hole_area < 0)
        return EDGETAM_ERR_INVALID_ARGUMENT;
    /* An ExecuTorch bundle takes a bounded number of memories and pointers per attend_memory (its
     * padding): one conditioning frame per object, unless corrections become conditioning frames
     * too, plus the recent ones (docs/tracking.md, "Memory selection"). */
    const edgetam_bundle_info *bi = &model->info;
    const int32_t cond = params->corrections_as_conditioning ? params->max_conditioning_frames : 1;
    if (bi->max_memories && (cond + bi->num_maskmem - 1 > bi->max_memories ||
                             cond + bi->max_obj_ptrs - 1 > bi->max_pointers))
        return EDGETAM_ERR_INVALID_ARGUMENT;

    edgetam_tracker *t = edgetam__calloc(1, sizeof *t);
    if (!t) return EDGETAM_ERR_OUT_OF_MEMORY;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        edgetam__free(t);
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
    pthread_mutex_init(&t->stats_lock, NULL);
    t->model = model;
    t->params = *params;
    const edgetam_bundle_info *in = &model->info;
    object_layout *lay = &t->layout;
    lay->max_cond = params->max_conditioning_frames;
    lay->ring = in->max_obj_ptrs;
    lay->memory_ring = in->num_maskmem;
    lay->memory = model->memory;
    lay->ptr = (size_t)in->hidden_dim;
    lay->pred = model->low_res;
    lay->limits = (memory_limits){in->num_maskmem, in->max_obj_ptrs};
    /* a selection sees every conditioning entry (+1 before eviction) and the recent ones */
    const size_t max_mem = (size_t)lay->max_cond + (size_t)in->num_maskmem;
    const size_t max_ptrs = (size_t)lay->max_cond + (size_t)in->max_obj_ptrs;
    const size_t max_cands = (size_t)lay->max_cond + (size_t)lay->ring + 1;

    edgetam_status st = EDGETAM_OK;
    if (with_converter) {
        edgetam_converter_params cp = edgetam_converter_default_params();
        cp.input_size = in->image_size;
        st = edgetam_converter_create(&cp, &t->conv);
    }
    int ok = st == EDGETAM_OK;
    for (int i = 0; ok && i < 2; i++) {
        ok = (t->hr0[i] = edgetam__calloc(model->hr0, sizeof(float))) &&
             (t->hr1[i] = edgetam__calloc(model->hr1, sizeof(float))) &&
             (t->feat[i] = edgetam__calloc(model->feat, sizeof(float)));
    }
    ok = ok && (t->objects = edgetam__calloc((size_t)params->max_objects, sizeof *t->objects)) &&
         (t->pix = edgetam__calloc(model->feat, sizeof(float))) &&
         (t->memory_in = edgetam__calloc(max_mem * model->memory, sizeof(float))) &&
         (t->tpos = edgetam__calloc(max_mem, sizeof(int64_t))) &&
         (t->ptrs_in = edgetam__calloc(max_ptrs * lay->ptr, sizeof(float))) &&
         (t->masks = edgetam__calloc(3 * model->low_res, sizeof(float))) &&
         (t->mask_input = edgetam__calloc(model->low_res, sizeof(float))) &&
         (t->upsample_row = edgetam__calloc((size_t)model->low_res_side, sizeof(float))) &&
         (t->memory_out = edgetam__calloc(model->memory, sizeof(float))) &&
         (t->hole_scratch = edgetam__calloc(2 * model->low_res, sizeof(int32_t))) &&
         (t->cands = edgetam__calloc(max_cands, sizeof *t->cands)) &&
         (t->cand_mems = edgetam__calloc(max_cands, sizeof *t->cand_mems)) &&
         (t->cand_ptrs = edgetam__calloc(max_cands, sizeof *t->cand_ptrs)) &&
         (t->choices = edgetam__calloc(max_mem, sizeof *t->choices)) &&
         (t->ptr_choices = edgetam__calloc(max_ptrs, sizeof *t->ptr_choices));
    if (!ok) {
        edgetam_tracker_destroy(t);
        return st != EDGETAM_OK ? st : EDGETAM_ERR_OUT_OF_MEMORY;
    }
    *out = t;
    return EDGETAM_OK;
}

edgetam_status edgetam_tracker_create(edgetam_model *model, const edgetam_tracker_params *params,
                                      edgetam_tracker **out)
{
    return tracker_create(model, params, 1, out);
}

/* ---- model calls ------------------------------------------------------------------------- */

/* Runs one model call, adding its duration to t->model_ms (what overhead is measured against). */
#define SHIM_CALL(t, call)                                                                     \
    do {                                                                                       \
        const double shim_t0_ = clock_ms();                                                    \
        edgetam_status shim_st_ = (call);                                                      \
        (t)->model_ms += clock_ms() - shim_t0_;                                                \
        if (shim_st_ != EDGETAM_OK) return shim_st_;                                           \
    } while (0)

/* Memory-conditioned features of `obj` for frame `frame` into t->pix (n = 0: no memory). */
static edgetam_status attend(edgetam_tracker *t, const tracked_object *obj, const float *feat,
                             int with_memory, int include_current, int use_consolidated,
                             int64_t frame)
{
    const edgetam_model *m = t->model;
    int32_t n = 0, p = 0;
    if (with_memory) {
        const int32_t count = tracked_object_candidates(obj, &t->layout, include_current, t->t,
                                                        use_consolidated, t->cands, t->cand_mems,
                                                        t->cand_ptrs);
        memory_select(t->cands, count, frame, t->layout.limits, t->choices, &n, t->ptr_choices,
                      &p);
        for (int32_t k = 0; k < n; k++) {
            const uint16_t *src = t->cand_mems[t->choices[k].index];
            float *dst = t->memory_in + (size_t)k * m->memory;
            for (size_t i = 0; i < m->memory; i++) dst[i] = bf16_to_float(src[i]);
            t->tpos[k] = t->choices[k].tpos;
        }
        for (int32_t k = 0; k < p; k++)
            memcpy(t->ptrs_in + (size_t)k * t->layout.ptr, t->cand_ptrs[t->ptr_choices[k]],
                   t->layout.ptr * sizeof(float));
    }
    SHIM_CALL(t, edgetam_shim_attend_memory(m->shim, feat, t->memory_in, t->tpos, n, t->ptrs_in,
                                            p, t->pix, t->error, sizeof t->error));
    return EDGETAM_OK;
}

static float max_of(const float *v, int32_t n)
{
    float best = v[0];
    for (int32_t i = 1; i < n; i++)
        if (v[i] > best) best = v[i];
    return best;
}

/* Decoder output -> obj->stage (pred filled, pointer, score, IoU). */
static edgetam_status decode_into_stage(edgetam_tracker *t, tracked_object *obj, int set,
                                        const float *coords, const int32_t *labels, int32_t n_pts,
                                        const float *mask_input, int multimask)
{
    const edgetam_model *m = t->model;
    float ious[3];
    SHIM_CALL(t, edgetam_shim_decode(m->shim, t->pix, t->hr0[set], t->hr1[set], coords, labels,
                                     n_pts, mask_input, multimask, t->masks, ious, obj->stage.pred,
                                     obj->stage.obj_ptr, &obj->stage.object_score, t->error,
                                     sizeof t->error));
    obj->stage.iou = max_of(ious, multimask ? 3 : 1);
    return EDGETAM_OK;
}

static edgetam_status encode_memory(edgetam_tracker *t, const float *feat, const float *best,
                                    float score, int binarize, uint16_t *out)
{
    const edgetam_model *m = t->model;
    SHIM_CALL(t, edgetam_shim_encode_memory(m->shim, feat, best, score, binarize, t->memory_out,
                                            t->error, sizeof t->error));
    for (size_t i = 0; i < m->memory; i++) out[i] = bf16_from_float(t->memory_out[i]);
    return EDGETAM_OK;
}

static int multimask_for(const edgetam_bundle_info *in, int is_init, int32_t n_points)
{
    return in->multimask_output_in_sam && (is_init || in->multimask_output_for_tracking) &&
           in->multimask_min_pt_num <= n_points && n_points <= in->multimask_max_pt_num;
}

/* ---- tracking ------------------------------------------------------------------------------ */

static void add_ms(double *acc, double since, double *now)
{
    const double t1 = clock_ms();
    *acc += t1 - since;
    *now = t1;
}

/* Steps 1-4 of docs/tracking.md into staging; nothing is committed here. */
static edgetam_status run_frame(edgetam_tracker *t, const float *input, int next, int consolidate,
                                double ms[EDGETAM_STAGE_COUNT])
{
    const edgetam_model *m = t->model;
    double t0 = clock_ms();
    if (consolidate) { /* step 1: the prompted frame t, re-encoded from binarised masks */
        for (int32_t i = 0; i < t->n_objects; i++) {
            tracked_object *obj = t->objects[i];
            if (!obj->has_output) continue;
            const edgetam_status st = encode_memory(t, t->feat[t->cur_set], obj->cur.pred,
                                                    obj->cur.object_score, 1, obj->consolidated);
            if (st != EDGETAM_OK) return st;
        }
        add_ms(&ms[EDGETAM_STAGE_MEMORY_ENCODE], t0, &t0);
    }
    SHIM_CALL(t, edgetam_shim_encode_image(m->shim, input, t->hr0[next], t->hr1[next], t->feat[next], t->error,
                                           sizeof t->error));
    add_ms(&ms[EDGETAM_STAGE_ENCODE], t0, &t0);
    const int64_t frame = t->have_frame ? t->t + 1 : 0;
    const int multimask = multimask_for(&m->info, 0, 0);
    for (int32_t i = 0; i < t->n_objects; i++) {
        tracked_object *obj = t->objects[i];
        edgetam_status st = attend(t, obj, t->feat[next], 1, 1, consolidate, frame);
        if (st != EDGETAM_OK) return st;
        add_ms(&ms[EDGETAM_STAGE_ATTEND], t0, &t0);
        st = decode_into_stage(t, obj, next, NULL, NULL, 0, NULL, multimask);
        if (st != EDGETAM_OK) return st;
        add_ms(&ms[EDGETAM_STAGE_DECODE], t0, &t0);
        st = encode_memory(t, t->feat[next], obj->stage.pred, obj->stage.object_score, 0,
                           obj->stage.memory);
        if (st != EDGETAM_OK) return st;
        add_ms(&ms[EDGETAM_STAGE_MEMORY_ENCODE], t0, &t0);
        fill_holes(obj->stage.pred, m->low_res_side, t->params.fill_hole_area, t->hole_scratch);
        add_ms(&ms[EDGETAM_STAGE_POSTPROCESS], t0, &t0);
    }
    return EDGETAM_OK;
}

static void record_stats(edgetam_tracker *t, const double ms[EDGETAM_STAGE_COUNT])
{
    pthread_mutex_lock(&t->stats_lock);
    for (int s = 0; s < EDGETAM_STAGE_COUNT; s++) {
        t->last_ms[s] = ms[s];
        t->total_ms[s] += ms[s];
    }
    t->last_model_ms = t->model_ms;
    t->total_model_ms += t->model_ms;
    pthread_mutex_unlock(&t->stats_lock);
}

static edgetam_status check_results(edgetam_tracker *t, edgetam_object_result *results,
                                    int32_t capacity, int32_t needed)
{
    if (capacity < 0 || (capacity > 0 && !results))
        return fail(t, EDGETAM_ERR_INVALID_ARGUMENT, "results is NULL with capacity %d",
                    (int)capacity);
    if (capacity < needed)
        return fail(t, EDGETAM_ERR_BUFFER_TOO_SMALL, "%d result slots for %d objects",
                    (int)capacity, (int)needed);
    for (int32_t i = 0; i < needed; i++)
        if (results[i].struct_size != sizeof results[i])
            return fail(t, EDGETAM_ERR_ABI_MISMATCH,
                        "results[%d].struct_size does not match this library", (int)i);
    return EDGETAM_OK;
}

static void write_result(edgetam_tracker *t, const tracked_object *obj, edgetam_object_result *r)
{
    r->object_id = obj->id;
    r->iou = obj->cur.iou;
    r->object_score = obj->cur.object_score;
    r->present = obj->cur.object_score > 0.0f;
    write_object_result(&t->plan, obj->cur.pred, t->upsample_row, r);
}

/* Tracks every object into a converted frame of w x h and commits; results are written apart. */
static edgetam_status track_input_locked(edgetam_tracker *t, const float *input, int32_t w,
                                         int32_t h, double ms[EDGETAM_STAGE_COUNT])
{
    if (upsample_plan_update(&t->plan, t->model->low_res_side, w, h) != EDGETAM_OK)
        return fail(t, EDGETAM_ERR_OUT_OF_MEMORY, "out of memory for the %dx%d upsampling plan",
                    (int)w, (int)h);
    const int next = 1 - t->cur_set;
    const int consolidate = t->have_frame && t->frame_prompted;
    const edgetam_status st = run_frame(t, input, next, consolidate, ms);
    if (st != EDGETAM_OK) return st; /* staging discarded: state as before */

    /* commit */
    for (int32_t i = 0; i < t->n_objects; i++)
        tracked_object_commit_track(t->objects[i], &t->layout, t->t, consolidate);
    t->t = t->have_frame ? t->t + 1 : 0;
    t->have_frame = 1;
    t->cur_set = next;
    t->frame_prompted = 0;
    t->frame_w = w;
    t->frame_h = h;
    return EDGETAM_OK;
}

/* Every object's current output into results[0..n_objects). */
static void write_results_locked(edgetam_tracker *t, edgetam_object_result *results,
                                 double ms[EDGETAM_STAGE_COUNT])
{
    double t0 = clock_ms();
    for (int32_t i = 0; i < t->n_objects && results; i++)
        write_result(t, t->objects[i], &results[i]);
    add_ms(&ms[EDGETAM_STAGE_POSTPROCESS], t0, &t0);
}

static edgetam_status track_locked(edgetam_tracker *t, const edgetam_frame *frame,
                                   edgetam_object_result *results, int32_t capacity,
                                   int32_t *count)
{
    double ms[EDGETAM_STAGE_COUNT] = {0};
    t->model_ms = 0.0;
    if (!frame) return fail(t, EDGETAM_ERR_INVALID_ARGUMENT, "frame is NULL");
    edgetam_status st = check_results(t, results, capacity, t->n_objects);
    if (st != EDGETAM_OK) return st;

    double t0 = clock_ms();
    st = edgetam_convert_frame(t->conv, frame); /* the caller's buffer is released here */
    if (st != EDGETAM_OK) return fail(t, st, "%s", edgetam_converter_last_error(t->conv));
    add_ms(&ms[EDGETAM_STAGE_CONVERT], t0, &t0);
    st = track_input_locked(t, edgetam_converter_output(t->conv, NULL), frame->width,
                            frame->height, ms);
    if (st != EDGETAM_OK) return st;
    write_results_locked(t, results, ms);
    if (count) *count = t->n_objects;
    record_stats(t, ms);
    return EDGETAM_OK;
}

/* Counts the call's outcome the way edgetam_tracker_track does. */
static void count_outcome(edgetam_tracker *t, edgetam_status st)
{
    atomic_fetch_add_explicit(st == EDGETAM_OK ? &t->processed : &t->failed, 1,
                              memory_order_relaxed);
}

edgetam_status edgetam_tracker_track(edgetam_tracker *t, const edgetam_frame *frame,
                                     edgetam_object_result *results, int32_t capacity,
                                     int32_t *count)
{
    if (!t) return EDGETAM_ERR_INVALID_ARGUMENT;
    atomic_fetch_add_explicit(&t->submitted, 1, memory_order_relaxed);
    if (pthread_mutex_trylock(&t->lock) != 0) { /* busy: the frame is not even looked at */
        atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
        return EDGETAM_DROPPED;
    }
    t->error[0] = '\0';
    const edgetam_status st = track_locked(t, frame, results, capacity, count);
    count_outcome(t, st);
    pthread_mutex_unlock(&t->lock);
    return st;
}

edgetam_status tracker_track_input(edgetam_tracker *t, const float *input, int32_t w, int32_t h,
                                   double ms[EDGETAM_STAGE_COUNT])
{
    pthread_mutex_lock(&t->lock);
    atomic_fetch_add_explicit(&t->submitted, 1, memory_order_relaxed);
    t->error[0] = '\0';
    t->model_ms = 0.0;
    const edgetam_status st = track_input_locked(t, input, w, h, ms);
    if (st == EDGETAM_OK) record_stats(t, ms);
    count_outcome(t, st);
    pthread_mutex_unlock(&t->lock);
    return st;
}

edgetam_status tracker_results(edgetam_tracker *t, edgetam_object_result *results,
                               int32_t capacity, int32_t *count, double ms[EDGETAM_STAGE_COUNT])
{
    pthread_mutex_lock(&t->lock);
    edgetam_status st = check_results(t, results, capacity, t->n_objects);
    if (st == EDGETAM_OK) {
        write_results_locked(t, results, ms);
        *count = t->n_objects;
    }
    pthread_mutex_unlock(&t->lock);
    return st;
}

/* ---- prompts ------------------------------------------------------------------------------- */

static int32_t find_object(const edgetam_tracker *t, int32_t id)
{
    for (int32_t i = 0; i < t->n_objects; i++)
        if (t->objects[i]->id == id) return i;
    return -1;
}

static void insert_object(edgetam_tracker *t, tracked_object *obj)
{
    int32_t i = t->n_objects++;
    while (i > 0 && t->objects[i - 1]->id > obj->id) {
        t->objects[i] = t->objects[i - 1];
        i--;
    }
    t->objects[i] = obj;
}

static edgetam_status ensure_mask_buffers(edgetam_tracker *t)
{
    const size_t s = (size_t)t->model->info.image_size;
    const size_t tmp = s * (size_t)t->frame_h;
    if (!t->mask_s && !(t->mask_s = edgetam__calloc(s * s, sizeof(float))))
        return EDGETAM_ERR_OUT_OF_MEMORY;
    if (t->mask_tmp_size < tmp) {
        float *p = edgetam__calloc(tmp, sizeof(float));
        if (!p) return EDGETAM_ERR_OUT_OF_MEMORY;
        edgetam__free(t->mask_tmp);
        t->mask_tmp = p;
        t->mask_tmp_size = tmp;
    }
    return EDGETAM_OK;
}

/* Runs the prompt into obj->stage; returns the points to commit in coords/labels/n. */
static edgetam_status run_prompt(edgetam_tracker *t, tracked_object *obj, const edgetam_prompt *p,
                                 int is_init, float *coords, int32_t *labels, int32_t *n)
{
    const edgetam_model *m = t->model;
    const int set = t->cur_set;
    *n = 0;
    if (p->mask) {
        if (ensure_mask_buffers(t) != EDGETAM_OK)
            return fail(t, EDGETAM_ERR_OUT_OF_MEMORY, "out of memory for the mask prompt");
        prompt_mask_to_input(p->mask, p->mask_stride, t->frame_w, t->frame_h,
                             m->info.image_size, t->mask_tmp, t->mask_s);
        SHIM_CALL(t, edgetam_shim_decode_mask(m->shim, t->feat[set], t->hr0[set], t->hr1[set],
                                              t->mask_s, obj->stage.pred, obj->stage.obj_ptr,
                                              &obj->stage.object_score, t->error,
                                              sizeof t->error));
        obj->stage.iou = 1.0f;
    } else {
        if (!p->clear_old_points) {
            memcpy(coords, obj->points, (size_t)obj->n_points * 2 * sizeof *coords);
            memcpy(labels, obj->labels, (size_t)obj->n_points * sizeof *labels);
            *n = obj->n_points;
        }
        prompt_append_points(p, t->frame_w, t->frame_h, m->info.image_size, coords, labels, n);
        const float *mask_input = NULL;
        if (obj->has_output) { /* refine what the object shows now, like the video predictor */
            for (size_t i = 0; i < m->low_res; i++) {
                const float v = obj->cur.pred[i];
                t->mask_input[i] = v < -32.0f ? -32.0f : v > 32.0f ? 32.0f : v;
            }
            mask_input = t->mask_input;
        }
        edgetam_status st = attend(t, obj, t->feat[set], !is_init, 0, 0, t->t);
        if (st != EDGETAM_OK) return st;
        st = decode_into_stage(t, obj, set, coords, labels, *n, mask_input,
                               multimask_for(&m->info, is_init, *n));
        if (st != EDGETAM_OK) return st;
    }
    fill_holes(obj->stage.pred, m->low_res_side, t->params.fill_hole_area, t->hole_scratch);
    return EDGETAM_OK;
}

static edgetam_status prompt_locked(edgetam_tracker *t, int32_t id, const edgetam_prompt *p,
                                    edgetam_object_result *result)
{
    if (!t->have_frame)
        return fail(t, EDGETAM_ERR_NO_FRAME, "prompts apply to the current frame: track one first");
    if (id < 0) return fail(t, EDGETAM_ERR_INVALID_ARGUMENT, "object id %d is negative", (int)id);
    if (result && result->struct_size != sizeof *result)
        return fail(t, EDGETAM_ERR_ABI_MISMATCH, "result.struct_size does not match this library");
    const int32_t at = find_object(t, id);
    tracked_object *obj = at >= 0 ? t->objects[at] : NULL;
    edgetam_status st = prompt_validate(p, t->frame_w, t->frame_h, obj ? obj->n_points : 0,
                                        t->model->info.max_points, t->error, sizeof t->error);
    if (st != EDGETAM_OK) return st;
    if (!obj) {
        if (t->n_objects >= t->params.max_objects)
            return fail(t, EDGETAM_ERR_TOO_MANY_OBJECTS, "the tracker already holds %d objects",
                        (int)t->n_objects);
        if (!(obj = tracked_object_new(&t->layout, id, t->t)))
            return fail(t, EDGETAM_ERR_OUT_OF_MEMORY, "out of memory for object %d", (int)id);
    }
    const int is_init = obj->created == t->t;
    float coords[EDGETAM_MAX_POINTS * 2];
    int32_t labels[EDGETAM_MAX_POINTS], n = 0;
    st = run_prompt(t, obj, p, is_init, coords, labels, &n);
    if (st != EDGETAM_OK) {
        if (at < 0) tracked_object_free(obj, &t->layout);
        return st;
    }
    tracked_object_commit_prompt(obj, is_init || t->params.corrections_as_conditioning, coords,
                                 labels, n);
    if (at < 0) insert_object(t, obj);
    t->frame_prompted = 1;
    if (result) write_result(t, obj, result);
    return EDGETAM_OK;
}

edgetam_status edgetam_tracker_add_prompt(edgetam_tracker *t, int32_t id,
                                          const edgetam_prompt *prompt,
                                          edgetam_object_result *result)
{
    if (!t) return EDGETAM_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&t->lock);
    t->error[0] = '\0';
    const edgetam_status st = prompt_locked(t, id, prompt, result);
    pthread_mutex_unlock(&t->lock);
    return st;
}

edgetam_status edgetam_tracker_remove_object(edgetam_tracker *t, int32_t id)
{
    if (!t) return EDGETAM_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&t->lock);
    t->error[0] = '\0';
    edgetam_status st = EDGETAM_OK;
    const int32_t at = find_object(t, id);
    if (at < 0) {
        st = fail(t, EDGETAM_ERR_UNKNOWN_OBJECT, "no object with id %d", (int)id);
    } else {
        tracked_object_free(t->objects[at], &t->layout);
        memmove(&t->objects[at], &t->objects[at + 1],
                (size_t)(t->n_objects - at - 1) * sizeof *t->objects);
        t->n_objects--;
    }
    pthread_mutex_unlock(&t->lock);
    return st;
}

edgetam_status edgetam_tracker_reset(edgetam_tracker *t)
{
    if (!t) return EDGETAM_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&t->lock);
    t->error[0] = '\0';
    for (int32_t i = 0; i < t->n_objects; i++) tracked_object_free(t->objects[i], &t->layout);
    t->n_objects = 0;
    pthread_mutex_unlock(&t->lock);
    return EDGETAM_OK;
}

int32_t edgetam_tracker_object_count(edgetam_tracker *t)
{
    if (!t) return 0;
    pthread_mutex_lock(&t->lock);
    const int32_t n = t->n_objects;
    pthread_mutex_unlock(&t->lock);
    return n;
}

edgetam_status edgetam_tracker_get_stats(const edgetam_tracker *tracker,
                                         edgetam_tracker_stats *stats)
{
    if (!tracker || !stats) return EDGETAM_ERR_INVALID_ARGUMENT;
    if (stats->struct_size != sizeof *stats) return EDGETAM_ERR_ABI_MISMATCH;
    edgetam_tracker *t = (edgetam_tracker *)tracker; /* the stats lock is not logical state */
    stats->submitted = atomic_load_explicit(&t->submitted, memory_order_relaxed);
    stats->processed = atomic_load_explicit(&t->processed, memory_order_relaxed);
    stats->dropped = atomic_load_explicit(&t->dropped, memory_order_relaxed);
    stats->failed = atomic_load_explicit(&t->failed, memory_order_relaxed);
    pthread_mutex_lock(&t->stats_lock);
    memcpy(stats->last_ms, t->last_ms, sizeof t->last_ms);
    memcpy(stats->total_ms, t->total_ms, sizeof t->total_ms);
    stats->last_model_ms = t->last_model_ms;
    stats->total_model_ms = t->total_model_ms;
    pthread_mutex_unlock(&t->stats_lock);
    return EDGETAM_OK;
}

const char *edgetam_tracker_last_error(const edgetam_tracker *t)
{
    return t ? t->error : "tracker is NULL";
}
