"""Parameter updates and gradient clipping (chapter "Training"; 000/002 §4.1 PARAMETER_UPDATE, 001 §4, 003).

The sources update every parameter by plain gradient descent,

    θ := θ - α ∂L/∂θ                  (000 PARAMETER_UPDATE, 002 §4.1, 001 §4)

(in Ramkumar's notation after summing the gradient over the "loss axis" k and over
time t; ``rnnlib.bptt`` returns that sum directly). Khurana (003) notes that "instead
of gradient descent, any other approach (Adam, ...) could also be used". This module
has gradient descent as a pure function, the four update rules as pure per-array
functions written next to their equations, and tiny optimizer objects that keep
their state arrays explicitly, keyed by parameter name: ``opt.state["W"]["m"]``.

Every optimizer returns *new* Params; the Params passed in are never modified.
"""
from __future__ import annotations

from numbers import Real

import numpy as np

from ._validate import check_positive_float
from .params import NAMES, Params, check_params


# ---------------------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------------------
def _check_unit_interval(name: str, value, *, closed_low: bool = True) -> float:
    """A number in [0, 1) (or (0, 1) when ``closed_low`` is False)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number in [0, 1); got {type(value).__name__} {value!r}")
    value = float(value)
    low_ok = value >= 0 if closed_low else value > 0
    if not (np.isfinite(value) and low_ok and value < 1):
        interval = "[0, 1)" if closed_low else "(0, 1)"
        raise ValueError(f"{name} must be in {interval}; got {value}")
    return value


def _check_grads(params: Params, grads: Params) -> None:
    """grads must be a finite Params with exactly the shapes of params."""
    check_params(params, "params")
    check_params(grads, "grads")
    for name in NAMES:
        p, g = getattr(params, name), getattr(grads, name)
        if p.shape != g.shape:
            raise ValueError(f"grads.{name} must have the shape of params.{name} {p.shape}; got {g.shape}")


# ---------------------------------------------------------------------------------------
# gradient descent, exactly as in the sources
# ---------------------------------------------------------------------------------------
def gd(params: Params, grads: Params, lr: float) -> Params:
    """One PARAMETER_UPDATE of the sources: θ := θ - α ∂L/∂θ for θ in (W, U, b, V, c).

    000/002 §4.1 (with the loss-axis and time sums already inside ``grads``), 001 §4.

    Parameters
    ----------
    params : Params      θ
    grads : Params       ∂L/∂θ, same shapes (e.g. from ``rnnlib.bptt``)
    lr : float          α > 0

    Returns
    -------
    Params  the updated θ (new arrays; ``params`` is untouched)
    """
    lr = check_positive_float("lr", lr)
    _check_grads(params, grads)
    return params.map(lambda theta, g: theta - lr * g, grads)   # θ - α ∂L/∂θ


# ---------------------------------------------------------------------------------------
# update rules, one array at a time (θ, g and the state all have θ's shape)
# ---------------------------------------------------------------------------------------
def momentum_update(theta, g, v, lr: float, momentum: float):
    """Heavy-ball momentum: v := μ v - α g;  θ := θ + v.  Returns (θ, v)."""
    v = momentum * v - lr * g            # velocity: a decaying sum of past steps
    return theta + v, v


def adagrad_update(theta, g, G, lr: float, eps: float):
    """Adagrad (Duchi et al. 2011): G := G + g²;  θ := θ - α g / (√G + ε).  Returns (θ, G)."""
    G = G + g * g                        # running sum of squared gradients, per entry
    return theta - lr * g / (np.sqrt(G) + eps), G


def adam_update(theta, g, m, v, t: int, lr: float, beta1: float, beta2: float, eps: float):
    """Adam (Kingma & Ba 2015, Algorithm 1), step t = 1, 2, ...  Returns (θ, m, v).

        m := β1 m + (1 - β1) g           first moment
        v := β2 v + (1 - β2) g²          second moment
        m̂ = m / (1 - β1^t),  v̂ = v / (1 - β2^t)      bias correction
        θ := θ - α m̂ / (√v̂ + ε)
    """
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * (g * g)
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


# ---------------------------------------------------------------------------------------
# optimizer objects with explicit state
# ---------------------------------------------------------------------------------------
class Optimizer:
    """Base class: ``step(params, grads) -> new params``; state arrays in ``self.state[name]``.

    ``self.t`` counts the steps taken; ``reset()`` forgets all state.
    """

    name = "optimizer"
    buffers: tuple = ()                  # names of the per-parameter state arrays

    def __init__(self, lr: float):
        self.lr = check_positive_float("lr", lr)
        self.reset()

    def reset(self) -> None:
        self.t = 0
        self.state: dict = {}

    def step(self, params: Params, grads: Params) -> Params:
        _check_grads(params, grads)
        if self.buffers and not self.state:
            self.state = {name: {buf: np.zeros_like(theta) for buf in self.buffers}
                          for name, theta in params.items()}
        for name, theta in params.items():
            for buf, arr in self.state.get(name, {}).items():
                if arr.shape != theta.shape:
                    raise ValueError(f"params.{name} has shape {theta.shape} but the optimizer's state "
                                     f"{name}.{buf} has shape {arr.shape}; call reset() for a new model")
        self.t += 1
        new = {}
        for name, theta in params.items():
            new[name] = self._update(name, theta, getattr(grads, name))
        return Params(**new)

    def _update(self, name: str, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _hyper(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g}{self._hyper()}, t={self.t})"


class GD(Optimizer):
    """Plain gradient descent θ := θ - α ∂L/∂θ, the sources' PARAMETER_UPDATE (no state)."""

    name = "gd"

    def _update(self, name, theta, g):
        return theta - self.lr * g


class Momentum(Optimizer):
    """SGD with heavy-ball momentum μ (see :func:`momentum_update`); state ``v`` per parameter."""

    name = "momentum"
    buffers = ("v",)

    def __init__(self, lr: float, momentum: float = 0.9):
        self.momentum = _check_unit_interval("momentum", momentum)
        super().__init__(lr)

    def _update(self, name, theta, g):
        s = self.state[name]
        theta, s["v"] = momentum_update(theta, g, s["v"], self.lr, self.momentum)
        return theta

    def _hyper(self):
        return f", momentum={self.momentum:g}"


class Adagrad(Optimizer):
    """Adagrad (see :func:`adagrad_update`); state ``G`` (sum of squared gradients) per parameter."""

    name = "adagrad"
    buffers = ("G",)

    def __init__(self, lr: float, eps: float = 1e-8):
        self.eps = check_positive_float("eps", eps)
        super().__init__(lr)

    def _update(self, name, theta, g):
        s = self.state[name]
        theta, s["G"] = adagrad_update(theta, g, s["G"], self.lr, self.eps)
        return theta

    def _hyper(self):
        return f", eps={self.eps:g}"


class Adam(Optimizer):
    """Adam with bias correction (see :func:`adam_update`); state ``m`` and ``v`` per parameter."""

    name = "adam"
    buffers = ("m", "v")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1 = _check_unit_interval("beta1", beta1)
        self.beta2 = _check_unit_interval("beta2", beta2)
        self.eps = check_positive_float("eps", eps)
        super().__init__(lr)

    def _update(self, name, theta, g):
        s = self.state[name]
        theta, s["m"], s["v"] = adam_update(theta, g, s["m"], s["v"], self.t,
                                            self.lr, self.beta1, self.beta2, self.eps)
        return theta

    def _hyper(self):
        return f", beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g}"


OPTIMIZERS = {"gd": GD, "momentum": Momentum, "adagrad": Adagrad, "adam": Adam}
_OPTIONS = {"gd": (), "momentum": ("momentum",), "adagrad": ("eps",), "adam": ("beta1", "beta2", "eps")}


def make_optimizer(name: str, lr: float, **kw) -> Optimizer:
    """An optimizer by name: "gd", "momentum" (momentum=0.9), "adagrad" (eps=1e-8),
    "adam" (beta1=0.9, beta2=0.999, eps=1e-8).

    >>> opt = make_optimizer("adam", 0.01)
    >>> params = opt.step(params, grads)            # doctest: +SKIP
    """
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"optimizer name must be one of {', '.join(map(repr, OPTIMIZERS))}; got {name!r}")
    unknown = sorted(set(kw) - set(_OPTIONS[name]))
    if unknown:
        allowed = ", ".join(_OPTIONS[name]) or "none"
        raise TypeError(f"{name!r} optimizer got unknown option(s) {', '.join(unknown)}; allowed: {allowed}")
    return OPTIMIZERS[name](lr, **kw)


# ---------------------------------------------------------------------------------------
# gradient clipping
# ---------------------------------------------------------------------------------------
def clip_by_norm(grads: Params, max_norm: float) -> tuple[Params, float]:
    """Rescale all five gradients together so that their global norm is at most ``max_norm``.

    With ‖g‖ = sqrt(Σ_θ Σ_ij (∂L/∂θ)_ij²): g := g · min(1, max_norm / ‖g‖). The
    direction is unchanged; only an exploding step is shortened (chapter "Training").

    Returns
    -------
    (clipped grads, norm before clipping)
    """
    max_norm = check_positive_float("max_norm", max_norm)
    check_params(grads, "grads")
    norm = grads.norm()
    if norm <= max_norm:
        return grads, norm
    scale = max_norm / norm
    return grads.map(lambda g: g * np.asarray(scale, g.dtype)), norm


def clip_by_value(grads: Params, limit: float) -> Params:
    """Clip every gradient entry to [-limit, limit] (element-wise; changes the direction)."""
    limit = check_positive_float("limit", limit)
    check_params(grads, "grads")
    return grads.map(lambda g: np.clip(g, -limit, limit))


__all__ = [
    "gd", "momentum_update", "adagrad_update", "adam_update",
    "Optimizer", "GD", "Momentum", "Adagrad", "Adam", "OPTIMIZERS", "make_optimizer",
    "clip_by_norm", "clip_by_value",
]
