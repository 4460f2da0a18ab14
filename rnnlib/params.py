"""Model parameters θ = (W, U, b, V, c) and their initialisation (chapter "Forward pass").

The book's main notation (Ramkumar 000/002, eqs. 2.2 and 2.4)::

    z_t = W a_{t-1} + U x_t + b      W (N1, N1), U (N1, n), b (N1,)
    o_t = V a_t + c                  V (N2, N1), c (N2,)

Gradients are returned as a ``Params`` of the same shapes (``dW, dU, db, dV, dc``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ._validate import as_float_array, check_finite, check_float_dtype, check_positive_int

NAMES = ("W", "U", "b", "V", "c")


@dataclass(frozen=True, eq=False)
class Params:
    """The five parameter arrays of the RNN, in the book's notation.

    Attributes
    ----------
    W : ndarray (N1, N1)   recurrent weights
    U : ndarray (N1, n)    input weights
    b : ndarray (N1,)      hidden bias
    V : ndarray (N2, N1)   output weights
    c : ndarray (N2,)      output bias
    """

    W: np.ndarray
    U: np.ndarray
    b: np.ndarray
    V: np.ndarray
    c: np.ndarray

    def __post_init__(self) -> None:
        arrays = {}
        for name in NAMES:
            try:
                arrays[name] = np.asarray(getattr(self, name))
            except ValueError as exc:  # ragged lists
                raise TypeError(f"Params.{name} must be a real numeric array: {exc}") from None
        for name, arr in arrays.items():
            if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
                raise TypeError(f"Params.{name} must be a real numeric array; got dtype {arr.dtype}")
        dtype = np.result_type(*[a.dtype for a in arrays.values()], np.float32)
        if dtype not in (np.float32, np.float64):
            dtype = np.dtype(np.float64)
        for name in NAMES:
            object.__setattr__(self, name, arrays[name].astype(dtype, copy=False))
        ranks = {"W": 2, "U": 2, "b": 1, "V": 2, "c": 1}
        for name, rank in ranks.items():
            arr = getattr(self, name)
            if arr.ndim != rank:
                raise ValueError(f"Params.{name} must have {rank} dimension(s); got shape {arr.shape}")
        N1 = self.W.shape[0]
        expect = {
            "W": (N1, N1),
            "U": (N1, self.U.shape[1]),
            "b": (N1,),
            "V": (self.V.shape[0], N1),
            "c": (self.V.shape[0],),
        }
        for name, shape in expect.items():
            if getattr(self, name).shape != shape:
                raise ValueError(
                    f"Params.{name} must have shape {shape} (N1={N1} from W, n={self.U.shape[1]}, "
                    f"N2={self.V.shape[0]}); got {getattr(self, name).shape}"
                )
        if 0 in (N1, self.U.shape[1], self.V.shape[0]):
            raise ValueError(f"Params sizes must be positive; got n={self.n_in}, N1={N1}, N2={self.n_out}")

    @classmethod
    def _computed(cls, W, U, b, V, c) -> "Params":
        """A Params of arrays an engine has just computed from a checked Params (same dtype, right
        shapes), without the checks of the constructor: they cost as much as a small model's step."""
        self = object.__new__(cls)
        for name, arr in zip(NAMES, (W, U, b, V, c)):
            object.__setattr__(self, name, arr)
        return self

    # sizes, named as in the sources -------------------------------------------------
    @property
    def n_in(self) -> int:
        """n: input size."""
        return self.U.shape[1]

    @property
    def n_hidden(self) -> int:
        """N1 = N^(1): hidden size."""
        return self.W.shape[0]

    @property
    def n_out(self) -> int:
        """N2 = N^(2): output size."""
        return self.V.shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.W.dtype

    # container helpers ----------------------------------------------------------------
    def __iter__(self) -> Iterator[np.ndarray]:
        return (getattr(self, name) for name in NAMES)

    def items(self):
        return [(name, getattr(self, name)) for name in NAMES]

    def map(self, fn: Callable[..., np.ndarray], *others: "Params") -> "Params":
        """Apply ``fn`` leaf-wise: ``p.map(lambda x, g: x - lr * g, grads)``."""
        return Params(*[fn(*arrs) for arrs in zip(self, *others)])

    def copy(self) -> "Params":
        return self.map(np.copy)

    def astype(self, dtype) -> "Params":
        dtype = check_float_dtype("dtype", dtype)
        return self.map(lambda x: x.astype(dtype))

    def zeros_like(self) -> "Params":
        return self.map(np.zeros_like)

    def norm(self) -> float:
        """Global Euclidean norm over all five arrays."""
        return float(np.sqrt(sum(float(np.vdot(x, x)) for x in self)))

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}={getattr(self, n).shape}" for n in NAMES)
        return f"Params({shapes}, dtype={self.dtype})"


def init_params(n_in: int, n_hidden: int, n_out: int, seed: int = 0, dtype=np.float64) -> Params:
    """Xavier/Glorot-uniform weights and zero biases (002 §4.2, "Xavier Initialization").

    Each weight matrix of shape (fan_out, fan_in) is drawn from
    U(-r, r) with r = sqrt(6 / (fan_in + fan_out)); b and c start at 0.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        n, N1 and N2.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same Params.
    dtype : float32 or float64
    """
    n_in = check_positive_int("n_in", n_in)
    n_hidden = check_positive_int("n_hidden", n_hidden)
    n_out = check_positive_int("n_out", n_out)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer; got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed}")
    dtype = check_float_dtype("dtype", dtype)
    rng = np.random.default_rng(seed)

    def glorot(fan_out: int, fan_in: int) -> np.ndarray:
        r = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-r, r, size=(fan_out, fan_in))

    W = glorot(n_hidden, n_hidden)
    U = glorot(n_hidden, n_in)
    V = glorot(n_out, n_hidden)
    p = Params(W=W, U=U, b=np.zeros(n_hidden), V=V, c=np.zeros(n_out))
    return p.astype(dtype)


def check_params(params, name: str = "params") -> Params:
    """Validate a Params argument: type and finiteness (shapes are checked on construction)."""
    if not isinstance(params, Params):
        raise TypeError(f"{name} must be an rnnlib.Params; got {type(params).__name__}")
    for field in NAMES:                 # dtypes and shapes were fixed on construction; values can change in place
        check_finite(f"{name}.{field}", getattr(params, field))
    return params


__all__ = ["Params", "init_params", "check_params", "NAMES"]
