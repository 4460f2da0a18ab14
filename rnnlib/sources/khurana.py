"""Khurana's "sum over all paths" (003): derivatives w.r.t. V and W, and the parameter count.

Serves the chapter "Khurana: gradients as sums over paths".

The article's formulas were images and are missing from the text; this module implements
what the text describes. Notation (the same letters as rnnlib, with Khurana's sizes)::

    s_t = h(U x_t + W s_{t−1} + b),   ŷ_t = softmax(V s_t + c),   s_0 = 0
    U (d, n), W (d, d), V (k, d), b (d,), c (k,)       — d = N1, k = N2 classes

"L_4 depends on W via s_4, s_3, s_2, s_1 … the derivative … is the sum of the derivative of all the
paths that lead from L_4 to W"; in general::

    ∂L_t/∂W = Σ_{k=1}^{t} ∂L_t/∂s_t ( Π_{j=k+1}^{t} ∂s_j/∂s_{j−1} ) ∂⁺s_k/∂W

with ∂⁺s_k/∂W the *immediate* derivative (s_{k−1} held fixed) and ∂s_j/∂s_{j−1} = diag(h'(z_j)) W.
(The letter k is both the number of classes and the path index in the source; here the path
index is ``k`` and the class count is ``k_classes`` in :func:`parameter_count`.) Time is 1-based.
"""
from __future__ import annotations

import numpy as np

from .._validate import ACTIVATIONS, as_float_array, check_choice, check_positive_int
from ..forward import Trace, forward, prepare
from ..params import NAMES, Params, check_params

WRT = ("W", "U", "b")
ORDERS = ("right-to-left", "left-to-right")


# --- parameters ------------------------------------------------------------------------------
def parameter_count(n: int, d: int, k: int) -> int:
    """d×n + d×d + k×d + d×1 + k×1: the sizes of U, W, V, b and c (003, "Total No. of Parameters")."""
    n, d, k = (check_positive_int(name, v) for name, v in (("n", n), ("d", d), ("k", k)))
    return d * n + d * d + k * d + d + k


def from_params(params: Params) -> dict:
    """rnnlib.Params -> Khurana: the same letters U, W, V, b, c; sizes n, d = N1, k = N2."""
    check_params(params)
    return dict(U=params.U, W=params.W, V=params.V, b=params.b, c=params.c,
                n=params.n_in, d=params.n_hidden, k=params.n_out)


def to_params(U, W, V, b, c) -> Params:
    """Khurana's (U, W, V, b, c) -> rnnlib.Params (identity map)."""
    return Params(W=W, U=U, b=b, V=V, c=c)


# --- pieces of one path ----------------------------------------------------------------------
def _check_trace(trace) -> Trace:
    if not isinstance(trace, Trace):
        raise TypeError(f"trace must be an rnnlib.Trace from rnnlib.forward; got {type(trace).__name__}")
    if trace.z.ndim != 2:
        raise ValueError(f"trace must be of one sequence (z of shape (T, d)); got z of shape {trace.z.shape}")
    return trace


def _check_time(name: str, t, lo: int, hi: int) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"{name} must be an integer time step; got {type(t).__name__}")
    if not lo <= t <= hi:
        raise ValueError(f"{name} must satisfy {lo} ≤ {name} ≤ {hi} (1-based time); got {t}")
    return int(t)


def step_jacobian(params: Params, trace: Trace, j: int) -> np.ndarray:
    """∂s_j/∂s_{j−1} = diag(h'(z_j)) W, (d, d), for 1 ≤ j ≤ T."""
    trace = _check_trace(trace)
    j = _check_time("j", j, 1, trace.T)
    return trace.h_prime[j - 1][:, None] * params.W


def jacobian_product(params: Params, trace: Trace, k: int, t: int, order: str = "right-to-left",
                     v=None) -> tuple[np.ndarray, int]:
    """∂s_t/∂s_k = Π_{j=k+1}^{t} ∂s_j/∂s_{j−1} = J_t J_{t−1} ⋯ J_{k+1}, and the flops it took.

    ``order="right-to-left"`` multiplies matrices starting from J_{k+1} (a matrix–matrix chain,
    forward accumulation); ``"left-to-right"`` starts from the left with vector–Jacobian products
    (reverse accumulation): with ``v`` (a (d,) row such as ∂L_t/∂s_t) one VJP per step; without
    ``v``, one VJP chain per row of I_d.

    Returns ``(result, flops)``: result is v ∂s_t/∂s_k (d,) if ``v`` is given, else ∂s_t/∂s_k (d, d).
    ``flops`` counts 2·m·p·q per (m×p)(p×q) product; forming each J_j is not counted (same in both
    orders). With L = t − k factors: the full Jacobian costs 2(L−1)d³ right-to-left and 2Ld³
    left-to-right; v ∂s_t/∂s_k costs 2(L−1)d³ + 2d² right-to-left but only 2Ld² left-to-right.
    """
    check_choice("order", order, ORDERS)
    trace = _check_trace(trace)
    t = _check_time("t", t, 0, trace.T)
    k = _check_time("k", k, 0, t)
    d = params.n_hidden
    J = [step_jacobian(params, trace, j) for j in range(k + 1, t + 1)]   # J_{k+1}, …, J_t
    if v is not None:
        v = np.asarray(v, dtype=params.dtype)
        if v.shape != (d,):
            raise ValueError(f"v must be a row vector of shape ({d},) (d = N1); got {v.shape}")
    flops = 0
    if order == "right-to-left":
        P = np.eye(d, dtype=params.dtype)
        for i, Jj in enumerate(J):
            if i == 0:
                P = Jj                                   # J_{k+1}
            else:
                P = Jj @ P                               # J_j (J_{j−1} ⋯ J_{k+1}): 2d³
                flops += 2 * d ** 3
        if v is None:
            return P, flops
        flops += 2 * d * d if J else 0
        return v @ P, flops
    rows = np.eye(d, dtype=params.dtype) if v is None else v[None, :]   # (r, d) left vectors
    for Jj in reversed(J):
        rows = rows @ Jj                                 # r VJPs: (rows J_t) J_{t−1} …: 2 r d²
        flops += 2 * rows.shape[0] * d * d
    return (rows if v is None else rows[0]), flops


def immediate_derivative(params: Params, trace: Trace, k: int, wrt: str = "W") -> np.ndarray:
    """∂⁺s_k/∂θ with s_{k−1} held fixed: tensor (d, *θ.shape), entry [i, p, q] = h'(z_k)_i δ_ip u_q.

    u = s_{k−1} for W, x_k for U; for b the tensor is diag(h'(z_k)) (d, d).
    """
    check_choice("wrt", wrt, WRT)
    trace = _check_trace(trace)
    k = _check_time("k", k, 1, trace.T)
    hp = trace.h_prime[k - 1]                            # (d,)
    if wrt == "b":
        return np.diag(hp)
    u = trace.a_prev[k - 1] if wrt == "W" else trace.xs[k - 1]
    d = params.n_hidden
    return np.einsum("i,ip,q->ipq", hp, np.eye(d, dtype=params.dtype), u)   # (d, d, len(u))


def dL_ds(params: Params, trace: Trace, ys, t: int) -> np.ndarray:
    """∂L_t/∂s_t = Vᵀ(ŷ_t − y_t), (d,), for softmax + cross-entropy."""
    trace = _check_trace(trace)
    t = _check_time("t", t, 1, trace.T)
    ys = as_float_array("ys", ys, params.dtype)
    if ys.shape != trace.y_hat.shape:
        raise ValueError(f"ys must have shape {trace.y_hat.shape} to match the trace; got {ys.shape}")
    return params.V.T @ (trace.y_hat[t - 1] - ys[t - 1])


def _trace(params, xs, ys, activation):
    batch = prepare(params, xs, ys, activation, "softmax")
    if not batch.single:
        raise ValueError(f"xs must be one sequence (T, n); got shape {np.shape(xs)}")
    return forward(params, xs, activation, "softmax"), batch.Y[:, 0]


def path_terms(params: Params, xs, ys, t: int, wrt: str = "W", activation: str = "tanh") -> list:
    """The paths from L_t to θ, one per k = t, t−1, …, 1 (t is 1-based).

    Each entry is a dict with ``k``; ``jacobian`` ∂s_t/∂s_k (d, d); ``immediate`` ∂⁺s_k/∂θ;
    ``term`` = ∂L_t/∂s_t (∂s_t/∂s_k) ∂⁺s_k/∂θ, shaped like θ. Their sum is ∂L_t/∂θ.
    """
    check_choice("wrt", wrt, WRT)
    trace, Y = _trace(params, xs, ys, activation)
    t = _check_time("t", t, 1, trace.T)
    g_t = dL_ds(params, trace, Y, t)                      # (d,)
    terms = []
    for k in range(t, 0, -1):
        Jtk, _ = jacobian_product(params, trace, k, t)    # ∂s_t/∂s_k (d, d)
        imm = immediate_derivative(params, trace, k, wrt)
        row = g_t @ Jtk                                   # ∂L_t/∂s_k (d,)
        term = np.tensordot(row, imm, axes=(0, 0))        # shaped like θ
        terms.append(dict(k=k, jacobian=Jtk, immediate=imm, term=term))
    return terms


def dLt_dtheta(params: Params, xs, ys, t: int, wrt: str = "W", activation: str = "tanh") -> np.ndarray:
    """∂L_t/∂θ = Σ_k (path k)  for θ in W, U, b."""
    return sum(p["term"] for p in path_terms(params, xs, ys, t, wrt, activation))


def total_gradient(params: Params, xs, ys, activation: str = "tanh") -> tuple[float, Params]:
    """(L, ∂L/∂θ as Params) with L = Σ_t L_t: W, U, b by summing every path of every L_t;
    V and c by the single path ∂L_t/∂V = (ŷ_t − y_t) s_tᵀ, ∂L_t/∂c = ŷ_t − y_t. Cost O(T² d³).
    """
    check_choice("activation", activation, ACTIVATIONS)
    trace, Y = _trace(params, xs, ys, activation)
    T = trace.T
    grads = {wrt: sum(dLt_dtheta(params, xs, ys, t, wrt, activation) for t in range(1, T + 1))
             for wrt in WRT}
    dO = trace.y_hat - Y                                  # (T, k)
    grads["V"] = dO.T @ trace.a
    grads["c"] = dO.sum(axis=0)
    loss = float(trace.losses(Y).sum())
    return loss, Params(**{name: grads[name] for name in NAMES})


__all__ = ["parameter_count", "from_params", "to_params", "step_jacobian", "jacobian_product",
           "immediate_derivative", "dL_ds", "path_terms", "dLt_dtheta", "total_gradient"]
