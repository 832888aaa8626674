#!/bin/sh
# The whole test suite, as CI runs it: install dependencies, then build and run every test three
# times: optimised, under AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer), and
# under ThreadSanitizer; then fuzz each libFuzzer harness for a fixed time (cmake/fuzz.sh).
#   sh cmake/check.sh                          (EDGETAM_FUZZ_SECONDS=60 by default)
set -eu
cd "$(dirname "$0")/.."
sh cmake/deps.sh
jobs=$(nproc)
for config in release asan tsan; do
    dir="build-check-$config"
    case $config in
    release) extra="" ;;
    asan) extra="-DEDGETAM_SANITIZE=address;undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    tsan) extra="-DEDGETAM_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    esac
    echo "=== $config ==="
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release $extra >/dev/null
    cmake --build "$dir" -j "$jobs"
    # libtorch and the libraries it runs in are not instrumented for TSan: tests/tsan.supp says why;
    # libtorch 1.13 leaks when TorchScript compilation fails: tests/lsan.supp.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
    TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
        ctest --test-dir "$dir" --output-on-failure --verbose
done
echo "=== fuzz ==="
sh cmake/fuzz.sh "${EDGETAM_FUZZ_SECONDS:-60}"
