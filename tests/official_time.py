#!/usr/bin/python3
"""Per-frame time of Meta's OFFICIAL SAM2VideoPredictor, for edgetam-bench track --official:

    /usr/bin/python3 tests/official_time.py --factory module:function --bundle-out PATH
                                            [--threads 2] [--frames 6] [--image-size S]

Builds the predictor with the factory (as tests/official_reference.py does; "official predictor
skipped: <reason>" and exit 77 when it cannot be imported), exports the very same model (same
weights) to PATH with shim/export/export_edgetam.py so that the C library can run it, then tracks one
clicked object through `frames` frames with propagate_in_video and prints the median time per
tracked frame as official_frame_ms_p50=X (frame 0, the prompt, is not counted). Threads: torch's
and OpenBLAS's set to --threads, as the library's shim does.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "shim", "export"))

import official_reference  # noqa: E402  (load_factory, skip, make frames like the parity test)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factory", default=os.environ.get("EDGETAM_OFFICIAL_FACTORY"))
    ap.add_argument("--bundle-out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--frames", type=int, default=6)
    ap.add_argument("--image-size", type=int)
    args = ap.parse_args()
    if not args.factory:
        official_reference.skip("no factory named (--factory or EDGETAM_OFFICIAL_FACTORY)")
    factory = official_reference.load_factory(args.factory)
    import numpy as np
    import torch
    import bench_bundle
    import export_edgetam
    bench_bundle.set_threads(args.threads)
    predictor = factory(image_size=args.image_size) if args.image_size else factory()
    export_edgetam.export_bundle(predictor, args.bundle_out)

    S = int(predictor.image_size)
    g = np.random.default_rng(0)
    frames = [g.integers(0, 256, (S, S, 3), dtype=np.uint8) for _ in range(args.frames)]
    state = official_reference.init_state_with_frames(predictor, frames, S)
    official_reference.work_around_perceiver_batch_bug(predictor)
    with torch.inference_mode():
        predictor.add_new_points_or_box(state, frame_idx=0, obj_id=1, points=[(S / 2, S / 2)],
                                        labels=[1])
        ms, t0 = [], time.perf_counter()
        for frame_idx, _ids, _masks in predictor.propagate_in_video(state):
            t1 = time.perf_counter()
            if frame_idx > 0:
                ms.append((t1 - t0) * 1e3)
            t0 = t1
    print("official_frame_ms_p50=%.3f" % statistics.median(ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
