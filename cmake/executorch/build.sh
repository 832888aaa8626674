#!/bin/sh
# Builds ExecuTorch v0.5.0's C++ runtime for edgetam and installs it into a prefix:
#   sh cmake/executorch/build.sh --arch x86_64|aarch64 --prefix DIR [--deps system|source]
#                                [--ops FILE] [--build-dir DIR] [--jobs N] [--no-cache]
# What: the core runtime (executorch_core, executorch with the primitive ops), the portable kernels
# with their registration library (portable_ops_lib), the XNNPACK delegate (xnnpack_backend),
# extension_data_loader (file, mmap) and extension_threadpool; ExecuTorch's Release flags (-O2,
# no exceptions/RTTI, function sections; NDEBUG not defined, as upstream), -fPIC, logging on
# (EXECUTORCH_ENABLE_LOGGING=ON; the PAL hook et_pal_emit_log_message is a weak symbol, so the
# library can define its own), program verification on (Release turns it off: the flatbuffer
# verifier behind Program::Verification::InternalConsistency, for untrusted files); plus the
# headers, the program schema header, flatbuffers' headers and lib/cmake/edgetam-executorch/ (link
# order, whole-archive, system libraries). Use a prefix of its own: nothing is removed from it.
# Must run on Debian 13 (trixie) or newer: the kernel-registration codegen runs torch 2.6's
# torchgen (python3-torch; `sh cmake/deps.sh executorch`, and `sh cmake/deps.sh executorch-arm64`
# for --arch aarch64, cross-built with Debian's gcc-aarch64-linux-gnu, codegen on the host).
#   --deps system (default when Debian's libxnnpack-dev for the arch is installed): XNNPACK,
#       pthreadpool and cpuinfo are Debian's shared libraries (XNNPACK at ExecuTorch's own pin),
#       flatc and flatbuffers' headers Debian's: only ExecuTorch's own code is compiled.
#   --deps source: all from the pinned submodules (static XNNPACK, cpuinfo, pthreadpool; a host
#       flatc from the pinned flatbuffers), as upstream builds it; slower, for other systems.
#   --ops FILE: compile and register only these portable kernels (one operator a line, as the
#       programs name them: aten::gelu.out; select_ops.py), not all ~170 (most of the build time).
#       A program that needs another one fails to load with error 20 (OperatorMissing).
#   CC, CXX: other target compilers. --deps source on aarch64 needs clang (CC=clang CXX=clang++):
#       the pinned XNNPACK fails with GCC >= 13 there, and ExecuTorch's half.h with GCC <= 12.
# Sources: assemble.sh (offline archives from ${EDGETAM_DEPS_DIR:-../shared/deps}, else git).
# Cache: a complete install is kept in ${EDGETAM_CACHE_DIR:-/var/cache/edgetam}/executorch-KEY-ARCH
# (KEY: a digest of these scripts, which pin every source, of the --ops list, the compilers' and
# Debian packages' versions) and copied from there when present; an unwritable folder only warns.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
usage() { sed -n '2,30p' "$0" >&2; exit 2; }

arch="" prefix="" deps="" ops="" build="" jobs=$(nproc 2>/dev/null || echo 2) cache=1
while [ $# -gt 0 ]; do
    case $1 in
    --arch) arch=${2:-}; shift 2 ;;
    --prefix) prefix=${2:-}; shift 2 ;;
    --deps) deps=${2:-}; shift 2 ;;
    --ops) ops=${2:-}; shift 2 ;;
    --build-dir) build=${2:-}; shift 2 ;;
    --jobs) jobs=${2:-}; shift 2 ;;
    --no-cache) cache=0; shift ;;
    *) usage ;;
    esac
done
case $arch in
x86_64) debarch=amd64 cxx=g++ toolchain="" ;;
aarch64) debarch=arm64 cxx=aarch64-linux-gnu-g++ toolchain=$repo/cmake/toolchain-aarch64-linux-gnu.cmake ;;
*) usage ;;
esac
[ -n "$prefix" ] || usage
if [ -n "$ops" ]; then
    [ -f "$ops" ] || { echo "build.sh: no file $ops" >&2; exit 1; }
    ops=$(cd "$(dirname "$ops")" && pwd)/$(basename "$ops")
fi
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if [ -z "$deps" ]; then
    deps=source
    installed "libxnnpack-dev:$debarch" && deps=system
fi
case $deps in system | source) ;; *) usage ;; esac
build=${build:-$repo/build-executorch/$arch-$deps}
python=${EDGETAM_PYTHON:-/usr/bin/python3}
cxx=${CXX:-$cxx}
command -v "$cxx" >/dev/null || { echo "build.sh: no $cxx (sh cmake/deps.sh executorch${toolchain:+-arm64})" >&2; exit 1; }

# ---- cache -------------------------------------------------------------------------------------
# Everything that changes the install: our scripts (assemble.sh pins every source by digest and
# commit), the toolchain, cmake, the codegen's torch and, with --deps system, Debian's libraries.
packages="python3-torch cmake"
[ "$deps" = system ] && packages="$packages flatbuffers-compiler libflatbuffers-dev libxnnpack-dev:$debarch libpthreadpool0:$debarch libcpuinfo0:$debarch libpthreadpool-dev libcpuinfo-dev"
key=$(
    cd "$here"
    cat build.sh assemble.sh system-deps.cmake executorch_srcs.cmake edgetam-executorch-config.cmake.in \
        select_ops.py portable-ops/CMakeLists.txt
    [ -z "$toolchain" ] || cat "$toolchain"
    [ -z "$ops" ] || cat "$ops"
    echo "arch=$arch deps=$deps ops=${ops:+selected} CC=${CC:-} CXX=${CXX:-}"
    "$cxx" --version | head -n 1
    # shellcheck disable=SC2086 # one word per package
    dpkg-query -W -f='${Package}:${Architecture}=${Version}\n' $packages 2>/dev/null || true
)
key=$(echo "$key" | sha256sum | cut -c1-16)
cache_dir=${EDGETAM_CACHE_DIR:-/var/cache/edgetam}/executorch-$key-$arch
if [ "$cache" = 1 ] && [ -f "$cache_dir/.complete" ]; then
    cp -a "$cache_dir/." "$prefix/"
    rm -f "$prefix/.complete"
    echo "build.sh: ExecuTorch $arch ($deps) from the cache $cache_dir"
    exit 0
fi

# ---- sources, Python and flatc for the codegen -------------------------------------------------
t0=$(date +%s)
mkdir -p "$build"
if [ -n "$toolchain" ] && [ -n "${CC:-}${CXX:-}" ]; then
    # the cross toolchain file names its compilers, which the environment cannot override
    # (clang needs the target, which GCC ignores; the cross binutils archive aarch64 objects)
    {
        echo "include($toolchain)"
        [ -z "${CC:-}" ] || echo "set(CMAKE_C_COMPILER ${CC})"
        [ -z "${CXX:-}" ] || echo "set(CMAKE_CXX_COMPILER ${CXX})"
        for lang in C CXX ASM; do echo "set(CMAKE_${lang}_COMPILER_TARGET $arch-linux-gnu)"; done
        echo "find_program(CMAKE_AR NAMES $arch-linux-gnu-ar REQUIRED)"
        echo "find_program(CMAKE_RANLIB NAMES $arch-linux-gnu-ranlib REQUIRED)"
    } >"$build/toolchain.cmake"
    toolchain=$build/toolchain.cmake
fi
if [ "$deps" = system ]; then
    sh "$here/assemble.sh" --system-deps "$build/src"
else
    sh "$here/assemble.sh" "$build/src"
fi
tree=$build/src/executorch

# v0.5.0's build/Codegen.cmake finds torchgen through `distutils.sysconfig.get_python_lib()`, and
# Python 3.12+ has no distutils: a one-function stand-in, first on PYTHONPATH of a python3 wrapper
# that the build uses for every Python step (configure and build time alike).
mkdir -p "$build/python/distutils"
: >"$build/python/distutils/__init__.py"
cat >"$build/python/distutils/sysconfig.py" <<'EOF'
# edgetam build.sh: for ExecuTorch v0.5.0's build/Codegen.cmake on Python >= 3.12 (no distutils)
import os
import torchgen


def get_python_lib(*args, **kwargs):
    return os.path.dirname(os.path.dirname(os.path.abspath(torchgen.__file__)))
EOF
cat >"$build/python3" <<EOF
#!/bin/sh
PYTHONPATH=$build/python\${PYTHONPATH:+:\$PYTHONPATH} exec $python "\$@"
EOF
chmod +x "$build/python3"
"$build/python3" -c 'import distutils.sysconfig as s, os; assert os.path.isdir(s.get_python_lib() + "/torchgen")'

if [ "$deps" = system ]; then
    flatc=$(command -v flatc) || { echo "build.sh: no flatc (flatbuffers-compiler)" >&2; exit 1; }
    flatbuffers_include=/usr/include
else
    # a host flatc from the pinned flatbuffers, also when cross-building (ExecuTorch's own
    # EXECUTORCH_BUILD_FLATC would build it for the target); the alignment as ExecuTorch sets it
    # (the host's default compiler: CC and CXX name the target's)
    (unset CC CXX && cmake -S "$tree/third-party/flatbuffers" -B "$build/host-flatc" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-DFLATBUFFERS_MAX_ALIGNMENT=1024 \
        -DFLATBUFFERS_BUILD_TESTS=OFF -DFLATBUFFERS_BUILD_FLATLIB=OFF -DFLATBUFFERS_BUILD_FLATHASH=OFF \
        -DFLATBUFFERS_INSTALL=OFF) >"$build/host-flatc.log" 2>&1 || { tail -n 40 "$build/host-flatc.log"; exit 1; }
    cmake --build "$build/host-flatc" -j "$jobs" --target flatc >>"$build/host-flatc.log" 2>&1 ||
        { grep -B 5 -A 20 -m 3 -e 'error' "$build/host-flatc.log" | head -n 80; exit 1; }
    flatc=$build/host-flatc/flatc
    flatbuffers_include=$tree/third-party/flatbuffers/include
fi
t1=$(date +%s)

# ---- configure, build, install ------------------------------------------------------------------
stage=$build/install
rm -rf "$stage" "$build/build.log" "$build/install.log"
set -- -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
    -DCMAKE_INSTALL_PREFIX="$stage" -DCMAKE_INSTALL_LIBDIR=lib \
    -DEXECUTORCH_SRCS_FILE="$here/executorch_srcs.cmake" -DPYTHON_EXECUTABLE="$build/python3" \
    -DFLATC_EXECUTABLE="$flatc" -DEXECUTORCH_BUILD_HOST_TARGETS=OFF \
    -DEXECUTORCH_ENABLE_LOGGING=ON -DEXECUTORCH_ENABLE_PROGRAM_VERIFICATION=ON \
    -DEXECUTORCH_BUILD_XNNPACK=ON \
    -DEXECUTORCH_BUILD_EXTENSION_DATA_LOADER=ON
[ -z "$toolchain" ] || set -- "$@" -DCMAKE_TOOLCHAIN_FILE="$toolchain"
# the portable kernels are built by portable-ops/ below, all of them or those of --ops
cmake -S "$tree" -B "$build/cmake" "$@" -DBUILD_EXECUTORCH_PORTABLE_OPS=OFF >"$build/configure.log" 2>&1 ||
    { tail -n 40 "$build/configure.log"; exit 1; }
"$python" "$here/select_ops.py" "$tree" "$build/ops.cmake" ${ops:+"$ops"}
cmake -S "$here/portable-ops" -B "$build/portable-ops" "$@" -DEXECUTORCH_ROOT="$tree" \
    -DEDGETAM_OPS_CMAKE="$build/ops.cmake" -DEDGETAM_EXECUTORCH_LIB="$stage/lib/libexecutorch.a" \
    >>"$build/configure.log" 2>&1 || { tail -n 40 "$build/configure.log"; exit 1; }
t2=$(date +%s)
# only our libraries: `all` would also build the example runners (gflags, which we leave out)
for step in "cmake xnnpack_backend extension_data_loader extension_threadpool executorch" \
    "portable-ops portable_ops_lib"; do
    # shellcheck disable=SC2086 # folder, then one word per target
    set -- $step
    dir=$1
    shift
    cmake --build "$build/$dir" -j "$jobs" --target "$@" >>"$build/build.log" 2>&1 ||
        { grep -B 5 -A 20 -m 3 -e 'error' -e 'Error' "$build/build.log" | head -n 80; exit 1; }
    cmake --install "$build/$dir" >>"$build/install.log" 2>&1 || { tail -n 40 "$build/install.log"; exit 1; }
done
t3=$(date +%s)

# headers: v0.5.0 installs none (its INCLUDES DESTINATION is the source folder). The runtime's,
# the extensions' we build or that are header-only, the generated schema, flatbuffers'.
mkdir -p "$stage/include"
(cd "$tree/.." && find executorch/runtime executorch/schema executorch/extension/data_loader \
    executorch/extension/memory_allocator executorch/extension/threadpool \
    -name '*.h' -not -path '*/test/*' -not -path '*/testing_util/*' | tar -cf - -T -) |
    tar -xf - -C "$stage/include"
cp "$build/cmake/schema/include/executorch/schema/"*_generated.h "$stage/include/executorch/schema/"
cp -R "$flatbuffers_include/flatbuffers" "$stage/include/"
# ExecuTorch's own config (lib/cmake/ExecuTorch) is installed as is; ours knows the link order
sed -e "s|@ARCH@|$arch|g" -e "s|@DEPS@|$deps|g" -e "s|@KEY@|$key|g" \
    "$here/edgetam-executorch-config.cmake.in" >"$build/edgetam-executorch-config.cmake"
mkdir -p "$stage/lib/cmake/edgetam-executorch"
cp "$build/edgetam-executorch-config.cmake" "$stage/lib/cmake/edgetam-executorch/"
# the sources' licences, for whoever ships the result
mkdir -p "$stage/share/licenses"
cp "$tree/LICENSE" "$stage/share/licenses/executorch.LICENSE"
if [ "$deps" = system ]; then
    for p in libxnnpack-dev libpthreadpool-dev libcpuinfo-dev libflatbuffers-dev; do
        cp "/usr/share/doc/$p/copyright" "$stage/share/licenses/$p.copyright"
    done
else
    for sub in XNNPACK cpuinfo pthreadpool FXdiv FP16; do
        cp "$tree/backends/xnnpack/third-party/$sub/LICENSE" "$stage/share/licenses/$sub.LICENSE"
    done
    cp "$tree/third-party/flatbuffers/LICENSE" "$stage/share/licenses/flatbuffers.LICENSE"
fi

cp -a "$stage/." "$prefix/"
t4=$(date +%s)
echo "build.sh: ExecuTorch $arch ($deps) in $prefix: sources+tools $((t1 - t0)) s, configure $((t2 - t1)) s, build+install $((t3 - t2)) s, total $((t4 - t0)) s"

if [ "$cache" = 1 ]; then
    if mkdir -p "$(dirname "$cache_dir")" 2>/dev/null && [ -w "$(dirname "$cache_dir")" ]; then
        # copied aside and renamed when complete, so that a reader never sees half an install
        rm -rf "$cache_dir.tmp.$$"
        cp -a "$stage" "$cache_dir.tmp.$$"
        : >"$cache_dir.tmp.$$/.complete"
        rm -rf "$cache_dir"
        mv "$cache_dir.tmp.$$" "$cache_dir"
        echo "build.sh: cached in $cache_dir"
    else
        echo "build.sh: cannot write $(dirname "$cache_dir"); not cached" >&2
    fi
fi
