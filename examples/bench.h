/* edgetam-bench subcommands: each parses its own arguments and prints key=value lines. */
#ifndef EDGETAM_BENCH_H
#define EDGETAM_BENCH_H

int bench_convert(int argc, char **argv);
int bench_track(int argc, char **argv);
int bench_stream(int argc, char **argv);

#endif
