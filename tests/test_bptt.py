"""Tests for reverse-mode BPTT, truncation and the gradient-check tools (chapter "Reverse-mode BPTT").

The reference for gradients is ``rnnlib.numerical_gradient`` (central differences
of ``rnnlib.loss``, which tests/test_forward.py checks against an independent
loop). Batches, masks and truncation are checked against their definitions:
the batch loss is the mean of single-sequence losses, a mask cuts each sequence
to its length, and truncated BPTT is untruncated BPTT run chunk by chunk from
the carried (constant) state.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import rnnlib
from rnnlib import Params, bptt, forward, gradcheck, numerical_gradient, rel_error
from rnnlib.params import NAMES
from strategies import ACTIVATIONS, OUTPUTS, problems, random_inputs, random_params, random_targets

combos = pytest.mark.parametrize("activation,output", [(h, g) for h in ACTIVATIONS for g in OUTPUTS])


def assert_params_close(got: Params, want: Params, rtol=1e-10, atol=1e-12):
    for name in NAMES:
        assert_allclose(getattr(got, name), getattr(want, name), rtol=rtol, atol=atol, err_msg=name)


def mean_params(ps):
    return Params(*[np.mean([getattr(p, name) for p in ps], axis=0) for name in NAMES])


def sum_params(ps):
    return Params(*[np.sum([getattr(p, name) for p in ps], axis=0) for name in NAMES])


# --- gradient check against finite differences ------------------------------------------------
EPS = 1e-4  # finite-difference step


def trusted_numerical_gradient(p):
    """numerical_gradient at ε = EPS, or None where finite differences cannot resolve 1e-7.

    Central differences have a truncation error ~ε²·L‴/6 and a round-off error
    ~ulp(L)/ε ≈ 2e-12·|L| at ε = 1e-4. Truncation shows up as disagreement between the
    estimates at ε and 2ε (their difference is 3× the error at ε, so a difference
    ≤ 1e-7 leaves ≤ 3.3e-8); round-off is kept near 1e-9 by asking every parameter's
    largest gradient entry to be ≥ 1e-3·|L|.
    Exact zeros are kept (they are below the resolution; see the test). The engine
    under test plays no part in deciding which examples are skipped.
    """
    loss, grads = numerical_gradient(*p.args, a0=p.a0, eps=EPS)
    _, grads2 = numerical_gradient(*p.args, a0=p.a0, eps=2 * EPS)
    floor = 1e-3 * max(1.0, abs(loss))
    for g, g2 in zip(grads, grads2):
        if np.all(g == 0) and np.all(g2 == 0):
            continue
        if np.max(np.abs(g)) < floor or rel_error(g, g2) > 1e-7:
            return None
    return loss, grads


@combos
@pytest.mark.parametrize("batch", ["single", "masked batch"])
@settings(max_examples=20)
@given(data=st.data())
def test_gradcheck_against_numerical_gradient(activation, output, batch, data):
    if batch == "single":
        p = data.draw(problems(activation=activation, output=output, B=None, mask=None,
                               scale=st.floats(0.3, 1.0)))
    else:
        p = data.draw(problems(activation=activation, output=output, B=st.integers(2, 3),
                               mask=st.sampled_from(["lengths", "random"]), scale=st.floats(0.3, 1.0)))
    assume(p.kink_free(1e-4))       # relu: finite differences must not straddle z = 0 (nearer
    #                                 kinks that ±2ε still crosses fail the ε/2ε agreement below)
    reference = trusted_numerical_gradient(p)
    assume(reference is not None)
    check = gradcheck(bptt, *p.args, a0=p.a0, tol=1e-7, reference=lambda *args, **kwargs: reference)
    if check.ok:
        return
    # Finite differences return exactly 0 for a gradient below their resolution
    # ulp(L)/ε ≈ 2e-12·|L| (W when T = 1 and a_0 = 0, or a saturated softmax):
    # there, only check that the engine's gradient is that small too.
    num_loss, num_grads = reference
    grads = bptt(*p.args, a0=p.a0)[1]
    for name in NAMES:
        if np.all(getattr(num_grads, name) == 0):
            assert np.max(np.abs(getattr(grads, name))) <= 1e-9 * max(1.0, abs(num_loss)), (name, check)
        else:
            assert check.errors[name] <= 1e-7, (name, check)
    assert check.loss_error <= 1e-7, check


@settings(max_examples=10)
@given(problems(B=st.integers(1, 4), mask=st.sampled_from([None, "random"]), a0=True))
def test_batch_is_mean_of_single_sequences(p):
    loss, grads = bptt(*p.args, a0=p.a0)
    singles = [bptt(p.params, p.xs[:, i], p.ys[:, i], p.activation, p.output,
                    None if p.mask is None else p.mask[:, i], a0=p.a0[i]) for i in range(p.B)]
    assert_allclose(loss, np.mean([s[0] for s in singles]), rtol=1e-12)
    assert_params_close(grads, mean_params([s[1] for s in singles]))


@settings(max_examples=15)
@given(problems(B=st.integers(1, 4), mask="lengths", T=st.integers(2, 12)), st.integers(0, 2**32 - 1))
def test_masked_batch_equals_cut_sequences(p, seed):
    # garbage in the padding must not matter
    rng = np.random.default_rng(seed)
    pad = p.mask == 0                                            # (T, B)
    xs = p.xs.copy()
    xs[pad] = 10 * rng.standard_normal((int(pad.sum()), p.params.n_in))
    loss, grads = bptt(p.params, xs, p.ys, p.activation, p.output, p.mask)
    cut = [bptt(p.params, p.xs[:L, i], p.ys[:L, i], p.activation, p.output) for i, L in enumerate(p.lengths)]
    assert_allclose(loss, np.mean([c[0] for c in cut]), rtol=1e-12)
    assert_params_close(grads, mean_params([c[1] for c in cut]))


# --- truncated BPTT -------------------------------------------------------------------------------
def chunked_bptt(p, k):
    """The definition of truncate=k: untruncated BPTT on [0,k), [k,2k), … from the carried state."""
    tr = forward(p.params, p.xs, p.activation, p.output, a0=p.a0)
    losses, grads = [], []
    for s in range(0, p.T, k):
        e = min(s + k, p.T)
        a_start = tr.a0 if s == 0 else tr.a[s - 1]              # a constant, not differentiated
        mask = None if p.mask is None else p.mask[s:e]
        l, g = bptt(p.params, p.xs[s:e], p.ys[s:e], p.activation, p.output, mask, a0=a_start)
        losses.append(l)
        grads.append(g)
    return sum(losses), sum_params(grads)


@settings(max_examples=30)
@given(problems(T=st.integers(1, 20), a0=st.booleans()), st.integers(1, 8))
def test_truncated_bptt_is_chunked_bptt(p, k):
    loss, grads = bptt(*p.args, a0=p.a0, truncate=k)
    want_loss, want_grads = chunked_bptt(p, k)
    assert_allclose(loss, want_loss, rtol=1e-12)
    assert_params_close(grads, want_grads)


@settings(max_examples=15)
@given(problems(T=st.integers(1, 12)), st.integers(0, 5))
def test_truncate_at_least_T_is_untruncated(p, extra):
    loss, grads = bptt(*p.args, a0=p.a0)
    loss_k, grads_k = bptt(*p.args, a0=p.a0, truncate=p.T + extra)
    assert loss_k == loss
    assert_params_close(grads_k, grads, rtol=1e-14, atol=0)


def test_truncation_changes_the_gradient(rng):
    """A guard that the tests above compare different things: truncate=1 drops ∂L_t/∂a_{t-1} paths."""
    params = random_params(rng, 2, 3, 2)
    xs, ys = random_inputs(rng, 6, None, 2), random_targets(rng, "softmax", 6, None, 2)
    _, full = bptt(params, xs, ys)
    _, cut = bptt(params, xs, ys, truncate=1)
    assert rel_error(full.W, cut.W) > 1e-3
    assert_allclose(cut.V, full.V)                               # the output layer is unaffected
    assert_allclose(cut.c, full.c)


@settings(max_examples=20)
@given(problems(T=st.integers(2, 20), a0=st.booleans()), st.integers(1, 7))
def test_return_state_and_chunked_calls_reproduce_the_full_pass(p, k):
    tr = forward(p.params, p.xs, p.activation, p.output, a0=p.a0)
    loss, grads, a_T = bptt(*p.args, a0=p.a0, return_state=True)
    assert_allclose(a_T, tr.a[-1], rtol=1e-14)
    assert a_T.shape == tr.a0.shape                              # (N1,) or (B, N1)
    assert_allclose(loss, bptt(*p.args, a0=p.a0)[0], rtol=1e-14)

    state, losses, chunk_grads = p.a0, [], []
    for s in range(0, p.T, k):
        e = min(s + k, p.T)
        mask = None if p.mask is None else p.mask[s:e]
        assert_allclose(forward(p.params, p.xs[s:e], p.activation, p.output, a0=state).a, tr.a[s:e],
                        rtol=1e-12, atol=1e-14)
        l, g, state = bptt(p.params, p.xs[s:e], p.ys[s:e], p.activation, p.output, mask,
                           a0=state, return_state=True)
        losses.append(l)
        chunk_grads.append(g)
    assert_allclose(state, tr.a[-1], rtol=1e-12, atol=1e-14)
    assert_allclose(sum(losses), loss, rtol=1e-12)
    _, grads_k = bptt(*p.args, a0=p.a0, truncate=k)
    assert_params_close(sum_params(chunk_grads), grads_k)


# --- dtypes -------------------------------------------------------------------------------------
def flat(grads: Params) -> np.ndarray:
    return np.concatenate([np.ravel(g) for g in grads])


@settings(max_examples=15)
@given(problems(T=st.integers(1, 10), scale=st.floats(0.1, 0.6), n=st.integers(1, 4), N1=st.integers(1, 6)))
def test_float32_grads_are_float32_and_close_to_float64(p):
    """The same values (rounded to float32 once) run in float32 and in float64.

    Compared over the whole gradient vector, with an absolute allowance of 1e-6 per
    step: a gradient can be a sum that cancels (c = Σ_t ŷ_t - y_t, or every gradient
    when the prediction almost equals the target), and float32's round-off is
    relative to the O(1) summands, not to the small result.
    """
    def f32(x):
        return None if x is None else np.asarray(x, np.float32)

    def f32_in_64(x):
        return None if x is None else f32(x).astype(np.float64)

    p32 = p.params.astype(np.float32)
    loss32, g32 = bptt(p32, f32(p.xs), f32(p.ys), p.activation, p.output, p.mask, a0=f32(p.a0))
    loss64, g64 = bptt(p32.astype(np.float64), f32_in_64(p.xs), f32_in_64(p.ys), p.activation, p.output,
                       p.mask, a0=f32_in_64(p.a0))
    assert isinstance(loss32, float)
    for name in NAMES:
        assert getattr(g32, name).dtype == np.float32, name
        assert getattr(g64, name).dtype == np.float64, name
    g32, g64 = flat(g32), flat(g64)
    assert np.max(np.abs(g32 - g64)) <= 1e-4 * np.max(np.abs(g64)) + 1e-6 * p.T
    assert_allclose(loss32, loss64, rtol=1e-4, atol=1e-6 * p.T)


def test_float64_is_the_default(rng):
    params = rnnlib.init_params(2, 3, 2)
    xs = random_inputs(rng, 4, None, 2, dtype=np.float32)
    ys = random_targets(rng, "softmax", 4, None, 2)
    _, grads = bptt(params, xs, ys)
    assert all(g.dtype == np.float64 for g in grads)


# --- rel_error and gradcheck ----------------------------------------------------------------------
def test_rel_error_edge_cases():
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0            # not NaN
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(np.zeros(3), [0.0, -2.0, 0.0]) == 1.0
    assert rel_error([0.0, 5.0], [0.0, 0.0]) == 1.0
    assert rel_error([1.0, 2.0], [1.0, 2.5]) == pytest.approx(0.5 / 2.5)   # max|a-b| / max(|a|,|b|)
    assert rel_error([3.0], [3.0]) == 0.0
    with pytest.raises(ValueError, match="shape"):
        rel_error(np.zeros(2), np.zeros(3))


def scaled_engine(factor, loss_factor=1.0):
    """A deliberately wrong engine: bptt's gradients (and loss) times a factor."""
    def engine(*args, **kwargs):
        loss, grads = bptt(*args, **kwargs)
        return loss * loss_factor, grads.map(lambda g: g * factor)
    return engine


@pytest.mark.parametrize("activation,output", [("tanh", "softmax"), ("relu", "identity")])
def test_gradcheck_can_fail(rng, activation, output):
    params = random_params(rng, 2, 3, 3)
    xs = random_inputs(rng, 5, 2, 2)
    ys = random_targets(rng, output, 5, 2, 3)
    assert gradcheck(bptt, params, xs, ys, activation, output).ok
    bad = gradcheck(scaled_engine(1.01), params, xs, ys, activation, output)
    assert not bad.ok
    assert bad.max_error == pytest.approx(0.01 / 1.01, rel=1e-3)
    assert "FAILED" in repr(bad)
    bad_loss = gradcheck(scaled_engine(1.0, 1.01), params, xs, ys, activation, output)
    assert bad_loss.max_error < 1e-7 and not bad_loss.ok
    # engines can be checked against each other
    same = gradcheck(bptt, params, xs, ys, activation, output, reference=bptt)
    assert same.ok and same.max_error == 0.0


def test_numerical_gradient_has_the_engine_signature(rng):
    params = random_params(rng, 2, 3, 2)
    xs, ys = random_inputs(rng, 3, 2, 2), random_targets(rng, "identity", 3, 2, 2)
    mask = np.array([[1, 1], [1, 0], [0, 0]])
    loss, grads = numerical_gradient(params, xs, ys, "sigmoid", "identity", mask, a0=np.ones(3))
    assert loss == rnnlib.loss(params, xs, ys, "sigmoid", "identity", mask, a0=np.ones(3))
    assert isinstance(grads, Params)
    assert all(g.shape == q.shape for g, q in zip(grads, params))


def test_gradcheck_repr_bounds_a_passed_check_and_details_a_failed_one():
    from rnnlib import GradCheck
    passed = GradCheck({"W": 3.2e-10, "U": 1e-12, "b": 0.0, "V": 8.1e-10, "c": 2e-11}, 0.0, 1e-7)
    assert repr(passed) == "GradCheck(ok: largest relative error ≤ 1e-09, tolerance 1e-07)"
    assert repr(GradCheck({"W": 0.0}, 0.0, 1e-7)) == "GradCheck(ok: relative errors 0, tolerance 1e-07)"
    failed = GradCheck({"W": 3e-3, "U": 1e-12}, 2e-9, 1e-7)
    assert repr(failed) == "GradCheck(FAILED, tolerance 1e-07; loss: 2.0e-09, W: 3.0e-03, U: 1.0e-12)"
