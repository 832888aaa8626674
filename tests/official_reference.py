#!/usr/bin/python3
"""Expected outputs of a tracking session from Meta's OFFICIAL SAM2VideoPredictor: the parity oracle.

Run with Debian's torch (1.13):
    /usr/bin/python3 tests/official_reference.py --factory module:function --out DIR
                                                 [--bundle-out PATH] [--image-size S]

The factory (`--factory`, else the environment variable EDGETAM_OFFICIAL_FACTORY, both
`module:function`; the module is imported from sys.path/PYTHONPATH) is called without arguments
(or with image_size=S when --image-size is given) and must return a built official
`sam2.sam2_video_predictor.SAM2VideoPredictor` (package `sam2` of facebookresearch/EdgeTAM). When no
factory is named or its module cannot be imported, this prints "official parity skipped: <reason>"
and exits with 77 (ctest's SKIP_RETURN_CODE). Nothing of the official code is copied here: the
predictor is driven through its public API (init_state, add_new_points_or_box,
propagate_in_video) and its state dictionaries are read.

It writes into DIR the files tests/test_golden.c replays (format of tests/golden_reference.py):
  frames.bin    NUM_FRAMES synthetic S x S RGB frames (golden_reference.make_frames at the model's
                image_size S; W = H = S, so nothing is resized anywhere), 3*S*S bytes each
  session.txt   frame 0 | points A | box B | frame 1 .. frame 5 | points A (correction, clear) |
                frame 6 .. frame NUM_FRAMES-1
  expected.bin  per record: int32 id, float32 iou, float32 object_score, float32 pred[LR*LR],
                float32 logits[S*S] (little-endian), in op order (frame: every object by
                increasing id; prompt: the prompted object)
  expected.txt  the same for humans, with the predictor's settings and how each value was taken
  tolerance.txt the tolerance test_golden applies to low-res logits, IoU and object score: twice
                the official code's own spread, the largest difference between the session run
                on 2 threads (the records above) and on 1 thread, same weights, never below
                1e-4. A deliberate error in the library (memories not rounded to bfloat16, a
                temporal position off by one) must exceed it on sensitive weights, while float32
                summation order must not.
With --bundle-out PATH it also exports the very same model (same weights) with the repo's
shim/export/export_edgetam.py (export_bundle(model, PATH)), after the session ran: an ExecuTorch
bundle when PATH ends in .pte (runtime="executorch"; torch 2.6 with ExecuTorch v0.5.0's exporter
on PYTHONPATH), else TorchScript.

How the official predictor is driven (the C library is live, the official one works on a video):
  - init_state on a folder of tiny JPEGs (one per frame), then inference_state["images"] is
    replaced by our frames as float32 (x/255 - mean)/std [N,3,S,S], video_height/width = S, and
    the feature cache (filled by init_state from the JPEG of frame 0) is emptied.
  - frame 0: add_new_points_or_box(A, one click) and (B, box); these are the records of the two
    prompt ops (the live library tracks frame 0 with no object first: no record).
  - propagate_in_video() over frames 0..N-1: records of frames 1..5 (frame 0's output there is the
    consolidated prompt output, not a tracking step; frames 6.. are superseded, see below).
  - add_new_points_or_box(frame 5, A, one click, clear_old_points=True): a correction (frame 5 was
    tracked), record of the correction op.
  - propagate_in_video(start_frame_idx=5): frame 5 is NOT re-run (it is in
    consolidated_frame_inds, its stored output is reused; its memory was re-encoded from the
    binarised masks of every object in propagate_in_video_preflight), frames 6..N-1 are re-run
    with the corrected frame-5 memory: their records. This is what the live library does with
    "frame 5, correction, frame 6".
  - pred  = the stored "pred_masks" of the object on that frame (temp_output_dict_per_obj for the
            prompts, output_dict["non_cond_frame_outputs"] for tracked frames),
    logits = the video-resolution logits the API call returned for that object,
    object_score = the stored "object_score_logits",
    iou   = the IoU prediction of the chosen mask: the official code does not keep it, so the
            predictor's _forward_sam_heads is wrapped (an instance attribute that calls the
            original method) and its `ious` output [B, M] is captured; the chosen mask is the
            argmax (multimask) or the only one, so iou = max over M. The captured best low-res
            mask is checked to equal the stored pred_masks.
  - The official PerceiverResampler.forward_2d fails for more than one object at once
    (`expand(B, ...).view(...)`, upstream facebookresearch/EdgeTAM issue #15), so while the
    session runs that one method is wrapped to run per object (work_around_perceiver_batch_bug);
    both wrappers are removed before the export.
  - The official pointer window is min(num_frames, max_obj_ptrs_in_encoder) frames, the live
    library's max_obj_ptrs: the same here, as only frames 0..N-1 exist (N = 8 <= 16).
  - fill_hole_area is set to 0 for the run: the official hole filling needs the sam2 CUDA
    extension (get_connected_components) and silently does nothing on CPU; the C test runs with
    --fill-hole-area 0 too.
"""
import argparse
import hashlib
import importlib
import os
import struct
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
np = torch = gr = None  # imported in main() once a factory is named (a skip stays fast)

SKIP = 77
MIN_TOLERANCE = 1e-4
NUM_FRAMES = 8
CORRECTION_FRAME = 5
A, B = 1, 2
PIXEL_MEAN = (0.485, 0.456, 0.406)
PIXEL_STD = (0.229, 0.224, 0.225)


def skip(reason):
    print("official parity skipped: %s" % reason)
    sys.exit(SKIP)


def load_factory(spec):
    module_name, sep, func_name = spec.partition(":")
    if not sep or not module_name or not func_name:
        raise SystemExit("bad factory %r: expected module:function" % spec)
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        traceback.print_exc()
        skip("cannot import factory module %r (%s: %s)" % (module_name, type(e).__name__, e))
    factory = getattr(module, func_name, None)
    if factory is None:
        raise SystemExit("factory module %r has no %r" % (module_name, func_name))
    return factory


def check_settings(p):
    """Settings of the predictor the C library (docs/tracking.md) implements; anything else would
    make the outputs differ by design, so refuse instead of reporting a bogus mismatch."""
    want = [
        ("non_overlap_masks", False), ("non_overlap_masks_for_mem_enc", False),
        ("add_all_frames_to_correct_as_cond", False), ("memory_temporal_stride_for_eval", 1),
        ("binarize_mask_from_pts_for_mem_enc", True),
    ]
    bad = ["%s=%r (need %r)" % (k, getattr(p, k), v) for k, v in want if getattr(p, k) != v]
    if p.clear_non_cond_mem_around_input and p.clear_non_cond_mem_for_multi_obj:
        bad.append("clear_non_cond_mem_around_input with clear_non_cond_mem_for_multi_obj")
    if bad:
        raise SystemExit("official predictor settings the C library does not implement: "
                         + ", ".join(bad))


def settings_text(p):
    keys = ("image_size", "num_maskmem", "max_obj_ptrs_in_encoder", "max_cond_frames_in_attn",
            "multimask_output_in_sam", "multimask_output_for_tracking", "multimask_min_pt_num",
            "multimask_max_pt_num", "binarize_mask_from_pts_for_mem_enc",
            "use_mask_input_as_output_without_sam", "directly_add_no_mem_embed",
            "add_tpos_enc_to_obj_ptrs", "only_obj_ptrs_in_the_past_for_eval",
            "non_overlap_masks", "non_overlap_masks_for_mem_enc",
            "add_all_frames_to_correct_as_cond", "clear_non_cond_mem_around_input",
            "memory_temporal_stride_for_eval", "sigmoid_scale_for_mem_enc",
            "sigmoid_bias_for_mem_enc")
    text = " ".join("%s=%s" % (k, getattr(p, k)) for k in keys)
    dec = p.sam_mask_decoder
    text += " dynamic_multimask_via_stability=%s" % getattr(dec, "dynamic_multimask_via_stability",
                                                            None)
    return text


def weights_digest(model):
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().float().numpy().tobytes())
    return h.hexdigest()[:16]


def make_session(S):
    a0, a5, b0 = gr.scene(S, 0)["A"], gr.scene(S, CORRECTION_FRAME)["A"], gr.scene(S, 0)["B"]
    f32 = gr.f32
    click_a0 = (f32(a0["cx"] - 0.5 * a0["r"] + 0.25), f32(a0["cy"] + 0.33), 1)
    box_b0 = (f32(b0["x0"] - 2.5), f32(b0["y0"] - 1.75), f32(b0["x1"] + 3.25),
              f32(b0["y1"] + 2.125))
    click_a5 = (f32(a5["cx"] + 0.1 * a5["r"]), f32(a5["cy"] + 0.55 * a5["r"]), 1)
    ops = [("frame", 0), ("points", A, 1, [click_a0]), ("box", B, box_b0)]
    ops += [("frame", k) for k in range(1, CORRECTION_FRAME + 1)]
    ops += [("points", A, 1, [click_a5])]
    ops += [("frame", k) for k in range(CORRECTION_FRAME + 1, NUM_FRAMES)]
    return ops


class Record:
    def __init__(self, obj_id, iou, score, pred, logits, best_index, source):
        self.obj_id = obj_id
        self.iou = float(iou)
        self.score = float(score)
        self.pred = pred.detach().float().contiguous()
        self.logits = logits.detach().float().contiguous()
        self.best_index = best_index
        self.source = source


class Capture:
    """Wraps predictor._forward_sam_heads to keep the IoU predictions the official code drops."""

    def __init__(self, predictor):
        self.calls = []
        original = predictor._forward_sam_heads  # bound method of the official class

        def wrapped(*args, **kwargs):
            out = original(*args, **kwargs)
            low_res_multimasks, _, ious, low_res_masks, _, _, score = out
            self.calls.append(dict(m=low_res_multimasks.shape[1], ious=ious.detach().clone(),
                                   best=low_res_masks.detach().clone(),
                                   score=score.detach().clone()))
            return out

        predictor._forward_sam_heads = wrapped

    def take(self):
        calls, self.calls = self.calls, []
        return calls


def work_around_perceiver_batch_bug(predictor):
    """The official PerceiverResampler.forward_2d does
    `self.latents_2d.unsqueeze(0).expand(B, -1, -1).view(-1, 1, C)`, which raises "view size is not
    compatible with input tensor's size and stride" for B > 1 (upstream
    facebookresearch/EdgeTAM issue #15): the official predictor cannot propagate two objects at
    once. forward_2d is per-sample arithmetic, so the official method is wrapped (instance
    attribute) to run it on each object separately and concatenate; B = 1 calls it unchanged.
    Returns True when the wrapper was installed."""
    perceiver = getattr(predictor, "spatial_perceiver", None)
    if perceiver is None or not hasattr(perceiver, "forward_2d"):
        return False
    original = perceiver.forward_2d  # bound method of the official class

    def forward_2d(x):
        if x.shape[0] == 1:
            return original(x)
        outs = [original(x[i:i + 1]) for i in range(x.shape[0])]
        return tuple(torch.cat([o[k] for o in outs], dim=0) for k in range(len(outs[0])))

    perceiver.forward_2d = forward_2d
    return True


def iou_of(call, b):
    ious = call["ious"][b]
    best_index = int(torch.argmax(ious)) if call["m"] > 1 else None
    return ious.max(), best_index


def init_state_with_frames(predictor, frames, S):
    """The predictor's inference state over our S x S RGB frames (uint8 [S,S,3] arrays): init_state
    on a folder of tiny JPEGs, then its images replaced by ours, normalised as the official loader
    does."""
    global np, torch
    import numpy as np
    import torch
    N = len(frames)
    mean = torch.tensor(PIXEL_MEAN, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(PIXEL_STD, dtype=torch.float32).view(1, 3, 1, 1)
    x = torch.from_numpy(np.stack(frames)).permute(0, 3, 1, 2).contiguous()
    images = ((x.float() / 255.0 - mean) / std).contiguous()

    with tempfile.TemporaryDirectory(prefix="edgetam_official_") as jpg_dir:
        from PIL import Image
        for k in range(N):
            Image.fromarray(np.full((16, 16, 3), 128, np.uint8)).save(
                os.path.join(jpg_dir, "%05d.jpg" % k))
        state = predictor.init_state(video_path=jpg_dir)
    assert state["num_frames"] == N
    state["images"] = images.to(state["device"])
    state["video_height"] = S
    state["video_width"] = S
    state["cached_features"] = {}  # init_state cached frame 0 of the JPEG folder
    return state


def run_official(predictor, frames, ops, S):
    N = len(frames)
    state = init_state_with_frames(predictor, frames, S)

    capture = Capture(predictor)
    perceiver_wrapped = work_around_perceiver_batch_bug(predictor)
    records = {}  # op index -> [Record]
    notes = []
    obj_index = {}  # filled as objects are added (official obj_idx)
    if perceiver_wrapped:
        notes.append("spatial_perceiver.forward_2d run per object (official B>1 view bug, "
                     "facebookresearch/EdgeTAM#15)")

    def prompt(index, op, frame_idx):
        kind, obj_id = op[0], op[1]
        if kind == "points":
            pts = [(p[0], p[1]) for p in op[3]]
            labels = [p[2] for p in op[3]]
            _, obj_ids, video_res = predictor.add_new_points_or_box(
                state, frame_idx=frame_idx, obj_id=obj_id, points=pts, labels=labels,
                clear_old_points=bool(op[2]))
        else:
            _, obj_ids, video_res = predictor.add_new_points_or_box(
                state, frame_idx=frame_idx, obj_id=obj_id, box=list(op[2]))
        i = list(obj_ids).index(obj_id)
        obj_index[obj_id] = state["obj_id_to_idx"][obj_id]
        calls = capture.take()
        assert len(calls) == 1 and calls[0]["ious"].shape[0] == 1, "one SAM head call per prompt"
        temp = state["temp_output_dict_per_obj"][obj_index[obj_id]]
        out = temp["cond_frame_outputs"].get(frame_idx)
        storage = "cond_frame_outputs"
        if out is None:
            out, storage = temp["non_cond_frame_outputs"][frame_idx], "non_cond_frame_outputs"
        pred = out["pred_masks"][0, 0]
        assert torch.equal(pred, calls[0]["best"][0, 0]), "stored pred_masks != captured best"
        iou, best_index = iou_of(calls[0], 0)
        records[index] = [Record(obj_id, iou, out["object_score_logits"][0, 0], pred,
                                 video_res[i, 0], best_index,
                                 "add_new_points_or_box(frame %d) -> temp %s" % (frame_idx,
                                                                                 storage))]

    def propagate(label, **kwargs):
        """Runs propagate_in_video; returns {frame: [Record per object]} for frames it ran the
        model on, and the list of frames whose stored output it reused."""
        got, reused = {}, []
        capture.take()
        for frame_idx, obj_ids, video_res in predictor.propagate_in_video(state, **kwargs):
            calls = capture.take()
            if not calls:
                reused.append(frame_idx)
                continue
            assert len(calls) == 1 and calls[0]["ious"].shape[0] == len(obj_ids)
            out = state["output_dict"]["non_cond_frame_outputs"][frame_idx]
            rs = []
            for oid in sorted(obj_ids):
                b = list(obj_ids).index(oid)
                assert state["obj_id_to_idx"][oid] == b
                pred = out["pred_masks"][b, 0]
                assert torch.equal(pred, calls[0]["best"][b, 0])
                iou, best_index = iou_of(calls[0], b)
                rs.append(Record(oid, iou, out["object_score_logits"][b, 0], pred,
                                 video_res[b, 0], best_index,
                                 "%s: propagate_in_video ran frame %d" % (label, frame_idx)))
            got[frame_idx] = rs
        notes.append("%s: model run on frames %s, stored output reused on frames %s" % (
            label, sorted(got), reused))
        return got

    # Ops before the first propagation: frame 0 (no objects yet), prompts on frame 0.
    first_prop = None
    second_prop = None
    for index, op in enumerate(ops):
        if op[0] == "frame":
            k = op[1]
            if k == 0:
                records[index] = []  # the live library tracks frame 0 before any prompt
                continue
            if k <= CORRECTION_FRAME:
                if first_prop is None:
                    first_prop = propagate("propagation 1")
                records[index] = first_prop[k]
            else:
                if second_prop is None:
                    raise SystemExit("session: frames after the correction need it first")
                records[index] = second_prop[k]
        else:
            frame_idx = 0 if first_prop is None else CORRECTION_FRAME
            prompt(index, op, frame_idx)
            if first_prop is not None:
                # the correction: propagate from it
                second_prop = propagate("propagation 2 (start_frame_idx=%d)"
                                        % CORRECTION_FRAME, start_frame_idx=CORRECTION_FRAME)
                for k in range(CORRECTION_FRAME + 1, N):
                    for r1, r2 in zip(first_prop[k], second_prop[k]):
                        notes.append("frame %d object %d: max |logit change| by the correction "
                                     "%.4g" % (k, r1.obj_id,
                                               float((r1.pred - r2.pred).abs().max())))
    # take the instance wrappers off again: the exporter must see the official methods only
    del predictor.__dict__["_forward_sam_heads"]
    if perceiver_wrapped:
        del predictor.spatial_perceiver.__dict__["forward_2d"]
    return records, notes


def thread_spread(records, records_other):
    """The largest |difference| of low-res logits, IoU and object score between two runs of the
    same session (records by op index, objects in the same order)."""
    spread = 0.0
    for index, rs in records.items():
        other = records_other[index]
        assert [r.obj_id for r in rs] == [r.obj_id for r in other]
        for r, o in zip(rs, other):
            spread = max(spread, float((r.pred - o.pred).abs().max()), abs(r.iou - o.iou),
                         abs(r.score - o.score))
    return spread


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factory", help="module:function returning a SAM2VideoPredictor "
                        "(default: $EDGETAM_OFFICIAL_FACTORY)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--bundle-out", help="also export the same model to this bundle path")
    parser.add_argument("--image-size", type=int, help="pass image_size=S to the factory")
    args = parser.parse_args()

    # Never leave outputs of an earlier run behind: a skipped or failed run must not let the C
    # test compare against stale files.
    os.makedirs(args.out, exist_ok=True)
    stale = [os.path.join(args.out, n) for n in ("expected.bin", "expected.txt",
                                                 "tolerance.txt")]
    if args.bundle_out:
        stale.append(args.bundle_out)
    for path in stale:
        if os.path.exists(path):
            os.remove(path)

    spec = args.factory or os.environ.get("EDGETAM_OFFICIAL_FACTORY", "")
    if not spec:
        skip("no factory (give --factory module:function or set EDGETAM_OFFICIAL_FACTORY)")
    global np, torch, gr
    import numpy as np
    import runtime_policy  # noqa: F401  (before torch: the shim's runtime settings)
    import torch
    sys.path.insert(0, HERE)
    import golden_reference as gr  # frames, scene geometry, session text format
    factory = load_factory(spec)

    torch.set_num_threads(2)
    kwargs = {} if args.image_size is None else {"image_size": args.image_size}
    predictor = factory(**kwargs)
    cls = type(predictor)
    if not any(c.__name__ == "SAM2VideoPredictor" for c in cls.__mro__):
        raise SystemExit("factory %s returned %s.%s, not a SAM2VideoPredictor" % (
            spec, cls.__module__, cls.__name__))
    predictor.eval()
    check_settings(predictor)
    S = int(predictor.image_size)
    digest = weights_digest(predictor)
    original_fill = predictor.fill_hole_area
    predictor.fill_hole_area = 0

    frames = gr.make_frames(S, NUM_FRAMES)
    ops = make_session(S)
    with open(os.path.join(args.out, "frames.bin"), "wb") as f:
        for frame in frames:
            f.write(frame.tobytes())
    with open(os.path.join(args.out, "session.txt"), "w") as f:
        for op in ops:
            f.write(gr.format_op(op) + "\n")

    with torch.inference_mode():
        records, notes = run_official(predictor, frames, ops, S)
        torch.set_num_threads(1)
        records_1, _ = run_official(predictor, frames, ops, S)
        torch.set_num_threads(2)
    spread = thread_spread(records, records_1)
    tolerance = max(2.0 * spread, MIN_TOLERANCE)

    lines = [
        "# official SAM2VideoPredictor from %s (%s.%s), weights sha256[:16] %s" % (
            spec, cls.__module__, cls.__name__, digest),
        "# S=%d LR=%d frames=%d W=H=%d" % (S, S // 4, NUM_FRAMES, S),
        "# settings: " + settings_text(predictor),
        "# fill_hole_area=0 for this run (the factory's was %s): the official hole filling needs "
        "the sam2 CUDA extension and is skipped on CPU; run the C test with --fill-hole-area 0"
        % original_fill,
        "# iou: captured by wrapping predictor._forward_sam_heads (max of its ious output, the "
        "chosen mask); pred: stored pred_masks; logits: the API's video-res output",
        "# official spread, 2 against 1 thread: max |diff| of low-res logits, iou and object "
        "score %.3g; tolerance max(2 x spread, %g) = %.3g (tolerance.txt)" % (
            spread, MIN_TOLERANCE, tolerance),
    ]
    lines += ["# " + n for n in notes]
    lines.append("# op kind object_id iou object_score mask_area best_index holes_filled source")
    count = 0
    tmp = os.path.join(args.out, "expected.bin.tmp")
    with open(tmp, "wb") as f:
        for index, op in enumerate(ops):
            kind = gr.format_op(op).split(" ")[0]
            if op[0] == "frame":
                kind += "_%d" % op[1]
            for r in records.get(index, []):
                assert r.pred.shape == (S // 4, S // 4) and r.logits.shape == (S, S)
                f.write(struct.pack("<iff", r.obj_id, r.iou, r.score))
                f.write(r.pred.numpy().astype("<f4").tobytes())
                f.write(r.logits.numpy().astype("<f4").tobytes())
                lines.append("%d %s %d %.7g %.7g %d %s 0 %s" % (
                    index, kind, r.obj_id, r.iou, r.score, int((r.logits > 0).sum()),
                    "-" if r.best_index is None else r.best_index, r.source))
                count += 1
    with open(os.path.join(args.out, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(args.out, "tolerance.txt"), "w") as f:
        f.write("%.9g\n" % tolerance)
    print("\n".join(l for l in lines if l.startswith("#")))
    print("records=%d" % count)

    if args.bundle_out:
        predictor.fill_hole_area = original_fill
        sys.path.insert(0, os.path.join(os.path.dirname(HERE), "shim", "export"))
        from export_edgetam import export_bundle
        export_bundle(predictor, args.bundle_out, runtime="executorch"
                      if args.bundle_out.endswith(".pte") else "torchscript")
        if weights_digest(predictor) != digest:
            raise SystemExit("the exporter changed the model's weights")
        print("bundle=%s" % args.bundle_out)
    # expected.bin last: the C test only runs (not skips) once everything above succeeded
    os.replace(tmp, os.path.join(args.out, "expected.bin"))


if __name__ == "__main__":
    main()
