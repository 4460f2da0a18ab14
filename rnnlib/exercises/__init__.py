"""Automatic checks for the book's exercises (every chapter's "Exercises" section).

    >>> from rnnlib.exercises import check
    >>> check("forward-1", my_answer)
    ✓ forward-1: correct.

Each chapter registers its exercises in a module of this package (``forward.py``,
``worked_example.py``, …). An exercise knows how to compute its expected answer with
rnnlib (nothing is typed in by hand), how close an answer must be, and a hint for a
wrong one. ``check`` never raises on a wrong or malformed answer: it tells the
student what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

_REGISTRY: dict[str, "Exercise"] = {}


@dataclass(frozen=True)
class Exercise:
    """One checkable exercise: ``expected()`` computes the answer; ``compare`` judges one."""

    id: str
    expected: Callable[[], Any]
    hint: str
    rtol: float = 1e-6
    atol: float = 1e-8
    compare: Callable[[Any, Any], bool] | None = None


@dataclass(frozen=True)
class CheckResult:
    """The verdict; truthy when correct. Its repr is the message the student sees."""

    id: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return self.message


def register(id: str, hint: str, *, rtol: float = 1e-6, atol: float = 1e-8, compare=None):
    """Decorator: register ``fn`` (no arguments, returns the expected answer) as exercise ``id``."""
    def deco(fn):
        if id in _REGISTRY:
            raise ValueError(f"exercise {id!r} is registered twice")
        _REGISTRY[id] = Exercise(id, fn, hint, rtol, atol, compare)
        return fn
    return deco


def exercise_ids() -> list[str]:
    """All registered exercise ids, sorted."""
    _load_all()
    return sorted(_REGISTRY)


def expected(id: str):
    """The expected answer of exercise ``id`` (for instructors and tests)."""
    return _get(id).expected()


def check(id: str, answer) -> CheckResult:
    """Tell the student whether ``answer`` to exercise ``id`` is right, with a hint if not."""
    ex = _get(id)
    if answer is None or answer is ...:
        return CheckResult(id, False, f"… {id}: no answer yet — replace the placeholder with your answer.")
    want = ex.expected()
    try:
        ok = ex.compare(answer, want) if ex.compare else _close(answer, want, ex.rtol, ex.atol)
    except _Shape as err:
        return CheckResult(id, False, f"✗ {id}: not yet — {err} Hint: {ex.hint}")
    if ok:
        return CheckResult(id, True, f"✓ {id}: correct.")
    return CheckResult(id, False, f"✗ {id}: not yet. Hint: {ex.hint}")


class _Shape(Exception):
    pass


def same_shape(answer, want) -> bool:
    """``compare`` for shapes: a tuple/list of integers equal to ``want``."""
    try:
        got = tuple(answer)
    except TypeError:
        return False
    ok = all(isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer())
             for v in got)
    return ok and tuple(int(v) for v in got) == tuple(want)


def same_int(answer, want) -> bool:
    """``compare`` for counts: an integer (or a float with no fractional part) equal to ``want``."""
    if isinstance(answer, (bool, np.bool_)):
        return False
    if isinstance(answer, (int, np.integer, float, np.floating)) and float(answer).is_integer():
        return int(answer) == int(want)
    return False


def _close(answer, want, rtol, atol) -> bool:
    if isinstance(want, str):
        return isinstance(answer, str) and answer.strip() == want
    if isinstance(want, (bool, np.bool_)):
        return isinstance(answer, (bool, np.bool_)) and bool(answer) == bool(want)
    try:
        a = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Shape(f"expected a number or an array, got {type(answer).__name__}.") from None
    w = np.asarray(want, dtype=np.float64)
    if a.shape != w.shape:
        raise _Shape(f"expected shape {w.shape}, got {a.shape}.")
    return bool(np.all(np.isfinite(a)) and np.allclose(a, w, rtol=rtol, atol=atol))


def _get(id: str) -> Exercise:
    _load_all()
    if id not in _REGISTRY:
        raise ValueError(f"unknown exercise id {id!r}; known ids: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[id]


def _load_all() -> None:
    import importlib
    import pkgutil

    for mod in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{mod.name}")


__all__ = ["check", "register", "expected", "exercise_ids", "same_shape", "same_int", "CheckResult", "Exercise"]
