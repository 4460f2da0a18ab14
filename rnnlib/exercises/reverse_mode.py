"""Exercises of the chapter "Reverse-mode BPTT and sums over paths" (book/reverse_mode.ipynb; 001 §3, 003).

Every expected answer is computed with rnnlib from the same seeded data the exercise text builds;
nothing here is a typed-in result.
"""
from __future__ import annotations

import numpy as np

from ..bptt import bptt
from ..forward import forward
from ..gradcheck import rel_error
from ..params import Params, init_params
from ..sources import khurana, outline001
from . import register

# reverse-1: the chapter's 3-3-3 model and one sequence of 6 steps (prefixes give T = 1..6).
EX1_SEED, EX1_TMAX = 7, 6

# reverse-2: a 2-2-2 network given by its numbers (the exercise text shows them).
EX2_PARAMS = dict(W=[[0.5, -0.3], [0.8, 0.2]], U=[[1.0, -0.5], [0.3, 0.9]], b=[0.1, -0.2],
                  V=[[1.2, -0.7], [-0.4, 0.6]], c=[0.0, 0.1])
EX2_XS = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]      # x_1, x_2, x_3: (T, n) = (3, 2)
EX2_YS = [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]      # one-hot targets (T, N2)

# reverse-3: Khurana's paths for ∂L_t/∂W at t = 5 on the chapter's model.
EX3_T = 5

# reverse-4: W = ρQ with Q orthogonal, identity activation, T = 20; the ratio 10 steps back.
EX4_RHO, EX4_T, EX4_BACK, EX4_SEED = 0.9, 20, 10, 3


def ex1_model(T: int, seed: int = EX1_SEED):
    """The seeded 3-3-3 model and the first T steps of its 6-step sequence (tanh, softmax)."""
    rng = np.random.default_rng(seed)
    p = Params(W=0.8 * rng.standard_normal((3, 3)), U=0.8 * rng.standard_normal((3, 3)),
               b=0.3 * rng.standard_normal(3), V=0.8 * rng.standard_normal((3, 3)),
               c=0.3 * rng.standard_normal(3))
    xs = rng.standard_normal((EX1_TMAX, 3))
    ys = np.eye(3)[rng.integers(0, 3, size=EX1_TMAX)]
    return p, xs[:T], ys[:T]


@register("reverse-1", hint="Run rnnlib.sources.outline001.backward_as_written for T = 1, 2, … and compare "
                            "its ∂L/∂W_h with rnnlib.bptt's ∂L/∂W; the answer is an integer. Remember h_0 = 0.")
def _():
    for T in range(1, EX1_TMAX + 1):
        p, xs, ys = ex1_model(T)
        written = outline001.backward_as_written(p, xs, ys, "tanh").grads.W_h
        if rel_error(written, bptt(p, xs, ys, "tanh")[1].W) > 1e-8:
            return T
    raise RuntimeError("001's recursion did not fail for W_h up to T = 6")  # pragma: no cover


@register("reverse-2", hint="∂L/∂h_3 = W_yᵀ(ŷ_3 − y_3); then ∂L/∂h_2 = W_yᵀ(ŷ_2 − y_2) + "
                            "W_hᵀ (f'(z_3) ⊙ ∂L/∂h_3) with f'(z) = 1 − h², h = tanh(z). Shape (2,).")
def _():
    p = Params(**EX2_PARAMS)
    out = outline001.backward_as_written(p, np.array(EX2_XS), np.array(EX2_YS), "tanh", fix_recursion=True)
    return out.dL_dh[-2]                                    # ∂L/∂h_{T−1}, T = 3


@register("reverse-3", hint="One path per time step k = t, t−1, …, 1 through which W enters s_t; "
                            "len(rnnlib.sources.khurana.path_terms(p, xs, ys, t=5)) counts them.")
def _():
    p, xs, ys = ex1_model(EX1_TMAX)
    return len(khurana.path_terms(p, xs, ys, EX3_T, "W"))


def ex4_model(rho: float = EX4_RHO, T: int = EX4_T, seed: int = EX4_SEED):
    """W = ρQ (Q orthogonal from a seeded QR), U, b, V, c from init_params(3, 6, 3, seed); T steps."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    base = init_params(3, 6, 3, seed=seed)
    p = Params(W=rho * Q, U=base.U, b=base.b, V=base.V, c=base.c)
    xs = rng.standard_normal((T, 3))
    ys = np.eye(3)[rng.integers(0, 3, size=T)]
    return p, xs, ys


@register("reverse-4", hint="With the identity activation ∂s_j/∂s_{j−1} = W = ρQ, and a row vector times an "
                            "orthogonal Q keeps its length. Or compute both norms with "
                            "khurana.jacobian_product(..., order='left-to-right', v=khurana.dL_ds(...)).")
def _():
    p, xs, ys = ex4_model()
    tr = forward(p, xs, "identity")
    g_T = khurana.dL_ds(p, tr, ys, EX4_T)                              # ∂L_T/∂s_T (d,)
    g_k, _ = khurana.jacobian_product(p, tr, EX4_T - EX4_BACK, EX4_T, "left-to-right", v=g_T)
    return float(np.linalg.norm(g_k) / np.linalg.norm(g_T))
