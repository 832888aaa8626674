#!/bin/sh
# The README's complete program must be examples/minimal.c exactly (the code block right after the
# line naming it), and must run: the build's edgetam-minimal on BUNDLE tracks object 1.
#   sh tests/readme_example_test.sh README.md examples/minimal.c EDGETAM_MINIMAL BUNDLE
set -eu
readme=$1
source=$2
exe=$3
bundle=$4
shown=$(awk '/`examples\/minimal.c`/ { named = 1 } named && /^```c$/ { inside = 1; next }
             inside && /^```$/ { exit } inside { print }' "$readme")
if [ "$shown" != "$(cat "$source")" ]; then
    echo "README.md's complete program differs from $source:"
    printf '%s\n' "$shown" | diff - "$source" || true
    exit 1
fi
"$exe" "$bundle" | tee /dev/stderr | grep -q "^frame 3: object 1, "
