"""Figure style shared by the chapters: colour-blind-safe colours, modest image sizes (every chapter).

    >>> from rnnlib.plotting import use_book_style, OKABE_ITO
    >>> use_book_style()

Colours are the Okabe–Ito palette, safe for the common forms of colour blindness;
lines also differ by marker and style so a figure reads in greyscale.
"""
from __future__ import annotations

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1))]


def use_book_style() -> None:
    """Set matplotlib's defaults for the book: Okabe–Ito colours + markers, small PNGs."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=CYCLE) + cycler(marker=MARKERS) + cycler(linestyle=LINESTYLES),
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "lines.markersize": 4,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "font.size": 10,
    })


__all__ = ["OKABE_ITO", "CYCLE", "MARKERS", "LINESTYLES", "use_book_style"]
