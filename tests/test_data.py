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


def test_book_data_finds_every_file(tmp_path, monkeypatch):
    from rnnlib.data import DATA_FILES, book_data

    monkeypatch.chdir(tmp_path)          # not in book/: found through the package's location
    for name in DATA_FILES:
        assert book_data(name).is_file()
    with pytest.raises(ValueError, match="name"):
        book_data("nope.tsv")


def test_wheel_carries_the_data_files(tmp_path):
    """A non-editable install (Colab's) gets the data files in <prefix>/share/rnnlib."""
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(root)], check=True)
    (wheel,) = tmp_path.glob("rnnlib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for f in ("english_words.tsv", "benchmark_ratios.tsv"):
        assert any(n.endswith(f"data/data/share/rnnlib/{f}") for n in names), names
