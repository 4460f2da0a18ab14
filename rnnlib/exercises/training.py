"""Exercises of chapter "Training" (book/training.ipynb; 000/002 §4 PARAMETER_UPDATE, 001 §4, 003).

Each expected answer is computed with rnnlib from the same data the exercise text gives;
nothing here is a typed-in result.
"""
from __future__ import annotations

import numpy as np

from ..optim import adam_update, gd
from ..params import NAMES, Params, init_params
from . import register

# training-1: a mean cross-entropy per character, in nats (natural logarithm).
EX1_NATS = 2.2

# training-2: the chapter's character model: V = 27 characters in and out, H = N1 = 64 hidden units.
EX2_V, EX2_H = 27, 64

# training-3: one gradient-descent step on c (the other parameters do not matter for c).
EX3_C = [0.1, -0.2, 0.3]
EX3_DC = [0.5, -1.0, 0.25]
EX3_LR = 0.1

# training-4: Adam's first step (t = 1, m = v = 0) with the default β1, β2, ε.
EX4_THETA = [0.5, -0.5, 0.0, 2.0]
EX4_G = [0.2, -3.0, 1e-3, 0.0]
EX4_LR = 0.01
EX4_BETA1, EX4_BETA2, EX4_EPS = 0.9, 0.999, 1e-8


def ex3_params_and_grads() -> tuple[Params, Params]:
    """A 1-2-3 model whose c is EX3_C, and gradients whose dc is EX3_DC (all else zero)."""
    z = init_params(1, 2, 3, seed=0).map(np.zeros_like)
    params = Params(W=z.W, U=z.U, b=z.b, V=z.V, c=np.array(EX3_C))
    grads = Params(W=z.W, U=z.U, b=z.b, V=z.V, c=np.array(EX3_DC))
    return params, grads


@register("training-1", hint="1 nat = 1/ln 2 bits, so divide the mean cross-entropy in nats by "
                             "np.log(2) (about 0.693).")
def _bits():
    return EX1_NATS / np.log(2)                                       # nats -> bits


@register("training-2", hint="Count the entries of W (H×H), U (H×V), b (H), V (V×H) and c (V); "
                             "Khurana's d×n + d×d + k×d + d + k with d = H, n = k = V.")
def _n_params():
    p = init_params(EX2_V, EX2_H, EX2_V, seed=0)
    return int(sum(getattr(p, name).size for name in NAMES))


@register("training-3", hint="PARAMETER_UPDATE: c := c − α ∂L/∂c, entry by entry; the answer is a "
                             "vector of shape (3,).")
def _gd_c():
    params, grads = ex3_params_and_grads()
    return gd(params, grads, EX3_LR).c


@register("training-4", hint="At t = 1, m̂ = g and v̂ = g², so the step is α g / (|g| + ε): about α "
                             "times the sign of g, whatever the size of g (and 0 where g = 0).")
def _adam_first_step():
    theta, g = np.array(EX4_THETA), np.array(EX4_G)
    new, _, _ = adam_update(theta, g, np.zeros_like(g), np.zeros_like(g), 1,
                            EX4_LR, EX4_BETA1, EX4_BETA2, EX4_EPS)
    return new
