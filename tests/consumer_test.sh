#!/bin/sh
# Installs the build into a scratch prefix and builds tests/consumer/consumer.c against it twice,
# as other projects would: with CMake's find_package(edgetam), and with pkg-config as C and as C++.
# Each program converts a frame and tracks an object with BUNDLE.
#   sh tests/consumer_test.sh BUILD_DIR BUNDLE
set -eu
build=$1
bundle=$2
src=$(cd "$(dirname "$0")" && pwd)/consumer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
# for a shared libedgetam (BUILD_SHARED_LIBS=ON)
export LD_LIBRARY_PATH="$(dirname "$(find "$work/prefix" -name 'libedgetam*' | head -n 1)")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "--- find_package(edgetam)"
cmake -S "$src" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer" "$bundle"

echo "--- pkg-config --static edgetam"
pc=$(dirname "$(find "$work/prefix" -name edgetam.pc)")
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs --static edgetam)
echo "cc consumer.c $flags"
# shellcheck disable=SC2086 # the flags are words
cc -std=c99 -Wall -Wextra -Werror -o "$work/pc_consumer" "$src/consumer.c" $flags
"$work/pc_consumer" "$bundle"

echo "--- the same as C++ (the header's extern \"C\")"
# shellcheck disable=SC2086
# (-x none after the source: the flags may name archives, which are no C++ source)
c++ -std=c++17 -Wall -Wextra -Werror -o "$work/pc_consumer_cxx" -x c++ "$src/consumer.c" -x none $flags
"$work/pc_consumer_cxx" "$bundle"
