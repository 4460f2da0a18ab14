"""Tests for ``rnnlib.Indices``: one-hot inputs and targets given by position (chapter "Training").

``Indices(i)`` as ``xs`` stands for x_t = e_{i_t} (length n = params.n_in), as ``ys`` for
y_t = e_{j_t} (length N2 = params.n_out). The reference everywhere is the one-hot array
written out here with ``np.eye(size)[idx]``, which shares no code with rnnlib's gather and
loss-by-index fast path. Also here: the finiteness checks those fast paths sit next to
(``_check_finite``'s dot-product shortcut, ``check_params`` on values written in place).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import rnnlib
from rnnlib import Indices, Params, bptt, forward, init_params, numerical_gradient, rel_error
from rnnlib._validate import _check_finite, as_float_array, check_finite
from rnnlib.params import NAMES, check_params
from rnnlib.qr import qr_bptt
from rnnlib.tensor_bptt import tensor_bptt, tensor_bptt_einsum
from strategies import ACTIVATIONS, OUTPUTS, random_params, seeds

# every engine with the signature engine(params, xs, ys, activation, output, mask, *, a0)
ENGINES = {"bptt": bptt, "tensor_bptt": tensor_bptt, "tensor_bptt_einsum": tensor_bptt_einsum,
           "qr_bptt": qr_bptt, "numerical_gradient": numerical_gradient, "loss": rnnlib.loss}
GRAD_ENGINES = {k: v for k, v in ENGINES.items() if k != "loss"}
KINDS = ("xs", "ys", "both")          # which of xs / ys is given as Indices


# --- problems given by indices -----------------------------------------------------------------
@dataclass
class IndexProblem:
    """An engine problem whose inputs and targets are one-hot, kept as their indices xi, yi."""

    params: Params
    xi: np.ndarray            # (T,) or (T, B) ints in 0..n-1
    yi: np.ndarray            # same shape, ints in 0..N2-1
    activation: str
    output: str
    mask: np.ndarray | None   # (T,) or (T, B) of 0/1
    a0: np.ndarray | None

    @property
    def T(self) -> int:
        return self.xi.shape[0]

    @property
    def single(self) -> bool:
        return self.xi.ndim == 1

    @property
    def X(self) -> np.ndarray:
        """The one-hot inputs, written out: (T, n) or (T, B, n)."""
        return np.eye(self.params.n_in, dtype=self.params.dtype)[self.xi]

    @property
    def Y(self) -> np.ndarray:
        """The one-hot targets, written out: (T, N2) or (T, B, N2)."""
        return np.eye(self.params.n_out, dtype=self.params.dtype)[self.yi]

    def inputs(self, kind: str):
        """(xs, ys) with ``kind`` ("xs", "ys", "both" or "none") of them given as Indices."""
        xs = Indices(self.xi) if kind in ("xs", "both") else self.X
        ys = Indices(self.yi) if kind in ("ys", "both") else self.Y
        return xs, ys

    def call(self, engine, kind: str, params=None, **kw):
        xs, ys = self.inputs(kind)
        return engine(self.params if params is None else params, xs, ys, self.activation, self.output,
                      self.mask, a0=self.a0, **kw)


def pick(draw, x):
    return draw(x) if isinstance(x, st.SearchStrategy) else x


@st.composite
def index_problems(draw, activation=st.sampled_from(ACTIVATIONS), output=st.sampled_from(OUTPUTS),
                   batch=st.booleans(), masked=st.booleans(), a0=st.booleans(), T=st.integers(1, 8),
                   B=st.integers(1, 3), n=st.integers(1, 4), N1=st.integers(1, 4), N2=st.integers(1, 4),
                   scale=st.floats(0.2, 1.0), dtype=np.float64) -> IndexProblem:
    """Small problems: n, N1, N2 ≤ 4, T ≤ 8, B ≤ 3; a random 0/1 mask and a random a0 if asked."""
    activation, output, T, n, N1, N2 = (pick(draw, x) for x in (activation, output, T, n, N1, N2))
    shape = (T, pick(draw, B)) if pick(draw, batch) else (T,)
    rng = np.random.default_rng(draw(seeds))
    params = random_params(rng, n, N1, N2, pick(draw, scale), dtype)
    xi = rng.integers(0, n, size=shape)
    yi = rng.integers(0, N2, size=shape)
    mask = (rng.random(shape) < 0.6).astype(np.float64) if pick(draw, masked) else None
    state = (0.5 * rng.standard_normal(shape[1:] + (N1,))).astype(dtype) if pick(draw, a0) else None
    return IndexProblem(params, xi, yi, activation, output, mask, state)


def grads_of(engine_name: str, out):
    """(loss, grads or None) from any engine's return value."""
    return (out, None) if engine_name == "loss" else out


def assert_same(got, want, rtol: float, what: str = ""):
    """Loss and gradients of two engine calls agree to ``rtol`` (relative, per parameter)."""
    (l1, g1), (l2, g2) = got, want
    assert isinstance(l1, float), what
    assert l1 == pytest.approx(l2, rel=rtol, abs=1e-15), what
    if g2 is None:
        return
    for name in NAMES:
        a, b = getattr(g1, name), getattr(g2, name)
        assert a.shape == b.shape and a.dtype == b.dtype, (what, name, a.dtype, b.dtype)
        assert rel_error(a, b) <= rtol, (what, name, a, b)


def assert_trace_equal(got: rnnlib.Trace, want: rnnlib.Trace, rtol: float = 1e-14):
    assert_array_equal(got.xs, want.xs)
    assert got.xs.dtype == want.xs.dtype
    for field in ("z", "a", "o", "y_hat", "a0"):
        g, w = getattr(got, field), getattr(want, field)
        assert g.shape == w.shape and g.dtype == w.dtype, field
        assert_allclose(g, w, rtol=rtol, atol=1e-300, err_msg=field)
    assert (got.activation, got.output) == (want.activation, want.output)


def raises_naming(exc, arg: str, not_arg: str | None = None):
    """pytest.raises(exc) whose message names ``arg`` as a word (and, if given, not ``not_arg``)."""
    pattern = rf"(?<![\w.]){re.escape(arg)}(?!\w)"
    if not_arg is not None:
        pattern = rf"^(?!.*(?<![\w.]){re.escape(not_arg)}(?!\w))(?=.*{pattern})"
    return pytest.raises(exc, match=re.compile(pattern, re.S))


combos = pytest.mark.parametrize("activation,output", [(h, g) for h in ACTIVATIONS for g in OUTPUTS])


# ---------------------------------------------------------------------------------------------
# 1. Indices give the same numbers as the one-hot arrays, in every engine
# ---------------------------------------------------------------------------------------------
@combos
@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
@settings(max_examples=4)
@given(data=st.data())
def test_indices_equal_one_hot_in_every_engine(activation, output, batch, masked, data):
    p = data.draw(index_problems(activation=activation, output=output, batch=batch, masked=masked))
    for name, engine in ENGINES.items():
        want = grads_of(name, p.call(engine, "none"))               # one-hot arrays from np.eye
        for kind in KINDS:
            got = grads_of(name, p.call(engine, kind))
            assert_same(got, want, 1e-12, f"{name} with Indices {kind}")
            if name == "bptt":
                assert type(got[1]) is Params
    # forward takes only xs
    tr = forward(p.params, Indices(p.xi), activation, output, a0=p.a0)
    assert_trace_equal(tr, forward(p.params, p.X, activation, output, a0=p.a0))


@settings(max_examples=25)
@given(index_problems(), st.sampled_from(["xs", "ys", "both"]))
def test_indices_of_any_integer_dtype_or_list(p, kind):
    """int8, uint8, int32 arrays, nested lists of Python ints, and non-contiguous (strided, Fortran-ordered)
    views: the same numbers."""
    want = p.call(bptt, "none")
    for conv in (lambda v: v.astype(np.int8), lambda v: v.astype(np.uint8), lambda v: v.astype(np.int32),
                 lambda v: v.tolist(), lambda v: np.repeat(v, 2, axis=0)[::2], np.asfortranarray):
        xs = Indices(conv(p.xi)) if kind in ("xs", "both") else p.X
        ys = Indices(conv(p.yi)) if kind in ("ys", "both") else p.Y
        got = bptt(p.params, xs, ys, p.activation, p.output, p.mask, a0=p.a0)
        assert_same(got, want, 1e-12, kind)


def test_indices_equal_one_hot_guard():
    """A guard that the equivalence test compares things that differ: other indices, other numbers."""
    p = IndexProblem(init_params(3, 4, 3, seed=2), np.array([0, 2, 1, 1]), np.array([2, 1, 0, 0]),
                     "tanh", "softmax", None, None)
    loss, grads = p.call(bptt, "both")
    for xi, yi in ((np.array([0, 2, 1, 0]), p.yi), (p.xi, np.array([2, 1, 0, 1]))):
        other = IndexProblem(p.params, xi, yi, "tanh", "softmax", None, None)
        loss2, grads2 = other.call(bptt, "none")
        assert abs(loss2 - loss) > 1e-6
        assert max(rel_error(a, b) for a, b in zip(grads, grads2)) > 1e-6


# ---------------------------------------------------------------------------------------------
# 2. bptt with Indices against finite differences and the carried tensors; truncate, a0, a_T
# ---------------------------------------------------------------------------------------------
def kink_free(p: IndexProblem, margin: float = 1e-4) -> bool:
    if p.activation != "relu":
        return True
    return float(np.min(np.abs(forward(p.params, p.X, "relu", a0=p.a0).z))) >= margin


def chunked(p: IndexProblem, engine, k: int | None):
    """truncate=k by its definition: ``engine`` on the one-hot chunks [0,k), [k,2k), … each run from the
    carried state (a constant); losses and gradients summed."""
    X, Y = p.X, p.Y
    k = p.T if k is None else k
    tr = forward(p.params, X, p.activation, p.output, a0=p.a0)
    loss, grads = 0.0, None
    for s in range(0, p.T, k):
        e = min(s + k, p.T)
        a_start = tr.a0 if s == 0 else tr.a[s - 1]
        mask = None if p.mask is None else p.mask[s:e]
        l, g = engine(p.params, X[s:e], Y[s:e], p.activation, p.output, mask, a0=a_start)
        loss += l
        grads = g if grads is None else grads.map(np.add, g)
    return loss, grads


@settings(max_examples=60)
@given(index_problems(T=st.integers(1, 6), n=st.integers(1, 3), N1=st.integers(1, 3), N2=st.integers(1, 3),
                      a0=True),
       st.sampled_from(KINDS), st.one_of(st.none(), st.integers(1, 7)))
def test_bptt_with_indices_matches_finite_differences_and_tensor_bptt(p, kind, k):
    assert p.a0 is not None and np.any(p.a0 != 0)
    assume(kink_free(p))                                    # relu: no z_t within 1e-4 of the kink
    loss, grads, a_T = p.call(bptt, kind, truncate=k, return_state=True)

    loss_fd, g_fd = chunked(p, numerical_gradient, k)
    floor = 1e-9 * max(1.0, abs(loss_fd))                    # central differences' round-off (ε = 1e-6)
    assert loss == pytest.approx(loss_fd, rel=1e-12, abs=1e-15)
    for name in NAMES:
        a, b = getattr(grads, name), getattr(g_fd, name)
        assert rel_error(a, b) <= 1e-7 or np.max(np.abs(a - b)) <= floor, (name, a, b)

    loss_t, g_t = chunked(p, tensor_bptt, k)
    assert loss == pytest.approx(loss_t, rel=1e-12, abs=1e-15)
    for name in NAMES:
        assert rel_error(getattr(grads, name), getattr(g_t, name)) <= 1e-10, name

    want_a_T = forward(p.params, p.X, p.activation, p.output, a0=p.a0).a[-1]
    assert a_T.shape == want_a_T.shape == ((p.params.n_hidden,) if p.single else (p.xi.shape[1], p.params.n_hidden))
    assert_allclose(a_T, want_a_T, rtol=1e-14, atol=1e-300)


def test_truncation_with_indices_changes_the_gradient():
    """A guard for the test above: truncate=1 and a non-zero a0 both change what is compared."""
    rng = np.random.default_rng(3)
    params = random_params(rng, 3, 3, 3)
    xs, ys = Indices(rng.integers(0, 3, 6)), Indices(rng.integers(0, 3, 6))
    _, full = bptt(params, xs, ys)
    _, cut = bptt(params, xs, ys, truncate=1)
    _, moved = bptt(params, xs, ys, a0=np.full(3, 0.5))
    assert rel_error(full.W, cut.W) > 1e-3
    assert rel_error(full.W, moved.W) > 1e-3


def test_chunks_carried_with_return_state():
    """Chunk by chunk, carrying a_T into a0: the sum is bptt(truncate=k) on the whole sequence."""
    rng = np.random.default_rng(4)
    params = random_params(rng, 4, 3, 5)
    xi, yi = rng.integers(0, 4, (7, 2)), rng.integers(0, 5, (7, 2))
    a0 = 0.3 * rng.standard_normal((2, 3))
    loss, grads = bptt(params, Indices(xi), Indices(yi), truncate=3, a0=a0)
    state, total, acc = a0, 0.0, params.zeros_like()
    for s in range(0, 7, 3):
        l, g, state = bptt(params, Indices(xi[s:s + 3]), Indices(yi[s:s + 3]), a0=state, return_state=True)
        total += l
        acc = acc.map(np.add, g)
    assert total == pytest.approx(loss, rel=1e-12)
    for name in NAMES:
        assert rel_error(getattr(acc, name), getattr(grads, name)) <= 1e-12, name
    assert_allclose(state, forward(params, Indices(xi), a0=a0).a[-1], rtol=1e-13)


def test_returned_gradients_do_not_share_the_workspace():
    """bptt reuses one workspace per thread: gradients and a_T of one call survive the next call."""
    rng = np.random.default_rng(5)
    params = random_params(rng, 3, 4, 3)
    xi, yi = rng.integers(0, 3, (5, 2)), rng.integers(0, 3, (5, 2))
    loss, grads, a_T = bptt(params, Indices(xi), Indices(yi), return_state=True)
    kept = [x.copy() for x in grads], a_T.copy()
    bptt(params, Indices((xi + 1) % 3), Indices((yi + 2) % 3), "sigmoid", a0=np.ones(4), return_state=True)
    for got, want in zip(grads, kept[0]):
        assert_array_equal(got, want)
    assert_array_equal(a_T, kept[1])
    check_params(grads, "grads")                               # finite, a real Params
    for name in NAMES:
        assert getattr(grads, name).shape == getattr(params, name).shape


# ---------------------------------------------------------------------------------------------
# 3. float32
# ---------------------------------------------------------------------------------------------
@combos
@settings(max_examples=6)
@given(data=st.data())
def test_float32_indices_equal_float32_one_hot(activation, output, data):
    p = data.draw(index_problems(activation=activation, output=output, dtype=np.float32))
    assert p.params.dtype == np.float32 and p.X.dtype == np.float32
    for name, engine in ENGINES.items():
        want = grads_of(name, p.call(engine, "none"))
        for kind in KINDS:
            got = grads_of(name, p.call(engine, kind))
            assert_same(got, want, 1e-5, f"{name} with Indices {kind}")
            if got[1] is not None:
                dtype = np.float64 if name == "numerical_gradient" else np.float32   # it always works in float64
                for field in NAMES:
                    assert getattr(got[1], field).dtype == dtype, (name, field)
    tr = forward(p.params, Indices(p.xi), activation, output, a0=p.a0)
    assert tr.z.dtype == tr.xs.dtype == np.float32
    assert_trace_equal(tr, forward(p.params, p.X, activation, output, a0=p.a0), rtol=1e-6)


def test_float32_indices_a_T_is_float32():
    params = init_params(3, 4, 2, seed=1, dtype=np.float32)
    _, grads, a_T = bptt(params, Indices([0, 1, 2]), Indices([1, 0, 1]), a0=np.ones(4), return_state=True)
    assert a_T.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)


# ---------------------------------------------------------------------------------------------
# 4. forward and Trace.losses
# ---------------------------------------------------------------------------------------------
@settings(max_examples=40)
@given(index_problems())
def test_forward_and_trace_losses_with_indices(p):
    tr = forward(p.params, Indices(p.xi), p.activation, p.output, a0=p.a0)
    want = forward(p.params, p.X, p.activation, p.output, a0=p.a0)
    assert_trace_equal(tr, want)
    assert tr.xs.shape == p.X.shape
    for mask in (None, p.mask):
        L = tr.losses(Indices(p.yi), mask)
        assert L.shape == p.xi.shape
        assert_allclose(L, want.losses(p.Y, mask), rtol=1e-13, atol=1e-300)


def test_trace_losses_indices_by_hand():
    """L_t = -log ŷ_{t, j_t} (softmax) and ½‖o_t - e_{j_t}‖² (identity), computed here."""
    params = init_params(2, 3, 3, seed=6)
    xs = Indices([1, 0, 1])
    j = np.array([2, 0, 1])
    tr = forward(params, xs)
    assert_allclose(tr.losses(Indices(j)), -np.log(tr.y_hat[np.arange(3), j]), rtol=1e-13)
    tr = forward(params, xs, output="identity")
    assert_allclose(tr.losses(Indices(j)), 0.5 * ((tr.o - np.eye(3)[j]) ** 2).sum(axis=1), rtol=1e-13)


LOSSES_BAD = [
    ("shorter T", False, [0, 1, 2], ValueError),
    ("longer T", False, [0, 1, 2, 0, 1], ValueError),
    ("batch for a single", False, [[0], [1], [2], [0]], ValueError),
    ("single for a batch", True, [0, 1, 2, 0], ValueError),
    ("other B", True, [[0, 1, 2]] * 4, ValueError),
    ("index N2", False, [0, 1, 3, 0], ValueError),
    ("index -1", True, [[0, 1], [2, -1], [0, 0], [1, 1]], ValueError),
]


@pytest.mark.parametrize("batch,values,exc", [pytest.param(*c[1:], id=c[0]) for c in LOSSES_BAD])
def test_trace_losses_rejects_bad_indices(batch, values, exc):
    params = init_params(4, 3, 3, seed=0)                        # n = 4 > N2 = 3: index 3 is only valid as xs
    xi = np.array([[0, 3], [1, 2], [3, 3], [0, 1]]) if batch else np.array([0, 3, 1, 2])
    tr = forward(params, Indices(xi))
    tr.losses(Indices(np.zeros(xi.shape, int) + 2))             # the positive control: index N2 - 1
    with raises_naming(exc, "ys"):
        tr.losses(Indices(values))


def test_trace_losses_with_indices_rejects_bad_mask():
    tr = forward(init_params(2, 3, 2), Indices([0, 1, 1]))
    with raises_naming(ValueError, "mask"):
        tr.losses(Indices([0, 1, 0]), np.ones(2))
    with raises_naming(ValueError, "mask"):
        tr.losses(Indices([0, 1, 0]), np.array([1, 0.5, 1]))


# ---------------------------------------------------------------------------------------------
# 5. errors
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("values,exc", [
    pytest.param(np.array([0.0, 1.0, 2.0]), TypeError, id="float array"),
    pytest.param([0, 1.5, 2], TypeError, id="float in a list"),
    pytest.param(np.array([[0.0, 1.0]]), TypeError, id="float 2-D"),
    pytest.param(np.array([True, False]), TypeError, id="bool"),
    pytest.param([True, False, True], TypeError, id="bool list"),
    pytest.param(np.array([0, 1]) + 0j, TypeError, id="complex"),
    pytest.param(["0", "1"], TypeError, id="strings"),
    pytest.param(np.zeros((2, 2, 2), int), ValueError, id="3-D"),
    pytest.param(np.int64(3), ValueError, id="0-D"),
])
def test_indices_constructor_rejects(values, exc):
    """Raised by Indices(...) itself, before any engine sees it: the message names Indices."""
    with raises_naming(exc, "Indices"):
        Indices(values)


def engine_call(engine, n=2, N2=4, T=3, B=None, xs=None, ys=None, **kw):
    """engine on a valid Indices problem (n = 2 inputs, N2 = 4 outputs) with some arguments replaced."""
    params = init_params(n, 3, N2, seed=0)
    shape = (T,) if B is None else (T, B)
    xs = Indices(np.zeros(shape, int) + (n - 1)) if xs is None else xs
    ys = Indices(np.zeros(shape, int) + (N2 - 1)) if ys is None else ys
    return engine(params, xs, ys, **kw)


ALL_ENGINES = pytest.mark.parametrize("engine", list(ENGINES.values()), ids=list(ENGINES))


@ALL_ENGINES
def test_valid_index_problems_are_accepted(engine):
    """Positive controls for the rejections below: the largest valid index of each, single and batch,
    with xs or ys as arrays, with a mask."""
    for B in (None, 2):
        shape = (3,) if B is None else (3, B)
        engine_call(engine, B=B)
        engine_call(engine, B=B, ys=np.eye(4)[np.full(shape, 3)])
        engine_call(engine, B=B, xs=np.eye(2)[np.full(shape, 1)])
        engine_call(engine, B=B, mask=np.ones(shape), output="identity", activation="relu")
        engine_call(engine, n=4, N2=2, B=B, xs=Indices(np.full(shape, 3)), ys=Indices(np.full(shape, 1)))


XS_BAD = [  # (id, batch, xs values, n, N2): index out of 0..n-1 with N2 > n, so ys-range checking would pass it
    ("index n", False, [0, 2, 1], 2, 4),
    ("index n+1 batch", True, [[0, 1], [1, 3], [0, 0]], 2, 4),
    ("index -1", False, [0, -1, 1], 2, 4),
    ("index -n batch", True, [[0, 1], [1, 1], [-2, 0]], 2, 4),
    ("huge index", False, [0, 2**40, 1], 2, 4),
]


@ALL_ENGINES
@pytest.mark.parametrize("batch,values,n,N2", [pytest.param(*c[1:], id=c[0]) for c in XS_BAD])
def test_xs_index_out_of_range(engine, batch, values, n, N2):
    with raises_naming(ValueError, "xs", not_arg="ys"):
        engine_call(engine, n=n, N2=N2, B=2 if batch else None, xs=Indices(values))


YS_BAD = [  # index out of 0..N2-1 with n > N2, so xs-range checking would pass it
    ("index N2", False, [0, 2, 1], 4, 2),
    ("index N2+1 batch", True, [[0, 1], [1, 3], [0, 0]], 4, 2),
    ("index -1", False, [0, -1, 1], 4, 2),
    ("index -1 batch", True, [[0, 1], [1, 1], [0, -1]], 4, 2),
]


@ALL_ENGINES
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("batch,values,n,N2", [pytest.param(*c[1:], id=c[0]) for c in YS_BAD])
def test_ys_index_out_of_range(engine, output, batch, values, n, N2):
    with raises_naming(ValueError, "ys", not_arg="xs"):
        engine_call(engine, n=n, N2=N2, B=2 if batch else None, ys=Indices(values), output=output)


def test_ys_out_of_range_at_a_masked_step_is_still_an_error():
    """A mask does not make an impossible class possible: index N2 is rejected even where m_t = 0."""
    with raises_naming(ValueError, "ys"):
        engine_call(bptt, ys=Indices([0, 1, 4]), mask=np.array([1.0, 1.0, 0.0]))


YS_SHAPE_BAD = [  # (id, xs, ys); T = 3, B = 2 in the valid problem
    ("ys shorter T, single", Indices([1, 1, 1]), Indices([3, 3])),
    ("ys longer T, single", Indices([1, 1, 1]), Indices([3, 3, 3, 3])),
    ("ys shorter T, batch", Indices([[1, 1]] * 3), Indices([[3, 3]] * 2)),
    ("ys other B", Indices([[1, 1]] * 3), Indices([[3, 3, 3]] * 3)),
    ("ys B = 1 for B = 2", Indices([[1, 1]] * 3), Indices([[3]] * 3)),
    ("ys batch for a single", Indices([1, 1, 1]), Indices([[3]] * 3)),
    ("ys single for a batch", Indices([[1]] * 3), Indices([3, 3, 3])),
    ("ys batch for single array xs", np.eye(2)[[1, 1, 1]], Indices([[3]] * 3)),
    ("ys single for batch array xs", np.eye(2)[[[1, 1]] * 3], Indices([3, 3, 3])),
    ("ys other T for array xs", np.eye(2)[[[1, 1]] * 3], Indices([[3, 3]] * 4)),
    ("array ys other T for Indices xs", Indices([1, 1, 1]), np.eye(4)[[3, 3]]),
    ("array ys batch for Indices single", Indices([1, 1, 1]), np.eye(4)[[[3]] * 3]),
]


@ALL_ENGINES
@pytest.mark.parametrize("xs,ys", [pytest.param(*c[1:], id=c[0]) for c in YS_SHAPE_BAD])
def test_ys_shape_must_match_xs(engine, xs, ys):
    with raises_naming(ValueError, "ys"):
        engine_call(engine, xs=xs, ys=ys)


EMPTY = [  # (id, xs, ys, argument named)
    ("T = 0 single", Indices(np.zeros(0, int)), Indices(np.zeros(0, int))),
    ("T = 0 batch", Indices(np.zeros((0, 2), int)), Indices(np.zeros((0, 2), int))),
    ("T = 0, ys array", Indices(np.zeros(0, int)), np.zeros((0, 4))),
    ("B = 0", Indices(np.zeros((3, 0), int)), Indices(np.zeros((3, 0), int))),
    ("B = 0, ys array", Indices(np.zeros((3, 0), int)), np.zeros((3, 0, 4))),
]


@ALL_ENGINES
@pytest.mark.parametrize("xs,ys", [pytest.param(*c[1:], id=c[0]) for c in EMPTY])
def test_empty_indices_rejected(engine, xs, ys):
    with raises_naming(ValueError, "xs"):
        engine_call(engine, xs=xs, ys=ys)


def test_empty_indices_rejected_by_forward():
    for xs in (Indices(np.zeros(0, int)), Indices(np.zeros((0, 3), int)), Indices(np.zeros((4, 0), int))):
        with raises_naming(ValueError, "xs"):
            forward(init_params(2, 3, 2), xs)


def test_empty_ys_indices_with_valid_xs_rejected():
    with raises_naming(ValueError, "ys"):
        engine_call(bptt, ys=Indices(np.zeros(0, int)))


MASK_BAD = [  # (id, batch, mask)
    ("mask other T", False, np.ones(2)),
    ("mask (T, 1) for a single", False, np.ones((3, 1))),
    ("mask (T,) for a batch", True, np.ones(3)),
    ("mask other B", True, np.ones((3, 3))),
    ("mask value 0.5", False, np.array([1, 0.5, 1])),
    ("mask NaN", True, np.array([[1, 1], [np.nan, 1], [1, 1]])),
    ("mask Indices", False, Indices([1, 1, 1])),
]


@ALL_ENGINES
@pytest.mark.parametrize("batch,mask", [pytest.param(*c[1:], id=c[0]) for c in MASK_BAD])
def test_bad_mask_with_indices_rejected(engine, batch, mask):
    with raises_naming((ValueError, TypeError), "mask"):
        engine_call(engine, B=2 if batch else None, mask=mask)


@ALL_ENGINES
def test_bad_a0_with_indices_rejected(engine):
    with raises_naming(ValueError, "a0"):
        engine_call(engine, a0=np.zeros(4))
    with raises_naming(ValueError, "a0"):
        engine_call(engine, B=2, a0=np.zeros((3, 3)))
    with raises_naming(ValueError, "a0"):
        engine_call(engine, a0=np.array([0, np.inf, 0]))


@pytest.mark.parametrize("xs", [Indices([0, 2, 1]), Indices([[0, -1]] * 3)])
def test_forward_rejects_out_of_range_indices(xs):
    with raises_naming(ValueError, "xs"):
        forward(init_params(2, 3, 4), xs)


def test_plain_integer_arrays_are_numbers_not_indices():
    """Only Indices means "by position": a (T,) int array is rejected, a (T, n) int array is T vectors."""
    params = init_params(3, 4, 3, seed=0)
    with raises_naming(ValueError, "xs"):
        bptt(params, np.array([0, 2, 1]), Indices([0, 1, 2]))
    with raises_naming(ValueError, "ys"):
        bptt(params, Indices([0, 2, 1]), np.array([0, 1, 2]))
    ints = np.eye(3, dtype=int)[[0, 2, 1]]
    assert_same(bptt(params, ints, Indices([0, 1, 2])), bptt(params, Indices([0, 2, 1]), Indices([0, 1, 2])), 1e-12)


@ALL_ENGINES
def test_nonfinite_params_rejected_with_indices(engine):
    params = init_params(2, 3, 4, seed=0)
    params.U[0, 1] = np.nan                                    # the column the gather reads
    with raises_naming(ValueError, "params.U"):
        engine(params, Indices([1, 1, 0]), Indices([3, 0, 1]))


# ---------------------------------------------------------------------------------------------
# 6. masked steps
# ---------------------------------------------------------------------------------------------
@settings(max_examples=30)
@given(index_problems(masked=False, N2=st.integers(2, 4), T=st.integers(2, 8)), st.integers(1, 3))
def test_target_at_a_masked_step_changes_nothing(p, shift):
    shift = 1 + shift % (p.params.n_out - 1)                    # another class: 1 ≤ shift < N2
    rng = np.random.default_rng(p.T * 7 + shift)
    mask = (rng.random(p.xi.shape) < 0.5).astype(np.float64)
    mask.flat[0], mask.flat[-1] = 1.0, 0.0                      # at least one live and one masked step
    p.mask = mask
    yi_masked = np.where(mask == 0, (p.yi + shift) % p.params.n_out, p.yi)   # other classes where m = 0
    assert np.any(yi_masked != p.yi)
    B = 1 if p.single else p.xi.shape[1]
    O = forward(p.params, p.X, p.activation, p.output, a0=p.a0).o
    for name, engine in ENGINES.items():
        base = grads_of(name, engine(p.params, Indices(p.xi), Indices(p.yi), p.activation, p.output, mask, a0=p.a0))
        moved = grads_of(name, engine(p.params, Indices(p.xi), Indices(yi_masked), p.activation, p.output, mask,
                                      a0=p.a0))
        assert_same(moved, base, 1e-14, name)
        # positive control: a new target at a live step moves L by exactly o_j - o_j' (both outputs)
        live = tuple(np.argwhere(mask == 1)[0])
        yi_live = p.yi.copy()
        j = yi_live[live]
        yi_live[live] = j2 = (j + shift) % p.params.n_out
        changed = grads_of(name, engine(p.params, Indices(p.xi), Indices(yi_live), p.activation, p.output, mask,
                                        a0=p.a0))[0]
        o = O[live] if p.single else O[live[0], live[1]]
        assert changed - base[0] == pytest.approx((o[j] - o[j2]) / B, rel=1e-6, abs=1e-9), name


# ---------------------------------------------------------------------------------------------
# 7. _check_finite, as_float_array, check_params
# ---------------------------------------------------------------------------------------------
HUGE = [
    pytest.param(np.full((4, 3), 1e200), id="1e200 float64"),
    pytest.param(np.full((4, 3), -1e200), id="-1e200 float64"),
    pytest.param(np.array([[1e200, -1.7e308], [3.0, 1e308]]), id="near max float64"),
    pytest.param(np.full((5, 2), 3e38, np.float32), id="3e38 float32"),
    pytest.param(np.array([3e38, -3.4e38, 1.0], np.float32), id="near max float32"),
    pytest.param(np.full((4, 3), 1e200)[:, ::2], id="1e200 strided"),
    pytest.param(np.full((3, 4), 3e38, np.float32).T, id="3e38 transposed"),
]


@pytest.mark.parametrize("arr", HUGE)
def test_huge_finite_values_are_accepted(arr):
    with np.errstate(over="ignore"):
        assert not np.isfinite(np.sum(arr.astype(arr.dtype) ** 2))   # the sum of squares does overflow
    _check_finite("xs", arr, "contains NaN or Inf")
    assert check_finite("xs", arr) is arr
    out = as_float_array("xs", arr)
    assert out.dtype == arr.dtype
    assert_array_equal(out, arr)
    if arr.dtype == np.float32:
        assert_array_equal(as_float_array("xs", arr, np.float64), arr.astype(np.float64))


def test_huge_finite_params_pass_check_params():
    for dtype, big in ((np.float64, 1e200), (np.float32, 3e38)):
        p = init_params(3, 4, 2, dtype=dtype)
        q = Params(W=np.full((4, 4), big, dtype), U=p.U, b=p.b, V=p.V, c=p.c)
        assert check_params(q) is q
        with np.errstate(over="ignore", invalid="ignore"):
            assert not np.isfinite(np.dot(q.W.ravel(), q.W.ravel()))


def layouts(arr: np.ndarray):
    """The same values as a C-ordered array, a transposed view (Fortran order), a strided view and a
    view with negative strides: only the first takes _check_finite's dot-product path."""
    big = np.zeros((arr.shape[0], 2 * arr.shape[1]), arr.dtype)
    big[:, ::2] = arr
    return {"C": arr, "transposed": np.ascontiguousarray(arr.T).T, "strided": big[:, ::2],
            "negative strides": np.ascontiguousarray(arr[::-1, ::-1])[::-1, ::-1]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [(0, 0), (1, 2), (3, 4)])
@pytest.mark.parametrize("fill", [1.0, 1e200], ids=["ones", "huge"])
def test_nonfinite_rejected_in_any_layout(dtype, bad, where, fill):
    fill = min(fill, 3e38) if dtype == np.float32 else fill
    arr = np.full((4, 5), fill, dtype)
    arr[where] = bad
    for layout, view in layouts(arr).items():
        assert_array_equal(view, arr)
        assert view.flags.c_contiguous == (layout == "C"), layout
        for name, call in (("xs", lambda n: as_float_array(n, view)), ("mask", lambda n: check_finite(n, view)),
                           ("a0", lambda n: _check_finite(n, view, "contains NaN or Inf"))):
            with raises_naming(ValueError, name) as info:
                call(name)
            assert f"index {where}" in str(info.value), (layout, str(info.value))   # the first bad entry
    with raises_naming(ValueError, "ys") as info:            # in a transposed view it sits at the transposed index
        check_finite("ys", arr.T)
    assert f"index {where[::-1]}" in str(info.value)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_values_rejected_by_engines_in_non_contiguous_arrays(bad):
    params = init_params(2, 3, 2, seed=0)
    X = np.ascontiguousarray(np.eye(2)[[0, 1, 1, 0]].T)       # (n, T); .T is a non-contiguous (T, n)
    X[1, 2] = bad
    with raises_naming(ValueError, "xs"):
        bptt(params, X.T, Indices([0, 1, 1, 0]))
    with raises_naming(ValueError, "a0"):
        bptt(params, Indices([0, 1, 1, 0]), Indices([0, 1, 1, 0]), a0=np.array([0.0, 0.0, bad, 0.0, 0.0, 0.0])[::2])


def test_float64_values_overflowing_float32_are_rejected():
    with raises_naming(ValueError, "xs"):
        as_float_array("xs", np.array([1.0, 1e39]), np.float32)
    params = init_params(2, 3, 2, dtype=np.float32)
    with raises_naming(ValueError, "xs"):
        bptt(params, np.array([[1e39, 0.0]]), Indices([0]))


@pytest.mark.parametrize("field", NAMES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_params_sees_values_written_in_place(field, bad):
    params = init_params(3, 4, 2, seed=0)
    check_params(params)                                        # valid when made
    getattr(params, field).flat[-1] = bad                       # written after construction
    with raises_naming(ValueError, f"params.{field}"):
        check_params(params)
    with raises_naming(ValueError, f"params.{field}"):
        bptt(params, Indices([0, 1, 2]), Indices([1, 0, 1]))
    with raises_naming(ValueError, f"model.{field}"):
        check_params(params, "model")


def test_check_params_sees_nan_in_a_non_contiguous_W():
    W = np.ascontiguousarray(init_params(3, 4, 2).W.T).T          # a transposed view, Fortran-ordered
    p = init_params(3, 4, 2)
    params = Params(W=W, U=p.U, b=p.b, V=p.V, c=p.c)
    assert not params.W.flags.c_contiguous
    check_params(params)
    params.W[2, 1] = np.nan
    with raises_naming(ValueError, "params.W"):
        check_params(params)


# ---------------------------------------------------------------------------------------------
# 8. repr and one_hot
# ---------------------------------------------------------------------------------------------
def test_repr():
    assert repr(Indices([0, 2, 1])) == "Indices([0, 2, 1])"
    assert repr(Indices(np.array([[0, 1], [3, 2]], np.uint8))) == "Indices([[0, 1], [3, 2]])"
    idx = Indices(np.array([[4, 0, 2]]))
    again = eval(repr(idx), {"Indices": Indices})
    assert_array_equal(again.values, idx.values)
    assert idx.shape == (1, 3) and Indices([5]).shape == (1,)
    assert idx.values.dtype == np.intp


@pytest.mark.parametrize("shape", [(1,), (5,), (3, 1), (4, 3)])
@pytest.mark.parametrize("size", [1, 2, 7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_hot(shape, size, dtype):
    values = np.random.default_rng(sum(shape) + size).integers(0, size, shape)
    out = Indices(values).one_hot(size) if dtype is np.float64 else Indices(values).one_hot(size, dtype)   # default float64
    assert out.shape == shape + (size,)
    assert out.dtype == dtype
    assert_array_equal(out, np.eye(size)[values])
    assert_array_equal(out.sum(axis=-1), 1)
    assert_array_equal(np.argmax(out, axis=-1), values)


@pytest.mark.parametrize("values", [[0, 3, 1], [0, -1, 1], [[0, 1], [1, 5]]])
def test_one_hot_rejects_out_of_range(values):
    with pytest.raises(ValueError, match="outside 0..2"):
        Indices(values).one_hot(3)


def test_huge_unsigned_indices_are_rejected_not_wrapped():
    with pytest.raises(ValueError, match="too large"):
        Indices(np.array([2**63], np.uint64))


def test_empty_list_is_an_empty_sequence_not_a_type_error():
    p = init_params(3, 4, 3)
    assert Indices([]).shape == (0,)
    with pytest.raises(ValueError, match="xs is an empty sequence"):
        bptt(p, Indices([]), Indices([]))


def test_release_workspace_then_bptt_allocates_and_agrees():
    from rnnlib.bptt import _CACHE, release_workspace
    p = init_params(4, 5, 3, seed=2)
    xs, ys = Indices([[0, 1], [2, 3], [1, 0]]), Indices([[2, 0], [1, 1], [0, 2]])
    loss1, g1 = bptt(p, xs, ys)
    assert getattr(_CACHE, "buf", None) is not None            # kept from the call
    release_workspace()
    assert _CACHE.buf is None
    loss2, g2 = bptt(p, xs, ys)
    assert loss1 == loss2 and all(np.array_equal(a, b) for a, b in zip(g1, g2))


def test_train_takes_indices_and_follows_the_one_hot_run():
    p = init_params(5, 8, 5, seed=0)
    idx = np.random.default_rng(0).integers(0, 5, (7, 4))
    mask = np.ones((6, 4))
    mask[4:, 1] = 0
    eye = np.eye(5)
    by_index = rnnlib.train(p, [(Indices(idx[:-1]), Indices(idx[1:]), mask)], optimizer="adam", lr=0.01,
                            max_epochs=3, progress="none")
    one_hot = rnnlib.train(p, [(eye[idx[:-1]], eye[idx[1:]], mask)], optimizer="adam", lr=0.01,
                           max_epochs=3, progress="none")
    assert_allclose(by_index.history, one_hot.history, rtol=1e-12)
    assert by_index.history[-1] < by_index.history[0]
    for a, b in zip(by_index.params, one_hot.params):
        assert_allclose(a, b, rtol=1e-10, atol=1e-14)
