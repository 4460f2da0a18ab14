"""Exercises of chapter "The forward pass" (book/forward.ipynb; 000 FORWARD PROPAGATION, 002 §2).

Each expected answer is computed with rnnlib from the same data the exercise text gives;
nothing here is a typed-in result.
"""
from __future__ import annotations

import numpy as np

from ..activations import h, h_prime
from ..forward import forward
from ..losses import softmax, step_losses
from ..params import Params, init_params
from ..text import Vocab, make_batch
from .._validate import ACTIVATIONS
from . import register

# forward-1: a 2-2-2 network small enough to run by hand (the exercise text shows these numbers).
EX1_PARAMS = dict(W=[[0.5, -1.0], [1.0, 0.5]], U=[[1.0, 0.0], [0.0, -1.0]], b=[0.0, 0.5],
                  V=[[1.0, 0.0], [0.0, 1.0]], c=[0.0, 0.0])
EX1_XS = [[1.0, 0.0], [0.0, 1.0]]          # x_1, x_2: (T, n) = (2, 2)

# forward-2: logits of one step and the index of the true next character.
EX2_O = [2.0, 1.0, 0.1]
EX2_TARGET = 1

# forward-3: logits too large for a naive exp.
EX3_O = [1000.0, 1001.0, 1002.0]

# forward-5: the chapter's batch of words and model.
EX5_WORDS = ["hello", "hell", "hole"]
EX5_N1, EX5_SEED = 3, 0


@register("forward-1", hint="a_1 = tanh(U x_1 + b) because a_0 = 0; then z_2 = W a_1 + U x_2 + b and "
                            "a_2 = tanh(z_2). The answer is a vector of shape (2,).")
def _a2():
    return forward(Params(**EX1_PARAMS), np.array(EX1_XS), activation="tanh").a[1]   # a_2 (N1,)


@register("forward-2", hint="L_t = -y_tᵀ log softmax(o_t) = -log of the probability of the true "
                            "class (index 1, the second entry).")
def _loss():
    o = np.array(EX2_O)
    y = np.eye(len(o))[EX2_TARGET]                                    # one-hot y_t (N2,)
    return float(step_losses(o, y, "softmax"))


@register("forward-3", hint="Subtract max(o) before np.exp: softmax(o - m) = softmax(o). The answer is "
                            "a vector of 3 finite probabilities that sum to 1.")
def _stable_softmax():
    return softmax(np.array(EX3_O))


def _same_name(answer, want) -> bool:
    return isinstance(answer, str) and answer.strip().lower() == want


@register("forward-4", hint="Write h' in terms of a = h(z) for each of tanh, sigmoid, relu, identity; "
                            "answer with the name as rnnlib spells it (a string).", compare=_same_name)
def _which_activation():
    z = np.linspace(-3, 3, 13)
    found = [name for name in ACTIVATIONS
             if np.allclose(h_prime(z, h(z, name), name), h(z, name) * (1 - h(z, name)))]
    if len(found) != 1:  # pragma: no cover - would mean rnnlib's activations changed
        raise RuntimeError(f"expected exactly one activation with h' = a(1 - a); found {found}")
    return found[0]


@register("forward-5", hint="Build xs with make_batch (shape (T, B, n)); the hoisted term is "
                            "xs @ U.T + b, shape (T, B, N1), with no W and no loop.")
def _hoisted():
    vocab = Vocab(EX5_WORDS)
    xs, _, _ = make_batch(vocab, EX5_WORDS)                            # (T, B, n)
    p = init_params(len(vocab), EX5_N1, len(vocab), seed=EX5_SEED)
    no_recurrence = Params(np.zeros_like(p.W), p.U, p.b, p.V, p.c)    # W = 0: z_t = U x_t + b
    return forward(no_recurrence, xs).z                               # (T, B, N1)
