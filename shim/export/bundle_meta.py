"""The metadata of an edgetam bundle (shim/BUNDLE.md, "Metadata", and for ExecuTorch bundles
"ExecuTorch bundles").

Shared by every exporter (through bundle_save.bundle_bytes and bundle_pte.metadata_text): it
formats `edgetam_bundle.txt` from a dict and checks it the way the library will. No torch import
here: the keys that need torch (torch_version, min_torch_version, ops) come from
runtime_ops.op_metadata, those of ExecuTorch from bundle_pte.
"""
import re

FORMAT = "edgetam-bundle"
FORMAT_VERSION = 1
FILE_NAME = "edgetam_bundle.txt"

# Every key is required; this is also the order they are written in.
KEYS = (
    "format",
    "format_version",
    "model",
    "image_size",
    "hidden_dim",
    "memory_dim",
    "high_res_dim0",
    "high_res_dim1",
    "memory_tokens",
    "num_maskmem",
    "max_obj_ptrs",
    "multimask_output_in_sam",
    "multimask_output_for_tracking",
    "multimask_min_pt_num",
    "multimask_max_pt_num",
    "sigmoid_scale_for_mem_enc",
    "sigmoid_bias_for_mem_enc",
    "pixel_mean",
    "pixel_std",
    "torch_version",
    "min_torch_version",
    "ops",
)

# An ExecuTorch bundle's keys: the operators are checked from the program itself, so no ops and
# min_torch_version; the runtime, its release and the bounds of the padded and dynamic inputs
# instead.
PTE_KEYS = tuple(k for k in KEYS if k not in ("min_torch_version", "ops")) + (
    "runtime", "executorch_version", "precision", "max_points", "max_memories", "max_pointers")

_POSITIVE_INTS = ("image_size", "hidden_dim", "memory_dim", "high_res_dim0", "high_res_dim1",
                  "memory_tokens", "num_maskmem", "max_obj_ptrs", "max_points", "max_memories",
                  "max_pointers")
_FLAGS = ("multimask_output_in_sam", "multimask_output_for_tracking")
_NONNEG_INTS = ("multimask_min_pt_num", "multimask_max_pt_num")
_FLOATS = ("sigmoid_scale_for_mem_enc", "sigmoid_bias_for_mem_enc")
_TRIPLES = ("pixel_mean", "pixel_std")
_VERSION = re.compile(r"\d+\.\d+\.\d+")
_OP = re.compile(r"[A-Za-z_]\w*::\w+(\.\w+)?")


def _fmt_float(x):
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)  # shortest round-trip form, e.g. 0.485


def _fmt_value(key, value):
    if key == "ops":
        ops = [value] if isinstance(value, str) else list(value)
        bad = [op for op in ops if not _OP.fullmatch(op)]
        if not ops or bad:
            raise ValueError("bundle metadata ops: expected operator names such as "
                             "aten::add.Tensor, got %r" % (bad or ops))
        return ",".join(ops)
    if key in _TRIPLES:
        vals = [float(v) for v in value]
        if len(vals) != 3:
            raise ValueError("bundle metadata %s: expected 3 values, got %d" % (key, len(vals)))
        return ",".join(_fmt_float(v) for v in vals)
    if key in _FLOATS:
        return _fmt_float(value)
    if key in _POSITIVE_INTS or key in _FLAGS or key in _NONNEG_INTS or key == "format_version":
        if isinstance(value, bool):
            value = int(value)
        if int(value) != value:
            raise ValueError("bundle metadata %s: %r is not an integer" % (key, value))
        return str(int(value))
    return str(value)


def _keys(meta):
    """The keys `meta` must have: an ExecuTorch bundle's when it names a runtime."""
    return PTE_KEYS if "runtime" in meta else KEYS


def check_bundle_meta(meta):
    """Raises ValueError naming the key if `meta` breaks a rule of BUNDLE.md."""
    keys = _keys(meta)
    missing = [k for k in keys if k not in meta]
    if missing:
        raise ValueError("bundle metadata: missing key(s) %s" % ", ".join(missing))
    unknown = [k for k in meta if k not in keys]
    if unknown:
        raise ValueError("bundle metadata: unknown key(s) %s" % ", ".join(sorted(unknown)))
    if meta["format"] != FORMAT:
        raise ValueError("bundle metadata format: must be %s" % FORMAT)
    if int(meta["format_version"]) != FORMAT_VERSION:
        raise ValueError("bundle metadata format_version: must be %d" % FORMAT_VERSION)
    model = str(meta["model"])
    if not model or "\n" in model or "\r" in model or not model.isascii():
        raise ValueError("bundle metadata model: must be one line of ASCII text")
    for k in _POSITIVE_INTS:
        if k in keys and int(meta[k]) <= 0:
            raise ValueError("bundle metadata %s: must be positive" % k)
    if int(meta["image_size"]) % 16:
        raise ValueError("bundle metadata image_size: must be a multiple of 16")
    if int(meta["hidden_dim"]) % int(meta["memory_dim"]):
        raise ValueError("bundle metadata memory_dim: hidden_dim must be a multiple of it")
    for k in _FLAGS:
        if int(meta[k]) not in (0, 1):
            raise ValueError("bundle metadata %s: must be 0 or 1" % k)
    for k in _NONNEG_INTS:
        if int(meta[k]) < 0:
            raise ValueError("bundle metadata %s: must be >= 0" % k)
    if int(meta["multimask_min_pt_num"]) > int(meta["multimask_max_pt_num"]):
        raise ValueError("bundle metadata multimask_min_pt_num: larger than multimask_max_pt_num")
    if min(float(v) for v in meta["pixel_std"]) <= 0:
        raise ValueError("bundle metadata pixel_std: must be positive")
    version = str(meta["torch_version"])
    if not version or not version.isascii() or any(c.isspace() for c in version):
        raise ValueError("bundle metadata torch_version: must be a version without spaces")
    if "min_torch_version" in keys and not _VERSION.fullmatch(str(meta["min_torch_version"])):
        raise ValueError("bundle metadata min_torch_version: expected MAJOR.MINOR.PATCH")
    if "runtime" in keys:
        if meta["runtime"] != "executorch":
            raise ValueError("bundle metadata runtime: must be executorch")
        if not _VERSION.fullmatch(str(meta["executorch_version"])):
            raise ValueError("bundle metadata executorch_version: expected MAJOR.MINOR.PATCH")
        if meta["precision"] not in ("fp32", "fp16"):
            raise ValueError("bundle metadata precision: must be fp32 or fp16")
    for k in keys:
        _fmt_value(k, meta[k])  # raises on malformed values


def format_bundle_meta(meta, comment=None):
    """The text of edgetam_bundle.txt for `meta` (a dict holding exactly KEYS, or PTE_KEYS for an
    ExecuTorch bundle; pixel_mean and pixel_std are sequences of 3 floats). `comment` (optional,
    may span lines) is written first as `#` lines."""
    check_bundle_meta(meta)
    lines = []
    if comment:
        lines += ["# " + line if line else "#" for line in str(comment).splitlines()]
    lines += ["%s=%s" % (k, _fmt_value(k, meta[k])) for k in _keys(meta)]
    text = "\n".join(lines) + "\n"
    text.encode("ascii")  # the format is ASCII
    return text


def parse_bundle_meta(text):
    """Inverse of format_bundle_meta, for checks and tests: dict of key -> str value."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError("bundle metadata: line without '=': %r" % line)
        out[key.strip()] = value.strip()
    return out


def typed_meta(text_meta):
    """parse_bundle_meta's strings as the types format_bundle_meta / check_bundle_meta take."""
    meta = dict(text_meta)
    for k in _keys(meta):
        if k not in meta:
            continue  # check_bundle_meta names it
        if k in _TRIPLES:
            meta[k] = [float(v) for v in meta[k].split(",")]
        elif k == "ops":
            meta[k] = meta[k].split(",")
        elif k in _FLOATS:
            meta[k] = float(meta[k])
        elif k in _POSITIVE_INTS or k in _FLAGS or k in _NONNEG_INTS or k == "format_version":
            meta[k] = int(meta[k])
    return meta
