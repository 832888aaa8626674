#!/bin/sh
# The whole test suite, as CI runs it: install dependencies, then build and run every test twice,
# once optimised and once under AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer),
# and the threaded tests (drop-if-busy, trackers sharing a model) under ThreadSanitizer.
set -eu
cd "$(dirname "$0")/.."
sh cmake/deps.sh
jobs=$(nproc)
for config in release asan tsan; do
    dir="build-check-$config"
    tests=""
    case $config in
    release) extra="" ;;
    asan) extra="-DEDGETAM_SANITIZE=address;undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    tsan) extra="-DEDGETAM_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo"
          tests="-R bad_bundles|test_tracker" ;;
    esac
    echo "=== $config ==="
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release $extra >/dev/null
    cmake --build "$dir" -j "$jobs"
    # libtorch, OpenMP and OpenBLAS are not instrumented for TSan: tests/tsan.supp says why.
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
        ctest --test-dir "$dir" --output-on-failure --verbose $tests
done
