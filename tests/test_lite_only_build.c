/* The library as built for LibTorch-Lite (the shim compiled with EDGETAM_TORCH_LITE: no full
 * TorchScript JIT, only the lite interpreter), here linked against Debian's libtorch: a full-JIT
 * bundle is refused with a message saying what to do, a lite bundle loads and tracks.
 * Usage: test_lite_only_build FULL_BUNDLE LITE_BUNDLE */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "edgetam.h"

static const char *full_path, *lite_path;

static void test_full_bundle_is_refused(void **state)
{
    (void)state;
    char err[512] = "";
    edgetam_model_params mp = edgetam_model_default_params();
    edgetam_model *m = NULL;
    assert_int_equal(edgetam_model_load(full_path, &mp, &m, err, sizeof err), EDGETAM_ERR_MODEL_LOAD);
    assert_null(m);
    printf("full bundle in a lite-only build: %s\n", err);
    assert_non_null(strstr(err, "--lite"));
}

static void test_lite_bundle_tracks(void **state)
{
    (void)state;
    enum { W = 96, H = 64 };
    char err[512] = "";
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = 2;
    mp.adapt_threads = 0; /* results are compared: the same thread count throughout */
    edgetam_model *m = NULL;
    assert_int_equal(edgetam_model_load(lite_path, &mp, &m, err, sizeof err), EDGETAM_OK);
    edgetam_tracker_params tp = edgetam_tracker_default_params();
    edgetam_tracker *t = NULL;
    assert_int_equal(edgetam_tracker_create(m, &tp, &t), EDGETAM_OK);
    static uint8_t rgb[W * H * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(200 + (i % 7)); /* bright */
    edgetam_frame f = edgetam_frame_default();
    f.format = EDGETAM_FORMAT_RGB24;
    f.width = W;
    f.height = H;
    f.planes.data[0] = rgb;
    f.planes.stride[0] = W * 3;
    assert_int_equal(edgetam_tracker_track(t, &f, NULL, 0, NULL), EDGETAM_OK);
    const edgetam_point click = {W / 2.0f, H / 2.0f, 1};
    edgetam_prompt p = edgetam_prompt_default();
    p.points = &click;
    p.num_points = 1;
    edgetam_object_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    assert_int_equal(edgetam_tracker_add_prompt(t, 1, &p, &r), EDGETAM_OK);
    assert_int_equal(r.present, 1); /* the stand-in sees bright clicks as objects */
    for (int i = 0; i < 3; i++) {
        int32_t count = 0;
        assert_int_equal(edgetam_tracker_track(t, &f, &r, 1, &count), EDGETAM_OK);
        assert_int_equal(count, 1);
        assert_int_equal(r.present, 1);
    }
    edgetam_tracker_destroy(t);
    edgetam_model_free(m);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FULL_BUNDLE LITE_BUNDLE\n", argv[0]);
        return 2;
    }
    full_path = argv[1];
    lite_path = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_bundle_is_refused),
        cmocka_unit_test(test_lite_bundle_tracks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
