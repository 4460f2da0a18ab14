"""Finite-difference gradients and gradient checks (every chapter that derives a gradient).

``numerical_gradient`` has the engines' signature, so any engine can be checked
against it, and engines against each other, with :func:`gradcheck`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_positive_float
from .bptt import output_delta
from .forward import prepare, run
from .params import NAMES, Params


def loss(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax", mask=None,
         *, a0=None) -> float:
    """L = Σ_t L_t averaged over the batch (002 eq. 2.7), the quantity every engine differentiates."""
    batch = prepare(params, xs, ys, activation, output, mask, a0)
    return _loss(params, batch, activation, output)


def _loss(params, batch, activation, output) -> float:
    _, A = run(params, batch.X, batch.A0, activation)
    O = A @ params.V.T + params.c
    return output_delta(O, batch.Y, batch.M, output, batch.B)[0]


def numerical_gradient(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax",
                       mask=None, *, eps: float = 1e-6, a0=None):
    """Central finite differences (L(θ+ε) - L(θ-ε)) / 2ε for every entry of every parameter.

    Same signature and return value as the engines: ``(loss, grads)``. Costs
    2·(number of parameters) forward passes: for checks on small models only.
    It always works in float64 (ε = 1e-6 is below float32's resolution), so a
    float32 model gets float64 reference gradients.
    """
    eps = check_positive_float("eps", eps)
    params = params.astype(np.float64) if isinstance(params, Params) else params
    batch = prepare(params, xs, ys, activation, output, mask, a0)
    grads = central_differences(lambda q: _loss(q, batch, activation, output), params, eps)
    return _loss(params, batch, activation, output), grads


def central_differences(f, params: Params, eps: float = 1e-6) -> Params:
    """(f(θ+ε e_i) - f(θ-ε e_i)) / 2ε for every entry i of every parameter of ``params``, in float64.

    ``f`` maps a Params to a float. The building block of :func:`numerical_gradient`, for any
    scalar of the parameters (e.g. one class's part of the loss, in ``rnnlib.sources.errata``).
    """
    arrays = {name: np.array(getattr(params, name), dtype=np.float64) for name in NAMES}
    grads = {}
    for name in NAMES:
        flat = arrays[name].reshape(-1)              # a view: writing flat[i] moves the parameter
        g = np.zeros(flat.size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            plus = f(Params(**arrays))
            flat[i] = old - eps
            minus = f(Params(**arrays))
            flat[i] = old
            g[i] = (plus - minus) / (2 * eps)
        grads[name] = g.reshape(arrays[name].shape)
    return Params(**grads)


def rel_error(a, b) -> float:
    """max|a - b| / max(max|a|, max|b|); 0.0 when both are exactly zero (never NaN)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs equal shapes; got {a.shape} and {b.shape}")
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    diff = np.max(np.abs(a - b), initial=0.0)
    return 0.0 if scale == 0.0 else float(diff / scale)


@dataclass(frozen=True)
class GradCheck:
    """Per-parameter relative errors between two gradient computations."""

    errors: dict
    loss_error: float
    tol: float

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tol and self.loss_error <= self.tol

    def __repr__(self) -> str:
        """A passed check prints a power-of-ten bound on its largest error, not the error itself: finite
        differences agree to ~1e-10, and those last digits change with the machine's BLAS. A failed
        check prints every error."""
        if self.ok:
            if self.max_error == 0:
                return f"GradCheck(ok: relative errors 0, tolerance {self.tol:.0e})"
            bound = 10.0 ** math.ceil(math.log10(self.max_error))
            return f"GradCheck(ok: largest relative error ≤ {bound:.0e}, tolerance {self.tol:.0e})"
        errs = ", ".join(f"{k}: {v:.1e}" for k, v in self.errors.items())
        return f"GradCheck(FAILED, tolerance {self.tol:.0e}; loss: {self.loss_error:.1e}, {errs})"


def gradcheck(engine, params: Params, xs, ys, activation: str = "tanh", output: str = "softmax",
              mask=None, *, reference=numerical_gradient, tol: float = 1e-7, **kwargs) -> GradCheck:
    """Compare ``engine`` with ``reference`` (finite differences by default) parameter by parameter.

    Returns a :class:`GradCheck`; ``.ok`` is True when every relative error is ≤ ``tol``.
    """
    tol = check_positive_float("tol", tol)
    l1, g1 = engine(params, xs, ys, activation, output, mask, **kwargs)
    l2, g2 = reference(params, xs, ys, activation, output, mask, **kwargs)
    errors = {name: rel_error(getattr(g1, name), getattr(g2, name)) for name in NAMES}
    return GradCheck(errors, rel_error(l1, l2), tol)


__all__ = ["loss", "numerical_gradient", "central_differences", "rel_error", "gradcheck", "GradCheck"]
