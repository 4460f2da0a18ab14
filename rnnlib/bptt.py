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

For speed (see benchmarks/bench_bptt.py): z_t, a_t, h'(z_t) and o_t (classes first) live in one workspace,
kept from one call to the next (per thread), buffers are reused in place (o_t becomes δo_t, z_t becomes
∂L/∂a_t and then ∂L/∂z_t), and each step of the two loops is three numpy calls
writing with ``out=``, so that it allocates nothing.
"""
from __future__ import annotations

import threading

import numpy as np

from .activations import h_prime
from .forward import prepare, run
from .params import Params


def output_delta(O: np.ndarray, Y: np.ndarray, M, output: str, B: int, Yi=None):
    """Loss and δo = ∂L/∂o for every step, with L = (1/B) Σ_b Σ_t m_tb L_tb.

    Returns (loss: float, dO: (T, B, N2)). Masked steps get L_t = 0 and δo_t = 0.
    For softmax targets given by class (``Yi`` (T, B) ints, ``Y`` None) y_t = e_{Yi[t]}.
    ``O`` is left unchanged (:func:`bptt` uses the in-place version on its own buffer).
    """
    T, B_, N2 = O.shape
    dO = np.array(O, copy=True)                                # (T, B, N2)
    loss, _ = _output_delta_inplace(dO.reshape(T * B_, N2).T, Y, M, output, B, Yi)   # a view: fills dO
    return loss, dO


def _output_delta_inplace(OT: np.ndarray, Y, M, output: str, B: int, Yi=None):
    """:func:`output_delta` on the logits laid out classes first, turning ``OT`` into δo in place.

    ``OT`` is (N2, R): column r = (t, b) is o_t of sequence b (R = T·B). :func:`bptt` computes
    its logits in this layout, because the reductions over the N2 classes (max, Σ exp) then run
    along contiguous rows, several times faster than over short rows of a (T·B, N2) array.
    Any (N2, R) view works (``output_delta`` passes a transposed view of a (T, B, N2) array).

    For softmax, with s_t = o_t - max_k o_tk, log ŷ_t = s_t - log Σ_k exp(s_tk), so
    L_t = -y_tᵀ log ŷ_t = (Σ_k y_tk) log Σ_k exp(s_tk) - y_tᵀ s_t: finite even where ŷ_t
    underflows, and exp(s_t) serves both the loss and ŷ_t. With y_t = e_j (class j given
    by index) the dot products are single entries: L_t = log Σ_k exp(s_tk) - s_tj, and
    ŷ_t - y_t is ŷ_t with 1 taken from entry j.

    Returns (loss: float, δo as the same (N2, R) array).
    """
    N2, R = OT.shape
    dOT = OT
    YT = None if Y is None else Y.reshape(R, N2).T             # (N2, R) view of the targets
    if output == "softmax":
        dOT -= OT.max(axis=0)                                  # s_t = o_t - max o_t ≤ 0: exp cannot overflow
        if YT is None:                                         # targets by class: y_t = e_{Yi[t]}
            at_j = (Yi.reshape(R), np.arange(R))               # entry j of every column
            L = -dOT[at_j]                                     # (R,): -s_tj
        else:
            L = -np.einsum("kr,kr->r", YT, dOT)                # (R,): -y_tᵀ s_t
        np.exp(dOT, out=dOT)                                   # exp(s_t)
        sum_exp = dOT.sum(axis=0)                              # (R,): Σ_k exp(s_tk) ≥ 1
        dOT /= sum_exp                                         # ŷ_t = softmax(o_t)
        if YT is None:
            L += np.log(sum_exp)                               # + log Σ_k exp(s_tk)   (Σ_k y_tk = 1)
            dOT[at_j] -= 1                                     # ŷ_t - e_j
        else:
            L += np.log(sum_exp) * YT.sum(axis=0)              # + (Σ_k y_tk) log Σ_k exp(s_tk)
            dOT -= YT                                          # ŷ_t - y_t
    else:
        dOT -= YT                                              # ŷ_t - y_t, with ŷ_t = o_t
        L = 0.5 * np.einsum("kr,kr->r", dOT, dOT)              # ½‖ŷ_t - y_t‖²
    if M is not None:
        m = M.reshape(R)
        L *= m
        dOT *= m
    dOT *= 1.0 / B
    return float(L.sum()) / B, dOT


def forward_and_output(params: Params, batch, activation: str, output: str):
    """Forward pass, loss, direct V and c gradients, and what a recursion over t needs, all t at once.

    Shared by the engines that carry their own recursion (:mod:`rnnlib.tensor_bptt`, :mod:`rnnlib.qr`).

    Returns loss, Z, A, G = ∂L_t/∂a_t (T, B, N1), Hp = h'(z_t) (T, B, N1), dV, dc.
    """
    X, A0 = batch.X, batch.A0
    T, B, _ = X.shape
    N1 = params.n_hidden
    Z, A = run(params, X, A0, activation, Xi=batch.Xi)        # (T, B, N1) each
    A2 = A.reshape(T * B, N1)
    OT = params.V @ A2.T + params.c[:, None]                  # (N2, T·B): o_t for every (t, b), classes first
    loss, dOT = _output_delta_inplace(OT, batch.Y, batch.M, output, B, batch.Yi)   # OT (local) becomes δo
    G = (dOT.T @ params.V).reshape(T, B, N1)                  # ∂L_t/∂a_t = Vᵀ(ŷ_t - y_t)
    Hp = h_prime(Z, A, activation)                            # (T, B, N1): h'(z_t)
    dV = dOT @ A2                                             # Σ_t (ŷ_t - y_t) a_tᵀ
    dc = dOT.sum(axis=1)                                      # Σ_t (ŷ_t - y_t)
    return loss, Z, A, G, Hp, dV, dc


_CACHE = threading.local()          # per thread: the last workspace, reused by the next call
_CACHE_MAX_BYTES = 64 * 2**20        # larger workspaces are not kept between calls


def release_workspace() -> None:
    """Let go of this thread's cached workspace (see :func:`bptt`): the next call allocates afresh.

    For memory measurements (chapter "What the algorithms cost"): a buffer kept from an earlier
    call is not allocated again, so a peak measured without releasing it first would miss it.
    """
    _CACHE.buf = None


def _workspace(T: int, B: int, N1: int, N2: int, dtype):
    """Z, A, Hp (T, B, N1) and Oᵀ (N2, T·B) as views of one buffer, reused from call to call.

    Every array :func:`bptt` returns is freshly computed from these views (a_T is copied), so
    the buffer can serve the next call of the same thread. Reusing it, rather than asking the
    allocator for a few MB each time, saves the page faults of freshly mapped memory — about a
    tenth of a call's time at B = 32, H = 128. Buffers over 64 MiB are not kept.
    """
    S, S2 = T * B * N1, T * B * N2
    need = 3 * S + S2
    buf = getattr(_CACHE, "buf", None)
    if buf is None or buf.dtype != dtype or buf.size < need:
        buf = np.empty(need, dtype)
        _CACHE.buf = buf if buf.nbytes <= _CACHE_MAX_BYTES else None
    Z, A, Hp = (buf[k * S:(k + 1) * S].reshape(T, B, N1) for k in range(3))
    return Z, A, Hp, buf[3 * S:need].reshape(N2, T * B)


def bptt(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax", mask=None,
         *, truncate: int | None = None, a0=None, return_state: bool = False):
    """Loss and gradients by reverse-mode BPTT, vectorised over the batch.

    Parameters
    ----------
    params : Params
    xs : array (T, n) or (T, B, n), or :class:`~rnnlib.Indices` (T,) or (T, B): one-hot inputs by position
    ys : array (T, N2) or (T, B, N2); one-hot (or distributions) for ``output="softmax"``;
        or :class:`~rnnlib.Indices` (T,) or (T, B): one-hot targets by class
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
    batch = prepare(params, xs, ys, activation, output, mask, a0, keep_indices=True)
    X, A0 = batch.X, batch.A0
    T, B, n = X.shape
    N1, N2 = params.n_hidden, params.n_out
    Z, A, Hp, OT = _workspace(T, B, N1, N2, params.dtype)   # (T, B, N1) ×3, (N2, T·B)
    run(params, X, A0, activation, out=(Z, A), Xi=batch.Xi)   # z_t, a_t for every t
    A2 = A.reshape(T * B, N1)                               # one row per (t, b)
    np.dot(params.V, A2.T, out=OT)                          # V a_t, all t at once, one column per (t, b)
    OT += params.c[:, None]                                 # o_t = V a_t + c
    loss, dOT = _output_delta_inplace(OT, batch.Y, batch.M, output, B, batch.Yi)   # OT's buffer now holds δo
    h_prime(Z, A, activation, out=Hp)                       # (T, B, N1): h'(z_t), all t at once
    dZ = Z                                                  # z_t is no longer needed: its buffer holds
    np.dot(dOT.T, params.V, out=dZ.reshape(T * B, N1))      # Vᵀ δo_t, then ∂L/∂a_t, then ∂L/∂z_t
    W = params.W
    WdZ = np.empty((B, N1), Z.dtype)                        # (B, N1): (Wᵀ ∂L/∂z_t)ᵀ, reused every step
    dz_next = None                                          # ∂L/∂z_{t+1}, None past the end or at a cut
    for t, dz, hp in zip(range(T - 1, -1, -1), dZ[::-1], Hp[::-1]):   # dz, hp: (B, N1) views of step t
        if dz_next is not None:
            np.dot(dz_next, W, out=WdZ)
            np.add(dz, WdZ, out=dz)                         # ∂L/∂a_t = Vᵀ δo_t + Wᵀ ∂L/∂z_{t+1}
        np.multiply(dz, hp, out=dz)                         # ∂L/∂z_t = h'(z_t) ⊙ ∂L/∂a_t
        dz_next = None if k is not None and t % k == 0 else dz   # truncation cuts a_{t-1} -> z_t
    dZ2 = dZ.reshape(T * B, N1)
    dW = np.dot(dZ2[B:].T, A2[:-B])                         # Σ_{t≥2} ∂L/∂z_t a_{t-1}ᵀ (a_{t-1} = A[t-1])
    if A0.any():
        dW += np.dot(dZ[0].T, A0)                           # + ∂L/∂z_1 a_0ᵀ (zero when a_0 = 0)
    grads = Params._computed(
        W=dW,
        U=np.dot(dZ2.T, X.reshape(T * B, n)),
        b=dZ2.sum(axis=0),
        V=np.dot(dOT, A2),
        c=dOT.sum(axis=1),
    )
    if return_state:
        a_T = A[-1].copy()                                  # a copy: a_T must not pin the workspace
        return loss, grads, (a_T[0] if batch.single else a_T)
    return loss, grads


__all__ = ["bptt", "output_delta", "forward_and_output", "release_workspace"]
