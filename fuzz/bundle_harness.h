/* Shared by the bundle fuzzers: the template bundles, stored-only zip archives (torch's bundle
 * container) and one load-and-track run of a bundle file. */
#ifndef EDGETAM_FUZZ_BUNDLE_HARNESS_H
#define EDGETAM_FUZZ_BUNDLE_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* One archive member; the pointers point into the archive it was listed from. */
typedef struct zip_member {
    const char *name;
    size_t name_size;
    const uint8_t *data;
    size_t size;
} zip_member;

/* A new stored-only archive (malloc'ed, *size bytes) holding `members` in order. */
uint8_t *zip_store(const zip_member *members, int count, size_t *size);

/* A valid or broken bundle of fuzz/templates (make_seed_bundles.py): a TorchScript archive
 * listed by member, or an ExecuTorch program. */
#define TEMPLATE_MAX_MEMBERS 64
typedef struct bundle_template {
    const char *name; /* file name */
    uint8_t *file;
    size_t size;
    zip_member members[TEMPLATE_MAX_MEMBERS]; /* TorchScript */
    int count;
    /* ExecuTorch: the offset of the data its segments hold (constant tensors, then the
     * delegates' payloads: XNNPACK's header, graph and weights), after the program */
    size_t segments;
} bundle_template;

/* Loads every template of EDGETAM_FUZZ_TEMPLATES of the kind this harness was built for
 * (EDGETAM_FUZZ_TEMPLATE_SUFFIX: .edgetam or .pte) once, in name order (stub.edgetam or stub.pte,
 * the valid one, first); aborts if there is none or one is not a stored-only archive or an
 * ExecuTorch program with segments. Returns the number. */
int bundle_templates_load(const bundle_template **templates);

/* Whether the member's path inside the archive starts with `folder`/ (after the archive's own
 * top folder, e.g. "stub/data/0" is in "data"). */
int member_in_folder(const zip_member *m, const char *folder);

/* Writes `file` to an in-memory file, loads it with edgetam_model_load (one thread) and, if it
 * loads, tracks a small frame, clicks an object and tracks another frame. Aborts on a contract
 * violation: an unexpected status, a model returned with an error, a missing error message. */
void fuzz_run_bundle(const uint8_t *file, size_t size);

#endif
