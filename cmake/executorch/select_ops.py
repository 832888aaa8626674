#!/usr/bin/python3
"""Chooses the portable kernels to compile and register (build.sh --ops FILE; without it, all).

    /usr/bin/python3 cmake/executorch/select_ops.py EXECUTORCH_TREE OUT.cmake [OPS_FILE]

OPS_FILE: one operator a line as a program names it (`aten::gelu.out`; `gelu.out` also works),
`#` comments; operators outside the portable library's functions.yaml that the runtime registers
anyway (the primitive ops of libexecutorch: executorch_prim::*, aten::sym_size.int, ...) are
skipped. Writes for portable-ops/CMakeLists.txt: EDGETAM_ROOT_OPS (gen_oplist's --root_ops,
empty for all) and EDGETAM_PORTABLE_SRCS (the kernels' .cpp files plus every util/ and pattern/ file).

Compiling the ~170 portable kernels is most of the runtime build (each one is instantiated for
every dtype); the ops a program leaves out of XNNPACK are a few dozen. Each operator's file is
the one that defines its kernel function (functions.yaml's kernel_name, taking a RuntimeContext&
first): checked unique for all 186 entries of v0.5.0, and no kernel file calls another's kernel.
"""
import glob
import os
import re
import sys

import yaml


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    tree, out = sys.argv[1:3]
    portable = os.path.join(tree, "kernels", "portable")
    with open(os.path.join(portable, "functions.yaml"), encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    sources = {}
    for path in glob.glob(os.path.join(portable, "cpu", "**", "*.cpp"), recursive=True):
        if os.sep + "test" + os.sep not in path:
            with open(path, encoding="utf-8") as f:
                sources[os.path.relpath(path, tree)] = f.read()

    # qualified names: `op:` entries are ATen's, `func:` ones (dim_order_ops::...) carry their own
    by_name = {("aten::" + e["op"]) if "op" in e else e["func"].split("(")[0]: e for e in entries}

    def kernel_file(op):
        entry = by_name[op]
        files = set()
        for kernel in entry["kernels"]:
            fn = kernel["kernel_name"].split("::")[-1]
            pattern = re.compile(r"\b" + re.escape(fn) + r"\s*\(\s*(?:torch::executor::|"
                                 r"executorch::runtime::)?(?:Kernel)?RuntimeContext\s*&")
            hits = [p for p, text in sources.items() if pattern.search(text)]
            if len(hits) != 1:
                sys.exit(f"select_ops.py: {op}: kernel {fn} defined in {hits or 'no file'}")
            files.update(hits)
        return files

    if len(sys.argv) == 4:
        # the primitive ops libexecutorch registers itself: executorch_prim::* and a few aten ones
        with open(os.path.join(tree, "kernels", "prim_ops", "register_prim_ops.cpp"),
                  encoding="utf-8") as f:
            prim = set(re.findall(r'"(\w+::[\w.]+)"', f.read()))
        wanted = []
        with open(sys.argv[3], encoding="utf-8") as f:
            for line in f:
                name = line.split("#")[0].strip()
                if not name or name.startswith("executorch_prim::") or name in prim:
                    continue
                wanted.append(name if "::" in name else "aten::" + name)
        unknown = sorted(set(wanted) - set(by_name))
        if unknown:
            sys.exit(f"select_ops.py: not in the portable library: {' '.join(unknown)}")
        selected = sorted(set(wanted))
        root_ops = ",".join(selected)
    else:
        selected = sorted(by_name)
        root_ops = ""
    files = set()
    for op in selected:
        files |= kernel_file(op)
    helpers = {p for p in sources if not os.path.basename(p).startswith("op_")}
    with open(out, "w", encoding="utf-8") as f:
        f.write("# written by cmake/executorch/select_ops.py\n")
        f.write(f'set(EDGETAM_ROOT_OPS "{root_ops}")\n')
        f.write("set(EDGETAM_PORTABLE_SRCS\n")
        f.writelines(f"    {p}\n" for p in sorted(files | helpers))
        f.write(")\n")
    print(f"select_ops.py: {len(selected)} operators, {len(files)} kernel files", file=sys.stderr)


if __name__ == "__main__":
    main()
