/* One object's state: its bounded history (conditioning entries + a ring of recent frames), its
 * output on the current frame and the staging buffers a call fills before it commits. Committing
 * swaps buffer pointers, so a failed call leaves the object exactly as it was and a steady
 * stream allocates nothing. docs/tracking.md describes the state this implements. */
#ifndef EDGETAM_TRACKED_OBJECT_H
#define EDGETAM_TRACKED_OBJECT_H

#include <stdint.h>

#include "edgetam.h"
#include "memory_select.h"
#include "model.h"

typedef struct memory_entry {
    int64_t frame;    /* -1: empty */
    uint16_t *memory; /* T*Cm bfloat16 (NULL in the pointer ring) */
    float *obj_ptr;   /* C (NULL in the memory ring) */
} memory_entry;

/* An object's output on one frame. */
typedef struct frame_output {
    float *pred;      /* LR*LR logits after hole filling */
    float *obj_ptr;   /* C */
    uint16_t *memory; /* T*Cm bfloat16; after a prompt, stale until the next track re-encodes it */
    float object_score, iou;
    int is_conditioning; /* becomes a conditioning entry, not a recent one */
} frame_output;

typedef struct tracked_object {
    int32_t id;
    int64_t created;      /* frame of the first prompt */
    memory_entry *cond;   /* max_conditioning_frames entries, increasing frame */
    int32_t n_cond;
    /* recent (non-conditioning) frames: pointers of the last max_obj_ptrs frames and memories of
     * the last num_maskmem frames, each ring indexed by frame modulo its size */
    memory_entry *recent;
    memory_entry *recent_memory;
    int has_output;       /* `cur` holds the output on the current frame */
    frame_output cur, stage;
    uint16_t *consolidated; /* memory re-encoded for the current frame, before commit */
    float points[EDGETAM_MAX_POINTS * 2]; /* this frame's prompt points, input pixels */
    int32_t labels[EDGETAM_MAX_POINTS];
    int32_t n_points;
} tracked_object;

/* Sizes shared by every object of a tracker. */
typedef struct object_layout {
    int32_t max_cond;
    int32_t ring, memory_ring; /* max_obj_ptrs, num_maskmem */
    size_t memory, ptr, pred; /* elements */
    memory_limits limits;
} object_layout;

tracked_object *tracked_object_new(const object_layout *lay, int32_t id, int64_t created);
void tracked_object_free(tracked_object *obj, const object_layout *lay);

/* Candidates for a selection on `frame`. With `include_current`, the current output (frame
 * `current`) is included as history would hold it after the next commit, with its memory from
 * `consolidated` when `use_consolidated`, and the conditioning entry the commit would evict left
 * out. Fills cands/mems/ptrs (capacity max_cond + ring + 1) and returns the count. */
int32_t tracked_object_candidates(const tracked_object *obj, const object_layout *lay,
                                  int include_current, int64_t current, int use_consolidated,
                                  memory_candidate *cands, const uint16_t **mems,
                                  const float **ptrs);

/* Moves the current output (frame `current`) into history, swapping in `consolidated` as its
 * memory when `use_consolidated`; then the staged output becomes current. */
void tracked_object_commit_track(tracked_object *obj, const object_layout *lay, int64_t current,
                                 int use_consolidated);

/* The staged prompt output becomes current (memory pending), with these points. */
void tracked_object_commit_prompt(tracked_object *obj, int is_conditioning, const float *points,
                                  const int32_t *labels, int32_t n_points);

#endif
