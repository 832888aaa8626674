#include "bundle_metadata.h"

#include "backend.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <locale>
#include <sstream>

namespace edgetam {

const char *const kMetadataName = "edgetam_bundle.txt";

namespace {

std::string trim(const std::string &s)
{
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

} // namespace

void bundle_metadata::bad_key(const std::string &key, const std::string &why)
{
    fail(EDGETAM_ERR_BAD_BUNDLE, "bundle metadata " + std::string(kMetadataName) + ": key '" +
                                     key + "' " + why);
}

const std::string &bundle_metadata::get(const std::string &key) const
{
    auto it = kv_.find(key);
    if (it == kv_.end()) bad_key(key, "is missing");
    return it->second;
}

int32_t bundle_metadata::integer(const std::string &key, long lo, long hi) const
{
    const std::string &v = get(key);
    char *end = nullptr;
    errno = 0;
    long x = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || errno || x < lo || x > hi)
        bad_key(key, "= '" + v + "', expected " +
                         (lo == hi ? std::to_string(lo)
                                   : "an integer in " + std::to_string(lo) + ".." +
                                         std::to_string(hi)));
    return (int32_t)x;
}

/* strtof would follow the host application's LC_NUMERIC */
void bundle_metadata::floats(const std::string &key, float *out, int count) const
{
    const std::string &v = get(key);
    bool ok = std::count(v.begin(), v.end(), ',') == count - 1;
    std::istringstream items(v);
    std::string item;
    for (int i = 0; ok && i < count; i++) {
        std::getline(items, item, ',');
        std::istringstream num(trim(item));
        num.imbue(std::locale::classic());
        ok = (num >> out[i]) && num.peek() == EOF && std::isfinite(out[i]);
    }
    if (!ok)
        bad_key(key, "= '" + v + "', expected " +
                         (count == 1 ? std::string("a finite float")
                                     : std::to_string(count) + " comma-separated floats"));
}

edgetam_bundle_info parse_bundle_metadata(const std::string &text, bundle_metadata *md)
{
    if (text.empty())
        fail(EDGETAM_ERR_BAD_BUNDLE,
             std::string("bundle has no ") + kMetadataName + " metadata (or it is empty)");
    std::istringstream lines(text);
    std::string line;
    for (int no = 1; std::getline(lines, line); no++) {
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        size_t eq = line.find('=');
        if (eq == std::string::npos)
            fail(EDGETAM_ERR_BAD_BUNDLE, std::string("bundle metadata ") + kMetadataName +
                                             " line " + std::to_string(no) + " is not key=value");
        std::string key = trim(line.substr(0, eq));
        if (!md->kv_.emplace(key, trim(line.substr(eq + 1))).second)
            bundle_metadata::bad_key(key, "appears twice");
    }

    edgetam_bundle_info in;
    std::memset(&in, 0, sizeof in);
    if (md->get("format") != "edgetam-bundle")
        bundle_metadata::bad_key("format",
                                 "= '" + md->get("format") + "', expected 'edgetam-bundle'");
    in.format_version = md->integer("format_version", 1, 1);
    const std::string &model = md->get("model");
    if (model.empty() || model.size() >= sizeof in.model)
        bundle_metadata::bad_key("model",
                                 "must be 1.." + std::to_string(sizeof in.model - 1) + " characters");
    std::memcpy(in.model, model.c_str(), model.size() + 1);

    const long kMaxDim = 65536; /* keeps every derived buffer size far from overflow */
    in.image_size = md->integer("image_size", 16, 4096);
    if (in.image_size % 16) bundle_metadata::bad_key("image_size", "must be a multiple of 16");
    in.hidden_dim = md->integer("hidden_dim", 1, kMaxDim);
    in.memory_dim = md->integer("memory_dim", 1, kMaxDim);
    if (in.hidden_dim % in.memory_dim)
        bundle_metadata::bad_key("memory_dim", "must divide hidden_dim (" +
                                                   std::to_string(in.hidden_dim) + ")");
    in.high_res_dim0 = md->integer("high_res_dim0", 1, kMaxDim);
    in.high_res_dim1 = md->integer("high_res_dim1", 1, kMaxDim);
    in.memory_tokens = md->integer("memory_tokens", 1, kMaxDim);
    in.num_maskmem = md->integer("num_maskmem", 1, 1024);
    in.max_obj_ptrs = md->integer("max_obj_ptrs", 1, 1024);
    in.multimask_output_in_sam = md->integer("multimask_output_in_sam", 0, 1);
    in.multimask_output_for_tracking = md->integer("multimask_output_for_tracking", 0, 1);
    in.multimask_min_pt_num = md->integer("multimask_min_pt_num", 0, 1024);
    in.multimask_max_pt_num = md->integer("multimask_max_pt_num", in.multimask_min_pt_num, 1024);
    md->floats("sigmoid_scale_for_mem_enc", &in.sigmoid_scale_for_mem_enc, 1);
    md->floats("sigmoid_bias_for_mem_enc", &in.sigmoid_bias_for_mem_enc, 1);
    md->floats("pixel_mean", in.pixel_mean, 3);
    md->floats("pixel_std", in.pixel_std, 3);
    for (float s : in.pixel_std)
        if (!(s > 0)) bundle_metadata::bad_key("pixel_std", "must be positive");
    /* A corrupted bundle can declare feature maps of hundreds of GB, which a warm-up would
     * allocate before running anything. EdgeTAM needs 7.3 M floats per frame at S = 1024 and
     * 117 M at S = 4096, the largest image_size allowed. */
    const int64_t kMaxFrameFloats = int64_t(1) << 27, S = in.image_size;
    const int64_t frame_floats = 3 * S * S + in.high_res_dim0 * (S / 4) * (S / 4) +
                                 in.high_res_dim1 * (S / 8) * (S / 8) +
                                 in.hidden_dim * (S / 16) * (S / 16) +
                                 in.memory_tokens * in.memory_dim;
    if (frame_floats > kMaxFrameFloats)
        fail(EDGETAM_ERR_BAD_BUNDLE,
             "bundle metadata declares " + std::to_string(frame_floats) +
                 " floats of image, features and memory per frame; at most " +
                 std::to_string(kMaxFrameFloats) + " are supported");
    return in;
}

} // namespace edgetam
