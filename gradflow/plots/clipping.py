"""Figures of page 2 (gradient clipping): per-parameter norms, the PTB norm histogram, Pascanu's cliff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .base import (_LEGEND_BELOW, OKABE_ITO, _decade_range, _figure, _finite_positive, _lab, _line, _log_ticks_for,
                   _positive, _sizes, _vline)


def _bar_text(v: float) -> str:
    if not np.isfinite(v):
        return "∞" if v > 0 else "NaN"
    return "0" if v == 0 else f"{v:.3g}"


def fig_param_norms(names: Sequence[str], before, after, *, labels=None, present: bool = False) -> go.Figure:
    """Per-parameter gradient norms before and after clipping (grouped bars, log axis, each bar labelled).

    The norms span decades (an exploding gradient before, the threshold
    after), hence the log axis. Its bottom lies one decade below the
    smallest bar, so every bar is at least a decade tall and no small bar
    reads as zero; each bar carries its value. A zero or non-finite norm
    (which a log axis cannot draw) is written as "0", "∞" or "NaN" at the
    bottom of its empty slot. labels: title, x, y, before, after.
    """
    s = _sizes(present)
    names = list(names)
    vals = [np.asarray(before, dtype=np.float64), np.asarray(after, dtype=np.float64)]
    style = ((_lab(labels, "before"), OKABE_ITO["vermillion"], ""), (_lab(labels, "after"), OKABE_ITO["blue"], "/"))
    traces = [{"type": "bar", "x": names, "y": _positive(v), "name": name, "text": [_bar_text(x) for x in v],
               "textposition": "outside", "cliponaxis": False, "textfont": {"size": s["font"] - 2},
               "marker": {"color": color, "pattern": {"shape": shape}}}
              for (name, color, shape), v in zip(style, vals)]
    pos = _finite_positive(*vals)
    yaxis = {"type": "log", "exponentformat": "power", "dtick": 1}
    if pos.size:
        lo = float(np.floor(np.log10(pos.min()))) - 1.0  # a decade below the smallest bar
        hi = float(np.log10(pos.max())) + 0.35  # room for the value over the tallest bar
        yaxis.update(range=[lo, hi], **_log_ticks_for(lo, hi))
    # Grouped bars: the first trace sits left of the category's middle, the second right (bargap 0.2).
    notes = [{"x": i + (-0.2 if j == 0 else 0.2), "xref": "x", "y": 0, "yref": "paper", "text": _bar_text(x),
              "showarrow": False, "yanchor": "bottom", "font": {"size": s["font"] - 2}}
             for j, v in enumerate(vals) for i, x in enumerate(v[: len(names)]) if not (np.isfinite(x) and x > 0)]
    return _figure(traces, labels, present, height=360, yaxis=yaxis, barmode="group", bargap=0.2,
                   annotations=notes)


def fig_norm_histogram(norms, threshold: float | None, band: tuple | None = None, *, bins: int = 40,
                       labels=None, present: bool = False) -> go.Figure:
    """Histogram of global gradient norms on log-spaced bins, with the threshold and a shaded band.

    norms (N,) finite positive values are counted; band (lo, hi) is shaded,
    e.g. the middle 90 % (5–95th percentile) of the norms themselves. The x
    axis spans the norms and the threshold, at least one decade. Bars, band
    and threshold each have a legend entry. labels: title, x, y, threshold, band.
    """
    s = _sizes(present)
    v = np.asarray(norms, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    traces, shapes = [], []
    if v.size:
        lo, hi = np.log10(v.min()), np.log10(v.max())
        edges = np.logspace(lo - 0.05, hi + 0.05, bins + 1)  # (bins+1,)
        counts, _ = np.histogram(v, edges)
        traces.append({"type": "bar", "x": np.sqrt(edges[:-1] * edges[1:]), "y": counts, "width": np.diff(edges),
                       "name": _lab(labels, "y"),
                       "marker": {"color": OKABE_ITO["sky"], "line": {"color": OKABE_ITO["blue"], "width": 1}}})
    if band is not None and all(np.isfinite(band)) and band[0] > 0:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": band[0], "x1": band[1], "y0": 0, "y1": 1,
                       "fillcolor": OKABE_ITO["yellow"], "opacity": 0.35, "line": {"width": 0}, "layer": "below",
                       "name": _lab(labels, "band"), "showlegend": True})
    thr = threshold is not None and np.isfinite(threshold) and threshold > 0
    if thr:
        shapes.append(_vline(threshold, {"color": OKABE_ITO["vermillion"], "width": s["line"], "dash": "dash"})
                      | {"name": _lab(labels, "threshold"), "showlegend": True})
    xaxis = {"type": "log", "exponentformat": "power"}
    r = _decade_range(v, [threshold] if thr else None, band if shapes and band is not None else None)
    if r is not None:
        pad = 0.03 * (r[1] - r[0])
        xaxis.update(range=[r[0] - pad, r[1] + pad], **_log_ticks_for(r[0] - pad, r[1] + pad))
    else:
        xaxis["dtick"] = 1
    return _figure(traces, labels, present, height=360, show_legend=True, xaxis=xaxis, shapes=shapes)


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
