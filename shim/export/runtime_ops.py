#!/usr/bin/python3
"""Which torch runtimes can run a bundle: the operators of every method against the operator lists
of the runtimes the library supports (shim/BUNDLE.md, "Runtimes").

    /usr/bin/python3 shim/export/runtime_ops.py --write     # adds this torch's list to shim/export/runtime_ops/
    /usr/bin/python3 shim/export/runtime_ops.py BUNDLE      # a bundle's operators, per method and runtime

The lists (shim/export/runtime_ops/libtorch-X.Y.txt) hold every operator the TorchScript runtime of that
torch registers, `name.overload`, written here with --write under Debian 12 (1.13) and Debian 13
(2.6). The LibTorch-Lite pods are built with every operator (no selective build), so LibTorch-Lite
1.13 has libtorch 1.13's list. No torch 2.1 can be installed here: LibTorch-Lite 2.1 is taken to
have an operator when both 1.13 and 2.6 have it (operators are added, and almost never removed and
re-added), and an operator only 2.6 has counts as missing there.

Every exporter records the result in the bundle's metadata (bundle_save.bundle_bytes):
`torch_version` (the exporting torch), `min_torch_version` (the oldest listed libtorch that has
every operator, else the exporting torch) and `ops` (the operators), so that the library can name
the operator and the versions when a runtime cannot load a bundle.
"""

import os
import re
import sys

import torch

LIST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime_ops")
METHODS = ("encode_image", "attend_memory", "decode", "decode_mask", "encode_memory")


def torch_version(version=None):
    """(major, minor, patch) of a torch version string such as '2.6.0+debian' or '1.13.0a0'."""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version or torch.__version__)
    if not m:
        raise ValueError("unrecognised torch version %r" % (version or torch.__version__))
    return tuple(int(g or 0) for g in m.groups())


def registered_ops():
    """Every operator this torch's TorchScript runtime registers, as 'name.overload'."""
    return {s.name + ("." + s.overload_name if s.overload_name else "")
            for s in torch._C._jit_get_all_schemas()}


def method_ops(module):
    """{method: sorted operator names} for the five bundle methods of a scripted module (graphs
    inlined; interpreter built-ins without a schema, such as prim::If, are not operators)."""
    out = {}
    for name in METHODS:
        if not hasattr(module, name):
            continue
        ops = set()

        def visit(block):
            for node in block.nodes():
                schema = node.schema()
                if schema != "(no schema)":
                    ops.add(schema.split("(", 1)[0])
                for sub in node.blocks():
                    visit(sub)

        visit(getattr(module, name).inlined_graph)
        out[name] = sorted(ops)
    return out


def known_runtimes():
    """[(name, version tuple, set of operators)], oldest first: the listed libtorch releases,
    LibTorch-Lite 1.13 and (estimated, see the module text) LibTorch-Lite 2.1."""
    libtorch = []
    for f in sorted(os.listdir(LIST_DIR)):
        m = re.fullmatch(r"libtorch-(\d+)\.(\d+)\.txt", f)
        if m:
            with open(os.path.join(LIST_DIR, f)) as fh:
                ops = {l.strip() for l in fh if l.strip() and not l.startswith("#")}
            libtorch.append(((int(m.group(1)), int(m.group(2)), 0), ops))
    libtorch.sort(key=lambda r: r[0])
    out = [("libtorch %d.%d" % v[:2], v, ops) for v, ops in libtorch]
    by_version = {v[:2]: ops for v, ops in libtorch}
    if (1, 13) in by_version:
        out.append(("LibTorch-Lite 1.13", (1, 13, 0), by_version[(1, 13)]))
    if (1, 13) in by_version and (2, 6) in by_version:
        out.append(("LibTorch-Lite 2.1 (estimated)", (2, 1, 0),
                    by_version[(1, 13)] & by_version[(2, 6)]))
    return out


def op_metadata(module):
    """The metadata keys torch_version, min_torch_version and ops of a scripted bundle module."""
    ops = sorted(set().union(*method_ops(module).values()))
    here = torch_version()
    needed = here
    for name, version, have in known_runtimes():
        if name.startswith("libtorch") and not set(ops) - have and version < needed:
            needed = version
    return {"torch_version": torch.__version__, "min_torch_version": "%d.%d.%d" % needed,
            "ops": ops}


def report(module, out=sys.stdout):
    """Prints the operators of every method and what each known runtime lacks; returns
    {runtime name: sorted missing operators}."""
    per_method = method_ops(module)
    missing = {}
    for name, ops in per_method.items():
        out.write("%s: %d operators: %s\n" % (name, len(ops), " ".join(ops)))
    every = set().union(*per_method.values())
    for runtime, _, have in known_runtimes():
        missing[runtime] = sorted(every - have)
        out.write("%s: %s\n" % (runtime, "has every operator" if not missing[runtime]
                                else "lacks " + ", ".join(missing[runtime])))
    return missing


def write_list():
    v = torch_version()
    path = os.path.join(LIST_DIR, "libtorch-%d.%d.txt" % v[:2])
    os.makedirs(LIST_DIR, exist_ok=True)
    with open(path, "w") as f:
        f.write("# TorchScript operators of torch %s, written by shim/export/runtime_ops.py --write\n"
                % torch.__version__)
        f.writelines(op + "\n" for op in sorted(registered_ops()))
    print("wrote %s" % path)


def main(argv):
    if argv == ["--write"]:
        write_list()
        return 0
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    report(torch.jit.load(argv[0], map_location="cpu"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
