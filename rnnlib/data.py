"""Word lists for the "Training" chapter: read the committed TSV and split it by word, seeded.

The file format is the one of ``book/data/english_words.tsv``: ``#`` comment lines, a
header ``word<TAB>frequency``, then one word and its frequency per line. Plain text,
no pickle.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

DATA_FILES = ("english_words.tsv", "benchmark_ratios.tsv")


def book_data(name: str) -> Path:
    """The path of one of the book's data files (``book/data/NAME``).

    Looked up in the source tree first (a chapter runs with its working directory in ``book/``;
    tests run from the repository root), then where ``pip install`` put rnnlib's copy
    (``<prefix>/share/rnnlib``), so a chapter opened alone, as on Colab, still finds it.
    Nothing is downloaded.
    """
    if name not in DATA_FILES:
        raise ValueError(f"name must be one of {', '.join(DATA_FILES)}; got {name!r}")
    here = Path(__file__).resolve().parent
    candidates = [Path("data") / name, Path("book") / "data" / name, here.parent / "book" / "data" / name,
                  Path(sys.prefix) / "share" / "rnnlib" / name]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"{name}: not found in {', '.join(str(c.parent) for c in candidates)}; "
                            "install rnnlib from the book's repository")


def load_words(path) -> tuple[list[str], np.ndarray]:
    """Read a word list: returns (words, frequencies (len(words),) float64), in file order.

    Raises ValueError naming the file and line for a malformed line, a non-positive or
    non-finite frequency, or a duplicated word.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no word list at {path}")
    words, freqs, seen = [], [], set()
    header_seen = False
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            if line.split("\t") != ["word", "frequency"]:
                raise ValueError(f"{path}:{lineno}: expected the header 'word<TAB>frequency', got {line!r}")
            header_seen = True
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0]:
            raise ValueError(f"{path}:{lineno}: expected 'word<TAB>frequency', got {line!r}")
        word, f = parts
        try:
            freq = float(f)
        except ValueError:
            raise ValueError(f"{path}:{lineno}: frequency {f!r} is not a number") from None
        if not np.isfinite(freq) or freq <= 0:
            raise ValueError(f"{path}:{lineno}: frequency must be positive and finite, got {f!r}")
        if word in seen:
            raise ValueError(f"{path}:{lineno}: word {word!r} appears twice")
        seen.add(word)
        words.append(word)
        freqs.append(freq)
    if not words:
        raise ValueError(f"{path}: no words found")
    return words, np.asarray(freqs)


def split_words(words, fractions=(0.8, 0.1, 0.1), seed: int = 0) -> tuple[list[str], ...]:
    """A fixed, seeded split by word into len(fractions) disjoint lists (default train/valid/test).

    The same words and seed always give the same split; each part keeps the input order.
    """
    words = list(words)
    fr = np.asarray(fractions, dtype=float)
    if fr.ndim != 1 or fr.size < 2 or np.any(fr <= 0) or abs(fr.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be ≥ 2 positive numbers summing to 1; got {fractions!r}")
    if len(words) < fr.size:
        raise ValueError(f"words: need at least {fr.size} words to split, got {len(words)}")
    order = np.random.default_rng(seed).permutation(len(words))
    cuts = np.round(np.cumsum(fr)[:-1] * len(words)).astype(int)
    parts = np.split(order, cuts)
    return tuple([words[i] for i in sorted(p)] for p in parts)


__all__ = ["book_data", "load_words", "split_words", "DATA_FILES"]
