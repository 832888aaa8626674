/* libtorch implementation of edgetam_shim.h over a TorchScript bundle (contract: BUNDLE.md),
 * run by either interpreter (bundle_program.h). Only shim/ sees torch headers. Every C entry
 * point runs its body inside guarded(), so no exception crosses the C boundary. */
#include "edgetam_shim.h"

#ifndef EDGETAM_TORCH_LITE
#include <torch/csrc/jit/passes/tensorexpr_fuser.h>
#endif
#include <torch/script.h>

#include "bundle_program.h"
#include "caching_allocator.h"
#include "operator_check.h"
#include "runtime_check.h"
#include "thread_policy.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <locale>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

struct edgetam_shim {
    std::unique_ptr<bundle_program> program;
    std::unique_ptr<thread_policy> threads;
    edgetam_bundle_info info;
    bundle_runtime_needs needs;
};

namespace {

const char *const kMetadataName = "edgetam_bundle.txt";

/* A failure we diagnosed ourselves, carrying its status. */
struct shim_error : std::runtime_error {
    edgetam_status status;
    shim_error(edgetam_status s, const std::string &msg) : std::runtime_error(msg), status(s) {}
};

[[noreturn]] void fail(edgetam_status status, const std::string &msg)
{
    throw shim_error(status, msg);
}

void set_err(char *err, size_t err_size, const char *msg)
{
    if (err && err_size) std::snprintf(err, err_size, "%s", msg);
}

/* libtorch 1.13's CPU allocator reports exhaustion as a plain c10::Error, which TorchScript
 * may rethrow as std::runtime_error: only the message tells. */
bool is_oom(const std::exception &e)
{
    return dynamic_cast<const c10::OutOfMemoryError *>(&e) ||
           std::strstr(e.what(), "DefaultCPUAllocator: can't allocate memory") ||
           std::strstr(e.what(), "DefaultCPUAllocator: not enough memory");
}

/* The message of a torch exception. Errors raised inside TorchScript carry a multi-line
 * interpreter traceback; its last line is the actual error. */
std::string torch_message(const std::exception &e)
{
    auto *c10e = dynamic_cast<const c10::Error *>(&e);
    std::string msg = c10e ? c10e->what_without_backtrace() : e.what();
    if (msg.find("Traceback of TorchScript") != std::string::npos) {
        size_t end = msg.find_last_not_of("\n ");
        size_t start = end == std::string::npos ? end : msg.rfind('\n', end);
        if (start != std::string::npos) msg = msg.substr(start + 1, end - start);
    }
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return msg;
}

/* The single C boundary: runs f, maps every exception to a status and a message in err.
 * `fallback` is the status for errors torch raises (inference failures, usually). */
template <class F>
edgetam_status guarded(const char *what, edgetam_status fallback, char *err, size_t err_size,
                       F &&f) noexcept
{
    if (err && err_size) err[0] = '\0';
    try {
        try {
            f();
            return EDGETAM_OK;
        } catch (const shim_error &e) {
            set_err(err, err_size, e.what());
            return e.status;
        } catch (const std::bad_alloc &) {
            set_err(err, err_size, (std::string(what) + ": out of memory").c_str());
            return EDGETAM_ERR_OUT_OF_MEMORY;
        } catch (const std::exception &e) { /* c10::Error, or std::runtime_error from TorchScript */
            set_err(err, err_size, (std::string(what) + ": " + torch_message(e)).c_str());
            return is_oom(e) ? EDGETAM_ERR_OUT_OF_MEMORY : fallback;
        } catch (...) {
            set_err(err, err_size, (std::string(what) + ": unknown exception").c_str());
            return fallback;
        }
    } catch (...) { /* building the message itself failed (bad_alloc) */
        set_err(err, err_size, "out of memory");
        return EDGETAM_ERR_OUT_OF_MEMORY;
    }
}

std::string shape_str(c10::IntArrayRef shape)
{
    std::ostringstream s;
    s << '[';
    for (size_t i = 0; i < shape.size(); i++) s << (i ? "," : "") << shape[i];
    s << ']';
    return s.str();
}

/* ---- metadata ------------------------------------------------------------------------------ */

std::string trim(const std::string &s)
{
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

[[noreturn]] void bad_key(const std::string &key, const std::string &why)
{
    fail(EDGETAM_ERR_BAD_BUNDLE, "bundle metadata " + std::string(kMetadataName) + ": key '" +
                                     key + "' " + why);
}

struct metadata {
    std::map<std::string, std::string> kv;

    const std::string &get(const std::string &key) const
    {
        auto it = kv.find(key);
        if (it == kv.end()) bad_key(key, "is missing");
        return it->second;
    }
    int32_t integer(const std::string &key, long lo, long hi) const
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
    /* `count` comma-separated floats; parsed in the classic locale (strtof would follow the
     * host application's LC_NUMERIC). */
    void floats(const std::string &key, float *out, int count) const
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
};

/* Parses and validates the key=value text of BUNDLE.md ('#' starts a comment line; unknown keys
 * are ignored, every documented key is required). */
edgetam_bundle_info parse_metadata(const std::string &text, bundle_runtime_needs *needs)
{
    if (text.empty())
        fail(EDGETAM_ERR_BAD_BUNDLE, std::string("bundle has no extra/") + kMetadataName +
                                         " metadata (or it is empty)");
    metadata md;
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
        if (!md.kv.emplace(key, trim(line.substr(eq + 1))).second) bad_key(key, "appears twice");
    }

    edgetam_bundle_info in;
    std::memset(&in, 0, sizeof in);
    if (md.get("format") != "edgetam-bundle")
        bad_key("format", "= '" + md.get("format") + "', expected 'edgetam-bundle'");
    in.format_version = md.integer("format_version", 1, 1);
    const std::string &model = md.get("model");
    if (model.empty() || model.size() >= sizeof in.model)
        bad_key("model", "must be 1.." + std::to_string(sizeof in.model - 1) + " characters");
    std::memcpy(in.model, model.c_str(), model.size() + 1);

    const long kMaxDim = 65536; /* keeps every derived buffer size far from overflow */
    in.image_size = md.integer("image_size", 16, 4096);
    if (in.image_size % 16) bad_key("image_size", "must be a multiple of 16");
    in.hidden_dim = md.integer("hidden_dim", 1, kMaxDim);
    in.memory_dim = md.integer("memory_dim", 1, kMaxDim);
    if (in.hidden_dim % in.memory_dim)
        bad_key("memory_dim", "must divide hidden_dim (" + std::to_string(in.hidden_dim) + ")");
    in.high_res_dim0 = md.integer("high_res_dim0", 1, kMaxDim);
    in.high_res_dim1 = md.integer("high_res_dim1", 1, kMaxDim);
    in.memory_tokens = md.integer("memory_tokens", 1, kMaxDim);
    in.num_maskmem = md.integer("num_maskmem", 1, 1024);
    in.max_obj_ptrs = md.integer("max_obj_ptrs", 1, 1024);
    in.multimask_output_in_sam = md.integer("multimask_output_in_sam", 0, 1);
    in.multimask_output_for_tracking = md.integer("multimask_output_for_tracking", 0, 1);
    in.multimask_min_pt_num = md.integer("multimask_min_pt_num", 0, 1024);
    in.multimask_max_pt_num = md.integer("multimask_max_pt_num", in.multimask_min_pt_num, 1024);
    md.floats("sigmoid_scale_for_mem_enc", &in.sigmoid_scale_for_mem_enc, 1);
    md.floats("sigmoid_bias_for_mem_enc", &in.sigmoid_bias_for_mem_enc, 1);
    md.floats("pixel_mean", in.pixel_mean, 3);
    md.floats("pixel_std", in.pixel_std, 3);
    for (float s : in.pixel_std)
        if (!(s > 0)) bad_key("pixel_std", "must be positive");
    /* Added after format version 1 shipped: bundles exported before have none of the three
     * and load as before, without the explanation of a runtime that lacks operators. */
    if (md.kv.count("torch_version") || md.kv.count("min_torch_version") || md.kv.count("ops")) {
        needs->torch_version = md.get("torch_version");
        if (needs->torch_version.empty() || needs->torch_version.size() > 64)
            bad_key("torch_version", "must be 1..64 characters");
        needs->min_torch_version = md.get("min_torch_version");
        int major, minor, patch, used = 0;
        if (std::sscanf(needs->min_torch_version.c_str(), "%d.%d.%d%n", &major, &minor, &patch,
                        &used) != 3 ||
            (size_t)used != needs->min_torch_version.size() || major < 0 || minor < 0 || patch < 0)
            bad_key("min_torch_version", "= '" + needs->min_torch_version +
                                             "', expected MAJOR.MINOR.PATCH");
        std::istringstream ops(md.get("ops"));
        for (std::string op; std::getline(ops, op, ',');) {
            if (op.find("::") == std::string::npos || op.find_first_of(" \t") != std::string::npos)
                bad_key("ops", "has '" + op + "', expected names such as aten::add.Tensor");
            needs->ops.push_back(op);
        }
        if (needs->ops.empty()) bad_key("ops", "is empty");
    }
    /* A corrupted bundle can declare feature maps of hundreds of GB, which the warm-up would
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

/* ---- tensors in and out -------------------------------------------------------------------- */

/* Wraps a caller buffer without copying (the bundle only reads its inputs). Empty tensors get
 * their own (empty) storage so that NULL pointers are fine for them. */
template <class T>
at::Tensor wrap(const T *data, std::vector<int64_t> shape)
{
    auto opts = torch::TensorOptions().dtype(c10::CppTypeToScalarType<T>::value);
    if (c10::multiply_integers(shape) == 0) return torch::empty(shape, opts);
    return torch::from_blob(const_cast<T *>(data), shape, opts);
}

struct sizes {
    int64_t S, C, Cm, C0, C1, T, H, LR;
    explicit sizes(const edgetam_bundle_info &i)
        : S(i.image_size), C(i.hidden_dim), Cm(i.memory_dim), C0(i.high_res_dim0),
          C1(i.high_res_dim1), T(i.memory_tokens), H(i.image_size / 16), LR(i.image_size / 4)
    {
    }
};

/* Runs one method; the result must be a tensor (n == 1) or a tuple of n tensors. */
std::vector<at::Tensor> run(edgetam_shim *shim, const char *method,
                            std::vector<c10::IValue> args, size_t n)
{
    c10::IValue out;
    try {
        thread_policy::call measured(*shim->threads);
        out = shim->program->call(method, std::move(args));
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) { /* c10::Error, or std::runtime_error from TorchScript */
        fail(is_oom(e) ? EDGETAM_ERR_OUT_OF_MEMORY : EDGETAM_ERR_INFERENCE,
             std::string(method) + ": " + torch_message(e));
    }
    std::vector<at::Tensor> res;
    if (n == 1 && out.isTensor()) {
        res.push_back(out.toTensor());
    } else if (out.isTuple() && out.toTupleRef().elements().size() == n) {
        for (const auto &v : out.toTupleRef().elements()) {
            if (!v.isTensor()) break;
            res.push_back(v.toTensor());
        }
    }
    if (res.size() != n)
        fail(EDGETAM_ERR_INFERENCE, std::string(method) + " returned " + out.tagKind() +
                                        ", expected " + std::to_string(n) + " tensor(s)");
    return res;
}

/* Checks an output's exact shape and dtype, copies it into the caller's buffer, and fails on a
 * NaN or infinity there: a runtime computing garbage (BUNDLE.md, "Runtimes") must not reach the
 * tracker's memory, where it would poison every later frame. One pass over what was just copied
 * costs little next to the forward. */
void copy_out(const char *method, const char *name, const at::Tensor &t,
              std::vector<int64_t> shape, float *dst)
{
    if (t.scalar_type() != at::kFloat || t.sizes() != c10::IntArrayRef(shape))
        fail(EDGETAM_ERR_INFERENCE, std::string(method) + ": output " + name + " is " +
                                        c10::toString(t.scalar_type()) + shape_str(t.sizes()) +
                                        ", expected Float" + shape_str(shape));
    torch::from_blob(dst, shape, torch::kFloat).copy_(t);
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; i++)
        if (!std::isfinite(dst[i]))
            fail(EDGETAM_ERR_INFERENCE, std::string(method) + ": output " + name + " has " +
                                            (std::isnan(dst[i]) ? "NaN" : "an infinity") +
                                            " at element " + std::to_string(i) +
                                            "; nothing was kept (a runtime computing wrongly, "
                                            "or a broken bundle)");
}

/* The five methods, shared by the C entry points and the warm-up. They throw. */
void encode_image(edgetam_shim *s, const float *image, float *hr0, float *hr1, float *feat)
{
    sizes z(s->info);
    auto o = run(s, "encode_image", {wrap(image, {1, 3, z.S, z.S})}, 3);
    copy_out("encode_image", "hr0", o[0], {1, z.C0, z.S / 4, z.S / 4}, hr0);
    copy_out("encode_image", "hr1", o[1], {1, z.C1, z.S / 8, z.S / 8}, hr1);
    copy_out("encode_image", "feat", o[2], {1, z.C, z.H, z.H}, feat);
}

void attend_memory(edgetam_shim *s, const float *feat, const float *memory, const int64_t *tpos,
                   int32_t n, const float *obj_ptrs, int32_t p, float *pix)
{
    sizes z(s->info);
    auto o = run(s, "attend_memory",
                 {wrap(feat, {1, z.C, z.H, z.H}), wrap(memory, {n, z.T, z.Cm}), wrap(tpos, {n}),
                  wrap(obj_ptrs, {p, z.C})},
                 1);
    copy_out("attend_memory", "pix", o[0], {1, z.C, z.H, z.H}, pix);
}

void decode(edgetam_shim *s, const float *pix, const float *hr0, const float *hr1,
            const float *coords, const int32_t *labels, int32_t P, const float *mask_input,
            bool multimask, float *masks, float *ious, float *best, float *obj_ptr, float *score)
{
    sizes z(s->info);
    int64_t M = multimask ? 3 : 1;
    auto mask = mask_input ? wrap(mask_input, {1, 1, z.LR, z.LR}) : torch::empty({0});
    auto o = run(s, "decode",
                 {wrap(pix, {1, z.C, z.H, z.H}), wrap(hr0, {1, z.C0, z.S / 4, z.S / 4}),
                  wrap(hr1, {1, z.C1, z.S / 8, z.S / 8}), wrap(coords, {1, P, 2}),
                  wrap(labels, {1, P}), mask, multimask},
                 5);
    copy_out("decode", "masks", o[0], {1, M, z.LR, z.LR}, masks);
    copy_out("decode", "ious", o[1], {1, M}, ious);
    copy_out("decode", "best", o[2], {1, 1, z.LR, z.LR}, best);
    copy_out("decode", "obj_ptr", o[3], {1, z.C}, obj_ptr);
    copy_out("decode", "object_score", o[4], {1, 1}, score);
}

void decode_mask(edgetam_shim *s, const float *feat, const float *hr0, const float *hr1,
                 const float *mask, float *best, float *obj_ptr, float *score)
{
    sizes z(s->info);
    auto o = run(s, "decode_mask",
                 {wrap(feat, {1, z.C, z.H, z.H}), wrap(hr0, {1, z.C0, z.S / 4, z.S / 4}),
                  wrap(hr1, {1, z.C1, z.S / 8, z.S / 8}), wrap(mask, {1, 1, z.S, z.S})},
                 3);
    copy_out("decode_mask", "best", o[0], {1, 1, z.LR, z.LR}, best);
    copy_out("decode_mask", "obj_ptr", o[1], {1, z.C}, obj_ptr);
    copy_out("decode_mask", "object_score", o[2], {1, 1}, score);
}

void encode_memory(edgetam_shim *s, const float *feat, const float *best, float score,
                   bool binarize, float *memory)
{
    sizes z(s->info);
    auto o = run(s, "encode_memory",
                 {wrap(feat, {1, z.C, z.H, z.H}), wrap(best, {1, 1, z.LR, z.LR}),
                  torch::full({1, 1}, score), binarize},
                 1);
    copy_out("encode_memory", "memory", o[0], {1, z.T, z.Cm}, memory);
}

/* ---- load ---------------------------------------------------------------------------------- */

void check_methods(const bundle_program &program)
{
    static const std::pair<const char *, size_t> kMethods[] = {
        {"encode_image", 1}, {"attend_memory", 4}, {"decode", 7},
        {"decode_mask", 4},  {"encode_memory", 4}};
    for (const auto &[name, nargs] : kMethods) {
        int got = program.arity(name);
        if (got < 0) fail(EDGETAM_ERR_BAD_BUNDLE, std::string("bundle has no method ") + name);
        if ((size_t)got != nargs)
            fail(EDGETAM_ERR_BAD_BUNDLE, std::string("bundle method ") + name + " takes " +
                                             std::to_string(got) + " arguments, expected " +
                                             std::to_string(nargs));
    }
}

/* Runs every method (twice: the profiling executor optimises on the second run; the lite
 * interpreter resolves operators on the first, which must not race) on zeros of the documented
 * shapes, covering each optional input both ways. Outputs go to scratch. */
void warm_up(edgetam_shim *s)
{
    sizes z(s->info);
    std::vector<float> image(3 * z.S * z.S), hr0(z.C0 * z.LR * z.LR),
        hr1(z.C1 * (z.S / 8) * (z.S / 8)), feat(z.C * z.H * z.H), mem(z.T * z.Cm), ptr(z.C),
        low_res(z.LR * z.LR), mask(z.S * z.S), coords(2);
    std::vector<float> o_hr0(hr0.size()), o_hr1(hr1.size()), o_feat(feat.size()),
        o_masks(3 * low_res.size()), o_best(low_res.size()), o_ious(3), o_ptr(z.C), o_score(1),
        o_mem(mem.size());
    int64_t tpos = 0;
    int32_t label = 1;
    for (int rep = 0; rep < 2; rep++) {
        encode_image(s, image.data(), o_hr0.data(), o_hr1.data(), o_feat.data());
        attend_memory(s, feat.data(), nullptr, nullptr, 0, nullptr, 0, o_feat.data());
        attend_memory(s, feat.data(), mem.data(), &tpos, 1, ptr.data(), 1, o_feat.data());
        for (bool multimask : {true, false})
            for (const float *mask_input : {(const float *)nullptr, (const float *)low_res.data()})
                decode(s, feat.data(), hr0.data(), hr1.data(), coords.data(), &label, 1,
                       mask_input, multimask, o_masks.data(), o_ious.data(), o_best.data(),
                       o_ptr.data(), o_score.data());
        decode_mask(s, feat.data(), hr0.data(), hr1.data(), mask.data(), o_best.data(),
                    o_ptr.data(), o_score.data());
        for (bool binarize : {true, false})
            encode_memory(s, feat.data(), low_res.data(), 0.0f, binarize, o_mem.data());
    }
}

void load(const char *path, int32_t num_threads, bool adapt_threads, edgetam_shim **out,
          edgetam_bundle_info *info)
{
    std::unique_ptr<edgetam_shim> s(new edgetam_shim());
    install_caching_cpu_allocator();
    /* torch's own message for a missing file lacks the reason */
    if (FILE *f = std::fopen(path, "rb"))
        std::fclose(f);
    else
        fail(EDGETAM_ERR_MODEL_LOAD,
             std::string("cannot open bundle '") + path + "': " + std::strerror(errno));
    const std::string cannot_load = std::string("cannot load bundle '") + path + "'";
    std::string meta_text;
    try {
        meta_text = read_bundle_extra_file(path, kMetadataName);
    } catch (const std::exception &e) {
        if (is_oom(e) || dynamic_cast<const std::bad_alloc *>(&e)) throw;
        fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + " as TorchScript: " + torch_message(e));
    }
    /* read before the program, which may need operators this libtorch lacks */
    s->info = parse_metadata(meta_text, &s->needs);
    /* A bundle that needs operators this runtime lacks fails to load (full JIT: when a method is
     * compiled, which may be as late as the warm-up; lite: at load); the metadata names them. */
    auto fail_if_runtime_cannot = [&](const std::string &error) {
        std::string mismatch = runtime_mismatch(s->needs, error);
        if (!mismatch.empty()) fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + ": " + mismatch);
    };
    try {
        s->program = load_bundle_program(path);
        s->info.lite_interpreter = s->program->lite();
        check_methods(*s->program);
    } catch (const shim_error &) {
        throw;
    } catch (const std::exception &e) {
        if (is_oom(e) || dynamic_cast<const std::bad_alloc *>(&e)) throw;
        fail_if_runtime_cannot(torch_message(e));
        fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + " as TorchScript: " + torch_message(e));
    }
#ifndef EDGETAM_TORCH_LITE
    /* The TensorExpr fuser (CPU builds with LLVM, e.g. PyTorch's own libtorch) guards each fused
     * group on exact input shapes, so every new n, p or P would bail out and re-profile and
     * recompile (measured: TypeCheck guards such as Float(1,1,2) for P=1). Without fusion the
     * profiling executor adds no shape guards: one optimisation per method during warm-up, then
     * stable times for any shape (Debian's 1.13 has no LLVM, so this changes nothing there).
     * Process-wide, like the thread count. */
    torch::jit::setTensorExprFuserEnabled(false);
#endif
    int threads = num_threads > 0 ? num_threads : (int)std::thread::hardware_concurrency();
    s->threads.reset(new thread_policy(threads, adapt_threads));
    /* before the bundle first runs: oneDNN's instruction set can only be capped then */
    try {
        choose_convolution_path();
    } catch (const std::exception &e) {
        if (is_oom(e) || dynamic_cast<const std::bad_alloc *>(&e)) throw;
        fail(EDGETAM_ERR_INFERENCE, "convolution self-check: " + torch_message(e));
    }
    try {
        warm_up(s.get());
    } catch (const shim_error &e) {
        bool oom = e.status == EDGETAM_ERR_OUT_OF_MEMORY;
        if (!oom) fail_if_runtime_cannot(e.what());
        fail(oom ? EDGETAM_ERR_OUT_OF_MEMORY : EDGETAM_ERR_BAD_BUNDLE,
             std::string("bundle warm-up failed: ") + e.what());
    }
    *info = s->info;
    *out = s.release();
}

/* In the C entry points below, where `fn` names the function. */
#define CHECK_ARG(cond)                                                                           \
    do {                                                                                          \
        if (!(cond))                                                                              \
            fail(EDGETAM_ERR_INVALID_ARGUMENT, std::string(fn) + ": invalid argument: " #cond);   \
    } while (0)

} // namespace

/* ---- C ABI ----------------------------------------------------------------------------------- */

extern "C" {

edgetam_status edgetam_shim_load(const char *path, int32_t num_threads, int adapt_threads,
                                 edgetam_shim **out,
                                 edgetam_bundle_info *info, char *err, size_t err_size)
{
    if (out) *out = nullptr;
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_BAD_BUNDLE, err, err_size, [&] {
        CHECK_ARG(path && out && info);
        c10::InferenceMode guard;
        load(path, num_threads, adapt_threads != 0, out, info);
    });
}

void edgetam_shim_free(edgetam_shim *shim)
{
    delete shim; /* ~Module only drops references; it does not throw */
}

int32_t edgetam_shim_threads(const edgetam_shim *shim)
{
    return shim->threads->current_threads();
}

edgetam_status edgetam_shim_encode_image(edgetam_shim *shim, const float *image, float *hr0,
                                         float *hr1, float *feat, char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && image && hr0 && hr1 && feat);
        c10::InferenceMode guard;
        encode_image(shim, image, hr0, hr1, feat);
    });
}

edgetam_status edgetam_shim_attend_memory(edgetam_shim *shim, const float *feat,
                                          const float *memory, const int64_t *memory_tpos,
                                          int32_t n, const float *obj_ptrs, int32_t p, float *pix,
                                          char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && feat && pix && n >= 0 && p >= 0 && (n > 0 || p == 0));
        CHECK_ARG((n == 0 || (memory && memory_tpos)) && (p == 0 || obj_ptrs));
        /* An out-of-range t_pos would index the bundle's tpos table from the end silently. */
        for (int32_t i = 0; i < n; i++)
            if (memory_tpos[i] < 0 || memory_tpos[i] >= shim->info.num_maskmem)
                fail(EDGETAM_ERR_INVALID_ARGUMENT,
                     std::string(fn) + ": memory_tpos[" + std::to_string(i) + "] = " +
                         std::to_string(memory_tpos[i]) + " is outside 0..num_maskmem-1");
        c10::InferenceMode guard;
        attend_memory(shim, feat, memory, memory_tpos, n, obj_ptrs, p, pix);
    });
}

edgetam_status edgetam_shim_decode(edgetam_shim *shim, const float *pix, const float *hr0,
                                   const float *hr1, const float *point_coords,
                                   const int32_t *point_labels, int32_t num_points,
                                   const float *mask_input, int multimask, float *masks,
                                   float *ious, float *best, float *obj_ptr, float *object_score,
                                   char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && pix && hr0 && hr1 && num_points >= 0);
        CHECK_ARG(num_points == 0 || (point_coords && point_labels));
        CHECK_ARG(masks && ious && best && obj_ptr && object_score);
        c10::InferenceMode guard;
        decode(shim, pix, hr0, hr1, point_coords, point_labels, num_points, mask_input,
               multimask != 0, masks, ious, best, obj_ptr, object_score);
    });
}

edgetam_status edgetam_shim_decode_mask(edgetam_shim *shim, const float *feat, const float *hr0,
                                        const float *hr1, const float *mask, float *best,
                                        float *obj_ptr, float *object_score, char *err,
                                        size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && feat && hr0 && hr1 && mask && best && obj_ptr && object_score);
        c10::InferenceMode guard;
        decode_mask(shim, feat, hr0, hr1, mask, best, obj_ptr, object_score);
    });
}

edgetam_status edgetam_shim_encode_memory(edgetam_shim *shim, const float *feat, const float *best,
                                          float object_score, int binarize, float *memory,
                                          char *err, size_t err_size)
{
    const char *fn = __func__;
    return guarded(fn, EDGETAM_ERR_INFERENCE, err, err_size, [&] {
        CHECK_ARG(shim && feat && best && memory);
        c10::InferenceMode guard;
        encode_memory(shim, feat, best, object_score, binarize != 0, memory);
    });
}

} // extern "C"
