/* Both interpreters behind bundle_program (see bundle_program.h). */
#include "bundle_program.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/mobile/import.h>
#include <torch/csrc/jit/mobile/module.h>
#ifndef EDGETAM_TORCH_LITE
#include <torch/script.h>
#endif

#include <stdexcept>
#include <type_traits>

namespace {

using lite_module = torch::jit::mobile::Module;

/* Either interpreter's module: both run methods by name and describe them by schema. */
template <class Module>
class program_of final : public bundle_program {
    Module module_;

public:
    /* a bundle saved in training mode would otherwise run dropout etc. */
    explicit program_of(Module m) : module_(std::move(m)) { module_.eval(); }
    c10::IValue call(const char *method, std::vector<c10::IValue> args) const override
    {
        return module_.get_method(method)(std::move(args));
    }
    int arity(const char *method) const override
    {
        auto m = module_.find_method(method);
        if (!m) return -1;
        if constexpr (std::is_same_v<Module, lite_module>) {
            /* bytecode from torch >= 1.9 carries schemas; an older one cannot be checked */
            if (!m->function().hasSchema())
                throw std::runtime_error(std::string("lite bundle method ") + method +
                                         " has no schema (bytecode too old)");
        }
        return (int)m->function().getSchema().arguments().size() - 1; /* minus self */
    }
    bool lite() const override { return std::is_same_v<Module, lite_module>; }
};

/* _save_for_lite_interpreter writes bytecode.pkl (next to the full program); torch.jit.save
 * does not. */
bool has_bytecode(const std::string &path)
{
    caffe2::serialize::PyTorchStreamReader reader(path);
    return reader.hasRecord("bytecode.pkl");
}

} // namespace

std::unique_ptr<bundle_program> load_bundle_program(const std::string &path)
{
    if (!has_bytecode(path)) {
#ifdef EDGETAM_TORCH_LITE
        throw std::runtime_error("it was saved for the full TorchScript JIT; this build (for "
                                 "LibTorch-Lite) runs lite-interpreter bundles only: export "
                                 "with --lite");
#else
        return std::make_unique<program_of<torch::jit::Module>>(
            torch::jit::load(path, torch::kCPU));
#endif
    }
    return std::make_unique<program_of<lite_module>>(
        torch::jit::_load_for_mobile(path, at::Device(at::kCPU)));
}

std::string read_bundle_extra_file(const std::string &path, const std::string &name)
{
    caffe2::serialize::PyTorchStreamReader reader(path);
    const std::string record = "extra/" + name;
    if (!reader.hasRecord(record)) return "";
    auto [data, size] = reader.getRecord(record);
    return std::string(static_cast<const char *>(data.get()), size);
}
