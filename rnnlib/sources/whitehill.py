"""Whitehill's regression RNN and its gradients as written (004, CS/DS541 2020 notes).

Serves the chapter "Whitehill's q/r recursion".

Whitehill's notation (§1) and its map to rnnlib.Params::

    J_t = ½(ŷ_t − y_t)²,  ŷ_t = h_tᵀ w,  h_0 = 0,  h_t = tanh(z_t),  z_t = U h_{t−1} + V x_t

    his U (N1, N1) recurrent  = our W          his V (N1, n) input = our U
    his w (N1,)               = our V[0] (N2 = 1)     no biases: b = 0, c = 0
    output identity, ½ squared error (rnnlib output="identity"), activation tanh

Arrays here are indexed by Whitehill's 1-based time: ``h[t]`` is h_t with ``h[0]`` = h_0;
``x[0]``, ``z[0]``, ``g[0]``, ``y_hat[0]`` do not exist and hold NaN.

Two things are switchable:

* ``vec_order`` — his block-diagonal ∂z_t/∂vec[U] (rows h_{t−1}ᵀ on the diagonal) is the Jacobian
  w.r.t. the *row-major* vec (rows of U stacked); for the usual column-major vec it is h_{t−1}ᵀ ⊗ I.
  "row" is as written; "col" reads vec[Σ r_τ] column-major, which no longer matches F_t.
* ``fix_innermost`` — the nested expansion (F_t + diag[g_t]U[F_{t−1} + … + diag[g_1]U[F_1]]) ends
  with diag[g_1]; the pattern (the multiplier before F_k is diag[g_{k+1}]U) needs diag[g_2]. For U
  this is invisible when h_0 = 0 (F_1 = 0), for V (E_1 ≠ 0) it is wrong from t = 2.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._validate import as_float_array, check_choice
from ..forward import prepare, run
from ..params import Params, check_params

VEC_ORDERS = ("row", "col")
WRT = ("U", "V")


# --- parameters ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class WhitehillParams:
    """Whitehill's θ = (U, V, w): U (N1, N1) recurrent, V (N1, n) input, w (N1,) output."""

    U: np.ndarray
    V: np.ndarray
    w: np.ndarray

    def __post_init__(self) -> None:
        w = np.asarray(self.w)
        if w.ndim != 1:
            raise ValueError(f"w must be a vector (N1,); got shape {w.shape}")
        p = to_params(self)  # validates shapes and dtypes through Params
        for name, arr in (("U", p.W), ("V", p.U), ("w", p.V[0])):
            object.__setattr__(self, name, arr)


def to_params(wp: WhitehillParams) -> Params:
    """Whitehill -> rnnlib: W = U, U = V, V = wᵀ (1, N1), b = 0, c = 0."""
    if not isinstance(wp, WhitehillParams):
        raise TypeError(f"wp must be a WhitehillParams; got {type(wp).__name__}")
    w = np.asarray(wp.w)
    U = np.asarray(wp.U)
    return Params(W=U, U=wp.V, b=np.zeros(U.shape[:1], w.dtype), V=w[None, :], c=np.zeros(1, w.dtype))


def from_params(params: Params) -> WhitehillParams:
    """rnnlib -> Whitehill: U = W, V = U, w = V[0]. Needs N2 = 1 and b = c = 0 (his model has no biases)."""
    check_params(params)
    if params.n_out != 1:
        raise ValueError(f"Whitehill's RNN has one output (N2 = 1); params has N2 = {params.n_out}")
    if np.any(params.b != 0) or np.any(params.c != 0):
        raise ValueError("Whitehill's RNN has no biases: params.b and params.c must be zero "
                         "(dropping them would silently change the model)")
    return WhitehillParams(U=params.W, V=params.U, w=params.V[0])


def _as_wp(wp) -> WhitehillParams:
    if isinstance(wp, WhitehillParams):
        return wp
    if isinstance(wp, Params):
        return from_params(wp)
    raise TypeError(f"wp must be a WhitehillParams (or an rnnlib.Params with N2 = 1, b = c = 0); "
                    f"got {type(wp).__name__}")


# --- forward ---------------------------------------------------------------------------------
class WhitehillTrace(NamedTuple):
    """Whitehill §1 for one sequence, 1-based: row t is time t (row 0: h_0, NaN elsewhere)."""

    x: np.ndarray      # (T+1, n)
    z: np.ndarray      # (T+1, N1)
    h: np.ndarray      # (T+1, N1), h[0] = h_0
    g: np.ndarray      # (T+1, N1), g_t = 1 − tanh²(z_t)
    y_hat: np.ndarray  # (T+1,)
    y: np.ndarray      # (T+1,) targets, or NaN if none were given

    @property
    def T(self) -> int:
        return self.z.shape[0] - 1


def _targets(ys, T: int, dtype) -> np.ndarray:
    y = as_float_array("ys", ys, dtype)
    if y.shape == (T, 1):
        y = y[:, 0]
    if y.shape != (T,):
        raise ValueError(f"ys must be (T,) or (T, 1) scalar targets with T = {T}; got shape {y.shape}")
    return y


def whitehill_forward(wp, xs, ys=None, *, h0=None) -> WhitehillTrace:
    """z_t = U h_{t−1} + V x_t, h_t = tanh(z_t), ŷ_t = h_tᵀ w  (004 §1); h_0 = 0 unless ``h0`` is given."""
    wp = _as_wp(wp)
    p = to_params(wp)
    batch = prepare(p, xs, None, "tanh", "identity", None, h0)
    if not batch.single:
        raise ValueError(f"xs must be one sequence (T, n); got shape {np.shape(xs)}")
    Z, H = run(p, batch.X, batch.A0, "tanh")
    X, Z, H = batch.X[:, 0], Z[:, 0], H[:, 0]
    T, N1 = Z.shape
    nan = np.full((1, N1), np.nan, p.dtype)
    y = np.full(T, np.nan, p.dtype) if ys is None else _targets(ys, T, p.dtype)
    return WhitehillTrace(
        x=np.concatenate([np.full((1, X.shape[1]), np.nan, p.dtype), X]),
        z=np.concatenate([nan, Z]),
        h=np.concatenate([batch.A0, H]),
        g=np.concatenate([nan, 1 - H * H]),
        y_hat=np.concatenate([[np.nan], H @ wp.w]),
        y=np.concatenate([[np.nan], y]),
    )


def _with_targets(wp, xs, ys, h0) -> WhitehillTrace:
    if ys is None:
        raise TypeError("ys must be an array of targets (T,) or (T, 1), got None")
    return whitehill_forward(wp, xs, ys, h0=h0)


def loss(wp, xs, ys, *, h0=None) -> float:
    """J = Σ_t J_t = Σ_t ½(ŷ_t − y_t)²."""
    tr = _with_targets(wp, xs, ys, h0)
    e = tr.y_hat[1:] - tr.y[1:]
    return float(0.5 * (e * e).sum())


# --- vec and the block-diagonal Jacobians -------------------------------------------------------
def vec(M: np.ndarray, order: str = "row") -> np.ndarray:
    """vec[M]: rows stacked (``"row"``, what the block-diagonal F_t implies) or columns (``"col"``)."""
    check_choice("order", order, VEC_ORDERS)
    return np.asarray(M).reshape(-1, order="C" if order == "row" else "F")


def unvec(v: np.ndarray, shape: tuple, order: str = "row") -> np.ndarray:
    """The inverse of :func:`vec`."""
    check_choice("order", order, VEC_ORDERS)
    return np.asarray(v).reshape(shape, order="C" if order == "row" else "F")


def block_diagonal(u: np.ndarray, N1: int, vec_order: str = "row") -> np.ndarray:
    """∂(M u)/∂vec[M] for M (N1, m): block-diagonal with uᵀ on the diagonal (as written, ``"row"``:
    I ⊗ uᵀ) or uᵀ ⊗ I (``"col"``, the Jacobian for column-major vec). Shape (N1, N1·m)."""
    check_choice("vec_order", vec_order, VEC_ORDERS)
    u = np.asarray(u)[None, :]
    I = np.eye(N1, dtype=u.dtype)
    return np.kron(I, u) if vec_order == "row" else np.kron(u, I)


def F(tr: WhitehillTrace, t: int, vec_order: str = "row") -> np.ndarray:
    """F_t = diag[g_t] blockdiag(h_{t−1}ᵀ)  (§2.1), (N1, N1·N1)."""
    return tr.g[t][:, None] * block_diagonal(tr.h[t - 1], tr.h.shape[1], vec_order)


def E(tr: WhitehillTrace, t: int, vec_order: str = "row") -> np.ndarray:
    """E_t = diag[g_t] blockdiag(x_tᵀ)  (§2.2), (N1, N1·n)."""
    return tr.g[t][:, None] * block_diagonal(tr.x[t], tr.h.shape[1], vec_order)


def _check_t(t, T: int) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"t must be an integer time step; got {type(t).__name__}")
    if not 1 <= t <= T:
        raise ValueError(f"t must satisfy 1 ≤ t ≤ T = {T} (1-based time); got {t}")
    return int(t)


# --- the nested expansion ----------------------------------------------------------------------
class Nested(NamedTuple):
    """``dh[t]`` = ∂h_t/∂vec[θ] (N1, size θ) and ``dJ[t]`` = ∂J_t/∂vec[θ] for t = 1..T (row 0 unused, NaN);
    ``total`` = Σ_t ∂J_t/∂vec[θ]."""

    dh: np.ndarray
    dJ: np.ndarray
    total: np.ndarray


def nested_expansion_as_written(wp, xs, ys, wrt: str = "U", *, fix_innermost: bool = False, h0=None,
                                vec_order: str = "row") -> Nested:
    """∂J_t/∂vec[θ] = (ŷ_t − y_t) wᵀ (F_t + diag[g_t]U[F_{t−1} + … + diag[g_1]U[F_1]])  (§2.1; §2.2 with E).

    Evaluated from the inside out: acc_1 = F_1, acc_k = F_k + diag[g_k] U acc_{k−1}, except that as
    written the innermost multiplier (applied to [F_1], k = 2) is diag[g_1] instead of diag[g_2].
    ``fix_innermost=True`` uses diag[g_2]. At t = 2 the source's head (diag[g_t]U[F_{t−1}…) and tail
    (…diag[g_1]U[F_1]) name the same factor; the tail, the innermost one, is followed here.
    ``vec_order`` selects F_t/E_t: block-diagonal ("row", as written) or the Kronecker form ("col").
    """
    check_choice("wrt", wrt, WRT)
    wp = _as_wp(wp)
    tr = _with_targets(wp, xs, ys, h0)
    T, N1 = tr.T, wp.U.shape[0]
    piece = F if wrt == "U" else E
    size = N1 * (N1 if wrt == "U" else tr.x.shape[1])
    dh = np.full((T + 1, N1, size), np.nan)
    dJ = np.full((T + 1, size), np.nan)
    for t in range(1, T + 1):
        acc = piece(tr, 1, vec_order)                             # [F_1]
        for k in range(2, t + 1):
            m = k if (fix_innermost or k > 2) else 1              # as written: diag[g_1] around [F_1]
            acc = piece(tr, k, vec_order) + (tr.g[m][:, None] * wp.U) @ acc   # F_k + diag[g_m] U [acc]
        dh[t] = acc
        dJ[t] = (tr.y_hat[t] - tr.y[t]) * (wp.w @ acc)            # (ŷ_t − y_t) wᵀ ∂h_t/∂vec[θ]
    return Nested(dh, dJ, dJ[1:].sum(axis=0))


# --- the q/r recursion -------------------------------------------------------------------------
class QR(NamedTuple):
    """One ∂J_t: ``q[τ]`` (τ = 1..t, row 0 NaN), ``r_U[τ]`` = q_τ h_{τ−1}ᵀ, ``r_V[τ]`` = q_τ x_τᵀ,
    and ∂J_t/∂vec[U], ∂J_t/∂vec[V], ∂J_t/∂w."""

    q: np.ndarray
    r_U: np.ndarray
    r_V: np.ndarray
    dJ_dvecU: np.ndarray
    dJ_dvecV: np.ndarray
    dJ_dw: np.ndarray


def qr_as_written(wp, xs, ys, t: int, *, h0=None, vec_order: str = "row") -> QR:
    """Whitehill's recursive algorithm for ∂J_t (§2.1–2.3)::

        q_tᵀ     = ((ŷ_t − y_t) wᵀ) ⊙ g_tᵀ             final condition
        q_{τ−1}ᵀ = (q_τᵀ U) ⊙ g_{τ−1}ᵀ                 recursion relation
        r_τ      = q_τ h_{τ−1}ᵀ                        (for V: q_τ x_τᵀ, "similar")
        ∂J_t/∂vec[U] = vec[Σ_{τ=1}^t r_τ],   ∂J_t/∂w = (ŷ_t − y_t) h_tᵀ

    ``vec_order``: "row" matches the block-diagonal F_t; "col" (column-major vec) does not.
    """
    check_choice("vec_order", vec_order, VEC_ORDERS)
    wp = _as_wp(wp)
    tr = _with_targets(wp, xs, ys, h0)
    t = _check_t(t, tr.T)
    N1, n = wp.U.shape[0], tr.x.shape[1]
    q = np.full((t + 1, N1), np.nan)
    r_U = np.full((t + 1, N1, N1), np.nan)
    r_V = np.full((t + 1, N1, n), np.nan)
    q[t] = (tr.y_hat[t] - tr.y[t]) * wp.w * tr.g[t]               # final condition
    for tau in range(t, 0, -1):
        if tau < t:
            q[tau] = (q[tau + 1] @ wp.U) * tr.g[tau]              # recursion relation
        r_U[tau] = np.outer(q[tau], tr.h[tau - 1])                # r_τ = q_τ h_{τ−1}ᵀ
        r_V[tau] = np.outer(q[tau], tr.x[tau])                    # q_τ x_τᵀ
    return QR(q, r_U, r_V, vec(r_U[1:].sum(axis=0), vec_order), vec(r_V[1:].sum(axis=0), vec_order),
              (tr.y_hat[t] - tr.y[t]) * tr.h[t])


def qr_gradients(wp, xs, ys, *, h0=None, vec_order: str = "row") -> tuple[float, WhitehillParams]:
    """(J, ∂J/∂θ as WhitehillParams) with J = Σ_t J_t, each ∂J_t by :func:`qr_as_written` (cost O(T²)).

    The summed vectors are read back with the row-major vec that the block-diagonal F_t defines;
    with ``vec_order="col"`` that reading is inconsistent (∂J/∂U comes back transposed).
    """
    wp = _as_wp(wp)
    tr = _with_targets(wp, xs, ys, h0)
    parts = [qr_as_written(wp, xs, ys, t, h0=h0, vec_order=vec_order) for t in range(1, tr.T + 1)]
    N1, n = wp.V.shape
    grads = WhitehillParams(
        U=unvec(sum(p.dJ_dvecU for p in parts), (N1, N1), "row"),
        V=unvec(sum(p.dJ_dvecV for p in parts), (N1, n), "row"),
        w=sum(p.dJ_dw for p in parts),
    )
    return loss(wp, xs, ys, h0=h0), grads


__all__ = ["WhitehillParams", "to_params", "from_params", "whitehill_forward", "WhitehillTrace", "loss",
           "vec", "unvec", "block_diagonal", "F", "E", "nested_expansion_as_written", "Nested",
           "qr_as_written", "QR", "qr_gradients", "VEC_ORDERS"]
