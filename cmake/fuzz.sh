#!/bin/sh
# Fuzzes the library for a fixed time, as CI runs it (fuzz/README.md): builds the libFuzzer
# harnesses with clang under AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer),
# runs each for SECONDS (default 60) from a scratch copy of the seed corpus in fuzz/corpus, and
# fails on any crash, contract violation, leak, timeout or out-of-memory. Prints one
# fuzz_<harness>_execs=N line (and fuzz_<harness>_cov=N) per harness. Inputs that failed are kept
# in the build folder's artifacts/.
#   sh cmake/fuzz.sh [SECONDS [pte]]
# pte: only fuzz_bundle_pte, fuzz_bundle on ExecuTorch bundles (Debian 13; the build must have
# ExecuTorch: EDGETAM_FUZZ_CMAKE_ARGS, as cmake/check-executorch.sh's fuzz stage passes them).
# EDGETAM_FUZZ_CMAKE_ARGS: more CMake arguments (words); EDGETAM_FUZZ_BUILD: the build folder
# (default build-fuzz).
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-60}
mode=${2:-}
case $mode in
"") deps="" harnesses="fuzz_convert fuzz_bundle fuzz_bundle_meta" ;;
pte) deps=executorch harnesses=fuzz_bundle_pte ;;
*) echo "usage: sh cmake/fuzz.sh [SECONDS [pte]]" >&2; exit 2 ;;
esac
sh cmake/deps.sh ${deps:+"$deps"}
dir=${EDGETAM_FUZZ_BUILD:-build-fuzz}
# shellcheck disable=SC2086 # the extra arguments are words
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DEDGETAM_FUZZ=ON \
    -DEDGETAM_BUILD_TESTS=OFF -DEDGETAM_BUILD_EXAMPLES=OFF "-DEDGETAM_SANITIZE=address;undefined" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo ${EDGETAM_FUZZ_CMAKE_ARGS:-} >/dev/null
# shellcheck disable=SC2086 # the harnesses are words
cmake --build "$dir" -j "$(nproc)" --target $harnesses

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir/artifacts"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
export UBSAN_OPTIONS=print_stacktrace=1
failed=""

# fuzz NAME MAX_LEN [libFuzzer options...]
fuzz() {
    name=$1
    max_len=$2
    shift 2
    # libFuzzer adds what it finds to the first corpus folder: a scratch copy, never the repository
    mkdir "$work/$name"
    if [ -d "fuzz/corpus/$name" ]; then cp "fuzz/corpus/$name"/* "$work/$name/"; fi
    # libtorch's resident memory grows with every bundle loaded, hence the generous limit
    if ! "$dir/fuzz/$name" -max_total_time="$seconds" -max_len="$max_len" -timeout=60 \
        -rss_limit_mb=8192 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name-" \
        "$@" "$work/$name" >"$work/$name.log" 2>&1; then
        tail -n 60 "$work/$name.log"
        failed="$failed $name"
    fi
    echo "fuzz_${name}_execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")"
    echo "fuzz_${name}_cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: \([0-9]*\).*/\1/p' "$work/$name.log")"
}

case $mode in
"")
    fuzz fuzz_convert 4096
    fuzz fuzz_bundle 256 # a template byte, 4 length bytes, the stub's 64 bytes of tensor data
    fuzz fuzz_bundle_meta 4096 -dict=fuzz/bundle_meta.dict
    ;;
pte)
    # a template byte, 4 length bytes, then the stub's 608 bytes of constant tensors and its first
    # XNNPACK payloads
    fuzz fuzz_bundle_pte 4096
    ;;
esac

if [ -n "$failed" ]; then
    echo "fuzzing failed:$failed (inputs in $dir/artifacts; fuzz/README.md says how to reproduce)"
    exit 1
fi
