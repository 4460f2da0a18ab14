"""Install the book's browser scripts from npm and copy them into the built site (build step of `make book`).

The published pages must work with no network, so MathJax 3 and the ipywidgets HTML
manager are served from the site itself. They are taken from the npm packages pinned
in package.json/package-lock.json at build time (never committed) and copied to
``_assets/vendor/``, which ``_config.yml`` lists in ``html_extra_path`` (so Sphinx copies
it to ``_build/html/vendor/`` without adding every file as a <script> tag).
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "_assets" / "vendor"
COPY = {  # package folder inside node_modules -> destination below _assets/vendor
    "mathjax/es5": "mathjax",
    "@jupyter-widgets/html-manager/dist": "html-manager",
}


def main() -> int:
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = OUT / ".lock-sha256"
    digest = hashlib.sha256(lock).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and all((OUT / d).is_dir() for d in COPY.values()):
        print("vendor assets up to date")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print("build_assets: npm is needed to fetch MathJax and the widget manager (apt-get install npm)",
              file=sys.stderr)
        return 1
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                   cwd=HERE, check=True)
    if OUT.exists():
        shutil.rmtree(OUT)
    for src, dst in COPY.items():
        shutil.copytree(HERE / "node_modules" / src, OUT / dst)
    stamp.write_text(digest)
    print(f"vendor assets copied to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
