#include "tracked_object.h"

#include <string.h>

#include "alloc.h"

static int entry_alloc(memory_entry *e, const object_layout *lay, int with_memory, int with_ptr)
{
    e->frame = -1;
    if (with_memory && !(e->memory = edgetam__calloc(lay->memory, sizeof *e->memory))) return 0;
    if (with_ptr && !(e->obj_ptr = edgetam__calloc(lay->ptr, sizeof *e->obj_ptr))) return 0;
    return 1;
}

static void entry_free(memory_entry *e)
{
    edgetam__free(e->memory);
    edgetam__free(e->obj_ptr);
}

static int output_alloc(frame_output *o, const object_layout *lay)
{
    o->pred = edgetam__calloc(lay->pred, sizeof *o->pred);
    o->obj_ptr = edgetam__calloc(lay->ptr, sizeof *o->obj_ptr);
    o->memory = edgetam__calloc(lay->memory, sizeof *o->memory);
    return o->pred && o->obj_ptr && o->memory;
}

static void output_free(frame_output *o)
{
    edgetam__free(o->pred);
    edgetam__free(o->obj_ptr);
    edgetam__free(o->memory);
}

void tracked_object_free(tracked_object *obj, const object_layout *lay)
{
    if (!obj) return;
    if (obj->cond)
        for (int32_t i = 0; i < lay->max_cond; i++) entry_free(&obj->cond[i]);
    if (obj->recent)
        for (int32_t i = 0; i < lay->ring; i++) entry_free(&obj->recent[i]);
    if (obj->recent_memory)
        for (int32_t i = 0; i < lay->memory_ring; i++) entry_free(&obj->recent_memory[i]);
    edgetam__free(obj->cond);
    edgetam__free(obj->recent);
    edgetam__free(obj->recent_memory);
    output_free(&obj->cur);
    output_free(&obj->stage);
    edgetam__free(obj->consolidated);
    edgetam__free(obj);
}

tracked_object *tracked_object_new(const object_layout *lay, int32_t id, int64_t created)
{
    tracked_object *obj = edgetam__calloc(1, sizeof *obj);
    if (!obj) return NULL;
    obj->id = id;
    obj->created = created;
    obj->cond = edgetam__calloc((size_t)lay->max_cond, sizeof *obj->cond);
    obj->recent = edgetam__calloc((size_t)lay->ring, sizeof *obj->recent);
    obj->recent_memory = edgetam__calloc((size_t)lay->memory_ring, sizeof *obj->recent_memory);
    int ok = obj->cond && obj->recent && obj->recent_memory;
    for (int32_t i = 0; ok && i < lay->max_cond; i++) ok = entry_alloc(&obj->cond[i], lay, 1, 1);
    for (int32_t i = 0; ok && i < lay->ring; i++) ok = entry_alloc(&obj->recent[i], lay, 0, 1);
    for (int32_t i = 0; ok && i < lay->memory_ring; i++)
        ok = entry_alloc(&obj->recent_memory[i], lay, 1, 0);
    ok = ok && output_alloc(&obj->cur, lay) && output_alloc(&obj->stage, lay);
    ok = ok && (obj->consolidated = edgetam__calloc(lay->memory, sizeof(uint16_t))) != NULL;
    if (!ok) {
        tracked_object_free(obj, lay);
        return NULL;
    }
    return obj;
}

/* Which conditioning entry makes room for a new one: the oldest other than the first (the first
 * prompt anchors the object), or the only one when just one is kept. */
static int32_t evicted_cond(const tracked_object *obj, const object_layout *lay)
{
    if (obj->n_cond < lay->max_cond) return -1;
    return lay->max_cond >= 2 ? 1 : 0;
}

int32_t tracked_object_candidates(const tracked_object *obj, const object_layout *lay,
                                  int include_current, int64_t current, int use_consolidated,
                                  memory_candidate *cands, const uint16_t **mems,
                                  const float **ptrs)
{
    const int current_is_cond = include_current && obj->has_output && obj->cur.is_conditioning;
    const int32_t skip = current_is_cond ? evicted_cond(obj, lay) : -1;
    int32_t n = 0;
    for (int32_t i = 0; i < obj->n_cond; i++) {
        if (i == skip) continue;
        cands[n] = (memory_candidate){obj->cond[i].frame, 1, 1};
        mems[n] = obj->cond[i].memory;
        ptrs[n++] = obj->cond[i].obj_ptr;
    }
    for (int32_t i = 0; i < lay->ring; i++) {
        const memory_entry *e = &obj->recent[i];
        /* the current frame's slot still holds a frame `ring` back, which history drops */
        if (e->frame < 0 || (include_current && e->frame == current - lay->ring)) continue;
        const memory_entry *m = &obj->recent_memory[e->frame % lay->memory_ring];
        const int has_memory = m->frame == e->frame;
        cands[n] = (memory_candidate){e->frame, 0, has_memory};
        mems[n] = has_memory ? m->memory : NULL;
        ptrs[n++] = e->obj_ptr;
    }
    if (include_current && obj->has_output) {
        cands[n] = (memory_candidate){current, obj->cur.is_conditioning, 1};
        mems[n] = use_consolidated ? obj->consolidated : obj->cur.memory;
        ptrs[n++] = obj->cur.obj_ptr;
    }
    return n;
}

static void swap_u16(uint16_t **a, uint16_t **b)
{
    uint16_t *t = *a;
    *a = *b;
    *b = t;
}

static void swap_f32(float **a, float **b)
{
    float *t = *a;
    *a = *b;
    *b = t;
}

/* Moves the current output's memory and pointer buffers into history: one entry holding both, or
 * a pointer entry and a memory entry. */
static void store_entry(memory_entry *ptr_entry, memory_entry *mem_entry, frame_output *cur,
                        int64_t frame)
{
    ptr_entry->frame = mem_entry->frame = frame;
    swap_f32(&ptr_entry->obj_ptr, &cur->obj_ptr);
    swap_u16(&mem_entry->memory, &cur->memory);
}

void tracked_object_commit_track(tracked_object *obj, const object_layout *lay, int64_t current,
                                 int use_consolidated)
{
    if (obj->has_output) {
        frame_output *cur = &obj->cur;
        if (use_consolidated) swap_u16(&cur->memory, &obj->consolidated);
        if (cur->is_conditioning) {
            const int32_t out = evicted_cond(obj, lay);
            if (out >= 0) { /* rotate the evicted entry's buffers to the end, then reuse them */
                memory_entry gone = obj->cond[out];
                memmove(&obj->cond[out], &obj->cond[out + 1],
                        (size_t)(obj->n_cond - out - 1) * sizeof gone);
                obj->cond[obj->n_cond - 1] = gone;
                obj->n_cond--;
            }
            memory_entry *e = &obj->cond[obj->n_cond++];
            store_entry(e, e, cur, current);
        } else {
            store_entry(&obj->recent[current % lay->ring],
                        &obj->recent_memory[current % lay->memory_ring], cur, current);
        }
    }
    /* the staged output becomes current; its old buffers become the next staging area */
    frame_output spare = obj->cur;
    obj->cur = obj->stage;
    obj->stage = spare;
    obj->cur.is_conditioning = 0;
    obj->has_output = 1;
    obj->n_points = 0;
}

void tracked_object_commit_prompt(tracked_object *obj, int is_conditioning, const float *points,
                                  const int32_t *labels, int32_t n_points)
{
    frame_output spare = obj->cur;
    obj->cur = obj->stage;
    obj->stage = spare;
    obj->cur.is_conditioning = is_conditioning;
    obj->has_output = 1;
    memcpy(obj->points, points, (size_t)n_points * 2 * sizeof *points);
    memcpy(obj->labels, labels, (size_t)n_points * sizeof *labels);
    obj->n_points = n_points;
}
