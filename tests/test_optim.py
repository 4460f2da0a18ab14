"""Tests for rnnlib.optim: update rules against hand-derived formulas, clipping, argument checks."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rnnlib import Params, init_params
from rnnlib.optim import (Adagrad, Adam, GD, Momentum, Optimizer, clip_by_norm, clip_by_value, gd,
                          make_optimizer)
from rnnlib.params import NAMES


def flat(p: Params) -> np.ndarray:
    return np.concatenate([np.ravel(x) for x in p])


def unflat(v: np.ndarray, like: Params) -> Params:
    out, i = {}, 0
    for name, x in like.items():
        out[name] = v[i:i + x.size].reshape(x.shape)
        i += x.size
    return Params(**out)


@pytest.fixture
def pg():
    p = init_params(3, 4, 2, seed=1)
    rng = np.random.default_rng(2)
    g = p.map(lambda x: rng.normal(size=x.shape))
    return p, g


def test_gd_is_theta_minus_alpha_grad(pg):
    p, g = pg
    new = gd(p, g, 0.3)
    for name in NAMES:                       # θ_ij := θ_ij - α (∂L/∂θ)_ij, entry by entry
        theta, d = getattr(p, name), getattr(g, name)
        for idx in np.ndindex(theta.shape):
            assert getattr(new, name)[idx] == theta[idx] - 0.3 * d[idx]
    assert flat(p).tolist() == flat(init_params(3, 4, 2, seed=1)).tolist()   # input untouched


def test_gd_object_equals_gd_function(pg):
    p, g = pg
    np.testing.assert_array_equal(flat(GD(0.3).step(p, g)), flat(gd(p, g, 0.3)))


def test_momentum_constant_gradient_closed_form(pg):
    # with constant g and v_0 = 0: v_k = -α g (1 + μ + ... + μ^{k-1}), θ_n = θ_0 + Σ_{k≤n} v_k
    p, g = pg
    lr, mu, n = 0.1, 0.8, 5
    opt = make_optimizer("momentum", lr, momentum=mu)
    q = p
    for _ in range(n):
        q = opt.step(q, g)
    factor = sum((1 - mu ** k) / (1 - mu) for k in range(1, n + 1))
    np.testing.assert_allclose(flat(q), flat(p) - lr * factor * flat(g), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(opt.state["W"]["v"], -lr * (1 - mu ** n) / (1 - mu) * g.W, rtol=1e-12)


def test_adagrad_constant_gradient_closed_form(pg):
    # G_t = t g², so step t is α g / (√t |g| + ε)
    p, g = pg
    lr, eps, n = 0.5, 1e-8, 4
    opt = make_optimizer("adagrad", lr, eps=eps)
    q = p
    for _ in range(n):
        q = opt.step(q, g)
    gv = flat(g)
    expect = flat(p) - sum(lr * gv / (np.sqrt(t) * np.abs(gv) + eps) for t in range(1, n + 1))
    np.testing.assert_allclose(flat(q), expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(opt.state["b"]["G"], n * g.b ** 2, rtol=1e-12)


def test_adam_constant_gradient_closed_form(pg):
    # bias correction makes m̂_t = g and v̂_t = g² exactly, so every step is α g / (|g| + ε)
    p, g = pg
    lr, n = 0.01, 3
    opt = make_optimizer("adam", lr)
    q = p
    for _ in range(n):
        q = opt.step(q, g)
    gv = flat(g)
    np.testing.assert_allclose(flat(q), flat(p) - n * lr * gv / (np.abs(gv) + 1e-8), rtol=1e-10, atol=1e-12)


def test_adam_first_steps_varying_gradients(pg):
    p, _ = pg
    rng = np.random.default_rng(5)
    gs = [p.map(lambda x: rng.normal(size=x.shape)) for _ in range(3)]
    lr, b1, b2, eps = 0.05, 0.8, 0.9, 1e-6
    opt = Adam(lr, beta1=b1, beta2=b2, eps=eps)
    q = p
    for g in gs:
        q = opt.step(q, g)
    # independent, on one flat vector, with the moments written as explicit weighted sums
    theta = flat(p)
    G = [flat(g) for g in gs]
    for t in range(1, 4):
        m = sum((1 - b1) * b1 ** (t - 1 - j) * G[j] for j in range(t))
        v = sum((1 - b2) * b2 ** (t - 1 - j) * G[j] ** 2 for j in range(t))
        theta = theta - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    np.testing.assert_allclose(flat(q), theta, rtol=1e-12, atol=1e-12)
    assert opt.t == 3 and set(opt.state) == set(NAMES) and set(opt.state["U"]) == {"m", "v"}


def test_adam_converges_on_convex_quadratic():
    # L(θ) = ½ Σ d_i (θ_i - θ*_i)², minimum at θ*; ∂L/∂θ = d ⊙ (θ - θ*)
    p = init_params(2, 3, 2, seed=0)
    rng = np.random.default_rng(1)
    target = flat(p.map(lambda x: rng.normal(size=x.shape)))
    d = rng.uniform(0.5, 5.0, size=target.size)
    opt = make_optimizer("adam", 0.05)
    q = p
    start = np.linalg.norm(flat(q) - target)
    for _ in range(1500):
        q = opt.step(q, unflat(d * (flat(q) - target), q))
    assert np.linalg.norm(flat(q) - target) < 1e-3 * start


@pytest.mark.parametrize("name", ["gd", "momentum", "adagrad", "adam"])
def test_step_keeps_dtype_and_does_not_mutate(name):
    p = init_params(2, 3, 2, seed=0, dtype=np.float32)
    g = p.map(np.ones_like)
    before = flat(p).copy()
    q = make_optimizer(name, 0.1).step(p, g)
    assert q.dtype == np.float32
    np.testing.assert_array_equal(flat(p), before)
    assert not np.array_equal(flat(q), before)


def test_state_shape_mismatch_and_reset():
    opt = make_optimizer("adam", 0.1)
    p = init_params(2, 3, 2)
    opt.step(p, p.zeros_like())
    p2 = init_params(2, 4, 2)
    with pytest.raises(ValueError, match="reset"):
        opt.step(p2, p2.zeros_like())
    opt.reset()
    opt.step(p2, p2.zeros_like())
    assert opt.t == 1


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 4), N1=st.integers(1, 5), N2=st.integers(1, 4),
       scale=st.floats(1e-3, 1e3), max_norm=st.floats(1e-2, 10.0), seed=st.integers(0, 1000))
def test_clip_by_norm_caps_norm_and_keeps_direction(n, N1, N2, scale, max_norm, seed):
    rng = np.random.default_rng(seed)
    g = init_params(n, N1, N2).map(lambda x: scale * rng.normal(size=x.shape))
    clipped, norm = clip_by_norm(g, max_norm)
    gv, cv = flat(g), flat(clipped)
    assert norm == pytest.approx(np.linalg.norm(gv), rel=1e-12)
    assert np.linalg.norm(cv) <= max_norm * (1 + 1e-12)
    if norm <= max_norm:
        np.testing.assert_array_equal(cv, gv)
    else:
        assert np.linalg.norm(cv) == pytest.approx(max_norm, rel=1e-12)
        np.testing.assert_allclose(cv, gv * (max_norm / np.linalg.norm(gv)), rtol=1e-12)   # same direction


def test_clip_by_value():
    g = Params(W=[[3.0, -0.5]] * 2, U=[[-7.0], [0.1]], b=[0.0, 2.0], V=[[1.0, -1.0]], c=[-9.0])
    c = clip_by_value(g, 1.0)
    np.testing.assert_array_equal(c.W, [[1.0, -0.5]] * 2)
    np.testing.assert_array_equal(c.U, [[-1.0], [0.1]])
    np.testing.assert_array_equal(c.c, [-1.0])


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf")])
@pytest.mark.parametrize("name", ["gd", "momentum", "adagrad", "adam"])
def test_bad_lr(name, lr):
    with pytest.raises(ValueError, match="lr"):
        make_optimizer(name, lr)


def test_bad_arguments(pg):
    p, g = pg
    with pytest.raises(ValueError, match="lr"):
        gd(p, g, 0.0)
    with pytest.raises(TypeError, match="lr"):
        gd(p, g, "0.1")
    for kw, arg in [({"beta1": 1.0}, "beta1"), ({"beta1": -0.1}, "beta1"), ({"beta2": 1.5}, "beta2"),
                    ({"beta2": float("nan")}, "beta2"), ({"eps": 0.0}, "eps"), ({"eps": -1e-8}, "eps")]:
        with pytest.raises(ValueError, match=arg):
            make_optimizer("adam", 0.1, **kw)
    with pytest.raises(ValueError, match="eps"):
        make_optimizer("adagrad", 0.1, eps=0)
    with pytest.raises(ValueError, match="momentum"):
        make_optimizer("momentum", 0.1, momentum=1.0)
    with pytest.raises(ValueError, match="optimizer name"):
        make_optimizer("sgd", 0.1)
    with pytest.raises(TypeError, match="beta1"):
        make_optimizer("gd", 0.1, beta1=0.9)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm(g, 0.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm(g, float("inf"))
    with pytest.raises(ValueError, match="limit"):
        clip_by_value(g, -1.0)
    with pytest.raises(TypeError, match="grads"):
        gd(p, [1, 2], 0.1)
    with pytest.raises(ValueError, match="grads.W"):
        gd(p, init_params(3, 5, 2), 0.1)
    bad = g.map(lambda x: x.copy())
    bad.V[0, 0] = np.nan
    with pytest.raises(ValueError, match="grads.V"):
        Adam(0.1).step(p, bad)


def test_repr_and_types():
    opt = make_optimizer("adam", 0.01)
    assert isinstance(opt, Optimizer) and "lr=0.01" in repr(opt)
    assert isinstance(make_optimizer("momentum", 0.1), Momentum)
    assert isinstance(make_optimizer("adagrad", 0.1), Adagrad)
