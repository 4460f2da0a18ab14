"""Input checks shared by every public function (all chapters).

Every check raises ``ValueError`` or ``TypeError`` whose message names the
argument and says what was expected, so a reader never meets a bare numpy
traceback or, worse, a silently wrong answer.
"""
from __future__ import annotations

from numbers import Real

import numpy as np

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
OUTPUTS = ("softmax", "identity")


def check_choice(name: str, value, choices) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer; got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer; got {value}")
    return int(value)


def check_positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a positive number; got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number; got {value}")
    return value


def as_float_array(name: str, value, dtype=None) -> np.ndarray:
    """Convert to a floating array, rejecting non-numeric input and NaN/Inf."""
    if value is None:
        raise TypeError(f"{name} must be an array, got None")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real-valued; got dtype {arr.dtype}")
    if dtype is None:
        dtype = arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.float64
    _check_finite(name, arr, "contains NaN or Inf")
    if arr.dtype != dtype:
        with np.errstate(over="ignore"):
            arr = arr.astype(dtype)
        _check_finite(name, arr, f"overflows {np.dtype(dtype)}")
    return arr


def _check_finite(name: str, arr: np.ndarray, what: str) -> None:
    """Raise if ``arr`` holds NaN or ±Inf.

    Σ x_i² is finite only if every x_i is (NaN and ±Inf propagate), so for a contiguous array
    one BLAS dot product, with no temporary array, decides the common all-finite case. A sum that
    is not finite may still come from large finite terms (overflow): then min and max decide.
    """
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.inexact):
        return
    if arr.flags.c_contiguous and arr.dtype in (np.float32, np.float64):
        flat = arr.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.dot(flat, flat)):
                return
    if np.isfinite(arr.min()) and np.isfinite(arr.max()):
        return
    bad = np.argwhere(~np.isfinite(arr))[0]
    raise ValueError(f"{name} {what} (first at index {tuple(int(i) for i in bad)})")


def check_finite(name: str, arr: np.ndarray) -> np.ndarray:
    """Raise ValueError naming ``name`` if the array holds NaN or ±Inf."""
    _check_finite(name, arr, "contains NaN or Inf")
    return arr


def check_float_dtype(name: str, dtype) -> np.dtype:
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be float32 or float64; got {dtype!r}") from None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be float32 or float64; got {dtype}")
    return dtype


def check_mask_values(M: np.ndarray) -> np.ndarray:
    """A mask holds only 0 and 1 (or False/True): padded steps off, real steps on."""
    if not np.all((M == 0) | (M == 1)):
        raise ValueError("mask must contain only 0/1 (or False/True)")
    return M
