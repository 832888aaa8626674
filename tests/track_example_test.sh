#!/bin/sh
# edgetam-track end to end on a few frames of a real video (Debian's opencv-doc street scene):
# decodes it, passes YUV 4:2:0 as it is, clicks a pedestrian and writes one PNG overlay per frame
# and an MP4 of them, which it then reads back.
# Skipped (exit 77) if the video is absent.
#   sh tests/track_example_test.sh EDGETAM_TRACK VIDEO
set -eu
exe=$1
video=$2
if [ ! -f "$video" ]; then
    echo "SKIPPED: $video is absent (sudo apt-get install opencv-doc)"
    exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$exe" "$video" --frames 5 --out "$out" --video "$out/overlays.mp4" --point 265,265 --object 2 --box 640,230,690,330 | tee "$out/log"
grep -q "pixel_format=yuv420p passed_as=is" "$out/log"
grep -q "frames=5 processed=5 failed=0" "$out/log"
for k in 0 1 2 3 4; do
    png="$out/frame_0000$k.png"
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || { echo "$png is not a PNG"; exit 1; }
done
[ ! -e "$out/frame_00005.png" ]
"$exe" "$out/overlays.mp4" | tee "$out/log2"
grep -q "frames=5 processed=5 failed=0" "$out/log2"
echo "5 overlays written, as PNG and as a video"
