"""Ramkumar's BPTT exactly as written (000 BPTT / PARAMETER_UPDATE; 002 eqs. 3.1–3.19, §4.1).

Serves the chapters "The 2-3-2 worked example" and "Tensor BPTT".

The source carries ∂a_t/∂θ forward in time (forward-mode accumulation, i.e. RTRL)
and keeps a leading *loss axis* of length N^(2) on every ∂L_t/∂θ: δ_t^(2) = diag(ŷ_t − y_t)
(eq. 3.2) is an N2×N2 matrix, so slice k of ∂L_t/∂θ is (ŷ_{k,t} − y_{k,t}) ∂o_{k,t}/∂θ,
the part of ∂L_t/∂θ that flows through o_{k,t}. Only the sum over k is the gradient.

Every error of the source is reproduced and switchable (as written -> fixed):

* ``fix_db``: ∂a_t/∂b = diag(h'(z_t)) (002 eq. 3.11, 000 pseudocode)
  -> diag(h'(z_t)) [I + W ∂a_{t−1}/∂b]; wrong from T = 3, for b only.
* ``fix_eq316``: ∂L_t/∂U = δ_t^(2) ω_2 (002 eq. 3.16) -> δ_t^(1) ω_2 (eq. 3.19, §3.3, pseudocode);
  a shape error unless N1 = N2, silently wrong when N1 = N2.
* ``update_sum``: Σ_{t=1}^{N^(2)} ("N2", 002 §4.1) -> Σ_{t=1}^{T} ("T", 000 and the 002 pseudocode).
* ``order``: the reshape order is unstated; "F" (column-major) reproduces the tensors displayed
  in eqs. 3.5, 3.13, 3.17; "C" (numpy's default) scrambles them (∂L/∂W comes out transposed).

With ``fix_db=True, fix_eq316=True, order="F", update_sum="T"`` the result equals
:func:`rnnlib.bptt`. Names follow the source: ``delta2`` δ_t^(2), ``delta1`` δ_t^(1),
``omega1`` ω_1, ``omega2`` ω_2, ``dL_dW`` ∂L_t/∂W, ``da_dW`` ∂a_t/∂W, …
Time t in docstrings is the source's 1-based t; list index ``steps[t-1]``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._validate import as_float_array, check_choice, check_positive_float
from ..activations import h_prime
from ..forward import prepare, run
from ..losses import log_softmax, softmax
from ..params import NAMES, Params, check_params

ORDERS = ("F", "C")
SUMS = ("T", "N2")


# --- mapping -------------------------------------------------------------------------------
def from_params(params: Params) -> dict:
    """rnnlib.Params -> Ramkumar's parameters: the same letters (W, U, b, V, c), plus n, N^(1), N^(2).

    002 §2 uses exactly the book's notation: z_t = W a_{t−1} + U x_t + b (2.2), o_t = V a_t + c (2.4).
    """
    check_params(params)
    return dict(W=params.W, U=params.U, b=params.b, V=params.V, c=params.c,
                n=params.n_in, N1=params.n_hidden, N2=params.n_out)


def to_params(W, U, b, V, c) -> Params:
    """Ramkumar's (W, U, b, V, c) -> rnnlib.Params (identity map; shapes checked by Params)."""
    return Params(W=W, U=U, b=b, V=V, c=c)


# --- the Kronecker/reshape tensors (eqs. 3.5, 3.13, 3.17) ------------------------------------
def kron_reshape(v, N: int, order: str = "F") -> np.ndarray:
    """reshape(vᵀ ⊗ I_N, N × N × m) for a vector v of length m.

    vᵀ ⊗ I_N = [v_1 I_N, v_2 I_N, …, v_m I_N] is N × (N·m). With ``order="F"``
    (column-major) the result is tensor[k, i, j] = δ_ki v_j, the pattern displayed in
    002 eqs. 3.5, 3.13 and 3.17; with ``order="C"`` (numpy's default) the entries land
    elsewhere (for m = N the result is the transpose pattern tensor[k, i, j] = δ_kj v_i).
    """
    check_choice("order", order, ORDERS)
    v = as_float_array("v", v)
    if v.ndim != 1:
        raise ValueError(f"v must be a vector (m,); got shape {v.shape}")
    K = np.kron(v[None, :], np.eye(N, dtype=v.dtype))        # (N, N·m): vᵀ ⊗ I_N
    return K.reshape((N, N, v.shape[0]), order=order)        # (N, N, m)


def do_dV(a_t, N2: int, order: str = "F") -> np.ndarray:
    """∂o_t/∂V = reshape(a_tᵀ ⊗ I_{N^(2)}, N^(2) × N^(2) × N^(1))  (002 eq. 3.5); (N2, N2, N1)."""
    return kron_reshape(a_t, N2, order)


def dWa_dW(a_prev, N1: int, order: str = "F") -> np.ndarray:
    """∂(W a_{t−1})/∂W = reshape(a_{t−1}ᵀ ⊗ I_{N^(1)}, N^(1) × N^(1) × N^(1))  (002 eq. 3.13)."""
    return kron_reshape(a_prev, N1, order)


def dUx_dU(x_t, N1: int, order: str = "F") -> np.ndarray:
    """∂(U x_t)/∂U = reshape(x_tᵀ ⊗ I_{N^(1)}, N^(1) × N^(1) × n)  (002 eq. 3.17); (N1, N1, n)."""
    return kron_reshape(x_t, N1, order)


def reshape_matmul(M: np.ndarray, tensor: np.ndarray, order: str = "F", *, what: str = "M") -> np.ndarray:
    """reshape(M · reshape(tensor, p × (q·r)), m × q × r): the pattern of eqs. 3.6, 3.14, 3.15, 3.18, 3.19.

    M is (m, p), tensor is (p, q, r). Raises ValueError naming ``what`` when the inner
    dimensions disagree (as 002 eq. 3.16 does when N^(1) ≠ N^(2)).
    """
    p, q, r = tensor.shape
    if M.ndim != 2 or M.shape[1] != p:
        raise ValueError(f"{what} has shape {M.shape} but multiplies a tensor reshaped to "
                         f"{p} × ({q}·{r}): inner dimensions {M.shape[-1]} ≠ {p}")
    flat = tensor.reshape((p, q * r), order=order)           # (p, q·r)
    return (M @ flat).reshape((M.shape[0], q, r), order=order)  # (m, q, r)


# --- BPTT as written ------------------------------------------------------------------------
class BPTTResult(NamedTuple):
    """``loss`` L = Σ_t L_t (eq. 2.7); ``grads`` the update sums as Params; ``steps`` one dict per t."""

    loss: float
    grads: Params
    steps: list


def _eq316_error(N1: int, N2: int, n: int) -> ValueError:
    return ValueError(
        f"002 eq. 3.16 as written, ∂L_t/∂U = δ_t^(2) ω_2, multiplies δ_t^(2) (N2 × N2 = {N2} × {N2}) by "
        f"ω_2 reshaped to N1 × (N1·n) = {N1} × {N1 * n}: inner dimensions N2 = {N2} ≠ N1 = {N1}. "
        "The summary (§3.3), eq. 3.19 and the pseudocode use δ_t^(1) (N2 × N1); pass fix_eq316=True.")


def bptt_as_written(params: Params, xs, ys, activation: str = "tanh", *, fix_db: bool = False,
                    fix_eq316: bool = False, order: str = "F", update_sum: str = "T") -> BPTTResult:
    """Ramkumar's function BPTT (000; 002 §3 and pseudocode), one sequence, softmax + cross-entropy.

    For t = 1, …, T, in the source's order::

        δ_t^(2) = diag(ŷ_t − y_t)                                  (3.2)   (N2, N2)
        ∂L_t/∂c = δ_t^(2)                                          (3.3)
        ∂o_t/∂V = reshape(a_tᵀ ⊗ I, N2×N2×N1)                      (3.5)
        ∂L_t/∂V = reshape(δ_t^(2) reshape(∂o_t/∂V, …), …)          (3.6)   (N2, N2, N1)
        ∂L_t/∂a_t = δ_t^(2) V                                      (3.7)   (N2, N1)
        δ_t^(1) = ∂L_t/∂a_t diag(h'(z_t))                          (3.8)   (N2, N1)
        ∂L_t/∂b = δ_t^(1) [I + W ∂a_{t−1}/∂b]                      (3.10)  (N2, N1)
        ∂a_t/∂b = diag(h'(z_t))                                    (3.11)  as written; fix_db adds [I + W ∂a_{t−1}/∂b]
        ω_1 = ∂(W a_{t−1})/∂W + W ∂a_{t−1}/∂W                      (3.12–3.14)
        ∂L_t/∂W = reshape(δ_t^(1) reshape(ω_1, …), N2×N1×N1)       (3.15)
        ∂a_t/∂W = diag(h'(z_t)) ω_1
        ω_2 = ∂(U x_t)/∂U + W ∂a_{t−1}/∂U                          (3.17–3.18)
        ∂L_t/∂U = δ_t^(2) ω_2                                      (3.16)  as written; fix_eq316: δ_t^(1) ω_2 (3.19)
        ∂a_t/∂U = diag(h'(z_t)) ω_2

    A matrix times a 3-tensor (W ∂a/∂W, diag(h') ω_1, …) is always the reshape–multiply–reshape
    of eq. 3.14, in the same ``order``.

    Parameters
    ----------
    params : Params
    xs : array (T, n); ys : array (T, N2), one-hot (probability distributions)
    activation : "tanh", "sigmoid", "relu" or "identity" (h of eq. 2.3)
    fix_db : bool   carry ∂a_t/∂b correctly (eq. 3.11 drops W ∂a_{t−1}/∂b; wrong from T = 3)
    fix_eq316 : bool  use δ_t^(1) in ∂L_t/∂U; as written raises ValueError unless N1 == N2,
        and when N1 == N2 it silently computes δ_t^(2) ω_2, which is wrong
    order : "F" (column-major; reproduces the displayed tensors) or "C" (numpy's default; scrambles)
    update_sum : "T" (000, 002 pseudocode) or "N2" (002 §4.1: Σ_{t=1}^{N^(2)}; ignores t > N2)

    Returns
    -------
    BPTTResult(loss, grads, steps): ``grads`` is Σ_t Σ_k (∂L_t/∂θ)_k as in PARAMETER_UPDATE;
    ``steps[t-1]`` holds every intermediate of step t, loss axis kept.
    """
    check_choice("order", order, ORDERS)
    check_choice("update_sum", update_sum, SUMS)
    batch = prepare(params, xs, ys, activation, "softmax")
    if not batch.single:
        raise ValueError(f"xs must be one sequence (T, n) (the source trains on one sequence); "
                         f"got shape {np.shape(xs)}")
    W, V = params.W, params.V
    N1, N2, n = params.n_hidden, params.n_out, params.n_in
    Z, A = run(params, batch.X, batch.A0, activation)
    X, Y, Z, A = batch.X[:, 0], batch.Y[:, 0], Z[:, 0], A[:, 0]   # (T, n), (T, N2), (T, N1), (T, N1)
    O = A @ V.T + params.c                                        # (T, N2): o_t = V a_t + c
    Y_hat = softmax(O)
    loss = float(-(Y * log_softmax(O)).sum())                     # L = Σ_t −y_tᵀ log ŷ_t
    Hp = h_prime(Z, A, activation)                                # (T, N1): h'(z_t)
    I = np.eye(N1, dtype=params.dtype)
    a_prev = np.zeros(N1, params.dtype)                           # a_0 = 0
    da_db = np.zeros((N1, N1), params.dtype)                      # ∂a_0/∂b = 0
    da_dW = np.zeros((N1, N1, N1), params.dtype)                  # ∂a_0/∂W = 0
    da_dU = np.zeros((N1, N1, n), params.dtype)                   # ∂a_0/∂U = 0
    steps = []
    for t in range(len(X)):
        D = np.diag(Hp[t])                                        # (N1, N1): diag(h'(z_t))
        delta2 = np.diag(Y_hat[t] - Y[t])                         # (N2, N2)         (3.2)
        dL_dc = delta2                                            # (N2, N2)         (3.3)
        do_dV_t = do_dV(A[t], N2, order)                          # (N2, N2, N1)     (3.5)
        dL_dV = reshape_matmul(delta2, do_dV_t, order)            # (N2, N2, N1)     (3.6)
        dL_da = delta2 @ V                                        # (N2, N1)         (3.7)
        delta1 = dL_da @ D                                        # (N2, N1)         (3.8)
        dL_db = delta1 @ (I + W @ da_db)                          # (N2, N1)         (3.10)
        da_db = D @ (I + W @ da_db) if fix_db else D              # (N1, N1)         (3.11)
        dWa_dW_t = dWa_dW(a_prev, N1, order)                      # (N1, N1, N1)     (3.13)
        W_da_dW = reshape_matmul(W, da_dW, order)                 # (N1, N1, N1)     (3.14)
        omega1 = dWa_dW_t + W_da_dW                               #                  (3.12)
        dL_dW = reshape_matmul(delta1, omega1, order)             # (N2, N1, N1)     (3.15)
        da_dW = reshape_matmul(D, omega1, order)                  # (N1, N1, N1)
        dUx_dU_t = dUx_dU(X[t], N1, order)                        # (N1, N1, n)      (3.17)
        W_da_dU = reshape_matmul(W, da_dU, order)                 # (N1, N1, n)      (3.18)
        omega2 = dUx_dU_t + W_da_dU
        if fix_eq316:
            dL_dU = reshape_matmul(delta1, omega2, order)         # (N2, N1, n)      (3.19)
        elif N1 != N2:
            raise _eq316_error(N1, N2, n)
        else:
            dL_dU = reshape_matmul(delta2, omega2, order)         # (N2, N1, n)      (3.16) as written
        da_dU = reshape_matmul(D, omega2, order)                  # (N1, N1, n)
        steps.append(dict(t=t + 1, delta2=delta2, dL_dc=dL_dc, do_dV=do_dV_t, dL_dV=dL_dV, dL_da=dL_da,
                          delta1=delta1, dL_db=dL_db, da_db=da_db, dWa_dW=dWa_dW_t, W_da_dW=W_da_dW,
                          omega1=omega1, dL_dW=dL_dW, da_dW=da_dW, dUx_dU=dUx_dU_t, W_da_dU=W_da_dU,
                          omega2=omega2, dL_dU=dL_dU, da_dU=da_dU))
        a_prev = A[t]
    return BPTTResult(loss, loss_axis_sum(steps, update_sum, N2), steps)


# --- PARAMETER_UPDATE ------------------------------------------------------------------------
_STEP_KEYS = {"W": "dL_dW", "U": "dL_dU", "b": "dL_db", "V": "dL_dV", "c": "dL_dc"}


def loss_axis_sum(steps: list, sum_to: str = "T", N2: int | None = None) -> Params:
    """Σ_t Σ_{k=1}^{N^(2)} (∂L_t/∂θ)_{k,…} for every θ: the sums inside PARAMETER_UPDATE.

    ``sum_to="T"`` sums t = 1..T (000, 002 pseudocode); ``"N2"`` sums t = 1..N^(2) as
    002 §4.1 writes, which drops every step t > N^(2) and is undefined when T < N^(2)
    (the sum names losses L_t that do not exist): then ValueError.
    """
    check_choice("sum_to", sum_to, SUMS)
    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
        raise TypeError("steps must be the non-empty list of per-step dicts from bptt_as_written")
    if N2 is None:
        N2 = steps[0]["dL_dc"].shape[0]
    T = len(steps)
    if sum_to == "N2":
        if T < N2:
            raise ValueError(f"002 §4.1 sums t = 1..N2 = {N2}, but the sequence has only T = {T} steps "
                             "(L_t for t > T does not exist); use sum_to='T'")
        steps = steps[:N2]
    return Params(**{name: sum(s[_STEP_KEYS[name]].sum(axis=0) for s in steps) for name in NAMES})


def parameter_update(params: Params, steps: list, lr: float, sum_to: str = "T") -> Params:
    """θ := θ − α Σ_t Σ_k (∂L_t/∂θ)_{k,…}  (000 PARAMETER_UPDATE; 002 §4.1 with ``sum_to="N2"``).

    Returns new Params; ``params`` is not modified. ``lr`` is α.
    """
    check_params(params)
    lr = check_positive_float("lr", lr)
    total = loss_axis_sum(steps, sum_to, params.n_out)
    for name in NAMES:
        if getattr(total, name).shape != getattr(params, name).shape:
            raise ValueError(f"steps give ∂L/∂{name} of shape {getattr(total, name).shape}; "
                             f"params.{name} has shape {getattr(params, name).shape}")
    return params.map(lambda p, g: p - lr * g, total)


__all__ = ["from_params", "to_params", "kron_reshape", "do_dV", "dWa_dW", "dUx_dU", "reshape_matmul",
           "bptt_as_written", "BPTTResult", "loss_axis_sum", "parameter_update", "ORDERS", "SUMS"]
