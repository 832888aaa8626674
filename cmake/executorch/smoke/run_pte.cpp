// Smoke test of an ExecuTorch install made by cmake/executorch/build.sh: loads a .pte the way the
// edgetam backend will (Program/Method, MallocMemoryAllocator-based MemoryManager, mmap or file
// data loader), runs one method on float32 inputs read from raw files, compares its first output
// with a raw float32 reference, and checks that the logging PAL hook can be overridden.
//   run_pte PROGRAM.pte METHOD EXPECTED.f32 INPUT0.f32 [INPUT1.f32 ...] [--file-loader]
#include <executorch/extension/data_loader/file_data_loader.h>
#include <executorch/extension/data_loader/mmap_data_loader.h>
#include <executorch/extension/memory_allocator/malloc_memory_allocator.h>
#include <executorch/runtime/executor/method.h>
#include <executorch/runtime/executor/program.h>
#include <executorch/runtime/platform/platform.h>
#include <executorch/runtime/platform/runtime.h>
#include <executorch/schema/program_generated.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

using executorch::aten::ScalarType;
using executorch::aten::Tensor;
using executorch::aten::TensorImpl;
using executorch::extension::FileDataLoader;
using executorch::extension::MallocMemoryAllocator;
using executorch::extension::MmapDataLoader;
using executorch::runtime::DataLoader;
using executorch::runtime::Error;
using executorch::runtime::EValue;
using executorch::runtime::HierarchicalAllocator;
using executorch::runtime::MemoryManager;
using executorch::runtime::Method;
using executorch::runtime::Program;
using executorch::runtime::Span;

static int g_log_messages = 0;
static std::string g_last_log;
static std::string g_all_logs;

// A strong definition replaces ExecuTorch's weak default (runtime/platform/default/posix.cpp),
// which prints to stderr: the library captures messages the same way.
extern "C" void et_pal_emit_log_message(et_timestamp_t, et_pal_log_level_t level, const char*,
                                        const char*, size_t, const char* message, size_t length) {
    ++g_log_messages;
    g_last_log = std::string(1, static_cast<char>(level)) + " " + std::string(message, length);
    g_all_logs += g_last_log + "\n";
}

static std::vector<float> read_f32(const char* path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<float> v(bytes.size() / sizeof(float));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
    return v;
}

int main(int argc, char** argv) {
    bool file_loader = false;
    std::vector<const char*> args;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--file-loader") == 0) file_loader = true;
        else args.push_back(argv[i]);
    }
    if (args.size() < 4) {
        std::fprintf(stderr, "usage: run_pte PROGRAM.pte METHOD EXPECTED.f32 INPUT.f32... [--file-loader]\n");
        return 2;
    }
    executorch::runtime::runtime_init();

    std::unique_ptr<DataLoader> loader;
    if (file_loader) {
        auto l = FileDataLoader::from(args[0]);
        if (!l.ok()) return std::fprintf(stderr, "FileDataLoader: error %d\n", (int)l.error()), 1;
        loader = std::make_unique<FileDataLoader>(std::move(*l));
    } else {
        auto l = MmapDataLoader::from(args[0], MmapDataLoader::MlockConfig::NoMlock);
        if (!l.ok()) return std::fprintf(stderr, "MmapDataLoader: error %d\n", (int)l.error()), 1;
        loader = std::make_unique<MmapDataLoader>(std::move(*l));
    }
    auto program = Program::load(loader.get(), Program::Verification::InternalConsistency);
    if (!program.ok()) return std::fprintf(stderr, "Program::load: error %d\n", (int)program.error()), 1;

    // the operator list, read from the program's flatbuffer with the installed schema header
    // (the .pte starts with the flatbuffer; a 64-byte extended header may follow its root offset)
    {
        auto head = loader->load(0, 64, {});
        auto size = loader->size();
        if (head.ok() && size.ok()) {
            auto all = loader->load(0, *size, {});
            const auto* fb = executorch_flatbuffer::GetProgram(all->data());
            std::printf("operators:");
            for (const auto* plan : *fb->execution_plan())
                for (const auto* op : *plan->operators())
                    std::printf(" %s%s%s", op->name()->c_str(), op->overload()->size() ? "." : "",
                                op->overload()->c_str());
            std::printf("\n");
        }
    }

    // a missing method is logged through the PAL hook: proves the override took
    const int before = g_log_messages;
    auto missing = program->method_meta("no_such_method");
    if (missing.ok() || g_log_messages == before)
        return std::fprintf(stderr, "log hook not called (%d messages)\n", g_log_messages), 1;
    std::printf("log hook: captured \"%s\"\n", g_last_log.c_str());

    auto meta = program->method_meta(args[1]);
    if (!meta.ok()) return std::fprintf(stderr, "method_meta(%s): error %d\n", args[1], (int)meta.error()), 1;
    std::vector<std::unique_ptr<uint8_t[]>> planned;
    std::vector<Span<uint8_t>> spans;
    for (size_t i = 0; i < meta->num_memory_planned_buffers(); ++i) {
        size_t n = static_cast<size_t>(*meta->memory_planned_buffer_size(i));
        planned.emplace_back(new uint8_t[n]);
        spans.emplace_back(planned.back().get(), n);
    }
    HierarchicalAllocator planned_memory({spans.data(), spans.size()});
    MallocMemoryAllocator method_allocator, temp_allocator;
    MemoryManager memory_manager(&method_allocator, &planned_memory, &temp_allocator);
    auto method = program->load_method(args[1], &memory_manager);
    if (!method.ok()) return std::fprintf(stderr, "load_method: error %d; log:\n%s", (int)method.error(), g_all_logs.c_str()), 1;

    // inputs: float32 tensors of the method's declared shapes, data from the files
    std::vector<std::vector<float>> input_data;
    std::vector<std::vector<TensorImpl::SizesType>> sizes(meta->num_inputs());
    std::vector<std::vector<TensorImpl::DimOrderType>> orders(meta->num_inputs());
    std::vector<std::unique_ptr<TensorImpl>> impls;
    if (args.size() - 3 != meta->num_inputs())
        return std::fprintf(stderr, "%zu inputs given, the method has %zu\n", args.size() - 3, meta->num_inputs()), 1;
    for (size_t i = 0; i < meta->num_inputs(); ++i) {
        auto info = meta->input_tensor_meta(i);
        if (!info.ok() || info->scalar_type() != ScalarType::Float) return std::fprintf(stderr, "input %zu: not float32\n", i), 1;
        input_data.push_back(read_f32(args[3 + i]));
        size_t numel = 1;
        for (auto s : info->sizes()) sizes[i].push_back(s), numel *= s;
        for (auto d : info->dim_order()) orders[i].push_back(d);
        if (input_data.back().size() != numel) return std::fprintf(stderr, "input %zu: %zu floats, expected %zu\n", i, input_data.back().size(), numel), 1;
        impls.emplace_back(new TensorImpl(ScalarType::Float, sizes[i].size(), sizes[i].data(),
                                          input_data.back().data(), orders[i].data()));
        Error e = method->set_input(EValue(Tensor(impls.back().get())), i);
        if (e != Error::Ok) return std::fprintf(stderr, "set_input %zu: error %d\n", i, (int)e), 1;
    }
    Error e = method->execute();
    if (e != Error::Ok) return std::fprintf(stderr, "execute: error %d; log:\n%s", (int)e, g_all_logs.c_str()), 1;

    const Tensor out = method->get_output(0).toTensor();
    std::vector<float> expected = read_f32(args[2]);
    if (static_cast<size_t>(out.numel()) != expected.size())
        return std::fprintf(stderr, "output: %zd values, expected %zu\n", (ssize_t)out.numel(), expected.size()), 1;
    const float* got = out.const_data_ptr<float>();
    double max_diff = 0, sum = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        max_diff = std::fmax(max_diff, std::fabs(got[i] - expected[i]));
        sum += got[i];
    }
    std::printf("%s: %zd outputs, sum %.6f, max |diff| to PyTorch eager %.3g\n", args[1], (ssize_t)out.numel(), sum, max_diff);
    return max_diff <= 1e-4 ? 0 : 1;
}
