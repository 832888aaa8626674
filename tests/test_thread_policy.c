/* The model's thread policy (shim/thread_policy.h) as a program sees it: with busy-loop threads
 * taking every core, a two-thread model falls back to one thread (its threads would otherwise
 * wait for each other at every parallel step); once the CPU is free again it goes back to two.
 * This checks behaviour, not speed: edgetam-bench track --contend measures the speed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench_contend.h"
#include "edgetam.h"
#include "test_frame.h"

static const char *bundle_path;

/* Tracks frames until the model runs on `want` threads; returns the number of frames it took,
 * or -1 if it did not within `limit`. */
static int frames_until_threads(edgetam_model *model, edgetam_tracker *t, int32_t want, int limit)
{
    test_frame f;
    test_frame_init(&f, EDGETAM_FORMAT_NV12, 160, 120, 0, 7);
    int k = 0;
    while (edgetam_model_threads(model) != want && k < limit) {
        test_frame_restore(&f);
        assert_int_equal(edgetam_tracker_track(t, &f.frame, NULL, 0, NULL), EDGETAM_OK);
        k++;
    }
    test_frame_free(&f);
    return edgetam_model_threads(model) == want ? k : -1;
}

/* A model with at most two threads (adapt_threads as given) and a tracker on it. */
static edgetam_tracker *two_thread_tracker(int32_t adapt_threads, edgetam_model **model)
{
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 2;
    mp.adapt_threads = adapt_threads;
    assert_int_equal(edgetam_model_load(bundle_path, &mp, model, err, sizeof err), EDGETAM_OK);
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(*model, &tp, &t), EDGETAM_OK);
    return t;
}

/* Two spinning threads per core: the model's second thread is preempted often. */
static bench_contenders *busy_cores(void)
{
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    bench_contenders *busy = bench_contenders_start(2 * (int)(cores > 0 ? cores : 1));
    assert_non_null(busy);
    return busy;
}

static void test_one_thread_while_contended(void **state)
{
    (void)state;
    assert_int_equal(edgetam_model_default_params().adapt_threads, 1);
    assert_int_equal(edgetam_model_threads(NULL), 0);
    edgetam_model *model = NULL;
    edgetam_tracker *t = two_thread_tracker(1, &model);
    /* the load's warm-up may have seen other work on the machine: start from a quiet CPU */
    assert_true(frames_until_threads(model, t, 2, 400) >= 0);

    bench_contenders *busy = busy_cores();
    const int to_one = frames_until_threads(model, t, 1, 200);
    bench_contenders_stop(busy);
    printf("contended: one thread after %d frames\n", to_one);
    assert_true(to_one >= 0);

    const int to_two = frames_until_threads(model, t, 2, 400);
    printf("quiet again: two threads after %d frames\n", to_two);
    assert_true(to_two >= 0);

    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

/* adapt_threads 0: the thread count never changes, contended or not (reproducible numerics). */
static void test_fixed_threads_when_asked(void **state)
{
    (void)state;
    edgetam_model *model = NULL;
    edgetam_tracker *t = two_thread_tracker(0, &model);
    bench_contenders *busy = busy_cores();
    const int to_one = frames_until_threads(model, t, 1, 20);
    bench_contenders_stop(busy);
    assert_int_equal(to_one, -1);
    assert_int_equal(edgetam_model_threads(model), 2);
    edgetam_tracker_destroy(t);
    edgetam_model_free(model);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s STANDIN_BUNDLE\n", argv[0]);
        return 2;
    }
    bundle_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread_while_contended),
        cmocka_unit_test(test_fixed_threads_when_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
