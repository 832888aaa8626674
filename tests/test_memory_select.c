/* Memory selection without a model: which entries, which t_pos, which pointers, in what order
 * (the official _prepare_memory_conditioned_features rules, docs/tracking.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "memory_select.h"

#define CAP 64
static const memory_limits edgetam_limits = {7, 16};

typedef struct selection {
    memory_choice mem[CAP];
    int32_t ptr[CAP];
    int32_t n_mem, n_ptr;
} selection;

static selection run(const memory_candidate *c, int32_t n, int64_t frame, memory_limits lim)
{
    selection s;
    memory_select(c, n, frame, lim, s.mem, &s.n_mem, s.ptr, &s.n_ptr);
    return s;
}

/* Conditioning frame 0, recent frames 1..last (memory only for the last 6, as the tracker keeps). */
static int32_t history(memory_candidate *c, int64_t last)
{
    int32_t n = 0;
    c[n++] = (memory_candidate){0, 1, 1};
    for (int64_t f = 1; f <= last; f++) c[n++] = (memory_candidate){f, 0, last - f < 6};
    return n;
}

static void test_first_frame_after_prompt(void **state)
{
    (void)state;
    const memory_candidate c[] = {{0, 1, 1}};
    const selection s = run(c, 1, 1, edgetam_limits);
    assert_int_equal(s.n_mem, 1);
    assert_int_equal(s.mem[0].index, 0);
    assert_int_equal(s.mem[0].tpos, 0);
    assert_int_equal(s.n_ptr, 1); /* the conditioning pointer once: frame 0 is not "recent" */
    assert_int_equal(s.ptr[0], 0);
}

static void test_recent_window_and_tpos(void **state)
{
    (void)state;
    memory_candidate c[CAP];
    const int32_t n = history(c, 10);
    const selection s = run(c, n, 11, edgetam_limits);
    /* conditioning first, then frames 5..10 with t_pos 1..6 (oldest first) */
    assert_int_equal(s.n_mem, 7);
    assert_int_equal(c[s.mem[0].index].frame, 0);
    assert_int_equal(s.mem[0].tpos, 0);
    for (int k = 1; k <= 6; k++) {
        assert_int_equal(c[s.mem[k].index].frame, 4 + k);
        assert_int_equal(s.mem[k].tpos, k);
    }
    /* pointers: conditioning, then frames 10, 9, ..., 1 by increasing distance */
    assert_int_equal(s.n_ptr, 11);
    assert_int_equal(c[s.ptr[0]].frame, 0);
    for (int k = 1; k <= 10; k++) assert_int_equal(c[s.ptr[k]].frame, 11 - k);
}

static void test_pointer_limit(void **state)
{
    (void)state;
    memory_candidate c[CAP];
    const int32_t n = history(c, 40);
    const selection s = run(c, n, 41, edgetam_limits);
    assert_int_equal(s.n_ptr, 16); /* conditioning + 15 recent: distances 1..15 */
    assert_int_equal(c[s.ptr[15]].frame, 41 - 15);
}

static void test_gaps_and_missing_memory(void **state)
{
    (void)state;
    /* frame 8 missing, frame 6 has a pointer but no memory */
    const memory_candidate c[] = {{0, 1, 1}, {9, 0, 1}, {7, 0, 1}, {6, 0, 0}, {5, 0, 1}};
    const selection s = run(c, 5, 10, edgetam_limits);
    assert_int_equal(s.n_mem, 4); /* 0, then 5 (t_pos 2), 7 (t_pos 4), 9 (t_pos 6) */
    assert_int_equal(c[s.mem[1].index].frame, 5);
    assert_int_equal(s.mem[1].tpos, 2);
    assert_int_equal(c[s.mem[2].index].frame, 7);
    assert_int_equal(s.mem[2].tpos, 4);
    assert_int_equal(c[s.mem[3].index].frame, 9);
    assert_int_equal(s.mem[3].tpos, 6);
    assert_int_equal(s.n_ptr, 5); /* 0, 9, 7, 6, 5 */
    assert_int_equal(c[s.ptr[1]].frame, 9);
    assert_int_equal(c[s.ptr[3]].frame, 6);
}

static void test_conditioning_order_and_future_pointers(void **state)
{
    (void)state;
    /* conditioning entries out of order, one of them in the future (a correction frame) */
    const memory_candidate c[] = {{12, 1, 1}, {3, 1, 1}, {0, 1, 1}, {9, 0, 1}};
    const selection s = run(c, 4, 10, edgetam_limits);
    assert_int_equal(s.n_mem, 4);
    assert_int_equal(c[s.mem[0].index].frame, 0);
    assert_int_equal(c[s.mem[1].index].frame, 3);
    assert_int_equal(c[s.mem[2].index].frame, 12); /* memory: every conditioning frame */
    assert_int_equal(s.mem[2].tpos, 0);
    assert_int_equal(s.n_ptr, 3); /* pointers: only conditioning frames in the past */
    assert_int_equal(c[s.ptr[0]].frame, 0);
    assert_int_equal(c[s.ptr[1]].frame, 3);
    assert_int_equal(c[s.ptr[2]].frame, 9);
}

static void test_recent_never_current_or_future(void **state)
{
    (void)state;
    const memory_candidate c[] = {{0, 1, 1}, {5, 0, 1}, {6, 0, 1}};
    const selection s = run(c, 3, 5, edgetam_limits); /* a correction on frame 5 */
    assert_int_equal(s.n_mem, 1);
    assert_int_equal(s.n_ptr, 1);
}

static void test_small_limits(void **state)
{
    (void)state;
    memory_candidate c[CAP];
    const int32_t n = history(c, 10);
    const selection s = run(c, n, 11, (memory_limits){1, 1}); /* no recent memory or pointers */
    assert_int_equal(s.n_mem, 1);
    assert_int_equal(s.n_ptr, 1);
}

static void test_order_of_candidates_does_not_matter(void **state)
{
    (void)state;
    memory_candidate c[CAP], shuffled[CAP];
    const int32_t n = history(c, 20);
    srand(7);
    int32_t perm[CAP];
    for (int32_t i = 0; i < n; i++) perm[i] = i;
    for (int32_t i = n - 1; i > 0; i--) {
        const int32_t j = rand() % (i + 1), tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    for (int32_t i = 0; i < n; i++) shuffled[i] = c[perm[i]];
    const selection a = run(c, n, 21, edgetam_limits), b = run(shuffled, n, 21, edgetam_limits);
    assert_int_equal(a.n_mem, b.n_mem);
    assert_int_equal(a.n_ptr, b.n_ptr);
    for (int32_t k = 0; k < a.n_mem; k++) {
        assert_int_equal(c[a.mem[k].index].frame, shuffled[b.mem[k].index].frame);
        assert_int_equal(a.mem[k].tpos, b.mem[k].tpos);
    }
    for (int32_t k = 0; k < a.n_ptr; k++)
        assert_int_equal(c[a.ptr[k]].frame, shuffled[b.ptr[k]].frame);
}

static void test_empty_history(void **state)
{
    (void)state;
    const selection s = run(NULL, 0, 3, edgetam_limits);
    assert_int_equal(s.n_mem, 0);
    assert_int_equal(s.n_ptr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_frame_after_prompt),
        cmocka_unit_test(test_recent_window_and_tpos),
        cmocka_unit_test(test_pointer_limit),
        cmocka_unit_test(test_gaps_and_missing_memory),
        cmocka_unit_test(test_conditioning_order_and_future_pointers),
        cmocka_unit_test(test_recent_never_current_or_future),
        cmocka_unit_test(test_small_limits),
        cmocka_unit_test(test_order_of_candidates_does_not_matter),
        cmocka_unit_test(test_empty_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
