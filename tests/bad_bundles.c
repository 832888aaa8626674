#include "bad_bundles.h"

#include <stdio.h>
#include <string.h>

static const bad_bundle torchscript[] = {
    {"missing_key.edgetam", EDGETAM_ERR_BAD_BUNDLE, "memory_tokens"},
    {"missing_ops_key.edgetam", EDGETAM_ERR_BAD_BUNDLE, "key 'ops' is missing"},
    {"bad_version.edgetam", EDGETAM_ERR_BAD_BUNDLE, "format_version"},
    {"other_normalisation.edgetam", EDGETAM_ERR_BAD_BUNDLE, "pixel_mean"},
    {"huge_features.edgetam", EDGETAM_ERR_BAD_BUNDLE, "floats of image, features"},
    {"missing_method.edgetam", EDGETAM_ERR_BAD_BUNDLE, "attend_memory"},
    {"wrong_shape.edgetam", EDGETAM_ERR_BAD_BUNDLE, "attend_memory"},
    {"raises.edgetam", EDGETAM_ERR_BAD_BUNDLE, "refuses to attend"},
    /* an operator this libtorch lacks: named, with the versions, not a TorchScript error */
    {"missing_op.edgetam", EDGETAM_ERR_MODEL_LOAD,
     "lacks operator edgetam_test::missing: the bundle was exported by torch "},
    {"missing_op.ptl", EDGETAM_ERR_MODEL_LOAD,
     "lacks operator edgetam_test::missing: the bundle was exported by torch "},
};

static const bad_bundle executorch[] = {
    {"missing_key.pte", EDGETAM_ERR_BAD_BUNDLE, "memory_tokens"},
    {"missing_version_key.pte", EDGETAM_ERR_BAD_BUNDLE, "key 'executorch_version' is missing"},
    {"bad_version.pte", EDGETAM_ERR_BAD_BUNDLE, "format_version"},
    {"other_normalisation.pte", EDGETAM_ERR_BAD_BUNDLE, "pixel_mean"},
    {"huge_features.pte", EDGETAM_ERR_BAD_BUNDLE, "floats of image, features"},
    {"no_metadata.pte", EDGETAM_ERR_BAD_BUNDLE, "edgetam_bundle_txt"},
    {"missing_method.pte", EDGETAM_ERR_BAD_BUNDLE, "attend_memory"},
    {"wrong_shape.pte", EDGETAM_ERR_BAD_BUNDLE, "attend_memory"},
    /* what this runtime lacks is named at load, not left to a bare error code later */
    {"missing_op.pte", EDGETAM_ERR_MODEL_LOAD, "lacks operator edgetam_test::missing"},
    {"missing_backend.pte", EDGETAM_ERR_MODEL_LOAD, "lacks backend"},
    /* before 1.0 ExecuTorch promises no compatibility across releases: both are named */
    {"other_executorch_version.pte", EDGETAM_ERR_MODEL_LOAD, "written by ExecuTorch 0.4.0"},
};

int bundle_is_pte(const char *good_bundle)
{
    const size_t n = strlen(good_bundle);
    return n >= 4 && !strcmp(good_bundle + n - 4, ".pte");
}

const bad_bundle *bad_bundles_for(const char *good_bundle, size_t *count)
{
    if (bundle_is_pte(good_bundle)) {
        *count = sizeof executorch / sizeof *executorch;
        return executorch;
    }
    *count = sizeof torchscript / sizeof *torchscript;
    return torchscript;
}

void bad_bundle_path(char *out, size_t size, const char *dir, const char *good_bundle,
                     const char *stem)
{
    snprintf(out, size, "%s/%s.%s", dir, stem, bundle_is_pte(good_bundle) ? "pte" : "edgetam");
}

const char *throws_on_white_error(const char *good_bundle)
{
    /* make_bad_bundles.py: a raise in TorchScript, index_select out of range in the .pte */
    return bundle_is_pte(good_bundle) ? "encode_image: ExecuTorch error 0x12 (InvalidArgument)"
                                      : "this bundle refuses white frames";
}
