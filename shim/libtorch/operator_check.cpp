/* Operator lookup against this process's runtime (see operator_check.h). */
#include "operator_check.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/jit/runtime/operator.h>
#if __has_include(<torch/version.h>)
#include <torch/version.h>
#endif

#include <cstdio>

std::vector<std::string> operators_missing_here(const std::vector<std::string> &ops)
{
    std::vector<std::string> missing;
    for (const std::string &op : ops) {
        /* "aten::add.Tensor": the overload follows the first '.' after the namespace */
        size_t ns = op.find("::"), dot = op.find('.', ns == std::string::npos ? 0 : ns);
        c10::OperatorName name(op.substr(0, dot),
                               dot == std::string::npos ? "" : op.substr(dot + 1));
        if (!torch::jit::findOperatorFor(name) && !c10::Dispatcher::singleton().findSchema(name))
            missing.push_back(op);
    }
    return missing;
}

std::string libtorch_version()
{
#ifdef TORCH_VERSION_MAJOR
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
#else
    return ""; /* headers without torch/version.h: unknown */
#endif
}

bool version_older(const std::string &a, const std::string &b)
{
    int va[3] = {0, 0, 0}, vb[3] = {0, 0, 0};
    std::sscanf(a.c_str(), "%d.%d.%d", &va[0], &va[1], &va[2]);
    std::sscanf(b.c_str(), "%d.%d.%d", &vb[0], &vb[1], &vb[2]);
    for (int i = 0; i < 3; i++)
        if (va[i] != vb[i]) return va[i] < vb[i];
    return false;
}

std::string runtime_mismatch(const bundle_runtime_needs &needs, const std::string &error)
{
    if (needs.min_torch_version.empty()) return ""; /* a bundle from before these keys */
    const std::string here = libtorch_version();
    const std::vector<std::string> missing = operators_missing_here(needs.ops);
    const bool older = !here.empty() && version_older(here, needs.min_torch_version);
    if (missing.empty() && !older) return "";
    const std::string versions = "the bundle was exported by torch " + needs.torch_version +
                                 " and needs libtorch >= " + needs.min_torch_version;
    if (missing.empty()) return error + " (" + versions + "; this is libtorch " + here + ")";
    std::string msg = "this libtorch" + (here.empty() ? "" : " (" + here + ")") + " lacks operator";
    msg += missing.size() > 1 ? "s " : " ";
    for (size_t i = 0; i < missing.size(); i++) msg += (i ? ", " : "") + missing[i];
    return msg + ": " + versions + " (export it again with an older torch, or link a newer "
                                   "libtorch)";
}
