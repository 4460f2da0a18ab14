"""The forward pass and its trace (chapter "Forward pass"; 000 FORWARD PROPAGATION, 002 §2).

    z_t = W a_{t-1} + U x_t + b       (2.2)
    a_t = h(z_t)                      (2.3)
    o_t = V a_t + c                   (2.4)
    ŷ_t = g(o_t)                      (2.5)

Arrays are time-major: one sequence is (T, n), a batch is (T, B, n).
Everything that does not depend on the recurrence (U x_t + b for all t, the
output layer, the softmax) is computed outside the time loop.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import ACTIVATIONS, OUTPUTS, as_float_array, check_choice, check_mask_values
from .activations import h_fn, h_prime
from .indices import Indices, check_indices, one_hot
from .losses import g, step_losses
from .params import Params, check_params


@dataclass(frozen=True, eq=False)
class Trace:
    """Everything the forward pass computed, time-major, for chapters and widgets.

    Shapes (single sequence / batch): ``z, a`` (T, N1) / (T, B, N1); ``o, y_hat``
    (T, N2) / (T, B, N2); ``a0`` (N1,) / (B, N1). ``a[t]`` is a_{t+1} in the
    sources' 1-based time; ``a_prev[t]`` is a_t (so ``a_prev[0]`` is a_0).
    """

    xs: np.ndarray
    z: np.ndarray
    a: np.ndarray
    o: np.ndarray
    y_hat: np.ndarray
    a0: np.ndarray
    activation: str
    output: str

    @property
    def T(self) -> int:
        return self.z.shape[0]

    @property
    def a_prev(self) -> np.ndarray:
        """a_{t-1} for every t: a0 followed by a[:-1]."""
        return np.concatenate([self.a0[None], self.a[:-1]], axis=0)

    @property
    def h_prime(self) -> np.ndarray:
        """h'(z_t) for every t, same shape as z."""
        return h_prime(self.z, self.a, self.activation)

    def losses(self, ys, mask=None) -> np.ndarray:
        """L_t at every step (zero where ``mask`` is 0); shape (T,) or (T, B). ``ys`` may be :class:`~rnnlib.Indices`."""
        if isinstance(ys, Indices):
            if ys.shape != self.o.shape[:-1]:
                raise ValueError(f"ys must be Indices of shape {self.o.shape[:-1]} to match the trace; got {ys.shape}")
            ys = one_hot(check_indices("ys", ys, self.o.shape[-1], "N2"), self.o.shape[-1],
                         self.o.dtype).reshape(self.o.shape)
        ys = as_float_array("ys", ys, self.o.dtype)
        if ys.shape != self.o.shape:
            raise ValueError(f"ys must have shape {self.o.shape} to match the trace; got {ys.shape}")
        L = step_losses(self.o, ys, self.output)
        if mask is not None:
            M = as_float_array("mask", mask, L.dtype)
            if M.shape != L.shape:
                raise ValueError(f"mask must have shape {L.shape} to match the trace; got {M.shape}")
            L = L * check_mask_values(M)
        return L


@dataclass(frozen=True)
class Batch:
    """Validated engine inputs in batch form: X (T,B,n), Y (T,B,N2) or None, M (T,B) or None, A0 (B,N1).

    ``Xi``, ``Yi`` (T, B): the class indices when ``xs``/``ys`` were :class:`~rnnlib.Indices`
    (``X``, ``Y`` then hold the one-hot vectors they stand for, except that ``Y`` is None for
    softmax targets when :func:`prepare` was asked to ``keep_indices``).
    """

    X: np.ndarray
    Y: np.ndarray | None
    M: np.ndarray | None
    A0: np.ndarray
    single: bool
    Xi: np.ndarray | None = None
    Yi: np.ndarray | None = None

    @property
    def T(self) -> int:
        return self.X.shape[0]

    @property
    def B(self) -> int:
        return self.X.shape[1]


def prepare(params, xs, ys=None, activation="tanh", output="softmax", mask=None, a0=None, *,
            keep_indices: bool = False) -> Batch:
    """Check every argument of an engine and bring it to batch form (T, B, ·).

    ``xs`` and ``ys`` may be arrays or :class:`~rnnlib.Indices` (one-hot vectors given by
    position). Raises ValueError/TypeError naming the argument for wrong ranks, shapes,
    mismatched T or B, NaN/Inf, indices out of range, empty sequences, unknown names, and
    cross-entropy targets that are not probability distributions.
    """
    check_params(params)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("output", output, OUTPUTS)
    dtype = params.dtype
    Xi = None
    if isinstance(xs, Indices):
        single = xs.values.ndim == 1
        Xi = check_indices("xs", xs, params.n_in, "n, the columns of params.U")
        X = one_hot(Xi, params.n_in, dtype)                 # (T, B, n)
    else:
        X = as_float_array("xs", xs, dtype)
        if X.ndim not in (2, 3):
            raise ValueError(f"xs must be (T, n) for one sequence or (T, B, n) for a batch; got shape {X.shape}")
        single = X.ndim == 2
        if single:
            X = X[:, None, :]
    T, B, n = X.shape
    if T == 0:
        raise ValueError("xs is an empty sequence (T = 0); it needs at least one time step")
    if B == 0:
        raise ValueError("xs is an empty batch (B = 0); it needs at least one sequence")
    if n != params.n_in:
        raise ValueError(f"xs has {n} features per step but params.U expects n = {params.n_in}")
    Y = Yi = None
    if isinstance(ys, Indices):
        want = (T,) if single else (T, B)
        if ys.shape != want:
            raise ValueError(f"ys must be Indices of shape {want} to match xs (one class per step); got {ys.shape}")
        Yi = check_indices("ys", ys, params.n_out, "N2, the rows of params.V")
        if not (keep_indices and output == "softmax"):
            Y = one_hot(Yi, params.n_out, dtype)            # (T, B, N2)
    elif ys is not None:
        Y = as_float_array("ys", ys, dtype)
        want = (T, params.n_out) if single else (T, B, params.n_out)
        if Y.ndim != len(want):
            xs_shape = tuple(xs.shape if isinstance(xs, Indices) else np.shape(xs))
            raise ValueError(f"ys must have shape {want} to match xs {xs_shape}; got {Y.shape}")
        if Y.shape[0] != T:
            raise ValueError(f"ys has T = {Y.shape[0]} steps but xs has T = {T}")
        if not single and Y.shape[1] != B:
            raise ValueError(f"ys has batch size {Y.shape[1]} but xs has B = {B}")
        if Y.shape[-1] != params.n_out:
            raise ValueError(f"ys has {Y.shape[-1]} outputs per step but params.V expects N2 = {params.n_out}")
        if single:
            Y = Y[:, None, :]
    M = None
    if mask is not None:
        M = as_float_array("mask", mask, dtype)
        want = (T,) if single else (T, B)
        if M.shape != want:
            raise ValueError(f"mask must have shape {want} (T, B) to match xs; got {M.shape}")
        check_mask_values(M)
        if single:
            M = M[:, None]
    if Y is not None and Yi is None and output == "softmax":
        _check_distributions(Y, M, dtype)
    A0 = np.zeros((B, params.n_hidden), dtype)
    if a0 is not None:
        A0 = as_float_array("a0", a0, dtype)
        want = (params.n_hidden,) if single else (B, params.n_hidden)
        if A0.shape == (params.n_hidden,) and not single:
            A0 = np.broadcast_to(A0, (B, params.n_hidden))
        elif A0.shape != want:
            raise ValueError(f"a0 must have shape {want} (N1 = {params.n_hidden}); got {A0.shape}")
        A0 = np.array(A0.reshape(B, params.n_hidden))
    return Batch(X, Y, M, A0, single, Xi, Yi)


def _check_distributions(Y, M, dtype) -> None:
    """Each unmasked y_t is a probability distribution: no negative entry, sums to 1."""
    tol = 1e-4 if dtype == np.float32 else 1e-6
    neg = Y.min(axis=-1) < 0                               # (T, B)
    off = np.abs(Y.sum(axis=-1) - 1) > tol                 # (T, B)
    if M is not None:
        live = M.astype(bool)
        neg &= live
        off &= live
    if neg.any():
        raise ValueError("ys must be probability distributions for output='softmax' (cross-entropy): "
                         "found negative entries")
    if off.any():
        bad = float(Y.sum(axis=-1)[off][0])
        raise ValueError("ys must be probability distributions for output='softmax' (cross-entropy): "
                         f"each y_t must sum to 1 (one-hot targets do); found a row summing to {bad:.6g}. "
                         "Use output='identity' for regression targets.")


def run(params: Params, X: np.ndarray, A0: np.ndarray, activation: str, out=None, *, Xi=None):
    """The time loop on batch-form inputs: returns Z, A, each (T, B, N1).

    U x_t + b is computed for all t before the loop, as one (T·B, n) @ (n, N1)
    product (or, when the inputs are one-hot and their indices ``Xi`` (T, B) are
    given, as a gather of columns of U: U e_i is column i); inside the loop only
    W a_{t-1} and h remain, written into preallocated buffers (``out=``) so that a
    step allocates nothing. With a_0 = 0 the first step needs no W a_0.
    ``out=(Z, A)`` gives the buffers to fill (:func:`rnnlib.bptt` passes views of
    its workspace).
    """
    T, B, n = X.shape
    N1 = params.n_hidden
    if out is None:
        Z, A = np.empty((2, T, B, N1), np.result_type(X, params.U))   # one allocation for both
    else:
        Z, A = out
    if Xi is not None:
        UT = np.ascontiguousarray(params.U.T, dtype=Z.dtype)         # (n, N1): row i is U e_i
        np.take(UT, Xi.reshape(T * B), axis=0, out=Z.reshape(T * B, N1), mode="clip")   # checked: 0 ≤ i < n
    else:
        np.dot(X.reshape(T * B, n), params.U.T, out=Z.reshape(T * B, N1))   # U x_t for every (t, b)
    Z += params.b                                   # + b
    WT = params.W.T                                 # a_{t-1} @ Wᵀ  ==  (W a_{t-1})ᵀ
    if B > 1:                                       # measured: for B > 1, BLAS multiplies a batch faster by a
        WT = np.ascontiguousarray(WT)               # C-ordered copy of Wᵀ; for one row the copy costs more than it saves
    Wa = np.empty((B, N1), Z.dtype)                 # (B, N1): W a_{t-1}, reused every step
    h = h_fn(activation)
    a_prev = np.ascontiguousarray(A0, dtype=Z.dtype)
    if not a_prev.any():
        a_prev = None                               # a_0 = 0: z_1 = U x_1 + b, no product needed
    for z, a in zip(Z, A):                          # z, a: (B, N1) views of step t
        if a_prev is not None:
            np.dot(a_prev, WT, out=Wa)
            np.add(z, Wa, out=z)                    # z_t = W a_{t-1} + U x_t + b
        if h is np.tanh:
            np.tanh(z, out=a)                       # a_t = h(z_t), in place
        else:
            a[...] = h(z)
        a_prev = a
    return Z, A


def forward(params: Params, xs, activation: str = "tanh", output: str = "softmax", a0=None) -> Trace:
    """Run the RNN over ``xs`` and return its :class:`Trace` (000 FORWARD PROPAGATION).

    Parameters
    ----------
    params : Params
    xs : array (T, n) or (T, B, n), or :class:`~rnnlib.Indices` (T,) or (T, B) of one-hot positions
    activation : "tanh", "sigmoid", "relu" or "identity"
    output : "softmax" or "identity"
    a0 : array (N1,) or (B, N1), optional; default zeros (a_0 = 0 as in the sources)
    """
    batch = prepare(params, xs, None, activation, output, None, a0)
    Z, A = run(params, batch.X, batch.A0, activation, Xi=batch.Xi)
    O = A @ params.V.T + params.c            # (T, B, N2): o_t = V a_t + c
    Yh = g(O, output)
    if batch.single:
        return Trace(batch.X[:, 0], Z[:, 0], A[:, 0], O[:, 0], Yh[:, 0], batch.A0[0], activation, output)
    return Trace(batch.X, Z, A, O, Yh, batch.A0, activation, output)


__all__ = ["Trace", "forward", "prepare", "run", "Batch"]
