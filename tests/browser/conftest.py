"""Fixtures for the browser test of the built book (run by `make test` after `make book`)."""
from __future__ import annotations

import functools
import http.server
import os
import socketserver
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_SITE", ROOT / "_build" / "html"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built book at {SITE}: run `make book` first", pytrace=False)
    handler = functools.partial(_Quiet, directory=str(SITE))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


def pages() -> list[str]:
    """Every HTML page of the book proper (not search/genindex or vendored files)."""
    out = []
    for p in sorted(SITE.rglob("*.html")):
        rel = p.relative_to(SITE).as_posix()
        if rel.split("/")[0] in {"_static", "vendor", "_sources", "_images"} or rel in {"search.html", "genindex.html"}:
            continue
        if p.read_text(errors="ignore").lstrip().startswith('<meta http-equiv="Refresh"'):
            continue  # Jupyter Book's root redirect to the first page
        out.append(rel)
    return out


def pytest_terminal_summary(terminalreporter):
    """Report the browser's time per stepper step (key press to changed display): measured, not asserted."""
    from .test_live import LIVE_TIMES
    from .test_site import STEPPER_TIMES

    for where, times in (("the static page", STEPPER_TIMES), ("live, with a kernel (Voilà)", LIVE_TIMES)):
        if times:
            ms = sorted(1000 * t for t in times)
            terminalreporter.write_line(
                f"stepper steps in {where}: {len(ms)} measured, median {ms[len(ms) // 2]:.0f} ms, "
                f"max {ms[-1]:.0f} ms (key press to changed display, headless Chromium)")
