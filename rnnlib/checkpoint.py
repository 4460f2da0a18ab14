"""Saving and loading trained models as .npz files, without pickle (chapter "Training").

A checkpoint is an uncompressed ``np.savez`` archive of plain arrays only:

=========  ==========================  =======================================
key        array                       meaning
=========  ==========================  =======================================
W U b V c  float32 or float64          the five parameters, one dtype
vocab      (V,) unicode, optional      ``Vocab.itos``: end token, then characters
meta       (1,) unicode                ``json.dumps(meta)`` (``"null"`` if None)
=========  ==========================  =======================================

:func:`load` opens it with ``allow_pickle=False`` and checks every key, dtype and
shape, so a corrupt, truncated, incomplete or pickle-carrying file is refused with a
ValueError naming the file and the problem.
"""
from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .params import NAMES, Params, check_params
from .text import Vocab

KEYS = (*NAMES, "vocab", "meta")


def save(path, params: Params, vocab: Vocab | None = None, meta: dict | None = None) -> Path:
    """Write ``params`` (and optionally ``vocab`` and a JSON-serialisable ``meta``) to ``path``.

    The file is written at exactly ``path`` (no ``.npz`` is appended). Returns the Path.
    """
    check_params(params)
    if vocab is not None and not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be an rnnlib.text.Vocab or None; got {type(vocab).__name__}")
    if vocab is not None and (len(vocab) != params.n_in or len(vocab) != params.n_out):
        raise ValueError(f"vocab has {len(vocab)} characters but params have n = {params.n_in}, "
                         f"N2 = {params.n_out}; a character model needs n = N2 = len(vocab)")
    if meta is not None and not isinstance(meta, dict):
        raise TypeError(f"meta must be a dict (JSON-serialisable) or None; got {type(meta).__name__}")
    try:
        meta_json = json.dumps(meta, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"meta must be JSON-serialisable: {exc}") from None
    arrays = {name: getattr(params, name) for name in NAMES}
    if vocab is not None:
        arrays["vocab"] = np.array(vocab.itos, dtype=str)           # (V,) unicode
    arrays["meta"] = np.array([meta_json], dtype=str)               # (1,) unicode
    path = Path(os.fspath(path))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def load(path) -> tuple[Params, Vocab | None, dict | None]:
    """Read a checkpoint written by :func:`save`: returns ``(params, vocab or None, meta)``.

    Raises
    ------
    FileNotFoundError  if ``path`` does not exist
    ValueError         for a file that is not a valid checkpoint (message names file and problem)
    """
    path = Path(os.fspath(path))
    if not path.exists():
        raise FileNotFoundError(f"checkpoint {str(path)!r} does not exist")

    def bad(problem: str) -> ValueError:
        return ValueError(f"{str(path)!r} is not a valid rnnlib checkpoint: {problem}")

    arrays = {}
    try:
        with open(path, "rb") as fh:                     # our handle: closed even if np.load fails
            npz = np.load(fh, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise bad(f"not an .npz archive (found a single {type(npz).__name__})")
            with npz:
                for key in npz.files:
                    try:
                        arrays[key] = npz[key]
                    except ValueError as exc:
                        if "pickle" in str(exc).lower() or "object" in str(exc).lower():
                            raise bad(f"key {key!r} holds an object array (pickle is refused)") from None
                        raise bad(f"key {key!r} cannot be read: {exc}") from None
    except ValueError as exc:
        if str(exc).startswith(repr(str(path))):
            raise
        if "pickle" in str(exc).lower():
            raise bad("not an .npz archive (no zip or .npy header; pickled files are refused)") from None
        raise bad(f"cannot be read as .npz ({exc})") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError) as exc:
        raise bad(f"corrupt or truncated file ({type(exc).__name__}: {exc})") from None

    missing = [k for k in (*NAMES, "meta") if k not in arrays]
    if missing:
        raise bad(f"missing key(s) {', '.join(missing)}")
    unknown = sorted(set(arrays) - set(KEYS))
    if unknown:
        raise bad(f"unexpected key(s) {', '.join(unknown)}")

    dtypes = {arrays[k].dtype for k in NAMES}
    for k in NAMES:
        if arrays[k].dtype not in (np.float32, np.float64):
            raise bad(f"{k} has dtype {arrays[k].dtype}; expected float32 or float64")
    if len(dtypes) != 1:
        raise bad(f"the parameters have mixed dtypes {sorted(map(str, dtypes))}; expected one")
    try:
        params = check_params(Params(**{k: arrays[k] for k in NAMES}))
    except (ValueError, TypeError) as exc:
        raise bad(str(exc)) from None

    vocab = None
    if "vocab" in arrays:
        v = arrays["vocab"]
        if v.dtype.kind != "U" or v.ndim != 1:
            raise bad(f"vocab must be a 1-D unicode array; got dtype {v.dtype}, shape {v.shape}")
        try:
            vocab = Vocab.from_itos(v.tolist())
        except ValueError as exc:
            raise bad(f"vocab: {exc}") from None
        if len(vocab) != params.n_in or len(vocab) != params.n_out:
            raise bad(f"vocab has {len(vocab)} characters but the parameters have n = {params.n_in}, "
                      f"N2 = {params.n_out}")

    m = arrays["meta"]
    if m.dtype.kind != "U" or m.shape != (1,):
        raise bad(f"meta must be a unicode array of shape (1,); got dtype {m.dtype}, shape {m.shape}")
    try:
        meta = json.loads(str(m[0]))
    except json.JSONDecodeError as exc:
        raise bad(f"meta is not valid JSON ({exc})") from None
    if meta is not None and not isinstance(meta, dict):
        raise bad(f"meta must be a JSON object or null; got {type(meta).__name__}")
    return params, vocab, meta


__all__ = ["save", "load"]
