"""Exercises of the appendix "Errata of the sources" (book/errata.ipynb).

Every expected answer is computed, never typed in: from :func:`rnnlib.sources.errata.evidence`
(the same search the appendix runs) or from the as-written functions of ``rnnlib.sources``.
"""
from __future__ import annotations

import numpy as np

from ..params import init_params
from ..sources import errata, ramkumar
from . import register

XS_1 = [[1.0, -1.0]]      # errata-4: one step, n = 2
YS_1 = [[1.0, 0.0]]       # its target: class 1


@register("errata-1", hint="Compare outline001.backward_as_written(...).grads.W_h with rnnlib.bptt(...)[1].W on "
                           "the prefixes xs[:T], T = 1, 2, …; at T = 1 and T = 2 the missing f'(z_{t+1}) "
                           "is multiplied by h_0 = 0 in ∂L/∂W_h.")
def _outline_W_h():
    return errata.evidence("outline-recursion", seed=1)["by_param"]["W"]


@register("errata-2", hint="Run ramkumar.bptt_as_written with fix_db=False and fix_db=True (fix_eq316=True) at "
                           "T = 3 and see which entry of .grads changes. Answer with the letter as a string.")
def _eq311_param():
    affected = [k for k, T in errata.evidence("ramkumar-eq3.11")["by_param"].items() if T is not None]
    return affected[0] if len(affected) == 1 else ", ".join(affected)


@register("errata-3", hint="§4.1 sums t = 1..N^(2); with N^(2) = 3 it is right while T ≤ 3 and undefined for "
                           "T < 3. Try T = 3, 4, 5 with update_sum='N2' against rnnlib.bptt.")
def _update_N2_three():
    return errata.evidence("ramkumar-update-N2", N2=3, seed=3)["smallest_failing_T"]


@register("errata-4", hint="Slice k of ∂L_1/∂c is row k of δ_1^(2) = diag(ŷ_1 − y_1): for class 2 it is "
                           "(0, ŷ_{2,1} − y_{2,1}) with y_{2,1} = 0.")
def _loss_axis_slice():
    p = init_params(2, 3, 2, seed=0)
    steps = ramkumar.bptt_as_written(p, np.array(XS_1), np.array(YS_1), "tanh", fix_eq316=True).steps
    return steps[0]["dL_dc"][1]                       # (N2,): slice k = 2 (0-based row 1)
