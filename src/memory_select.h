/* Which memories and object pointers an object attends to on a frame: the official
 * _prepare_memory_conditioned_features rules (stride 1), as a pure function over frame indices so
 * it is tested without a model (docs/tracking.md, "Memory selection"). */
#ifndef EDGETAM_MEMORY_SELECT_H
#define EDGETAM_MEMORY_SELECT_H

#include <stdint.h>

/* One entry of an object's history as the selection sees it. */
typedef struct memory_candidate {
    int64_t frame;
    int is_conditioning;
    int has_memory; /* recent entries older than num_maskmem-1 frames keep only their pointer */
} memory_candidate;

typedef struct memory_choice {
    int32_t index; /* into the candidate array */
    int64_t tpos;  /* official t_pos: 0 for conditioning, num_maskmem - frames_back otherwise */
} memory_choice;

/* Limits from the bundle; the outputs hold at most (conditioning count + num_maskmem - 1)
 * memories and (conditioning count + max_obj_ptrs - 1) pointers. */
typedef struct memory_limits {
    int32_t num_maskmem;
    int32_t max_obj_ptrs;
} memory_limits;

/* Selects for frame `frame`. Candidates may come in any order; conditioning candidates are
 * taken in increasing frame order, then recent memories oldest first; pointers: conditioning
 * ones with frame <= `frame`, then recent ones by increasing distance. Candidates at or after
 * `frame` that are not conditioning are never chosen. Writes counts to *n_memory / *n_ptrs. */
void memory_select(const memory_candidate *candidates, int32_t count, int64_t frame,
                   memory_limits limits, memory_choice *memories, int32_t *n_memory,
                   int32_t *pointers, int32_t *n_ptrs);

#endif
