/* The live stream: push converts on the caller's thread into one of two frame slots and hands it
 * to a worker thread that tracks, applies queued prompts and calls back. The stream lock guards
 * slots, the prompt queue and the counters; it is never held during conversion or model work, so
 * a push waits at most for a few field updates. */
#define _POSIX_C_SOURCE 200809L /* pthread, clock_gettime under -std=c11 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "clock.h"
#include "latency_histogram.h"
#include "model.h"
#include "prompt.h"
#include "tracker_internal.h"

#define STREAM_MAX_OPS 16

typedef enum slot_state {
    SLOT_FREE,
    SLOT_WRITING, /* a push is converting into it */
    SLOT_PENDING, /* converted, waiting for the worker */
    SLOT_ACTIVE   /* the worker is processing it */
} slot_state;

/* Two slots suffice: the worker reads one while a push writes the other. A failed conversion
 * leaves the converter's output untouched, so a pending frame survives a failed replacement. */
typedef struct frame_slot {
    edgetam_converter *conv;
    slot_state state;
    int64_t timestamp;
    double pushed_ms, convert_ms;
    int32_t width, height;
} frame_slot;

typedef enum op_kind { OP_PROMPT, OP_REMOVE, OP_RESET } op_kind;

/* A queued prompt / remove / reset, with copies of everything the caller lent. */
typedef struct stream_op {
    op_kind kind;
    int32_t object_id;
    edgetam_prompt prompt; /* points and mask point into the copies below when applied */
    edgetam_point points[EDGETAM_MAX_POINTS];
    uint8_t *mask;         /* width x height, stride width */
    int32_t width, height; /* of the frame the prompt was given for */
} stream_op;

struct edgetam_stream {
    edgetam_stream_params params;
    edgetam_tracker *tracker;
    int32_t low_res;  /* floats of one object's low-res logits */
    int32_t max_points; /* the bundle's bound on prompt points (0: none) */
    pthread_t worker;

    pthread_mutex_t lock;
    pthread_cond_t wake; /* worker: a slot became pending, or stop */
    pthread_cond_t idle; /* flush: a slot became free or pending */
    frame_slot slot[2];
    int stop, destroy_on_worker;
    int have_timestamp;
    int64_t last_timestamp;
    int32_t last_width, last_height; /* latest converted frame: prompts are given in its pixels */
    stream_op ops[STREAM_MAX_OPS];
    int32_t op_head, op_count;
    edgetam_stream_stats counts; /* counters only; percentiles come from `latency` */
    latency_histogram latency;

    /* worker-only: result buffers, regrown when the frame size or the object count needs it */
    edgetam_object_result *results;
    uint8_t *masks;
    float *probability, *logits;
    int32_t out_width, out_height, out_objects;
    char error[256];
};

edgetam_stream_params edgetam_stream_default_params(void)
{
    edgetam_stream_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.tracker = edgetam_tracker_default_params();
    p.policy = EDGETAM_STREAM_DROP_NEW;
    p.output_masks = 1;
    return p;
}

/* ---- worker ------------------------------------------------------------------------------ */

static void free_outputs(edgetam_stream *s)
{
    edgetam__free(s->masks);
    edgetam__free(s->probability);
    s->masks = NULL;
    s->probability = NULL;
    s->out_objects = 0;
    s->out_width = s->out_height = 0;
}

/* Result buffers for n objects of w x h; allocates only when they do not fit. */
static edgetam_status ensure_outputs(edgetam_stream *s, int32_t w, int32_t h, int32_t n)
{
    const int same_size = w == s->out_width && h == s->out_height;
    if (same_size && n <= s->out_objects) return EDGETAM_OK;
    const size_t pixels = (size_t)w * (size_t)h;
    const size_t count = (size_t)(n > s->out_objects ? n : s->out_objects);
    free_outputs(s);
    if ((s->params.output_masks && !(s->masks = edgetam__calloc(count * pixels, 1))) ||
        (s->params.output_probability &&
         !(s->probability = edgetam__calloc(count * pixels, sizeof(float))))) {
        free_outputs(s);
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
    s->out_width = w;
    s->out_height = h;
    s->out_objects = (int32_t)count;
    for (size_t i = 0; i < count; i++) {
        edgetam_object_result *r = &s->results[i];
        memset(r, 0, sizeof *r);
        r->struct_size = sizeof *r;
        r->mask = s->masks ? s->masks + i * pixels : NULL;
        r->mask_stride = (size_t)w;
        r->probability = s->probability ? s->probability + i * pixels : NULL;
        r->probability_stride = (size_t)w;
        r->low_res_logits = s->logits ? s->logits + i * (size_t)s->low_res : NULL;
    }
    return EDGETAM_OK;
}

static void free_op(stream_op *op)
{
    edgetam__free(op->mask);
    op->mask = NULL;
}

static edgetam_status apply_op(edgetam_stream *s, stream_op *op, int32_t w, int32_t h)
{
    switch (op->kind) {
    case OP_REMOVE: return edgetam_tracker_remove_object(s->tracker, op->object_id);
    case OP_RESET: return edgetam_tracker_reset(s->tracker);
    case OP_PROMPT: break;
    }
    if (op->width != w || op->height != h) {
        snprintf(s->error, sizeof s->error,
                 "prompt for object %d was given on a %dx%d frame; this frame is %dx%d",
                 (int)op->object_id, (int)op->width, (int)op->height, (int)w, (int)h);
        return EDGETAM_ERR_BAD_PROMPT;
    }
    op->prompt.points = op->points;
    op->prompt.mask = op->mask;
    return edgetam_tracker_add_prompt(s->tracker, op->object_id, &op->prompt, NULL);
}

/* Applies the ops queued until now (also those queued while this frame was tracked), but no
 * more: ops arriving meanwhile wait for the next frame, so a busy prompt thread cannot stall it. */
static void apply_ops(edgetam_stream *s, edgetam_stream_result *r)
{
    pthread_mutex_lock(&s->lock);
    int32_t left = s->op_count;
    pthread_mutex_unlock(&s->lock);
    for (; left > 0; left--) {
        stream_op op;
        pthread_mutex_lock(&s->lock);
        op = s->ops[s->op_head];
        s->op_head = (s->op_head + 1) % STREAM_MAX_OPS;
        s->op_count--;
        pthread_mutex_unlock(&s->lock);
        const edgetam_status st = apply_op(s, &op, r->width, r->height);
        if (st != EDGETAM_OK && r->prompt_status == EDGETAM_OK) {
            r->prompt_status = st;
            if (op.kind != OP_PROMPT || op.width == r->width)
                snprintf(s->error, sizeof s->error, "%s", edgetam_tracker_last_error(s->tracker));
        }
        r->prompts_applied++;
        free_op(&op);
    }
}

static void process(edgetam_stream *s, const frame_slot *slot)
{
    edgetam_stream_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.timestamp = slot->timestamp;
    r.width = slot->width;
    r.height = slot->height;
    r.stage_ms[EDGETAM_STAGE_CONVERT] = slot->convert_ms;
    r.error = s->error;
    s->error[0] = '\0';

    edgetam_status st = tracker_track_input(s->tracker, edgetam_converter_output(slot->conv, NULL),
                                            slot->width, slot->height, r.stage_ms);
    if (st == EDGETAM_OK) {
        apply_ops(s, &r);
        st = ensure_outputs(s, r.width, r.height, edgetam_tracker_object_count(s->tracker));
        if (st == EDGETAM_OK)
            st = tracker_results(s->tracker, s->results, s->out_objects, &r.num_objects,
                                 r.stage_ms);
        else
            snprintf(s->error, sizeof s->error, "out of memory for the %dx%d result masks",
                     (int)r.width, (int)r.height);
        if (st == EDGETAM_OK) r.objects = s->results;
    } else {
        snprintf(s->error, sizeof s->error, "%s", edgetam_tracker_last_error(s->tracker));
    }
    r.status = st;
    if (st != EDGETAM_OK) r.num_objects = 0;
    r.latency_ms = clock_ms() - slot->pushed_ms;

    pthread_mutex_lock(&s->lock);
    if (st == EDGETAM_OK) s->counts.processed++;
    else s->counts.failed++;
    latency_histogram_add(&s->latency, r.latency_ms);
    pthread_mutex_unlock(&s->lock);
    if (s->params.on_result) s->params.on_result(&r, s->params.user_data);
}

static frame_slot *pending_slot(edgetam_stream *s)
{
    for (int i = 0; i < 2; i++)
        if (s->slot[i].state == SLOT_PENDING) return &s->slot[i];
    return NULL;
}

static void stream_free(edgetam_stream *s);

static void *worker_main(void *arg)
{
    edgetam_stream *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        frame_slot *slot = NULL;
        while (!s->stop && !(slot = pending_slot(s))) pthread_cond_wait(&s->wake, &s->lock);
        if (s->stop) break;
        slot->state = SLOT_ACTIVE;
        pthread_mutex_unlock(&s->lock);
        process(s, slot);
        pthread_mutex_lock(&s->lock);
        slot->state = SLOT_FREE;
        pthread_cond_broadcast(&s->idle);
    }
    for (int i = 0; i < 2; i++) {
        if (s->slot[i].state == SLOT_PENDING) s->counts.dropped_shutdown++;
        s->slot[i].state = SLOT_FREE;
    }
    const int free_here = s->destroy_on_worker;
    pthread_mutex_unlock(&s->lock);
    if (free_here) { /* destroyed from the callback: nobody joins this thread */
        pthread_detach(pthread_self());
        stream_free(s);
    }
    return NULL;
}

/* ---- lifetime ---------------------------------------------------------------------------- */

static void stream_free(edgetam_stream *s)
{
    for (int32_t i = 0; i < s->op_count; i++)
        free_op(&s->ops[(s->op_head + i) % STREAM_MAX_OPS]);
    for (int i = 0; i < 2; i++) edgetam_converter_destroy(s->slot[i].conv);
    edgetam_tracker_destroy(s->tracker);
    free_outputs(s);
    edgetam__free(s->logits);
    edgetam__free(s->results);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    edgetam__free(s);
}

edgetam_status edgetam_stream_create(edgetam_model *model, const edgetam_stream_params *params,
                                     edgetam_stream **out)
{
    if (out) *out = NULL;
    if (!model || !params || !out) return EDGETAM_ERR_INVALID_ARGUMENT;
    if (params->struct_size != sizeof *params) return EDGETAM_ERR_ABI_MISMATCH;
    if (params->policy != EDGETAM_STREAM_DROP_NEW && params->policy != EDGETAM_STREAM_KEEP_LATEST)
        return EDGETAM_ERR_INVALID_ARGUMENT;
    edgetam_stream *s = edgetam__calloc(1, sizeof *s);
    if (!s) return EDGETAM_ERR_OUT_OF_MEMORY;
    s->params = *params;
    s->low_res = (int32_t)model->low_res;
    s->max_points = model->info.max_points;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->counts.struct_size = sizeof s->counts;

    edgetam_status st = tracker_create(model, &params->tracker, 0, &s->tracker);
    edgetam_converter_params cp = edgetam_converter_default_params();
    cp.input_size = model->info.image_size;
    for (int i = 0; st == EDGETAM_OK && i < 2; i++) st = edgetam_converter_create(&cp, &s->slot[i].conv);
    const size_t count = (size_t)params->tracker.max_objects;
    if (st == EDGETAM_OK &&
        (!(s->results = edgetam__calloc(count, sizeof *s->results)) ||
         (params->output_low_res_logits &&
          !(s->logits = edgetam__calloc(count * model->low_res, sizeof(float))))))
        st = EDGETAM_ERR_OUT_OF_MEMORY;
    if (st == EDGETAM_OK && pthread_create(&s->worker, NULL, worker_main, s) != 0)
        st = EDGETAM_ERR_OUT_OF_MEMORY; /* EAGAIN: no resources for another thread */
    if (st != EDGETAM_OK) {
        stream_free(s);
        return st;
    }
    *out = s;
    return EDGETAM_OK;
}

void edgetam_stream_destroy(edgetam_stream *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    if (pthread_equal(pthread_self(), s->worker)) { /* from the callback: the worker frees it */
        s->destroy_on_worker = 1;
        pthread_mutex_unlock(&s->lock);
        return;
    }
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->worker, NULL);
    stream_free(s);
}

/* ---- push --------------------------------------------------------------------------------- */

/* The slot a push may convert into, or NULL to drop. Called with the lock held. */
static frame_slot *slot_for_push(edgetam_stream *s)
{
    frame_slot *free_slot = NULL, *pending = NULL;
    int active = 0;
    for (int i = 0; i < 2; i++) {
        switch (s->slot[i].state) {
        case SLOT_WRITING: return NULL; /* another push is converting */
        case SLOT_ACTIVE: active = 1; break;
        case SLOT_PENDING: pending = &s->slot[i]; break;
        case SLOT_FREE: free_slot = &s->slot[i]; break;
        }
    }
    if (s->params.policy == EDGETAM_STREAM_DROP_NEW) return active || pending ? NULL : free_slot;
    return pending ? pending : free_slot;
}

edgetam_status edgetam_stream_push(edgetam_stream *s, const edgetam_frame *frame,
                                   int64_t timestamp)
{
    if (!s) return EDGETAM_ERR_INVALID_ARGUMENT;
    const double t0 = clock_ms();
    pthread_mutex_lock(&s->lock);
    s->counts.submitted++;
    edgetam_status st = EDGETAM_OK;
    if (!frame) st = EDGETAM_ERR_INVALID_ARGUMENT;
    else if (s->have_timestamp && timestamp <= s->last_timestamp) st = EDGETAM_ERR_BAD_TIMESTAMP;
    if (st != EDGETAM_OK) {
        s->counts.rejected++;
        pthread_mutex_unlock(&s->lock);
        return st;
    }
    s->have_timestamp = 1;
    s->last_timestamp = timestamp;
    frame_slot *slot = s->stop ? NULL : slot_for_push(s);
    if (!slot) { /* busy: the frame is not even looked at */
        s->counts.dropped_busy++;
        pthread_mutex_unlock(&s->lock);
        return EDGETAM_DROPPED;
    }
    const int replacing = slot->state == SLOT_PENDING;
    slot->state = SLOT_WRITING;
    pthread_mutex_unlock(&s->lock);

    st = edgetam_convert_frame(slot->conv, frame); /* the caller's buffer is released here */
    const double t1 = clock_ms();

    pthread_mutex_lock(&s->lock);
    if (st == EDGETAM_OK) {
        s->counts.converted++;
        if (replacing) s->counts.dropped_replaced++;
        slot->timestamp = timestamp;
        slot->pushed_ms = t0;
        slot->convert_ms = t1 - t0;
        slot->width = s->last_width = frame->width;
        slot->height = s->last_height = frame->height;
    } else {
        s->counts.rejected++;
    }
    slot->state = st == EDGETAM_OK || replacing ? SLOT_PENDING : SLOT_FREE;
    if (slot->state == SLOT_PENDING) pthread_cond_signal(&s->wake);
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
    return st;
}

/* ---- prompts ------------------------------------------------------------------------------ */

static edgetam_status enqueue(edgetam_stream *s, stream_op *op)
{
    pthread_mutex_lock(&s->lock);
    const int full = s->op_count == STREAM_MAX_OPS;
    if (!full) {
        s->ops[(s->op_head + s->op_count) % STREAM_MAX_OPS] = *op;
        s->op_count++;
    }
    pthread_mutex_unlock(&s->lock);
    if (full) free_op(op);
    return full ? EDGETAM_ERR_QUEUE_FULL : EDGETAM_OK;
}

edgetam_status edgetam_stream_add_prompt(edgetam_stream *s, int32_t object_id,
                                         const edgetam_prompt *prompt)
{
    if (!s || object_id < 0) return EDGETAM_ERR_INVALID_ARGUMENT;
    stream_op op;
    memset(&op, 0, sizeof op);
    pthread_mutex_lock(&s->lock);
    const int have_frame = s->counts.converted > 0;
    op.width = s->last_width;
    op.height = s->last_height;
    pthread_mutex_unlock(&s->lock);
    if (!have_frame) return EDGETAM_ERR_NO_FRAME;
    char msg[160];
    const edgetam_status st = prompt_validate(prompt, op.width, op.height, 0, s->max_points, msg,
                                              sizeof msg);
    if (st != EDGETAM_OK) return st;

    op.kind = OP_PROMPT;
    op.object_id = object_id;
    op.prompt = *prompt;
    if (prompt->num_points > 0)
        memcpy(op.points, prompt->points, (size_t)prompt->num_points * sizeof *op.points);
    if (prompt->mask) {
        if (!(op.mask = edgetam__calloc((size_t)op.width * (size_t)op.height, 1)))
            return EDGETAM_ERR_OUT_OF_MEMORY;
        for (int32_t y = 0; y < op.height; y++)
            memcpy(op.mask + (size_t)y * (size_t)op.width,
                   prompt->mask + (size_t)y * prompt->mask_stride, (size_t)op.width);
        op.prompt.mask_stride = (size_t)op.width;
    }
    op.prompt.points = NULL; /* set to the copies when applied: the op is moved in the queue */
    op.prompt.mask = NULL;
    return enqueue(s, &op);
}

edgetam_status edgetam_stream_remove_object(edgetam_stream *s, int32_t object_id)
{
    if (!s) return EDGETAM_ERR_INVALID_ARGUMENT;
    stream_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_REMOVE;
    op.object_id = object_id;
    return enqueue(s, &op);
}

edgetam_status edgetam_stream_reset(edgetam_stream *s)
{
    if (!s) return EDGETAM_ERR_INVALID_ARGUMENT;
    stream_op op;
    memset(&op, 0, sizeof op);
    op.kind = OP_RESET;
    return enqueue(s, &op);
}

/* ---- waiting and stats -------------------------------------------------------------------- */

edgetam_status edgetam_stream_flush(edgetam_stream *s)
{
    if (!s || pthread_equal(pthread_self(), s->worker)) return EDGETAM_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&s->lock);
    while (s->slot[0].state != SLOT_FREE || s->slot[1].state != SLOT_FREE)
        pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return EDGETAM_OK;
}

edgetam_status edgetam_stream_get_stats(const edgetam_stream *stream, edgetam_stream_stats *stats)
{
    if (!stream || !stats) return EDGETAM_ERR_INVALID_ARGUMENT;
    if (stats->struct_size != sizeof *stats) return EDGETAM_ERR_ABI_MISMATCH;
    edgetam_stream *s = (edgetam_stream *)stream; /* the lock is not logical state */
    pthread_mutex_lock(&s->lock);
    *stats = s->counts;
    stats->latency_ms_p50 = latency_histogram_quantile(&s->latency, 0.50);
    stats->latency_ms_p99 = latency_histogram_quantile(&s->latency, 0.99);
    pthread_mutex_unlock(&s->lock);
    return EDGETAM_OK;
}
