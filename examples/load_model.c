#include "load_model.h"

#include <stdio.h>
#include <string.h>

const char *const example_standin_bundle = EDGETAM_STANDIN_BUNDLE;
const char *const example_demo_bundle = EDGETAM_DEMO_BUNDLE;

edgetam_model *example_load_model(const char *path, int32_t threads, int32_t adapt_threads)
{
    if (!strcmp(path, example_standin_bundle))
        printf("NOTE: using the STAND-IN bundle (random weights): masks are meaningless; it only "
               "shows the pipeline working. Pass --model with a bundle exported from EdgeTAM "
               "(README, \"Exporting the real model\").\n");
    else if (!strcmp(path, example_demo_bundle))
        printf("NOTE: using the DEMO bundle: a hand-written, weight-free colour and texture "
               "tracker, NOT EdgeTAM. It follows simple objects to show the library tracking; "
               "for EdgeTAM's masks pass --model with a bundle exported from EdgeTAM (README, "
               "\"Exporting the real model\").\n");
    char err[512];
    edgetam_model_params mp = edgetam_model_default_params();
    mp.num_threads = threads;
    mp.adapt_threads = adapt_threads;
    edgetam_model *model = NULL;
    if (edgetam_model_load(path, &mp, &model, err, sizeof err) != EDGETAM_OK) {
        fprintf(stderr, "cannot load %s: %s\n", path, err);
        return NULL;
    }
    return model;
}
