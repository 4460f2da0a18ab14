"""The steppers LIVE, with a kernel: each chapter runs in Voilà (a real Jupyter kernel and the
ipywidgets front end) in headless Chromium, and every stepper and picker is moved and must change
its display. The time from key press to changed display is reported (not asserted)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_site import _stored_steppers, _visible_frame, step

LIVE_TIMES: list[float] = []   # reported by conftest.pytest_terminal_summary
CHAPTERS = sorted(p for p in (ROOT / "book").glob("*.ipynb")
                  if _stored_steppers(p) or _stored_steppers(p, "rnnlib-picker"))


@pytest.fixture(scope="module")
def voila_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    voila = Path(sys.executable).with_name("voila")
    proc = subprocess.Popen([str(voila), str(ROOT / "book"), "--no-browser", f"--port={port}",
                             "--Voila.ip=127.0.0.1", "--ServerApp.token=", "--ServerApp.password="],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT / "book")
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("Voilà did not start within 60 s", pytrace=False)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_steppers_live(browser, voila_url, nb):
    n_steppers, n_pickers = _stored_steppers(nb), _stored_steppers(nb, "rnnlib-picker")
    page = browser.new_page()
    try:
        page.goto(f"{voila_url}/voila/render/{nb.name}", timeout=180_000)
        page.wait_for_selector(".rnnlib-stepper .noUi-handle, .rnnlib-picker select", timeout=180_000)
        page.wait_for_function(f"document.querySelectorAll('.rnnlib-stepper').length >= {n_steppers} && "
                               f"document.querySelectorAll('.rnnlib-picker').length >= {n_pickers}",
                               timeout=180_000)
        steppers = page.locator(".rnnlib-stepper")
        assert steppers.count() == n_steppers
        for i in range(n_steppers):
            st = steppers.nth(i)
            st.scroll_into_view_if_needed()
            before = _visible_frame(st)
            LIVE_TIMES.append(step(st, "ArrowRight"))
            assert _visible_frame(st) != before, f"{nb.name}: live stepper {i} did not change"
            step(st, "ArrowLeft")
            assert _visible_frame(st) == before, f"{nb.name}: live stepper {i} did not return"
        pickers = page.locator(".rnnlib-picker")
        assert pickers.count() == n_pickers
        for i in range(n_pickers):
            pk = pickers.nth(i)
            before = _visible_frame(pk)
            pk.locator("select").first.select_option(index=1)
            page.wait_for_timeout(150)
            assert _visible_frame(pk) != before, f"{nb.name}: live picker {i} did not change"
    finally:
        page.close()
