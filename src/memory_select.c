#include "memory_select.h"

/* Index of the candidate for `frame` with the wanted kind, or -1. Histories are a few dozen
 * entries, so a linear scan is cheaper than keeping an index. */
static int32_t find_recent(const memory_candidate *c, int32_t count, int64_t frame)
{
    for (int32_t i = 0; i < count; i++)
        if (!c[i].is_conditioning && c[i].frame == frame) return i;
    return -1;
}

/* Conditioning candidates in increasing frame order (insertion sort of indices; few entries). */
static int32_t sorted_conditioning(const memory_candidate *c, int32_t count, int32_t *out)
{
    int32_t n = 0;
    for (int32_t i = 0; i < count; i++) {
        if (!c[i].is_conditioning) continue;
        int32_t j = n++;
        while (j > 0 && c[out[j - 1]].frame > c[i].frame) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = i;
    }
    return n;
}

void memory_select(const memory_candidate *candidates, int32_t count, int64_t frame,
                   memory_limits limits, memory_choice *memories, int32_t *n_memory,
                   int32_t *pointers, int32_t *n_ptrs)
{
    int32_t cond[count > 0 ? count : 1];
    int32_t n_cond = sorted_conditioning(candidates, count, cond);
    int32_t nm = 0, np = 0;

    for (int32_t i = 0; i < n_cond; i++) memories[nm++] = (memory_choice){cond[i], 0};
    /* t_pos 1 is the oldest recent frame (num_maskmem-1 back), t_pos num_maskmem-1 the last. */
    for (int32_t tpos = 1; tpos < limits.num_maskmem; tpos++) {
        int32_t i = find_recent(candidates, count, frame - (limits.num_maskmem - tpos));
        if (i >= 0 && candidates[i].has_memory) memories[nm++] = (memory_choice){i, tpos};
    }

    /* Pointers: only conditioning frames in the past (only_obj_ptrs_in_the_past_for_eval). */
    for (int32_t i = 0; i < n_cond; i++)
        if (candidates[cond[i]].frame <= frame) pointers[np++] = cond[i];
    for (int32_t d = 1; d < limits.max_obj_ptrs; d++) {
        int32_t i = find_recent(candidates, count, frame - d);
        if (i >= 0) pointers[np++] = i;
    }
    *n_memory = nm;
    *n_ptrs = np;
}
