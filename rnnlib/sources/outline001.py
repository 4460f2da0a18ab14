"""The "RNN Algorithm Outline" (001) as written: forward, backward recursion, updates.

Serves the chapter "Reverse-mode BPTT and sums over paths", which runs it as written and corrects it.

001's notation and its map to rnnlib.Params:

=======  ==========  ================================
001      rnnlib      meaning
=======  ==========  ================================
W_x      U           input-to-hidden   (N1, n)
W_h      W           hidden-to-hidden  (N1, N1)
W_y      V           hidden-to-output  (N2, N1)
b_h      b           hidden bias       (N1,)
b_y      c           output bias       (N2,)
h_t      a_t         hidden state
y_t      o_t         output *logits* ("Output Computation", §2.3)
ŷ_t      ŷ_t         g(y_t), g = softmax or identity (§2.4)
=======  ==========  ================================

Two things in §3 are switchable:

* ``fix_recursion`` — §3.3 writes ∂L/∂h_t = W_yᵀ ∂L/∂ŷ_t + W_hᵀ ∂L/∂h_{t+1}, which skips
  f'(z_{t+1}); correct is W_hᵀ (f'(z_{t+1}) ⊙ ∂L/∂h_{t+1}) = W_hᵀ ∂L/∂z_{t+1}. Exact for the
  identity activation and for T = 1; otherwise W_x and b_h are wrong from T = 2, W_h from T = 3
  (its first term multiplies ∂L/∂z_1 by h_0ᵀ = 0).
* ``literal_label`` — §3.1 calls ŷ_t − y_t "∂L/∂ŷ_t". For softmax + cross-entropy it is ∂L/∂y_t
  (the logits); the true ∂L/∂ŷ_t is −y_t ⊘ ŷ_t (:func:`true_dL_dyhat`). The value is the right one to
  use; taking the label literally breaks every gradient.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._validate import OUTPUTS, as_float_array, check_choice, check_positive_float
from ..activations import h_prime
from ..forward import prepare, run
from ..losses import g, step_losses
from ..params import Params, check_params


@dataclass(frozen=True, eq=False)
class OutlineParams:
    """001's parameters (§1.1): W_x (N1, n), W_h (N1, N1), W_y (N2, N1), b_h (N1,), b_y (N2,)."""

    W_x: np.ndarray
    W_h: np.ndarray
    W_y: np.ndarray
    b_h: np.ndarray
    b_y: np.ndarray

    def __post_init__(self) -> None:
        p = to_params(self)  # validates shapes and dtypes through Params
        for name, arr in (("W_x", p.U), ("W_h", p.W), ("W_y", p.V), ("b_h", p.b), ("b_y", p.c)):
            object.__setattr__(self, name, arr)


def from_params(params: Params) -> OutlineParams:
    """rnnlib.Params -> 001: W_x = U, W_h = W, W_y = V, b_h = b, b_y = c."""
    check_params(params)
    return OutlineParams(W_x=params.U, W_h=params.W, W_y=params.V, b_h=params.b, b_y=params.c)


def to_params(q: OutlineParams) -> Params:
    """001 -> rnnlib.Params: W = W_h, U = W_x, b = b_h, V = W_y, c = b_y."""
    if not isinstance(q, OutlineParams):
        raise TypeError(f"q must be an OutlineParams; got {type(q).__name__}")
    return Params(W=q.W_h, U=q.W_x, b=q.b_h, V=q.W_y, c=q.b_y)


def _as_params(params) -> Params:
    if isinstance(params, OutlineParams):
        return to_params(params)
    if isinstance(params, Params):
        return params
    raise TypeError(f"params must be an OutlineParams or rnnlib.Params; got {type(params).__name__}")


class Forward001(NamedTuple):
    """001 §2 for one sequence, 0-based rows: z[t-1] = z_t, h[t] = h_t (h[0] = h_0 = 0)."""

    z: np.ndarray       # (T, N1)   pre-activation
    h: np.ndarray       # (T+1, N1) hidden states, h_0 first
    y: np.ndarray       # (T, N2)   logits y_t = W_y h_t + b_y
    y_hat: np.ndarray   # (T, N2)   ŷ_t = g(y_t)


def forward_001(params, xs, activation: str = "tanh", output: str = "softmax") -> Forward001:
    """z_t = W_x x_t + W_h h_{t−1} + b_h, h_t = f(z_t), y_t = W_y h_t + b_y, ŷ_t = g(y_t)  (001 §2)."""
    p = _as_params(params)
    batch = prepare(p, xs, None, activation, output)
    if not batch.single:
        raise ValueError(f"xs must be one sequence (T, n); got shape {np.shape(xs)}")
    Z, H = run(p, batch.X, batch.A0, activation)
    Z, H = Z[:, 0], H[:, 0]
    Y = H @ p.V.T + p.c
    return Forward001(Z, np.concatenate([batch.A0, H]), Y, g(Y, output))


def true_dL_dyhat(y_hat, y, output: str = "softmax") -> np.ndarray:
    """The true ∂L_t/∂ŷ_t, treating ŷ_t as the variable.

    Cross-entropy L_t = −y_tᵀ log ŷ_t gives −y_t ⊘ ŷ_t (not ŷ_t − y_t, which is ∂L_t/∂y_t, the
    logits' gradient through the softmax). For ``output="identity"`` with ½‖ŷ_t − y_t‖², ŷ_t = y_t and
    ŷ_t − y_t is ∂L_t/∂ŷ_t exactly: 001's label is then right.
    """
    check_choice("output", output, OUTPUTS)
    y_hat = as_float_array("y_hat", y_hat)
    y = as_float_array("y", y, y_hat.dtype)
    if y.shape != y_hat.shape:
        raise ValueError(f"y must have the shape of y_hat {y_hat.shape}; got {y.shape}")
    if output == "softmax":
        if np.any(y_hat <= 0):
            raise ValueError("y_hat must be strictly positive (softmax outputs) for −y/ŷ")
        return -y / y_hat
    return y_hat - y


class Backward001(NamedTuple):
    """Gradients in 001's names and the intermediates of §3, rows 0-based (row t-1 is time t)."""

    loss: float
    grads: OutlineParams   # ∂L/∂W_x, ∂L/∂W_h, ∂L/∂W_y, ∂L/∂b_h, ∂L/∂b_y
    dL_dyhat: np.ndarray   # (T, N2)  what §3.1 calls ∂L/∂ŷ_t
    dL_dh: np.ndarray      # (T, N1)  §3.3
    dL_dz: np.ndarray      # (T, N1)  f'(z_t) ⊙ ∂L/∂h_t


def backward_as_written(params, xs, ys, activation: str = "tanh", output: str = "softmax", *,
                        fix_recursion: bool = False, literal_label: bool = False) -> Backward001:
    """001 §3, one sequence, as written::

        ∂L/∂ŷ_t = ŷ_t − y_t                                           (§3.1)
        ∂L/∂W_y = Σ_t ∂L/∂ŷ_t h_tᵀ,   ∂L/∂b_y = Σ_t ∂L/∂ŷ_t           (§3.2)
        ∂L/∂h_T = W_yᵀ ∂L/∂ŷ_T
        ∂L/∂h_t = W_yᵀ ∂L/∂ŷ_t + W_hᵀ ∂L/∂h_{t+1}                     (§3.3)  as written
                  W_yᵀ ∂L/∂ŷ_t + W_hᵀ (f'(z_{t+1}) ⊙ ∂L/∂h_{t+1})     fix_recursion=True
        ∂L/∂z_t = f'(z_t) ⊙ ∂L/∂h_t
        ∂L/∂W_x = Σ_t ∂L/∂z_t x_tᵀ,  ∂L/∂W_h = Σ_t ∂L/∂z_t h_{t−1}ᵀ,  ∂L/∂b_h = Σ_t ∂L/∂z_t   (§3.4)

    ``literal_label=True`` uses the true ∂L/∂ŷ_t (:func:`true_dL_dyhat`, −y_t ⊘ ŷ_t for
    cross-entropy) wherever §3 writes ∂L/∂ŷ_t — the label taken at its word, which is wrong.

    ``params`` is an :class:`OutlineParams` or an rnnlib.Params (mapped by :func:`from_params`).
    L = Σ_t L_t with cross-entropy (softmax) or ½ squared error (identity), as in rnnlib.
    """
    p = _as_params(params)
    batch = prepare(p, xs, ys, activation, output)
    if not batch.single:
        raise ValueError(f"xs must be one sequence (T, n); got shape {np.shape(xs)}")
    W_x, W_h, W_y = p.U, p.W, p.V
    Z, H = run(p, batch.X, batch.A0, activation)
    X, Y, Z, H = batch.X[:, 0], batch.Y[:, 0], Z[:, 0], H[:, 0]   # time-major, row t-1 = time t
    H_prev = np.concatenate([batch.A0, H[:-1]])                   # (T, N1): h_{t−1}, h_0 = 0
    logits = H @ W_y.T + p.c                                      # (T, N2): y_t (001's name)
    Y_hat = g(logits, output)                                     # (T, N2): ŷ_t
    loss = float(step_losses(logits, Y, output).sum())
    dL_dyhat = true_dL_dyhat(Y_hat, Y, output) if literal_label else Y_hat - Y   # §3.1
    fp = h_prime(Z, H, activation)                                # (T, N1): f'(z_t)
    T, N1 = Z.shape
    dL_dh = np.empty_like(Z)
    dL_dz = np.empty_like(Z)
    for t in range(T - 1, -1, -1):
        dL_dh[t] = W_y.T @ dL_dyhat[t]                            # W_yᵀ ∂L/∂ŷ_t
        if t < T - 1:
            nxt = dL_dz[t + 1] if fix_recursion else dL_dh[t + 1]  # as written: no f'(z_{t+1})
            dL_dh[t] += W_h.T @ nxt                               # + W_hᵀ ∂L/∂h_{t+1}
        dL_dz[t] = fp[t] * dL_dh[t]                               # f'(z_t) ⊙ ∂L/∂h_t
    grads = OutlineParams(
        W_x=dL_dz.T @ X,                                          # Σ_t ∂L/∂z_t x_tᵀ
        W_h=dL_dz.T @ H_prev,                                     # Σ_t ∂L/∂z_t h_{t−1}ᵀ
        W_y=dL_dyhat.T @ H,                                       # Σ_t ∂L/∂ŷ_t h_tᵀ
        b_h=dL_dz.sum(axis=0),
        b_y=dL_dyhat.sum(axis=0),
    )
    return Backward001(loss, grads, dL_dyhat, dL_dh, dL_dz)


def update(params, grads: OutlineParams, lr: float) -> OutlineParams:
    """θ ← θ − η ∂L/∂θ for θ in (W_x, W_h, W_y, b_h, b_y)  (001 §4)."""
    q = params if isinstance(params, OutlineParams) else from_params(_as_params(params))
    lr = check_positive_float("lr", lr)
    if not isinstance(grads, OutlineParams):
        raise TypeError(f"grads must be an OutlineParams; got {type(grads).__name__}")
    return OutlineParams(**{k: getattr(q, k) - lr * getattr(grads, k)
                            for k in ("W_x", "W_h", "W_y", "b_h", "b_y")})


__all__ = ["OutlineParams", "from_params", "to_params", "forward_001", "Forward001", "true_dL_dyhat",
           "backward_as_written", "Backward001", "update"]
