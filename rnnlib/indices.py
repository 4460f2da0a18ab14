"""Class indices that stand for one-hot vectors (chapters "Training" and "What the algorithms cost").

The sources' training algorithm starts with "Perform encoding on {x_t}" (000, 002 §4.2): a character
model's inputs and targets are one-hot, x_t = e_{i_t}, y_t = e_{j_t}. Passing the indices i_t, j_t
instead of the (T, B, n) one-hot array gives every engine exactly the same numbers (the tests check
it) and lets :func:`rnnlib.bptt` skip two products with zeros (the gradient of U is still one dense
product with the one-hot inputs):

    U x_t = U e_{i_t} = column i_t of U         (a gather, not a matrix product)
    L_t = -y_tᵀ log ŷ_t = -log ŷ_{t, j_t}       (one entry, not a dot product)

``Indices`` only marks an integer array as "one-hot vectors, by position"; the vector length
(n for ``xs``, N2 for ``ys``) comes from the parameters. A bare integer array stays what it
always was: numbers (an integer (T, n) array is T input vectors, not indices).
"""
from __future__ import annotations

import numpy as np


class Indices:
    """Integer positions i_t standing for one-hot vectors e_{i_t}: shape (T,) for one sequence, (T, B) for a batch.

    >>> import numpy as np, rnnlib
    >>> p = rnnlib.init_params(3, 4, 3)
    >>> xs, ys = rnnlib.Indices([0, 2, 1]), rnnlib.Indices([2, 1, 0])   # x_1 = e_0, y_1 = e_2, ...
    >>> eye = np.eye(3)
    >>> loss1, _ = rnnlib.bptt(p, xs, ys)
    >>> loss2, _ = rnnlib.bptt(p, eye[[0, 2, 1]], eye[[2, 1, 0]])
    >>> bool(np.isclose(loss1, loss2))
    True
    """

    __slots__ = ("values",)

    def __init__(self, values):
        arr = np.asarray(values)
        if arr.shape == (0,) and arr.dtype == np.float64:   # np.asarray([]) is float: an empty list is no error here
            arr = arr.astype(np.intp)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"Indices takes integers (class positions); got dtype {arr.dtype}")
        if arr.ndim not in (1, 2):
            raise ValueError(f"Indices must be (T,) for one sequence or (T, B) for a batch; got shape {arr.shape}")
        if arr.size and np.issubdtype(arr.dtype, np.unsignedinteger) and arr.max() > np.iinfo(np.intp).max:
            raise ValueError(f"Indices holds {int(arr.max())}, too large for an index")
        self.values = arr.astype(np.intp, copy=False)

    @property
    def shape(self) -> tuple:
        return self.values.shape

    def __repr__(self) -> str:
        return f"Indices({self.values.tolist()!r})"

    def one_hot(self, size: int, dtype=np.float64) -> np.ndarray:
        """The one-hot array they stand for: shape ``self.shape + (size,)``."""
        return one_hot(check_indices("indices", self, size, "size"), size, dtype).reshape(self.shape + (size,))


def one_hot(idx: np.ndarray, size: int, dtype=np.float64) -> np.ndarray:
    """e_i for every i in ``idx`` (ints in 0..size-1, already checked): shape ``idx.shape + (size,)``."""
    out = np.zeros(idx.size * size, dtype)
    out[np.arange(0, idx.size * size, size) + idx.reshape(-1)] = 1     # entry i of row r sits at r·size + i
    return out.reshape(idx.shape + (size,))


def check_indices(name: str, idx: Indices, size: int, what: str) -> np.ndarray:
    """The values of ``idx`` as (T, B) intp after checking 0 ≤ i < size; raises naming ``name``."""
    v = idx.values
    if v.shape[0] == 0:
        raise ValueError(f"{name} is an empty sequence (T = 0); it needs at least one time step")
    if v.size and (v.min() < 0 or v.max() >= size):
        bad = v[(v < 0) | (v >= size)].flat[0]
        raise ValueError(f"{name} holds index {int(bad)}, outside 0..{size - 1} ({what} = {size})")
    return v if v.ndim == 2 else v[:, None]


__all__ = ["Indices", "check_indices", "one_hot"]
