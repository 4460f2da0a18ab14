"""rnnlib.sources: each source as written, each error switchable, every fix equal to rnnlib.bptt.

Where a test asserts the smallest T at which an error shows, it computes both sides directly
(as written vs bptt) at T−1 and T; rnnlib.sources.errata.evidence is then checked to agree.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlib
from rnnlib import Params, bptt, forward, init_params, numerical_gradient, rel_error
from rnnlib.params import NAMES
from rnnlib.sources import errata, khurana, outline001, ramkumar, whitehill
from strategies import one_hot, random_inputs, random_params, random_targets, seeds

TIGHT = 1e-10       # "equals bptt"
SHOWS = 1e-3        # an error is visible
FEW = settings(max_examples=25, deadline=None)
sizes = st.integers(1, 3)
activations = st.sampled_from(["tanh", "sigmoid", "relu", "identity"])


def problem(seed: int, T: int, n: int = 2, N1: int = 3, N2: int = 2, scale: float = 0.8):
    """A random softmax problem (the 2-3-2 network by default) with nonzero biases."""
    rng = np.random.default_rng(seed)
    p = random_params(rng, n, N1, N2, scale)
    return p, random_inputs(rng, T, None, n), one_hot(rng, T, None, N2)


def errs(g1: Params, g2: Params, names=NAMES) -> dict:
    return {k: rel_error(getattr(g1, k), getattr(g2, k)) for k in names}


# ============================================================ Ramkumar 000 + 002
ALL_FIXED = dict(fix_db=True, fix_eq316=True, order="F", update_sum="T")


@FEW
@given(seed=seeds, T=st.integers(1, 6), n=sizes, N1=sizes, N2=st.integers(2, 3), activation=activations)
def test_ramkumar_all_fixed_equals_bptt(seed, T, n, N1, N2, activation):
    p, xs, ys = problem(seed, T, n, N1, N2)
    res = ramkumar.bptt_as_written(p, xs, ys, activation, **ALL_FIXED)
    loss, g = bptt(p, xs, ys, activation)
    assert max(errs(res.grads, g).values()) < TIGHT
    assert res.loss == pytest.approx(loss, rel=1e-12)
    assert len(res.steps) == T


def displayed(v: np.ndarray, N: int) -> np.ndarray:
    """The pattern drawn in 002 eqs. 3.5/3.13/3.17: block k is an N×len(v) matrix whose row k is vᵀ."""
    out = []
    for k in range(N):
        block = np.zeros((N, v.size))
        block[k, :] = v
        out.append(block)
    return np.stack(out)


def test_ramkumar_F_order_tensors_are_the_displayed_ones():
    p, xs, ys = problem(1, 3)                                      # 2-3-2: n = 2, N1 = 3, N2 = 2
    res = ramkumar.bptt_as_written(p, xs, ys, **ALL_FIXED)
    tr = forward(p, xs)
    for t, step in enumerate(res.steps):
        np.testing.assert_array_equal(step["do_dV"], displayed(tr.a[t], 2))        # eq. 3.5
        np.testing.assert_array_equal(step["dWa_dW"], displayed(tr.a_prev[t], 3))  # eq. 3.13
        np.testing.assert_array_equal(step["dUx_dU"], displayed(xs[t], 3))         # eq. 3.17
        assert step["do_dV"].shape == (2, 2, 3) and step["dUx_dU"].shape == (3, 3, 2)


def test_ramkumar_C_order_scrambles():
    p, xs, ys = problem(2, 4)
    a = forward(p, xs).a[0]
    for build, v, N in ((ramkumar.do_dV, a, 2), (ramkumar.dWa_dW, a, 3), (ramkumar.dUx_dU, xs[0], 3)):
        assert not np.array_equal(build(v, N, order="C"), displayed(v, N))
    _, g = bptt(p, xs, ys)
    for T in (1, 2):
        gc = ramkumar.bptt_as_written(p, xs[:T], ys[:T], **{**ALL_FIXED, "order": "C"}).grads
        _, gT = bptt(p, xs[:T], ys[:T])
        e = errs(gc, gT)
        assert e["U"] > SHOWS and e["V"] > SHOWS                   # wrong from T = 1
        assert e["b"] < TIGHT and e["c"] < TIGHT                   # no reshape involved
        np.testing.assert_allclose(gc.W, gT.W.T, atol=1e-12)       # W: exactly the transpose
    gc = ramkumar.bptt_as_written(p, xs, ys, **{**ALL_FIXED, "order": "C"}).grads
    assert rel_error(gc.W, g.W) > SHOWS


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ramkumar_eq311_fails_from_T3_for_b_only(seed):
    p, xs, ys = problem(seed, 3)
    for T in (1, 2):                                               # ∂a_1/∂b = diag(h'(z_1)) is right (a_0 = 0)
        g_as = ramkumar.bptt_as_written(p, xs[:T], ys[:T], **{**ALL_FIXED, "fix_db": False}).grads
        assert max(errs(g_as, bptt(p, xs[:T], ys[:T])[1]).values()) < TIGHT
    g_as = ramkumar.bptt_as_written(p, xs, ys, **{**ALL_FIXED, "fix_db": False}).grads
    e = errs(g_as, bptt(p, xs, ys)[1])
    assert e["b"] > SHOWS
    assert max(v for k, v in e.items() if k != "b") < TIGHT
    ev = errata.evidence("ramkumar-eq3.11", seed=seed)
    assert ev["smallest_failing_T"] == 3 and ev["passes_below"] and ev["by_param"] == {"b": 3}


def test_ramkumar_eq316_shape_error_and_silent_error():
    p, xs, ys = problem(0, 3)                                      # N1 = 3 ≠ N2 = 2
    with pytest.raises(ValueError, match=r"3\.16.*δ_t\^\(2\).*N2 = 2 ≠ N1 = 3.*fix_eq316"):
        ramkumar.bptt_as_written(p, xs, ys, fix_db=True)
    p, xs, ys = problem(0, 3, n=2, N1=2, N2=2)                     # N1 == N2: runs, silently wrong
    res = ramkumar.bptt_as_written(p, xs[:1], ys[:1], fix_db=True)
    e = errs(res.grads, bptt(p, xs[:1], ys[:1])[1])
    assert e["U"] > SHOWS and max(v for k, v in e.items() if k != "U") < TIGHT
    # At T = 1, ω_2 = ∂(U x_1)/∂U, so δ_1^(2) ω_2 summed over k is (ŷ_1 − y_1) x_1ᵀ: V and h' are skipped.
    y_hat = forward(p, xs[:1]).y_hat[0]
    np.testing.assert_allclose(res.grads.U, np.outer(y_hat - ys[0], xs[0]), atol=1e-14)
    assert errata.evidence("ramkumar-eq3.16")["statuses"][1] == "raises"
    assert errata.evidence("ramkumar-eq3.16", N1=2, N2=2)["smallest_failing_T"] == 1


@pytest.mark.parametrize("N2", [2, 3])
def test_ramkumar_update_sum_N2(N2):
    p, xs, ys = problem(3, N2 + 2, N1=3, N2=N2)
    kw = {**ALL_FIXED, "update_sum": "N2"}
    with pytest.raises(ValueError, match="only T = 1"):
        ramkumar.bptt_as_written(p, xs[:1], ys[:1], **kw)
    same = ramkumar.bptt_as_written(p, xs[:N2], ys[:N2], **kw).grads
    assert max(errs(same, bptt(p, xs[:N2], ys[:N2])[1]).values()) < TIGHT     # T = N2: right
    longer = ramkumar.bptt_as_written(p, xs[:N2 + 1], ys[:N2 + 1], **kw).grads
    assert max(errs(longer, bptt(p, xs[:N2 + 1], ys[:N2 + 1])[1]).values()) > SHOWS
    # what it computes instead: the gradient of the first N2 losses only
    assert max(errs(longer, bptt(p, xs[:N2], ys[:N2])[1]).values()) < TIGHT
    ev = errata.evidence("ramkumar-update-N2", N2=N2, seed=3)
    assert ev["smallest_failing_T"] == N2 + 1 and ev["passes_below"]


def test_ramkumar_loss_axis_slices():
    """Slice k of ∂L_t/∂V is (ŷ_{k,t} − y_{k,t}) ∂o_{k,t}/∂V; the slices sum to the gradient."""
    p, xs, ys = problem(4, 3)
    res = ramkumar.bptt_as_written(p, xs, ys, **ALL_FIXED)
    tr = forward(p, xs)
    for t, s in enumerate(res.steps):
        assert s["dL_dW"].shape == (2, 3, 3) and s["dL_dU"].shape == (2, 3, 2) and s["dL_db"].shape == (2, 3)
        for k in range(2):
            np.testing.assert_allclose(s["dL_dV"][k], (tr.y_hat[t, k] - ys[t, k]) * s["do_dV"][k], atol=1e-14)
        np.testing.assert_allclose(s["dL_dV"].sum(axis=0), np.outer(tr.y_hat[t] - ys[t], tr.a[t]), atol=1e-14)


def test_ramkumar_parameter_update():
    p, xs, ys = problem(5, 4)
    res = ramkumar.bptt_as_written(p, xs, ys, **ALL_FIXED)
    new = ramkumar.parameter_update(p, res.steps, 0.1)
    g = bptt(p, xs, ys)[1]
    for k in NAMES:
        np.testing.assert_allclose(getattr(new, k), getattr(p, k) - 0.1 * getattr(g, k), atol=1e-12)
    with pytest.raises(ValueError, match="only T = 1"):
        ramkumar.parameter_update(p, res.steps[:1], 0.1, sum_to="N2")
    with pytest.raises(ValueError, match="lr"):
        ramkumar.parameter_update(p, res.steps, -1.0)
    with pytest.raises(ValueError, match="sum_to"):
        ramkumar.parameter_update(p, res.steps, 0.1, sum_to="t")
    with pytest.raises(TypeError, match="steps"):
        ramkumar.parameter_update(p, [], 0.1)


def test_ramkumar_bad_input():
    p, xs, ys = problem(0, 3)
    with pytest.raises(ValueError, match="order"):
        ramkumar.bptt_as_written(p, xs, ys, order="A")
    with pytest.raises(ValueError, match="one sequence"):
        ramkumar.bptt_as_written(p, xs[:, None], ys[:, None], **ALL_FIXED)
    with pytest.raises(ValueError, match="ys"):
        ramkumar.bptt_as_written(p, xs, ys[:, :1], **ALL_FIXED)
    with pytest.raises(ValueError, match="v must be a vector"):
        ramkumar.kron_reshape(np.ones((2, 2)), 2)
    with pytest.raises(ValueError, match="inner dimensions"):
        ramkumar.reshape_matmul(np.ones((2, 2)), np.ones((3, 3, 2)))
    q = ramkumar.from_params(p)
    assert (q["n"], q["N1"], q["N2"]) == (2, 3, 2)
    back = ramkumar.to_params(*(q[k] for k in "WUbVc"))
    assert all(np.array_equal(getattr(back, k), getattr(p, k)) for k in NAMES)


# ============================================================ Outline 001
@FEW
@given(seed=seeds, T=st.integers(1, 6), n=sizes, N1=sizes, N2=st.integers(2, 3), activation=activations,
       output=st.sampled_from(["softmax", "identity"]))
def test_outline_fixed_equals_bptt(seed, T, n, N1, N2, activation, output):
    rng = np.random.default_rng(seed)
    p = random_params(rng, n, N1, N2, 0.8)
    xs, ys = random_inputs(rng, T, None, n), random_targets(rng, output, T, None, N2)
    r = outline001.backward_as_written(outline001.from_params(p), xs, ys, activation, output, fix_recursion=True)
    loss, g = bptt(p, xs, ys, activation, output)
    assert max(errs(outline001.to_params(r.grads), g).values()) < TIGHT
    assert r.loss == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_outline_recursion_fails_T2_for_Wx_bh_T3_for_Wh(seed):
    p, xs, ys = problem(seed, 3)
    def as_written(T, activation="tanh"):
        r = outline001.backward_as_written(p, xs[:T], ys[:T], activation)
        return errs(outline001.to_params(r.grads), bptt(p, xs[:T], ys[:T], activation)[1])
    assert max(as_written(1).values()) < TIGHT
    e2 = as_written(2)
    assert e2["U"] > SHOWS and e2["b"] > SHOWS                     # W_x, b_h
    assert max(e2["W"], e2["V"], e2["c"]) < TIGHT                  # W_h shielded by h_0 = 0
    assert as_written(3)["W"] > SHOWS
    assert max(as_written(3, "identity").values()) < TIGHT         # f' = 1: exact
    ev = errata.evidence("outline-recursion", seed=seed)
    assert ev["smallest_failing_T"] == 2 and ev["by_param"] == {"U": 2, "W": 3, "b": 2}


def test_outline_label_dL_dyhat():
    p, xs, ys = problem(6, 3)
    fw = outline001.forward_001(p, xs)
    y_hat, y = fw.y_hat[1], ys[1]
    eps = 1e-6
    # ∂/∂ŷ of −yᵀ log ŷ, ŷ treated as free: −y/ŷ
    fd = np.array([(-(y @ np.log(y_hat + eps * e)) + (y @ np.log(y_hat - eps * e))) / (2 * eps)
                   for e in np.eye(2)])
    np.testing.assert_allclose(outline001.true_dL_dyhat(y_hat, y), fd, rtol=1e-6)
    # ∂/∂(logits y_t) of the cross-entropy: ŷ − y, the value 001 uses
    logits = fw.y[1]
    ce = lambda o: -(y @ rnnlib.log_softmax(o))
    fd = np.array([(ce(logits + eps * e) - ce(logits - eps * e)) / (2 * eps) for e in np.eye(2)])
    np.testing.assert_allclose(y_hat - y, fd, atol=1e-8)
    assert not np.allclose(outline001.true_dL_dyhat(y_hat, y), y_hat - y)
    lit = outline001.backward_as_written(p, xs, ys, fix_recursion=True, literal_label=True)
    assert max(errs(outline001.to_params(lit.grads), bptt(p, xs, ys)[1]).values()) > SHOWS
    # identity output, ½ squared error: ŷ = y, so the label is right
    yr = np.random.default_rng(0).standard_normal((3, 2))
    a = outline001.backward_as_written(p, xs, yr, output="identity", fix_recursion=True, literal_label=True)
    assert max(errs(outline001.to_params(a.grads), bptt(p, xs, yr, output="identity")[1]).values()) < TIGHT


def test_outline_mapping_and_forward():
    p, xs, _ = problem(7, 4)
    q = outline001.from_params(p)
    assert q.W_x is p.U and q.W_h is p.W and q.W_y is p.V and q.b_h is p.b and q.b_y is p.c
    back = outline001.to_params(q)
    assert all(np.array_equal(getattr(back, k), getattr(p, k)) for k in NAMES)
    fw, tr = outline001.forward_001(q, xs), forward(p, xs)
    np.testing.assert_array_equal(fw.h[1:], tr.a)
    assert not fw.h[0].any()
    np.testing.assert_allclose(fw.y_hat, tr.y_hat)
    with pytest.raises(ValueError, match="W_x|U"):
        outline001.OutlineParams(W_x=np.ones((3, 2)), W_h=np.ones((2, 2)), W_y=np.ones((2, 3)),
                                 b_h=np.ones(3), b_y=np.ones(2))
    with pytest.raises(TypeError, match="params"):
        outline001.backward_as_written({"W_x": 1}, xs, xs)
    new = outline001.update(q, q, 0.5)
    np.testing.assert_allclose(new.W_h, 0.5 * p.W)


# ============================================================ Khurana 003
@given(n=st.integers(1, 6), d=st.integers(1, 6), k=st.integers(1, 6))
@settings(max_examples=20, deadline=None)
def test_khurana_parameter_count(n, d, k):
    assert khurana.parameter_count(n, d, k) == sum(x.size for x in init_params(n, d, k))


def test_khurana_parameter_count_rejects():
    with pytest.raises(ValueError, match="d"):
        khurana.parameter_count(2, 0, 2)


@settings(max_examples=15, deadline=None)
@given(seed=seeds, T=st.integers(1, 5), n=sizes, d=sizes, k=st.integers(2, 3), activation=activations)
def test_khurana_paths_equal_bptt(seed, T, n, d, k, activation):
    p, xs, ys = problem(seed, T, n, d, k)
    loss, g = khurana.total_gradient(p, xs, ys, activation)
    l2, g2 = bptt(p, xs, ys, activation)
    assert max(errs(g, g2).values()) < TIGHT and loss == pytest.approx(l2, rel=1e-12)


def test_khurana_path_terms():
    p, xs, ys = problem(8, 4)
    terms = khurana.path_terms(p, xs, ys, 4)
    assert [tm["k"] for tm in terms] == [4, 3, 2, 1]
    np.testing.assert_array_equal(terms[0]["jacobian"], np.eye(3))          # k = t: the direct path
    tr = forward(p, xs)
    eps = 1e-6
    for tm in terms:                                                        # ∂s_t/∂s_k by finite differences
        k = tm["k"]
        s_k = tr.a[k - 1]
        fd = np.stack([(forward(p, xs[k:4], a0=s_k + eps * e).a[-1] - forward(p, xs[k:4], a0=s_k - eps * e).a[-1])
                       / (2 * eps) for e in np.eye(3)], axis=1) if k < 4 else np.eye(3)
        np.testing.assert_allclose(tm["jacobian"], fd, atol=1e-8)
    # L_4 alone: bptt with only step 4 unmasked
    mask = np.array([0, 0, 0, 1.0])
    g4 = bptt(p, xs, ys, mask=mask)[1]
    for wrt in khurana.WRT:
        np.testing.assert_allclose(khurana.dLt_dtheta(p, xs, ys, 4, wrt), getattr(g4, wrt), atol=1e-12)
    with pytest.raises(ValueError, match="1 ≤ t ≤ 4"):
        khurana.path_terms(p, xs, ys, 5)


def test_khurana_jacobian_product_orders_and_flops():
    d, T = 4, 6
    p, xs, _ = problem(9, T, n=2, N1=d, N2=2)
    tr = forward(p, xs)
    v = np.random.default_rng(0).standard_normal(d)
    for k in range(0, T):
        L = T - k
        full_rl, f_rl = khurana.jacobian_product(p, tr, k, T, "right-to-left")
        full_lr, f_lr = khurana.jacobian_product(p, tr, k, T, "left-to-right")
        np.testing.assert_allclose(full_rl, full_lr, atol=1e-13)
        vec_rl, g_rl = khurana.jacobian_product(p, tr, k, T, "right-to-left", v=v)
        vec_lr, g_lr = khurana.jacobian_product(p, tr, k, T, "left-to-right", v=v)
        np.testing.assert_allclose(vec_rl, v @ full_rl, atol=1e-13)
        np.testing.assert_allclose(vec_lr, v @ full_rl, atol=1e-13)
        # (m×p)(p×q) costs 2mpq: L−1 d×d products; d rows × L vector products; L vector products
        assert f_rl == 2 * (L - 1) * d ** 3 and f_lr == 2 * L * d ** 3
        assert g_rl == 2 * (L - 1) * d ** 3 + 2 * d * d and g_lr == 2 * L * d * d
        if L >= 2:
            assert g_lr < g_rl
    eye, flops = khurana.jacobian_product(p, tr, 3, 3)
    np.testing.assert_array_equal(eye, np.eye(d))
    assert flops == 0
    with pytest.raises(ValueError, match="order"):
        khurana.jacobian_product(p, tr, 1, 2, "middle-out")
    with pytest.raises(ValueError, match="k"):
        khurana.jacobian_product(p, tr, 3, 2)
    with pytest.raises(TypeError, match="trace"):
        khurana.jacobian_product(p, xs, 1, 2)


# ============================================================ Whitehill 004
def wh_problem(seed: int, T: int, n: int = 2, N1: int = 3, h0: bool = False, scale: float = 0.8):
    rng = np.random.default_rng(seed)
    wp = whitehill.WhitehillParams(U=scale * rng.standard_normal((N1, N1)),
                                   V=scale * rng.standard_normal((N1, n)), w=scale * rng.standard_normal(N1))
    xs, ys = rng.standard_normal((T, n)), rng.standard_normal(T)
    return wp, xs, ys, (0.5 * rng.standard_normal(N1) if h0 else None)


def wh_bptt(wp, xs, ys, h0=None, mask=None):
    return bptt(whitehill.to_params(wp), xs, ys[:, None], "tanh", "identity", mask, a0=h0)


@FEW
@given(seed=seeds, T=st.integers(1, 6), n=sizes, N1=sizes, h0=st.booleans())
def test_whitehill_qr_sum_equals_bptt(seed, T, n, N1, h0):
    wp, xs, ys, a0 = wh_problem(seed, T, n, N1, h0)
    J, g = whitehill.qr_gradients(wp, xs, ys, h0=a0)
    loss, ref = wh_bptt(wp, xs, ys, a0)
    assert J == pytest.approx(loss, rel=1e-12)
    assert rel_error(g.U, ref.W) < TIGHT and rel_error(g.V, ref.U) < TIGHT and rel_error(g.w, ref.V[0]) < TIGHT


def test_whitehill_qr_each_Jt():
    wp, xs, ys, a0 = wh_problem(1, 4, h0=True)
    for t in range(1, 5):
        qr = whitehill.qr_as_written(wp, xs, ys, t, h0=a0)
        ref = wh_bptt(wp, xs, ys, a0, mask=np.eye(4)[t - 1])[1]            # ∂J_t alone
        np.testing.assert_allclose(whitehill.unvec(qr.dJ_dvecU, (3, 3)), ref.W, atol=1e-13)
        np.testing.assert_allclose(whitehill.unvec(qr.dJ_dvecV, (3, 2)), ref.U, atol=1e-13)
        np.testing.assert_allclose(qr.dJ_dw, ref.V[0], atol=1e-13)
        assert np.isnan(qr.q[0]).all() and not np.isnan(qr.q[1:]).any()


@pytest.mark.parametrize("h0", [False, True])
def test_whitehill_nested_fixed_equals_qr(h0):
    wp, xs, ys, a0 = wh_problem(2, 5, h0=h0)
    for wrt, attr in (("U", "dJ_dvecU"), ("V", "dJ_dvecV")):
        nz = whitehill.nested_expansion_as_written(wp, xs, ys, wrt, fix_innermost=True, h0=a0)
        for t in range(1, 6):
            np.testing.assert_allclose(nz.dJ[t], getattr(whitehill.qr_as_written(wp, xs, ys, t, h0=a0), attr),
                                       atol=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_whitehill_innermost_as_written(seed):
    wp, xs, ys, _ = wh_problem(seed, 4)
    qr = [None] + [whitehill.qr_as_written(wp, xs, ys, t) for t in range(1, 5)]
    nzV = whitehill.nested_expansion_as_written(wp, xs, ys, "V")
    assert rel_error(nzV.dJ[1], qr[1].dJ_dvecV) < TIGHT
    assert rel_error(nzV.dJ[2], qr[2].dJ_dvecV) > SHOWS                # V: wrong from t = 2 (E_1 ≠ 0)
    nzU = whitehill.nested_expansion_as_written(wp, xs, ys, "U")
    for t in range(1, 5):                                               # U: F_1 = 0 hides it when h_0 = 0
        assert rel_error(nzU.dJ[t], qr[t].dJ_dvecU) < TIGHT
    assert not nzU.dh[1].any()                                          # F_1 = 0
    wp, xs, ys, a0 = wh_problem(seed, 4, h0=True)
    nzU = whitehill.nested_expansion_as_written(wp, xs, ys, "U", h0=a0)
    assert rel_error(nzU.dJ[1], whitehill.qr_as_written(wp, xs, ys, 1, h0=a0).dJ_dvecU) < TIGHT
    assert rel_error(nzU.dJ[2], whitehill.qr_as_written(wp, xs, ys, 2, h0=a0).dJ_dvecU) > SHOWS
    ev = errata.evidence("whitehill-innermost", seed=seed)
    assert ev["smallest_failing_T"] == 2 and ev["by_param"] == {"W": None, "U": 2}
    assert errata.evidence("whitehill-innermost", seed=seed, h0=True)["by_param"] == {"W": 2, "U": 2}


def test_whitehill_vec_order():
    rng = np.random.default_rng(3)
    M, u = rng.standard_normal((3, 2)), rng.standard_normal(2)
    # M u is linear in M: its Jacobian w.r.t. vec[M] is exact column by column
    for order in whitehill.VEC_ORDERS:
        J = np.stack([whitehill.unvec(e, (3, 2), order) @ u for e in np.eye(6)], axis=1)
        np.testing.assert_array_equal(whitehill.block_diagonal(u, 3, order), J)
    np.testing.assert_array_equal(whitehill.block_diagonal(u, 3, "row"),
                                  np.array([[u[0], u[1], 0, 0, 0, 0], [0, 0, u[0], u[1], 0, 0],
                                            [0, 0, 0, 0, u[0], u[1]]]))          # rows h_{t−1}ᵀ on the diagonal
    wp, xs, ys, _ = wh_problem(4, 3)
    _, ref = wh_bptt(wp, xs, ys)
    _, gc = whitehill.qr_gradients(wp, xs, ys, vec_order="col")
    np.testing.assert_allclose(gc.U, ref.W.T, atol=1e-13)                        # his U: transposed
    assert rel_error(gc.V, ref.U) > SHOWS
    # the consistent column-major pair (Kronecker F_t and column-major vec) is right too
    nz = whitehill.nested_expansion_as_written(wp, xs, ys, "U", fix_innermost=True, vec_order="col")
    np.testing.assert_allclose(whitehill.unvec(nz.total, (3, 3), "col"), ref.W, atol=1e-13)
    ev = errata.evidence("whitehill-vec-order")
    assert ev["by_param"] == {"W": 2, "U": 1}


def test_whitehill_mapping_and_checks():
    wp, xs, ys, _ = wh_problem(5, 3)
    p = whitehill.to_params(wp)
    assert p.W is wp.U and p.U is wp.V and np.array_equal(p.V[0], wp.w) and not p.b.any() and not p.c.any()
    back = whitehill.from_params(p)
    assert np.array_equal(back.w, wp.w)
    with pytest.raises(ValueError, match="no biases"):
        whitehill.from_params(Params(W=p.W, U=p.U, b=np.ones(3), V=p.V, c=p.c))
    with pytest.raises(ValueError, match="N2 = 1"):
        whitehill.from_params(init_params(2, 3, 2))
    tr = whitehill.whitehill_forward(wp, xs, ys)
    np.testing.assert_allclose(tr.h[1:], forward(p, xs, output="identity").a)
    np.testing.assert_allclose(tr.g[1:], 1 - np.tanh(tr.z[1:]) ** 2)
    assert np.isnan(tr.z[0]).all() and not tr.h[0].any()
    with pytest.raises(TypeError, match="ys"):
        whitehill.qr_as_written(wp, xs, None, 1)
    with pytest.raises(ValueError, match="ys must be"):
        whitehill.qr_as_written(wp, xs, ys[:2], 1)
    with pytest.raises(ValueError, match="1 ≤ t ≤ T = 3"):
        whitehill.qr_as_written(wp, xs, ys, 0)


# ============================================================ errata
def test_errata_entries_are_well_formed():
    keys = [e.key for e in errata.ERRATA]
    assert len(keys) == len(set(keys))
    modules = {"ramkumar": ramkumar, "outline001": outline001, "whitehill": whitehill}
    for e in errata.ERRATA:
        assert e.kind in errata.KINDS and e.as_written and e.corrected and e.chapter and e.location
        if e.kind == "typo":
            assert e.flag is None
            continue
        mod, fn = e.function.split(".")
        sig = inspect.signature(getattr(modules[mod], fn))
        assert e.flag in sig.parameters and e.literal != e.fixed
        assert set(e.params) <= set(NAMES)
    with pytest.raises(ValueError, match="key"):
        errata.get("nope")


@pytest.mark.parametrize("entry", [e for e in errata.ERRATA if e.kind != "typo"], ids=lambda e: e.key)
def test_errata_evidence(entry):
    ev = errata.evidence(entry, T_max=4)
    assert ev["smallest_failing_T"] is not None and ev["passes_below"]
    assert ev["fixed_error"] < TIGHT                       # the flag fixes exactly this
    assert ev["reference_vs_numerical"] < 1e-6             # and the reference is right
    assert ev["rel_error"] is None or ev["rel_error"] > SHOWS


@pytest.mark.parametrize("entry", [e for e in errata.ERRATA if e.kind == "typo"], ids=lambda e: e.key)
def test_errata_typos(entry):
    ev = errata.evidence(entry)
    assert ev["literal_differs"] and ev["vector_form_matches_bptt"] and ev["smallest_failing_T"] is None


def test_errata_bad_input():
    with pytest.raises(TypeError, match="entry"):
        errata.evidence(3)
    with pytest.raises(ValueError, match="activation"):
        errata.evidence("outline-recursion", activation="gelu")
    with pytest.raises(ValueError, match="T_max"):
        errata.evidence("outline-recursion", T_max=0)


def test_every_source_fixed_matches_finite_differences():
    """Independent of bptt: each source with its flags fixed against central differences."""
    p, xs, ys = problem(10, 4)
    _, num = numerical_gradient(p, xs, ys)
    got = {
        "ramkumar": ramkumar.bptt_as_written(p, xs, ys, **ALL_FIXED).grads,
        "outline001": outline001.to_params(outline001.backward_as_written(p, xs, ys, fix_recursion=True).grads),
        "khurana": khurana.total_gradient(p, xs, ys)[1],
    }
    for name, g in got.items():
        assert max(errs(g, num).values()) < 1e-6, name
    wp, xs, ys, a0 = wh_problem(10, 4, h0=True)
    _, num = numerical_gradient(whitehill.to_params(wp), xs, ys[:, None], "tanh", "identity", a0=a0)
    _, g = whitehill.qr_gradients(wp, xs, ys, h0=a0)
    assert max(rel_error(g.U, num.W), rel_error(g.V, num.U), rel_error(g.w, num.V[0])) < 1e-6
