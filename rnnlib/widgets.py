"""Time-step steppers that work live and in the static published page (every chapter with a stepper).

A stepper is a slider over t and a stack of precomputed frames, joined by ``jslink``:
moving the slider switches frames in the browser, with no Python call. The same
ipywidgets control therefore works

* live, with a kernel (Jupyter, Binder, Colab): no kernel round trip per step;
* in the static page, with no kernel and no network: the notebook stores the widget
  state, and the ipywidgets HTML manager served by the book re-creates the slider,
  the frames and the link in the browser.

Each frame also has a plain-text form. The stepper's ``text/plain`` output is all
frames' texts, so strict nbval checks every number the frames show.

Colours are Okabe–Ito (colour-blind safe) and every state is also told in text.
"""
from __future__ import annotations

import functools
import html
from typing import Sequence

import numpy as np

from .forward import Trace, forward
from .params import NAMES, Params
from .steps import backward_steps, running_loss

BLUE, ORANGE, SKY, VERMILLION, GREY = "#0072B2", "#E69F00", "#56B4E9", "#D55E00", "#BBBBBB"


def fmt(x, precision: int = 4) -> str:
    """Numbers rounded for display: BLAS differs between machines in the last digits."""
    arr = np.asarray(x, dtype=np.float64)
    arr = np.where(np.abs(arr) < 0.5 * 10.0 ** -precision, 0.0, arr)   # no "-0.0000"
    return np.array2string(arr, precision=precision, floatmode="fixed", suppress_small=True,
                           max_line_width=10_000, separator=" ")


# --------------------------------------------------------------------------- the control
def Stepper(frames_html: Sequence[str], frames_text: Sequence[str], *, title: str = "",
            label: str = "t", first: int = 0):
    """Build the stepper: a slider ``label`` from ``first`` to ``first + len(frames) - 1``.

    Parameters
    ----------
    frames_html, frames_text : one HTML and one text rendering per position of the slider
    title : shown above the slider and in the text output
    """
    import ipywidgets as widgets

    if len(frames_html) != len(frames_text) or not frames_html:
        raise ValueError("frames_html and frames_text must be non-empty and of equal length")
    n = len(frames_html)
    slider = widgets.IntSlider(value=first, min=first, max=first + n - 1, description=label,
                               continuous_update=True, layout=widgets.Layout(width="28em"))
    # Stack indices are 0-based; pad so that slider value v shows child v.
    pad = [widgets.HTML("") for _ in range(first)]
    stack = widgets.Stack(pad + [widgets.HTML(f) for f in frames_html], selected_index=first)
    widgets.jslink((slider, "value"), (stack, "selected_index"))
    head = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
    text = (f"{title}\n" if title else "") + "\n".join(frames_text)
    box = _TextBox(head + [slider, stack], text=text)
    box.add_class("rnnlib-stepper")
    box.slider, box.stack, box.frames_html, box.frames_text = slider, stack, list(frames_html), list(frames_text)
    return box


def Picker(options: Sequence[str], frames_html: Sequence[str], frames_text: Sequence[str], *,
           title: str = "", label: str = "choose"):
    """A dropdown over precomputed frames (e.g. prefixes → completions), live and static alike.

    Like :func:`Stepper`, the dropdown's index is ``jslink``-ed to a stack of frames, so
    choosing an option switches the display in the browser with no kernel.
    """
    import ipywidgets as widgets

    if not (len(options) == len(frames_html) == len(frames_text)) or not options:
        raise ValueError("options, frames_html and frames_text must be non-empty and of equal length")
    dropdown = widgets.Dropdown(options=list(options), index=0, description=label)
    stack = widgets.Stack([widgets.HTML(f) for f in frames_html], selected_index=0)
    widgets.jslink((dropdown, "index"), (stack, "selected_index"))
    head = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
    text = (f"{title}\n" if title else "") + "\n".join(f"[{o}] {t}" for o, t in zip(options, frames_text))
    box = _TextBox(head + [dropdown, stack], text=text)
    box.add_class("rnnlib-picker")
    box.dropdown, box.stack = dropdown, stack
    return box


@functools.cache
def _text_box_class():
    """The VBox subclass, defined on first use (ipywidgets is imported only when a widget is made)."""
    import ipywidgets as widgets

    class TextBox(widgets.VBox):
        """A VBox whose text/plain output is a given text (what nbval compares)."""

        def __init__(self, children, *, text: str):
            super().__init__(children)
            self._text = text

        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if isinstance(data, tuple):
                data = data[0]
            data = dict(data or {})
            data["text/plain"] = self._text
            return data

    return TextBox


def _TextBox(children, *, text):
    return _text_box_class()(children, text=text)


# --------------------------------------------------------------------------- drawing
def unrolled_svg(T: int, t: int, *, tokens: Sequence[str] | None = None, phase: str = "forward",
                 width_per_step: int = 74) -> str:
    """SVG of the unrolled network x_s → a_s → ŷ_s, s = 1..T, with step t highlighted.

    ``phase="forward"``: steps < t are done (sky blue), t is current (orange), > t to come (grey).
    ``phase="backward"``: steps > t are done, t current (vermillion), < t to come.
    t = 0 highlights a_0 only.
    """
    W = 40 + width_per_step * T + 20
    y_x, y_a, y_y = 150, 95, 40
    col = lambda s: 60 + width_per_step * (s - 1) + width_per_step // 2 - 37  # noqa: E731
    current = ORANGE if phase == "forward" else VERMILLION

    def state(s):
        if s == t:
            return current, "current"
        done = s < t if phase == "forward" else s > t
        return (SKY, "done") if done else (GREY, "to come")

    desc = (f"Unrolled RNN over {T} steps, {phase} pass, step t = {t} highlighted"
            + (f"; inputs {' '.join(tokens)}" if tokens else ""))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(desc)}" '
             f'width="{W}" height="185" viewBox="0 0 {W} 185" style="font-family:sans-serif;font-size:12px">',
             f"<title>{html.escape(desc)}</title>",
             '<defs><marker id="arr" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z" fill="#444"/></marker></defs>']
    a0_fill = current if t == 0 else SKY
    parts.append(f'<rect x="8" y="{y_a-14}" width="34" height="28" rx="5" fill="{a0_fill}" stroke="#222"/>'
                 f'<text x="25" y="{y_a+4}" text-anchor="middle">a₀</text>')
    prev_x = 42
    for s in range(1, T + 1):
        x = col(s) + 20
        fill, _ = state(s)
        stroke_w = 3 if s == t else 1
        parts.append(f'<line x1="{prev_x}" y1="{y_a}" x2="{x-17}" y2="{y_a}" stroke="#444" marker-end="url(#arr)"/>')
        for y, name in ((y_x, f"x{_sub(s)}"), (y_a, f"a{_sub(s)}"), (y_y, f"ŷ{_sub(s)}")):
            parts.append(f'<rect x="{x-17}" y="{y-14}" width="34" height="28" rx="5" fill="{fill}" '
                         f'stroke="#222" stroke-width="{stroke_w}"/>'
                         f'<text x="{x}" y="{y+4}" text-anchor="middle">{name}</text>')
        parts.append(f'<line x1="{x}" y1="{y_x-14}" x2="{x}" y2="{y_a+16}" stroke="#444" marker-end="url(#arr)"/>')
        parts.append(f'<line x1="{x}" y1="{y_a-14}" x2="{x}" y2="{y_y+16}" stroke="#444" marker-end="url(#arr)"/>')
        if tokens is not None:
            parts.append(f'<text x="{x}" y="{y_x+30}" text-anchor="middle">{html.escape(repr(tokens[s-1]))}</text>')
        prev_x = x + 17
    parts.append("</svg>")
    return "".join(parts)


def _sub(s: int) -> str:
    return str(s).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def table(rows: Sequence[tuple[str, object]], precision: int = 4) -> str:
    """An HTML table of (symbol, array-or-text) rows, numbers rounded."""
    out = ['<table class="rnnlib-table" style="border-collapse:collapse;font-family:monospace">']
    for name, value in rows:
        val = value if isinstance(value, str) else fmt(value, precision)
        out.append(f'<tr><th style="text-align:right;padding:2px 8px">{html.escape(name)}</th>'
                   f'<td style="padding:2px 8px;white-space:pre">{html.escape(val)}</td></tr>')
    out.append("</table>")
    return "".join(out)


def _text_rows(head: str, rows, precision: int = 4) -> str:
    vals = [f"{n}={v if isinstance(v, str) else fmt(v, precision)}" for n, v in rows]
    return head + "  " + "  ".join(v.replace("\n", " ") for v in vals)


# --------------------------------------------------------------------------- frames
def forward_frames(trace: Trace, ys=None, tokens: Sequence[str] | None = None, precision: int = 4):
    """HTML and text frames t = 0..T for the forward pass of one sequence."""
    if trace.z.ndim != 2:
        raise ValueError("forward_frames takes the trace of one sequence (T, n)")
    T = trace.T
    cum = running_loss(trace, ys) if ys is not None else None
    html_frames, text_frames = [], []
    rows0 = [("a₀", trace.a0)]
    html_frames.append(unrolled_svg(T, 0, tokens=tokens) + f"<p>t = 0: the initial state.</p>{table(rows0, precision)}")
    text_frames.append(_text_rows("t=0", rows0, precision))
    for t in range(1, T + 1):
        k = t - 1
        rows = [("x_t", trace.xs[k]), ("z_t = W a_{t-1} + U x_t + b", trace.z[k]), ("a_t = h(z_t)", trace.a[k]),
                ("o_t = V a_t + c", trace.o[k]), ("ŷ_t = g(o_t)", trace.y_hat[k])]
        if tokens is not None:
            rows.insert(0, ("input", repr(tokens[k])))
        if cum is not None:
            L_t = cum[k] - (cum[k - 1] if k else 0.0)
            rows += [("L_t", f"{L_t:.{precision}f}"), ("L_1 + … + L_t", f"{cum[k]:.{precision}f}")]
        html_frames.append(unrolled_svg(T, t, tokens=tokens) + f"<p>t = {t}</p>" + table(rows, precision))
        text_frames.append(_text_rows(f"t={t}", rows, precision))
    return html_frames, text_frames


def forward_stepper(params: Params, xs, ys=None, activation: str = "tanh", output: str = "softmax",
                    tokens: Sequence[str] | None = None, a0=None, title: str = "Forward pass"):
    """A stepper over the forward pass of one sequence (chapter "Forward pass")."""
    trace = forward(params, xs, activation, output, a0)
    return Stepper(*forward_frames(trace, ys, tokens), title=title)


def bptt_frames(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax",
                tokens: Sequence[str] | None = None, a0=None, precision: int = 4):
    """Frames for both passes of one sequence: forward t = 0..T, then backward t = T..1.

    A backward frame shows ∂L_t/∂o_t, ∂L/∂a_t, ∂L/∂z_t, what the step adds to each
    gradient and the running sums.
    """
    trace, steps = backward_steps(params, xs, ys, activation, output, a0)
    fh, ft = forward_frames(trace, ys, tokens, precision)
    fh = [f"<p><b>Forward pass</b></p>{h}" for h in fh]
    ft = [f"forward {t}" for t in ft]
    T = trace.T
    for st in steps:
        rows = [("∂L_t/∂o_t = ŷ_t − y_t", st.dL_do), ("∂L/∂a_t", st.dL_da), ("∂L/∂z_t = h'(z_t) ⊙ ∂L/∂a_t", st.dL_dz)]
        rows += [(f"Σ ∂L/∂{n} so far", getattr(st.total, n)) for n in NAMES]
        fh.append(f"<p><b>Backward pass</b></p>{unrolled_svg(T, st.t, tokens=tokens, phase='backward')}"
                  f"<p>t = {st.t}</p>{table(rows, precision)}")
        ft.append(_text_rows(f"backward t={st.t}", rows, precision))
    return fh, ft


def bptt_stepper(params: Params, xs, ys, activation: str = "tanh", output: str = "softmax",
                 tokens: Sequence[str] | None = None, a0=None, title: str = "Forward, then backward"):
    """A stepper through the forward pass then the backward pass (slider position 0..2T)."""
    fh, ft = bptt_frames(params, xs, ys, activation, output, tokens, a0)
    return Stepper(fh, ft, title=title, label="step")


__all__ = ["Stepper", "Picker", "forward_stepper", "bptt_stepper", "forward_frames", "bptt_frames",
           "unrolled_svg", "table", "fmt"]
