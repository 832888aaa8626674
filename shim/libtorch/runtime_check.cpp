/* The convolution self-check and the oneDNN policy (runtime_check.h). */
#include "runtime_check.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace {

struct conv_case {
    int64_t in, out, kernel, stride, groups, side; /* input side x side */
};

/* RepViT-M1's convolution kinds at a small size: the stem's two 3x3 stride-2 convolutions (the
 * second is the one oneDNN 3.7.2 gets wrong), depthwise 3x3 (token mixer, and stride 2 in the
 * downsampling layers), and a 1x1 expansion (channel mixer). */
const conv_case kCases[] = {
    {3, 24, 3, 2, 1, 64}, {24, 48, 3, 2, 1, 32}, {48, 48, 3, 1, 48, 16},
    {96, 96, 3, 2, 96, 16}, {48, 96, 1, 1, 1, 16},
};

/* Deterministic values in [-1, 1) without touching torch's random generator (the host
 * application's seeds stay as they were). */
std::vector<float> pseudo_random(size_t n, uint32_t seed, float scale)
{
    std::vector<float> v(n);
    for (auto &x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = scale * ((float)(seed >> 8) / (float)(1u << 23) - 1.0f);
    }
    return v;
}

/* The plain definition, in double: out[o][y][x] = b[o] + sum w[o][i][ky][kx] * in[g*ipg+i][..]. */
std::vector<double> reference(const conv_case &c, const std::vector<float> &in,
                              const std::vector<float> &w, const std::vector<float> &b,
                              int64_t out_side)
{
    const int64_t ipg = c.in / c.groups, opg = c.out / c.groups, k = c.kernel, pad = k / 2;
    std::vector<double> out(c.out * out_side * out_side);
    for (int64_t o = 0; o < c.out; o++)
        for (int64_t y = 0; y < out_side; y++)
            for (int64_t x = 0; x < out_side; x++) {
                double s = b[o];
                for (int64_t i = 0; i < ipg; i++)
                    for (int64_t ky = 0; ky < k; ky++)
                        for (int64_t kx = 0; kx < k; kx++) {
                            int64_t iy = y * c.stride + ky - pad, ix = x * c.stride + kx - pad;
                            if (iy < 0 || ix < 0 || iy >= c.side || ix >= c.side) continue;
                            int64_t ch = o / opg * ipg + i;
                            s += (double)w[((o * ipg + i) * k + ky) * k + kx] *
                                 in[(ch * c.side + iy) * c.side + ix];
                        }
                out[(o * out_side + y) * out_side + x] = s;
            }
    return out;
}

} // namespace

std::string convolution_error(const conv2d_fn &conv)
{
    uint32_t seed = 1;
    for (const conv_case &c : kCases) {
        const int64_t k = c.kernel, ipg = c.in / c.groups, pad = k / 2;
        const int64_t out_side = (c.side + 2 * pad - k) / c.stride + 1;
        auto in = pseudo_random(c.in * c.side * c.side, seed++, 1.0f);
        /* weights ~ 1/sqrt(fan in): outputs O(1), like a trained network's */
        auto w = pseudo_random(c.out * ipg * k * k, seed++, 1.0f / std::sqrt((float)(ipg * k * k)));
        auto b = pseudo_random(c.out, seed++, 0.1f);
        auto opts = at::TensorOptions().dtype(at::kFloat);
        at::Tensor got = conv(at::from_blob(in.data(), {1, c.in, c.side, c.side}, opts),
                              at::from_blob(w.data(), {c.out, ipg, k, k}, opts),
                              at::from_blob(b.data(), {c.out}, opts), c.stride, pad, c.groups)
                             .contiguous();
        const std::vector<double> want = reference(c, in, w, b, out_side);
        const float *g = got.data_ptr<float>();
        for (size_t i = 0; i < want.size(); i++) {
            /* float32 sums of at most 216 products of O(1) terms: correct kernels stay within
             * 1e-5 (NaN fails too) */
            if (std::fabs(g[i] - want[i]) <= 1e-4) continue;
            std::ostringstream s;
            s << c.in << " -> " << c.out << " channel " << k << "x" << k << " stride-" << c.stride
              << (c.groups > 1 ? " depthwise" : "") << " convolution gives " << g[i] << " where "
              << want[i] << " is right";
            return s.str();
        }
    }
    return "";
}

void check_convolutions(const conv2d_fn &conv, const std::function<void()> &fallback)
{
    std::string first = convolution_error(conv);
    if (first.empty()) return;
    fallback();
    std::string second = convolution_error(conv);
    if (!second.empty())
        throw std::runtime_error("this libtorch computes convolutions wrongly on this CPU, with "
                                 "oneDNN (" + first + ") and without (" + second +
                                 "); refusing to run a bundle on it");
}

namespace {

/* oneDNN's major version, 0 when unknown (dnnl_version_t starts with major, minor, patch in 2.x
 * and 3.x). */
int onednn_major()
{
    struct version_head {
        int major, minor, patch;
    };
    using version_fn = const version_head *(*)();
    auto version = reinterpret_cast<version_fn>(dlsym(RTLD_DEFAULT, "dnnl_version"));
    return version ? version()->major : 0;
}

/* oneDNN's C API, looked up at run time: Debian's libtorch links the system libdnnl (2.6 in
 * libtorch 1.13, 3.7 in 2.6); builds without it (iOS pods) have nothing to cap. AVX2 on oneDNN 3
 * (or an unknown version): it fixes 3.7's AVX-512 convolutions and costs 3-9 % of RepViT's
 * (BUNDLE.md). oneDNN 2 stays as it is: its AVX-512 kernels pass the check below, and libtorch 1.13
 * sends bfloat16 products to oneDNN whenever the CPU has AVX-512, which an AVX2 cap refuses
 * ("could not create a primitive descriptor iterator": bf16 bundles would not load). The Python
 * oracles follow the same rule (tests/runtime_policy.py). */
void cap_onednn_isa()
{
    using set_isa_fn = int (*)(int);
    const int kIsaAvx2 = 0x7; /* dnnl_cpu_isa_avx2 in oneDNN 2.x and 3.x */
    if (onednn_major() == 2) return;
    /* Refused once oneDNN has generated a kernel in this process (the host application used it
     * first): the check below then falls back if the kernels in use are wrong. */
    if (auto set_isa = reinterpret_cast<set_isa_fn>(dlsym(RTLD_DEFAULT, "dnnl_set_max_cpu_isa")))
        set_isa(kIsaAvx2);
}

} // namespace

void choose_convolution_path()
{
    static std::once_flag capped;
    std::call_once(capped, cap_onednn_isa);
    check_convolutions(
        [](const at::Tensor &x, const at::Tensor &w, const at::Tensor &b, int64_t stride,
           int64_t pad, int64_t groups) {
            return at::conv2d(x, w, b, {stride, stride}, {pad, pad}, {1, 1}, groups);
        },
        [] { at::globalContext().setUserEnabledMkldnn(false); });
}
