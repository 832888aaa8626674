/* Whether this process's libtorch computes convolutions correctly, and the oneDNN policy that
 * follows from it (BUNDLE.md, "Runtimes"). libtorch 2.6 as Debian 13 builds it (oneDNN 3.7.2)
 * computes RepViT's 24 -> 48 3x3 stride-2 stem convolution wrongly on AVX-512 CPUs: errors of the
 * size of the outputs, sometimes NaN. Nothing here is specific to a bundle; the cases are the
 * convolution shapes EdgeTAM's image encoder (RepViT-M1) uses. Throws std::runtime_error. */
#ifndef EDGETAM_RUNTIME_CHECK_H
#define EDGETAM_RUNTIME_CHECK_H

#include <ATen/core/Tensor.h>

#include <functional>
#include <string>

/* One 2D convolution of the runtime: conv(input, weight, bias, stride, padding, groups). */
using conv2d_fn = std::function<at::Tensor(const at::Tensor &, const at::Tensor &,
                                           const at::Tensor &, int64_t, int64_t, int64_t)>;

/* Runs each checked shape through `conv` and compares it with a plain double-precision loop.
 * Returns "" when all agree, else a description of the first shape that does not. */
std::string convolution_error(const conv2d_fn &conv);

/* Checks `conv`; when it is wrong, calls `fallback` once and checks again. Throws, naming the
 * wrong shape, when it is still wrong. */
void check_convolutions(const conv2d_fn &conv, const std::function<void()> &fallback);

/* The policy for this process, before a bundle first runs: caps oneDNN at AVX2 (once per
 * process; see runtime_check.cpp), then checks libtorch's own convolutions with oneDNN, falling
 * back to libtorch's native ones (mkldnn off) when they are wrong. */
void choose_convolution_path();

#endif
