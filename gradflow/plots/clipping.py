"""Figures of page 2 (gradient clipping): per-parameter norms, the PTB norm histogram, Pascanu's cliff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .base import _LEGEND_BELOW, OKABE_ITO, _figure, _lab, _line, _log_axis, _note, _positive, _sizes, _vline


def fig_param_norms(names: Sequence[str], before, after, *, labels=None, present: bool = False) -> go.Figure:
    """Per-parameter gradient norms before and after clipping (grouped bars, log axis)."""
    traces = [{"type": "bar", "x": list(names), "y": _positive(before), "name": _lab(labels, "before"),
               "marker": {"color": OKABE_ITO["vermillion"]}},
              {"type": "bar", "x": list(names), "y": _positive(after), "name": _lab(labels, "after"),
               "marker": {"color": OKABE_ITO["blue"], "pattern": {"shape": "/"}}}]
    return _figure(traces, labels, present, height=360, yaxis=_log_axis(before, after), barmode="group")


def fig_norm_histogram(norms, threshold: float | None, band: tuple | None = None, *, bins: int = 40,
                       labels=None, present: bool = False) -> go.Figure:
    """Histogram of global gradient norms on log-spaced bins, with the threshold and a band.

    norms (N,) finite positive values are counted; band (lo, hi) is shaded
    (Pascanu et al.: 0.5–10× the average norm). labels: title, x, y, threshold, band.
    """
    s = _sizes(present)
    v = np.asarray(norms, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    traces, shapes, notes = [], [], []
    if v.size:
        lo, hi = np.log10(v.min()), np.log10(v.max())
        edges = np.logspace(lo - 0.05, hi + 0.05, bins + 1)  # (bins+1,)
        counts, _ = np.histogram(v, edges)
        traces.append({"type": "bar", "x": np.sqrt(edges[:-1] * edges[1:]), "y": counts, "width": np.diff(edges),
                       "name": _lab(labels, "y"),
                       "marker": {"color": OKABE_ITO["sky"], "line": {"color": OKABE_ITO["blue"], "width": 1}}})
    if band is not None and all(np.isfinite(band)) and band[0] > 0:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": band[0], "x1": band[1], "y0": 0, "y1": 1,
                       "fillcolor": OKABE_ITO["yellow"], "opacity": 0.25, "line": {"width": 0}, "layer": "below"})
        notes.append(_note(float(np.log10(band[0])), _lab(labels, "band")))
    if threshold is not None and np.isfinite(threshold) and threshold > 0:
        shapes.append(_vline(threshold, {"color": OKABE_ITO["vermillion"], "width": s["line"], "dash": "dash"}))
        notes.append(_note(float(np.log10(threshold)), _lab(labels, "threshold"), "right"))
    # Annotations on a log axis take log10 positions; shapes take data values.
    return _figure(traces, labels, present, height=360, show_legend=False,
                   xaxis={"type": "log", "exponentformat": "power"}, shapes=shapes, annotations=notes)


def fig_cliff(ws, bs, L, paths: Mapping[str, np.ndarray], clipped: Mapping[str, np.ndarray] | None = None, *,
              labels=None, present: bool = False) -> go.Figure:
    """Loss surface log10 L(w, b) with gradient-descent paths drawn on it.

    ws (Nw,), bs (Nb,), L (Nb, Nw); paths: name -> (n, 2) points (w, b);
    clipped: name -> (n-1,) bool, the steps that were clipped (marked with
    crosses). labels: title, x, y, z, start, clipmark.
    """
    s = _sizes(present)
    z = np.log10(np.maximum(np.asarray(L, dtype=np.float64), 1e-12))
    traces = [{"type": "contour", "x": np.asarray(ws), "y": np.asarray(bs), "z": z, "colorscale": "Viridis",
               "name": "log10 L", "contours": {"coloring": "heatmap"}, "ncontours": 25,
               "colorbar": {"title": {"text": _lab(labels, "z")}}}]
    styles = (("solid", OKABE_ITO["vermillion"], "circle"), ("dash", OKABE_ITO["orange"], "diamond"))
    for i, (name, p) in enumerate(paths.items()):
        p = np.asarray(p, dtype=np.float64)
        dash, color, sym = styles[i % 2]
        traces.append(_line(p[:, 0], p[:, 1], name, color, dash, s["line"], mode="lines+markers",
                            marker={"size": max(3, s["marker"] - 2), "symbol": sym, "color": color}))
        flags = np.asarray((clipped or {}).get(name, []), dtype=bool)
        if flags.any():
            q = p[:-1][flags[: len(p) - 1]]
            traces.append({"type": "scatter", "x": q[:, 0], "y": q[:, 1], "mode": "markers",
                           "name": _lab(labels, "clipmark"), "marker": {
                               "symbol": "x", "size": s["marker"] + 4, "color": "white",
                               "line": {"color": "black", "width": 1}}})
    if paths:
        p0 = np.asarray(next(iter(paths.values())))[0]
        traces.append({"type": "scatter", "x": [p0[0]], "y": [p0[1]], "mode": "markers", "name": _lab(labels, "start"),
                       "marker": {"symbol": "star", "size": s["marker"] + 10, "color": OKABE_ITO["yellow"],
                                  "line": {"color": "black", "width": 1}}})
    # The colour bar takes the right side: the legend goes under the x-axis title.
    return _figure(traces, labels, present, height=520,
                   xaxis={"range": [float(np.min(ws)), float(np.max(ws))]},
                   yaxis={"range": [float(np.min(bs)), float(np.max(bs))]},
                   legend=_LEGEND_BELOW, margin={"l": 60, "r": 20, "t": 60 if present else 50,
                                                 "b": 120 if present else 100})
