/* edgetam_model_trim: it gives memory back (RSS drops) and changes no result, called between
 * frames and from another thread while frames are being tracked. Races are for TSan.
 * Usage: test_trim BUNDLE */
#define _POSIX_C_SOURCE 200809L /* pthreads under -std=c11 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench_util.h"
#include "edgetam.h"
#include "test_frame.h"

/* ASan's allocator keeps freed memory in quarantine: RSS cannot drop there */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define FRAMES 6

static const char *bundle_path;

/* One thread and no adaptation: runs must match bit for bit */
static edgetam_model *load_model(void)
{
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 1;
    mp.adapt_threads = 0;
    edgetam_model *m = NULL;
    assert_int_equal(edgetam_model_load(bundle_path, &mp, &m, err, sizeof err), EDGETAM_OK);
    return m;
}

typedef struct trimmer {
    edgetam_model *model;
    atomic_int stop;
    atomic_int calls;
    pthread_t thread;
} trimmer;

static void *trim_loop(void *arg)
{
    trimmer *t = arg;
    while (!atomic_load(&t->stop) || atomic_load(&t->calls) == 0) {
        if (edgetam_model_trim(t->model) != EDGETAM_OK) return arg; /* counted below */
        atomic_fetch_add(&t->calls, 1);
    }
    return NULL;
}

/* Prompts object 1 on the first frame and tracks the next ones, writing every frame's low-res
 * logits (FRAMES x side x side) into `logits`. With `trim` set, trims before every frame while
 * another thread trims continually. */
static void session(edgetam_model *model, float *logits, int trim)
{
    const int32_t side = edgetam_model_input_size(model) / 4;
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(model, &tp, &t), EDGETAM_OK);
    trimmer bg = {.model = model};
    if (trim) assert_int_equal(pthread_create(&bg.thread, NULL, trim_loop, &bg), 0);
    for (int k = 0; k < FRAMES; k++) {
        if (trim) assert_int_equal(edgetam_model_trim(model), EDGETAM_OK);
        test_frame f;
        test_frame_init(&f, EDGETAM_FORMAT_NV12, 160, 120, 0, 11 + (uint32_t)k);
        edgetam_object_result r;
        memset(&r, 0, sizeof r);
        r.struct_size = sizeof r;
        r.low_res_logits = logits + (size_t)k * (size_t)(side * side);
        if (k == 0) {
            assert_int_equal(edgetam_tracker_track(t, &f.frame, NULL, 0, NULL), EDGETAM_OK);
            const edgetam_point pt = {80, 60, 1};
            edgetam_prompt p = edgetam_prompt_default();
            p.points = &pt;
            p.num_points = 1;
            assert_int_equal(edgetam_tracker_add_prompt(t, 1, &p, &r), EDGETAM_OK);
        } else {
            int32_t count = 0;
            assert_int_equal(edgetam_tracker_track(t, &f.frame, &r, 1, &count), EDGETAM_OK);
            assert_int_equal(count, 1);
        }
        test_frame_free(&f);
    }
    if (trim) {
        atomic_store(&bg.stop, 1);
        void *failed = NULL;
        assert_int_equal(pthread_join(bg.thread, &failed), 0);
        assert_null(failed);
        assert_true(atomic_load(&bg.calls) > 0);
    }
    edgetam_tracker_destroy(t);
}

static void test_null_model(void **state)
{
    (void)state;
    assert_int_equal(edgetam_model_trim(NULL), EDGETAM_ERR_INVALID_ARGUMENT);
}

static void test_same_results_with_trims(void **state)
{
    (void)state;
    edgetam_model *model = load_model();
    const size_t side = (size_t)edgetam_model_input_size(model) / 4;
    float *plain = calloc(FRAMES * side * side, sizeof(float));
    float *trimmed = calloc(FRAMES * side * side, sizeof(float));
    assert_non_null(plain);
    assert_non_null(trimmed);
    session(model, plain, 0);
    session(model, trimmed, 1);
    assert_memory_equal(plain, trimmed, FRAMES * side * side * sizeof(float));
    free(plain);
    free(trimmed);
    edgetam_model_free(model);
}

static void test_rss_drops(void **state)
{
    (void)state;
    edgetam_model *model = load_model();
    const size_t side = (size_t)edgetam_model_input_size(model) / 4;
    float *logits = calloc(FRAMES * side * side, sizeof(float));
    assert_non_null(logits);
    session(model, logits, 0); /* the runtime's caches and the heap as tracking leaves them */
    const double before = bench_rss_mb();
    assert_int_equal(edgetam_model_trim(model), EDGETAM_OK);
    const double after = bench_rss_mb();
    printf("rss_mb_before_trim=%.1f rss_mb_after_trim=%.1f\n", before, after);
#ifndef UNDER_ASAN
    assert_true(after < before);
#endif
    free(logits);
    edgetam_model_free(model);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUNDLE\n", argv[0]);
        return 2;
    }
    bundle_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_null_model),
        cmocka_unit_test(test_same_results_with_trims),
        cmocka_unit_test(test_rss_drops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
