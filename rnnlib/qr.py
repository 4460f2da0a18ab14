"""Whitehill's q/r recursion, generalised to the book's model (chapter "q/r recursion"; 004 §2.1).

Whitehill differentiates each J_t on its own. For his regression RNN (scalar ŷ_t,
tanh, no biases) he unrolls ∂h_t/∂vec[U] and finds, for every t, a backward
recursion from τ = t down to 1 (004 §2.1)::

    q_tᵀ     = ((ŷ_t - y_t) wᵀ) ⊙ g_tᵀ              final condition
    q_{τ-1}ᵀ = (q_τᵀ U) ⊙ g_{τ-1}ᵀ                 recursion relation
    r_τ      = q_τ h_{τ-1}ᵀ,    ∂J_t/∂vec[U] = vec[Σ_{τ≤t} r_τ]

His letters map to the book's as follows:

===========================  ===========================
Whitehill (004)              book / ``Params``
===========================  ===========================
U  (recurrent)               W
V  (input)                   U
w  (output vector)           V  (N2 × N1), plus bias c
h_t                          a_t
g_t = 1 - tanh²(z_t)         h'(z_t), any activation
===========================  ===========================

Generalised, with ∂L_t/∂a_t = Vᵀ(ŷ_t - y_t) (softmax or identity output) and any h::

    q_t     = h'(z_t) ⊙ Vᵀ(ŷ_t - y_t)
    q_{τ-1} = h'(z_{τ-1}) ⊙ Wᵀ q_τ
    ∂L_t/∂W = Σ_{τ≤t} q_τ a_{τ-1}ᵀ,   ∂L_t/∂U = Σ_{τ≤t} q_τ x_τᵀ,   ∂L_t/∂b = Σ_{τ≤t} q_τ

(his §2.2 for V is the x_τ line; the b line is the same with 1 in place of x_τ).
Each L_t gets its own backward sweep, so the cost is O(T²) sweeps of O(B·N1²):
correct, and quadratic in T by design. Reverse-mode :func:`rnnlib.bptt` adds the
sweeps together into one and is O(T).
"""
from __future__ import annotations

import numpy as np

from .bptt import forward_and_output
from .forward import prepare
from .params import Params


def qr_bptt(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax", mask=None,
            *, a0=None):
    """Loss and gradients by one q/r recursion per time step (004 §2.1, generalised).

    For each t: q_t = h'(z_t) ⊙ Vᵀ(ŷ_t - y_t), then q_{τ-1} = h'(z_{τ-1}) ⊙ Wᵀ q_τ for
    τ = t … 2, and ∂L_t/∂W = Σ_{τ≤t} r_τ with r_τ = q_τ a_{τ-1}ᵀ (likewise q_τ x_τᵀ for U,
    q_τ for b). O(T²) by design; vectorised over the batch. Same signature and
    result as :func:`rnnlib.bptt`.

    Parameters
    ----------
    params : Params
    xs : array (T, n) or (T, B, n)
    ys : array (T, N2) or (T, B, N2)
    activation, output : str
    mask : array (T,) or (T, B) of 0/1, optional; masked steps have q_t = 0 and are skipped
    a0 : array (N1,) or (B, N1), optional; a constant initial state

    Returns
    -------
    loss : float
    grads : Params
    """
    batch = prepare(params, xs, ys, activation, output, mask, a0)
    X, A0 = batch.X, batch.A0
    T, B, n = X.shape
    N1 = params.n_hidden
    W = params.W
    # dLda (T, B, N1): Vᵀ(ŷ_t - y_t) m_t / B, all t;  G (T, B, N1): g_t = h'(z_t), all t
    loss, Z, A, dLda, G, dV, dc = forward_and_output(params, batch, activation, output)
    A_prev = np.concatenate([A0[None], A[:-1]], axis=0)       # (T, B, N1): a_{τ-1}
    dW, dU, db = np.zeros_like(W), np.zeros_like(params.U), np.zeros_like(params.b)
    Q = np.empty_like(Z)                                      # Q[τ] = q_τ of the current t
    for t in range(T):
        if not dLda[t].any():
            continue                                          # L_t masked (or zero): q ≡ 0
        Q[t] = G[t] * dLda[t]                                 # q_t = h'(z_t) ⊙ Vᵀ(ŷ_t - y_t)
        for tau in range(t, 0, -1):
            Q[tau - 1] = G[tau - 1] * (Q[tau] @ W)            # q_{τ-1} = h'(z_{τ-1}) ⊙ Wᵀ q_τ
        q = Q[:t + 1].reshape((t + 1) * B, N1)                # q_1 … q_t for every sequence
        dW += q.T @ A_prev[:t + 1].reshape((t + 1) * B, N1)   # Σ_τ r_τ = Σ_τ q_τ a_{τ-1}ᵀ
        dU += q.T @ X[:t + 1].reshape((t + 1) * B, n)         # Σ_τ q_τ x_τᵀ
        db += q.sum(axis=0)                                   # Σ_τ q_τ
    return loss, Params(W=dW, U=dU, b=db, V=dV, c=dc)          # dV = Σ_t (ŷ_t - y_t) a_tᵀ   (004 §2.3)


__all__ = ["qr_bptt"]
