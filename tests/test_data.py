"""Word-list loading and the seeded split (rnnlib.data)."""
from pathlib import Path

import numpy as np
import pytest

from rnnlib.data import load_words, split_words

WORDS = Path(__file__).resolve().parents[1] / "book" / "data" / "english_words.tsv"


def test_committed_word_list_loads():
    words, freqs = load_words(WORDS)
    assert len(words) == len(freqs) == 4000
    assert all(w.isalpha() and w.islower() and 3 <= len(w) <= 10 for w in words)
    assert np.all(np.diff(freqs) <= 0), "file is in frequency order"
    assert len(set(words)) == len(words)


def test_split_is_seeded_disjoint_and_complete():
    words = [f"w{i}" for i in range(100)]
    a = split_words(words, seed=3)
    assert a == split_words(words, seed=3)
    assert a != split_words(words, seed=4)
    assert [len(p) for p in a] == [80, 10, 10]
    assert sorted(sum(a, [])) == sorted(words)


@pytest.mark.parametrize("text, msg", [
    ("word\tfrequency\ncat\tx\n", "not a number"),
    ("word\tfrequency\ncat\t-1\n", "positive"),
    ("word\tfrequency\ncat\t1\ncat\t2\n", "twice"),
    ("cat\t1\n", "header"),
    ("word\tfrequency\ncat 1\n", "expected"),
    ("# only a comment\n", "no words"),
])
def test_bad_files_are_clear_errors(tmp_path, text, msg):
    p = tmp_path / "w.tsv"
    p.write_text(text)
    with pytest.raises(ValueError, match=msg):
        load_words(p)


def test_bad_split_arguments():
    with pytest.raises(ValueError, match="fractions"):
        split_words(["a", "b", "c"], fractions=(0.5, 0.6))
    with pytest.raises(ValueError, match="words"):
        split_words(["a"], fractions=(0.5, 0.5))
    with pytest.raises(FileNotFoundError, match="path"):
        load_words("/no/such/file.tsv")
