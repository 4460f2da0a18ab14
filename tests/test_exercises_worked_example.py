"""The expected answers of chapter "The 2-3-2 worked example" (rnnlib/exercises/worked_example.py),
each derived a second, independent way: from the forward trace, from the model's sizes, from finite
differences of a single L_t (mask), or from reverse-mode BPTT."""
from __future__ import annotations

import numpy as np

import rnnlib
from rnnlib.exercises import check, expected
from rnnlib.exercises.worked_example import example


def test_example_is_the_rounded_seeded_model():
    p, xs, ys = example()
    p0 = rnnlib.init_params(2, 3, 2, seed=2)
    for name in ("W", "U", "V"):
        got = getattr(p, name)
        np.testing.assert_array_equal(got, np.round(getattr(p0, name), 1))
        np.testing.assert_allclose(got * 10, np.round(got * 10))     # one decimal: hand arithmetic
    assert (p.n_in, p.n_hidden, p.n_out) == (2, 3, 2) and xs.shape == ys.shape == (3, 2)
    np.testing.assert_array_equal(ys.sum(axis=1), 1.0)               # one-hot targets


def test_worked_1_is_diag_of_the_output_error():
    p, xs, ys = example()
    y_hat = rnnlib.forward(p, xs).y_hat
    np.testing.assert_allclose(expected("worked-1"), np.diag(y_hat[0] - ys[0]))
    assert not check("worked-1", y_hat[0] - ys[0])                   # the vector, without its loss axis


def test_worked_2_is_loss_axis_then_the_shape_of_U():
    p, _, _ = example()
    assert tuple(expected("worked-2")) == (p.n_out,) + p.U.shape
    assert check("worked-2", (2, 3, 2)) and not check("worked-2", (3, 2))


def test_worked_3_and_4_match_finite_differences_of_one_step():
    p, xs, ys = example()
    for t, id in ((2, "worked-3"), (3, "worked-4")):
        fd = rnnlib.numerical_gradient(p, xs, ys, mask=np.eye(3)[t - 1])[1].b
        np.testing.assert_allclose(expected(id), fd, atol=1e-7)


def test_worked_4_is_not_the_sources_value():
    from rnnlib.sources import ramkumar
    p, xs, ys = example()
    as_written = ramkumar.bptt_as_written(p, xs, ys, fix_eq316=True).steps[2]["dL_db"].sum(axis=0)
    assert rnnlib.rel_error(as_written, expected("worked-4")) > 0.1
    assert not check("worked-4", as_written)


def test_worked_5_is_the_transposed_gradient():
    p, xs, ys = example()
    dW = rnnlib.bptt(p, xs, ys)[1].W
    np.testing.assert_allclose(expected("worked-5"), dW.T, atol=1e-12)
    assert not check("worked-5", dW)
