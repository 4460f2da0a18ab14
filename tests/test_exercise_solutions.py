"""Every exercise's hidden solution, run as written, passes its automatic check; every registered
check accepts its expected answer and rejects a wrong one (chapters' "Exercises" sections)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from rnnlib import exercises
from rnnlib.exercises import check, exercise_ids, expected

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = re.compile(r"(`{4,})\{solution\} ([\w-]+)\n(.*?)\n\1", re.S)
PYBLOCK = re.compile(r"```python\n(.*?)\n```", re.S)


def _solutions():
    out = []
    for nb_path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        for c in nb["cells"]:
            if c["cell_type"] != "markdown":
                continue
            src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for _, label, body in SOLUTION.findall(src):
                for code in PYBLOCK.findall(body):
                    out.append(pytest.param(code, id=f"{nb_path.stem}:{label}"))
    return out


SOLUTIONS = _solutions()


@pytest.mark.parametrize("code", SOLUTIONS)
def test_solution_passes_its_check(code):
    results = []

    def recording_check(id, answer):
        r = check(id, answer)
        results.append(r)
        return r

    ns = {"__name__": "__solution__"}
    code = code.replace("from rnnlib.exercises import check", "pass")
    ns["check"] = recording_check
    exec(compile(code, "<solution>", "exec"), ns)
    assert results, "the solution never calls check(...)"
    assert all(results), [r.message for r in results]


@pytest.mark.parametrize("id", exercise_ids())
def test_check_accepts_expected_and_rejects_wrong(id):
    want = expected(id)
    assert check(id, want), f"{id}: its own expected answer is rejected"
    assert not check(id, None)
    ex = exercises._REGISTRY[id]
    if isinstance(want, str):
        wrong = want + "x"
    elif isinstance(want, (bool, np.bool_)):
        wrong = not want
    else:
        arr = np.asarray(want, dtype=float)
        wrong = arr + 0.1 * (1 + np.abs(arr))
        if ex.compare is None and arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0):
            wrong = arr + 1
    assert not check(id, wrong), f"{id}: a wrong answer is accepted"


def test_every_registered_exercise_appears_in_a_chapter():
    text = "".join(p.read_text() for p in (ROOT / "book").glob("*.ipynb"))
    unused = [i for i in exercise_ids() if f'check(\\"{i}\\"' not in text and f"check('{i}'" not in text]
    assert not unused, f"registered exercises no chapter uses: {unused}"


def test_unknown_id_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown exercise id"):
        check("no-such-exercise", 1)
