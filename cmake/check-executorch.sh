#!/bin/sh
# The ExecuTorch backend's test suite, as CI runs it (README, "ExecuTorch"), on Debian 13 (ExecuTorch
# v0.5.0's kernel registration needs torch 2.6): installs the dependencies, builds ExecuTorch's
# runtime from source (cmake/executorch/build.sh: offline from ../shared/deps when present), then
# a library with ExecuTorch and without libtorch (the phone build) and runs every test on the
# stand-in .pte; then the same under AddressSanitizer + UBSan, its threaded tests under
# ThreadSanitizer, fuzz_bundle on .pte inputs, and the aarch64 cross build, whose golden session,
# stream and adapter tests run under qemu.
#   sh cmake/check-executorch.sh [release|asan|tsan|fuzz|aarch64 ...]     (default: all of them)
# The runtime installs go to build-executorch/ (cached in ${EDGETAM_CACHE_DIR:-/var/cache/edgetam}
# across runs), the library builds to build-et-<stage>/.
set -eu
cd "$(dirname "$0")/.."
stages=${*:-release asan tsan fuzz aarch64}
case " $stages " in
*" aarch64 "*) sh cmake/deps.sh executorch-arm64 ;;
*) sh cmake/deps.sh executorch ;;
esac
jobs=$(nproc)
et=$PWD/build-executorch
sh cmake/executorch/build.sh --arch x86_64 --prefix "$et/x86_64"
# the exporter that writes the .pte bundles: ExecuTorch's Python tree, used from PYTHONPATH
[ -d "$et/python/executorch" ] || sh cmake/executorch/assemble.sh --system-deps "$et/python"
common="-DEDGETAM_WITH_LIBTORCH=OFF -DEDGETAM_WITH_EXECUTORCH=ON -DEDGETAM_EXECUTORCH_PYTHONPATH=$et/python"
release=$PWD/build-et-release

# Configures and builds build-et-$1 for x86-64 with the extra CMake arguments that follow.
build() {
    dir=build-et-$1
    shift
    echo "=== ExecuTorch: $dir ==="
    # shellcheck disable=SC2086 # $common holds words
    cmake -S . -B "$dir" $common -DEDGETAM_EXECUTORCH_DIR="$et/x86_64" "$@" >/dev/null
    cmake --build "$dir" -j "$jobs"
}

for stage in $stages; do
    case $stage in
    release)
        build release -DCMAKE_BUILD_TYPE=Release
        ctest --test-dir build-et-release --output-on-failure
        ;;
    asan | tsan)
        # the stand-ins and their broken variants are those of the release build; ExecuTorch and
        # Debian's XNNPACK are not instrumented (tests/tsan.supp says what that means for TSan)
        [ -f "$release/standin.pte" ] || { echo "run the release stage first" >&2; exit 1; }
        # ASan: every ExecuTorch test; TSan (tests run ~50x slower): those with threads of their
        # own (drop-if-busy, streams, the thread policy, stress), not faults or golden replays
        case $stage in
        asan) san="address;undefined" tests="_pte$|^test_api$" ;;
        tsan) san=thread tests="^test_(tracker|stream|thread_policy|stress)_pte$" ;;
        esac
        build "$stage" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGETAM_SANITIZE="$san" \
            -DEDGETAM_BUILD_EXAMPLES=OFF -DEDGETAM_STANDIN_DIR="$release"
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
        TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/tests/tsan.supp" \
            ctest --test-dir "build-et-$stage" --output-on-failure -R "$tests"
        ;;
    fuzz)
        EDGETAM_FUZZ_CMAKE_ARGS="$common -DEDGETAM_EXECUTORCH_DIR=$et/x86_64" \
            EDGETAM_FUZZ_BUILD=build-et-fuzz sh cmake/fuzz.sh "${EDGETAM_FUZZ_SECONDS:-60}" pte
        ;;
    aarch64)
        [ -f "$release/standin.pte" ] || { echo "run the release stage first" >&2; exit 1; }
        # this runtime runs only the stand-in: its portable kernels are those the stand-in calls
        # (a third of the build time of all of them; the loader names any kernel missing)
        PYTHONPATH="$et/python" python3 shim/export/bundle_pte.py --operators \
            "$release/standin.pte" >"$et/standin-ops.txt"
        sh cmake/executorch/build.sh --arch aarch64 --prefix "$et/aarch64" --ops "$et/standin-ops.txt"
        echo "=== ExecuTorch: build-et-aarch64 (cross, tests under qemu) ==="
        # shellcheck disable=SC2086
        cmake -S . -B build-et-aarch64 $common -DEDGETAM_EXECUTORCH_DIR="$et/aarch64" \
            -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake \
            -DCMAKE_BUILD_TYPE=Release -DEDGETAM_BUILD_EXAMPLES=OFF \
            -DEDGETAM_STANDIN_DIR="$release" >/dev/null
        cmake --build build-et-aarch64 -j "$jobs"
        # the golden session (the tracker on XNNPACK's ARM kernels against the Python reference),
        # streams and the CoreVideo adapter; test_tracker and test_faults load every broken bundle
        # and take 7 minutes and more under qemu: they run natively in the other stages
        ctest --test-dir build-et-aarch64 --output-on-failure -R "^test_(golden|stream|apple_adapter)_pte$"
        ;;
    *)
        echo "unknown stage $stage" >&2
        exit 2
        ;;
    esac
done
