#!/bin/sh
# The whole test suite, as CI runs it: install dependencies, then build and run every test twice,
# once optimised and once under AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer).
set -eu
cd "$(dirname "$0")/.."
sh cmake/deps.sh
jobs=$(nproc)
for config in release asan; do
    dir="build-check-$config"
    case $config in
    release) extra="" ;;
    asan) extra="-DEDGETAM_SANITIZE=address;undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo" ;;
    esac
    echo "=== $config ==="
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release $extra >/dev/null
    cmake --build "$dir" -j "$jobs"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir "$dir" --output-on-failure --verbose
done
