/* The ExecuTorch runtime (backend.h) over a .pte bundle (contract: BUNDLE.md, "ExecuTorch
 * bundles"): one program whose methods are lowered to XNNPACK, run through ExecuTorch's Program /
 * Method API. Only this folder sees ExecuTorch headers.
 *
 * Memory: every intermediate a method keeps outside its delegates lives in memory planned at
 * export time. The methods of one model never run at the same time (ExecuTorch methods are not
 * re-entrant, so calls on one model are serialised here), so they share one set of planned
 * buffers, each as large as the largest method needs, instead of one set per method. */
#include "backend.h"
#include "bundle_metadata.h"
#include "program_check.h"
#include "thread_policy.h"

#include <executorch/extension/data_loader/mmap_data_loader.h>
#include <executorch/extension/memory_allocator/malloc_memory_allocator.h>
#include <executorch/extension/threadpool/threadpool.h>
#include <executorch/extension/threadpool/threadpool_guard.h>
#include <executorch/runtime/executor/program.h>
#include <executorch/runtime/platform/runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#ifndef EDGETAM_EXECUTORCH_VERSION
#error "EDGETAM_EXECUTORCH_VERSION must name the ExecuTorch release this backend is built against"
#endif

namespace edgetam {
namespace {

namespace et = executorch::runtime;
using executorch::aten::ScalarType;
using executorch::aten::Tensor;
using executorch::aten::TensorImpl;
using executorch::extension::MallocMemoryAllocator;
using executorch::extension::MmapDataLoader;

const char *error_name(et::Error e)
{
    switch (e) {
    case et::Error::Ok: return "Ok";
    case et::Error::Internal: return "Internal";
    case et::Error::InvalidState: return "InvalidState";
    case et::Error::EndOfMethod: return "EndOfMethod";
    case et::Error::NotSupported: return "NotSupported";
    case et::Error::NotImplemented: return "NotImplemented";
    case et::Error::InvalidArgument: return "InvalidArgument";
    case et::Error::InvalidType: return "InvalidType";
    case et::Error::OperatorMissing: return "OperatorMissing";
    case et::Error::NotFound: return "NotFound";
    case et::Error::MemoryAllocationFailed: return "MemoryAllocationFailed";
    case et::Error::AccessFailed: return "AccessFailed";
    case et::Error::InvalidProgram: return "InvalidProgram";
    case et::Error::DelegateInvalidCompatibility: return "DelegateInvalidCompatibility";
    case et::Error::DelegateMemoryAllocationFailed: return "DelegateMemoryAllocationFailed";
    case et::Error::DelegateInvalidHandle: return "DelegateInvalidHandle";
    }
    return "unknown";
}

/* "ExecuTorch error 0x14 (OperatorMissing)" */
std::string error_str(et::Error e)
{
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", (unsigned)e);
    return std::string("ExecuTorch error ") + hex + " (" + error_name(e) + ")";
}

edgetam_status status_of(et::Error e, edgetam_status otherwise)
{
    return e == et::Error::MemoryAllocationFailed ||
                   e == et::Error::DelegateMemoryAllocationFailed
               ? EDGETAM_ERR_OUT_OF_MEMORY
               : otherwise;
}

template <class T>
T value_or_fail(et::Result<T> r, edgetam_status status, const std::string &what)
{
    if (!r.ok()) fail(status_of(r.error(), status), what + ": " + error_str(r.error()));
    return std::move(r.get());
}

void ok_or_fail(et::Error e, edgetam_status status, const std::string &what)
{
    if (e != et::Error::Ok) fail(status_of(e, status), what + ": " + error_str(e));
}

const char *type_name(ScalarType t)
{
    switch (t) {
    case ScalarType::Float: return "Float";
    case ScalarType::Long: return "Long";
    case ScalarType::Int: return "Int";
    default: return "another type";
    }
}

std::string shape_str(const int64_t *dims, size_t n)
{
    std::string s = "[";
    for (size_t i = 0; i < n; i++) s += (i ? "," : "") + std::to_string(dims[i]);
    return s + "]";
}

/* One tensor of the contract: its name, type and shape (the upper bound for dynamic ones). */
struct tensor_spec {
    const char *name;
    ScalarType type;
    std::vector<int64_t> shape;
};

size_t spec_bytes(const tensor_spec &s)
{
    size_t n = sizeof(float);
    for (int64_t d : s.shape) n *= (size_t)d;
    return n;
}

/* A non-owning ExecuTorch tensor over a contiguous buffer of the caller's. */
class borrowed_tensor {
public:
    borrowed_tensor(ScalarType type, const std::vector<int64_t> &shape, const void *data)
        : dims_(shape.size())
    {
        for (size_t i = 0; i < dims_; i++) {
            sizes_[i] = (TensorImpl::SizesType)shape[i];
            order_[i] = (TensorImpl::DimOrderType)i;
        }
        for (size_t i = dims_; i-- > 0;)
            strides_[i] = i + 1 == dims_ ? 1 : strides_[i + 1] * sizes_[i + 1];
        impl_.emplace(type, (ssize_t)dims_, sizes_, const_cast<void *>(data), order_, strides_,
                      executorch::aten::TensorShapeDynamism::STATIC);
    }
    Tensor tensor() { return Tensor(&*impl_); }

private:
    static constexpr size_t kMaxDims = 8;
    size_t dims_;
    TensorImpl::SizesType sizes_[kMaxDims];
    TensorImpl::DimOrderType order_[kMaxDims];
    TensorImpl::StridesType strides_[kMaxDims];
    std::optional<TensorImpl> impl_;
};

/* A loaded method with the allocators that must outlive it. */
struct loaded_method {
    std::vector<tensor_spec> inputs, outputs;
    /* outputs the program leaves unplanned (exported with alloc_graph_output off) are written
     * straight into the caller's buffers; planned ones are copied out */
    std::vector<bool> output_planned;
    MallocMemoryAllocator method_allocator, temp_allocator;
    std::unique_ptr<et::MemoryManager> memory;
    std::optional<et::Method> method;
};

/* Threads. ExecuTorch has one thread pool per process, which an XNNPACK runtime binds when its
 * method loads and keeps; a pool cannot change its size. So:
 * - the first model loaded sizes the pool to its num_threads (before any runtime holds it); later
 *   models use it as it is;
 * - a model of one thread loads its methods without the pool (their runtimes run on the caller's
 *   thread);
 * - adapt_threads: when the policy (thread_policy.h) switches between one thread and the pool,
 *   the model loads its methods again, without or with the pool. Switches are rare (two starved
 *   calls one way, sixteen quiet ones back) and cost one re-initialisation of the runtimes. */
std::mutex pool_mutex;
bool pool_sized = false;

int pool_threads(int32_t wanted)
{
    std::lock_guard<std::mutex> lock(pool_mutex);
    auto *pool = executorch::extension::threadpool::get_threadpool();
    /* "unsafe" (and marked experimental) because XNNPACK runtimes keep the pool they were
     * created with: safe here, before the first of ours exists */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    if (!pool_sized && wanted > 0) pool->_unsafe_reset_threadpool((uint32_t)wanted);
#pragma GCC diagnostic pop
    pool_sized = true;
    return (int)pool->get_thread_count();
}

class executorch_model final : public backend_model {
public:
    edgetam_bundle_info info;
    std::unique_ptr<thread_policy> policy;
    bool pooled = false; /* the loaded methods' runtimes use the pool */
    std::unique_ptr<MmapDataLoader> loader;
    std::unique_ptr<et::Program> program;
    std::vector<std::unique_ptr<uint8_t[]>> planned_storage;
    std::vector<et::Span<uint8_t>> planned_spans;
    std::unique_ptr<et::HierarchicalAllocator> planned;
    std::map<std::string, std::unique_ptr<loaded_method>> methods;
    /* scratch for the padded inputs of attend_memory and decode */
    std::vector<float> memory_pad, memory_valid, ptr_pad, ptr_valid;
    std::vector<int64_t> tpos_pad;
    std::mutex mutex; /* one call at a time: methods share state and planned memory */

    int32_t threads() const override { return policy->current_threads(); }

    /* Planned memory only carries values within a call (every input is copied in, every output
     * out): while no call runs its pages can go back. A running call is left alone; one that
     * starts meanwhile waits for the lock. XNNPACK's packed weights stay (packing is load time). */
    void trim() noexcept override
    {
        std::unique_lock<std::mutex> lock(mutex, std::try_to_lock);
        if (!lock.owns_lock()) return;
        const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        for (const auto &span : planned_spans) {
            const uintptr_t begin = ((uintptr_t)span.data() + page - 1) / page * page;
            const uintptr_t end = ((uintptr_t)span.data() + span.size()) / page * page;
            if (end > begin) madvise((void *)begin, end - begin, MADV_DONTNEED);
        }
    }

    /* (Re)loads every method of the contract, with the pool or without. */
    void load_methods(bool with_pool)
    {
        pooled = with_pool;
        for (auto &[name, lm] : methods)
            ok_or_fail(load_method(name, *lm), EDGETAM_ERR_BAD_BUNDLE, "bundle method " + name);
    }

    /* (Re)loads one method, with the pool as `pooled` says; on an error it stays unloaded. */
    et::Error load_method(const std::string &name, loaded_method &lm)
    {
        std::optional<executorch::extension::threadpool::NoThreadPoolGuard> no_pool;
        if (!pooled) no_pool.emplace();
        lm.method.reset();
        lm.method_allocator.reset();
        auto method = program->load_method(name.c_str(), lm.memory.get());
        if (method.ok()) lm.method.emplace(std::move(method.get()));
        return method.error();
    }

    /* thread_policy's setter, inside a call (the model's mutex held) */
    void use_threads(int threads)
    {
        if (!methods.empty() && (threads > 1) != pooled) load_methods(threads > 1);
    }

    void encode_image(const float *image, float *hr0, float *hr1, float *feat) override
    {
        run("encode_image", {image}, {hr0, hr1, feat});
    }

    void attend_memory(const float *feat, const float *memory, const int64_t *tpos, int32_t n,
                       const float *obj_ptrs, int32_t p, float *pix) override
    {
        if (n == 0) {
            run("attend_no_memory", {feat}, {pix});
            return;
        }
        bundle_sizes z(info);
        std::lock_guard<std::mutex> lock(mutex);
        const size_t entry = (size_t)(z.T * z.Cm), NM = (size_t)info.max_memories,
                     NP = (size_t)info.max_pointers;
        if ((size_t)n > NM || (size_t)p > NP)
            fail(EDGETAM_ERR_INVALID_ARGUMENT,
                 "attend_memory: " + std::to_string(n) + " memories and " + std::to_string(p) +
                     " pointers; this bundle takes at most " + std::to_string(NM) + " and " +
                     std::to_string(NP) + " (max_memories, max_pointers)");
        std::fill(memory_pad.begin(), memory_pad.end(), 0.0f);
        std::copy(memory, memory + n * entry, memory_pad.begin());
        std::fill(tpos_pad.begin(), tpos_pad.end(), 0);
        std::copy(tpos, tpos + n, tpos_pad.begin());
        for (size_t i = 0; i < NM; i++) memory_valid[i] = i < (size_t)n ? 1.0f : 0.0f;
        std::fill(ptr_pad.begin(), ptr_pad.end(), 0.0f);
        if (p) std::copy(obj_ptrs, obj_ptrs + p * z.C, ptr_pad.begin());
        for (size_t i = 0; i < NP; i++) ptr_valid[i] = i < (size_t)p ? 1.0f : 0.0f;
        run_locked("attend_memory",
                   {feat, memory_pad.data(), tpos_pad.data(), memory_valid.data(), ptr_pad.data(),
                    ptr_valid.data()},
                   {pix}, {});
    }

    void decode(const float *pix, const float *hr0, const float *hr1, const float *coords,
                const int32_t *labels, int32_t P, const float *mask_input, bool multimask,
                float *masks, float *ious, float *best, float *obj_ptr, float *score) override
    {
        if (P > info.max_points)
            fail(EDGETAM_ERR_INVALID_ARGUMENT,
                 "decode: " + std::to_string(P) + " points, this bundle takes at most " +
                     std::to_string(info.max_points) + " (max_points)");
        /* no points: one (0, 0) labelled -1, as the TorchScript bundles do inside */
        static const float kNoPoint[2] = {0.0f, 0.0f};
        static const int32_t kNoLabel = -1;
        if (P == 0) {
            coords = kNoPoint;
            labels = &kNoLabel;
            P = 1;
        }
        std::string name = std::string("decode_") + (multimask ? "multi" : "single") +
                           (mask_input ? "_mask" : "");
        std::vector<const void *> in = {pix, hr0, hr1, coords, labels};
        if (mask_input) in.push_back(mask_input);
        std::lock_guard<std::mutex> lock(mutex);
        run_locked(name.c_str(), in, {masks, ious, best, obj_ptr, score}, {{3, P}, {4, P}});
    }

    void decode_mask(const float *feat, const float *hr0, const float *hr1, const float *mask,
                     float *best, float *obj_ptr, float *score) override
    {
        run("decode_mask", {feat, hr0, hr1, mask}, {best, obj_ptr, score});
    }

    void encode_memory(const float *feat, const float *best, float score, bool binarize,
                       float *memory) override
    {
        run(binarize ? "encode_memory_binary" : "encode_memory_soft", {feat, best, &score},
            {memory});
    }

private:
    void run(const char *name, std::vector<const void *> in, std::vector<float *> out)
    {
        std::lock_guard<std::mutex> lock(mutex);
        run_locked(name, in, out, {});
    }


    /* Runs method `name` on the caller's buffers; `dynamic` lists (input index, size of its
     * dimension 1) for inputs whose shape differs from the bound. Outputs are checked against
     * the contract, then copied. */
    void run_locked(const char *name, const std::vector<const void *> &in,
                    const std::vector<float *> &out,
                    std::vector<std::pair<size_t, int64_t>> dynamic)
    {
        /* first: switching threads may load the methods again */
        thread_policy::call measured(*policy);
        loaded_method &m = *methods.at(name);
        /* unloaded by a failed reload (below, or by the thread policy's switch) */
        if (!m.method)
            ok_or_fail(load_method(name, m), EDGETAM_ERR_INFERENCE,
                       std::string(name) + ": loading it again");
        std::vector<borrowed_tensor> tensors;
        tensors.reserve(in.size());
        for (size_t i = 0; i < in.size(); i++) {
            std::vector<int64_t> shape = m.inputs[i].shape;
            for (const auto &[index, size] : dynamic)
                if (index == i) shape[1] = size;
            tensors.emplace_back(m.inputs[i].type, shape, in[i]);
            ok_or_fail(m.method->set_input(et::EValue(tensors.back().tensor()), i),
                       EDGETAM_ERR_INFERENCE,
                       std::string(name) + ": input " + m.inputs[i].name);
        }
        for (size_t i = 0; i < out.size(); i++)
            if (!m.output_planned[i])
                ok_or_fail(m.method->set_output_data_ptr(out[i], spec_bytes(m.outputs[i]), i),
                           EDGETAM_ERR_INFERENCE, std::string(name) + ": output " +
                                                      m.outputs[i].name);
        const et::Error executed = m.method->execute();
        if (executed != et::Error::Ok) {
            /* ExecuTorch resets a method's progress only when it runs to its end: one that failed
             * midway refuses inputs from then on ("Inputs can not be set mid execution"). Loaded
             * again, it serves the next call (which loads it again should this fail). */
            (void)load_method(name, m);
            ok_or_fail(executed, EDGETAM_ERR_INFERENCE, name);
        }
        for (size_t i = 0; i < out.size(); i++) {
            const et::EValue &v = m.method->get_output(i);
            const tensor_spec &want = m.outputs[i];
            int64_t dims[8];
            size_t ndim = 0;
            bool ok = v.isTensor();
            if (ok) {
                const Tensor &t = v.toTensor();
                ndim = std::min<size_t>((size_t)t.dim(), 8);
                for (size_t d = 0; d < ndim; d++) dims[d] = t.size((ssize_t)d);
                ok = t.scalar_type() == ScalarType::Float && (size_t)t.dim() == want.shape.size() &&
                     std::equal(want.shape.begin(), want.shape.end(), dims);
            }
            if (!ok)
                fail(EDGETAM_ERR_INFERENCE,
                     std::string(name) + ": output " + want.name + " is " +
                         (v.isTensor() ? std::string(type_name(v.toTensor().scalar_type())) +
                                             shape_str(dims, ndim)
                                       : std::string("not a tensor")) +
                         ", expected Float" + shape_str(want.shape.data(), want.shape.size()));
            if (m.output_planned[i])
                std::memcpy(out[i], v.toTensor().const_data_ptr<float>(), spec_bytes(want));
        }
    }
};

/* ---- load ---------------------------------------------------------------------------------- */

const char *const kMetadataMethod = "edgetam_bundle_txt";

/* The contract's methods at this bundle's sizes (BUNDLE.md, "ExecuTorch bundles"). */
std::map<std::string, std::pair<std::vector<tensor_spec>, std::vector<tensor_spec>>>
contract(const edgetam_bundle_info &info)
{
    bundle_sizes z(info);
    const ScalarType F = ScalarType::Float;
    const int64_t NM = info.max_memories, NP = info.max_pointers, max_points = info.max_points;
    const tensor_spec feat{"feat", F, {1, z.C, z.H, z.H}}, pix{"pix", F, {1, z.C, z.H, z.H}},
        hr0{"hr0", F, {1, z.C0, z.S / 4, z.S / 4}}, hr1{"hr1", F, {1, z.C1, z.S / 8, z.S / 8}},
        best{"best", F, {1, 1, z.LR, z.LR}}, obj_ptr{"obj_ptr", F, {1, z.C}},
        score{"object_score", F, {1, 1}},
        coords{"point_coords", F, {1, max_points, 2}},
        labels{"point_labels", ScalarType::Int, {1, max_points}},
        mask_input{"mask_input", F, {1, 1, z.LR, z.LR}};
    std::map<std::string, std::pair<std::vector<tensor_spec>, std::vector<tensor_spec>>> c;
    c["encode_image"] = {{{"image", F, {1, 3, z.S, z.S}}}, {hr0, hr1, feat}};
    c["attend_no_memory"] = {{feat}, {pix}};
    c["attend_memory"] = {{feat,
                           {"memory", F, {NM, z.T, z.Cm}},
                           {"memory_tpos", ScalarType::Long, {NM}},
                           {"memory_valid", F, {NM}},
                           {"obj_ptrs", F, {NP, z.C}},
                           {"obj_ptr_valid", F, {NP}}},
                          {pix}};
    for (int64_t M : {1, 3}) {
        std::vector<tensor_spec> outs = {
            {"masks", F, {1, M, z.LR, z.LR}}, {"ious", F, {1, M}}, best, obj_ptr, score};
        std::string name = M == 1 ? "decode_single" : "decode_multi";
        c[name] = {{pix, hr0, hr1, coords, labels}, outs};
        c[name + "_mask"] = {{pix, hr0, hr1, coords, labels, mask_input}, outs};
    }
    c["decode_mask"] = {{feat, hr0, hr1, {"mask", F, {1, 1, z.S, z.S}}}, {best, obj_ptr, score}};
    for (const char *name : {"encode_memory_soft", "encode_memory_binary"})
        c[name] = {{feat, best, score}, {{"memory", F, {1, z.T, z.Cm}}}};
    return c;
}

/* Checks a method's signature against the contract before anything is allocated for it. */
void check_signature(const std::string &name, const et::MethodMeta &meta,
                     const std::vector<tensor_spec> &inputs,
                     const std::vector<tensor_spec> &outputs)
{
    auto check = [&](const char *kind, size_t count, auto tag_of, auto meta_of,
                     const std::vector<tensor_spec> &want) {
        if (count != want.size())
            fail(EDGETAM_ERR_BAD_BUNDLE, "bundle method " + name + " has " +
                                             std::to_string(count) + " " + kind + "s, expected " +
                                             std::to_string(want.size()));
        for (size_t i = 0; i < count; i++) {
            auto tag = tag_of(i);
            auto info = meta_of(i);
            bool ok = tag.ok() && tag.get() == et::Tag::Tensor && info.ok();
            std::vector<int64_t> dims;
            if (ok) {
                for (int32_t d : info->sizes()) dims.push_back(d);
                ok = info->scalar_type() == want[i].type && dims == want[i].shape;
            }
            if (!ok)
                fail(EDGETAM_ERR_BAD_BUNDLE,
                     "bundle method " + name + ": " + kind + " " + want[i].name + " is " +
                         (info.ok() ? std::string(type_name(info->scalar_type())) +
                                          shape_str(dims.data(), dims.size())
                                    : std::string("not a tensor")) +
                         ", expected " + type_name(want[i].type) +
                         shape_str(want[i].shape.data(), want[i].shape.size()));
        }
    };
    check("input", meta.num_inputs(), [&](size_t i) { return meta.input_tag(i); },
          [&](size_t i) { return meta.input_tensor_meta(i); }, inputs);
    check("output", meta.num_outputs(), [&](size_t i) { return meta.output_tag(i); },
          [&](size_t i) { return meta.output_tensor_meta(i); }, outputs);
}

std::string read_metadata(et::Program &program)
{
    if (!program.method_meta(kMetadataMethod).ok())
        fail(EDGETAM_ERR_BAD_BUNDLE, std::string("bundle has no ") + kMetadataMethod +
                                         " method (the metadata of BUNDLE.md)");
    MallocMemoryAllocator allocator;
    et::MemoryManager memory(&allocator);
    et::Method method = value_or_fail(program.load_method(kMetadataMethod, &memory),
                                      EDGETAM_ERR_BAD_BUNDLE,
                                      std::string("bundle method ") + kMetadataMethod);
    ok_or_fail(method.execute(), EDGETAM_ERR_BAD_BUNDLE,
               std::string("bundle method ") + kMetadataMethod);
    if (method.outputs_size() != 1 || !method.get_output(0).isString())
        fail(EDGETAM_ERR_BAD_BUNDLE,
             std::string("bundle method ") + kMetadataMethod + " must return one string");
    auto text = method.get_output(0).toString();
    return std::string(text.data(), text.size());
}

/* The keys only ExecuTorch bundles have, into info: the runtime, the bounds of the padded and
 * dynamic inputs. */
void check_executorch_keys(const bundle_metadata &md, edgetam_bundle_info *info)
{
    if (md.get("runtime") != "executorch")
        bundle_metadata::bad_key("runtime", "= '" + md.get("runtime") + "', expected 'executorch'");
    const std::string &version = md.get("executorch_version");
    if (version != EDGETAM_EXECUTORCH_VERSION)
        fail(EDGETAM_ERR_MODEL_LOAD,
             "the bundle was written by ExecuTorch " + version + " and this library runs "
             "ExecuTorch " EDGETAM_EXECUTORCH_VERSION ", which cannot read programs of other "
             "releases (export it again with ExecuTorch " EDGETAM_EXECUTORCH_VERSION ")");
    info->max_points = md.integer("max_points", 1, 1024);
    info->max_memories = md.integer("max_memories", info->num_maskmem, 1024);
    info->max_pointers = md.integer("max_pointers", info->max_obj_ptrs, 1024);
}

void check_runtime_has(const program_needs &needs, const std::string &cannot_load)
{
    const std::vector<std::string> missing = missing_here(needs);
    if (missing.empty()) return;
    std::string list;
    for (const std::string &m : missing) list += (list.empty() ? "" : ", ") + m;
    fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + ": this ExecuTorch runtime (" +
                                     EDGETAM_EXECUTORCH_VERSION + ") lacks " + list +
                                     " (build it with them, or export without them)");
}

std::unique_ptr<backend_model> load(const char *path, int32_t num_threads, bool adapt_threads,
                                    edgetam_bundle_info *info)
{
    static std::once_flag init;
    std::call_once(init, [] { et::runtime_init(); });
    auto m = std::make_unique<executorch_model>();
    const std::string cannot_load = std::string("cannot load bundle '") + path + "'";
    m->loader = std::make_unique<MmapDataLoader>(
        value_or_fail(MmapDataLoader::from(path, MmapDataLoader::MlockConfig::NoMlock),
                      EDGETAM_ERR_MODEL_LOAD, cannot_load));
    {
        auto head = m->loader->load(0, et::Program::kMinHeadBytes,
                                    et::DataLoader::SegmentInfo(
                                        et::DataLoader::SegmentInfo::Type::Program));
        if (head.ok() && et::Program::check_header(head->data(), head->size()) ==
                             et::Program::HeaderStatus::IncompatibleVersion)
            fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + ": it is an ExecuTorch program of another "
                                                       "format version than ExecuTorch " +
                                             std::string(EDGETAM_EXECUTORCH_VERSION) + " reads");
    }
    m->program = std::make_unique<et::Program>(
        value_or_fail(et::Program::load(m->loader.get(),
                                        et::Program::Verification::InternalConsistency),
                      EDGETAM_ERR_MODEL_LOAD, cannot_load + " as an ExecuTorch program"));
    const program_needs needs = read_program_needs(*m->loader);
    const size_t file_size = value_or_fail(m->loader->size(), EDGETAM_ERR_MODEL_LOAD, cannot_load);
    if (needs.file_size > file_size)
        fail(EDGETAM_ERR_MODEL_LOAD, cannot_load + ": the file is cut short (" +
                                         std::to_string(file_size) + " bytes, its program spans " +
                                         std::to_string(needs.file_size) + ")");
    bundle_metadata md;
    m->info = parse_bundle_metadata(read_metadata(*m->program), &md);
    check_executorch_keys(md, &m->info);
    check_runtime_has(needs, cannot_load);

    const auto methods = contract(m->info);
    std::vector<size_t> planned_sizes;
    for (const auto &[name, signature] : methods) {
        auto meta = m->program->method_meta(name.c_str());
        if (!meta.ok()) fail(EDGETAM_ERR_BAD_BUNDLE, "bundle has no method " + name);
        check_signature(name, meta.get(), signature.first, signature.second);
        for (size_t i = 0; i < meta->num_memory_planned_buffers(); i++) {
            int64_t size = value_or_fail(meta->memory_planned_buffer_size(i),
                                         EDGETAM_ERR_BAD_BUNDLE, "bundle method " + name);
            if (planned_sizes.size() <= i) planned_sizes.push_back(0);
            planned_sizes[i] = std::max(planned_sizes[i], (size_t)size);
        }
    }
    for (size_t size : planned_sizes) {
        m->planned_storage.emplace_back(new uint8_t[size]);
        m->planned_spans.emplace_back(m->planned_storage.back().get(), size);
    }
    m->planned = std::make_unique<et::HierarchicalAllocator>(
        et::Span<et::Span<uint8_t>>(m->planned_spans.data(), m->planned_spans.size()));

    for (const auto &[name, signature] : methods) {
        auto lm = std::make_unique<loaded_method>();
        lm->inputs = signature.first;
        lm->outputs = signature.second;
        auto meta = m->program->method_meta(name.c_str());
        for (size_t i = 0; i < lm->outputs.size(); i++)
            lm->output_planned.push_back(meta->output_tensor_meta(i)->is_memory_planned());
        lm->memory = std::make_unique<et::MemoryManager>(&lm->method_allocator, m->planned.get(),
                                                         &lm->temp_allocator);
        m->methods[name] = std::move(lm);
    }
    const int threads = num_threads == 1 ? 1 : pool_threads(num_threads);
    m->load_methods(threads > 1);
    executorch_model *model = m.get();
    m->policy.reset(new thread_policy(threads, adapt_threads,
                                      [model](int n) { model->use_threads(n); }));
    bundle_sizes z(m->info);
    m->memory_pad.resize((size_t)(m->info.max_memories * z.T * z.Cm));
    m->tpos_pad.resize((size_t)m->info.max_memories);
    m->memory_valid.resize((size_t)m->info.max_memories);
    m->ptr_pad.resize((size_t)(m->info.max_pointers * z.C));
    m->ptr_valid.resize((size_t)m->info.max_pointers);
    *info = m->info;
    return m;
}

/* ExecuTorch's own test for its program header (the flatbuffer identifier): a program of another
 * format version is recognised too, and refused by load with a message. */
bool recognises(const unsigned char *head, size_t size)
{
    return size >= et::Program::kMinHeadBytes &&
           et::Program::check_header(head, size) != et::Program::HeaderStatus::NotPresent;
}

} // namespace

const backend executorch_backend = {"executorch", "an ExecuTorch program (.pte)", recognises,
                                    load};

} // namespace edgetam
