"""Figure functions of the app: one `fig_*` per figure, each returning a go.Figure.

Why this module exists: pages only pick settings and call cached numerics;
every plot is built here from plain arrays, so figures are tested without
Streamlit and rebuilt cheaply on every rerun. Text is never hard-coded: each
function takes `labels`, a mapping of the names it documents to already
translated strings (a missing name shows the name itself). `present=True`
(presentation mode) means larger fonts and thicker lines for a lecture hall.

Colours are the Okabe–Ito colour-blind-safe palette, and each cell also has
its own dash style, so no reading depends on colour alone. Any user text put
into a figure (tokens) goes through `safe_text`, because plotly interprets a
subset of HTML in labels.

Shape legend: T time steps, R radii, H hidden units, N points.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def _log_axis(*arrays) -> dict:
    """A log y axis; at least one decade tall, so flat curves show no rounding noise."""
    axis = {"type": "log", "exponentformat": "power"}
    vals = [np.asarray(a, dtype=np.float64).ravel() for a in arrays if a is not None]
    vals = np.concatenate(vals) if vals else np.empty(0)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size:
        lo, hi = np.log10(vals.min()), np.log10(vals.max())
        if hi - lo < 1.0:
            axis["range"] = [0.5 * (lo + hi) - 0.5, 0.5 * (lo + hi) + 0.5]
    return axis


def _at_least_one_decade(fig: go.Figure, *arrays, row=None, col=None) -> None:
    """_log_axis's range for a subplot's log axis."""
    r = _log_axis(*arrays).get("range")
    if r is not None:
        fig.update_yaxes(range=r, row=row, col=col)


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


def fig_gradient_norm(t, curves: Mapping[str, np.ndarray], *, theory: Mapping[str, np.ndarray] | None = None,
                      truncate: int | None = None, overflow: Mapping[str, int | None] | None = None,
                      selected: int | None = None, labels=None, present: bool = False) -> go.Figure:
    """||dL/dh_t|| against t on a log axis, one line per cell, with theory curves.

    t (T,); curves: cell -> (T,) norms; theory: legend name -> (T,) curve (drawn
    thin, grey, dotted/dash-dot); truncate: block length to shade; overflow:
    cell -> first non-finite step (a vertical marker); selected: step marked
    for the Jacobian panel. labels: title, x, y, overflow.
    """
    s = _sizes(present)
    t = np.asarray(t)
    traces = [_line(t, _positive(y), CELL_NAME.get(c, c), CELL_COLOR.get(c), CELL_DASH.get(c), s["line"],
                    mode="lines+markers", marker={"size": max(3, s["marker"] - 3), "symbol": CELL_SYMBOL.get(c)})
              for c, y in curves.items()]
    traces += [_line(t, _positive(y), name, THEORY_COLOR, ("dot", "longdashdot", "longdash")[i % 3], s["thin"],
                     hoverinfo="skip") for i, (name, y) in enumerate((theory or {}).items())]
    shapes, notes = _block_shapes(len(t), truncate), []
    for cell, step in (overflow or {}).items():
        if step is not None:
            shapes.append(_vline(step, {"color": CELL_COLOR.get(cell), "width": s["thin"], "dash": "dot"}))
            notes.append(_note(step, _lab(labels, "overflow"), "right"))
    if selected is not None:
        shapes.append(_vline(selected, {"color": OKABE_ITO["orange"], "width": s["thin"]}))
    return _figure(traces, labels, present, height=420, yaxis=_log_axis(*curves.values()), shapes=shapes,
                   annotations=notes, hovermode="closest", clickmode="event+select")


def fig_lstm_paths(t, dc_norm, prod_f, via_cell, via_hidden, *, truncate: int | None = None,
                   labels=None, present: bool = False) -> go.Figure:
    """The LSTM's cell-state path apart from its hidden path (log axis).

    t (T,); dc_norm (T,) ||dL/dc_t||; prod_f (T,) mean over units of the
    forget-gate product from t+1 to the end; via_cell, via_hidden (T,) norms of
    the two parts of dL/dh_{t-1}. labels: title, x, y, dc, prodf, cell, hidden.
    """
    s = _sizes(present)
    spec = (("dc", dc_norm, OKABE_ITO["blue"], "solid"), ("prodf", prod_f, OKABE_ITO["orange"], "dot"),
            ("cell", via_cell, OKABE_ITO["sky"], "dash"), ("hidden", via_hidden, OKABE_ITO["purple"], "dashdot"))
    traces = [_line(np.asarray(t), _positive(y), _lab(labels, key), color, dash, s["line"])
              for key, y, color, dash in spec if y is not None]
    return _figure(traces, labels, present, height=380, yaxis=_log_axis(dc_norm, prod_f),
                   shapes=_block_shapes(len(t), truncate))


def fig_eigenvalues(eigs: Mapping[str, np.ndarray], rho: float | None = None, *, labels=None,
                    present: bool = False) -> go.Figure:
    """Eigenvalues on the complex plane with the unit circle (and the circle of radius rho).

    eigs: legend name -> (N,) complex; a name starting with a cell name
    takes that cell's colour and symbol. labels: title, x, y, unit, rho.
    """
    s = _sizes(present)
    th = np.linspace(0, 2 * np.pi, 361)
    traces = [_line(np.cos(th), np.sin(th), _lab(labels, "unit"), OKABE_ITO["black"], "solid", s["thin"],
                    hoverinfo="skip")]
    if rho is not None and np.isfinite(rho) and rho > 0:
        traces.append(_line(rho * np.cos(th), rho * np.sin(th), _lab(labels, "rho"), THEORY_COLOR, "dot", s["thin"],
                            hoverinfo="skip"))
    for name, ev in eigs.items():
        ev = np.asarray(ev, dtype=np.complex128)
        cell = name.split()[0].lower()
        traces.append({"type": "scatter", "x": ev.real, "y": ev.imag, "name": name, "mode": "markers", "marker": {
            "color": CELL_COLOR.get(cell, OKABE_ITO["purple"]), "symbol": CELL_SYMBOL.get(cell, "x"),
            "size": s["marker"], "opacity": 0.75}})
    return _figure(traces, labels, present, height=440, xaxis={"zeroline": True},
                   yaxis={"zeroline": True, "scaleanchor": "x", "scaleratio": 1})


def fig_power_norms(k, norms: Mapping[str, np.ndarray], rho: float, *, labels=None,
                    present: bool = False) -> go.Figure:
    """||W^k||_2 against k (log axis) per matrix, with ρ^k: transient growth of non-normal W.

    k (K,); norms: legend name -> (K,) (a name starting with a cell name takes
    its colour and dash). labels: title, x, y, rho.
    """
    s = _sizes(present)
    k = np.asarray(k, dtype=np.float64)
    traces = []
    for name, y in norms.items():
        cell = name.split()[0].lower()
        traces.append(_line(k, _positive(y), name, CELL_COLOR.get(cell, OKABE_ITO["purple"]),
                            CELL_DASH.get(cell, "solid"), s["line"]))
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        traces.append(_line(k, _positive(np.power(float(rho), k)), _lab(labels, "rho"), THEORY_COLOR, "dot",
                            s["thin"]))
    return _figure(traces, labels, present, height=340, yaxis=_log_axis(*norms.values()))


def fig_phase_map(rhos, steps_back, maps: Mapping[str, np.ndarray], *, current: tuple | None = None,
                  labels=None, present: bool = False, zmax: float = 10.0) -> go.Figure:
    """ρ × k phase maps of log10 ||dL/dh||, one heatmap per cell, sharing one colour bar.

    rhos (R,); steps_back (K,); maps: cell -> (K, R) log10 norms (NaN/inf
    where the gradient overflowed: drawn as the top colour). current: (rho,
    k) marked with a cross. labels: title, x, y, z.
    """
    s = _sizes(present)
    cells = list(maps)
    fig = make_subplots(rows=1, cols=max(1, len(cells)), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[CELL_NAME.get(c, c) for c in cells])
    for i, cell in enumerate(cells, start=1):
        z = np.asarray(maps[cell], dtype=np.float64)
        z = np.where(np.isnan(z) | (z > zmax), zmax, np.where(z < -zmax, -zmax, z))  # (K, R)
        fig.add_trace(go.Heatmap(x=np.asarray(rhos), y=np.asarray(steps_back), z=z, name=CELL_NAME.get(cell, cell),
                                 colorscale="RdBu_r", zmid=0, zmin=-zmax, zmax=zmax, showscale=i == 1,
                                 colorbar={"title": {"text": _lab(labels, "z")}}), row=1, col=i)
        fig.add_trace(go.Contour(x=np.asarray(rhos), y=np.asarray(steps_back), z=z, showscale=False,
                                 contours={"start": 0, "end": 0, "coloring": "none"}, name="0",
                                 line={"color": OKABE_ITO["black"], "width": s["thin"]}, hoverinfo="skip"),
                      row=1, col=i)
        if current is not None:
            fig.add_trace(go.Scatter(x=[current[0]], y=[current[1]], mode="markers", showlegend=False,
                                     marker={"symbol": "x", "size": s["marker"] + 6, "color": OKABE_ITO["yellow"],
                                             "line": {"width": 2, "color": "black"}}), row=1, col=i)
        fig.update_xaxes(title=_lab(labels, "x"), row=1, col=i)
    fig.update_yaxes(title=_lab(labels, "y"), row=1, col=1)
    return _layout(fig, labels, present, height=400, legend=False)


def fig_attribution(tokens: Sequence[str], values: Mapping[str, np.ndarray], *, labels=None,
                    present: bool = False) -> go.Figure:
    """||dL/dx_t|| per token (grouped bars per cell, log axis). tokens (T,); values: cell -> (T,)."""
    x = [f"{i}:{safe_text(tok)}" for i, tok in enumerate(tokens)]
    pattern = {"rnn": "", "lstm": "/", "gru": "."}
    traces = [{"type": "bar", "x": x, "y": _positive(y), "name": CELL_NAME.get(c, c),
               "marker": {"color": CELL_COLOR.get(c), "pattern": {"shape": pattern.get(c, "")}}}
              for c, y in values.items()]
    return _figure(traces, labels, present, height=380, xaxis={"tickangle": -45},
                   yaxis=_log_axis(*values.values()), barmode="group")


def fig_dw_contrib(t, values: Mapping[str, np.ndarray], *, truncate: int | None = None, labels=None,
                   present: bool = False) -> go.Figure:
    """Per-step contribution ||term_t of dL/dW_hh||_F (log axis). t (T,); values: cell -> (T,)."""
    s = _sizes(present)
    traces = [_line(np.asarray(t), _positive(y), CELL_NAME.get(c, c), CELL_COLOR.get(c), CELL_DASH.get(c), s["line"])
              for c, y in values.items()]
    return _figure(traces, labels, present, height=340, yaxis=_log_axis(*values.values()),
                   shapes=_block_shapes(len(t), truncate))


def fig_step_jacobian(J, singular, factors: Mapping[str, np.ndarray], t_all, running, per_step, selected: int, *,
                      labels=None, present: bool = False) -> go.Figure:
    """The Jacobian ∂h_t/∂h_{t-1} of one step, 2×2 panels.

    J (H, H) heatmap; singular (H,) its singular values (log axis, line at 1);
    factors: name -> (H,) per-unit factors (activation derivatives, gates);
    t_all (T,), running (T,) norm of the product of the Jacobians from the
    end back to t, per_step (T,) ||J_t||; selected: t. labels: title, J, sv,
    factors, product, x, unit, step_norm, running.
    """
    s = _sizes(present)
    fig = make_subplots(rows=2, cols=2, horizontal_spacing=0.12, vertical_spacing=0.16, subplot_titles=[
        _lab(labels, "J"), _lab(labels, "sv"), _lab(labels, "factors"), _lab(labels, "product")])
    J = np.asarray(J, dtype=np.float64)
    m = float(np.nanmax(np.abs(J))) if J.size and np.isfinite(J).any() else 1.0
    fig.add_trace(go.Heatmap(z=J, colorscale="RdBu_r", zmid=0, zmin=-m, zmax=m, showscale=False, name="J"), 1, 1)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    sv = np.asarray(singular, dtype=np.float64)
    fig.add_trace(go.Scatter(x=np.arange(1, sv.size + 1), y=_positive(sv), mode="markers+lines", name="σ_i",
                             line={"color": OKABE_ITO["blue"], "width": s["thin"]}), 1, 2)
    fig.add_hline(y=1.0, line={"color": THEORY_COLOR, "dash": "dot"}, row=1, col=2)
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2)
    _at_least_one_decade(fig, sv, [1.0], row=1, col=2)
    colors = [OKABE_ITO[c] for c in ("vermillion", "blue", "green", "orange", "purple", "sky")]
    for i, (name, v) in enumerate(factors.items()):
        v = np.asarray(v, dtype=np.float64)
        fig.add_trace(go.Scatter(x=np.arange(v.size), y=v, mode="lines", name=name,
                                 line={"color": colors[i % len(colors)], "width": s["thin"],
                                       "dash": ("solid", "dash", "dot", "dashdot", "longdash")[i % 5]}), 2, 1)
    fig.update_xaxes(title=_lab(labels, "unit"), row=2, col=1)
    fig.add_trace(go.Scatter(x=np.asarray(t_all), y=_positive(per_step), mode="lines", name=_lab(labels, "step_norm"),
                             line={"color": OKABE_ITO["sky"], "width": s["thin"], "dash": "dot"}), 2, 2)
    fig.add_trace(go.Scatter(x=np.asarray(t_all), y=_positive(running), mode="lines", name=_lab(labels, "running"),
                             line={"color": OKABE_ITO["vermillion"], "width": s["line"]}), 2, 2)
    fig.add_vline(x=selected, line={"color": OKABE_ITO["orange"], "width": s["thin"]}, row=2, col=2)
    fig.update_xaxes(title=_lab(labels, "x"), row=2, col=2)
    fig.update_yaxes(type="log", exponentformat="power", row=2, col=2)
    _at_least_one_decade(fig, per_step, running, row=2, col=2)
    return _layout(fig, labels, present, height=640)


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


# --- page 3: gates on PTB ---------------------------------------------------
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
    tanh, cell, and one entry per panel name (its row title).
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
                axis.update(type="log", exponentformat="power", tickfont={"size": max(8, s["font"] - 3)},
                            **_log_ticks(col["grad"]))
            else:
                z = np.asarray(col["panels"][name], dtype=np.float64)  # (U, T)
                kind = _GATE_RANGE.get(name, "tanh")
                finite = np.abs(z[np.isfinite(z)])
                vmax[kind] = max(vmax.get(kind, 0.0), float(finite.max()) if finite.size else 0.0)
                data.append({"type": "heatmap", "x": ticks, "y": ulab, "z": z, "name": f"{title}: {name}",
                             "xaxis": xa, "yaxis": ya, "coloraxis": _RANGE_AXIS[kind], "customdata": words,
                             "hovertemplate": "%{customdata}<br>" + _lab(labels, "unit") + " %{y}<br>" + name
                             + " = %{z:.3f}<extra></extra>"})
                axis.update(type="category", autorange="reversed", showticklabels=len(ulab) <= 16,
                            tickfont={"size": 10 if present else 8})
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
    top = (80 if n_cols > 1 else 50) + (30 if present else 0)
    base = _base_layout(labels, present, 95 * n_rows + 190, False)
    base["margin"] = {"l": 90 if present else 70, "r": 40, "t": top, "b": 40}
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


def _log_ticks(*arrays) -> dict:
    """Tick spacing of a log axis: decades only when the data spans two or more (no crowded 2, 3, 5 labels)."""
    v = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays] or [np.ones(1)])
    v = v[np.isfinite(v) & (v > 0)]
    span = float(np.log10(v.max() / v.min())) if v.size else 0.0
    return {"dtick": 2} if span >= 5 else {"dtick": 1} if span >= 2 else {"dtick": "D2"}


# --- page 4: training -------------------------------------------------------
RUN_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["green"], OKABE_ITO["purple"])
RUN_DASH = ("solid", "dash", "dot", "dashdot")


def fig_training_curves(runs: Mapping[str, Mapping[str, np.ndarray]], *, labels=None,
                        present: bool = False) -> go.Figure:
    """Training loss and perplexity against the step, one colour and dash style per run.

    runs: run name -> {"step" (S,), "loss" (S,), optional "valid_step" (E,),
    "valid_ppl" (E,)}; perplexity is exp(loss) (log axis); validation
    perplexities are drawn as markers. labels: title, x, loss, ppl, valid.
    """
    s = _sizes(present)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=[_lab(labels, "loss"), _lab(labels, "ppl")])
    for i, (name, r) in enumerate(runs.items()):
        c, d = RUN_COLORS[i % 4], RUN_DASH[i % 4]
        step = np.asarray(r["step"])
        loss = np.asarray(r["loss"], dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            ppl = np.exp(np.minimum(loss, 700.0))
        fig.add_trace(go.Scatter(x=step, y=np.where(np.isfinite(loss), loss, np.nan), name=name, mode="lines",
                                 legendgroup=name, line={"color": c, "dash": d, "width": s["line"]}), 1, 1)
        fig.add_trace(go.Scatter(x=step, y=_positive(ppl), name=name, mode="lines", legendgroup=name,
                                 showlegend=False, line={"color": c, "dash": d, "width": s["line"]}), 1, 2)
        vs = r.get("valid_step")
        if vs is not None and len(vs):
            fig.add_trace(go.Scatter(x=np.asarray(vs), y=_positive(r["valid_ppl"]), mode="markers",
                                     name=f"{name}: {_lab(labels, 'valid')}", legendgroup=name,
                                     marker={"color": c, "size": s["marker"] + 4, "symbol": "diamond",
                                             "line": {"color": "black", "width": 1}}), 1, 2)
    fig.update_xaxes(title=_lab(labels, "x"))
    with np.errstate(over="ignore"):
        ppl = [np.exp(np.minimum(np.asarray(r["loss"], dtype=np.float64), 700.0)) for r in runs.values()]
    fig.update_yaxes(type="log", exponentformat="power", row=1, col=2, **_log_ticks(*ppl))
    return _layout(fig, labels, present, height=420)


def fig_train_grad_norm(runs: Mapping[str, Mapping[str, np.ndarray]], *, threshold: float | None = None,
                        labels=None, present: bool = False) -> go.Figure:
    """Global gradient norm (before clipping) per step, log axis; clipped steps marked with crosses.

    runs: run name -> {"step" (S,), "grad_norm" (S,), "clipped" (S,) bool,
    optional "skipped" (S,) bool (non-finite norm: step skipped, drawn at
    the top edge)}. threshold: the clipping threshold (a horizontal line).
    labels: title, x, y, clipped, skipped, threshold.
    """
    s = _sizes(present)
    fig = go.Figure()
    for i, (name, r) in enumerate(runs.items()):
        c, d = RUN_COLORS[i % 4], RUN_DASH[i % 4]
        step = np.asarray(r["step"])
        g = _positive(r["grad_norm"])
        fig.add_trace(go.Scatter(x=step, y=g, name=name, mode="lines", legendgroup=name,
                                 line={"color": c, "dash": d, "width": s["thin"]}))
        clipped = np.asarray(r.get("clipped", np.zeros(len(step), bool)), dtype=bool)
        if clipped.any():
            fig.add_trace(go.Scatter(x=step[clipped], y=g[clipped], mode="markers", legendgroup=name,
                                     name=f"{name}: {_lab(labels, 'clipped')}",
                                     marker={"symbol": "x-thin", "size": s["marker"] + 2, "color": c,
                                             "line": {"color": c, "width": 2}}))
        skipped = np.asarray(r.get("skipped", np.zeros(len(step), bool)), dtype=bool)
        if skipped.any():
            top = np.nanmax(g) if np.isfinite(g).any() else 1.0
            fig.add_trace(go.Scatter(x=step[skipped], y=np.full(int(skipped.sum()), top), mode="markers",
                                     legendgroup=name, name=f"{name}: {_lab(labels, 'skipped')}",
                                     marker={"symbol": "triangle-up", "size": s["marker"] + 4, "color": c}))
    if threshold is not None and np.isfinite(threshold) and threshold > 0:
        fig.add_hline(y=threshold, line={"color": THEORY_COLOR, "dash": "dot", "width": s["thin"]},
                      annotation_text=_lab(labels, "threshold"), annotation_position="bottom right")
    fig.update_xaxes(title=_lab(labels, "x"))
    fig.update_yaxes(title=_lab(labels, "y"), type="log", exponentformat="power",
                     **_log_ticks(*(r["grad_norm"] for r in runs.values())))
    return _layout(fig, labels, present, height=400)


def fig_param_grad_norms(runs: Mapping[str, Mapping[str, np.ndarray]], *, labels=None,
                         present: bool = False) -> go.Figure:
    """Per-parameter gradient norms over the steps, one panel per run (log axis, shared y).

    runs: run name -> {"step" (K,), "norms": param name -> (K,)}. Each
    parameter keeps its colour and dash style in every panel. labels: title, x, y.
    """
    s = _sizes(present)
    names = list(runs) or [""]
    fig = make_subplots(rows=1, cols=len(names), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=names)
    colors = [OKABE_ITO[c] for c in ("vermillion", "blue", "green", "orange", "purple", "sky", "black", "yellow")]
    dashes = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
    order: list[str] = []
    for col, name in enumerate(names, start=1):
        r = runs.get(name, {})
        for p, v in r.get("norms", {}).items():
            if p not in order:
                order.append(p)
            j = order.index(p)
            fig.add_trace(go.Scatter(x=np.asarray(r["step"]), y=_positive(v), name=p, mode="lines",
                                     legendgroup=p, showlegend=col == 1,
                                     line={"color": colors[j % len(colors)], "dash": dashes[j % len(dashes)],
                                           "width": s["thin"]}), 1, col)
        fig.update_xaxes(title=_lab(labels, "x"), row=1, col=col)
    ticks = _log_ticks(*(v for r in runs.values() for v in r.get("norms", {}).values()))
    fig.update_yaxes(title=_lab(labels, "y"), row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", **ticks)
    return _layout(fig, labels, present, height=440)
