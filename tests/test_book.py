"""Structure of the book's chapters (issue "The book"): what strict nbval and the build do not check.

Every chapter is in the table of contents, stored executed top to bottom, with no stray errors or
tags; its Colab setup cell installs rnnlib from the one repository URL in _config.yml; every figure
has alt text; every chapter has at least three exercises, each with a hidden solution.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
ALLOWED_TAGS = {"raises-exception", "nbval-ignore-output", "remove-input", "hide-input", "hide-output"}


def _toc_files(node) -> list[str]:
    out = []
    if isinstance(node, dict):
        if "file" in node:
            out.append(node["file"])
        if "root" in node:
            out.append(node["root"])
        for v in node.values():
            if isinstance(v, (list, dict)):
                out += _toc_files(v)
    elif isinstance(node, list):
        for v in node:
            out += _toc_files(v)
    return out


TOC_FILES = _toc_files(TOC)
NOTEBOOKS = sorted(p for p in (ROOT / "book").glob("*.ipynb"))
CHAPTERS = [p for p in NOTEBOOKS if "being written" not in p.read_text()]


def _nb(path: Path) -> dict:
    return json.loads(path.read_text())


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def test_toc_files_exist():
    for f in TOC_FILES:
        assert any((ROOT / f"{f}{ext}").exists() for ext in ("", ".md", ".ipynb")), f"_toc.yml lists missing {f}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_in_toc(path):
    assert path.relative_to(ROOT).with_suffix("").as_posix() in TOC_FILES


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_executed_top_to_bottom(path):
    nb = _nb(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and _src(c).strip()]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path.name}: execution counts {counts}"
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tags_and_errors(path):
    for c in _nb(path)["cells"]:
        tags = set(c.get("metadata", {}).get("tags", []))
        assert tags <= ALLOWED_TAGS, f"{path.name}: unexpected tags {tags - ALLOWED_TAGS}"
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                assert "raises-exception" in tags, f"{path.name}: an error output in an untagged cell"
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                pytest.fail(f"{path.name}: stderr output stored (warnings?): {''.join(o['text'])[:200]}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_colab_setup_cell_uses_the_configured_repository(path):
    first = next(c for c in _nb(path)["cells"] if c["cell_type"] == "code")
    src = _src(first)
    url = CONFIG["repository"]["url"].rstrip("/")
    assert "import rnnlib" in src and "except ImportError" in src, f"{path.name}: no setup cell first"
    assert f"git+{url}" in src, f"{path.name}: setup cell does not install from {url} (_config.yml)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_figures_have_alt_text(path):
    for i, c in enumerate(_nb(path)["cells"]):
        if any("image/png" in o.get("data", {}) for o in c.get("outputs", [])):
            alt = c.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            assert alt.strip(), f"{path.name}: cell {i} has a figure without alt text"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_have_hidden_solutions(path):
    md = "\n".join(_src(c) for c in _nb(path)["cells"] if c["cell_type"] == "markdown")
    exercises = re.findall(r"```\{exercise\}[^\n]*\n:label: ([\w-]+)", md)
    solutions = re.findall(r"`{3,}\{solution\} ([\w-]+)\n((?::[\w-]+:[^\n]*\n)*)", md)
    assert len(exercises) >= 3, f"{path.name}: {len(exercises)} exercises, at least 3 expected"
    hidden = {label for label, opts in solutions if "dropdown" in opts}
    missing = [e for e in exercises if e not in hidden]
    assert not missing, f"{path.name}: exercises without a hidden (dropdown) solution: {missing}"


def test_launch_configuration():
    lb = CONFIG["launch_buttons"]
    assert lb["binderhub_url"].startswith("https://") and lb["colab_url"].startswith("https://")
    assert lb["thebe"] is True
    assert CONFIG["execute"]["execute_notebooks"] == "off"
    req = (ROOT / "requirements.txt").read_text().split()
    assert "-e" in req and "." in req, "requirements.txt must install rnnlib for Binder"


def test_makefile_runs_strict_nbval():
    mk = (ROOT / "Makefile").read_text()
    assert "--nbval " in mk and "--nbval-lax" not in mk
    assert "-W -n --keep-going" in mk and "rm -rf _build" in mk


def test_instructors_page_lists_every_exercise():
    """book/instructors.md's table of auto-checked exercises equals the registry, chapter by chapter."""
    from itertools import groupby

    from rnnlib.exercises import exercise_ids

    text = (ROOT / "book" / "instructors.md").read_text()
    listed = dict(re.findall(r"\| \{doc\}`\w+` \| `([a-z]+)-1` … `[a-z]+-(\d+)` \|", text))
    registered = {k: str(len(list(g))) for k, g in groupby(exercise_ids(), key=lambda i: i.rsplit("-", 1)[0])}
    assert listed == registered
