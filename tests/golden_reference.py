#!/usr/bin/python3
"""Independent Python reference of the tracking loop of docs/tracking.md: the golden test oracle.

Run with Debian's torch (1.13):
    /usr/bin/python3 tests/golden_reference.py --bundle PATH --out DIR [--time]

It loads a bundle (shim/BUNDLE.md), draws 15 deterministic synthetic S x S RGB frames, runs a
scripted session of track / prompt / remove / reset operations with the Tracker below, and writes
into DIR:
  frames.bin    the 15 frames, row-major RGB uint8, 3*S*S bytes each, frame after frame
  session.txt   one operation per line, replayed literally by the C test:
                  frame K | points ID CLEAR N x y label ... | box ID x0 y0 x1 y1
                  | mask_rect ID x0 y0 x1 y1 (half-open, frame pixels) | remove ID | reset
  expected.bin  for each operation with outputs, in operation order (frame: every object in
                increasing id order; points/box/mask_rect: the prompted object), records of
                  int32 object_id, float32 iou, float32 object_score,
                  float32 pred[LR*LR] (low-res logits after fill_holes),
                  float32 logits[H*W] (frame-size logits),
                little-endian, no padding
  expected.txt  the same records for humans (op index, id, iou, score, mask area, ...)
With --time it also prints python_frame_ms_p50: the median wall time of Tracker.track() with one
object over 50 frames, torch.set_num_threads(2).

Everything here is written from docs/tracking.md and shim/BUNDLE.md only.
"""
import argparse
import math
import os
import struct
import sys
import time

import numpy as np
import runtime_policy  # noqa: F401  (before torch: the shim's runtime settings)
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shim",
                                "export"))
import bundle_meta  # noqa: E402  (the metadata format, shared with every exporter)

NUM_FRAMES = 15
BUNDLE_META = bundle_meta.FILE_NAME
INT_KEYS = ("format_version", "image_size", "hidden_dim", "memory_dim", "high_res_dim0",
            "high_res_dim1", "memory_tokens", "num_maskmem", "max_obj_ptrs",
            "multimask_output_in_sam", "multimask_output_for_tracking", "multimask_min_pt_num",
            "multimask_max_pt_num")


# ---- bundle -------------------------------------------------------------------------------------

def load_bundle(path):
    extra = {BUNDLE_META: ""}
    module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    module.eval()
    meta = bundle_meta.parse_bundle_meta(extra[BUNDLE_META])
    if meta.get("format") != "edgetam-bundle" or meta.get("format_version") != "1":
        raise SystemExit("%s: not an edgetam bundle of format version 1" % path)
    cfg = {k: int(meta[k]) for k in INT_KEYS}
    for k in ("sigmoid_scale_for_mem_enc", "sigmoid_bias_for_mem_enc"):
        cfg[k] = float(meta[k])
    for k in ("pixel_mean", "pixel_std"):
        cfg[k] = [float(v) for v in meta[k].split(",")]
    cfg["model"] = meta.get("model", "")
    return module, cfg


def to_bf16(x):
    """The video predictor stores memories in bfloat16 (round to nearest even)."""
    return x.to(torch.bfloat16).float()


# ---- outputs ------------------------------------------------------------------------------------

_NEIGHBOURS8 = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def fill_holes(pred, max_area):
    """Background pixels (<= 0) in 8-connected components of at most max_area pixels become 0.1.

    pred: float32 tensor [LR, LR]. Returns (filled copy, number of pixels filled)."""
    if max_area <= 0:
        return pred.clone(), 0
    values = pred.numpy()
    rows, cols = values.shape
    background = (values <= 0).ravel().tolist()
    seen = [False] * (rows * cols)
    holes = []
    for start in range(rows * cols):
        if not background[start] or seen[start]:
            continue
        seen[start] = True
        component = [start]
        stack = [start]
        while stack:
            p = stack.pop()
            y, x = divmod(p, cols)
            for dy, dx in _NEIGHBOURS8:
                yy, xx = y + dy, x + dx
                if 0 <= yy < rows and 0 <= xx < cols:
                    q = yy * cols + xx
                    if background[q] and not seen[q]:
                        seen[q] = True
                        component.append(q)
                        stack.append(q)
        if len(component) <= max_area:
            holes.extend(component)
    out = pred.clone()
    if holes:
        flat = out.view(-1)
        flat[torch.tensor(holes, dtype=torch.long)] = 0.1  # float32(0.1), as 0.1f in C
    return out, len(holes)


def frame_logits(pred, width, height):
    """Bilinear upsample of pred [LR, LR] to [H, W] (F.interpolate, align_corners=False)."""
    return F.interpolate(pred[None, None], size=(height, width), mode="bilinear",
                         align_corners=False)[0, 0]


# ---- tracker state ------------------------------------------------------------------------------

class Entry:
    """One history entry of an object: frame index, memory [T, Cm] (bfloat16-rounded, or None when
    only the pointer is kept), object pointer [C]."""

    def __init__(self, frame, memory, obj_ptr):
        self.frame = frame
        self.memory = memory
        self.obj_ptr = obj_ptr


class Output:
    """An object's output on the current frame t."""

    def __init__(self, pred, obj_ptr, score, iou, memory, pending, conditioning, best_index,
                 holes_filled):
        self.pred = pred              # [LR, LR] after fill_holes
        self.obj_ptr = obj_ptr        # [C]
        self.score = score            # float32 tensor [] (object score logit)
        self.iou = iou                # float32 tensor []
        self.memory = memory          # [T, Cm] bfloat16-rounded, or None while pending
        self.pending = pending        # memory still to be encoded (after a prompt)
        self.conditioning = conditioning  # becomes a conditioning entry (else a recent one)
        self.best_index = best_index  # multimask: index of the best mask, else None
        self.holes_filled = holes_filled


class TrackedObject:
    def __init__(self, object_id, created):
        self.id = object_id
        self.created = created
        self.conditioning = []  # Entry, increasing frame order
        self.recent = {}        # frame -> Entry (frames before t that are not conditioning)
        self.output = None      # Output on frame t
        self.points = []        # [(x, y, label)] in input pixels, on frame t


def select(obj, frame, num_maskmem, max_obj_ptrs):
    """Memories and object pointers object `obj` attends to on frame `frame` (docs/tracking.md,
    "Memory selection"). Returns (memories [n,T,Cm] list, t_pos list, pointers [C] list)."""
    memories, tpos, pointers = [], [], []
    conditioning = sorted(obj.conditioning, key=lambda e: e.frame)
    for entry in conditioning:
        memories.append(entry.memory)
        tpos.append(0)
    for t_pos in range(1, num_maskmem):
        entry = obj.recent.get(frame - (num_maskmem - t_pos))
        if entry is not None and entry.memory is not None:
            memories.append(entry.memory)
            tpos.append(t_pos)
    for entry in conditioning:
        if entry.frame <= frame:
            pointers.append(entry.obj_ptr)
    for d in range(1, max_obj_ptrs):
        entry = obj.recent.get(frame - d)
        if entry is not None:
            pointers.append(entry.obj_ptr)
    return memories, tpos, pointers


class Result:
    def __init__(self, object_id, output, width, height):
        self.object_id = object_id
        self.iou = float(output.iou)
        self.score = float(output.score)
        self.pred = output.pred
        self.logits = frame_logits(output.pred, width, height)
        self.best_index = output.best_index
        self.holes_filled = output.holes_filled

    @property
    def area(self):
        return int((self.logits > 0).sum())


class Tracker:
    def __init__(self, module, cfg, max_objects=8, max_conditioning_frames=4, fill_hole_area=8,
                 corrections_as_conditioning=False):
        self.m = module
        self.cfg = cfg
        self.S = cfg["image_size"]
        self.LR = self.S // 4
        self.max_objects = max_objects
        self.max_conditioning_frames = max_conditioning_frames
        self.fill_hole_area = fill_hole_area
        self.corrections_as_conditioning = corrections_as_conditioning
        self.mean = torch.tensor(cfg["pixel_mean"], dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(cfg["pixel_std"], dtype=torch.float32).view(1, 3, 1, 1)
        self.t = None
        self.hr0 = self.hr1 = self.feat = None
        self.width = self.height = None
        self.objects = {}
        self.prompted = False  # some object received a prompt on frame t since it was tracked

    # -- model helpers --

    def _image(self, frame):
        """uint8 [S, S, 3] RGB -> [1, 3, S, S] float32 (x/255 - mean)/std."""
        if frame.shape != (self.S, self.S, 3):
            raise ValueError("frames must be S x S RGB here (no resize in this reference)")
        x = torch.from_numpy(np.ascontiguousarray(frame)).permute(2, 0, 1).unsqueeze(0)
        return ((x.float() / 255.0 - self.mean) / self.std).contiguous()

    def _attend(self, obj, is_init):
        cfg = self.cfg
        if is_init:
            memories, tpos, pointers = [], [], []
        else:
            memories, tpos, pointers = select(obj, self.t, cfg["num_maskmem"],
                                              cfg["max_obj_ptrs"])
        if memories:
            memory = torch.stack(memories)
        else:
            memory = torch.zeros(0, cfg["memory_tokens"], cfg["memory_dim"])
        memory_tpos = torch.tensor(tpos, dtype=torch.int64)
        if pointers:
            obj_ptrs = torch.stack(pointers)
        else:
            obj_ptrs = torch.zeros(0, cfg["hidden_dim"])
        return self.m.attend_memory(self.feat, memory, memory_tpos, obj_ptrs)

    def _decode(self, pix, points, mask_input, multimask):
        coords = torch.tensor([[p[0], p[1]] for p in points], dtype=torch.float32)
        coords = coords.view(1, len(points), 2)
        labels = torch.tensor([p[2] for p in points], dtype=torch.int32).view(1, len(points))
        if mask_input is None:
            mask_input = torch.zeros(0)
        masks, ious, best, obj_ptr, score = self.m.decode(pix, self.hr0, self.hr1, coords, labels,
                                                          mask_input, bool(multimask))
        best_index = None
        if multimask:
            best_index = int(torch.argmax(ious[0]))
            assert torch.equal(best[0, 0], masks[0, best_index]), "best is not argmax(ious)"
        return best[0, 0], ious[0].max(), obj_ptr[0], score.reshape(()), best_index

    def _encode_memory(self, pred, score, binarize):
        memory = self.m.encode_memory(self.feat, pred[None, None].contiguous(),
                                      score.reshape(1, 1), bool(binarize))
        return to_bf16(memory[0])

    def _multimask(self, is_init, num_points):
        cfg = self.cfg
        return bool(cfg["multimask_output_in_sam"]
                    and (is_init or cfg["multimask_output_for_tracking"])
                    and cfg["multimask_min_pt_num"] <= num_points <= cfg["multimask_max_pt_num"])

    def _add_conditioning(self, obj, entry):
        obj.conditioning.append(entry)
        obj.conditioning.sort(key=lambda e: e.frame)
        if len(obj.conditioning) > self.max_conditioning_frames:
            del obj.conditioning[1]  # the oldest one other than the object's first

    # -- the loop --

    def track(self, frame):
        """Tracks every object into the next frame (uint8 [H, W, 3] RGB). Returns a Result per
        object, increasing id."""
        cfg = self.cfg
        if self.t is not None:
            # 1. consolidate frame t
            for oid in sorted(self.objects):
                obj = self.objects[oid]
                out = obj.output
                if out is None:
                    continue
                if self.prompted or out.pending:
                    out.memory = self._encode_memory(out.pred, out.score, True)
                    out.pending = False
            # 2. frame-t entries become history
            for oid in sorted(self.objects):
                obj = self.objects[oid]
                out = obj.output
                if out is None:
                    continue
                entry = Entry(self.t, out.memory, out.obj_ptr)
                if out.conditioning:
                    obj.recent.pop(self.t, None)
                    self._add_conditioning(obj, entry)
                else:
                    obj.recent[self.t] = entry
                next_t = self.t + 1
                for f in list(obj.recent):
                    if f < next_t - (cfg["max_obj_ptrs"] - 1):
                        del obj.recent[f]
                    elif f < next_t - (cfg["num_maskmem"] - 1):
                        obj.recent[f].memory = None
                obj.output = None
        # 3. encode the new frame
        self.height, self.width = frame.shape[:2]
        self.hr0, self.hr1, self.feat = self.m.encode_image(self._image(frame))
        self.t = 0 if self.t is None else self.t + 1
        self.prompted = False
        for obj in self.objects.values():
            obj.points = []
        # 4. every object, increasing id
        results = []
        multimask = self._multimask(False, 0)
        for oid in sorted(self.objects):
            obj = self.objects[oid]
            pix = self._attend(obj, False)
            best, iou, obj_ptr, score, best_index = self._decode(pix, [], None, multimask)
            memory = self._encode_memory(best, score, False)
            pred, filled = fill_holes(best, self.fill_hole_area)
            obj.output = Output(pred, obj_ptr, score, iou, memory, False, False,
                                best_index, filled)
            results.append(Result(oid, obj.output, self.width, self.height))
        return results

    def add_prompt(self, object_id, points=(), box=None, mask=None, clear_old_points=True):
        """Points [(x, y, label)] and/or a box (x0, y0, x1, y1) in frame pixels, or a frame-size
        mask (nonzero = object), for one object on the current frame. Returns its Result."""
        if self.t is None:
            raise RuntimeError("a prompt before any frame")
        if mask is not None and (points or box is not None):
            raise ValueError("a mask comes alone")
        if box is not None and not clear_old_points:
            raise ValueError("a box requires clear_old_points")
        obj = self.objects.get(object_id)
        if obj is None:
            if len(self.objects) >= self.max_objects:
                raise RuntimeError("too many objects")
            obj = TrackedObject(object_id, self.t)
            self.objects[object_id] = obj
        is_init = obj.created == self.t
        conditioning = is_init or self.corrections_as_conditioning

        if mask is not None:
            m = torch.from_numpy(np.asarray(mask) != 0).float()
            if m.shape != (self.S, self.S):
                raise ValueError("masks must be S x S here (no resize in this reference)")
            best, obj_ptr, score = self.m.decode_mask(self.feat, self.hr0, self.hr1,
                                                      m[None, None].contiguous())
            pred, filled = fill_holes(best[0, 0], self.fill_hole_area)
            obj.points = []
            obj.output = Output(pred, obj_ptr[0], score.reshape(()),
                                torch.tensor(1.0), None, True, conditioning, None, filled)
        else:
            new = []
            if box is not None:
                (x0, y0), (x1, y1) = self._map(box[0], box[1]), self._map(box[2], box[3])
                new += [(x0, y0, 2), (x1, y1, 3)]
            for x, y, label in points:
                new.append(self._map(x, y) + (int(label),))
            obj.points = new if clear_old_points else obj.points + new
            mask_input = None
            if obj.output is not None:
                mask_input = obj.output.pred.clamp(-32.0, 32.0)[None, None].contiguous()
            multimask = self._multimask(is_init, len(obj.points))
            pix = self._attend(obj, is_init)
            best, iou, obj_ptr, score, best_index = self._decode(pix, obj.points, mask_input,
                                                                 multimask)
            pred, filled = fill_holes(best, self.fill_hole_area)
            obj.output = Output(pred, obj_ptr, score, iou, None, True, conditioning,
                                best_index, filled)
        self.prompted = True
        return Result(object_id, obj.output, self.width, self.height)

    def remove(self, object_id):
        del self.objects[object_id]

    def reset(self):
        self.objects = {}
        self.prompted = False

    def _map(self, x, y):
        """Frame pixels -> input pixels, x / W * S in float32."""
        f = np.float32
        return (float(f(f(x) / f(self.width)) * f(self.S)),
                float(f(f(y) / f(self.height)) * f(self.S)))


# ---- synthetic frames ---------------------------------------------------------------------------

def _soft_box(xx, yy, x0, y0, x1, y1):
    """Coverage of the box [x0, x1) x [y0, y1) with a one-pixel soft edge, per pixel centre."""
    cx = np.clip(np.minimum(xx + 0.5 - x0, x1 - (xx + 0.5)) + 0.5, 0.0, 1.0)
    cy = np.clip(np.minimum(yy + 0.5 - y0, y1 - (yy + 0.5)) + 0.5, 0.0, 1.0)
    return cx * cy


def _soft_ellipse(xx, yy, cx, cy, rx, ry):
    d = np.sqrt(((xx + 0.5 - cx) / rx) ** 2 + ((yy + 0.5 - cy) / ry) ** 2)
    return np.clip((1.0 - d) * min(rx, ry) + 0.5, 0.0, 1.0)


def scene(S, i):
    """Object geometry on frame i, in frame pixels (S x S frames; k scales motion with S)."""
    k = S / 256.0
    return {
        # A: red disk with a small background-coloured hole in its middle
        "A": dict(cx=0.27 * S + 2.5 * k * i, cy=0.30 * S + 1.0 * k * i, r=0.085 * S,
                  hole=0.035 * S),
        # B: green rectangle drifting down-left
        "B": dict(x0=0.60 * S - 2.0 * k * i, y0=0.60 * S + 1.5 * k * i,
                  x1=0.78 * S - 2.0 * k * i, y1=0.74 * S + 1.5 * k * i),
        # C: blue square moving right fast, out of the frame from about frame 9
        "C": dict(x0=0.66 * S + 10.0 * k * i, y0=0.12 * S, x1=0.80 * S + 10.0 * k * i,
                  y1=0.26 * S),
        # D: yellow ellipse, slow
        "D": dict(cx=0.25 * S + 1.0 * k * i, cy=0.78 * S, rx=0.10 * S, ry=0.06 * S),
    }


def make_frames(S, n=NUM_FRAMES):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float64)
    u, v = xx / S, yy / S
    background = np.stack([
        118 + 30 * np.sin(2 * np.pi * (3 * u + 2 * v) + c)
        + 20 * np.sin(2 * np.pi * (5 * v - 1.5 * u) + 2 * c)
        + 8 * np.sin(2 * np.pi * 11 * u) * np.cos(2 * np.pi * 9 * v)
        for c in range(3)], axis=2)
    frames = []
    for i in range(n):
        g = scene(S, i)
        img = background.copy()

        def paint(alpha, colour):
            nonlocal img
            img = img * (1 - alpha[..., None]) + alpha[..., None] * np.array(colour, np.float64)

        b = g["B"]
        paint(_soft_box(xx, yy, b["x0"], b["y0"], b["x1"], b["y1"]), (40, 190, 60))
        d = g["D"]
        paint(_soft_ellipse(xx, yy, d["cx"], d["cy"], d["rx"], d["ry"]), (235, 215, 40))
        a = g["A"]
        disk = _soft_ellipse(xx, yy, a["cx"], a["cy"], a["r"], a["r"])
        h = a["hole"] / 2
        disk = disk * (1 - _soft_box(xx, yy, a["cx"] - h, a["cy"] - h, a["cx"] + h, a["cy"] + h))
        paint(disk, (215, 35, 30))
        c = g["C"]
        paint(0.5 * _soft_box(xx, yy, c["x0"], c["y0"], c["x1"], c["y1"])
              + 0.5 * _soft_box(xx, yy, c["x0"] + 0.02 * S, c["y0"] + 0.02 * S,
                                c["x1"] - 0.02 * S, c["y1"] - 0.02 * S), (30, 60, 220))
        frames.append(np.clip(np.rint(img), 0, 255).astype(np.uint8))
    return frames


# ---- the scripted session -----------------------------------------------------------------------

A, B, C, D = 1, 2, 3, 4


def f32(x):
    return float(np.float32(x))


def make_session(S):
    """The operations, as tuples: ("frame", K), ("points", id, clear, [(x, y, label)]),
    ("box", id, (x0, y0, x1, y1)), ("mask_rect", id, (x0, y0, x1, y1)), ("remove", id),
    ("reset",). Point and box coordinates are float32 values (frame pixels)."""
    a0, a8 = scene(S, 0)["A"], scene(S, 8)["A"]
    c3, b5, d12 = scene(S, 3)["C"], scene(S, 5)["B"], scene(S, 12)["D"]
    # positive clicks on A's body (off its hole), a negative one on the background right of it
    pos_a0 = (f32(a0["cx"] - 0.5 * a0["r"] + 0.25), f32(a0["cy"] + 0.33), 1)
    neg_a0 = (f32(a0["cx"] + 1.45 * a0["r"]), f32(a0["cy"] - 0.2 * a0["r"]), 0)
    pos_a8 = (f32(a8["cx"] + 0.1 * a8["r"]), f32(a8["cy"] + 0.55 * a8["r"]), 1)
    m = 0.01 * S
    rect_c3 = (int(math.floor(c3["x0"] - m)), int(math.floor(c3["y0"] - m)),
               int(math.ceil(c3["x1"] + m)), int(math.ceil(c3["y1"] + m)))
    box_b5 = (f32(b5["x0"] - 2.5), f32(b5["y0"] - 1.75), f32(b5["x1"] + 3.25),
              f32(b5["y1"] + 2.125))
    pos_d12 = (f32(d12["cx"] + 0.75), f32(d12["cy"] - 0.5), 1)
    ops = [("frame", 0), ("points", A, 1, [pos_a0]), ("points", A, 0, [neg_a0])]
    ops += [("frame", 1), ("frame", 2), ("frame", 3), ("mask_rect", C, rect_c3)]
    ops += [("frame", 4), ("frame", 5), ("box", B, box_b5)]
    ops += [("frame", 6), ("frame", 7), ("frame", 8), ("points", A, 1, [pos_a8])]
    ops += [("frame", 9), ("frame", 10), ("remove", B), ("frame", 11), ("frame", 12), ("reset",),
            ("points", D, 1, [pos_d12]), ("frame", 13), ("frame", 14)]
    return ops


def format_op(op):
    kind = op[0]
    if kind == "frame":
        return "frame %d" % op[1]
    if kind == "points":
        parts = ["points", str(op[1]), str(op[2]), str(len(op[3]))]
        for x, y, label in op[3]:
            parts += ["%.9g" % x, "%.9g" % y, str(label)]
        return " ".join(parts)
    if kind == "box":
        return "box %d " % op[1] + " ".join("%.9g" % v for v in op[2])
    if kind == "mask_rect":
        return "mask_rect %d %d %d %d %d" % ((op[1],) + tuple(op[2]))
    if kind == "remove":
        return "remove %d" % op[1]
    if kind == "reset":
        return "reset"
    raise ValueError(kind)


def apply_op(tracker, frames, op):
    """Runs one operation; returns the list of Results it yields."""
    kind = op[0]
    if kind == "frame":
        return tracker.track(frames[op[1]])
    if kind == "points":
        return [tracker.add_prompt(op[1], points=op[3], clear_old_points=bool(op[2]))]
    if kind == "box":
        return [tracker.add_prompt(op[1], box=op[2])]
    if kind == "mask_rect":
        x0, y0, x1, y1 = op[2]
        mask = np.zeros((tracker.height, tracker.width), np.uint8)
        mask[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = 1
        return [tracker.add_prompt(op[1], mask=mask)]
    if kind == "remove":
        tracker.remove(op[1])
        return []
    if kind == "reset":
        tracker.reset()
        return []
    raise ValueError(kind)


def run_session(module, cfg, out_dir):
    S = cfg["image_size"]
    frames = make_frames(S)
    with open(os.path.join(out_dir, "frames.bin"), "wb") as f:
        for frame in frames:
            f.write(frame.tobytes())
    ops = make_session(S)
    with open(os.path.join(out_dir, "session.txt"), "w") as f:
        for op in ops:
            f.write(format_op(op) + "\n")

    tracker = Tracker(module, cfg)
    lines = ["# model=%s S=%d LR=%d frames=%d W=H=%d" % (cfg["model"], S, S // 4, len(frames), S),
             "# op kind object_id iou object_score mask_area best_index holes_filled"]
    lost, best_indices, holes = [], set(), 0
    with open(os.path.join(out_dir, "expected.bin"), "wb") as f:
        for index, op in enumerate(ops):
            results = apply_op(tracker, frames, op)
            for r in results:
                f.write(struct.pack("<iff", r.object_id, r.iou, r.score))
                f.write(r.pred.numpy().astype("<f4").tobytes())
                f.write(r.logits.contiguous().numpy().astype("<f4").tobytes())
                lines.append("%d %s %d %.7g %.7g %d %s %d" % (
                    index, format_op(op).split(" ")[0] + ("_%d" % op[1] if op[0] == "frame"
                                                           else ""),
                    r.object_id, r.iou, r.score, r.area,
                    "-" if r.best_index is None else str(r.best_index), r.holes_filled))
                if r.score <= 0:
                    lost.append((index, r.object_id))
                if r.best_index is not None:
                    best_indices.add(r.best_index)
                holes += r.holes_filled
    with open(os.path.join(out_dir, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("records=%d" % (len(lines) - 2))
    print("exercised: object_score<=0: %s %s" % (
        "yes" if lost else "NO", " ".join("op%d:id%d" % x for x in lost)))
    print("exercised: multimask best index varies: %s (indices %s)" % (
        "yes" if len(best_indices) > 1 else "NO", sorted(best_indices)))
    print("exercised: holes filled: %s (%d low-res pixels in all)" % ("yes" if holes else "NO",
                                                                      holes))
    return frames


def time_tracking(module, cfg, frames, count=50):
    tracker = Tracker(module, cfg)
    tracker.track(frames[0])
    a = scene(cfg["image_size"], 0)["A"]
    tracker.add_prompt(A, points=[(f32(a["cx"] - 0.5 * a["r"]), f32(a["cy"]), 1)])
    times = []
    for i in range(count):
        frame = frames[(i + 1) % len(frames)]
        start = time.perf_counter()
        tracker.track(frame)
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--time", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)  # fixed, so the golden outputs do not depend on the machine's cores
    module, cfg = load_bundle(args.bundle)
    with torch.inference_mode():
        frames = run_session(module, cfg, args.out)
        if args.time:
            print("python_frame_ms_p50=%.3f" % time_tracking(module, cfg, frames))


if __name__ == "__main__":
    main()
