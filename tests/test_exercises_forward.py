"""The forward-pass chapter's exercise answers (rnnlib/exercises/forward.py), derived independently:
scalar arithmetic with math, softmax as 1 / Σ_j e^(o_j − o_k), finite differences, an explicit loop."""
from __future__ import annotations

import math

import numpy as np
import pytest

from rnnlib.exercises import check, expected
from rnnlib.exercises import forward as ex


def test_forward_1_a2_by_scalar_arithmetic():
    (w11, w12), (w21, w22) = ex.EX1_PARAMS["W"]
    (u11, u12), (u21, u22) = ex.EX1_PARAMS["U"]
    b1, b2 = ex.EX1_PARAMS["b"]
    (x11, x21), (x12, x22) = ex.EX1_XS                       # rows are x_1, x_2
    a11 = math.tanh(u11 * x11 + u12 * x21 + b1)              # a_0 = 0
    a21 = math.tanh(u21 * x11 + u22 * x21 + b2)
    a12 = math.tanh(w11 * a11 + w12 * a21 + u11 * x12 + u12 * x22 + b1)
    a22 = math.tanh(w21 * a11 + w22 * a21 + u21 * x12 + u22 * x22 + b2)
    np.testing.assert_allclose(expected("forward-1"), [a12, a22], rtol=1e-12)
    assert check("forward-1", [a12, a22])
    assert not check("forward-1", [a11, a21])                # a_1 is not a_2


def test_forward_2_loss_by_logsumexp():
    o = ex.EX2_O
    want = math.log(sum(math.exp(v) for v in o)) - o[ex.EX2_TARGET]
    assert expected("forward-2") == pytest.approx(want, rel=1e-12)
    assert check("forward-2", want)
    assert not check("forward-2", math.log(sum(math.exp(v) for v in o)) - o[0])   # wrong class


def test_forward_3_by_differences_and_rejects_nan():
    o = ex.EX3_O
    want = [1 / sum(math.exp(oj - ok) for oj in o) for ok in o]   # e^{o_k} / Σ e^{o_j}, rearranged
    np.testing.assert_allclose(expected("forward-3"), want, rtol=1e-12)
    assert check("forward-3", want)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(ex.EX3_O) / np.exp(ex.EX3_O).sum()     # all nan
    result = check("forward-3", naive)
    assert not result and "max" in result.message


def test_forward_4_sigmoid_by_finite_differences():
    z = np.linspace(-3, 3, 13)
    eps = 1e-6
    sig = lambda x: 1 / (1 + np.exp(-x))                     # noqa: E731
    tanh_ = np.tanh
    d_sig = (sig(z + eps) - sig(z - eps)) / (2 * eps)
    d_tanh = (tanh_(z + eps) - tanh_(z - eps)) / (2 * eps)
    np.testing.assert_allclose(d_sig, sig(z) * (1 - sig(z)), atol=1e-8)
    assert not np.allclose(d_tanh, tanh_(z) * (1 - tanh_(z)), atol=1e-3)
    assert expected("forward-4") == "sigmoid"
    assert check("forward-4", " Sigmoid ")
    for wrong in ("tanh", "relu", "identity", 0.25):
        assert not check("forward-4", wrong)


def test_forward_5_hoisted_term_by_explicit_loop():
    from rnnlib import init_params
    from rnnlib.text import Vocab, make_batch

    vocab = Vocab(ex.EX5_WORDS)
    xs, _, _ = make_batch(vocab, ex.EX5_WORDS)
    p = init_params(len(vocab), ex.EX5_N1, len(vocab), seed=ex.EX5_SEED)
    T, B, _ = xs.shape
    want = np.empty((T, B, ex.EX5_N1))
    for t in range(T):
        for j in range(B):
            want[t, j] = p.U @ xs[t, j] + p.b
    np.testing.assert_allclose(expected("forward-5"), want, rtol=1e-12, atol=1e-15)
    assert check("forward-5", want)
    res = check("forward-5", want[:, 0])                      # one word only: wrong shape
    assert not res and "shape" in res.message
