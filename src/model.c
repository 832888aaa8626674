/* Model loading: the shim validates the bundle's contract; here the library checks what only it
 * knows (its own pixel normalisation) and derives buffer sizes. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "normalize.h"

edgetam_model_params edgetam_model_default_params(void)
{
    edgetam_model_params p;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.num_threads = 0;
    p.adapt_threads = 1;
    return p;
}

static void set_error(char *error, size_t size, const char *msg)
{
    if (error && size) snprintf(error, size, "%s", msg);
}

/* The bundle was exported for a given input normalisation; a different one would silently
 * degrade every mask, so it is a load error. */
static int normalisation_matches(const edgetam_bundle_info *info, char *msg, size_t size)
{
    for (int c = 0; c < 3; c++) {
        if (fabsf(info->pixel_mean[c] - normalize_pixel_mean[c]) > 1e-6f ||
            fabsf(info->pixel_std[c] - normalize_pixel_std[c]) > 1e-6f) {
            snprintf(msg, size,
                     "bundle metadata pixel_mean/pixel_std (%g,%g,%g / %g,%g,%g) differ from the "
                     "library's normalisation",
                     info->pixel_mean[0], info->pixel_mean[1], info->pixel_mean[2],
                     info->pixel_std[0], info->pixel_std[1], info->pixel_std[2]);
            return 0;
        }
    }
    return 1;
}

edgetam_status edgetam_model_load(const char *path, const edgetam_model_params *params,
                                  edgetam_model **out, char *error, size_t error_size)
{
    if (error && error_size) error[0] = '\0';
    if (out) *out = NULL;
    if (!path || !params || !out) {
        set_error(error, error_size, "path, params and out must not be NULL");
        return EDGETAM_ERR_INVALID_ARGUMENT;
    }
    if (params->struct_size != sizeof *params) {
        set_error(error, error_size, "edgetam_model_params.struct_size does not match this library");
        return EDGETAM_ERR_ABI_MISMATCH;
    }
    edgetam_model *m = edgetam__calloc(1, sizeof *m);
    if (!m) {
        set_error(error, error_size, "out of memory");
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
    edgetam_status st = edgetam_shim_load(path, params->num_threads, params->adapt_threads != 0,
                                          &m->shim, &m->info, error, error_size);
    if (st == EDGETAM_OK) {
        char msg[256];
        if (!normalisation_matches(&m->info, msg, sizeof msg)) {
            set_error(error, error_size, msg);
            st = EDGETAM_ERR_BAD_BUNDLE;
        }
    }
    if (st != EDGETAM_OK) {
        edgetam_model_free(m);
        return st;
    }
    const edgetam_bundle_info *in = &m->info;
    const size_t s = (size_t)in->image_size;
    m->feat_side = in->image_size / 16;
    m->low_res_side = in->image_size / 4;
    m->image = 3 * s * s;
    m->hr0 = (size_t)in->high_res_dim0 * (s / 4) * (s / 4);
    m->hr1 = (size_t)in->high_res_dim1 * (s / 8) * (s / 8);
    m->feat = (size_t)in->hidden_dim * (s / 16) * (s / 16);
    m->memory = (size_t)in->memory_tokens * (size_t)in->memory_dim;
    m->low_res = (s / 4) * (s / 4);
    *out = m;
    return EDGETAM_OK;
}

void edgetam_model_free(edgetam_model *model)
{
    if (!model) return;
    edgetam_shim_free(model->shim);
    edgetam__free(model);
}

int32_t edgetam_model_input_size(const edgetam_model *model)
{
    return model ? model->info.image_size : 0;
}

edgetam_status edgetam_model_trim(edgetam_model *model)
{
    if (!model) return EDGETAM_ERR_INVALID_ARGUMENT;
    edgetam_shim_trim(model->shim);
    return EDGETAM_OK;
}

int32_t edgetam_model_threads(const edgetam_model *model)
{
    return model ? edgetam_shim_threads(model->shim) : 0;
}
