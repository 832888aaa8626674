/* edgetam-convert-frames: converts the same synthetic frame N times and nothing else, for counting
 * instructions under an emulator or callgrind (no timing, no other library, builds without torch).
 * The first frame plans the geometry, so (count for N = 3 - count for N = 1) / 2 is exactly one
 * steady-state frame. --portable switches the SIMD kernels off, as the tests do.
 *   edgetam-convert-frames [--format bgra|...|i420] [--width W] [--height H] [--size S] [--frames N] [--portable] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_frame.h"
#include "converter_internal.h"

static int usage(void)
{
    fprintf(stderr, "usage: edgetam-convert-frames [--format bgra|rgba|bgr24|rgb24|gray8|nv12|nv21|i420]\n"
                    "                              [--width W] [--height H] [--size S] [--frames N] [--portable]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *format_name = "bgra";
    int w = 1920, h = 1080, size = 1024, frames = 1, portable = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--portable")) {
            portable = 1;
            continue;
        }
        if (i + 1 >= argc) return usage();
        if (!strcmp(argv[i], "--format")) format_name = argv[++i];
        else if (!strcmp(argv[i], "--width")) w = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--height")) h = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--size")) size = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--frames")) frames = atoi(argv[++i]);
        else return usage();
    }
    edgetam_pixel_format format;
    if (!bench_format_from_name(format_name, &format) || frames < 1) return usage();

    edgetam_converter *conv = bench_converter_new(size);
    if (!conv) return 1;
    if (portable) conv->simd = SIMD_NONE;
    bench_frame bf;
    bench_frame_init(&bf, format, w, h);
    for (int i = 0; i < frames; i++) {
        const edgetam_status st = edgetam_convert_frame(conv, &bf.frame);
        if (st != EDGETAM_OK) {
            fprintf(stderr, "convert: %s: %s\n", edgetam_status_str(st), edgetam_converter_last_error(conv));
            return 1;
        }
    }
    printf("format=%s\nwidth=%d\nheight=%d\nsize=%d\nframes=%d\nsimd_level=%d\n", format_name, w, h, size, frames,
           (int)conv->simd);
    bench_frame_free(&bf);
    edgetam_converter_destroy(conv);
    return 0;
}
