/* The shim's convolution self-check (shim/libtorch/runtime_check.h): this libtorch passes it; a
 * convolution wrong in one element of the 24 -> 48 stem case, or NaN there, is caught and named;
 * a wrong runtime makes the check fall back once, and refuses when the fallback is wrong too. */
#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "runtime_check.h"

/* last: cmocka's macros (fail, ...) would rewrite names in the C++ headers */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" { /* this cmocka declares print_error outside its C++ guard */
#include <cmocka.h>
}

namespace {

at::Tensor torch_conv(const at::Tensor &x, const at::Tensor &w, const at::Tensor &b,
                      int64_t stride, int64_t pad, int64_t groups)
{
    return at::conv2d(x, w, b, {stride, stride}, {pad, pad}, {1, 1}, groups);
}

/* libtorch's convolution with `delta` added to one output of the 24 -> 48 case only. */
conv2d_fn stem_off_by(float delta)
{
    return [delta](const at::Tensor &x, const at::Tensor &w, const at::Tensor &b, int64_t stride,
                   int64_t pad, int64_t groups) {
        at::Tensor y = torch_conv(x, w, b, stride, pad, groups);
        if (w.size(0) == 48 && w.size(1) == 24) y[0][7][3][5] += delta;
        return y;
    };
}

void expect_error_naming_the_stem(const conv2d_fn &conv)
{
    const std::string e = convolution_error(conv);
    if (e.find("24 -> 48 channel 3x3 stride-2 convolution gives") == std::string::npos)
        fail_msg("error \"%s\" does not name the stem convolution", e.c_str());
}

void test_this_runtime_is_right(void **)
{
    choose_convolution_path(); /* as a load does */
    assert_string_equal(convolution_error(torch_conv).c_str(), "");
}

void test_one_wrong_output_is_caught(void **)
{
    expect_error_naming_the_stem(stem_off_by(1e-3f)); /* 10x the tolerance */
    expect_error_naming_the_stem(stem_off_by(NAN));
    assert_string_equal(convolution_error(stem_off_by(1e-6f)).c_str(), ""); /* rounding passes */
}

void test_fallback_then_refusal(void **)
{
    int fallbacks = 0;
    check_convolutions(torch_conv, [&] { fallbacks++; });
    assert_int_equal(fallbacks, 0);

    bool wrong = true; /* a runtime whose fallback computes correctly */
    check_convolutions(
        [&](const at::Tensor &x, const at::Tensor &w, const at::Tensor &b, int64_t s, int64_t p,
            int64_t g) { return stem_off_by(wrong ? 3.3f : 0.0f)(x, w, b, s, p, g); },
        [&] {
            fallbacks++;
            wrong = false;
        });
    assert_int_equal(fallbacks, 1);

    try {
        check_convolutions(stem_off_by(3.3f), [&] { fallbacks++; });
        fail_msg("a runtime wrong with and without oneDNN was accepted");
    } catch (const std::runtime_error &e) {
        const std::string msg = e.what();
        if (msg.find("computes convolutions wrongly on this CPU") == std::string::npos ||
            msg.find("24 -> 48") == std::string::npos)
            fail_msg("refusal \"%s\" does not say what and where", msg.c_str());
    }
    assert_int_equal(fallbacks, 2);
}

} // namespace

int main()
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_this_runtime_is_right),
        cmocka_unit_test(test_one_wrong_output_is_caught),
        cmocka_unit_test(test_fallback_then_refusal),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
