"""Ramkumar's forward-carried tensors ∂a_t/∂θ (chapter "Tensor BPTT"; 000 BPTT, 002 eqs. 3.10-3.19).

Ramkumar's BPTT runs *forward* in time. Next to a_t it carries the Jacobians
∂a_t/∂W, ∂a_t/∂U, ∂a_t/∂b, and reads off ∂L_t/∂θ at each step. This is
forward-mode accumulation of the recurrent part of the gradient, known as
real-time recurrent learning (RTRL; Williams & Zipser 1989). In the corrected form
implemented here, for t = 1 … T with ∂a_0/∂θ = 0::

    ω1 = ∂(W a_{t-1})/∂W + W ∂a_{t-1}/∂W       ∂a_t/∂W = diag(h'(z_t)) ω1     (3.12-3.14)
    ω2 = ∂(U x_t)/∂U     + W ∂a_{t-1}/∂U       ∂a_t/∂U = diag(h'(z_t)) ω2     (3.16-3.18)
    ∂a_t/∂b = diag(h'(z_t)) (I + W ∂a_{t-1}/∂b)                               (3.10-3.11, corrected)
    ∂L_t/∂θ = (∂L_t/∂a_t) ∂a_t/∂θ,   ∂L_t/∂a_t = Vᵀ(ŷ_t - y_t)                (3.15, 3.19)

The document writes ∂a_t/∂b = diag(h'(z_t)) (eq. 3.11), dropping the W ∂a_{t-1}/∂b
it had just used in eq. 3.10; that is its error, and it is corrected here. The
gradients for V and c do not pass through the recurrence and are read off directly.

Index order of the carried tensors (the document's): ``dadW[k, i, j] = ∂a_{t,k}/∂W_{ij}``;
flattened, W is row-major, so W[i, j] is column ``i*N1 + j`` of the (N1, N1*N1) matrix
(U[i, j] is column ``i*n + j``). Per step and per sequence the cost is O(N1⁴ + N1³·n)
(the product W ∂a_{t-1}/∂W), the memory O(N1³); reverse-mode :func:`rnnlib.bptt` costs
O(N1² + N1·n + N1·N2) per step and stores the T states instead.
"""
from __future__ import annotations

import numpy as np

from .activations import h_prime
from .bptt import forward_and_output
from .forward import prepare, run
from .params import Params


# ---------------------------------------------------------------------------------------------
# the fast engine: one (B, N1, M) tensor holding ∂a_t/∂W, ∂a_t/∂U and ∂a_t/∂b side by side
# ---------------------------------------------------------------------------------------------
def _diagonal(P: np.ndarray, start: int, width: int) -> np.ndarray:
    """Writable view D[b, k, j] = P[b, k, start + k*width + j], shape (B, N1, width).

    With the block P[:, :, start:start + N1*width] read as ∂a_{t,k}/∂θ_{ij} (column
    i*width + j), D is its diagonal i = k: the only entries that ∂(W a_{t-1})/∂W
    (width N1), ∂(U x_t)/∂U (width n) and ∂b/∂b = I (width 1) touch (eqs. 3.13, 3.17).
    """
    B, N1, M = P.shape
    s = P.itemsize
    return np.lib.stride_tricks.as_strided(
        P[:, :, start:], shape=(B, N1, width), strides=(N1 * M * s, (M + width) * s, s),
        writeable=True)


class _Carry:
    """Double-buffered ∂a_t/∂(W, U, b), shape (B, N1, N1² + N1·n + N1), and its diagonal views."""

    def __init__(self, B: int, N1: int, n: int, dtype) -> None:
        self.N1, self.n = N1, n
        self.M = N1 * N1 + N1 * n + N1
        self.P = np.zeros((B, N1, self.M), dtype)            # ∂a_{t-1}/∂θ; ∂a_0/∂θ = 0
        self.Q = np.empty_like(self.P)                        # workspace for ∂a_t/∂θ
        self._views = {id(P): (_diagonal(P, 0, N1),                     # (B, N1, N1)
                               _diagonal(P, N1 * N1, n),                # (B, N1, n)
                               _diagonal(P, N1 * N1 + N1 * n, 1))       # (B, N1, 1)
                       for P in (self.P, self.Q)}

    def step(self, W: np.ndarray, a_prev: np.ndarray, x: np.ndarray, hp: np.ndarray) -> np.ndarray:
        """∂a_{t-1}/∂θ -> ∂a_t/∂θ; a_prev (B, N1), x (B, n), hp = h'(z_t) (B, N1). Returns the new P."""
        P, Q = self.P, self.Q
        np.matmul(W, P, out=Q)                    # (B, N1, M): W ∂a_{t-1}/∂θ, one GEMM per sequence
        dW, dU, db = self._views[id(Q)]
        dW += a_prev[:, None, :]                  # ω1 = ∂(W a_{t-1})/∂W + W ∂a_{t-1}/∂W   (3.13)
        dU += x[:, None, :]                       # ω2 = ∂(U x_t)/∂U + W ∂a_{t-1}/∂U       (3.17)
        db += 1                                   # I + W ∂a_{t-1}/∂b                      (corrected 3.11)
        Q *= hp[:, :, None]                       # ∂a_t/∂θ = diag(h'(z_t)) ω
        self.P, self.Q = Q, P
        return Q

    def split(self, P: np.ndarray):
        """The three blocks of P as (B, N1, N1, N1), (B, N1, N1, n), (B, N1, N1) views."""
        N1, n = self.N1, self.n
        B = P.shape[0]
        return (P[:, :, :N1 * N1].reshape(B, N1, N1, N1),
                P[:, :, N1 * N1:N1 * N1 + N1 * n].reshape(B, N1, N1, n),
                P[:, :, N1 * N1 + N1 * n:])


def tensor_bptt(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax", mask=None,
                *, a0=None):
    """Loss and gradients by carrying ∂a_t/∂θ forward in time (002 eqs. 3.10-3.19, corrected).

    Forward-mode accumulation, i.e. real-time recurrent learning: cost
    O(N1⁴ + N1³·n) per step per sequence, memory O(N1³) per sequence (chapter
    "Tensor BPTT"). Same signature and result as :func:`rnnlib.bptt`.

    The document keeps a leading "loss axis": δ_t^(2) = diag(ŷ_t - y_t) is N2 × N2, so
    ∂L_t/∂W comes out N2 × N1 × N1 and PARAMETER_UPDATE sums over that axis k. Summing
    first is the same thing and costs N2 times less, so here ∂L_t/∂a_t = Vᵀ(ŷ_t - y_t) is
    a vector from the start.

    The three tensors ∂a_t/∂W (B, N1, N1·N1), ∂a_t/∂U (B, N1, N1·n) and ∂a_t/∂b (B, N1, N1)
    are stored side by side in one array (B, N1, M), M = N1² + N1·n + N1 (W and U flattened
    row-major: W[i, j] is column i*N1 + j), so that each step is one batched matrix
    product W @ P; the ∂(W a_{t-1})/∂W, ∂(U x_t)/∂U and I terms touch only a diagonal
    and are added through strided views; h'(z_t), ∂L_t/∂a_t and the V, c gradients are
    computed for all t before the loop.

    Parameters
    ----------
    params : Params
    xs : array (T, n) or (T, B, n)
    ys : array (T, N2) or (T, B, N2)
    activation, output : str
    mask : array (T,) or (T, B) of 0/1, optional
    a0 : array (N1,) or (B, N1), optional; a constant initial state (∂a_0/∂θ = 0)

    Returns
    -------
    loss : float
    grads : Params
    """
    batch = prepare(params, xs, ys, activation, output, mask, a0)
    X, A0 = batch.X, batch.A0
    T, B, n = X.shape
    N1 = params.n_hidden
    loss, Z, A, G, Hp, dV, dc = forward_and_output(params, batch, activation, output)
    A_prev = np.concatenate([A0[None], A[:-1]], axis=0)       # (T, B, N1): a_{t-1}
    carry = _Carry(B, N1, n, Z.dtype)
    g = np.zeros(carry.M, Z.dtype)                            # Σ_t ∂L_t/∂(W, U, b), flattened
    for t in range(T):
        P = carry.step(params.W, A_prev[t], X[t], Hp[t])      # (B, N1, M): ∂a_t/∂θ
        g += G[t].reshape(B * N1) @ P.reshape(B * N1, carry.M)  # Σ_b Σ_k (∂L_t/∂a_t)_k ∂a_{t,k}/∂θ
    grads = Params(W=g[:N1 * N1].reshape(N1, N1),
                   U=g[N1 * N1:N1 * N1 + N1 * n].reshape(N1, n),
                   b=g[N1 * N1 + N1 * n:],
                   V=dV, c=dc)
    return loss, grads


# ---------------------------------------------------------------------------------------------
# the straightforward version: the same recursion, one np.einsum per line of the document
# ---------------------------------------------------------------------------------------------
def tensor_bptt_einsum(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax",
                       mask=None, *, a0=None):
    """The same recursion as :func:`tensor_bptt`, written as plain ``np.einsum`` calls per step.

    The baseline the chapter's benchmark compares against: 4-index tensors
    ``dadW[b, k, i, j] = ∂a_{t,k}/∂W_{ij}`` and one einsum per equation, with no
    reshaping tricks and no BLAS. Same signature and result as :func:`rnnlib.bptt`.
    """
    batch = prepare(params, xs, ys, activation, output, mask, a0)
    X, A0 = batch.X, batch.A0
    T, B, n = X.shape
    N1 = params.n_hidden
    W = params.W
    loss, Z, A, G, Hp, dV, dc = forward_and_output(params, batch, activation, output)
    I = np.eye(N1, dtype=Z.dtype)
    dadW = np.zeros((B, N1, N1, N1), Z.dtype)                 # ∂a_0/∂W = 0
    dadU = np.zeros((B, N1, N1, n), Z.dtype)                  # ∂a_0/∂U = 0
    dadb = np.zeros((B, N1, N1), Z.dtype)                     # ∂a_0/∂b = 0
    dW, dU, db = np.zeros_like(W), np.zeros_like(params.U), np.zeros_like(params.b)
    a_prev = A0
    for t in range(T):
        hp, dLda = Hp[t], G[t]                                               # (B, N1) each
        omega1 = (np.einsum("ki,bj->bkij", I, a_prev)                        # ∂(W a_{t-1})/∂W  (3.13)
                  + np.einsum("kl,blij->bkij", W, dadW))                     # + W ∂a_{t-1}/∂W  (3.14)
        omega2 = (np.einsum("ki,bj->bkij", I, X[t])                          # ∂(U x_t)/∂U      (3.17)
                  + np.einsum("kl,blij->bkij", W, dadU))                     # + W ∂a_{t-1}/∂U  (3.18)
        omega3 = I + np.einsum("kl,bli->bki", W, dadb)                       # I + W ∂a_{t-1}/∂b (3.10)
        dadW = np.einsum("bk,bkij->bkij", hp, omega1)                        # diag(h'(z_t)) ω1
        dadU = np.einsum("bk,bkij->bkij", hp, omega2)                        # diag(h'(z_t)) ω2
        dadb = np.einsum("bk,bki->bki", hp, omega3)                          # corrected 3.11
        dW += np.einsum("bk,bkij->ij", dLda, dadW)                           # ∂L_t/∂W  (3.15)
        dU += np.einsum("bk,bkij->ij", dLda, dadU)                           # ∂L_t/∂U  (3.19)
        db += np.einsum("bk,bki->i", dLda, dadb)                             # ∂L_t/∂b  (3.10)
        a_prev = A[t]
    return loss, Params(W=dW, U=dU, b=db, V=dV, c=dc)


# ---------------------------------------------------------------------------------------------
# the carried tensors themselves, one sequence, for the chapter's stepper
# ---------------------------------------------------------------------------------------------
def carried_tensors(params: Params, xs, activation: str = "tanh", a0=None) -> list[dict]:
    """The document's tensors ∂a_t/∂θ at every step of one sequence (chapter "Tensor BPTT").

    Parameters
    ----------
    params : Params
    xs : array (T, n), one sequence
    activation : str
    a0 : array (N1,), optional

    Returns
    -------
    list of T dicts, entry t-1 for step t, each with (index order [k, i, j] = ∂a_{t,k}/∂θ_{ij})
        ``"dadW"`` (N1, N1, N1), ``"dadU"`` (N1, N1, n), ``"dadb"`` (N1, N1).
    """
    if np.ndim(xs) != 2:
        raise ValueError(f"xs must be one sequence of shape (T, n) for carried_tensors; "
                         f"got shape {np.shape(xs)}")
    batch = prepare(params, xs, None, activation, "identity", None, a0)
    X, A0 = batch.X, batch.A0                                 # (T, 1, n), (1, N1)
    T, _, n = X.shape
    Z, A = run(params, X, A0, activation)                     # (T, 1, N1)
    Hp = h_prime(Z, A, activation)
    A_prev = np.concatenate([A0[None], A[:-1]], axis=0)
    carry = _Carry(1, params.n_hidden, n, Z.dtype)
    steps = []
    for t in range(T):
        P = carry.step(params.W, A_prev[t], X[t], Hp[t])
        dadW, dadU, dadb = carry.split(P)
        steps.append({"dadW": dadW[0].copy(), "dadU": dadU[0].copy(), "dadb": dadb[0].copy()})
    return steps


__all__ = ["tensor_bptt", "tensor_bptt_einsum", "carried_tensors"]
