"""The book's own Sphinx extension: small fixes the published pages need.

* sphinx-thebe 0.3.1 adds its inline configuration script once per reading pass, and
  Jupyter Book reads twice, so pages carried two ``const THEBE_JS_URL`` declarations
  and the browser logged "Identifier 'THEBE_JS_URL' has already been declared".
  Here each page keeps only the first copy of any identical inline script.
"""
from __future__ import annotations


def _dedupe_inline_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:
        body = getattr(js, "attributes", {}).get("body") if hasattr(js, "attributes") else None
        key = ("body", body) if body else None
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe_inline_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
