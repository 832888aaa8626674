#include "program_check.h"

#include "backend.h"

#include <executorch/runtime/backend/interface.h>
#include <executorch/runtime/core/data_loader.h>
#include <executorch/runtime/kernel/operator_registry.h>
#include <executorch/schema/extended_header.h>
#include <executorch/schema/program_generated.h>

#include <algorithm>

namespace edgetam {

using executorch::runtime::DataLoader;
using executorch::runtime::ExtendedHeader;
using executorch::runtime::FreeableBuffer;

namespace {

void add_once(std::vector<std::string> &list, std::string name)
{
    if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(std::move(name));
}

FreeableBuffer load_or_fail(DataLoader &loader, size_t offset, size_t size)
{
    auto data = loader.load(offset, size,
                            DataLoader::SegmentInfo(DataLoader::SegmentInfo::Type::Program));
    if (!data.ok())
        fail(EDGETAM_ERR_MODEL_LOAD, "cannot read the program's operator table (ExecuTorch error " +
                                         std::to_string((int)data.error()) + ")");
    return std::move(data.get());
}

} // namespace

program_needs read_program_needs(DataLoader &loader)
{
    /* as Program::load finds the flatbuffer: the extended header's size, else the whole file;
     * segments start at the header's segment_base_offset */
    size_t size = 0;
    uint64_t segment_base = 0;
    {
        FreeableBuffer head = load_or_fail(loader, 0, ExtendedHeader::kNumHeadBytes);
        auto eh = ExtendedHeader::Parse(head.data(), head.size());
        if (eh.ok()) {
            size = eh->program_size;
            segment_base = eh->segment_base_offset;
        } else {
            auto whole = loader.size();
            if (!whole.ok()) fail(EDGETAM_ERR_MODEL_LOAD, "cannot size the program");
            size = whole.get();
        }
    }
    FreeableBuffer data = load_or_fail(loader, 0, size);
    /* verified again: cheap next to the load, and this code must not trust its caller */
    flatbuffers::Verifier verifier(static_cast<const uint8_t *>(data.data()), data.size());
    if (!executorch_flatbuffer::VerifyProgramBuffer(verifier))
        fail(EDGETAM_ERR_MODEL_LOAD, "the program's flatbuffer does not verify");
    const executorch_flatbuffer::Program *program = executorch_flatbuffer::GetProgram(data.data());
    program_needs needs;
    needs.file_size = size;
    if (program->segments())
        for (const executorch_flatbuffer::DataSegment *segment : *program->segments()) {
            uint64_t end;
            if (__builtin_add_overflow(segment_base, segment->offset(), &end) ||
                __builtin_add_overflow(end, segment->size(), &end))
                end = UINT64_MAX;
            needs.file_size = std::max(needs.file_size, end);
        }
    if (!program->execution_plan()) return needs;
    for (const executorch_flatbuffer::ExecutionPlan *plan : *program->execution_plan()) {
        if (plan->operators())
            for (const executorch_flatbuffer::Operator *op : *plan->operators()) {
                if (!op->name()) continue;
                std::string name = op->name()->str();
                if (op->overload() && op->overload()->size()) name += "." + op->overload()->str();
                add_once(needs.operators, std::move(name));
            }
        if (plan->delegates())
            for (const executorch_flatbuffer::BackendDelegate *d : *plan->delegates())
                if (d->id()) add_once(needs.delegates, d->id()->str());
    }
    return needs;
}

std::vector<std::string> missing_here(const program_needs &needs)
{
    std::vector<std::string> missing;
    for (const std::string &op : needs.operators)
        if (!executorch::runtime::registry_has_op_function(op.c_str()))
            missing.push_back("operator " + op);
    for (const std::string &d : needs.delegates)
        if (!executorch::runtime::get_backend_class(d.c_str()))
            missing.push_back("backend " + d);
    return missing;
}

} // namespace edgetam
