#!/bin/sh
# The README's quick start with the demo bundle (edgetam-track's default): on vtest.avi, the
# tracked boxes of both pedestrians against boxes marked by hand (tests/vtest_boxes.txt). Prints
# every hand-marked frame's IoU; fails if one of the REQUIRED frames is below 0.5 or lost.
# Skipped (exit 77) if the video is absent.
#   sh tests/demo_track_test.sh EDGETAM_TRACK VIDEO BOXES REQUIRED_FRAMES
set -eu
exe=$1
video=$2
boxes=$3
required=$4
if [ ! -f "$video" ]; then
    echo "SKIPPED: $video is absent (sudo apt-get install opencv-doc)"
    exit 77
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$exe" "$video" --frames 60 --boxes 1 --point 265,265 --object 2 --box 640,230,690,330 > "$log"
grep -q "NOTE: using the DEMO bundle" "$log"
grep -q "frames=60 processed=60 failed=0" "$log"
awk -v required=" $required " '
    FNR == NR { if ($0 !~ /^#/ && NF == 6) { hand[$1 " " $2] = $3 " " $4 " " $5 " " $6; nhand++ }; next }
    /^frame=[0-9]+ object=[0-9]+ present=/ {
        split($0, a, /[ =,]/)  # frame K object I present P score S area A box X0 Y0 X1 Y1
        key = a[2] " " a[4]
        if (!(key in hand)) next
        split(hand[key], h, " ")
        iou = 0
        if (a[6] == 1) {
            ix = (a[14] < h[3] ? a[14] : h[3]) - (a[12] > h[1] ? a[12] : h[1]) + 1
            iy = (a[15] < h[4] ? a[15] : h[4]) - (a[13] > h[2] ? a[13] : h[2]) + 1
            inter = ix > 0 && iy > 0 ? ix * iy : 0
            tracked = (a[14] - a[12] + 1) * (a[15] - a[13] + 1)
            iou = inter / (tracked + (h[3] - h[1] + 1) * (h[4] - h[2] + 1) - inter)
        }
        need = index(required, " " a[2] " ") > 0
        verdict = need ? (iou >= 0.5 ? "" : "  FAIL (< 0.5)") : "  (not required)"
        printf "frame %2d object %d: hand %s, tracked %s,%s,%s,%s (present %d): IoU %.2f%s\n", a[2], a[4], hand[key], a[12], a[13], a[14], a[15], a[6], iou, verdict
        seen++
        if (need && iou < 0.5) bad++
    }
    END {
        if (seen != nhand) { print "only " seen " of " nhand " hand-marked boxes tracked"; exit 1 }
        exit bad > 0
    }' "$boxes" "$log"
