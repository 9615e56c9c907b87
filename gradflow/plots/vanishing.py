"""Figures of page 1 (vanishing and exploding gradients) and of the home page.

Gradient norm through time, the LSTM's two paths, eigenvalues and ‖W^k‖,
the phase map, input attribution, per-step weight-gradient terms and the
Jacobian of one step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .base import (CELL_COLOR, CELL_DASH, CELL_NAME, CELL_SYMBOL, OKABE_ITO, THEORY_COLOR, _at_least_one_decade,
                   _block_shapes, _figure, _lab, _layout, _line, _log_axis, _note, _positive, _sizes, _vline,
                   safe_text)


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
    # The axis spans every drawn curve (theory lines too), as plotly's autorange would.
    return _figure(traces, labels, present, height=420, yaxis=_log_axis(*curves.values(), *(theory or {}).values()),
                   shapes=shapes,
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
    return _figure(traces, labels, present, height=380, yaxis=_log_axis(dc_norm, prod_f, via_cell, via_hidden),
                   shapes=_block_shapes(len(t), truncate))


# Each gate block of weight_hh has its own Okabe–Ito colour and marker symbol, so the blocks of one
# cell (LSTM i, f, g, o; GRU r, z, n) stay apart when drawn together, without relying on colour alone.
_BLOCK_STYLE = {
    "rnn w": (OKABE_ITO["vermillion"], "circle"),
    "lstm i": (OKABE_ITO["blue"], "square"), "lstm f": (OKABE_ITO["orange"], "diamond"),
    "lstm g": (OKABE_ITO["green"], "triangle-up"), "lstm o": (OKABE_ITO["purple"], "cross"),
    "gru r": (OKABE_ITO["sky"], "triangle-down"), "gru z": (OKABE_ITO["black"], "x"),
    "gru n": (OKABE_ITO["yellow"], "star"),
}
_SPARE_COLORS = [OKABE_ITO[c] for c in ("vermillion", "blue", "orange", "green", "purple", "sky", "black", "yellow")]
_SPARE_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "triangle-down", "x", "star", "pentagon",
                  "hexagon", "star-square", "hourglass")


def _block_styles(names: Sequence[str]) -> dict:
    """name -> (colour, symbol), no two names alike in either: the table above first, then spare ones."""
    out, used_c, used_s = {}, set(), set()
    for name in names:
        c, sym = _BLOCK_STYLE.get(" ".join(name.lower().split()[:2]), (None, None))
        if c is None or c in used_c:
            c = next((x for x in _SPARE_COLORS if x not in used_c), _SPARE_COLORS[len(out) % len(_SPARE_COLORS)])
        if sym is None or sym in used_s:
            sym = next((x for x in _SPARE_SYMBOLS if x not in used_s), _SPARE_SYMBOLS[len(out) % len(_SPARE_SYMBOLS)])
        used_c.add(c)
        used_s.add(sym)
        out[name] = (c, sym)
    return out


def fig_eigenvalues(eigs: Mapping[str, np.ndarray], rho: float | None = None, *, labels=None,
                    present: bool = False) -> go.Figure:
    """Eigenvalues on the complex plane with the unit circle (and the circle of radius rho).

    eigs: legend name ("LSTM f", "RNN W", ...) -> (N,) complex; every block
    has its own colour and marker symbol (_BLOCK_STYLE). labels: title, x, y, unit, rho.
    """
    s = _sizes(present)
    th = np.linspace(0, 2 * np.pi, 361)
    traces = [_line(np.cos(th), np.sin(th), _lab(labels, "unit"), OKABE_ITO["black"], "solid", s["thin"],
                    hoverinfo="skip")]
    if rho is not None and np.isfinite(rho) and rho > 0:
        traces.append(_line(rho * np.cos(th), rho * np.sin(th), _lab(labels, "rho"), THEORY_COLOR, "dot", s["thin"],
                            hoverinfo="skip"))
    styles = _block_styles(list(eigs))
    for name, ev in eigs.items():
        ev = np.asarray(ev, dtype=np.complex128)
        color, symbol = styles[name]
        traces.append({"type": "scatter", "x": ev.real, "y": ev.imag, "name": name, "mode": "markers", "marker": {
            "color": color, "symbol": symbol, "size": s["marker"] + 2, "opacity": 0.8,
            "line": {"color": OKABE_ITO["black"] if color == OKABE_ITO["yellow"] else "white", "width": 0.5}}})
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
        rho_k = _positive(np.power(float(rho), k))
    traces.append(_line(k, rho_k, _lab(labels, "rho"), THEORY_COLOR, "dot", s["thin"]))
    return _figure(traces, labels, present, height=340, yaxis=_log_axis(*norms.values(), rho_k))


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


def fig_dw_contrib(t, values: Mapping[str, np.ndarray], *, truncate: int | None = None,
                   selected: int | None = None, labels=None, present: bool = False) -> go.Figure:
    """Per-step contribution ||term_t of dL/dW_hh||_F (log axis). t (T,); values: cell -> (T,);
    selected: the step in focus (clicked on the graph or the curve), marked as on the gradient chart."""
    s = _sizes(present)
    traces = [_line(np.asarray(t), _positive(y), CELL_NAME.get(c, c), CELL_COLOR.get(c), CELL_DASH.get(c), s["line"])
              for c, y in values.items()]
    shapes = _block_shapes(len(t), truncate)
    if selected is not None:
        shapes.append(_vline(selected, {"color": OKABE_ITO["orange"], "width": s["thin"]}))
    return _figure(traces, labels, present, height=340, yaxis=_log_axis(*values.values()), shapes=shapes)


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
