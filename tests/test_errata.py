"""rnnlib.sources.errata (appendix "Errata"): what tests/test_sources.py does not cover.

* every entry's chapter labels are real MyST targets of the book, and their titles are the headings;
* the smallest failing T that :func:`errata.evidence` reports for each flagged error, re-derived here
  from the as-written function against :func:`rnnlib.numerical_gradient` (> 1e-3 there, < 1e-6 below);
* the evidence of the six :data:`errata.FURTHER` entries, each against its own direct computation;
* :func:`errata.component_gradient` against −y_{k,t}(e_k − ŷ_t) carried back through the RNN by hand.

The evidence is computed on errata's seeded model; :func:`model` re-draws it here (the same draws, in
the same order) and each test checks the re-drawn model against a number the evidence reports.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlib import Params, forward, numerical_gradient, rel_error
from rnnlib.params import NAMES
from rnnlib.sources import errata, khurana, outline001, ramkumar, whitehill

BOOK = Path(__file__).resolve().parent.parent / "book"
SHOWS = 1e-3        # an error is visible against finite differences
PASSES = 1e-6       # agrees with finite differences (their own error is ≈ 1e-9)
T_MAX = 6
FIXED = dict(fix_db=True, fix_eq316=True, order="F", update_sum="T")   # Ramkumar, every flag fixed


# --- helpers -----------------------------------------------------------------------------------
def model(T: int = T_MAX, seed: int = 0, n: int = 2, N1: int = 3, N2: int = 2, *, wh: bool = False,
          h0: bool = False):
    """The seeded model errata.evidence draws: (p, xs (T, n), ys, activation, output, a0).

    Softmax 2-3-2 with one-hot targets; for Whitehill N2 = 1, b = c = 0, identity output, scalar targets.
    """
    rng = np.random.default_rng(seed)
    N2 = 1 if wh else N2
    p = Params(W=0.7 * rng.standard_normal((N1, N1)), U=0.7 * rng.standard_normal((N1, n)),
               b=0.5 * rng.standard_normal(N1), V=0.7 * rng.standard_normal((N2, N1)),
               c=0.5 * rng.standard_normal(N2))
    xs = rng.standard_normal((T, n))
    if wh:
        p = Params(W=p.W, U=p.U, b=np.zeros(N1), V=p.V, c=np.zeros(1))
        ys = rng.standard_normal((T, 1))
        a0 = 0.5 * rng.standard_normal(N1) if h0 else None
        return p, xs, ys, "tanh", "identity", a0
    return p, xs, np.eye(N2)[rng.integers(0, N2, size=T)], "tanh", "softmax", None


def fd(f, p: Params, eps: float = 1e-6) -> Params:
    """Central differences of any scalar f(Params) (independent of rnnlib.numerical_gradient)."""
    arrays = {k: np.array(getattr(p, k), dtype=np.float64) for k in NAMES}
    out = {}
    for k in NAMES:
        flat, g = arrays[k].reshape(-1), np.zeros(arrays[k].size)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            plus = f(Params(**arrays))
            flat[i] = old - eps
            minus = f(Params(**arrays))
            flat[i] = old
            g[i] = (plus - minus) / (2 * eps)
        out[k] = g.reshape(arrays[k].shape)
    return Params(**out)


def worst(got: dict, ref: Params) -> float:
    return max(rel_error(arr, getattr(ref, k)) for k, arr in got.items())


# ============================================================ labels and chapter titles
def book_targets() -> dict:
    """{label: the heading right under its ``(label)=`` target} over every book/*.ipynb markdown cell."""
    targets = {}
    for path in sorted(BOOK.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                for m in re.finditer(r"^\(([\w-]+)\)=[ \t]*\n+(#+[ \t]+(.*))?", text, re.M):
                    targets[m.group(1)] = (m.group(3) or "").strip()
    return targets


def test_every_label_is_a_target_in_the_book_and_titles_are_its_headings():
    targets = book_targets()
    assert set(errata.LABELS) == {e.key for e in errata.ALL}
    used = {label for e in errata.ALL for label in e.labels}
    assert used == set(errata.TITLES)
    for e in errata.ALL:
        assert e.labels, e.key
        for label in e.labels:
            assert label in targets, f"{e.key}: ({label})= is not a target in any book/*.ipynb markdown cell"
        assert e.chapters == tuple(targets[label] for label in e.labels)
        assert e.chapter == "; ".join(e.chapters)
        assert "line by line" not in e.chapter
    rows = errata.table()
    assert [r["key"] for r in rows] == [e.key for e in errata.ALL]
    for r, e in zip(rows, errata.ALL):
        assert (r["labels"], r["chapters"], r["chapter"]) == (e.labels, e.chapters, e.chapter)


# ============================================================ the smallest failing T, re-derived
def as_written(key: str, p: Params, xs, ys, act: str, out: str, a0) -> dict:
    """The source's gradient with the one error switched on (the value written here, not errata's)."""
    if key.startswith("ramkumar"):
        flag = {"ramkumar-eq3.11": dict(fix_db=False), "ramkumar-eq3.16": dict(fix_eq316=False),
                "ramkumar-update-N2": dict(update_sum="N2"), "ramkumar-reshape-order": dict(order="C")}[key]
        g = ramkumar.bptt_as_written(p, xs, ys, act, **{**FIXED, **flag}).grads
        return {k: getattr(g, k) for k in NAMES}
    if key.startswith("outline"):
        flag = dict(fix_recursion=key != "outline-recursion", literal_label=key == "outline-dL-dyhat")
        g = outline001.to_params(outline001.backward_as_written(p, xs, ys, act, out, **flag).grads)
        return {k: getattr(g, k) for k in NAMES}
    wp = whitehill.from_params(p)
    if key == "whitehill-vec-order":
        g = whitehill.qr_gradients(wp, xs, ys, h0=a0, vec_order="col")[1]
        return {"W": g.U, "U": g.V}
    return {ours: whitehill.unvec(whitehill.nested_expansion_as_written(wp, xs, ys, his, h0=a0).total,
                                  getattr(p, ours).shape)
            for his, ours in (("U", "W"), ("V", "U"))}


CASES = [("ramkumar-eq3.11", {}), ("ramkumar-eq3.16", dict(N1=2, N2=2)), ("ramkumar-update-N2", {}),
         ("ramkumar-update-N2", dict(N2=3, seed=3)), ("ramkumar-reshape-order", {}),
         ("outline-recursion", {}), ("outline-recursion", dict(seed=1)), ("outline-dL-dyhat", {}),
         ("whitehill-vec-order", {}), ("whitehill-innermost", {}), ("whitehill-innermost", dict(h0=True))]


def test_cases_cover_every_flagged_non_typo():
    assert {k for k, _ in CASES} == {e.key for e in errata.ERRATA if e.kind != "typo"}


@pytest.mark.parametrize("key, kw", CASES, ids=[f"{k}-{kw}" for k, kw in CASES])
def test_smallest_failing_T_against_finite_differences(key, kw):
    wh = key.startswith("whitehill")
    p, xs, ys, act, out, a0 = model(T_MAX, wh=wh, **kw)
    errs = {}
    for T in range(1, T_MAX + 1):
        try:
            got = as_written(key, p, xs[:T], ys[:T], act, out, a0)
        except ValueError:                       # 002 §4.1's Σ_{t=1}^{N2} with T < N2: no L_t to sum
            assert key == "ramkumar-update-N2" and T < p.n_out
            continue
        errs[T] = worst(got, numerical_gradient(p, xs[:T], ys[:T], act, out, a0=a0)[1])
    T_fail = next(T for T, e in errs.items() if e > SHOWS)
    assert all(e < PASSES for T, e in errs.items() if T < T_fail), errs
    ev = errata.evidence(key, T_max=T_MAX, **kw)
    assert ev["smallest_failing_T"] == T_fail
    assert ev["fd_error"] == pytest.approx(errs[T_fail], rel=1e-6)
    if T_fail - 1 in errs:
        assert ev["fd_error_below"] < PASSES
    else:
        assert ev["fd_error_below"] is None
    cx = ev["counterexample"]                    # the re-drawn model is errata's
    num = numerical_gradient(p, xs[:T_fail], ys[:T_fail], act, out, a0=a0)[1]
    np.testing.assert_allclose(cx["numerical"], getattr(num, cx["param"]), rtol=1e-12, atol=1e-14)


def test_errors_hidden_for_short_sequences_stay_hidden():
    """The recurrence errors need T ≥ 2 (001, Whitehill) or T ≥ 3 (002 eq. 3.11), as the appendix says."""
    smallest = {k: errata.evidence(k)["smallest_failing_T"]
                for k in ("ramkumar-eq3.11", "outline-recursion", "whitehill-innermost")}
    assert smallest == {"ramkumar-eq3.11": 3, "outline-recursion": 2, "whitehill-innermost": 2}


def test_default_flags_are_the_as_written_equations():
    """Called with its defaults, each as-written function reproduces its source's recurrence error."""
    p, xs, ys, act, out, _ = model(3)
    num = numerical_gradient(p, xs, ys, act, out)[1]
    g = ramkumar.bptt_as_written(p, xs, ys, act, fix_eq316=True).grads          # fix_db left at default
    assert rel_error(g.b, num.b) > SHOWS
    with pytest.raises(ValueError, match="eq. 3.16"):                              # fix_eq316 at default
        ramkumar.bptt_as_written(p, xs, ys, act, fix_db=True)
    g = outline001.to_params(outline001.backward_as_written(p, xs, ys, act).grads)
    assert rel_error(g.U, num.U) > SHOWS
    p, xs, ys, act, out, a0 = model(2, wh=True)
    num = numerical_gradient(p, xs, ys, act, out)[1]
    nz = whitehill.nested_expansion_as_written(whitehill.from_params(p), xs, ys, "V")
    assert rel_error(whitehill.unvec(nz.total, p.U.shape), num.U) > SHOWS


# ============================================================ FURTHER: each entry's own evidence
def test_further_is_six_entries_all_with_evidence():
    assert [e.key for e in errata.FURTHER] == ["ramkumar-loss-axis", "ramkumar-subpart", "outline-loss-undefined",
                                               "khurana-images", "khurana-k", "whitehill-gn"]
    for e in errata.FURTHER:
        assert e.kind in errata.ALL_KINDS and e.flag is None and e in errata.ALL
        assert errata.evidence(e)["detail"]


def test_loss_axis_slice_k_is_not_a_gradient_but_the_sum_is():
    p, xs, ys, act, _, _ = model()
    ev = errata.evidence("ramkumar-loss-axis", T_max=T_MAX)
    for T in range(1, T_MAX + 1):
        steps = ramkumar.bptt_as_written(p, xs[:T], ys[:T], act, **FIXED).steps
        total = {k: sum(s[f"dL_d{k}"].sum(axis=0) for s in steps) for k in NAMES}     # Σ_t Σ_k
        assert worst(total, numerical_gradient(p, xs[:T], ys[:T], act)[1]) < PASSES
        per_k = []
        for k in range(p.n_out):
            ell_k = fd(lambda q: -(ys[:T, k] * np.log(forward(q, xs[:T], act).y_hat[:, k])).sum(), p)
            per_k.append(worst({n: sum(s[f"dL_d{n}"][k] for s in steps) for n in NAMES}, ell_k))
        assert max(per_k) > SHOWS                                   # some slice k is not ∂ℓ_k/∂θ
        assert ev["errors"][T] == pytest.approx(max(per_k), rel=1e-4)
    assert ev["smallest_failing_T"] == 1 and ev["sum_error"] < 1e-8
    # T = 1 by hand: slice k of ∂L_1/∂c is row k of diag(ŷ − y); ∂ℓ_k/∂c = −y_k(e_k − ŷ)
    y_hat, y = forward(p, xs[:1], act).y_hat[0], ys[0]
    k0 = int(np.argmin(y))                                          # y_k = 0: ℓ_k ≡ 0
    cx = ev["counterexample"]
    assert cx["k"] == k0 + 1 and cx["y_k"] == 0.0
    np.testing.assert_allclose(cx["slice_c"], np.diag(y_hat - y)[k0], rtol=1e-12)
    np.testing.assert_allclose(cx["component_grad_c"], 0.0, atol=1e-9)
    assert np.abs(cx["slice_c"]).max() > SHOWS
    np.testing.assert_allclose(np.diag(y_hat - y).sum(axis=0), numerical_gradient(p, xs[:1], ys[:1], act)[1].c,
                               atol=1e-8)


def test_subpart_the_update_sums_every_step():
    p, xs, ys, act, _, _ = model()
    ev = errata.evidence("ramkumar-subpart", T_max=T_MAX)
    steps = ramkumar.bptt_as_written(p, xs, ys, act, **FIXED).steps
    whole = numerical_gradient(p, xs, ys, act)[1]
    assert ev["summed_steps"] == len(steps) == T_MAX
    assert rel_error(ramkumar.loss_axis_sum(steps).W, whole.W) < PASSES and ev["whole_error"] < 1e-8
    one = numerical_gradient(p, xs[:1], ys[:1], act)[1]              # ∂L_1/∂θ: L_1 sees x_1 only
    e_one = max(rel_error(getattr(one, k), getattr(whole, k)) for k in NAMES)
    assert e_one > SHOWS and ev["one_subpart_error"] == pytest.approx(e_one, abs=1e-6)


def test_outline_yhat_minus_y_is_the_logit_gradient_of_ce_and_the_yhat_gradient_of_half_sse():
    rng = np.random.default_rng(7)
    o, y = rng.standard_normal(4), np.eye(4)[1]

    def softmax(v):
        e = np.exp(v - v.max())
        return e / e.sum()

    def grad(f, v, eps=1e-6):
        return np.array([(f(v + eps * e) - f(v - eps * e)) / (2 * eps) for e in np.eye(v.size)])

    y_hat = softmax(o)
    np.testing.assert_allclose(grad(lambda v: -(y * np.log(softmax(v))).sum(), o), y_hat - y, atol=1e-8)
    np.testing.assert_allclose(grad(lambda v: 0.5 * ((v - y) ** 2).sum(), y_hat), y_hat - y, atol=1e-8)
    wrt_y_hat = grad(lambda v: -(y * np.log(v)).sum(), y_hat)       # CE w.r.t. ŷ itself: −y ⊘ ŷ
    np.testing.assert_allclose(wrt_y_hat, -y / y_hat, rtol=1e-6)
    assert np.abs(wrt_y_hat - (y_hat - y)).max() > SHOWS
    # on the model: §3.1 taken at its word is exact for identity + ½ SSE, wrong for softmax + CE at T = 1
    p, xs, ys, act, _, _ = model()
    ev = errata.evidence("outline-loss-undefined", T_max=T_MAX)
    err = {"identity": [], "softmax": []}
    for output, T in ((o, T) for o in err for T in range(1, T_MAX + 1)):
        g = outline001.to_params(outline001.backward_as_written(
            p, xs[:T], ys[:T], act, output, fix_recursion=True, literal_label=True).grads)
        num = numerical_gradient(p, xs[:T], ys[:T], act, output)[1]
        err[output].append(worst({k: getattr(g, k) for k in NAMES}, num))
    assert max(err["identity"]) < PASSES and ev["identity_error"] < 1e-8
    assert err["softmax"][0] > SHOWS and ev["softmax_T"] == 1
    assert ev["softmax_error"] == pytest.approx(err["softmax"][0], rel=1e-6)


def test_khurana_the_described_sum_over_paths_is_the_gradient():
    p, xs, ys, act, _, _ = model()
    ev = errata.evidence("khurana-images", T_max=T_MAX)
    for T in range(1, T_MAX + 1):
        g = khurana.total_gradient(p, xs[:T], ys[:T], act)[1]
        assert worst({k: getattr(g, k) for k in NAMES}, numerical_gradient(p, xs[:T], ys[:T], act)[1]) < PASSES
        assert ev["errors"][T] < 1e-8
    terms = khurana.path_terms(p, xs, ys, 4, "W", act)              # L_4 → s_4, s_3, s_2, s_1 → W
    L4 = fd(lambda q: forward(q, xs[:4], act).losses(ys[:4])[3], p).W
    assert rel_error(sum(t["term"] for t in terms), L4) < PASSES
    assert ev["paths"] == len(terms) == 4
    ev_k = errata.evidence("khurana-k", T_max=T_MAX)
    assert ev_k["classes"] == p.V.shape[0] == 2                     # k classes ...
    assert ev_k["path_indices"] == sorted(t["k"] for t in terms) == [1, 2, 3, 4]   # ... and k = 1..t


def test_whitehill_gn_one_block_per_hidden_unit():
    p, xs, ys, _, _, _ = model(wh=True)
    N1, n = p.W.shape[0], p.U.shape[1]
    ev = errata.evidence("whitehill-gn", T_max=T_MAX)
    # ∂h_1/∂vec_row[his V] by finite differences: row i is g_{1,i} x_1ᵀ in block i, zero elsewhere
    wp = whitehill.from_params(p)
    eps, J = 1e-6, np.zeros((N1, N1 * n))
    for j in range(N1 * n):
        d = np.zeros(N1 * n)
        d[j] = eps
        h = [np.tanh((wp.V + s * d.reshape(N1, n)) @ xs[0]) for s in (1, -1)]      # h_0 = 0
        J[:, j] = (h[0] - h[1]) / (2 * eps)
    E1 = whitehill.E(whitehill.whitehill_forward(wp, xs, ys), 1)
    np.testing.assert_allclose(E1, J, atol=1e-8)
    blocks = [J[i, i * n:(i + 1) * n] for i in range(N1)]
    assert all(np.abs(b).min() > 0 for b in blocks) and np.count_nonzero(np.abs(J) > 1e-12) == N1 * n
    assert ev["E_shape"] == (N1, N1 * n) and ev["F_shape"] == (N1, N1 * N1)
    assert ev["blocks"] == N1 == 3 and ev["n"] == n == 2            # (g_t)_n would name unit 2 of 3


# ============================================================ component_gradient
# h'(z) in terms of a = h(z), for the hand derivation
H_PRIME = {"tanh": lambda a: 1 - a * a, "sigmoid": lambda a: a * (1 - a), "identity": lambda a: 1 + 0 * a}


def by_hand(p: Params, xs, ys, k: int, activation: str) -> Params:
    """∂ℓ_k/∂θ for ℓ_k = −Σ_t y_{k,t} log ŷ_{k,t}: ∂ℓ_k/∂o_t = −y_{k,t}(e_k − ŷ_t), carried back."""
    tr = forward(p, xs, activation)
    a, y_hat = tr.a, tr.y_hat                                       # (T, N1), (T, N2)
    T, N1 = a.shape
    e_k = np.eye(p.n_out)[k]
    dO = -ys[:, k:k + 1] * (e_k - y_hat)                            # (T, N2)
    a_prev = np.vstack([np.zeros(N1), a[:-1]])                      # (T, N1), a_0 = 0
    dZ = np.zeros((T, N1))
    carry = np.zeros(N1)                                            # Wᵀ ∂ℓ/∂z_{t+1}
    for t in range(T - 1, -1, -1):
        dZ[t] = H_PRIME[activation](a[t]) * (p.V.T @ dO[t] + carry)
        carry = p.W.T @ dZ[t]
    return Params(W=dZ.T @ a_prev, U=dZ.T @ xs, b=dZ.sum(0), V=dO.T @ a, c=dO.sum(0))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), T=st.integers(1, 4), n=st.integers(1, 3), N1=st.integers(1, 3),
       N2=st.integers(2, 4), activation=st.sampled_from(sorted(H_PRIME)))
def test_component_gradient_matches_the_hand_derivation(seed, T, n, N1, N2, activation):
    rng = np.random.default_rng(seed)
    p = Params(W=0.6 * rng.standard_normal((N1, N1)), U=0.6 * rng.standard_normal((N1, n)),
               b=0.4 * rng.standard_normal(N1), V=0.6 * rng.standard_normal((N2, N1)),
               c=0.4 * rng.standard_normal(N2))
    xs, ys = rng.standard_normal((T, n)), rng.dirichlet(np.ones(N2), size=T)     # soft targets too
    comps = [errata.component_gradient(p, xs, ys, k, activation) for k in range(N2)]
    for k, got in enumerate(comps):
        ref = by_hand(p, xs, ys, k, activation)
        for name in NAMES:
            np.testing.assert_allclose(getattr(got, name), getattr(ref, name), atol=1e-7, err_msg=name)
    total = numerical_gradient(p, xs, ys, activation)[1]           # Σ_k ℓ_k = L (cross-entropy)
    for name in NAMES:
        np.testing.assert_allclose(sum(getattr(c, name) for c in comps), getattr(total, name), atol=1e-7)


def test_component_gradient_rejects_bad_k():
    p, xs, ys, act, _, _ = model(2)
    for k in (-1, 2, True, 1.0, "0"):
        with pytest.raises(ValueError, match="k must be"):
            errata.component_gradient(p, xs, ys, k, act)
