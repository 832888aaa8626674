/* edgetam-bench: performance measurements printed as key=value lines. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "edgetam.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "convert")) {
        printf("edgetam_version=%s\n", edgetam_version_string());
        return bench_convert(argc - 2, argv + 2);
    }
    if (argc >= 2 && !strcmp(argv[1], "track")) {
        printf("edgetam_version=%s\n", edgetam_version_string());
        return bench_track(argc - 2, argv + 2);
    }
    if (argc >= 2 && !strcmp(argv[1], "stream")) {
        printf("edgetam_version=%s\n", edgetam_version_string());
        return bench_stream(argc - 2, argv + 2);
    }
    fprintf(stderr, "usage: edgetam-bench convert|track|stream [options]\n");
    return 2;
}
