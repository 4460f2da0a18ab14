"""Reverse-mode backpropagation through time, the fast path (chapter "Reverse-mode BPTT").

One forward sweep stores z_t and a_t; one backward sweep carries ∂L/∂a_t from
t = T down to 1 (001 §3, corrected: the recursion passes through h'(z_{t+1})):

    δo_t = ŷ_t - y_t                                  ∂L_t/∂o_t      (002 eq. 3.1)
    ∂L/∂a_t = Vᵀ δo_t + Wᵀ ∂L/∂z_{t+1}
    ∂L/∂z_t = h'(z_t) ⊙ ∂L/∂a_t
    ∂L/∂W = Σ_t ∂L/∂z_t a_{t-1}ᵀ,  ∂L/∂U = Σ_t ∂L/∂z_t x_tᵀ,  ∂L/∂b = Σ_t ∂L/∂z_t
    ∂L/∂V = Σ_t δo_t a_tᵀ,          ∂L/∂c = Σ_t δo_t

Only the ∂L/∂a_t recursion is inside the time loop; every parameter gradient is
one matrix product over all (t, batch) pairs. Cost O(T·B·N1·(N1 + n + N2)).
"""
from __future__ import annotations

import numpy as np

from .activations import h_prime
from .forward import prepare, run
from .losses import log_softmax
from .params import Params


def output_delta(O: np.ndarray, Y: np.ndarray, M, output: str, B: int):
    """Loss and δo = ∂L/∂o for every step, with L = (1/B) Σ_b Σ_t m_tb L_tb.

    Returns (loss: float, dO: (T, B, N2)). Masked steps get L_t = 0 and δo_t = 0.
    """
    if output == "softmax":
        logp = log_softmax(O)                  # (T, B, N2)
        L = -(Y * logp).sum(axis=-1)           # (T, B): -y_tᵀ log ŷ_t
        dO = np.exp(logp) - Y                  # ŷ_t - y_t
    else:
        dO = O - Y                             # ŷ_t - y_t, with ŷ_t = o_t
        L = 0.5 * (dO * dO).sum(axis=-1)       # ½‖ŷ_t - y_t‖²
    if M is not None:
        L = L * M
        dO *= M[..., None]
    dO *= 1.0 / B
    return float(L.sum()) / B, dO


def bptt(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax", mask=None,
         *, truncate: int | None = None, a0=None, return_state: bool = False):
    """Loss and gradients by reverse-mode BPTT, vectorised over the batch.

    Parameters
    ----------
    params : Params
    xs : array (T, n) or (T, B, n)
    ys : array (T, N2) or (T, B, N2); one-hot (or distributions) for ``output="softmax"``
    activation, output : str
    mask : array (T,) or (T, B) of 0/1, optional; padded steps add nothing to loss or gradients
    truncate : int, optional
        Truncated BPTT with chunks of ``k`` steps: the gradient does not flow from
        z_t into a_{t-1} when t is a multiple of k (0-based), exactly as if each
        chunk [0,k), [k,2k), … were run separately from the carried (constant) state.
    a0 : array (N1,) or (B, N1), optional
        Initial state, treated as a constant (carry the last state of one chunk here).
    return_state : bool
        Also return a_T, to pass as ``a0`` of the next chunk.

    Returns
    -------
    loss : float  Σ_t L_t, averaged over the batch
    grads : Params  ∂loss/∂θ, same shapes as ``params``
    a_T : array (N1,) or (B, N1), only if ``return_state``
    """
    k = None
    if truncate is not None:
        from ._validate import check_positive_int
        k = check_positive_int("truncate", truncate)
    batch = prepare(params, xs, ys, activation, output, mask, a0)
    X, A0 = batch.X, batch.A0
    T, B, n = X.shape
    N1, N2 = params.n_hidden, params.n_out
    Z, A = run(params, X, A0, activation)                   # (T, B, N1) each
    O = A @ params.V.T + params.c                           # (T, B, N2)
    loss, dO = output_delta(O, batch.Y, batch.M, output, B)
    dA_out = dO @ params.V                                  # (T, B, N1): Vᵀ δo_t, all t at once
    Hp = h_prime(Z, A, activation)                          # (T, B, N1): h'(z_t), all t at once
    dZ = np.empty_like(Z)
    W = params.W
    carry = np.zeros((B, N1), Z.dtype)                      # Wᵀ ∂L/∂z_{t+1}
    for t in range(T - 1, -1, -1):
        np.multiply(dA_out[t] + carry, Hp[t], out=dZ[t])    # ∂L/∂z_t = h'(z_t) ⊙ ∂L/∂a_t
        if k is not None and t % k == 0:
            carry = np.zeros_like(carry)                    # truncation: cut a_{t-1} -> z_t
        else:
            carry = dZ[t] @ W                               # (B, N1): (Wᵀ ∂L/∂z_t)ᵀ
    A_prev = np.concatenate([A0[None], A[:-1]], axis=0)     # (T, B, N1): a_{t-1}
    dZ2 = dZ.reshape(T * B, N1)
    grads = Params(
        W=dZ2.T @ A_prev.reshape(T * B, N1),
        U=dZ2.T @ X.reshape(T * B, n),
        b=dZ2.sum(axis=0),
        V=dO.reshape(T * B, N2).T @ A.reshape(T * B, N1),
        c=dO.reshape(T * B, N2).sum(axis=0),
    )
    if return_state:
        return loss, grads, (A[-1, 0] if batch.single else A[-1])
    return loss, grads


__all__ = ["bptt", "output_delta"]
