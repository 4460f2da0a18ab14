"""Bad input raises ValueError/TypeError naming the argument (every chapter; rnnlib._validate).

Every engine with the signature ``engine(params, xs, ys, activation, output, mask, *, a0)``
is checked: rnnlib.bptt, rnnlib.numerical_gradient, rnnlib.loss, and — once they
exist — rnnlib.tensor_bptt.tensor_bptt and rnnlib.qr.qr_bptt (skipped until then).
"""
from __future__ import annotations

import importlib
import inspect
import re

import numpy as np
import pytest

import rnnlib
from rnnlib import Params, forward, init_params

ERRORS = (ValueError, TypeError)


def optional_engine(module: str, name: str):
    """pytest.param for an engine another module may not provide yet (skipped if missing)."""
    try:
        engine = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise                                   # the module exists but is broken: fail loudly
        engine = None
    except AttributeError:
        engine = None
    marks = () if engine is not None else pytest.mark.skip(reason=f"{module}.{name} not available")
    return pytest.param(engine, id=name, marks=marks)


ENGINES = [
    pytest.param(rnnlib.bptt, id="bptt"),
    pytest.param(rnnlib.numerical_gradient, id="numerical_gradient"),
    pytest.param(rnnlib.loss, id="loss"),
    optional_engine("rnnlib.tensor_bptt", "tensor_bptt"),
    optional_engine("rnnlib.tensor_bptt", "tensor_bptt_einsum"),
    optional_engine("rnnlib.qr", "qr_bptt"),
]

T, B, n, N1, N2 = 4, 2, 2, 3, 3


def valid():
    """A small valid problem: single sequence (xs, ys, mask) and batch (xb, yb, mb)."""
    rng = np.random.default_rng(1)
    return dict(
        params=init_params(n, N1, N2, seed=1),
        xs=rng.standard_normal((T, n)), ys=np.eye(N2)[[0, 1, 2, 0]], mask=np.array([1.0, 1, 1, 0]),
        xb=rng.standard_normal((T, B, n)), yb=np.eye(N2)[rng.integers(0, N2, (T, B))],
        mb=np.ones((T, B)),
    )


def accepts(engine, name: str) -> bool:
    return name in inspect.signature(engine).parameters


def call(engine, batch=False, **over):
    """Call ``engine`` on the valid problem with some arguments replaced."""
    v = valid()
    kw = dict(params=v["params"], xs=v["xb"] if batch else v["xs"], ys=v["yb"] if batch else v["ys"],
              activation="tanh", output="softmax", mask=None)
    kw.update(over)
    args = [kw.pop(k) for k in ("params", "xs", "ys")]
    return engine(*args, **kw)


def raises_naming(arg: str):
    """pytest.raises for ValueError/TypeError whose message names ``arg``."""
    return pytest.raises(ERRORS, match=rf"(?<![\w.]){re.escape(arg)}(?!\w)")


def test_valid_problem_is_accepted():
    """The positive control: without it, every test below could pass by raising on anything."""
    v = valid()
    for batch, mask in ((False, v["mask"]), (True, v["mb"])):
        loss, grads = call(rnnlib.bptt, batch, mask=mask)
        assert np.isfinite(loss) and isinstance(grads, Params)


# --- engines: xs, ys, mask, a0, names ---------------------------------------------------------
V = valid()
CASES = [
    # (id, batch, overrides, argument named in the message)
    ("xs rank 1", False, dict(xs=np.ones(T)), "xs"),
    ("xs rank 4", False, dict(xs=np.ones((T, B, 1, n))), "xs"),
    ("xs scalar", False, dict(xs=1.0), "xs"),
    ("xs wrong n", False, dict(xs=np.ones((T, n + 1))), "xs"),
    ("xs None", False, dict(xs=None), "xs"),
    ("ys rank 1", False, dict(ys=np.ones(T)), "ys"),
    ("ys rank 2 for a batch", True, dict(ys=V["ys"]), "ys"),
    ("ys rank 3 for a single", False, dict(ys=V["yb"]), "ys"),
    ("ys wrong N2", False, dict(ys=np.eye(N2 + 1)[[0, 1, 2, 3]]), "ys"),
    ("ys shorter T", False, dict(ys=V["ys"][:-1]), "ys"),
    ("ys longer T", True, dict(ys=np.concatenate([V["yb"], V["yb"][:1]])), "ys"),
    ("ys other B", True, dict(ys=V["yb"][:, :1]), "ys"),
    ("mask other T", False, dict(mask=np.ones(T - 1)), "mask"),
    ("mask other B", True, dict(mask=np.ones((T, B + 1))), "mask"),
    ("mask rank 1 for a batch", True, dict(mask=np.ones(T)), "mask"),
    ("mask rank 2 for a single", False, dict(mask=np.ones((T, 1))), "mask"),
    ("NaN in xs", False, dict(xs=np.where(np.eye(T, n) > 0, np.nan, V["xs"])), "xs"),
    ("Inf in xs", True, dict(xs=np.full((T, B, n), -np.inf)), "xs"),
    ("NaN in ys", False, dict(ys=np.where(V["ys"] > 0, np.nan, 0.0), output="identity"), "ys"),
    ("Inf in ys", False, dict(ys=np.where(V["ys"] > 0, np.inf, 0.0)), "ys"),
    ("NaN in mask", False, dict(mask=np.array([1, np.nan, 1, 1])), "mask"),
    ("empty sequence", False, dict(xs=np.ones((0, n)), ys=np.ones((0, N2))), "xs"),
    ("empty batch", True, dict(xs=np.ones((T, 0, n)), ys=np.ones((T, 0, N2))), "xs"),
    ("unknown activation", False, dict(activation="softplus"), "activation"),
    ("activation wrong case", False, dict(activation="Tanh"), "activation"),
    ("activation None", False, dict(activation=None), "activation"),
    ("unknown output", False, dict(output="sigmoid"), "output"),
    ("output not a string", False, dict(output=1), "output"),
    ("negative targets", False, dict(ys=np.array([[1.5, -0.5, 0]] * T)), "ys"),
    ("targets sum to 0.5", False, dict(ys=V["ys"] * 0.5), "ys"),
    ("targets sum to 2", True, dict(ys=V["yb"] * 2), "ys"),
    ("all-zero targets at a live step", False, dict(ys=np.zeros((T, N2))), "ys"),
    ("zero targets, mask zero elsewhere", False, dict(ys=np.zeros((T, N2)), mask=V["mask"]), "ys"),
    ("mask value 0.5", False, dict(mask=np.array([1, 0.5, 1, 1])), "mask"),
    ("mask value 2", True, dict(mask=2 * V["mb"]), "mask"),
    ("mask value -1", False, dict(mask=np.array([1, -1, 1, 1])), "mask"),
    ("xs strings", False, dict(xs=[["a", "b"]] * T), "xs"),
    ("xs ragged", False, dict(xs=[[1.0, 2.0], [3.0]] * 2), "xs"),
    ("xs complex", False, dict(xs=V["xs"] + 1j), "xs"),
    ("xs object", False, dict(xs=np.array([[object(), 1]] * T, dtype=object)), "xs"),
    ("ys strings", False, dict(ys="one-hot"), "ys"),
    ("ys ragged", False, dict(ys=[[1, 0, 0], [0, 1]] * 2), "ys"),
    ("mask strings", False, dict(mask=["1", "1", "0", "0"]), "mask"),
    ("params a tuple", False, dict(params=tuple(V["params"])), "params"),
    ("params None", False, dict(params=None), "params"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("batch,over,arg", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_engine_rejects(engine, batch, over, arg):
    with raises_naming(arg):
        call(engine, batch, **over)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("field", ["W", "U", "b", "V", "c"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_engine_rejects_nonfinite_params(engine, field, bad):
    p = valid()["params"]
    arr = getattr(p, field).copy()
    arr.flat[-1] = bad
    bad_params = Params(**{**dict(p.items()), field: arr})        # construction itself does not check
    with raises_naming(f"params.{field}"):
        call(engine, params=bad_params)


A0_CASES = [
    ("NaN in a0", False, np.array([0.0, np.nan, 0.0])),
    ("Inf in a0", True, np.full((B, N1), np.inf)),
    ("a0 wrong N1", False, np.zeros(N1 + 1)),
    ("a0 (1, N1) for a single", False, np.zeros((1, N1))),
    ("a0 other B", True, np.zeros((B + 1, N1))),
    ("a0 strings", False, np.array(["0"] * N1)),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("batch,a0", [pytest.param(*c[1:], id=c[0]) for c in A0_CASES])
def test_engine_rejects_bad_a0(engine, batch, a0):
    if not accepts(engine, "a0"):
        pytest.skip("engine has no a0 argument")
    with raises_naming("a0"):
        call(engine, batch, a0=a0)


def loss_of(engine, out) -> float:
    return out if engine is rnnlib.loss else out[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_masked_steps_may_have_zero_targets(engine):
    """Padding: all-zero targets at masked steps are not distributions, but they are accepted."""
    v = valid()
    ys = v["ys"].copy()
    ys[v["mask"] == 0] = 0.0
    assert np.isfinite(loss_of(engine, call(engine, ys=ys, mask=v["mask"])))
    yb, mb = v["yb"].copy(), np.ones((T, B))
    mb[2:, 1] = 0                                              # the second sequence has length 2
    yb[2:, 1] = 0.0
    assert np.isfinite(loss_of(engine, call(engine, True, ys=yb, mask=mb)))


@pytest.mark.parametrize("engine", ENGINES)
def test_accepted_variants(engine):
    """Inputs that look unusual but are valid: bool masks, int one-hot, soft targets, regression ys."""
    v = valid()
    call(engine, mask=v["mask"].astype(bool))
    call(engine, ys=v["ys"].astype(int))
    call(engine, ys=np.full((T, N2), 1.0 / N2))
    call(engine, ys=-5 * v["ys"], output="identity")              # any real targets for regression
    call(engine, xs=v["xs"].tolist(), ys=v["ys"].tolist())         # nested lists


@pytest.mark.parametrize("truncate,exc", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                          (True, TypeError), ("2", TypeError)])
def test_bptt_rejects_bad_truncate(truncate, exc):
    with pytest.raises(exc, match="truncate"):
        call(rnnlib.bptt, truncate=truncate)


# --- forward and Trace ----------------------------------------------------------------------
FORWARD_CASES = [
    ("xs rank 1", dict(xs=np.ones(T)), "xs"),
    ("xs wrong n", dict(xs=np.ones((T, n + 1))), "xs"),
    ("NaN in xs", dict(xs=np.full((T, n), np.nan)), "xs"),
    ("empty sequence", dict(xs=np.ones((0, n))), "xs"),
    ("empty batch", dict(xs=np.ones((T, 0, n))), "xs"),
    ("xs strings", dict(xs="abc"), "xs"),
    ("xs ragged", dict(xs=[[1.0], [1.0, 2.0]]), "xs"),
    ("unknown activation", dict(activation="gelu"), "activation"),
    ("unknown output", dict(output="sigmoid"), "output"),
    ("a0 wrong shape", dict(a0=np.zeros(N1 + 1)), "a0"),
    ("NaN in a0", dict(a0=np.full(N1, np.nan)), "a0"),
    ("params not Params", dict(params=[1, 2, 3]), "params"),
]


@pytest.mark.parametrize("over,arg", [pytest.param(*c[1:], id=c[0]) for c in FORWARD_CASES])
def test_forward_rejects(over, arg):
    kw = dict(params=valid()["params"], xs=valid()["xs"])
    kw.update(over)
    with raises_naming(arg):
        forward(kw.pop("params"), kw.pop("xs"), **kw)


def test_trace_losses_rejects_wrong_ys():
    v = valid()
    tr = forward(v["params"], v["xs"])
    with raises_naming("ys"):
        tr.losses(v["ys"][:-1])
    with raises_naming("ys"):
        tr.losses(np.full((T, N2), np.nan))


@pytest.mark.parametrize("mask", [np.ones((T, 1)), np.array([1, 0.5, 1, 1])])
def test_trace_losses_rejects_wrong_mask(mask):
    v = valid()
    with raises_naming("mask"):
        forward(v["params"], v["xs"]).losses(v["ys"], mask)


# --- Params and init_params ---------------------------------------------------------------------
def params_with(**over):
    base = dict(W=np.zeros((N1, N1)), U=np.zeros((N1, n)), b=np.zeros(N1), V=np.zeros((N2, N1)), c=np.zeros(N2))
    return Params(**{**base, **over})


PARAMS_CASES = [
    ("W not square", dict(W=np.zeros((N1, N1 + 1))), "Params.W"),
    ("W rank 1", dict(W=np.zeros(N1)), "Params.W"),
    ("U rows != N1", dict(U=np.zeros((N1 + 1, n))), "Params.U"),
    ("U rank 3", dict(U=np.zeros((N1, n, 1))), "Params.U"),
    ("b wrong length", dict(b=np.zeros(N1 + 1)), "Params.b"),
    ("b rank 2", dict(b=np.zeros((N1, 1))), "Params.b"),
    ("V cols != N1", dict(V=np.zeros((N2, N1 + 1))), "Params.V"),
    ("c wrong length", dict(c=np.zeros(N2 + 1)), "Params.c"),
    ("c scalar", dict(c=0.0), "Params.c"),
    ("W strings", dict(W=[["a"] * N1] * N1), "Params.W"),
    ("U ragged", dict(U=[[0.0] * n, [0.0]] + [[0.0] * n] * (N1 - 2)), "Params.U"),
    ("V complex", dict(V=np.zeros((N2, N1), complex)), "Params.V"),
    ("b bool", dict(b=np.zeros(N1, bool)), "Params.b"),
    ("N1 = 0", dict(W=np.zeros((0, 0)), U=np.zeros((0, n)), b=np.zeros(0), V=np.zeros((N2, 0))), "Params"),
]


@pytest.mark.parametrize("over,arg", [pytest.param(*c[1:], id=c[0]) for c in PARAMS_CASES])
def test_params_rejects_inconsistent_shapes(over, arg):
    with raises_naming(arg):
        params_with(**over)


@pytest.mark.parametrize("arg", ["n_in", "n_hidden", "n_out"])
@pytest.mark.parametrize("value,exc", [(0, ValueError), (-1, ValueError), (2.5, TypeError),
                                       (True, TypeError), ("3", TypeError), (None, TypeError)])
def test_init_params_rejects_bad_sizes(arg, value, exc):
    sizes = dict(n_in=2, n_hidden=3, n_out=4)
    sizes[arg] = value
    with pytest.raises(exc, match=rf"\b{arg}\b"):
        init_params(**sizes)


@pytest.mark.parametrize("value,arg", [(np.int64, "dtype"), (np.float16, "dtype"), ("foo", "dtype"),
                                       (complex, "dtype")])
def test_init_params_rejects_bad_dtype(value, arg):
    with raises_naming(arg):
        init_params(2, 3, 4, dtype=value)


@pytest.mark.parametrize("seed", [1.5, "0", None, -1, True])
def test_init_params_rejects_bad_seed(seed):
    with raises_naming("seed"):
        init_params(2, 3, 4, seed=seed)


def test_init_params_accepts_numpy_integers():
    assert init_params(np.int64(2), np.int32(3), np.uint8(4), seed=np.int64(5)).W.shape == (3, 3)


# --- gradcheck ------------------------------------------------------------------------------------
@pytest.mark.parametrize("tol", [0, -1e-7, np.nan, "1e-7"])
def test_gradcheck_rejects_bad_tol(tol):
    v = valid()
    with raises_naming("tol"):
        rnnlib.gradcheck(rnnlib.bptt, v["params"], v["xs"], v["ys"], tol=tol)


def test_rel_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        rnnlib.rel_error(np.zeros((2, 3)), np.zeros((3, 2)))
