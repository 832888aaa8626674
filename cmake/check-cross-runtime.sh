#!/bin/sh
# Bundles across runtimes (shim/BUNDLE.md, "Across runtimes"), run by cmake/check-debian13.sh with
# the Debian 13 root ROOT mounted and built (libtorch and torch 2.6 in ROOT/build; the tree in
# ROOT/src) and this Debian 12 host's optimised build (libtorch and torch 1.13) in
# build-check-release, made here when absent:
#   - each runtime replays the golden session on bundles the other torch exported, full and lite:
#     the stand-in (as the tests build it) and the EdgeTAM-shaped profile at S = 256 (the real
#     architecture, random weights with objects present: --sensitive), against the Python oracle run by the exporting torch on the
#     same file (different exports of one model differ in their last bits, and the session
#     amplifies that: runtimes are compared on the same file);
#   - libtorch 1.13 refuses a bundle that calls an operator of torch >= 2.0
#     (scaled_dot_product_attention: a bad bundle, and the stand-in exported with --attention sdpa)
#     with a message naming the operator and the versions.
#   sh cmake/check-cross-runtime.sh ROOT
set -eu
cd "$(dirname "$0")/.."
root=$1
host=$PWD/build-check-release

in_root() {
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        OMP_NUM_THREADS="$(nproc)" "$@"
}

if [ ! -x "$host/tests/test_golden" ]; then
    cmake -S . -B "$host" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$host" -j "$(nproc)"
fi
# the stand-in's oracle and the bad bundles are ctest fixtures
ctest --test-dir "$host" -R '^(golden_reference|bad_bundles)$' >/dev/null

x=$root/cross
rm -rf "$x"
mkdir -p "$x/torch-1.13" "$x/torch-2.6"

# Each torch exports the stand-in (already built) and the profile in both kinds, and runs the
# oracle on its full bundle; the lite bundle holds the same program.
cp -r "$host/standin.edgetam" "$host/standin.ptl" "$host/tests/golden" "$x/torch-1.13/"
for kind in full lite; do
    flag=$([ $kind = lite ] && echo --lite || true)
    ext=$([ $kind = lite ] && echo ptl || echo edgetam)
    OMP_NUM_THREADS=$(nproc) /usr/bin/python3 shim/export/make_standin_bundle.py --profile edgetam --sensitive \
        --image-size 256 $flag --out "$x/torch-1.13/profile256.$ext"
    in_root /usr/bin/python3 /src/shim/export/make_standin_bundle.py --profile edgetam --sensitive \
        --image-size 256 $flag --out "/cross/torch-2.6/profile256.$ext"
done
OMP_NUM_THREADS=$(nproc) /usr/bin/python3 tests/golden_reference.py \
    --bundle "$x/torch-1.13/profile256.edgetam" --out "$x/torch-1.13/golden256" >/dev/null
in_root /usr/bin/python3 /src/tests/golden_reference.py \
    --bundle /cross/torch-2.6/profile256.edgetam --out /cross/torch-2.6/golden256 >/dev/null
cp -r "$root/build/standin.edgetam" "$root/build/standin.ptl" "$root/build/tests/golden" \
    "$x/torch-2.6/"

# replay TOLERANCE COMMAND...: runs test_golden, prints its comparison lines
replay() {
    tol=$1
    shift
    out=$("$@" --tol-logit "$tol" 2>&1) || { echo "$out"; echo "FAILED: $*"; exit 1; }
    echo "$out" | grep '^golden:'
}
# Tolerances (BUNDLE.md, "Across runtimes"): measured 1.0e-5 for the profile, as close as the
# library is to its own runtime's oracle; 2.5e-4 for the stand-in, whose weights amplify.
for b in standin.edgetam:golden:1e-3 standin.ptl:golden:1e-3 \
    profile256.edgetam:golden256:1e-4 profile256.ptl:golden256:1e-4; do
    file=${b%%:*} rest=${b#*:}
    dir=${rest%%:*} tol=${rest#*:}
    echo "=== libtorch 2.6 runs $file exported by torch 1.13 ==="
    replay "$tol" in_root /build/tests/test_golden "/cross/torch-1.13/$file" \
        "/cross/torch-1.13/$dir"
    echo "=== libtorch 1.13 runs $file exported by torch 2.6 ==="
    replay "$tol" "$host/tests/test_golden" "$x/torch-2.6/$file" "$x/torch-2.6/$dir"
done

# newer_op: one method through scaled_dot_product_attention; standin_sdpa: the stand-in exported
# with --attention sdpa
for newer in "$root/build/tests/bad_bundles/newer_op.edgetam" "$root/build/standin_sdpa.edgetam"; do
    echo "=== libtorch 1.13 refuses $(basename "$newer"), which needs torch >= 2.0 ==="
    if "$host/examples/edgetam-minimal" "$newer" >"$x/refusal.txt" 2>&1; then
        echo "libtorch 1.13 loaded $newer"; exit 1
    fi
    cat "$x/refusal.txt"
    grep -q "lacks operator aten::scaled_dot_product_attention: the bundle was exported by torch 2.6" \
        "$x/refusal.txt"
done
