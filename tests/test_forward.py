"""Tests for the forward pass, its Trace, activations, losses and init_params (chapter "Forward pass").

The reference is a per-step loop over column vectors written here from the
equations (000 FORWARD PROPAGATION, 002 eqs. 2.2-2.7), sharing no code with rnnlib:

    z_t = W a_{t-1} + U x_t + b,   a_t = h(z_t),   o_t = V a_t + c,   ŷ_t = g(o_t)
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import rnnlib
from rnnlib import Params, forward, init_params
from strategies import ACTIVATIONS, OUTPUTS, problems, random_inputs, random_params


# --- the independent reference ----------------------------------------------------------------
def ref_h(z, activation):
    if activation == "tanh":
        return np.tanh(z)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if activation == "relu":
        return np.where(z > 0, z, 0.0)
    return z


def ref_h_prime(z, activation):
    """Derivatives written from z (rnnlib writes them from a = h(z))."""
    if activation == "tanh":
        return 1.0 / np.cosh(z) ** 2
    if activation == "sigmoid":
        return np.exp(-z) / (1.0 + np.exp(-z)) ** 2
    if activation == "relu":
        return np.where(z > 0, 1.0, 0.0)
    return np.ones_like(z)


def ref_g(o, output):
    if output == "softmax":
        e = np.exp(o - o.max())
        return e / e.sum()
    return o


def ref_step_loss(o, y, output):
    if output == "softmax":
        return float(-(y * (o - np.logaddexp.reduce(o))).sum())  # -yᵀ log ŷ, log ŷ = o - log Σ e^o
    return float(0.5 * ((o - y) ** 2).sum())                     # ½‖o - y‖²


def ref_forward_single(params: Params, xs, activation, output, a0=None):
    """One sequence (T, n), column vectors, one step at a time."""
    W, U, b, V, c = (np.asarray(p, np.float64) for p in params)
    N1 = W.shape[0]
    a = np.zeros((N1, 1)) if a0 is None else np.asarray(a0, np.float64).reshape(N1, 1)
    out = {"a_prev": [], "z": [], "a": [], "o": [], "y_hat": []}
    for x in np.asarray(xs, np.float64):
        out["a_prev"].append(a[:, 0])
        z = W @ a + U @ x.reshape(-1, 1) + b.reshape(-1, 1)     # (N1, 1)
        a = ref_h(z, activation)                                 # (N1, 1)
        o = V @ a + c.reshape(-1, 1)                             # (N2, 1)
        out["z"].append(z[:, 0])
        out["a"].append(a[:, 0])
        out["o"].append(o[:, 0])
        out["y_hat"].append(ref_g(o[:, 0], output))
    return {k: np.array(v) for k, v in out.items()}


def ref_forward(params, xs, activation, output, a0=None):
    """Single (T, n) or batch (T, B, n): the batch is B independent single loops."""
    xs = np.asarray(xs)
    if xs.ndim == 2:
        return ref_forward_single(params, xs, activation, output, a0)
    B, N1 = xs.shape[1], params.n_hidden
    a0s = np.zeros((B, N1)) if a0 is None else np.broadcast_to(a0, (B, N1))
    runs = [ref_forward_single(params, xs[:, i], activation, output, a0s[i]) for i in range(B)]
    return {k: np.stack([r[k] for r in runs], axis=1) for k in runs[0]}


def ref_loss(params, xs, ys, activation, output, mask=None, a0=None):
    """Σ_t m_t L_t, averaged over the batch."""
    xs, ys = np.asarray(xs), np.asarray(ys)
    if xs.ndim == 2:
        xs, ys = xs[:, None], ys[:, None]
        mask = None if mask is None else np.asarray(mask)[:, None]
        a0 = None if a0 is None else np.asarray(a0)[None]
    T, B = xs.shape[:2]
    total = 0.0
    for i in range(B):
        r = ref_forward_single(params, xs[:, i], activation, output, None if a0 is None else a0[i])
        for t in range(T):
            if mask is None or mask[t, i]:
                total += ref_step_loss(r["o"][t], ys[t, i], output)
    return total / B


combos = pytest.mark.parametrize("activation,output", [(h, g) for h in ACTIVATIONS for g in OUTPUTS])


# --- forward == the column-vector loop -----------------------------------------------------------
@combos
@settings(max_examples=15)
@given(data=st.data())
def test_trace_matches_column_vector_loop(activation, output, data):
    p = data.draw(problems(activation=activation, output=output))
    tr = forward(p.params, p.xs, p.activation, p.output, a0=p.a0)
    ref = ref_forward(p.params, p.xs, activation, output, p.a0)
    for name in ("z", "a", "o", "y_hat", "a_prev"):
        assert getattr(tr, name).shape == ref[name].shape, name
        assert_allclose(getattr(tr, name), ref[name], rtol=1e-10, atol=1e-12, err_msg=name)
    assert_allclose(tr.h_prime, ref_h_prime(ref["z"], activation), rtol=1e-9, atol=1e-12)
    assert_array_equal(tr.xs, p.xs)
    assert tr.T == p.T and tr.activation == activation and tr.output == output


@combos
@settings(max_examples=10)
@given(data=st.data())
def test_loss_matches_reference(activation, output, data):
    """rnnlib.loss (what numerical_gradient differentiates) and Trace.losses against the loop."""
    p = data.draw(problems(activation=activation, output=output))
    assert_allclose(rnnlib.loss(*p.args, a0=p.a0),
                    ref_loss(p.params, p.xs, p.ys, activation, output, p.mask, p.a0), rtol=1e-10, atol=1e-12)
    tr = forward(p.params, p.xs, activation, output, a0=p.a0)
    o = ref_forward(p.params, p.xs, activation, output, p.a0)["o"]
    L = np.array([ref_step_loss(ot, yt, output) for ot, yt in zip(o.reshape(-1, o.shape[-1]),
                                                                   p.ys.reshape(-1, p.ys.shape[-1]))])
    L = L.reshape(o.shape[:-1])                                  # (T,) or (T, B)
    assert_allclose(tr.losses(p.ys), L, rtol=1e-10, atol=1e-12)
    if p.mask is not None:
        assert_allclose(tr.losses(p.ys, p.mask), L * p.mask, rtol=1e-10, atol=1e-12)
        assert np.all(tr.losses(p.ys, p.mask)[p.mask == 0] == 0)


@settings(max_examples=20)
@given(problems(B=st.integers(1, 4), a0=True, mask=None))
def test_batch_equals_stacked_singles(p):
    tr = forward(p.params, p.xs, p.activation, p.output, a0=p.a0)
    for i in range(p.B):
        one = forward(p.params, p.xs[:, i], p.activation, p.output, a0=p.a0[i])
        for name in ("z", "a", "o", "y_hat", "a_prev"):
            assert_allclose(getattr(tr, name)[:, i], getattr(one, name), rtol=1e-12, atol=1e-14)
        assert_allclose(tr.a0[i], one.a0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a0_is_used(rng, activation):
    p = random_params(rng, 2, 3, 2)
    xs = random_inputs(rng, 4, None, 2)
    a0 = np.array([0.5, -1.0, 2.0])
    tr0, tr = forward(p, xs, activation), forward(p, xs, activation, a0=a0)
    assert_array_equal(tr0.a0, np.zeros(3))
    assert_array_equal(tr.a0, a0)
    assert_allclose(tr.z[0], p.W @ a0 + p.U @ xs[0] + p.b)      # z_1 = W a_0 + U x_1 + b
    assert not np.allclose(tr.z[0], tr0.z[0])
    # in a batch, a0 (N1,) is shared by every sequence; (B, N1) gives one per sequence
    xb = random_inputs(rng, 4, 3, 2)
    shared = forward(p, xb, activation, a0=a0)
    tiled = forward(p, xb, activation, a0=np.tile(a0, (3, 1)))
    assert_allclose(shared.a, tiled.a)
    per_seq = np.stack([a0, -a0, 2 * a0])
    assert_allclose(forward(p, xb, activation, a0=per_seq).a[:, 1], forward(p, xb[:, 1], activation, a0=-a0).a)


# --- softmax -------------------------------------------------------------------------------------
@settings(max_examples=20)
@given(problems(output="softmax", scale=st.floats(0.1, 5.0)))
def test_softmax_rows_are_distributions(p):
    y_hat = forward(p.params, p.xs, p.activation, "softmax", a0=p.a0).y_hat
    assert np.all(y_hat >= 0)
    assert_allclose(y_hat.sum(axis=-1), 1.0, rtol=1e-12)


def test_softmax_stable_for_huge_logits():
    o = np.array([1e4, -1e4, 0.0])
    assert_allclose(rnnlib.softmax(o), [1.0, 0.0, 0.0])
    assert_allclose(rnnlib.log_softmax(o), [0.0, -2e4, -1e4])     # o - logsumexp(o), logsumexp = 1e4
    # Build o_t = (1e4, -1e4, 0) exactly: a = identity(U x) = 1, V = (1e4, -1e4, 0)ᵀ.
    p = Params(W=[[0.0]], U=[[1.0]], b=[0.0], V=[[1e4], [-1e4], [0.0]], c=[0.0, 0.0, 0.0])
    xs = np.ones((2, 1))
    ys = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])              # confidently wrong, then right
    tr = forward(p, xs, "identity", "softmax")
    assert_allclose(tr.o, [o, o])
    L = tr.losses(ys)
    assert np.all(np.isfinite(L))
    assert_allclose(L, [2e4, 0.0], atol=1e-9)                      # -log ŷ_1 = logsumexp(o) - o_1 = 2e4
    assert_allclose(rnnlib.loss(p, xs, ys, "identity", "softmax"), 2e4)
    loss, grads = rnnlib.bptt(p, xs, ys, "identity", "softmax")
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads)
    assert_allclose(grads.c, [1.0, -1.0, 0.0], atol=1e-12)          # Σ_t ŷ_t - y_t
    # the sign flipped: logits -1e4 everywhere but one
    assert np.all(np.isfinite(rnnlib.softmax(-o))) and np.all(np.isfinite(rnnlib.log_softmax(-o)))


# --- activations ---------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_h_prime_is_the_derivative_of_h(rng, activation):
    z = rng.uniform(-3, 3, size=(50,))
    z = z[np.abs(z) > 1e-3]                                         # away from relu's kink
    eps = 1e-6
    numeric = (rnnlib.h(z + eps, activation) - rnnlib.h(z - eps, activation)) / (2 * eps)
    assert_allclose(rnnlib.h_prime(z, rnnlib.h(z, activation), activation), numeric, rtol=1e-7, atol=1e-9)
    assert_allclose(rnnlib.h(z, activation), ref_h(z, activation), rtol=1e-14)


def test_sigmoid_has_no_overflow():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = rnnlib.h(z, "sigmoid")
    assert_allclose(s, [0.0, 1 / (1 + np.exp(50.0)), 0.5, 1 / (1 + np.exp(-50.0)), 1.0], rtol=1e-14)


# --- init_params ---------------------------------------------------------------------------------
def test_init_params_is_seeded():
    a, b, c = init_params(3, 5, 4, seed=7), init_params(3, 5, 4, seed=7), init_params(3, 5, 4, seed=8)
    for x, y, z in zip(a, b, c):
        assert_array_equal(x, y)
    assert not any(np.array_equal(x, z) for x, z in zip((a.W, a.U, a.V), (c.W, c.U, c.V)))


@pytest.mark.parametrize("sizes", [(1, 1, 1), (3, 5, 4), (10, 20, 7)])
def test_init_params_glorot_bounds_and_zero_biases(sizes):
    n, N1, N2 = sizes
    p = init_params(n, N1, N2, seed=3)
    assert (p.W.shape, p.U.shape, p.b.shape, p.V.shape, p.c.shape) == ((N1, N1), (N1, n), (N1,), (N2, N1), (N2,))
    assert (p.n_in, p.n_hidden, p.n_out) == (n, N1, N2)
    for M in (p.W, p.U, p.V):
        fan_out, fan_in = M.shape
        r = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.all(np.abs(M) <= r)
        if M.size >= 50:                                           # uses the range, not a smaller one
            assert np.abs(M).max() > 0.8 * r
    assert_array_equal(p.b, 0.0)
    assert_array_equal(p.c, 0.0)


def test_init_params_glorot_variance():
    W = init_params(200, 200, 1, seed=0).W                         # U(-r, r) has variance r²/3 = 1/N1
    assert abs(W.var() * 200 - 1.0) < 0.02


@pytest.mark.parametrize("dtype", [np.float32, np.float64, "float32"])
def test_init_params_dtype(dtype):
    p = init_params(2, 3, 4, dtype=dtype)
    assert p.dtype == np.dtype(dtype)
    assert all(x.dtype == np.dtype(dtype) for x in p)
    assert init_params(2, 3, 4).dtype == np.float64                 # the default
    assert forward(p, np.ones((3, 2))).a.dtype == np.dtype(dtype)


def test_params_helpers():
    p = init_params(2, 3, 4, seed=1)
    assert_allclose(p.norm(), np.sqrt(sum((x ** 2).sum() for x in p)))
    q = p.map(lambda x, y: x + y, p)
    assert_allclose(q.W, 2 * p.W)
    assert p.copy().W is not p.W and np.array_equal(p.copy().W, p.W)
    assert p.zeros_like().norm() == 0.0
    assert p.astype(np.float32).dtype == np.float32
