"""The shim's runtime settings, for the Python oracles (golden_reference.py, official_reference.py),
so that oracle and library compute alike on every runtime. Import it instead of torch, first:
- oneDNN 3 capped at AVX2, as shim/runtime_check.cpp caps it (shim/BUNDLE.md, "Runtimes"): oneDNN
  3.7's AVX-512 kernels (libtorch 2.6) compute some convolutions wrongly, and an uncapped oracle
  would be wrong the same way and agree with an uncapped library; oneDNN 2 (libtorch 1.13) as it
  is, as the shim leaves it. oneDNN reads the variable at its first kernel, after this import.
- no TensorExpr fusion, as the shim loads bundles: Debian's torch 2.6 has LLVM, and fused
  elementwise kernels round differently (the golden session amplifies that beyond its tolerance).
"""
import os
import re

import torch

_onednn = re.search(r"MKL-DNN v(\d+)\.", torch.__config__.show())
if not (_onednn and _onednn.group(1) == "2"):
    os.environ["ONEDNN_MAX_CPU_ISA"] = "AVX2"
torch._C._jit_set_texpr_fuser_enabled(False)
