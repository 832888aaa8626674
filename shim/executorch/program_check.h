/* What an ExecuTorch program needs of the runtime it is loaded into: the operators its methods
 * call (kernels registered by name, e.g. aten::gelu.out) and the delegates they hand work to
 * (e.g. XnnpackBackend), read from the program itself. A .pte that needs one this build lacks
 * would fail later with a bare OperatorMissing / NotFound; checked at load, the message names it.
 * And what it needs of its file: the segments it names (delegate data, constants) must be there.
 * Throws shim_error. */
#ifndef EDGETAM_PROGRAM_CHECK_H
#define EDGETAM_PROGRAM_CHECK_H

#include <cstdint>
#include <string>
#include <vector>

namespace executorch::runtime {
class DataLoader;
}

namespace edgetam {

struct program_needs {
    std::vector<std::string> operators; /* "aten::add.out", in program order, once each */
    std::vector<std::string> delegates; /* backend ids, once each */
    /* the file's bytes the program and its segments span (saturating at UINT64_MAX): a shorter
     * file was cut short, which ExecuTorch finds only when a method loads the missing segment */
    uint64_t file_size = 0;
};

/* Reads them from the program behind `loader`, which Program::load has verified. */
program_needs read_program_needs(executorch::runtime::DataLoader &loader);

/* The operators and delegates of `needs` this process's runtime does not have. */
std::vector<std::string> missing_here(const program_needs &needs);

} // namespace edgetam

#endif
