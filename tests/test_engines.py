"""The gradient engines agree: reverse-mode bptt, Ramkumar's carried tensors (tensor_bptt and its
einsum twin), Whitehill's q/r recursion, and central finite differences."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import rnnlib
from rnnlib import Params, bptt, numerical_gradient, rel_error
from rnnlib.params import NAMES
from rnnlib.qr import qr_bptt
from rnnlib.tensor_bptt import carried_tensors, tensor_bptt, tensor_bptt_einsum
from strategies import Problem, problems, random_params, seeds

ENGINES = {"bptt": bptt, "tensor_bptt": tensor_bptt, "tensor_bptt_einsum": tensor_bptt_einsum,
           "qr_bptt": qr_bptt}
SIZES = dict(n=st.integers(1, 4), N1=st.integers(1, 4), N2=st.integers(1, 4))


@st.composite
def engine_problems(draw, T=st.integers(1, 20), B=st.one_of(st.none(), st.integers(1, 3)), **kwargs):
    """strategies.problems (n, N1, N2 in 1..4), plus for softmax random distributions as targets."""
    prob = draw(problems(T=T, B=B, **{**SIZES, **kwargs}))
    if prob.output == "softmax" and draw(st.booleans()):
        rng = np.random.default_rng(draw(seeds))
        p = rng.random(prob.ys.shape) + 0.05
        prob = replace(prob, ys=p / p.sum(axis=-1, keepdims=True))
    return prob


def run_engine(engine, prob: Problem, params=None):
    args = prob.args if params is None else (params,) + prob.args[1:]
    return engine(*args, a0=prob.a0)


def max_rel_error(g1: Params, g2: Params) -> dict:
    return {name: rel_error(getattr(g1, name), getattr(g2, name)) for name in NAMES}


# ---------------------------------------------------------------------------------------------
# engines against each other
# ---------------------------------------------------------------------------------------------
@settings(max_examples=300)
@given(engine_problems())
def test_engines_agree(prob):
    loss0, g0 = run_engine(bptt, prob)
    for name, engine in ENGINES.items():
        loss, g = run_engine(engine, prob)
        assert isinstance(loss, float)
        assert loss == pytest.approx(loss0, rel=1e-13, abs=1e-15), name   # the same forward pass
        for field in NAMES:
            assert getattr(g, field).shape == getattr(prob.params, field).shape
            assert getattr(g, field).dtype == np.float64
        errors = max_rel_error(g, g0)
        assert max(errors.values()) <= 1e-10, (name, errors)


@settings(max_examples=60)
@given(engine_problems(T=st.integers(1, 6), B=st.one_of(st.none(), st.integers(1, 2)),
                       n=st.integers(1, 3), N1=st.integers(1, 3), N2=st.integers(1, 3)))
def test_engines_match_finite_differences(prob):
    assume(prob.kink_free(1e-4))                       # relu: no z_t within 1e-4 of the kink
    loss_fd, g_fd = run_engine(numerical_gradient, prob)
    # central differences with ε = 1e-6 carry a rounding error of about ε_mach·|L|/ε ≈ 2e-10·|L|,
    # so a parameter whose whole gradient is tiny is compared absolutely, at 1e-9·max(1, |L|)
    floor = 1e-9 * max(1.0, abs(loss_fd))
    for name, engine in ENGINES.items():
        loss, g = run_engine(engine, prob)
        assert loss == pytest.approx(loss_fd, rel=1e-13, abs=1e-15)
        for field in NAMES:
            a, b = getattr(g, field), getattr(g_fd, field)
            assert rel_error(a, b) <= 1e-7 or np.max(np.abs(a - b)) <= floor, (name, field, a, b)


@settings(max_examples=100)
@given(engine_problems(T=st.integers(1, 10)))
def test_float32_engines(prob):
    p32 = prob.params.astype(np.float32)
    loss64, g64 = run_engine(bptt, prob)
    for name, engine in ENGINES.items():
        loss, g = run_engine(engine, prob, params=p32)
        assert isinstance(loss, float)
        assert loss == pytest.approx(loss64, rel=1e-4, abs=1e-5)
        for field in NAMES:
            assert getattr(g, field).dtype == np.float32, (name, field)
        errors = max_rel_error(g, g64)
        assert max(errors.values()) <= 1e-3, (name, errors)


@st.composite
def padded_batches(draw):
    """A batch of sequences of different lengths (prefix mask), with junk after each one's end."""
    prob = draw(engine_problems(T=st.integers(1, 12), B=st.integers(1, 3), mask=st.just("lengths")))
    rng = np.random.default_rng(draw(seeds))
    pad = prob.mask == 0                               # (T, B)
    xs, ys = prob.xs.copy(), prob.ys.copy()
    xs[pad] = 10 * rng.standard_normal(xs[pad].shape)  # junk inputs
    ys[pad] = rng.standard_normal(ys[pad].shape)       # junk targets, not even distributions
    return replace(prob, xs=xs, ys=ys)


@settings(max_examples=80)
@given(padded_batches())
def test_padding_contributes_nothing(prob):
    """Masked batch == mean over sequences of each sequence cut to its length (L is a batch mean)."""
    B = prob.B
    for name, engine in ENGINES.items():
        loss, g = run_engine(engine, prob)
        want_loss, want = 0.0, prob.params.zeros_like()
        for b, length in enumerate(prob.lengths):
            a0 = None if prob.a0 is None else prob.a0[b]
            lb, gb = engine(prob.params, prob.xs[:length, b], prob.ys[:length, b],
                            prob.activation, prob.output, a0=a0)
            want_loss += lb / B
            want = want.map(lambda acc, x: acc + x / B, gb)
        assert loss == pytest.approx(want_loss, rel=1e-12, abs=1e-14), name
        errors = max_rel_error(g, want)
        assert max(errors.values()) <= 1e-10, (name, errors)


# ---------------------------------------------------------------------------------------------
# the carried tensors ∂a_t/∂θ themselves
# ---------------------------------------------------------------------------------------------
def jacobian_fd(params: Params, xs, field: str, activation: str, a0, eps=1e-6) -> np.ndarray:
    """∂a_T/∂θ by central differences: shape (N1,) + θ.shape, index [k, i, j]."""
    theta = getattr(params, field)
    J = np.zeros((params.n_hidden,) + theta.shape)
    for idx in np.ndindex(theta.shape):
        out = []
        for sign in (1, -1):
            moved = theta.copy()
            moved[idx] += sign * eps
            p = Params(**{**dict(params.items()), field: moved})
            out.append(rnnlib.forward(p, xs, activation, a0=a0).a[-1])
        J[(slice(None),) + idx] = (out[0] - out[1]) / (2 * eps)
    return J


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("use_a0", [False, True])
def test_carried_tensors_are_jacobians(activation, use_a0):
    rng = np.random.default_rng(7)
    n, N1, N2, T = 2, 3, 2, 5
    params = random_params(rng, n, N1, N2)
    xs = rng.normal(size=(T, n))
    a0 = rng.normal(size=N1) if use_a0 else None
    steps = carried_tensors(params, xs, activation, a0=a0)
    assert len(steps) == T
    last = steps[-1]
    assert last["dadW"].shape == (N1, N1, N1)
    assert last["dadU"].shape == (N1, N1, n)
    assert last["dadb"].shape == (N1, N1)
    for key, field in (("dadW", "W"), ("dadU", "U"), ("dadb", "b")):
        fd = jacobian_fd(params, xs, field, activation, a0)
        assert rel_error(last[key], fd) <= 1e-8, key
    # the document's eq. 3.11, ∂a_t/∂b = diag(h'(z_t)), is what the correction fixes: it is wrong for T > 1
    trace = rnnlib.forward(params, xs, activation, a0=a0)
    assert rel_error(np.diag(trace.h_prime[-1]), jacobian_fd(params, xs, "b", activation, a0)) > 1e-3


def test_carried_tensors_first_step_closed_form():
    """At t = 1, ∂a_1/∂W_{ij} = h'(z_1)_k δ_ki a_{0,j} (and x_{1,j} for U, δ_ki for b)."""
    rng = np.random.default_rng(3)
    params = random_params(rng, 2, 3, 2)
    xs, a0 = rng.normal(size=(4, 2)), rng.normal(size=3)
    first = carried_tensors(params, xs, "tanh", a0=a0)[0]
    hp = 1 - np.tanh(xs[0] @ params.U.T + params.b + params.W @ a0) ** 2
    I = np.eye(3)
    np.testing.assert_allclose(first["dadW"], hp[:, None, None] * I[:, :, None] * a0[None, None, :],
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(first["dadU"], hp[:, None, None] * I[:, :, None] * xs[0][None, None, :],
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(first["dadb"], np.diag(hp), rtol=1e-14, atol=1e-15)


def test_carried_tensors_give_the_gradient():
    """The document's way, with its loss axis: ∂L_t/∂W = δ_t^(2) V ∂a_t/∂W, δ_t^(2) = diag(ŷ_t - y_t),
    an N2 × N1 × N1 tensor summed over k in PARAMETER_UPDATE, equals bptt's dW (000 BPTT)."""
    rng = np.random.default_rng(5)
    N1, N2 = 4, 3
    params = random_params(rng, 2, N1, N2)
    xs, ys = rng.normal(size=(6, 2)), np.eye(N2)[rng.integers(0, N2, 6)]
    trace = rnnlib.forward(params, xs, "tanh", "softmax")
    dLdW = [np.diag(trace.y_hat[t] - ys[t]) @ params.V @ step["dadW"].reshape(N1, N1 * N1)
            for t, step in enumerate(carried_tensors(params, xs, "tanh"))]      # each (N2, N1·N1)
    dW = sum(d.reshape(N2, N1, N1).sum(axis=0) for d in dLdW)                    # Σ_t Σ_k
    assert rel_error(dW, bptt(params, xs, ys, "tanh", "softmax")[1].W) <= 1e-12


# ---------------------------------------------------------------------------------------------
# bad input is reported by argument name
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", [tensor_bptt, tensor_bptt_einsum, qr_bptt])
def test_bad_input_names_the_argument(engine):
    params = rnnlib.init_params(2, 3, 2)
    xs, ys = np.zeros((4, 2)), np.eye(2)[[0, 1, 0, 1]]
    with pytest.raises(ValueError, match="xs"):
        engine(params, np.zeros((4, 5)), ys)
    with pytest.raises(ValueError, match="ys"):
        engine(params, xs, ys[:3])
    with pytest.raises(ValueError, match="mask"):
        engine(params, xs, ys, mask=np.ones(3))
    with pytest.raises(ValueError, match="activation"):
        engine(params, xs, ys, "softplus")
    with pytest.raises(ValueError, match="a0"):
        engine(params, xs, ys, a0=np.zeros(4))
    with pytest.raises(TypeError, match="params"):
        engine({"W": 1}, xs, ys)


def test_carried_tensors_rejects_a_batch():
    params = rnnlib.init_params(2, 3, 2)
    with pytest.raises(ValueError, match="xs"):
        carried_tensors(params, np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="activation"):
        carried_tensors(params, np.zeros((4, 2)), "softplus")
