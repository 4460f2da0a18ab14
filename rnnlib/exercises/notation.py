"""Exercises of the chapter "Notation: one model, five sources" (book/notation.ipynb).

Every expected answer is computed from the mapping functions in :mod:`rnnlib.sources`
(nothing is typed in): the data are the same seeded models the exercise text builds.
"""
from __future__ import annotations

import numpy as np

from ..params import NAMES, Params, init_params
from ..sources import khurana, outline001, ramkumar, whitehill
from . import register, same_shape


def _concordance_params() -> Params:
    """The chapter's 2-3-2 model: init_params(2, 3, 2, seed=1) with biases b, c from seed 2."""
    p = init_params(2, 3, 2, seed=1)
    rng = np.random.default_rng(2)
    return Params(W=p.W, U=p.U, b=0.1 * rng.standard_normal(3), V=p.V, c=0.1 * rng.standard_normal(2))


def _xs() -> np.ndarray:
    """The chapter's input sequence: T = 4 steps of n = 2 features, seed 3."""
    return np.random.default_rng(3).standard_normal((4, 2))


@register("notation-1", hint="001's W_h is the hidden-to-hidden (recurrent) matrix, N1 × N1. "
                             "Use rnnlib.sources.outline001.from_params.")
def _():
    return outline001.from_params(_concordance_params()).W_h


def _field_name(answer, want) -> bool:
    """Accept 'U', 'params.U', 'p.U' (any surrounding spaces) for the field name ``want``."""
    if not isinstance(answer, str):
        return False
    name = answer.strip()
    for prefix in ("params.", "p."):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name == want


@register("notation-2", hint="Whitehill's V multiplies the input x_t; which rnnlib field multiplies x_t? "
                             "Answer with one of 'W', 'U', 'b', 'V', 'c'.", compare=_field_name)
def _():
    p = init_params(2, 3, 1, seed=0)                 # Whitehill: N2 = 1, b = c = 0
    his_V = whitehill.from_params(p).V
    names = [n for n in NAMES if getattr(p, n).shape == his_V.shape and np.array_equal(getattr(p, n), his_V)]
    assert len(names) == 1
    return names[0]


@register("notation-3", hint="002 keeps a leading loss axis of length N^(2) on every ∂L_t/∂θ, "
                             "followed by the shape of θ itself (U is N^(1) × n).", compare=same_shape)
def _():
    p = init_params(2, 3, 2, seed=0)
    xs = np.random.default_rng(0).standard_normal((1, 2))
    ys = np.eye(2)[[0]]
    res = ramkumar.bptt_as_written(p, xs, ys, fix_eq316=True)
    return tuple(res.steps[0]["dL_dU"].shape)


@register("notation-4", hint="Khurana counts d×n + d×d + k×d + d×1 + k×1 (U, W, V, b, c) with d hidden units "
                             "and k classes; here n = k = 27 and d = 50.")
def _():
    return khurana.parameter_count(n=27, d=50, k=27)


@register("notation-5", hint="In 001, y_t = W_y h_t + b_y is the output before g: the logits "
                             "(rnnlib's o_t), not the target and not ŷ_t.")
def _():
    return outline001.forward_001(_concordance_params(), _xs()).y
