"""Writes a scripted bundle module (shim/BUNDLE.md) as a bundle file, for either interpreter:

- the full TorchScript JIT: torch.jit.save, conventionally *.edgetam;
- the lite interpreter: _save_for_lite_interpreter, conventionally *.ptl. This is what an iOS app
  linking the LibTorch-Lite pod can run; the file also keeps the full program, so the library
  loads it either way (it picks the lite interpreter whenever the file has bytecode).

Shared by every exporter (the stand-in generator, the official-model exporter).
"""

import io
import os
import tempfile

import torch

try:
    import bundle_meta
    import runtime_ops
except ImportError:  # imported from elsewhere: these live next to this file
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bundle_meta
    import runtime_ops


def bundle_bytes(module, meta, lite=False, comment=None):
    """The bytes of the bundle file for the scripted `module` with metadata `meta` (a dict of
    bundle_meta.KEYS but those runtime_ops.op_metadata computes from the module: the exporting
    torch, the oldest runtime that has its operators, the operators) and an optional `comment`."""
    text = bundle_meta.format_bundle_meta(dict(meta, **runtime_ops.op_metadata(module)), comment)
    extra = {bundle_meta.FILE_NAME: text}
    if not lite:
        # saved to memory so that the archive's folder name ("archive") is the same for any path
        buf = io.BytesIO()
        torch.jit.save(module, buf, _extra_files=extra)
        return buf.getvalue()
    # torch 1.13 saves lite bundles only to a named file; the folder name inside the archive
    # comes from the file name, so it is fixed here too.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "archive.ptl")
        module._save_for_lite_interpreter(path, _extra_files=extra)
        with open(path, "rb") as f:
            return f.read()


def load_lite(data):
    """Loads bundle bytes with the lite interpreter, as LibTorch-Lite will (raises if it cannot)."""
    from torch.jit.mobile import _load_for_lite_interpreter
    return _load_for_lite_interpreter(io.BytesIO(data))


def write_file(path, data):
    """Writes `data` to `path` atomically: a reader never sees half a bundle."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
