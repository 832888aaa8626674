/* What a bundle needs of the torch runtime, from its metadata (BUNDLE.md, "Runtimes"): the torch
 * that exported it, the oldest libtorch that has all of its operators, and the operators. Used
 * when a bundle fails to load or warm up, to say which operators this libtorch lacks instead of
 * passing on a TorchScript parse error. */
#ifndef EDGETAM_OPERATOR_CHECK_H
#define EDGETAM_OPERATOR_CHECK_H

#include <string>
#include <vector>

struct bundle_runtime_needs {
    std::string torch_version;       /* the exporting torch, as it names itself */
    std::string min_torch_version;   /* MAJOR.MINOR.PATCH */
    std::vector<std::string> ops;    /* "namespace::name[.overload]" */
};

/* The operators of `ops` this process's TorchScript runtime (the JIT's operator registry or the
 * dispatcher, as the lite interpreter looks them up) does not have. */
std::vector<std::string> operators_missing_here(const std::vector<std::string> &ops);

/* The libtorch this library was built against, MAJOR.MINOR.PATCH; "" when its headers do not
 * say. */
std::string libtorch_version();

/* True when MAJOR.MINOR.PATCH `a` is older than `b` (both well-formed). */
bool version_older(const std::string &a, const std::string &b);

/* Explains a failure to load or warm up a bundle whose torch `error` is given: "" when this
 * runtime has every operator and is not older than the bundle's minimum (the error is the
 * bundle's own); else the missing operators and the versions, or, when no operator is missing,
 * `error` followed by the versions. */
std::string runtime_mismatch(const bundle_runtime_needs &needs, const std::string &error);

#endif
