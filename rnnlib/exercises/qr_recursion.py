"""Exercises of the chapter "Whitehill's q/r recursion" (book/qr_recursion.ipynb; 004 §2.1–2.2).

Every expected answer is computed with :mod:`rnnlib.sources.whitehill` (nothing is typed in): the data
are the chapter's seeded 3-unit model, built by :func:`_model` exactly as the chapter builds it.
"""
from __future__ import annotations

import numpy as np

from ..sources import whitehill as wh
from . import register


def _model(T: int = 5):
    """The chapter's model: N1 = 3 hidden units, n = 2 inputs, seed 4; xs (T, n), ys (T,)."""
    rng = np.random.default_rng(4)
    N1, n = 3, 2
    wp = wh.WhitehillParams(U=0.7 * rng.standard_normal((N1, N1)), V=0.7 * rng.standard_normal((N1, n)),
                            w=rng.standard_normal(N1))
    xs = rng.standard_normal((T, n))
    ys = rng.standard_normal(T)
    return wp, xs, ys


@register("qr-1", hint="q_{τ−1}ᵀ = (q_τᵀ U) ⊙ g_{τ−1}ᵀ: a row vector times U (not Uᵀ q), then "
                       "elementwise by g_4 = 1 − tanh²(z_4).")
def _():
    wp, xs, ys = _model()
    return wh.qr_as_written(wp, xs, ys, 5).q[4]          # q_4 of the recursion for J_5


@register("qr-2", hint="J_t's recursion starts at q_t (final condition) and applies the recursion "
                       "relation for τ = t, …, 2: t − 1 times. Add over t = 1, …, 10.")
def _():
    wp, xs, ys = _model(T=10)
    steps = 0
    for t in range(1, 11):
        q = wh.qr_as_written(wp, xs, ys, t).q               # rows 1..t hold q_τ
        steps += int(np.isfinite(q[1:, 0]).sum()) - 1      # all but q_t came from the recursion
    return steps


def _row_order(answer, want) -> bool:
    """Accept 'row', 'row-major', 'row major' (any case, surrounding spaces) when ``want`` is 'row'."""
    if not isinstance(answer, str):
        return False
    a = answer.strip().lower().replace("_", "-")
    return a == want or a in (f"{want}-major", f"{want} major")


@register("qr-3", hint="Column i·N1 + j of the block-diagonal matrix holds h_{t−1,j} in row i: which "
                       "vec puts U_ij at position i·N1 + j? Answer 'row' or 'col'.", compare=_row_order)
def _():
    N1, m = 3, 4
    u = np.arange(1.0, m + 1)                              # distinct entries, so no accidental match
    block = np.kron(np.eye(N1), u[None, :])               # blockdiag(uᵀ, …, uᵀ), (N1, N1·m)
    found = []
    for order in wh.VEC_ORDERS:
        J = np.empty((N1, N1 * m))
        for k in range(N1 * m):                            # column k: ∂(M u)/∂vec[M]_k, exact (linear)
            e = np.zeros(N1 * m)
            e[k] = 1.0
            J[:, k] = wh.unvec(e, (N1, m), order) @ u
        if np.array_equal(J, block):
            found.append(order)
    assert len(found) == 1
    return found[0]


@register("qr-4", hint="Run the recursion for t = 3 (q_3, q_2, q_1) and add r_τ = q_τ h_{τ−1}ᵀ; "
                       "the answer is his U-shaped (3 × 3) matrix, not its vec.")
def _():
    wp, xs, ys = _model()
    nz = wh.nested_expansion_as_written(wp, xs, ys, "U", fix_innermost=True)   # the corrected expansion
    return wh.unvec(nz.dJ[3], (3, 3), "row")
