/* libFuzzer target: the bundle metadata text (extra/edgetam_bundle.txt, shim/BUNDLE.md).
 *
 * The input is the text; the harness stores it into a copy of the valid stub template
 * (fuzz/templates/stub.edgetam) in place of its metadata, as a well-formed archive, so every
 * input reaches the metadata parser and the checks after it: the library's own (pixel
 * normalisation, sizes), the warm-up's shape checks against the declared sizes, and, for text
 * that passes them all, the tracker (fuzz_run_bundle).
 */
#include <stdlib.h>
#include <string.h>

#include "bundle_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const bundle_template *templates;
    bundle_templates_load(&templates);
    const bundle_template *stub = &templates[0];
    zip_member members[TEMPLATE_MAX_MEMBERS];
    memcpy(members, stub->members, sizeof members);
    int replaced = 0;
    for (int i = 0; i < stub->count; i++) {
        if (!member_in_folder(&members[i], "extra")) continue;
        members[i].data = data;
        members[i].size = size;
        replaced++;
    }
    if (replaced != 1) abort(); /* the stub has exactly one extra file: the metadata */
    size_t file_size;
    uint8_t *file = zip_store(members, stub->count, &file_size);
    fuzz_run_bundle(file, file_size);
    free(file);
    return 0;
}
