"""Exercises of the chapter "What the algorithms cost" (book/costs.ipynb).

Every expected answer is computed with rnnlib (nothing is typed in): bytes from the arrays
:func:`rnnlib.carried_tensors` returns, multiply-adds from the shapes of the arrays each
algorithm multiplies, and recursion steps from :func:`rnnlib.sources.whitehill.qr_as_written`
and :func:`rnnlib.steps.backward_steps`.
"""
from __future__ import annotations

import numpy as np

from ..params import init_params
from ..sources import whitehill as wh
from ..steps import backward_steps
from ..tensor_bptt import carried_tensors
from . import register


@register("costs-1", hint="RTRL carries H³ + H²·n + H² numbers whatever T is; reverse mode stores a_t and "
                          "h'(z_t) for every step, 2·T·H numbers. Try H = 1, 2, 3, … and stop at the first "
                          "H where the first is larger (rnnlib.carried_tensors gives the carried bytes).")
def _():
    T, n, N2 = 100, 8, 8
    H = 1
    while True:
        p = init_params(n, H, N2, seed=0)
        carried = sum(arr.nbytes for arr in carried_tensors(p, np.zeros((1, n)))[0].values())
        states = 2 * T * H * p.W.itemsize                      # a_t and h'(z_t), t = 1..T, (T, H) each
        if carried > states:
            return H
        H += 1


def _dominant_madds(H: int, T: int = 20) -> tuple[int, int, int]:
    """Multiply-adds of each algorithm's dominant products for one sequence, from array shapes."""
    n = N2 = 8
    p = init_params(n, H, N2, seed=0)
    rows, cols = p.W.shape                                    # (H, H)
    dadW = carried_tensors(p, np.zeros((1, n)))[0]["dadW"]    # (H, H, H), read as (H, H·H)
    per_matvec = rows * cols                                  # (1, H) @ (H, H): H² multiply-adds
    bptt = 2 * T * per_matvec                                 # one product forward, one backward, per step
    rtrl = T * rows * cols * (dadW.size // dadW.shape[0])     # W @ ∂a_{t-1}/∂W: (H, H) @ (H, H²) per step
    qr = (T + T * (T - 1) // 2) * per_matvec                  # forward, plus t − 1 recursion steps for each J_t
    return bptt, rtrl, qr


@register("costs-2", hint="Count multiply-adds of the dominant product: (1, H) @ (H, H) costs H², "
                          "(H, H) @ (H, H²) costs H⁴. Doubling H multiplies H^k by 2^k. Answer a tuple "
                          "(bptt, RTRL, q/r).")
def _():
    small, big = _dominant_madds(16), _dominant_madds(32)
    return tuple(float(b / s) for s, b in zip(small, big))


@register("costs-3", hint="J_t's q/r recursion applies q_{τ−1} = h'(z_{τ−1}) ⊙ Wᵀ q_τ t − 1 times; add over "
                          "t = 1 … 20. Reverse mode carries Wᵀ ∂L/∂z_t once per step except the first. "
                          "Answer a tuple (q/r, bptt).")
def _():
    T, N1, n = 20, 3, 2
    rng = np.random.default_rng(0)
    wp = wh.WhitehillParams(U=0.5 * rng.standard_normal((N1, N1)), V=rng.standard_normal((N1, n)),
                            w=rng.standard_normal(N1))
    xs, ys = rng.standard_normal((T, n)), rng.standard_normal(T)
    qr = 0
    for t in range(1, T + 1):
        q = wh.qr_as_written(wp, xs, ys, t).q                 # rows 1..t hold q_τ; q_t is the final condition
        qr += int(np.isfinite(q[1:, 0]).sum()) - 1
    _, steps = backward_steps(wh.to_params(wp), xs, ys[:, None], "tanh", "identity")
    bptt = len(steps) - 1                                     # steps T … 1; every step but t = 1 passes Wᵀ back
    return (qr, bptt)
