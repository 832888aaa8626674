/* A bundle's TorchScript program, whichever interpreter runs it:
 * - the full JIT (torch::jit::load) for bundles written by torch.jit.save (.edgetam);
 * - the lite interpreter (torch::jit::_load_for_mobile) for bundles written by
 *   _save_for_lite_interpreter (.ptl), which is all LibTorch-Lite (the iOS pod) can run.
 * A lite bundle is recognised by its content (bytecode.pkl), not by its name. Builds with
 * EDGETAM_TORCH_LITE (against LibTorch-Lite) contain only the lite interpreter.
 * Torch errors propagate as exceptions; edgetam_shim.cpp turns them into statuses. */
#ifndef EDGETAM_BUNDLE_PROGRAM_H
#define EDGETAM_BUNDLE_PROGRAM_H

#include <ATen/core/ivalue.h>

#include <memory>
#include <string>
#include <vector>

class bundle_program {
public:
    virtual ~bundle_program() = default;
    /* Runs a method. Safe from several threads at once once every method has run once (the lite
     * interpreter resolves a method's operators on its first run). */
    virtual c10::IValue call(const char *method, std::vector<c10::IValue> args) const = 0;
    /* Number of arguments of `method` without self; -1 if the bundle has no such method. */
    virtual int arity(const char *method) const = 0;
    virtual bool lite() const = 0;
};

/* Loads `path` in inference (eval) mode. */
std::unique_ptr<bundle_program> load_bundle_program(const std::string &path);

/* The contents of the archive's extra/`name` file, "" when it has none; reads nothing else, so it
 * works for bundles the runtime cannot load. */
std::string read_bundle_extra_file(const std::string &path, const std::string &name);

#endif
