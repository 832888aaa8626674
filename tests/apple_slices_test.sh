#!/bin/sh
# A multi-architecture Apple build compiles each file once per slice from the same flags. Checked
# without a Mac, on a dry configure (CMake's Darwin platform with clang, nothing compiled):
#   - CMAKE_OSX_ARCHITECTURES "arm64;x86_64": the AVX2 files get -mavx2 -mfma through -Xarch_x86_64
#     only, so the arm64 slice's flags (every -Xarch_x86_64 pair removed) never carry them, and the
#     NEON files are compiled;
#   - "arm64" alone: no AVX2 file and no AVX2 flag at all;
#   - src/converter_simd.h, preprocessed per slice: NEON kernels for arm64, AVX2 for x86_64 only.
#   sh tests/apple_slices_test.sh SOURCE_DIR SCRATCH_DIR
set -eu
src=$1
scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"

configure() { # $1: build dir, $2: architectures
    cmake -S "$src" -B "$1" -G "Unix Makefiles" -DCMAKE_SYSTEM_NAME=Darwin -DCMAKE_OSX_SYSROOT=macosx \
        "-DCMAKE_OSX_ARCHITECTURES=$2" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
        -DCMAKE_C_COMPILER_WORKS=ON -DCMAKE_CXX_COMPILER_WORKS=ON -DCMAKE_HAVE_LIBC_PTHREAD=ON \
        -DEDGETAM_WITH_LIBTORCH=OFF -DEDGETAM_BUILD_TESTS=OFF -DEDGETAM_BUILD_EXAMPLES=OFF \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$1.log" 2>&1 || { cat "$1.log"; exit 1; }
}

configure "$scratch/multi" "arm64;x86_64"
configure "$scratch/arm64" "arm64"

/usr/bin/python3 - "$scratch" <<'PY'
import json, os, shlex, sys

scratch = sys.argv[1]

def commands(build):
    with open(os.path.join(scratch, build, "compile_commands.json")) as f:
        return {os.path.basename(e["file"]): shlex.split(e["command"]) for e in json.load(f)}

def arm64_slice(args):
    """The flags the arm64 slice compiles with: every -Xarch_x86_64 pair dropped."""
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a == "-Xarch_x86_64":
            skip = True
        else:
            out.append(a)
    return out

avx2_flags = {"-mavx2", "-mfma"}
multi = commands("multi")
for f in ("resample_avx2.c", "normalize_avx2.c", "postprocess_avx2.c"):
    args = multi.get(f)
    assert args, f"{f} is not compiled in a multi-architecture build"
    pairs = {args[i + 1] for i, a in enumerate(args[:-1]) if a == "-Xarch_x86_64"}
    assert avx2_flags <= pairs, f"{f}: the x86_64 slice lacks -mavx2 -mfma: {args}"
for f in ("resample_neon.c", "normalize_neon.c", "postprocess_neon.c"):
    assert f in multi, f"{f} is not compiled in a multi-architecture build"
for f, args in multi.items():
    leak = avx2_flags & set(arm64_slice(args))
    assert not leak, f"{f}: the arm64 slice sees {leak}: {args}"

arm64 = commands("arm64")
assert "resample_avx2.c" not in arm64 and "normalize_avx2.c" not in arm64, "AVX2 files in an arm64 build"
assert "resample_neon.c" in arm64, "no NEON kernels in an arm64 build"
for f, args in arm64.items():
    assert not avx2_flags & set(args), f"{f}: AVX2 flags in an arm64 build: {args}"
print(f"multi-architecture: {len(multi)} files, -mavx2 on x86_64 only; arm64 alone: no AVX2")
PY

# what each slice's compiler makes of the kernel-set switch (EDGETAM_BUILD_AVX2 set, as above)
macros() { clang --target="$1" -DEDGETAM_BUILD_AVX2 -E -dM -x c "$src/src/converter_simd.h"; }
expect() { # $1: slice, $2: the kernel set it has, $3: the one it must not have
    macros "$1-apple-macos11" >"$scratch/$1.macros"
    grep -q "EDGETAM_HAVE_$2_KERNELS" "$scratch/$1.macros" || { echo "$1: no $2 kernels"; exit 1; }
    if grep -q "EDGETAM_HAVE_$3_KERNELS" "$scratch/$1.macros"; then echo "$1: $3 kernels"; exit 1; fi
}
expect arm64 NEON AVX2
expect x86_64 AVX2 NEON
echo "converter_simd.h: arm64 slice NEON only, x86_64 slice AVX2 only"
