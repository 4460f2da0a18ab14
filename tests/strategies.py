"""Hypothesis strategies and random-data helpers shared by rnnlib's test files.

Arrays are drawn from a ``numpy.random.Generator`` seeded by a hypothesis-drawn
integer, so hypothesis controls (and can replay) every example while the arrays
themselves stay cheap to make. Shapes follow the book: xs (T, n) or (T, B, n),
ys (T, N2) or (T, B, N2), mask (T,) or (T, B), time-major.

Import from a test file with ``from strategies import problems, random_params, ...``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from rnnlib import Params
from rnnlib.forward import forward

ACTIVATIONS = ("tanh", "sigmoid", "relu", "identity")
OUTPUTS = ("softmax", "identity")

seeds = st.integers(0, 2**32 - 1)
activations = st.sampled_from(ACTIVATIONS)
outputs = st.sampled_from(OUTPUTS)
scales = st.floats(0.1, 1.0)


# --- plain helpers (take a Generator) ------------------------------------------------------
def random_params(rng: np.random.Generator, n: int, N1: int, N2: int, scale: float = 0.5,
                  dtype=np.float64) -> Params:
    """Params with every entry (biases too) drawn from N(0, scale²)."""
    def draw(*shape):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    return Params(W=draw(N1, N1), U=draw(N1, n), b=draw(N1), V=draw(N2, N1), c=draw(N2))


def random_inputs(rng: np.random.Generator, T: int, B: int | None, n: int, scale: float = 1.0,
                  dtype=np.float64) -> np.ndarray:
    """xs: (T, n) when ``B is None`` (one sequence), else (T, B, n)."""
    shape = (T, n) if B is None else (T, B, n)
    return (scale * rng.standard_normal(shape)).astype(dtype)


def one_hot(rng: np.random.Generator, T: int, B: int | None, N2: int, dtype=np.float64) -> np.ndarray:
    """Random one-hot targets: (T, N2) or (T, B, N2)."""
    shape = (T,) if B is None else (T, B)
    return np.eye(N2, dtype=dtype)[rng.integers(0, N2, size=shape)]


def random_targets(rng: np.random.Generator, output: str, T: int, B: int | None, N2: int,
                   dtype=np.float64) -> np.ndarray:
    """One-hot targets for ``output="softmax"``, N(0, 1) regression targets for ``"identity"``."""
    if output == "softmax":
        return one_hot(rng, T, B, N2, dtype)
    shape = (T, N2) if B is None else (T, B, N2)
    return rng.standard_normal(shape).astype(dtype)


def length_mask(lengths, T: int) -> np.ndarray:
    """Prefix (padding) mask (T, B): m[t, b] = 1 for t < lengths[b]."""
    lengths = np.asarray(lengths)
    return (np.arange(T)[:, None] < lengths[None, :]).astype(np.float64)


def random_mask(rng: np.random.Generator, T: int, B: int | None) -> np.ndarray:
    """Arbitrary 0/1 mask, (T,) or (T, B)."""
    shape = (T,) if B is None else (T, B)
    return (rng.random(shape) < 0.7).astype(np.float64)


def zero_masked(ys: np.ndarray, mask) -> np.ndarray:
    """ys with the targets at masked steps set to 0, as padding usually is."""
    if mask is None:
        return ys
    return ys * np.asarray(mask)[..., None]


def min_abs_z(params: Params, xs, activation: str, a0=None) -> float:
    """min |z_t| over the whole trace: the distance to relu's kink."""
    return float(np.min(np.abs(forward(params, xs, activation, a0=a0).z)))


# --- a whole engine problem ----------------------------------------------------------------
@dataclass
class Problem:
    """Arguments of one engine call: ``engine(*problem.args, a0=problem.a0)``."""

    params: Params
    xs: np.ndarray
    ys: np.ndarray
    activation: str
    output: str
    mask: np.ndarray | None
    a0: np.ndarray | None
    B: int | None  # None: a single sequence
    lengths: np.ndarray | None = None  # set when the mask is a prefix mask

    @property
    def T(self) -> int:
        return self.xs.shape[0]

    @property
    def args(self) -> tuple:
        return (self.params, self.xs, self.ys, self.activation, self.output, self.mask)

    def kink_free(self, margin: float = 1e-4) -> bool:
        """False for relu problems with some |z_t| < margin (finite differences straddle the kink)."""
        return self.activation != "relu" or min_abs_z(self.params, self.xs, "relu", self.a0) >= margin


@st.composite
def params_st(draw, n: int, N1: int, N2: int, scale=scales, dtype=np.float64) -> Params:
    """Random Params of the given sizes; ``scale`` is a float or a strategy for one."""
    scale = draw(scale) if isinstance(scale, st.SearchStrategy) else scale
    return random_params(np.random.default_rng(draw(seeds)), n, N1, N2, scale, dtype)


@st.composite
def problems(draw, activation=activations, output=outputs, T=st.integers(1, 20),
             B=st.one_of(st.none(), st.integers(1, 3)), mask=st.sampled_from([None, "lengths", "random"]),
             a0=st.booleans(), n=st.integers(1, 3), N1=st.integers(1, 4), N2=st.integers(1, 3),
             scale=scales, dtype=np.float64) -> Problem:
    """A complete, valid engine problem with small sizes.

    Every argument is a strategy (or a plain value): ``B`` None gives a single
    sequence; ``mask`` is None, ``"lengths"`` (prefix masks, lengths 1..T, padded
    targets zeroed) or ``"random"`` (arbitrary 0/1); ``a0`` True draws a random
    initial state.
    """
    def pick(x):
        return draw(x) if isinstance(x, st.SearchStrategy) else x

    activation, output, T, B, kind = pick(activation), pick(output), pick(T), pick(B), pick(mask)
    n, N1, N2 = pick(n), pick(N1), pick(N2)
    rng = np.random.default_rng(draw(seeds))
    params = random_params(rng, n, N1, N2, pick(scale), dtype)
    xs = random_inputs(rng, T, B, n, dtype=dtype)
    ys = random_targets(rng, output, T, B, N2, dtype)
    m = lengths = None
    if kind == "lengths":
        lengths = rng.integers(1, T + 1, size=1 if B is None else B)
        m = length_mask(lengths, T)
        if B is None:
            m = m[:, 0]                                    # (T,)
    elif kind == "random":
        m = random_mask(rng, T, B)
    ys = zero_masked(ys, m).astype(dtype)
    state = None
    if pick(a0):
        state = (0.5 * rng.standard_normal((N1,) if B is None else (B, N1))).astype(dtype)
    return Problem(params, xs, ys, activation, output, m, state, B, lengths)
