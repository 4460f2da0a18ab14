"""Shared pytest setup for rnnlib's tests (every chapter).

* ``random_seed``: an autouse fixture that seeds numpy's global generator before
  every test, as in HIPS autograd's ``tests/conftest.py``; tests that need their
  own generator take the ``rng`` fixture (``numpy.random.default_rng(SEED)``).
* Hypothesis runs derandomised (the same examples on every run and machine) and
  without per-example deadlines; ``HYPOTHESIS_PROFILE=random`` draws fresh
  examples on each run when hunting for a bug.

Shared strategies and random-data helpers live in ``tests/strategies.py``.
"""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))  # so test files can `import strategies`

SEED = 0

settings.register_profile(
    "rnnlib",
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "random",
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "rnnlib"))


@pytest.fixture(autouse=True)
def random_seed():
    """Seed numpy's global generator before every test (HIPS autograd style)."""
    np.random.seed(SEED)


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator for one test."""
    return np.random.default_rng(SEED)
