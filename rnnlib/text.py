"""Characters in and out: vocabulary, one-hot encoding, sampling, autocompletion (chapter "Training").

The sources' training algorithm starts with "Perform encoding on {x_t}" and its
forward pass ends with "Perform decoding on {ŷ_t}" (000, 002 §4.2). Here a word is
encoded one character per time step as a one-hot vector, and decoded by argmax.

Conventions
-----------
* The vocabulary is the sorted set of characters of the training words, preceded by
  one special token, ``"."`` by default, at index 0. The same token marks the *start*
  of a word (as the first input) and its *end* (as the last target), as in
  Karpathy's makemore. Words may not contain it.
* Next-character prediction of a word w = w_1 ... w_L (:func:`make_batch`)::

      inputs  x_1 .. x_{L+1} = "." w_1 ... w_L
      targets y_1 .. y_{L+1} = w_1 ... w_L "."

  so T = L + 1 and ŷ_t is the model's distribution of the character after x_t.
"""
from __future__ import annotations

import heapq
from numbers import Real

import numpy as np

from ._validate import check_float_dtype, check_positive_int
from .forward import forward
from .losses import log_softmax
from .params import Params, check_params


class Vocab:
    """Character vocabulary: ``itos[0]`` is the start/end token, then the sorted characters.

    >>> v = Vocab(["cat", "car"])
    >>> v.itos, v.stoi["a"], len(v)
    (('.', 'a', 'c', 'r', 't'), 1, 5)
    """

    def __init__(self, words, end: str = "."):
        if isinstance(words, str):
            raise TypeError("words must be a list of words, not a single string")
        if not isinstance(end, str) or len(end) != 1:
            raise ValueError(f"end must be a single character; got {end!r}")
        chars = set()
        for i, w in enumerate(words):
            if not isinstance(w, str):
                raise TypeError(f"words[{i}] must be a string; got {type(w).__name__}")
            if end in w:
                raise ValueError(f"words[{i}] = {w!r} contains the end token {end!r}; "
                                 "choose another end= character")
            chars.update(w)
        self._set((end, *sorted(chars)))

    @classmethod
    def from_itos(cls, itos) -> "Vocab":
        """Rebuild a Vocab from its ``itos`` (end token first, then sorted distinct characters)."""
        itos = tuple(itos)
        if not itos or not all(isinstance(c, str) and len(c) == 1 for c in itos):
            raise ValueError(f"itos must be a non-empty sequence of single characters; got {itos!r}")
        if len(set(itos)) != len(itos) or list(itos[1:]) != sorted(itos[1:]):
            raise ValueError("itos must be the end token followed by sorted distinct characters; "
                             f"got {itos!r}")
        vocab = cls.__new__(cls)
        vocab._set(itos)
        return vocab

    def _set(self, itos: tuple) -> None:
        self.itos: tuple = itos                              # index -> character
        self.stoi: dict = {c: i for i, c in enumerate(itos)}  # character -> index
        self.end: str = itos[0]

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def __hash__(self) -> int:
        return hash(self.itos)

    def __repr__(self) -> str:
        return f"Vocab({''.join(self.itos[1:])!r}, end={self.end!r}, size={len(self)})"

    def index(self, ch: str, what: str = "word") -> int:
        """stoi[ch], or a ValueError naming the character."""
        try:
            return self.stoi[ch]
        except KeyError:
            raise ValueError(f"character {ch!r} in {what} is not in the vocabulary "
                             f"{''.join(self.itos)!r}") from None


def _check_vocab(vocab) -> Vocab:
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be an rnnlib.text.Vocab; got {type(vocab).__name__}")
    return vocab


def _check_model(params: Params, vocab: Vocab) -> None:
    check_params(params)
    V = len(vocab)
    if params.n_in != V or params.n_out != V:
        raise ValueError(f"params must have n = N2 = len(vocab) = {V} for character models; "
                         f"got n = {params.n_in}, N2 = {params.n_out}")


def encode(vocab: Vocab, word: str, dtype=np.float64) -> np.ndarray:
    """One-hot encoding of ``word``: shape (T, V) with T = len(word), V = len(vocab)."""
    _check_vocab(vocab)
    if not isinstance(word, str):
        raise TypeError(f"word must be a string; got {type(word).__name__}")
    dtype = check_float_dtype("dtype", dtype)
    idx = [vocab.index(ch) for ch in word]
    X = np.zeros((len(word), len(vocab)), dtype)       # (T, V)
    X[np.arange(len(word)), idx] = 1
    return X


def decode(vocab: Vocab, onehots) -> str:
    """The character of the largest entry at each step (argmax); ``onehots`` (T, V) one-hots or ŷ."""
    _check_vocab(vocab)
    arr = np.asarray(onehots)
    if arr.ndim != 2 or arr.shape[1] != len(vocab):
        raise ValueError(f"onehots must have shape (T, {len(vocab)}) (V = len(vocab)); got {arr.shape}")
    return "".join(vocab.itos[i] for i in np.argmax(arr, axis=1))


def make_batch(vocab: Vocab, words, dtype=np.float64):
    """Next-character batch for words of different lengths, padded at the end.

    For word b of length L_b: xs[:, b] = "." w_1 .. w_L, ys[:, b] = w_1 .. w_L ".",
    mask[t, b] = 1 for t ≤ L_b (0-based) and 0 on padding, where xs and ys are zero.

    Returns
    -------
    xs : (T, B, V)   T = max L_b + 1
    ys : (T, B, V)
    mask : (T, B)
    """
    _check_vocab(vocab)
    if isinstance(words, str) or not hasattr(words, "__len__") or len(words) == 0:
        raise ValueError("words must be a non-empty list of strings")
    dtype = check_float_dtype("dtype", dtype)
    for i, w in enumerate(words):
        if not isinstance(w, str):
            raise TypeError(f"words[{i}] must be a string; got {type(w).__name__}")
    T, B, V = max(len(w) for w in words) + 1, len(words), len(vocab)
    xs = np.zeros((T, B, V), dtype)
    ys = np.zeros((T, B, V), dtype)
    mask = np.zeros((T, B), dtype)
    for b, w in enumerate(words):
        src = [vocab.end, *w]                            # inputs: start token + chars
        tgt = [*w, vocab.end]                            # targets: chars + end token
        for t, (s, d) in enumerate(zip(src, tgt)):
            xs[t, b, vocab.index(s, f"words[{b}]")] = 1
            ys[t, b, vocab.index(d, f"words[{b}]")] = 1
        mask[: len(w) + 1, b] = 1
    return xs, ys, mask


def _prefix_state(params, vocab, prefix, activation):
    """Run "." + prefix once: returns (a_T (N1,), logits o_T (V,)) for the next character."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string; got {type(prefix).__name__}")
    if vocab.end in prefix:
        raise ValueError(f"prefix {prefix!r} contains the end token {vocab.end!r}")
    for ch in prefix:
        vocab.index(ch, "prefix")
    tr = forward(params, encode(vocab, vocab.end + prefix, params.dtype), activation)
    return tr.a[-1], tr.o[-1]


def _step(params, vocab, a, ch_index, activation):
    """One time step from state a with input character ch_index: (a_next (N1,), o (V,))."""
    x = np.zeros((1, len(vocab)), params.dtype)
    x[0, ch_index] = 1
    tr = forward(params, x, activation, a0=a)         # a0 carries the state: no rerun of the prefix
    return tr.a[-1], tr.o[-1]


def sample(params: Params, vocab: Vocab, prefix: str = "", *, temperature: float = 1.0,
           max_len: int = 20, seed: int = 0, activation: str = "tanh") -> str:
    """Continue ``prefix`` one character at a time until the end token or ``max_len`` new characters.

    temperature = 0 is greedy (argmax); otherwise the next character is drawn from
    softmax(o_t / temperature) with ``numpy.random.default_rng(seed)``. Returns the
    whole word, prefix included, without the end token. An empty prefix starts a word.
    """
    _check_vocab(vocab)
    _check_model(params, vocab)
    if isinstance(temperature, bool) or not isinstance(temperature, (Real, np.floating, np.integer)):
        raise TypeError(f"temperature must be a number ≥ 0; got {type(temperature).__name__}")
    temperature = float(temperature)
    if not np.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be a finite number ≥ 0; got {temperature}")
    max_len = check_positive_int("max_len", max_len)
    rng = np.random.default_rng(seed)
    a, o = _prefix_state(params, vocab, prefix, activation)
    out = []
    for _ in range(max_len):
        if temperature == 0:
            i = int(np.argmax(o))                                    # greedy
        else:
            p = np.exp(log_softmax(o.astype(np.float64) / temperature))  # (V,) softmax(o / τ)
            i = int(rng.choice(len(vocab), p=p / p.sum()))
        if i == 0:                                                   # end token
            break
        out.append(vocab.itos[i])
        a, o = _step(params, vocab, a, i, activation)
    return prefix + "".join(out)


def autocomplete(params: Params, vocab: Vocab, prefix: str = "", k: int = 3, max_len: int = 20, *,
                 activation: str = "tanh", max_expansions: int = 10_000) -> list:
    """The ``k`` most probable words that start with ``prefix``, with their probabilities.

    P(word) = Π_t p(next character) over the characters after the prefix and the end
    token, given the prefix. Exact best-first search: partial words are expanded in
    order of probability, and since extending a word can only lower its probability,
    the first ``k`` finished words are the ``k`` most probable. Each expansion runs one
    forward step from the stored state of its parent (``forward(..., a0=state)``).

    Words longer than ``max_len`` characters after the prefix are not considered; if
    fewer than ``k`` words exist within ``max_len``, or ``max_expansions`` one-step
    expansions are used up, fewer than ``k`` are returned. An empty prefix is allowed
    (whole words from the start token).

    Returns
    -------
    list of (word, probability), most probable first; ties broken alphabetically.
    """
    _check_vocab(vocab)
    _check_model(params, vocab)
    k = check_positive_int("k", k)
    max_len = check_positive_int("max_len", max_len)
    max_expansions = check_positive_int("max_expansions", max_expansions)
    a, o = _prefix_state(params, vocab, prefix, activation)
    # heap entries: (-log P, finished?, suffix, parent state, parent log-probs) ; finished first on ties
    heap = [(0.0, 1, "", a, o)]                         # the prefix itself, state already computed
    results, expansions = [], 0
    while heap and len(results) < k:
        neg, live, suffix, a, o = heapq.heappop(heap)
        if live == 0:
            results.append((prefix + suffix, float(np.exp(-neg))))
            continue
        if suffix:                                     # state after the suffix's last character
            if expansions >= max_expansions:
                break
            a, o = _step(params, vocab, a, vocab.stoi[suffix[-1]], activation)
            expansions += 1
        logp = log_softmax(o.astype(np.float64))       # (V,) log p(next character)
        heapq.heappush(heap, (neg - logp[0], 0, suffix, None, None))        # end the word here
        if len(suffix) < max_len:
            for i in range(1, len(vocab)):
                heapq.heappush(heap, (neg - logp[i], 1, suffix + vocab.itos[i], a, None))
    return results


__all__ = ["Vocab", "encode", "decode", "make_batch", "sample", "autocomplete"]
