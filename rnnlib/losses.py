"""Output functions g and per-step losses L_t (chapter "Forward pass"; 002 §2.2-2.3, 004 §1).

Two output/loss pairs, each with the same simple gradient ∂L_t/∂o_t = ŷ_t - y_t (002 eq. 3.1):

* ``"softmax"``: ŷ = softmax(o), L_t = -y_tᵀ log ŷ_t (categorical cross-entropy, eq. 2.6);
  y_t must be a probability distribution (one-hot in the sources).
* ``"identity"``: ŷ = o, L_t = ½‖ŷ_t - y_t‖² (Whitehill's regression loss).
"""
from __future__ import annotations

import numpy as np

from ._validate import OUTPUTS, check_choice


def softmax(o: np.ndarray) -> np.ndarray:
    """Numerically stable softmax over the last axis: subtract the max before exp."""
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(o: np.ndarray) -> np.ndarray:
    """log softmax(o) = o - logsumexp(o), stable for large |o| (never log 0)."""
    m = o.max(axis=-1, keepdims=True)
    return o - m - np.log(np.exp(o - m).sum(axis=-1, keepdims=True))


def g(o: np.ndarray, output: str = "softmax") -> np.ndarray:
    """ŷ = g(o): softmax for classification, identity for regression."""
    check_choice("output", output, OUTPUTS)
    return softmax(o) if output == "softmax" else np.array(o, copy=True)


def step_losses(o: np.ndarray, y: np.ndarray, output: str = "softmax") -> np.ndarray:
    """L_t for every position: shape o.shape[:-1].

    Cross-entropy uses log_softmax(o) rather than log(ŷ) so that a confident wrong
    prediction gives a large finite loss instead of ``inf``.
    """
    check_choice("output", output, OUTPUTS)
    if output == "softmax":
        return -(y * log_softmax(o)).sum(axis=-1)
    d = o - y
    return 0.5 * (d * d).sum(axis=-1)


__all__ = ["softmax", "log_softmax", "g", "step_losses", "OUTPUTS"]
