"""The notation chapter's exercises (rnnlib/exercises/notation.py): each expected answer agrees with a
derivation that does not use the mapping it checks, and the checks reject the chapter's traps."""
from __future__ import annotations

import numpy as np
import rnnlib
from rnnlib.exercises import check, expected


def _model():
    p0 = rnnlib.init_params(2, 3, 2, seed=1)
    rng = np.random.default_rng(2)
    return rnnlib.Params(W=p0.W, U=p0.U, b=0.1 * rng.standard_normal(3), V=p0.V, c=0.1 * rng.standard_normal(2))


def test_notation_1_is_the_recurrent_matrix():
    p = _model()
    assert check("notation-1", p.W)
    assert not check("notation-1", p.U)                   # W_x, the input matrix
    assert not check("notation-1", p.W.T)


def test_notation_2_accepts_field_names_and_rejects_the_letter_trap():
    for ok in ("U", " U ", "params.U", "p.U"):
        assert check("notation-2", ok), ok
    for wrong in ("V", "W", "u", "Ux", 1, None):
        assert not check("notation-2", wrong), wrong


def test_notation_3_shape_is_loss_axis_then_theta():
    n, N1, N2 = 2, 3, 2
    assert expected("notation-3") == (N2, N1, n)
    assert check("notation-3", [2, 3, 2]) and check("notation-3", np.array([2, 3, 2]))
    for wrong in ((3, 2), (1, 3, 2), (2, 3, 2, 1), "(2, 3, 2)", 5, (2.5, 3, 2)):
        assert not check("notation-3", wrong), wrong


def test_notation_4_counts_every_parameter():
    n, d, k = 27, 50, 27
    assert expected("notation-4") == sum(x.size for x in rnnlib.init_params(n, d, k))
    assert not check("notation-4", d * n + d * d + k * d)       # the biases forgotten


def test_notation_5_is_the_logits_not_the_probabilities():
    p = _model()
    xs = np.random.default_rng(3).standard_normal((4, 2))
    a = np.zeros(3)
    logits = []
    for x in xs:                                          # 001 §2 written out independently
        a = np.tanh(p.U @ x + p.W @ a + p.b)
        logits.append(p.V @ a + p.c)
    logits = np.array(logits)
    np.testing.assert_allclose(expected("notation-5"), logits, rtol=1e-12, atol=1e-12)
    assert check("notation-5", logits)
    assert not check("notation-5", rnnlib.softmax(logits))
    assert not check("notation-5", logits[:1])
    assert not check("notation-5", logits + 1e-3)
