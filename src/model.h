/* A loaded bundle, shared read-only by every tracker created from it. */
#ifndef EDGETAM_MODEL_H
#define EDGETAM_MODEL_H

#include "edgetam.h"
#include "edgetam_shim.h"

struct edgetam_model {
    edgetam_shim *shim;
    edgetam_bundle_info info;
    /* sizes derived from info, in elements */
    size_t image, hr0, hr1, feat, memory, low_res;
    int32_t low_res_side, feat_side;
};

#endif
