"""Figures of page 5 (depth and memory): the layers × time gradient map, the LSTM variants'
gradient norms, an echo-state reservoir's memory beside its gradient, teacher forcing.

Heatmaps that are compared side by side share one colour axis (one scale, one colour bar,
labelled in decades); log line charts span at least one decade with labelled ticks.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .base import OKABE_ITO, THEORY_COLOR, _at_least_one_decade, _figure, _lab, _layout, _line, _log_axis, _positive, \
    _sizes, _tick_text

# standard LSTM: the LSTM's own colour and a solid line; the variants: other colours and dashes
VARIANT_STYLE = {"standard": (OKABE_ITO["blue"], "solid"), "peephole": (OKABE_ITO["orange"], "dash"),
                 "coupled": (OKABE_ITO["green"], "dot")}
ZERO_COLOR = "#C8C8C8"  # a cell whose gradient is exactly 0 (NaN in the map): the plot background


def _legend_below(present: bool) -> dict:
    """A horizontal legend under the x-axis title (lower in presentation mode, where the title is larger)."""
    return {"orientation": "h", "yanchor": "top", "y": -0.32 if present else -0.22, "xanchor": "left", "x": 0.0}


def _room_for_panel_titles(fig: go.Figure, present: bool) -> None:
    """Top margin for the figure title above the panel titles, bottom margin for a legend."""
    fig.update_layout(margin={"t": 110 if present else 80, "b": 60})


def _decade_colorbar(lo: float, hi: float, title: str, s: dict) -> dict:
    """Colour axis of log10 values on [lo, hi], its bar labelled 10^k at (at most ~8) integer k."""
    step = max(1, int(np.ceil((hi - lo) / 8)))
    ks = [k for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1, 1) if k % step == 0 and lo - 1e-9 <= k <= hi + 1e-9]
    return {"cmin": lo, "cmax": hi, "colorscale": "Viridis",
            "colorbar": {"title": {"text": title, "side": "top"}, "tickvals": ks,
                         "ticktext": [_tick_text(10.0 ** k, False) for k in ks],
                         "thickness": 16 if s["font"] < 20 else 24}}


def _shared_range(maps) -> tuple[float, float]:
    """[lo, hi] over the finite entries of every map, at least one decade tall."""
    vals = np.concatenate([np.asarray(m, dtype=np.float64).ravel() for m in maps if m is not None] or [np.zeros(1)])
    vals = vals[np.isfinite(vals)]
    if not vals.size:
        return -1.0, 0.0
    lo, hi = float(vals.min()), float(vals.max())
    return (lo, hi) if hi - lo >= 1.0 else (0.5 * (lo + hi) - 0.5, 0.5 * (lo + hi) + 0.5)


def _side_by_side_heatmaps(panels: Mapping[str, np.ndarray], x, y, labels, present: bool, *, hover: str,
                           height: int, zero_note: bool) -> go.Figure:
    """One heatmap per panel (title -> (rows, cols) log10 values), one shared colour axis."""
    s = _sizes(present)
    names = list(panels)
    fig = make_subplots(rows=1, cols=len(names), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=names)
    lo, hi = _shared_range(panels.values())
    for i, name in enumerate(names, start=1):
        fig.add_trace(go.Heatmap(x=x, y=y, z=np.asarray(panels[name], dtype=np.float64), name=name,
                                 coloraxis="coloraxis", hovertemplate=hover + "<extra>" + name + "</extra>"),
                      row=1, col=i)
        fig.update_xaxes(title=_lab(labels, "x"), showgrid=False, row=1, col=i)
    fig.update_yaxes(showgrid=False)
    fig.update_yaxes(title=_lab(labels, "y"), row=1, col=1)
    _layout(fig, labels, present, height=height, legend=False)
    fig.update_layout(coloraxis=_decade_colorbar(lo, hi, _lab(labels, "z"), s), plot_bgcolor=ZERO_COLOR)
    fig.update_annotations(font={"size": s["font"] + 1})  # the panel titles
    _room_for_panel_titles(fig, present)
    if zero_note:  # what a grey cell means, under the colour bar (no trace: the CSV holds data only)
        fig.add_annotation(text=f'<span style="color:{ZERO_COLOR}">■</span> {_lab(labels, "zero")}', xref="paper",
                           yref="paper", x=1.0, y=-0.02, xanchor="left", yanchor="top", showarrow=False,
                           font={"size": s["font"]})
    return fig


def fig_depth_time(maps: Mapping[str, np.ndarray], *, labels=None, present: bool = False) -> go.Figure:
    """Layers × time maps of log10 ‖∂L/∂h_t^(l)‖, side by side with one colour scale.

    maps: panel title -> (L, T) log10 norms, row 0 = layer 1 (drawn at the bottom), NaN where
    the gradient is exactly 0 or not finite. The cells of the top and the bottom layer at the last
    step (the ratio the page reports) are outlined in vermillion. labels: title, x, y, z, zero.
    """
    first = np.asarray(next(iter(maps.values())))
    L, T = first.shape
    hover = "l = %{y}, t = %{x}<br>log₁₀‖∂L/∂h‖ = %{z:.2f}"
    fig = _side_by_side_heatmaps(maps, np.arange(T), np.arange(1, L + 1), labels, present, hover=hover,
                                 height=420, zero_note=any(np.isnan(np.asarray(m)).any() for m in maps.values()))
    fig.update_yaxes(tickmode="linear", tick0=1, dtick=1 if L <= 12 else 2, range=[0.5, L + 0.5])
    s = _sizes(present)
    for i in range(1, len(maps) + 1):  # the two cells of the ratio: top and bottom layer at the last step
        ax = "" if i == 1 else str(i)
        for layer in {1, L}:
            fig.add_shape(type="rect", xref=f"x{ax}", yref=f"y{ax}", x0=T - 1.5, x1=T - 0.5, y0=layer - 0.5,
                          y1=layer + 0.5, line={"color": OKABE_ITO["vermillion"], "width": s["line"]})
    return fig


def fig_variant_norms(t, dh: Mapping[str, np.ndarray], dc: Mapping[str, np.ndarray], names: Mapping[str, str], *,
                      labels=None, present: bool = False) -> go.Figure:
    """‖∂L/∂h_t‖ (left) and ‖∂L/∂c_t‖ (right) over t for each LSTM variant (log axes).

    dh, dc: variant code -> (T,) norms; names: code -> legend name. labels: title, x, dh, dc.
    """
    s = _sizes(present)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=[_lab(labels, "dh"), _lab(labels, "dc")])
    t = np.asarray(t)
    for col, curves in enumerate((dh, dc), start=1):
        for i, (code, y) in enumerate(curves.items()):
            color, dash = VARIANT_STYLE.get(code, (OKABE_ITO["purple"], "dashdot"))
            width = s["line"] * (1.6 if code == "standard" else 1.0)  # under the others: visible when they coincide
            fig.add_trace(go.Scatter(**_line(t, _positive(y), names.get(code, code), color, dash, width,
                                             legendgroup=code, showlegend=col == 1)), row=1, col=col)
        fig.update_xaxes(title=_lab(labels, "x"), row=1, col=col)
        _at_least_one_decade(fig, *curves.values(), row=1, col=col)
    _layout(fig, labels, present, height=420)
    fig.update_annotations(font={"size": s["font"] + 1})
    _room_for_panel_titles(fig, present)
    fig.update_layout(legend=_legend_below(present))
    return fig


def fig_memory(k, forward, backward, rho_k, *, exact: bool, labels=None, present: bool = False) -> go.Figure:
    """A reservoir's forward memory and backward gradient over the lag k, with ρ^k, on one log axis.

    forward, backward, rho_k (K,); exact: ρ^k is the curves' value (linear reservoir), else a bound.
    labels: title, x, y, forward, backward, rho_exact, rho_bound.
    """
    s = _sizes(present)
    k = np.asarray(k)
    rho_name = _lab(labels, "rho_exact" if exact else "rho_bound")
    traces = [_line(k, _positive(rho_k), rho_name, THEORY_COLOR, "solid", s["line"] * 3.5, opacity=0.4),  # under
              _line(k, _positive(forward), _lab(labels, "forward"), OKABE_ITO["blue"], "solid", s["line"],
                    mode="lines+markers", marker={"size": max(3, s["marker"] - 3), "symbol": "circle"}),
              _line(k, _positive(backward), _lab(labels, "backward"), OKABE_ITO["vermillion"], "dash", s["line"],
                    mode="lines+markers", marker={"size": max(3, s["marker"] - 3), "symbol": "diamond"})]
    return _figure(traces, labels, present, height=420, yaxis=_log_axis(forward, backward, rho_k),
                   hovermode="x unified", legend=_legend_below(present))


def fig_cross_step(cross: Mapping[str, np.ndarray], *, labels=None, present: bool = False) -> go.Figure:
    """‖∂L_t/∂h_s‖ (row t: the loss's step, column s: the state's step) per mode, side by side.

    cross: panel title -> (T, T) norms; exact zeros are drawn grey (the background), with a
    legend entry. labels: title, x, y, z, zero.
    """
    panels = {}
    for name, c in cross.items():
        c = np.asarray(c, dtype=np.float64)
        with np.errstate(divide="ignore"):
            panels[name] = np.where(np.isfinite(c) & (c > 0), np.log10(np.where(c > 0, c, 1.0)), np.nan)
    T = next(iter(panels.values())).shape[0]
    hover = "s = %{x}, t = %{y}<br>log₁₀‖∂L_t/∂h_s‖ = %{z:.2f}"
    fig = _side_by_side_heatmaps(panels, np.arange(T), np.arange(T), labels, present, hover=hover, height=440,
                                 zero_note=True)
    fig.update_xaxes(range=[-0.5, T - 0.5], constrain="domain")
    fig.update_yaxes(range=[-0.5, T - 0.5], constrain="domain")
    return fig


def fig_teacher_loss(step, curves: Mapping[str, tuple], *, labels=None, present: bool = False) -> go.Figure:
    """Training curves on a log axis. curves: legend name -> (values (n,), colour code, dash). labels: title, x, y."""
    s = _sizes(present)
    step = np.asarray(step)
    traces = [_line(step, _positive(y), name, OKABE_ITO.get(color, color), dash, s["thin"])
              for name, (y, color, dash) in curves.items()]
    return _figure(traces, labels, present, height=380, yaxis=_log_axis(*(y for y, _, _ in curves.values())),
                   legend=_legend_below(present))
