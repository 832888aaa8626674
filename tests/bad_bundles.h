/* The broken bundles tests/make_bad_bundles.py writes next to each other, one per load-time
 * check, for the kind of a good bundle: TorchScript (*.edgetam, *.ptl) or ExecuTorch (*.pte).
 * Each must fail to load with its status and a message holding its needle. */
#ifndef EDGETAM_TEST_BAD_BUNDLES_H
#define EDGETAM_TEST_BAD_BUNDLES_H

#include <stddef.h>

#include "edgetam.h"

typedef struct bad_bundle {
    const char *file; /* in the bad-bundle folder */
    edgetam_status status;
    const char *needle;
} bad_bundle;

/* 1 for an ExecuTorch bundle (by its name, as make_bad_bundles.py names its files) */
int bundle_is_pte(const char *good_bundle);

/* The broken variants of the kind of `good_bundle`; *count receives their number. */
const bad_bundle *bad_bundles_for(const char *good_bundle, size_t *count);

/* The two that load and fail only while tracking a white frame: throws_on_white (the runtime
 * reports an error) and nan_on_white (outputs NaN), into dir/...; `size` bytes each. */
void bad_bundle_path(char *out, size_t size, const char *dir, const char *good_bundle,
                     const char *stem);

/* What the call that tracks a white frame with throws_on_white reports: the bundle's own message
 * (TorchScript), or the error ExecuTorch's kernel returns. */
const char *throws_on_white_error(const char *good_bundle);

#endif
