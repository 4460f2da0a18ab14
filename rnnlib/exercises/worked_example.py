"""Exercises of chapter "The 2-3-2 worked example" (book/worked_example.ipynb; 002 §§2–4, 000 BPTT).

The chapter's network (n = 2, N1 = 3, N2 = 2) and three-step sequence are rebuilt here by
:func:`example`, exactly as the chapter builds them; every expected answer is computed with
rnnlib (``rnnlib.sources.ramkumar`` for the source's loss-axis tensors, ``rnnlib.bptt`` for
the true gradient). Nothing is typed in.
"""
from __future__ import annotations

import numpy as np

from ..bptt import bptt
from ..params import Params, init_params
from ..sources import ramkumar
from . import register

SEED = 2                                   # init_params(2, 3, 2, seed=2), rounded to 1 decimal
B = [0.1, -0.1, 0.2]                       # b, chosen by hand (init_params starts biases at 0)
C = [0.0, 0.1]                             # c, chosen by hand
XS = [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]  # x_1, x_2, x_3: (T, n) = (3, 2)
YS = [[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]   # one-hot y_1, y_2, y_3: (T, N2) = (3, 2)


def example() -> tuple[Params, np.ndarray, np.ndarray]:
    """The chapter's 2-3-2 network and sequence: (params, xs (3, 2), ys (3, 2))."""
    p0 = init_params(2, 3, 2, seed=SEED)
    p = Params(W=np.round(p0.W, 1), U=np.round(p0.U, 1), b=np.array(B),
               V=np.round(p0.V, 1), c=np.array(C))
    return p, np.array(XS), np.array(YS)


def _steps(**flags) -> list:
    p, xs, ys = example()
    return ramkumar.bptt_as_written(p, xs, ys, "tanh", fix_eq316=True, **flags).steps


@register("worked-1", hint="∂L_1/∂c = δ_1^(2) = diag(ŷ_1 − y_1) (eq. 3.3): a 2 × 2 matrix with the "
                           "loss axis first, not the vector ŷ_1 − y_1.")
def _dL1_dc():
    return _steps()[0]["dL_dc"]                     # (N2, N2)


@register("worked-2", hint="The loss axis comes first: N^(2) × N^(1) × n (the note under eq. 3.19). "
                           "Answer with a tuple of three integers.")
def _dLt_dU_shape():
    return tuple(_steps()[0]["dL_dU"].shape)       # (N2, N1, n)


@register("worked-3", hint="Take ∂L_2/∂b = δ_2^(1) [I + W ∂a_1/∂b] (eq. 3.10), shape (2, 3), and sum "
                           "over its first (loss) axis. At t = 2 the source's ∂a_1/∂b = diag(h'(z_1)) "
                           "is still right.")
def _dL2_db():
    return _steps()[1]["dL_db"].sum(axis=0)         # (N1,)


@register("worked-4", hint="∂a_2/∂b must carry the recurrence: diag(h'(z_2)) [I + W ∂a_1/∂b], not "
                           "diag(h'(z_2)) as eq. 3.11 writes. Then ∂L_3/∂b = δ_3^(1) [I + W ∂a_2/∂b], "
                           "summed over the loss axis.")
def _dL3_db_correct():
    p, xs, ys = example()
    mask = np.array([0.0, 0.0, 1.0])                # only L_3 counts
    return bptt(p, xs, ys, "tanh", "softmax", mask)[1].b   # (N1,): ∂L_3/∂b, reverse mode


@register("worked-5", hint="Run every reshape of the W chain (eqs. 3.13–3.15) with order='C' instead of 'F', "
                           "then sum ∂L_t/∂W over the loss axis and over t = 1..3. Compare the result with "
                           "rnnlib.bptt's ∂L/∂W: it is its transpose.")
def _dW_order_C():
    p, xs, ys = example()
    return ramkumar.bptt_as_written(p, xs, ys, "tanh", fix_eq316=True, fix_db=True, order="C").grads.W
