"""Tests for rnnlib.text: vocabulary, one-hot encoding, batches, sampling and autocompletion."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import rnnlib
from rnnlib import init_params
from rnnlib.text import Vocab, autocomplete, decode, encode, make_batch, sample
from rnnlib.train import train

WORDS = ["cat", "car", "dog"]


@pytest.fixture(scope="module")
def trained():
    vocab = Vocab(WORDS)
    xs, ys, mask = make_batch(vocab, WORDS)
    p = init_params(len(vocab), 16, len(vocab), seed=0)
    r = train(p, xs, ys, mask=mask, engine=rnnlib.bptt, optimizer="adam", lr=0.05, max_epochs=300,
              progress="none")
    return r.params, vocab


def test_vocab():
    v = Vocab(["cat", "car", "dog"])
    assert v.itos == (".", "a", "c", "d", "g", "o", "r", "t") and len(v) == 8
    assert v.end == "." and all(v.stoi[c] == i for i, c in enumerate(v.itos))
    assert Vocab.from_itos(v.itos) == v
    with pytest.raises(ValueError, match="end token"):
        Vocab(["a.b"])
    with pytest.raises(TypeError, match="list of words"):
        Vocab("cat")
    with pytest.raises(ValueError, match="sorted"):
        Vocab.from_itos([".", "b", "a"])
    assert Vocab(["ab"], end="\n").itos == ("\n", "a", "b")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abcxyz ", min_size=1, max_size=8), min_size=1, max_size=5))
def test_encode_decode_round_trip(words):
    v = Vocab(words)
    for w in words:
        X = encode(v, w)
        assert X.shape == (len(w), len(v))
        np.testing.assert_array_equal(X.sum(axis=1), 1)
        assert [v.itos[i] for i in X.argmax(axis=1)] == list(w)
        assert decode(v, X) == w


def test_vocab_miss_names_character():
    v = Vocab(WORDS)
    with pytest.raises(ValueError, match="'z'"):
        encode(v, "caz")
    with pytest.raises(ValueError, match="shape"):
        decode(v, np.zeros((3, 5)))


def test_make_batch_shapes_mask_and_convention():
    v = Vocab(["ab", "b", "abba"])
    xs, ys, mask = make_batch(v, ["ab", "b", "abba"])
    assert xs.shape == ys.shape == (5, 3, 3) and mask.shape == (5, 3)
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 1, 1], [1, 0, 1], [0, 0, 1], [0, 0, 1]])
    for b, w in enumerate(["ab", "b", "abba"]):
        L = len(w)
        assert decode(v, xs[: L + 1, b]) == "." + w          # inputs: start token + chars
        assert decode(v, ys[: L + 1, b]) == w + "."          # targets: chars + end token
        assert not xs[L + 1:, b].any() and not ys[L + 1:, b].any()   # zero padding
    # x_{t+1} is y_t: the target of each step is the next input
    np.testing.assert_array_equal(xs[1:] * mask[1:, :, None], ys[:-1] * mask[1:, :, None])
    # the batch is accepted by the engine
    rnnlib.bptt(init_params(3, 4, 3), xs, ys, mask=mask)
    with pytest.raises(ValueError, match="words"):
        make_batch(v, [])


def word_probability(params, vocab, prefix, word):
    """P(word | prefix): the product of ŷ_t[next char] over the steps after the prefix (via forward)."""
    tr = rnnlib.forward(params, encode(vocab, "." + word))
    targets = [vocab.stoi[c] for c in word] + [0]     # (word + ".")[t] is the target of step t
    steps = range(len(prefix), len(word) + 1)
    return float(np.prod([tr.y_hat[t, targets[t]] for t in steps]))


def test_autocomplete_trained_words(trained):
    params, vocab = trained
    out = autocomplete(params, vocab, "ca", k=3)
    assert [w for w, _ in out[:2]] in (["cat", "car"], ["car", "cat"])
    probs = [p for _, p in out]
    assert probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-12
    assert out[0][1] > 0.4 and out[1][1] > 0.4
    top3 = autocomplete(params, vocab, "", k=3)                 # empty prefix: whole words
    assert sorted(w for w, _ in top3) == sorted(WORDS)
    assert autocomplete(params, vocab, "d", k=1)[0][0] == "dog"
    for w, p in out + top3:
        prefix = "ca" if (w, p) in out else ""
        assert p == pytest.approx(word_probability(params, vocab, prefix, w), rel=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_autocomplete_is_exact_top_k(seed):
    # untrained model: compare with brute force over every word of up to 3 characters
    vocab = Vocab(["abc"])
    params = init_params(len(vocab), 5, len(vocab), seed=seed)
    brute = []
    for L in range(0, 4):
        for chars in itertools.product("abc", repeat=L):
            w = "b" + "".join(chars)
            brute.append((w, word_probability(params, vocab, "b", w)))
    brute.sort(key=lambda wp: -wp[1])
    out = autocomplete(params, vocab, "b", k=5, max_len=3)
    assert [w for w, _ in out] == [w for w, _ in brute[:5]]
    np.testing.assert_allclose([p for _, p in out], [p for _, p in brute[:5]], rtol=1e-9)
    assert out == autocomplete(params, vocab, "b", k=5, max_len=3)      # deterministic


def test_autocomplete_bad_arguments(trained):
    params, vocab = trained
    for k in (0, -1):
        with pytest.raises(ValueError, match="k"):
            autocomplete(params, vocab, "c", k=k)
    with pytest.raises(ValueError, match="'z'"):
        autocomplete(params, vocab, "cz")
    with pytest.raises(ValueError, match="end token"):
        autocomplete(params, vocab, "c.")
    with pytest.raises(ValueError, match="len\\(vocab\\)"):
        autocomplete(init_params(3, 4, 3), vocab, "c")


def test_sample(trained):
    params, vocab = trained
    assert sample(params, vocab, "d", temperature=0) == "dog"
    assert sample(params, vocab, "ca", temperature=0) in ("cat", "car")
    s = [sample(params, vocab, "", temperature=1.0, seed=s) for s in range(20)]
    assert s == [sample(params, vocab, "", temperature=1.0, seed=s) for s in range(20)]  # seeded
    assert sum(w in WORDS for w in s) >= 18 and len(set(s)) > 1     # the trained words, not one

    assert len(sample(params, vocab, "", temperature=50.0, max_len=5, seed=0)) <= 5
    with pytest.raises(ValueError, match="temperature"):
        sample(params, vocab, "c", temperature=-1.0)
    with pytest.raises(ValueError, match="max_len"):
        sample(params, vocab, "c", max_len=0)
