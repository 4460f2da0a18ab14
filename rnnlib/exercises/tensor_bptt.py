"""Exercises of the chapter "Tensor BPTT" (book/tensor_bptt.ipynb).

Every expected answer is computed with rnnlib from the same seeded data the exercise text
builds (nothing is typed in): shapes and bytes from the arrays :func:`rnnlib.carried_tensors`
returns, the failing T from :func:`rnnlib.sources.errata.evidence`, the Kronecker entry
from :func:`rnnlib.sources.ramkumar.do_dV`.
"""
from __future__ import annotations

import numpy as np

from ..bptt import bptt
from ..params import init_params
from ..sources import errata, ramkumar
from ..tensor_bptt import carried_tensors
from . import register, same_int, same_shape


@register("tensor-1", hint="∂a_t/∂W has one index for the component a_{k,t} and two for the entry W_ij; "
                           "W is N1 × N1. Use rnnlib.carried_tensors and look at .shape.",
          compare=same_shape)
def _():
    p = init_params(2, 5, 2, seed=0)                          # n = 2, N1 = 5, N2 = 2
    xs = np.random.default_rng(0).standard_normal((3, 2))     # (T, n)
    return tuple(carried_tensors(p, xs)[-1]["dadW"].shape)


@register("tensor-2", hint="∂a_1/∂b is right as written (∂a_0/∂b = 0); ∂L_2/∂b uses ∂a_1/∂b only. "
                           "Which step first reads the wrong ∂a_2/∂b?", compare=same_int)
def _():
    return errata.evidence("ramkumar-eq3.11", T_max=8)["smallest_failing_T"]


@register("tensor-3", hint="Column-major: (∂o_t/∂V)[k, i, j] = δ_ki a_{j,t}. Build it with "
                           "rnnlib.sources.ramkumar.do_dV(a, 2, order='F') and index it [0, 0, 1].")
def _():
    a = np.array([0.2, -0.5, 0.7])                            # a_t, N1 = 3
    return float(ramkumar.do_dV(a, 2, order="F")[0, 0, 1])    # (N2, N2, N1) = (2, 2, 3)


@register("tensor-4", hint="Three carried tensors: N1×N1×N1, N1×N1×n and N1×N1, 8 bytes per float64 "
                           "entry. Sum .nbytes over the dict rnnlib.carried_tensors returns for one step.",
          compare=same_int)
def _():
    p = init_params(32, 64, 8, seed=0)                        # n = 32, N1 = 64, N2 = 8
    xs = np.zeros((1, 32))                                    # one step is enough: shapes do not depend on t
    return int(sum(arr.nbytes for arr in carried_tensors(p, xs)[0].values()))


@register("tensor-5", hint="Keep the loss axis: sum the steps' ∂L_t/∂W (fix_db=True, fix_eq316=True) over t "
                           "only, take slice 0, and compare it with rnnlib.bptt's W gradient: "
                           "cosine = ⟨A, G⟩ / (‖A‖ ‖G‖).", rtol=1e-6, atol=1e-9)
def _():
    rng = np.random.default_rng(0)                            # the chapter's 2-3-2 model and sequence
    p = init_params(2, 3, 2, seed=0)
    xs = rng.standard_normal((8, 2))                          # (T, n)
    ys = np.eye(2)[rng.integers(0, 2, size=8)]                # (T, N2)
    steps = ramkumar.bptt_as_written(p, xs, ys, fix_db=True, fix_eq316=True).steps
    A = sum(s["dL_dW"] for s in steps)[0]                     # slice k = 0 of Σ_t ∂L_t/∂W, (N1, N1)
    G = bptt(p, xs, ys)[1].W                                  # ∂L/∂W, (N1, N1)
    return float((A * G).sum() / (np.linalg.norm(A) * np.linalg.norm(G)))
