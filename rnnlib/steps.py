"""Per-step records of the forward and backward passes, for steppers and chapters
(chapters "Forward pass", "The 2-3-2 worked example", "Reverse-mode BPTT").

:func:`backward_steps` walks the reverse-mode recursion of :func:`rnnlib.bptt` one step
at a time for ONE sequence and records what each step adds to each gradient, so a
reader can watch the sums build up. It is a teaching loop (column vectors, no
hoisting); its final sums equal :func:`rnnlib.bptt` (tested).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .forward import Trace, forward, prepare
from .losses import step_losses
from .params import NAMES, Params


@dataclass(frozen=True)
class BackwardStep:
    """What backward step t (1-based, T down to 1) computes.

    dL_do : (N2,) ∂L_t/∂o_t = ŷ_t - y_t
    dL_da : (N1,) ∂L/∂a_t, from the output at t plus the future (Wᵀ ∂L/∂z_{t+1})
    dL_dz : (N1,) ∂L/∂z_t = h'(z_t) ⊙ ∂L/∂a_t
    added : Params, what this step adds to each gradient
    total : Params, the running sums after this step
    """

    t: int
    dL_do: np.ndarray
    dL_da: np.ndarray
    dL_dz: np.ndarray
    added: Params
    total: Params


def backward_steps(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax",
                   a0=None) -> tuple[Trace, list[BackwardStep]]:
    """The forward trace and the backward pass as a list of steps t = T, …, 1 (one sequence)."""
    batch = prepare(params, xs, ys, activation, output, None, a0)
    if not batch.single:
        raise ValueError("backward_steps takes one sequence: xs of shape (T, n)")
    tr = forward(params, xs, activation, output, a0)
    y = batch.Y[:, 0]                                    # (T, N2)
    a_prev, hp = tr.a_prev, tr.h_prime                   # (T, N1) each
    total = params.zeros_like()
    carry = np.zeros(params.n_hidden, params.dtype)      # Wᵀ ∂L/∂z_{t+1}
    steps = []
    for t in range(tr.T - 1, -1, -1):
        dL_do = tr.y_hat[t] - y[t]                       # (N2,) ŷ_t - y_t
        dL_da = params.V.T @ dL_do + carry               # (N1,)
        dL_dz = hp[t] * dL_da                            # (N1,)
        added = Params(W=np.outer(dL_dz, a_prev[t]), U=np.outer(dL_dz, tr.xs[t]), b=dL_dz,
                       V=np.outer(dL_do, tr.a[t]), c=dL_do)
        total = total.map(np.add, added)
        carry = params.W.T @ dL_dz
        steps.append(BackwardStep(t + 1, dL_do, dL_da, dL_dz, added, total))
    return tr, steps


def running_loss(trace: Trace, ys) -> np.ndarray:
    """Σ_{s≤t} L_s for t = 1..T, one sequence: shape (T,)."""
    return np.cumsum(step_losses(trace.o, np.asarray(ys, trace.o.dtype), trace.output))


__all__ = ["BackwardStep", "backward_steps", "running_loss", "NAMES"]
