"""Figures of page 4 (training): loss and perplexity, global and per-parameter gradient norms, live loss."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .base import OKABE_ITO, THEORY_COLOR, _figure, _lab, _layout, _line, _log_ticks, _positive, _sizes


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


def fig_live_loss(runs: Mapping[str, Sequence[float]], *, start: Mapping[str, int] | None = None, labels=None,
                  present: bool = False) -> go.Figure:
    """Training loss of the latest steps while a run trains: one line per run, x = step index.

    runs: run label -> its latest losses, oldest first (a non-finite loss is
    a gap); start: run label -> step index of its first loss (default 0, so
    x counts the steps shown). Each run keeps the colour and dash style it
    has in fig_training_curves. Redrawn every few training steps: built in
    one constructor call from plain dicts, no subplots. labels: title, x, y.
    """
    s = _sizes(present)
    first = start or {}
    traces = []
    for i, (name, loss) in enumerate(runs.items()):
        y = np.asarray(loss, dtype=np.float64)
        x0 = int(first.get(name, 0))
        traces.append(_line(np.arange(x0, x0 + y.size), np.where(np.isfinite(y), y, np.nan), name,
                            RUN_COLORS[i % 4], RUN_DASH[i % 4], s["line"]))
    return _figure(traces, labels, present, height=260)


def fig_flow_over_training(runs: Mapping[str, Mapping[str, np.ndarray]], *, labels=None,
                           present: bool = False) -> go.Figure:
    """Training step × steps back: log10‖∂L/∂h_t‖ over one fixed validation window, one heatmap per run.

    runs: label -> {"step" (P,), "log_dh" (P, T)}; column k of a heatmap is k steps back from the
    loss (k = T−1−t), so column 0 holds the loss step. The runs share one colour scale.
    labels: title, x, y, z.
    """
    names = list(runs)
    fig = make_subplots(rows=1, cols=max(1, len(names)), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=names)
    finite = [z[np.isfinite(z)] for z in (np.asarray(r["log_dh"], dtype=np.float64) for r in runs.values())]
    lo = min((float(f.min()) for f in finite if f.size), default=-1.0)
    hi = max((float(f.max()) for f in finite if f.size), default=0.0)
    for i, name in enumerate(names, start=1):
        z = np.asarray(runs[name]["log_dh"], dtype=np.float64)[:, ::-1]  # (P, T): column k = k steps back
        fig.add_trace(go.Heatmap(x=np.arange(z.shape[1]), y=np.asarray(runs[name]["step"]), z=z, name=name,
                                 colorscale="Viridis", zmin=lo, zmax=max(hi, lo + 1e-9), showscale=i == 1,
                                 colorbar={"title": {"text": _lab(labels, "z")}}), row=1, col=i)
        fig.update_xaxes(title=_lab(labels, "x"), row=1, col=i)
    fig.update_yaxes(title=_lab(labels, "y"), row=1, col=1)
    return _layout(fig, labels, present, height=380, legend=False)
