"""The built book in headless Chromium, offline: every page loads with no console errors and no
request leaving 127.0.0.1, its math is typeset, its launch buttons are there, and every time-step
stepper moves forward and back with its display changing (chapter platform, issue "The book")."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import ROOT, SITE, pages

PAGES = pages()
NOTEBOOK_PAGES = [p for p in PAGES if (ROOT / p.replace(".html", ".ipynb")).exists()]


def _open(browser, url):
    page = browser.new_page()
    events = {"errors": [], "external": [], "failed": []}
    page.on("console", lambda m: m.type == "error" and events["errors"].append(m.text))
    page.on("pageerror", lambda e: events["errors"].append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: events["failed"].append(r.url))
    page.on("request", lambda r: urlparse(r.url).hostname not in ("127.0.0.1", None)
            and r.url.split(":")[0] in ("http", "https") and events["external"].append(r.url))
    page.goto(url, wait_until="load")
    return page, events


def test_site_has_pages():
    assert "index.html" in PAGES or any(p.endswith("intro.html") for p in PAGES)
    assert PAGES, f"no pages found in {SITE}"


@pytest.mark.parametrize("rel", PAGES)
def test_page_offline_clean(browser, site_url, rel):
    page, ev = _open(browser, f"{site_url}/{rel}")
    try:
        has_math = page.locator(".math, div.math, span.math").count() > 0
        if has_math:
            # MathJax has finished when no element with class "math" is left without its rendering.
            page.wait_for_function(
                "document.querySelectorAll('mjx-container').length > 0 && "
                "!document.querySelector('main').innerText.includes('\\\\(')", timeout=20000)
        page.wait_for_timeout(300)
        text = page.locator("main").inner_text()
        for raw in ("$$", "\\[", "\\(", "\\begin{"):
            assert raw not in text, f"{rel}: untypeset math {raw!r} left in the page"
        no_alt = page.eval_on_selector_all(
            "main img", "els => els.filter(e => !(e.getAttribute('alt') || '').trim()).map(e => e.src)")
        assert not no_alt, f"{rel}: images without alt text: {no_alt[:3]}"
        assert not ev["external"], f"{rel}: requests left the machine: {ev['external'][:5]}"
        assert not ev["failed"], f"{rel}: failed requests: {ev['failed'][:5]}"
        assert not ev["errors"], f"{rel}: console errors: {ev['errors'][:5]}"
    finally:
        page.close()


@pytest.mark.parametrize("rel", NOTEBOOK_PAGES)
def test_launch_buttons(browser, site_url, rel):
    page, _ = _open(browser, f"{site_url}/{rel}")
    try:
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        assert any("mybinder.org/v2/gh/" in h for h in hrefs), f"{rel}: no Binder launch link"
        assert any("colab.research.google.com/github/" in h for h in hrefs), f"{rel}: no Colab launch link"
        assert page.locator(".btn-launch-thebe, .thebe-launch-button").count() > 0, f"{rel}: no Thebe button"
        assert any(h.endswith(".ipynb") for h in hrefs), f"{rel}: no .ipynb download"
    finally:
        page.close()


def _visible_frame(stepper) -> str:
    return stepper.evaluate(
        """el => Array.from(el.querySelectorAll('.widget-html-content'))
                 .filter(e => e.offsetParent !== null).map(e => e.innerText).join('\\n')""")


STEPPER_TIMES: list[float] = []   # reported by conftest.pytest_terminal_summary, never asserted

_STEP_JS = """(el, key) => new Promise((resolve, reject) => {
  const shown = () => Array.from(el.querySelectorAll('.widget-html-content'))
      .filter(e => e.offsetParent !== null).map(e => e.innerText).join('\\n');
  const before = shown();
  const handle = el.querySelector('.noUi-handle');
  const obs = new MutationObserver(() => {
    if (shown() !== before) { obs.disconnect(); resolve(performance.now() - t0); }
  });
  obs.observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
  setTimeout(() => { obs.disconnect(); reject(new Error('display did not change')); }, 5000);
  handle.focus();
  const t0 = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
})"""


def step(stepper, key: str) -> float:
    """Press ``key`` on the stepper's slider; seconds from the key event to the changed display,
    measured inside the page (a MutationObserver), so the test harness's own latency is excluded."""
    return stepper.evaluate(_STEP_JS, key) / 1000.0


def _stored_steppers(nb_path: Path, cls: str = "rnnlib-stepper") -> int:
    """How many displayed widgets in the stored notebook carry the DOM class ``cls``."""
    nb = json.loads(nb_path.read_text())
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    shown = [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
             for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    return sum(cls in state.get(m, {}).get("state", {}).get("_dom_classes", []) for m in shown)


@pytest.mark.parametrize("rel", NOTEBOOK_PAGES)
def test_steppers_move(browser, site_url, rel):
    expected = _stored_steppers(ROOT / rel.replace(".html", ".ipynb"))
    page, ev = _open(browser, f"{site_url}/{rel}")
    try:
        if expected:
            page.wait_for_selector(".rnnlib-stepper", timeout=15000)
        steppers = page.locator(".rnnlib-stepper")
        n = steppers.count()
        if not expected:
            assert n == 0
            return
        assert n == expected, f"{rel}: {expected} steppers stored in the notebook, {n} rendered"
        for i in range(n):
            st = steppers.nth(i)
            st.scroll_into_view_if_needed()
            before = _visible_frame(st)
            assert before.strip(), f"{rel}: stepper {i} shows nothing"
            STEPPER_TIMES.append(step(st, "ArrowRight"))
            after = _visible_frame(st)
            assert after != before, f"{rel}: stepper {i} did not change when moved forward"
            step(st, "ArrowLeft")
            assert _visible_frame(st) == before, f"{rel}: stepper {i} did not return when moved back"
        assert not ev["errors"], f"{rel}: console errors while stepping: {ev['errors'][:5]}"
    finally:
        page.close()


@pytest.mark.parametrize("rel", NOTEBOOK_PAGES)
def test_pickers_switch(browser, site_url, rel):
    """Every dropdown picker (rnnlib.widgets.Picker) changes its display for each option, offline."""
    expected = _stored_steppers(ROOT / rel.replace(".html", ".ipynb"), "rnnlib-picker")
    page, ev = _open(browser, f"{site_url}/{rel}")
    try:
        if expected:
            page.wait_for_selector(".rnnlib-picker select", timeout=15000)
        pickers = page.locator(".rnnlib-picker")
        assert pickers.count() == expected, f"{rel}: {expected} pickers stored, {pickers.count()} rendered"
        for i in range(expected):
            pk = pickers.nth(i)
            pk.scroll_into_view_if_needed()
            select = pk.locator("select").first
            n_options = select.locator("option").count()
            assert n_options >= 2, f"{rel}: picker {i} has {n_options} options"
            seen = [_visible_frame(pk)]
            for k in range(1, n_options):
                select.select_option(index=k)
                page.wait_for_timeout(100)
                seen.append(_visible_frame(pk))
            assert len(set(seen)) == n_options, f"{rel}: picker {i} shows the same display for different options"
        assert not ev["errors"], f"{rel}: console errors while picking: {ev['errors'][:5]}"
    finally:
        page.close()
