/* The bundle's metadata text (BUNDLE.md, "Metadata"), the same in every runtime's bundle format:
 * parsed and validated here; each runtime reads its own extra keys through bundle_metadata. */
#ifndef EDGETAM_BUNDLE_METADATA_H
#define EDGETAM_BUNDLE_METADATA_H

#include <cstdint>
#include <map>
#include <string>

#include "edgetam_shim.h"

namespace edgetam {

/* The metadata's name in messages (and, in a TorchScript bundle, its file in extra/). */
extern const char *const kMetadataName;

/* key=value lines; every accessor throws shim_error (EDGETAM_ERR_BAD_BUNDLE) naming the key. */
class bundle_metadata {
public:
    bool has(const std::string &key) const { return kv_.count(key) != 0; }
    const std::string &get(const std::string &key) const; /* missing: throws */
    int32_t integer(const std::string &key, long lo, long hi) const;
    /* `count` comma-separated finite floats, read in the classic locale. */
    void floats(const std::string &key, float *out, int count) const;
    [[noreturn]] static void bad_key(const std::string &key, const std::string &why);

private:
    friend edgetam_bundle_info parse_bundle_metadata(const std::string &, bundle_metadata *);
    std::map<std::string, std::string> kv_;
};

/* Buffer sides and sizes that follow from the metadata (BUNDLE.md, "Notation"). */
struct bundle_sizes {
    int64_t S, C, Cm, C0, C1, T, H, LR;
    explicit bundle_sizes(const edgetam_bundle_info &i)
        : S(i.image_size), C(i.hidden_dim), Cm(i.memory_dim), C0(i.high_res_dim0),
          C1(i.high_res_dim1), T(i.memory_tokens), H(i.image_size / 16), LR(i.image_size / 4)
    {
    }
};

/* Parses `text` ('#' starts a comment line, unknown keys are kept for the runtime, a key twice is
 * an error) and validates every key all runtimes share, including the bound on the floats a
 * frame needs. Returns the info (lite_interpreter 0); the parsed keys go to *md. */
edgetam_bundle_info parse_bundle_metadata(const std::string &text, bundle_metadata *md);

} // namespace edgetam

#endif
