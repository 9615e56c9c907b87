"""Figures of page 3 (gates on PTB): gate and state heatmaps over a sentence, gate saturation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from .base import OKABE_ITO, _base_layout, _decade_range, _lab, _layout, _log_ticks_for, _positive, _sizes, safe_text


# Colour ranges of the heatmap rows: sigmoid gates live in [0, 1], tanh
# values in [-1, 1]; the LSTM cell state c is unbounded (symmetric range).
_GATE_RANGE = {"i": "sigmoid", "f": "sigmoid", "o": "sigmoid", "r": "sigmoid", "z": "sigmoid",
               "g": "tanh", "n": "tanh", "h": "tanh", "c": "cell"}
_RANGE_AXIS = {"sigmoid": "coloraxis", "tanh": "coloraxis2", "cell": "coloraxis3"}


def _token_ticks(tokens: Sequence[str]) -> tuple[list, list]:
    """Tick positions and inert labels "t:word" for a token axis."""
    return list(range(len(tokens))), [f"{i}:{safe_text(tok)}" for i, tok in enumerate(tokens)]


def fig_gate_heatmaps(tokens: Sequence[str], columns: Mapping[str, Mapping], position: int | None = None, *,
                      labels=None, present: bool = False) -> go.Figure:
    """Gate and state heatmaps (units × tokens) stacked over one token axis, with ‖∂L/∂h_t‖ below.

    tokens (T,) words. columns: column title (a model) -> {"panels": name ("i",
    "f", "g", "o", "c", "h", "r", "z", "n") -> (U, T) values of the selected
    units, "units": (U,) their indices, "grad": (T,) ‖∂L_p/∂h_t‖ or None};
    the columns (e.g. trained and untrained) are drawn side by side and share
    the colour bars: sigmoid gates on [0, 1], tanh values on [-1, 1], c on a
    symmetric range. position: p, the token whose loss is differentiated (a
    dashed line through every row). labels: title, x, grad, unit, sigmoid,
    tanh, cell, and one entry per panel name (its row title). The gradient
    rows of all columns share one log y range (axes matched to column 0's).
    Axes: column c (0-based), row r (1-based) has the y axis number
    c·rows + r and the x axis number c + 1. The figure is built as one dict:
    plotly's per-subplot helpers cost ~0.3 s per figure here.
    """
    s = _sizes(present)
    cols = list(columns.items())
    first = cols[0][1]
    names = list(first["panels"])
    has_grad = first.get("grad") is not None
    rows = names + (["grad"] if has_grad else [])
    n_rows, n_cols, T = len(rows), len(cols), len(tokens)
    ticks, ticktext = _token_ticks(tokens)
    # Plotly draws every explicit tick label: keep about 45 per figure width so they do not overlap.
    every = max(1, int(np.ceil(T * n_cols / 45)))
    gap, xgap = 0.012, 0.1
    heights = np.array([1.0] * len(names) + ([1.6 if present else 1.3] if has_grad else []))
    span = (1.0 - gap * (n_rows - 1)) * heights / heights.sum()
    tops = 1.0 - np.concatenate([[0.0], np.cumsum(span + gap)[:-1]])
    width = (1.0 - xgap * (n_cols - 1)) / n_cols
    data, vmax = [], {}
    layout = {"annotations": [], "shapes": []}
    base = _base_layout(labels, present, 95 * n_rows + 190, False)
    top = (80 if n_cols > 1 else 50) + (30 if present else 0)
    base["margin"] = {"l": 90 if present else 70, "r": 40, "t": top, "b": 40}
    # One log range for the gradient rows of every column (axes matched to the first column's): trained
    # and random weights are compared on the same scale. Its bottom lies below the smallest bar, so no
    # bar reads as zero.
    grange = _decade_range(*(col.get("grad") for _, col in cols)) if has_grad else None
    grad_axis = {"type": "log", "exponentformat": "power", "tickfont": {"size": s["font"] - 2}}
    if grange is not None:
        grange = [grange[0] - 0.3, grange[1] + 0.05]
        grad_axis.update(range=grange, **_log_ticks_for(*grange))
    else:
        grad_axis["dtick"] = 1
    first_grad = "y" if n_rows == 1 else f"y{n_rows}"  # column 0's gradient axis
    unit_font = s["font"] - 2 if present else 10
    plot_px = base["height"] * 0.85 - base["margin"]["t"] - base["margin"]["b"]  # x tick labels take ~15 %
    for c, (title, col) in enumerate(cols):
        xa = "x" if c == 0 else f"x{c + 1}"
        x0 = c * (width + xgap)
        ulab = [f"#{u}" for u in col["units"]]  # categories; "#" keeps plotly from reading them as numbers
        words = [list(ticktext)] * len(ulab)  # (U, T) hover text
        for r, name in enumerate(rows, start=1):
            k = c * n_rows + r
            ya = "y" if k == 1 else f"y{k}"
            axis = {"domain": [max(0.0, round(float(tops[r - 1] - span[r - 1]), 6)),
                               min(1.0, round(float(tops[r - 1]), 6))], "anchor": xa}
            if c == 0:
                axis["title"] = {"text": _lab(labels, name), "font": {"size": s["font"] - 1}}
            if name == "grad":
                colors = [OKABE_ITO["vermillion"] if t == position else OKABE_ITO["blue"] for t in range(T)]
                data.append({"type": "bar", "x": ticks, "y": _positive(col["grad"]), "xaxis": xa, "yaxis": ya,
                             "name": f"{title}: {_lab(labels, 'grad')}", "marker": {"color": colors},
                             "customdata": ticktext, "hovertemplate": "%{customdata}<br>%{y:.3g}<extra></extra>"})
                axis.update(grad_axis)
                if c > 0:
                    axis["matches"] = first_grad
            else:
                z = np.asarray(col["panels"][name], dtype=np.float64)  # (U, T)
                kind = _GATE_RANGE.get(name, "tanh")
                finite = np.abs(z[np.isfinite(z)])
                vmax[kind] = max(vmax.get(kind, 0.0), float(finite.max()) if finite.size else 0.0)
                data.append({"type": "heatmap", "x": ticks, "y": ulab, "z": z, "name": f"{title}: {name}",
                             "xaxis": xa, "yaxis": ya, "coloraxis": _RANGE_AXIS[kind], "customdata": words,
                             "hovertemplate": "%{customdata}<br>" + _lab(labels, "unit") + " %{y}<br>" + name
                             + " = %{z:.3f}<extra></extra>"})
                # Label every unit that fits at this font size (every 2nd, 3rd, ... when crowded).
                every_unit = max(1, int(np.ceil(len(ulab) * (unit_font + 4) / max(1.0, plot_px * span[r - 1]))))
                axis.update(type="category", autorange="reversed", showticklabels=len(ulab) <= 64,
                            tickmode="array", tickvals=ulab[::every_unit], ticktext=ulab[::every_unit],
                            tickfont={"size": unit_font})
            layout["yaxis" if k == 1 else f"yaxis{k}"] = axis
        bottom = c * n_rows + n_rows
        layout["xaxis" if c == 0 else f"xaxis{c + 1}"] = {
            "anchor": "y" if bottom == 1 else f"y{bottom}", "domain": [round(x0, 6), min(1.0, round(x0 + width, 6))],
            "range": [-0.5, T - 0.5],
            "tickvals": ticks[::every], "ticktext": ticktext[::every], "tickangle": -60, "automargin": True,
            "tickfont": {"size": s["font"] - (2 if T <= 30 else 4)}, "title": {"text": _lab(labels, "x")}}
        if n_cols > 1:
            layout["annotations"].append({"text": title, "xref": "paper", "yref": "paper", "x": x0 + width / 2,
                                          "y": 1.0, "yanchor": "bottom", "showarrow": False,
                                          "font": {"size": s["font"] + 1}})
        if position is not None:
            layout["shapes"].append({"type": "line", "xref": xa, "yref": "paper", "x0": position, "x1": position,
                                     "y0": 0, "y1": 1, "line": {"color": OKABE_ITO["orange"], "width": s["thin"],
                                                                "dash": "dash"}})
    bars = {"sigmoid": (0.0, 1.0, "Cividis"), "tanh": (-1.0, 1.0, "RdBu_r"), "cell": (None, None, "RdBu_r")}
    for k, kind in enumerate(b for b in _RANGE_AXIS if b in vmax):
        lo, hi, scale = bars[kind]
        if kind == "cell":
            hi = vmax[kind] if vmax[kind] > 0 else 1.0
            lo = -hi
        layout[_RANGE_AXIS[kind]] = {"cmin": lo, "cmax": hi, "colorscale": scale, "colorbar": {
            "title": {"text": _lab(labels, kind)}, "len": 0.9 / len(vmax), "y": 1.0 - (k + 0.5) / len(vmax),
            "yanchor": "middle", "x": 1.01, "thickness": 14}}
    return go.Figure({"data": data, "layout": {**base, **layout}})  # one validation: update_layout costs more


def fig_gate_saturation(stats: Mapping[str, Mapping[str, tuple]], *, labels=None,
                        present: bool = False) -> go.Figure:
    """Fraction of saturated gate values per gate, one bar group per model.

    stats: model name -> {gate: (fraction low, fraction high)} (sigmoid gates:
    < 0.1 and > 0.9; tanh gates: < -0.9 and > 0.9). Low is drawn hatched,
    high solid, stacked per model. labels: title, x, y, low, high.
    """
    fig = go.Figure()
    colors = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"], OKABE_ITO["purple"])
    for i, (model, per_gate) in enumerate(stats.items()):
        gates = list(per_gate)
        low = [per_gate[g][0] for g in gates]
        high = [per_gate[g][1] for g in gates]
        c = colors[i % len(colors)]
        fig.add_trace(go.Bar(x=gates, y=low, name=f"{model}: {_lab(labels, 'low')}", offsetgroup=str(i),
                             marker={"color": c, "opacity": 0.55, "pattern": {"shape": "/"}}))
        fig.add_trace(go.Bar(x=gates, y=high, name=f"{model}: {_lab(labels, 'high')}", offsetgroup=str(i),
                             base=low, marker={"color": c}, text=[f"{a + b:.0%}" for a, b in zip(low, high)],
                             textposition="outside", cliponaxis=False))
    fig.update_xaxes(title=_lab(labels, "x"))
    fig.update_yaxes(title=_lab(labels, "y"), range=[0, 1.08], tickformat=".0%")
    fig.update_layout(barmode="group")
    return _layout(fig, labels, present, height=380)
