#!/bin/sh
# Assembles ExecuTorch v0.5.0's source tree with the submodules its C++ runtime build uses, at the
# commits v0.5.0 pins, into DIR/executorch (ExecuTorch's CMake and Python both need the top folder
# to be named exactly `executorch`; DIR is what goes on PYTHONPATH for the exporter).
#   sh cmake/executorch/assemble.sh [--system-deps] DIR
# Sources, in this order:
#   1. offline: the archives in ${EDGETAM_DEPS_DIR:-<repo>/../shared/deps} (`git archive` of each
#      commit, see that folder's README.md), each checked against the digest below;
#   2. when that folder is absent: git clone of pytorch/executorch at tag v0.5.0 and its submodules
#      (the commits the tag records), each checked against the commit below. This path needs
#      network, which the machines this was written on do not have: it is untested here.
# --system-deps: for a build against Debian 13's XNNPACK, pthreadpool, cpuinfo and flatbuffers
# (build.sh --deps system): those submodules and FP16 and FXdiv are left out, and the XNNPACK,
# cpuinfo, pthreadpool and FXdiv slots get our CMake stand-in (system-deps.cmake), which imports
# Debian's libraries: v0.5.0's CMake add_subdirectory()s those slots and has no option for prebuilt
# ones. (flatbuffers: build.sh then uses Debian's flatc with Debian's headers, one version.)
# Not assembled (the runtime build turns off what uses them): gflags (executor_runner),
# flatcc (devtools' etdump), and the other backends' submodules.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
system_deps=0
if [ "${1:-}" = --system-deps ]; then
    system_deps=1
    shift
fi
[ $# -eq 1 ] || { sed -n '2,18p' "$0" >&2; exit 2; }
dest=$1/executorch
deps=${EDGETAM_DEPS_DIR:-$repo/../shared/deps}

# name | archive | sha256 of the archive | commit | upstream | path inside executorch/
# (ExecuTorch's own line: the tag; its archive is the tag's tree less 8 non-source media files)
sources="executorch|executorch-v0.5.0.tar.xz|47620f97239fb7d56de989d6b50f4658f46fbf8d8e6f93bd4b8cf6c2ea8edcbe|v0.5.0|https://github.com/pytorch/executorch.git|.
flatbuffers|flatbuffers-595bf000.tar.xz|475c60332e7a63a2a0f920a230131da1aa7d4a333b987e9b952cb939d0659cc9|595bf0007ab1929570c7671f091313c8fc20644e|https://github.com/google/flatbuffers.git|third-party/flatbuffers
XNNPACK|XNNPACK-4ea82e59.tar.xz|53ce182cfc64c36314ca92aa97136fe5659b14dc7a55bbb18c5ee5ac232a2143|4ea82e595b36106653175dcb04b2aa532660d0d8|https://github.com/google/XNNPACK.git|backends/xnnpack/third-party/XNNPACK
cpuinfo|cpuinfo-1e83a2fd.tar.xz|672e4d36fe8affd14bfef14899ce172a9029f64804160f0960b65b3ccda16c88|1e83a2fdd3102f65c6f1fb602c1b320486218a99|https://github.com/pytorch/cpuinfo.git|backends/xnnpack/third-party/cpuinfo
pthreadpool|pthreadpool-4fe0e1e1.tar.xz|34797b9bb2e17e1deb0e725b068fb80d53bf52e38c14f693a7986995d2489fcc|4fe0e1e183925bf8cfa6aae24237e724a96479b8|https://github.com/Maratyszcza/pthreadpool.git|backends/xnnpack/third-party/pthreadpool
FXdiv|FXdiv-b408327a.tar.xz|04ecbc671610f43019cc32f7c37e632d582d84b7488b9fc50566ca39a3cef81d|b408327ac2a15ec3e43352421954f5b1967701d1|https://github.com/Maratyszcza/FXdiv.git|backends/xnnpack/third-party/FXdiv
FP16|FP16-4dfe081c.tar.xz|06dac96c04f93c381fa039d0ba04ba9b49fd7979cb3090844e8a60749de298d8|4dfe081cf6bcd15db339cf2680b9281b8451eeb3|https://github.com/Maratyszcza/FP16.git|backends/xnnpack/third-party/FP16"
if [ "$system_deps" = 1 ]; then
    sources=$(echo "$sources" | grep -v -e '^XNNPACK|' -e '^cpuinfo|' -e '^pthreadpool|' -e '^FXdiv|' \
        -e '^FP16|' -e '^flatbuffers|')
fi

# built aside and renamed when complete, so that an interrupted run leaves no tree to trust
rm -rf "$dest" "$dest.tmp"
mkdir -p "$dest.tmp"
if [ -d "$deps" ]; then
    echo "$sources" | while IFS='|' read -r name archive sha commit url path; do
        file=$deps/$archive
        [ -f "$file" ] || { echo "assemble.sh: $file missing" >&2; exit 1; }
        got=$(sha256sum "$file" | cut -d' ' -f1)
        [ "$got" = "$sha" ] || { echo "assemble.sh: $file: sha256 $got, expected $sha" >&2; exit 1; }
        # each archive has one top folder, NAME/; the submodule slots are empty folders in ExecuTorch's
        mkdir -p "$dest.tmp/$path"
        xz -dc "$file" | tar -xf - -C "$dest.tmp/$path" --strip-components=1
        : "$name $commit $url"
    done
else
    # Untested here (no network): the usual clone, then only the submodules listed above.
    echo "assemble.sh: no $deps; cloning from the upstream repositories" >&2
    git clone --quiet --depth 1 --branch v0.5.0 https://github.com/pytorch/executorch.git "$dest.tmp"
    echo "$sources" | while IFS='|' read -r name archive sha commit url path; do
        [ "$path" = . ] && continue
        # shallow where the server allows fetching the pinned commit, else a full clone
        git -C "$dest.tmp" submodule update --init --depth 1 -- "$path" ||
            git -C "$dest.tmp" submodule update --init -- "$path"
        got=$(git -C "$dest.tmp/$path" rev-parse HEAD)
        [ "$got" = "$commit" ] || { echo "assemble.sh: $name at $got, expected $commit ($url)" >&2; exit 1; }
        : "$archive $sha"
    done
fi
if [ "$system_deps" = 1 ]; then
    for slot in XNNPACK cpuinfo pthreadpool FXdiv; do
        mkdir -p "$dest.tmp/backends/xnnpack/third-party/$slot"
        cp "$here/system-deps.cmake" "$dest.tmp/backends/xnnpack/third-party/$slot/CMakeLists.txt"
    done
fi
# as ExecuTorch's setup.py does when it installs the Python package: the serializer reads the
# schemas next to itself (for the exporter, which uses this tree from PYTHONPATH)
cp "$dest.tmp/schema/program.fbs" "$dest.tmp/schema/scalar_type.fbs" "$dest.tmp/exir/_serialize/"
mv "$dest.tmp" "$dest"
echo "assemble.sh: $dest"
