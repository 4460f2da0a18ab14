"""Hidden activations h and their derivatives h' (chapter "Forward pass"; 001 §2.2).

Each derivative is written from what the forward pass already stored, the way
the backward pass uses it: for tanh, h'(z) = 1 - a², so no second tanh is needed.
"""
from __future__ import annotations

import numpy as np

from ._validate import ACTIVATIONS, check_choice


def h(z: np.ndarray, activation: str = "tanh") -> np.ndarray:
    """a = h(z), element-wise (eq. 2.3)."""
    return h_fn(activation)(z)


def h_prime(z: np.ndarray, a: np.ndarray, activation: str = "tanh", out: np.ndarray | None = None) -> np.ndarray:
    """h'(z) given z and a = h(z), element-wise; same shape as z (written into ``out`` if given)."""
    check_choice("activation", activation, ACTIVATIONS)
    if out is None:
        out = np.empty_like(z)
    if activation == "tanh":
        np.multiply(a, a, out=out)
        np.subtract(1, out, out=out)   # d tanh = 1 - tanh²
    elif activation == "sigmoid":
        np.subtract(1, a, out=out)
        out *= a                       # dσ = σ(1 - σ)
    elif activation == "relu":
        np.greater(z, 0, out=out)      # subgradient 0 at z = 0 (True/False written as 1/0)
    else:
        out.fill(1)
    return out


def h_fn(activation: str):
    """The function z -> h(z) for a checked activation name (looked up once, outside time loops)."""
    check_choice("activation", activation, ACTIVATIONS)
    return {"tanh": np.tanh, "sigmoid": sigmoid, "relu": _relu, "identity": _identity}[activation]


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _identity(z: np.ndarray) -> np.ndarray:
    return np.array(z, copy=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}) without overflow for large |z|."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


__all__ = ["h", "h_fn", "h_prime", "sigmoid", "ACTIVATIONS"]
