/* The libtorch runtime (backend.h) over a TorchScript bundle (contract: BUNDLE.md), run by either
 * interpreter (bundle_program.h). Only this folder sees torch headers (tests aside). */
#include "backend.h"
#include "bundle_metadata.h"

#ifndef EDGETAM_TORCH_LITE
#include <torch/csrc/jit/runtime/graph_executor.h>
#endif
#include <ATen/Parallel.h>
#include <torch/script.h>

#include "bundle_program.h"
#include "caching_allocator.h"
#include "operator_check.h"
#include "runtime_check.h"
#include "thread_policy.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace edgetam {
namespace {

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

/* Runs f; a torch exception becomes a shim_error (`status`, or OUT_OF_MEMORY) prefixed with
 * `what`, so that backtraces and TorchScript tracebacks never reach the caller. */
template <class F>
void torch_errors_as(edgetam_status status, const std::string &what, F &&f)
{
    try {
        f();
    } catch (const shim_error &) {
        throw;
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) { /* c10::Error, or std::runtime_error from TorchScript */
        fail(is_oom(e) ? EDGETAM_ERR_OUT_OF_MEMORY : status, what + ": " + torch_message(e));
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

/* Wraps a caller buffer without copying (the bundle only reads its inputs). Empty tensors get
 * their own (empty) storage so that NULL pointers are fine for them. */
template <class T>
at::Tensor wrap(const T *data, std::vector<int64_t> shape)
{
    auto opts = torch::TensorOptions().dtype(c10::CppTypeToScalarType<T>::value);
    if (c10::multiply_integers(shape) == 0) return torch::empty(shape, opts);
    return torch::from_blob(const_cast<T *>(data), shape, opts);
}

/* Checks an output's exact shape and dtype and copies it into the caller's buffer. */
void copy_out(const char *method, const char *name, const at::Tensor &t,
              std::vector<int64_t> shape, float *dst)
{
    if (t.scalar_type() != at::kFloat || t.sizes() != c10::IntArrayRef(shape))
        fail(EDGETAM_ERR_INFERENCE, std::string(method) + ": output " + name + " is " +
                                        c10::toString(t.scalar_type()) + shape_str(t.sizes()) +
                                        ", expected Float" + shape_str(shape));
    torch::from_blob(dst, shape, torch::kFloat).copy_(t);
}

/* at::set_num_threads does not reach the BLAS that libtorch links through libblas.so.3. With
 * OpenBLAS (Debian's libopenblas0-pthread) every sgemm would otherwise use all cores, whatever
 * num_threads says, and its threads spin between calls. Measured with one model thread on 2 cores
 * (edgetam-bench track --threads 1, 300 frames): 16.1 instead of 8.0 CPU seconds, most of it
 * spinning, and frames 16 % slower. Other BLAS builds lack the symbol and keep their settings. */
void set_blas_threads(int threads)
{
    using setter = void (*)(int);
    static const setter set =
        reinterpret_cast<setter>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (set) set(threads);
}

/* The intra-op count is the calling thread's (OpenMP's per-thread ICV); BLAS's is global. */
void use_threads(int threads)
{
    if (at::get_num_threads() != threads) {
        at::set_num_threads(threads);
        set_blas_threads(threads);
    }
}

class libtorch_model final : public backend_model {
public:
    std::unique_ptr<bundle_program> program;
    std::unique_ptr<thread_policy> policy;
    edgetam_bundle_info info;

    int32_t threads() const override { return policy->current_threads(); }

    /* The tensor cache is process-wide (every model shares it); what TorchScript and oneDNN
     * keep (compiled graphs, kernels) is small next to it and slow to make again. */
    void trim() noexcept override { trim_caching_cpu_allocator(); }

    void encode_image(const float *image, float *hr0, float *hr1, float *feat) override
    {
        c10::InferenceMode guard;
        bundle_sizes z(info);
        auto o = run("encode_image", {wrap(image, {1, 3, z.S, z.S})}, 3);
        copy_out("encode_image", "hr0", o[0], {1, z.C0, z.S / 4, z.S / 4}, hr0);
        copy_out("encode_image", "hr1", o[1], {1, z.C1, z.S / 8, z.S / 8}, hr1);
        copy_out("encode_image", "feat", o[2], {1, z.C, z.H, z.H}, feat);
    }

    void attend_memory(const float *feat, const float *memory, const int64_t *tpos, int32_t n,
                       const float *obj_ptrs, int32_t p, float *pix) override
    {
        c10::InferenceMode guard;
        bundle_sizes z(info);
        auto o = run("attend_memory",
                     {wrap(feat, {1, z.C, z.H, z.H}), wrap(memory, {n, z.T, z.Cm}),
                      wrap(tpos, {n}), wrap(obj_ptrs, {p, z.C})},
                     1);
        copy_out("attend_memory", "pix", o[0], {1, z.C, z.H, z.H}, pix);
    }

    void decode(const float *pix, const float *hr0, const float *hr1, const float *coords,
                const int32_t *labels, int32_t P, const float *mask_input, bool multimask,
                float *masks, float *ious, float *best, float *obj_ptr, float *score) override
    {
        c10::InferenceMode guard;
        bundle_sizes z(info);
        int64_t M = multimask ? 3 : 1;
        auto mask = mask_input ? wrap(mask_input, {1, 1, z.LR, z.LR}) : torch::empty({0});
        auto o = run("decode",
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

    void decode_mask(const float *feat, const float *hr0, const float *hr1, const float *mask,
                     float *best, float *obj_ptr, float *score) override
    {
        c10::InferenceMode guard;
        bundle_sizes z(info);
        auto o = run("decode_mask",
                     {wrap(feat, {1, z.C, z.H, z.H}), wrap(hr0, {1, z.C0, z.S / 4, z.S / 4}),
                      wrap(hr1, {1, z.C1, z.S / 8, z.S / 8}), wrap(mask, {1, 1, z.S, z.S})},
                     3);
        copy_out("decode_mask", "best", o[0], {1, 1, z.LR, z.LR}, best);
        copy_out("decode_mask", "obj_ptr", o[1], {1, z.C}, obj_ptr);
        copy_out("decode_mask", "object_score", o[2], {1, 1}, score);
    }

    void encode_memory(const float *feat, const float *best, float score, bool binarize,
                       float *memory) override
    {
        c10::InferenceMode guard;
        bundle_sizes z(info);
        auto o = run("encode_memory",
                     {wrap(feat, {1, z.C, z.H, z.H}), wrap(best, {1, 1, z.LR, z.LR}),
                      torch::full({1, 1}, score), binarize},
                     1);
        copy_out("encode_memory", "memory", o[0], {1, z.T, z.Cm}, memory);
    }

private:
    /* Runs one method; the result must be a tensor (n == 1) or a tuple of n tensors. */
    std::vector<at::Tensor> run(const char *method, std::vector<c10::IValue> args, size_t n)
    {
        c10::IValue out;
        torch_errors_as(EDGETAM_ERR_INFERENCE, method, [&] {
            thread_policy::call measured(*policy);
#ifndef EDGETAM_TORCH_LITE
            /* This thread's calls skip the profiling executor: it would profile each method on
             * its first run and optimise it on the second (compiling the whole graph: most of
             * a 12 s load at S = 1024, with a warm-up of two rounds), for frames no faster: the
             * bundles are traced graphs, and its fuser (LLVM builds) would guard each fused group
             * on exact input shapes, recompiling for every new count of memories or points.
             * Thread-local, so a host's own TorchScript keeps its setting. */
            torch::jit::GraphOptimizerEnabledGuard no_optimisation(false);
#endif
            out = program->call(method, std::move(args));
        });
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
};

/* ---- load ---------------------------------------------------------------------------------- */

/* The keys only TorchScript bundles have (BUNDLE.md, "Which runtimes can run a bundle"). Added
 * after format version 1 shipped: bundles exported before have none of the three and load as
 * before, without the explanation of a runtime that lacks operators. */
bundle_runtime_needs runtime_needs(const bundle_metadata &md)
{
    bundle_runtime_needs needs;
    if (!md.has("torch_version") && !md.has("min_torch_version") && !md.has("ops")) return needs;
    needs.torch_version = md.get("torch_version");
    if (needs.torch_version.empty() || needs.torch_version.size() > 64)
        bundle_metadata::bad_key("torch_version", "must be 1..64 characters");
    needs.min_torch_version = md.get("min_torch_version");
    int major, minor, patch, used = 0;
    if (std::sscanf(needs.min_torch_version.c_str(), "%d.%d.%d%n", &major, &minor, &patch,
                    &used) != 3 ||
        (size_t)used != needs.min_torch_version.size() || major < 0 || minor < 0 || patch < 0)
        bundle_metadata::bad_key("min_torch_version", "= '" + needs.min_torch_version +
                                                          "', expected MAJOR.MINOR.PATCH");
    std::istringstream ops(md.get("ops"));
    for (std::string op; std::getline(ops, op, ',');) {
        if (op.find("::") == std::string::npos || op.find_first_of(" \t") != std::string::npos)
            bundle_metadata::bad_key("ops", "has '" + op + "', expected names such as aten::add.Tensor");
        needs.ops.push_back(op);
    }
    if (needs.ops.empty()) bundle_metadata::bad_key("ops", "is empty");
    return needs;
}

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

/* Runs every method once on zeros of the documented shapes, so that the load checks each
 * method's outputs (copy_out), the lite interpreter resolves each method's operators (on its
 * first run, which must not race), oneDNN creates the image encoder's kernels and the caching
 * allocator fills. Once per method is enough: the full JIT runs unoptimised
 * (libtorch_model::run), and only a method's first call costs more than a frame's. Its other
 * variants (attend_memory with memories, decode with a mask input, encode_memory without
 * binarising) cost the first frame that uses them no more than later frames, so running them here
 * only lengthened the load (S = 1024, 2 threads: attend_memory with one memory 1.0 s, the same
 * on its first call and later). Inputs are zeros from calloc, never written and so never
 * faulted in page by page (zero-filled vectors were 0.19 s of the load at S = 1024). */
void warm_up(libtorch_model &m)
{
    const bundle_sizes z(m.info);
    const size_t S2 = (size_t)(z.S * z.S), hr0_n = (size_t)(z.C0 * z.LR * z.LR),
                 hr1_n = (size_t)(z.C1 * (z.S / 8) * (z.S / 8)), feat_n = (size_t)(z.C * z.H * z.H),
                 lr_n = (size_t)(z.LR * z.LR);
    const std::unique_ptr<float, decltype(&std::free)> zeros(
        static_cast<float *>(std::calloc(std::max({3 * S2, hr0_n, hr1_n, feat_n}), sizeof(float))),
        std::free);
    if (!zeros) throw std::bad_alloc();
    const float *in = zeros.get();
    std::vector<float> hr0(hr0_n), hr1(hr1_n), feat(feat_n), masks(3 * lr_n), best(lr_n),
        mem((size_t)(z.T * z.Cm)), ptr((size_t)z.C);
    float ious[3], score;
    const int32_t label = 1;
    m.encode_image(in, hr0.data(), hr1.data(), feat.data());
    m.attend_memory(in, nullptr, nullptr, 0, nullptr, 0, feat.data());
    m.decode(in, in, in, in, &label, 1, nullptr, true, masks.data(), ious, best.data(), ptr.data(),
             &score);
    m.decode_mask(in, in, in, in, best.data(), ptr.data(), &score);
    m.encode_memory(in, in, 0.0f, true, mem.data());
}

std::unique_ptr<backend_model> load(const char *path, int32_t num_threads, bool adapt_threads,
                                    edgetam_bundle_info *info)
{
    auto m = std::make_unique<libtorch_model>();
    c10::InferenceMode guard;
    install_caching_cpu_allocator();
    const std::string cannot_load = std::string("cannot load bundle '") + path + "'";
    std::string meta_text;
    torch_errors_as(EDGETAM_ERR_MODEL_LOAD, cannot_load + " as TorchScript",
                    [&] { meta_text = read_bundle_extra_file(path, kMetadataName); });
    /* read before the program, which may need operators this libtorch lacks */
    bundle_metadata md;
    m->info = parse_bundle_metadata(meta_text, &md);
    const bundle_runtime_needs needs = runtime_needs(md);
    /* A bundle that needs operators this runtime lacks fails to load (full JIT: when a method is
     * compiled, which may be as late as the warm-up; lite: at load); the metadata names them. */
    auto fail_if_runtime_cannot = [&](const std::string &error) {
        std::string mismatch = runtime_mismatch(needs, error);
        if (!mismatch.empty()) fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + ": " + mismatch);
    };
    try {
        m->program = load_bundle_program(path);
        m->info.lite_interpreter = m->program->lite();
        check_methods(*m->program);
    } catch (const shim_error &) {
        throw;
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) {
        if (is_oom(e)) fail(EDGETAM_ERR_OUT_OF_MEMORY, cannot_load + ": " + torch_message(e));
        fail_if_runtime_cannot(torch_message(e));
        fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + " as TorchScript: " + torch_message(e));
    }
    int threads = num_threads > 0 ? num_threads : (int)std::thread::hardware_concurrency();
    m->policy.reset(new thread_policy(threads, adapt_threads, use_threads));
    /* before the bundle first runs: oneDNN's instruction set can only be capped then */
    torch_errors_as(EDGETAM_ERR_INFERENCE, "convolution self-check", choose_convolution_path);
    try {
        warm_up(*m);
    } catch (const shim_error &e) {
        bool oom = e.status == EDGETAM_ERR_OUT_OF_MEMORY;
        if (!oom) fail_if_runtime_cannot(e.what());
        fail(oom ? EDGETAM_ERR_OUT_OF_MEMORY : EDGETAM_ERR_BAD_BUNDLE,
             std::string("bundle warm-up failed: ") + e.what());
    }
    *info = m->info;
    return m;
}

/* A TorchScript archive (either kind) is a zip file. */
bool recognises(const unsigned char *head, size_t size)
{
    return size >= 4 && std::memcmp(head, "PK\x03\x04", 4) == 0;
}

} // namespace

const backend libtorch_backend = {"libtorch", "a TorchScript archive (.edgetam, .ptl)",
                                  recognises, load};

} // namespace edgetam
