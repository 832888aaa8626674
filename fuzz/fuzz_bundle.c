/* libFuzzer target: a bundle file damaged the ways files get damaged, as edgetam_model_load reads
 * it. Built twice: fuzz_bundle on the TorchScript templates, fuzz_bundle_pte on the ExecuTorch
 * ones (EDGETAM_FUZZ_TEMPLATE_SUFFIX).
 *
 * Input: one byte choosing a template (fuzz/templates: the valid stub and its broken variants),
 * four bytes (little-endian) giving the length to cut the file to (a partial copy or download;
 * 0xffffffff or more than the file: not cut), then bytes that overwrite the template's tensor data
 * in order (garbage weights: NaN, infinities, huge and denormal values, whose outputs reach the
 * tracker). The TorchScript code and the pickles are left alone: libtorch 1.13's parsers crash on
 * crafted ones, a libtorch matter (fuzz/README.md, "Findings"). In a .pte the bytes overwrite the
 * data of its segments: the constant tensors, then the XNNPACK delegates' payloads (header, graph,
 * weights), which ExecuTorch's verification of the program does not cover.
 * A bundle that loads is then used: fuzz_run_bundle tracks a frame, clicks an object and tracks
 * another frame.
 */
#include <stdlib.h>
#include <string.h>

#include "bundle_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const bundle_template *templates;
    const int count = bundle_templates_load(&templates);
    const bundle_template *t = &templates[size ? data[0] % count : 0];
    uint32_t cut = UINT32_MAX;
    if (size >= 5) cut = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
                         (uint32_t)data[4] << 24;
    const uint8_t *weights = size > 5 ? data + 5 : NULL;
    size_t left = size > 5 ? size - 5 : 0;

    if (t->segments) {
        uint8_t *file = malloc(t->size);
        if (!file) abort();
        memcpy(file, t->file, t->size);
        const size_t room = t->size - t->segments;
        if (left) memcpy(file + t->segments, weights, left < room ? left : room);
        fuzz_run_bundle(file, cut < t->size ? cut : t->size);
        free(file);
        return 0;
    }
    zip_member members[TEMPLATE_MAX_MEMBERS];
    uint8_t *owned[TEMPLATE_MAX_MEMBERS] = {0};
    memcpy(members, t->members, sizeof members);
    for (int i = 0; i < t->count && left; i++) {
        if (!member_in_folder(&members[i], "data") || !members[i].size) continue;
        const size_t n = left < members[i].size ? left : members[i].size;
        owned[i] = malloc(members[i].size);
        if (!owned[i]) abort();
        memcpy(owned[i], members[i].data, members[i].size);
        memcpy(owned[i], weights, n);
        members[i].data = owned[i];
        weights += n;
        left -= n;
    }
    size_t file_size;
    uint8_t *file = zip_store(members, t->count, &file_size);
    fuzz_run_bundle(file, cut < file_size ? cut : file_size);
    free(file);
    for (int i = 0; i < t->count; i++) free(owned[i]);
    return 0;
}
