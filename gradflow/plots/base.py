"""Shared pieces of every figure: palette, template, layout helpers, log axes, chart config, CSV export.

Colours are the Okabe–Ito colour-blind-safe palette, and each cell also has
its own dash style, so no reading depends on colour alone. Any user text put
into a figure (tokens) goes through `safe_text`, because plotly interprets a
subset of HTML in labels. The underscore helpers are shared by the figure
modules of this package only (not by pages).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go


# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
CELL_COLOR = {"rnn": OKABE_ITO["vermillion"], "lstm": OKABE_ITO["blue"], "gru": OKABE_ITO["green"]}
CELL_DASH = {"rnn": "solid", "lstm": "dash", "gru": "dashdot"}
CELL_SYMBOL = {"rnn": "circle", "lstm": "square", "gru": "diamond"}
THEORY_COLOR = "#555555"
CELL_NAME = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def safe_text(s) -> str:
    """User text made inert for plotly labels (its HTML subset is escaped)."""
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# A small light template, built once: assigning plotly's "plotly_white" copies
# and validates a large template on every figure (~20 ms each).
_TEMPLATE = go.layout.Template(layout={
    "plot_bgcolor": "white", "paper_bgcolor": "white", "colorway": list(OKABE_ITO.values())[1:] + ["#000000"],
    "xaxis": {"gridcolor": "#E6E6E6", "linecolor": "#444444", "zeroline": False, "ticks": "outside",
              "automargin": True},
    "yaxis": {"gridcolor": "#E6E6E6", "linecolor": "#444444", "zeroline": False, "ticks": "outside",
              "automargin": True},
})


def _lab(labels: Mapping[str, str] | None, key: str) -> str:
    return (labels or {}).get(key, key)


def _sizes(present: bool) -> dict:
    return {"font": 22 if present else 13, "line": 4.5 if present else 2.0,
            "thin": 3.0 if present else 1.3, "marker": 11 if present else 6}


_FONT = "Liberation Sans, Noto Sans CJK KR, Arial, sans-serif"
# Right of the plot: above it, a legend collides with titles in presentation
# mode; below it, with the x-axis title.
_LEGEND_RIGHT = {"orientation": "v", "yanchor": "top", "y": 1.0, "xanchor": "left", "x": 1.02}
_LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0.0}


def _base_layout(labels, present: bool, height: int, legend: bool = True) -> dict:
    s = _sizes(present)
    return {
        "title": {"text": _lab(labels, "title"), "font": {"size": s["font"] + 3}},
        "font": {"size": s["font"], "family": _FONT},
        "height": int(height * (1.35 if present else 1.0)),
        "margin": {"l": 60, "r": 20, "t": 60 if present else 50, "b": 50},
        "template": _TEMPLATE, "showlegend": legend, "legend": _LEGEND_RIGHT,
    }


def _layout(fig: go.Figure, labels, present: bool, *, height: int = 380, legend: bool = True) -> go.Figure:
    """Common title, fonts, size and legend of a figure built trace by trace (subplots)."""
    fig.update_layout(_base_layout(labels, present, height, legend))
    return fig


def _figure(traces, labels, present: bool, *, height: int, show_legend: bool = True, xaxis=None, yaxis=None,
            shapes=(), annotations=(), **layout) -> go.Figure:
    """A figure built in one constructor call from trace and layout dicts.

    Four times faster than adding traces and updating the layout step by step
    (plotly validates every update): this is what a slider drag redraws.
    """
    lay = _base_layout(labels, present, height, show_legend)
    lay["xaxis"] = {"title": {"text": _lab(labels, "x")}, **(xaxis or {})}
    lay["yaxis"] = {"title": {"text": _lab(labels, "y")}, **(yaxis or {})}
    lay["shapes"] = list(shapes)
    lay["annotations"] = list(annotations)
    lay.update(layout)
    return go.Figure(data=list(traces), layout=lay)


def _finite_positive(*arrays) -> np.ndarray:
    vals = [np.asarray(a, dtype=np.float64).ravel() for a in arrays if a is not None]
    vals = np.concatenate(vals) if vals else np.empty(0)
    return vals[np.isfinite(vals) & (vals > 0)]


def _decade_range(*arrays) -> list | None:
    """[lo, hi] (log10) of the positive finite values, widened about its middle to one decade; None if none."""
    vals = _finite_positive(*arrays)
    if not vals.size:
        return None
    lo, hi = float(np.log10(vals.min())), float(np.log10(vals.max()))
    if hi - lo < 1.0:
        lo, hi = 0.5 * (lo + hi) - 0.5, 0.5 * (lo + hi) + 0.5
    return [lo, hi]


# Mantissas of the labelled ticks inside a decade, from coarse to fine.
_MANTISSAS = ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9))
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _tick_text(v: float, plain: bool) -> str:
    """A tick's full value: 0.002, 0.5, 20 (plain) or 2×10⁻⁵, 10⁶ (power)."""
    if plain:
        return f"{v:.6g}"
    k = int(np.floor(np.log10(v) + 1e-9))
    m = float(f"{v / 10.0 ** k:.6g}")
    exp = f"10{str(k).translate(_SUPERSCRIPT)}"
    return exp if m == 1 else f"{m:g}×{exp}"


def _log_ticks_for(lo: float, hi: float) -> dict:
    """Tick settings of a log axis showing log10 range [lo, hi]: never plotly's bare minor digits.

    Two decades or more: labelled decades only (an integer dtick, at most
    about eight labels). Less: explicit ticks at 1-2-5 (or finer) steps,
    each labelled with its full value, never "2 … 5 … 1".
    """
    span = hi - lo
    if span >= 2:
        return {"dtick": int(max(1, np.ceil(span / 8))), "tickmode": "linear", "tick0": 0, "minorloglabels": "none"}
    for mant in _MANTISSAS:
        vals = [m * 10.0 ** k for k in range(int(np.floor(lo)) - 1, int(np.ceil(hi)) + 1) for m in mant]
        inside = [v for v in vals if lo - 1e-9 <= np.log10(v) <= hi + 1e-9]
        if len(inside) >= 3:
            break
    plain = all(1e-3 <= v < 1e5 for v in inside) if inside else True
    return {"tickmode": "array", "tickvals": vals, "ticktext": [_tick_text(v, plain) for v in vals]}


def _log_axis(*arrays) -> dict:
    """A log axis for these values: at least one decade tall (flat curves show no rounding noise),
    with readable ticks (see _log_ticks_for)."""
    r = _decade_range(*arrays)
    axis = {"type": "log", "exponentformat": "power"}
    if r is None:
        return axis | {"dtick": 1}
    vals = _finite_positive(*arrays)
    if np.log10(vals.max() / vals.min()) < 1.0:
        axis["range"] = r
    return axis | _log_ticks_for(*r)


def _at_least_one_decade(fig: go.Figure, *arrays, row=None, col=None) -> None:
    """_log_axis for a subplot's y axis (type, range when short, ticks)."""
    fig.update_yaxes(_log_axis(*arrays), row=row, col=col)


def _log_ticks(*arrays) -> dict:
    """Tick settings of a log axis whose range plotly sets from these values (see _log_ticks_for)."""
    v = _finite_positive(*arrays)
    if not v.size:
        return {"dtick": 1}
    lo, hi = float(np.log10(v.min())), float(np.log10(v.max()))
    pad = 0.05 * max(hi - lo, 0.1)  # plotly's autorange pads a little
    return _log_ticks_for(lo - pad, hi + pad)


def plotly_config(filename: str, image_format: str = "png", present: bool = False) -> dict:
    """Config for st.plotly_chart: the modebar camera saves PNG or SVG, no logo, no network."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": image_format, "filename": filename,
                                 "scale": 2 if present else 1},
        "modeBarButtonsToRemove": ["lasso2d"],
    }


def _block_shapes(T: int, truncate: int | None) -> list:
    """Shade every other truncation block [k·w, (k+1)·w) of the time axis."""
    if not truncate or truncate >= T:
        return []
    return [{"type": "rect", "xref": "x", "yref": "paper", "x0": start - 0.5, "x1": min(start + truncate, T) - 0.5,
             "y0": 0, "y1": 1, "fillcolor": OKABE_ITO["sky"], "opacity": 0.12, "line": {"width": 0}, "layer": "below"}
            for k, start in enumerate(range(0, T, truncate)) if k % 2 == 0]


def _vline(x, line: dict) -> dict:
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def _note(x, text: str, xanchor: str = "left") -> dict:
    return {"x": x, "xref": "x", "y": 1, "yref": "paper", "text": text, "showarrow": False,
            "xanchor": xanchor, "yanchor": "top"}


def _positive(y) -> np.ndarray:
    """Values for a log axis: non-positive and non-finite entries become gaps (NaN)."""
    y = np.asarray(y, dtype=np.float64)
    return np.where(np.isfinite(y) & (y > 0), y, np.nan)


def _line(x, y, name, color, dash, width, **kw) -> dict:
    return {"type": "scatter", "x": x, "y": y, "name": name, "mode": "lines",
            "line": {"color": color, "dash": dash, "width": width}, **kw}


def figure_to_csv(fig: go.Figure) -> str:
    """The data of every trace of `fig` as long-format CSV: trace, x, y[, z].

    Line, marker and bar traces give one row per point; heatmaps and
    contours one row per cell (x, y, z). Complex numbers never occur (the
    figures take real and imaginary parts apart). Shapes are left out.
    """
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["trace", "x", "y", "z"])
    for i, tr in enumerate(fig.data):
        name = tr.name if tr.name is not None else f"trace{i}"
        z = getattr(tr, "z", None)
        if z is not None:
            z = np.asarray(z, dtype=np.float64)
            if z.ndim != 2:
                continue
            xs = np.arange(z.shape[1]) if tr.x is None else np.asarray(tr.x)
            ys = np.arange(z.shape[0]) if tr.y is None else np.asarray(tr.y)
            for r in range(z.shape[0]):
                for c in range(z.shape[1]):
                    w.writerow([name, xs[c], ys[r], repr(float(z[r, c]))])
            continue
        y = getattr(tr, "y", None)
        if y is None:
            continue
        y = list(y)
        x = list(range(len(y))) if tr.x is None else list(tr.x)
        for xi, yi in zip(x, y):
            w.writerow([name, xi, "" if yi is None else yi, ""])
    return buf.getvalue()
