"""The unrolled graph (page 1): the network over time, coloured by its gradient, with the backward wave.

One slot per drawn step, left to right, and one slot per hidden range (an
ellipsis "⋯"); lanes from the bottom: the inputs x_t, the LSTM's cell state
c_t, the hidden state h_t and the loss terms. Node colour is log₁₀ of the
gradient norm (one colour bar for both lanes; a white band at its foot for
an exact zero). Recurrent edges are binned by the norm of the Jacobian they
carry: the width and the opacity grow with it. An edge cut by truncated
BPTT is not drawn: a dashed line marked "✂" crosses the lanes in its place,
and every other truncation block is shaded.

The backward pass is animated in the browser: plotly frames (play, pause, a
slider with one step per frame). Frame k shows the k + 1 latest drawn steps
in colour (the wave from the loss backwards); the others stay grey. A frame
carries only the coloured node traces and the readout (`traces=[...]`): the
readout is a text trace pinned above the plot on an invisible overlay axis,
because a layout annotation would not be redrawn by a frame played without
a full redraw, and a full redraw per frame halves the frame rate.

A bidirectional layer (`graph_data_bidir`'s dict) is drawn by the same
function: two h lanes, the loss at one position p, the wave spreading from p
both ways (`_fig_bidir`). This module is longer than 400 lines because both
drawings share every helper here (slots, colour scale, edge bins, ticks, the
animation controls): one module keeps them one figure.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .base import OKABE_ITO, _base_layout, _lab, _sizes

VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b",
           "#fde725"]
EDGE_BINS = (0.5, 0.9, 1.1, 2.0)  # ‖J‖ bin edges: < 0.5, 0.5–0.9, 0.9–1.1, 1.1–2, ≥ 2
EDGE_NAMES = ("< 0.5", "0.5–0.9", "0.9–1.1", "1.1–2", "≥ 2")
EDGE_WIDTH = (0.8, 1.6, 2.8, 4.2, 6.0)
EDGE_OPACITY = (0.35, 0.55, 0.75, 0.9, 1.0)
H_EDGE, C_EDGE, GREY, NODE_GREY = "#444444", OKABE_ITO["blue"], "#BBBBBB", "#E6E6E6"
FRAME_MS = 80  # default time per frame of the animation
PLOT_PX = 640  # width of the plot area the node size and tick spacing assume (a 1280-px screen, sidebar open)
NODE_FILL = 0.55  # a node's diameter / its slot's width: the rest shows the recurrent edge and its width


def _slots(steps):
    """x of every drawn step (N,) and of every hidden range's ellipsis (G,): one slot each, in time order."""
    xs, gx, pos = [], [], 0
    for i, t in enumerate(steps):
        if i and t - steps[i - 1] > 1:  # a hidden range before t
            gx.append(pos)
            pos += 1
        xs.append(pos)
        pos += 1
    return np.array(xs, dtype=float), np.array(gx, dtype=float)


def _x_of(t, steps, xs, hidden, gx):
    """Continuous x of any step t (a hidden one falls inside its ellipsis slot)."""
    i = np.searchsorted(steps, t)
    if i < len(steps) and steps[i] == t:
        return float(xs[i])
    for (lo, hi), x in zip(hidden, gx):
        if lo <= t <= hi:
            return float(x - 0.5 + (t - lo + 0.5) / (hi - lo + 1))
    return float(xs[-1] + 0.5)


def _segments(pairs):
    """x, y lists of line segments separated by None: pairs of ((x0, y0), (x1, y1))."""
    x, y = [], []
    for (x0, y0), (x1, y1) in pairs:
        x += [x0, x1, None]
        y += [y0, y1, None]
    return x, y


def _bin(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    """Width bin of each norm: k with EDGE_BINS[k−1] ≤ v < EDGE_BINS[k]; inf and NaN in the top bin."""
    return np.where(np.isfinite(v), np.searchsorted(EDGE_BINS, np.nan_to_num(v, nan=np.inf), side="right"),
                    len(EDGE_BINS))


def _colour_scale(*arrays, zero_text="0"):
    """(cmin, cmax, colorscale, zero value, tick values, tick texts) of log10 norms, one for all lanes."""
    v = np.concatenate([np.asarray(a, dtype=float) for a in arrays if a is not None])
    pos = v[np.isfinite(v) & (v > 0)]
    lo, hi = (float(np.log10(pos.min())), float(np.log10(pos.max()))) if pos.size else (-1.0, 0.0)
    if hi - lo < 1:
        lo, hi = (lo + hi) / 2 - 0.5, (lo + hi) / 2 + 0.5
    step = next(k for k in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, np.inf) if (hi - lo) / k <= 7)
    ticks = [round(k * step, 10) for k in range(int(np.ceil(lo / step)), int(np.floor(hi / step)) + 1)]
    scale = [[i / (len(VIRIDIS) - 1), c] for i, c in enumerate(VIRIDIS)]
    if not (v == 0).any():
        return lo, hi, scale, None, ticks, [f"{k:g}" for k in ticks]
    band = 0.07  # white foot of the bar: exact zeros (no gradient)
    zero = lo - band / (1 - band) * (hi - lo)
    scale = [[0.0, "#FFFFFF"], [band, "#FFFFFF"]] + [[band + (1 - band) * s, c] for s, c in scale]
    return zero, hi, scale, zero, [zero] + ticks, [zero_text] + [f"{k:g}" for k in ticks]


def _node_values(v, zero, cmax):
    """Colour values: log10 of the norms, exact zeros at the white band, inf/NaN at the top."""
    v = np.asarray(v, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.log10(v)
    c = np.where(v == 0, zero if zero is not None else -np.inf, c)
    return np.where(np.isfinite(c), c, cmax)


def _fmt(v) -> str:
    return "—" if v is None else f"{float(v):.3g}"


def readout_text(data, i, labels=None) -> str:
    """The readout at drawn step i: the wave front's step, ‖∂L/∂h_t‖ there, the product of ‖J‖ (and ‖∂L/∂c_t‖)."""
    t, dh = int(data["steps"][i]), data["dh"][i]
    prod = None if data["prod"] is None else data["prod"][i]
    key = "readout" if prod is not None else "readout_noprod"
    text = _lab(labels, key).format(t=t, dh=_fmt(dh), prod=_fmt(prod)) if key in (labels or {}) else \
        f"t = {t}: ‖∂L/∂h_t‖ = {_fmt(dh)}" + ("" if prod is None else f", ∏‖J‖ = {_fmt(prod)}")
    if data["dc"] is not None:
        dc = _fmt(data["dc"][i])
        text += _lab(labels, "readout_c").format(dc=dc) if "readout_c" in (labels or {}) else f", ‖∂L/∂c_t‖ = {dc}"
    return text


def fig_unrolled_graph(data: dict, *, frame: int | None = None, animate: bool = True, labels=None,
                       present: bool = False, frame_ms: int = FRAME_MS) -> go.Figure:
    """The unrolled network of `data` (from experiments.graph.graph_data) with its backward pass.

    frame: the frame shown first, 0 (only the last step lit) .. N − 1 (every
    drawn step lit; the default); animate: add the frames, play/pause buttons
    and the slider; frame_ms: time per frame when playing. labels: title, x,
    x_hidden ({n}, {T}), z, z_c (LSTM), lane_x, lane_h, lane_c, lane_loss, edge, edge_state,
    edge_c, edge_none, cut, zero (the colour bar's tick of an exact 0), hidden ({lo}, {hi}, {n}), readout ({t}, {dh}, {prod}), readout_noprod
    ({t}, {dh}), readout_c ({dc}), play, pause, step.
    A bidirectional layer's data (from experiments.graph.graph_data_bidir) is drawn by
    `_fig_bidir` (see there): frame k then lights the steps within k drawn steps of p; its labels
    add title_bidir ({p}), lane_f, lane_b, lane_loss_p, edge_bidir, edge_bidir_state, readout_bidir ({tf},
    {dhf}, {tb}, {dhb}), step_bidir.
    Every trace's `meta` names its role: "h", "c" the coloured nodes
    (animated; customdata [t, norm]); "h base", "c base" the grey nodes;
    "loss", "x" nodes; "edges h", "edges c" one trace per width bin (named by
    its range of ‖J‖); "cut", "scissors"; "edge hover"; "gaps" (the ellipses);
    "links", "gap links"; "readout" (text, on the overlay axes x2/y2).
    """
    if data.get("bidir"):
        return _fig_bidir(data, frame=frame, animate=animate, labels=labels, present=present, frame_ms=frame_ms)
    s = _sizes(present)
    steps, hidden = np.asarray(data["steps"]), np.asarray(data["hidden"]).reshape(-1, 2)
    N, lstm = len(steps), data["dc"] is not None
    xs, gx = _slots(steps)
    n_slots = N + len(gx)
    y_x, y_c, y_h = 0.0, 1.0, (2.0 if lstm else 1.0)
    y_l = y_h + 1.0
    lanes = [y_x, y_h, y_l] + ([y_c] if lstm else [])
    idx = {int(t): i for i, t in enumerate(steps)}
    node = float(np.clip(NODE_FILL * PLOT_PX / max(n_slots, 1), 7, 22)) * (1.3 if present else 1.0)
    fs = s["font"]
    traces = []

    def add(role, tr):
        traces.append({**tr, "meta": role})
        return len(traces) - 1

    # Static links: x -> h (x -> c -> h for the LSTM), h -> loss, and dotted links into each ellipsis.
    ups = [((x, y_x), (x, y_h)) for x in xs]
    lx, ly = _segments(ups + [((xs[idx[int(t)]], y_h), (xs[idx[int(t)]], y_l)) for t in data["loss_steps"]])
    add("links", {"type": "scatter", "x": lx, "y": ly, "mode": "lines", "name": "links", "showlegend": False,
         "hoverinfo": "skip", "line": {"color": GREY, "width": s["thin"]}})
    gap_pairs = [((g - 1, y), (g + 1, y)) for g in gx for y in ([y_h, y_c] if lstm else [y_h])]
    gxs, gys = _segments(gap_pairs)
    add("gap links", {"type": "scatter", "x": gxs, "y": gys, "mode": "lines", "name": "gap links", "showlegend": False,
         "hoverinfo": "skip", "line": {"color": GREY, "width": s["thin"], "dash": "dot"}})

    # Recurrent edges, binned by the Jacobian norm they carry; cut edges apart.
    edges, cuts = np.asarray(data["edges"]), set(data["cuts_drawn"])
    keep = np.array([int(t) not in cuts for t in edges], bool)
    lanes_e = [("h", y_h, data["jac"], H_EDGE)] + ([("c", y_c, data["jac_c"], C_EDGE)] if lstm else [])
    edge_title = _lab(labels, "edge_state" if data["jac_kind"] == "state" else "edge")
    hover_x, hover_y, hover_t = [], [], []
    for lane, y, norms, colour in lanes_e:
        pairs = [((xs[idx[int(t)] - 1], y), (xs[idx[int(t)]], y)) for t in edges]
        if norms is None:
            ex, ey = _segments([p for p, k in zip(pairs, keep) if k])
            add(f"edges {lane}", {"type": "scatter", "x": ex, "y": ey, "mode": "lines",
                                  "name": _lab(labels, "edge_none"),
                 "legendgroup": "edges", "showlegend": lane == "h", "hoverinfo": "skip",
                 "line": {"color": colour, "width": 1.5}})
            continue
        bins = _bin(norms)
        for k, name in enumerate(EDGE_NAMES):
            sel = [p for p, b, kp in zip(pairs, bins, keep) if b == k and kp]
            if not sel:
                continue
            ex, ey = _segments(sel)
            add(f"edges {lane}", {"type": "scatter", "x": ex, "y": ey, "mode": "lines",
                                  "name": f"{lane} {name}" if lstm else name, "showlegend": True, "hoverinfo": "skip",
                                  "opacity": EDGE_OPACITY[k],
                                  "line": {"color": colour, "width": EDGE_WIDTH[k] * (1.4 if present else 1.0)}})
        title = edge_title.split(":")[-1].strip() if lane == "h" else _lab(labels, "edge_c").split(":")[-1].strip()
        for (p0, p1), t, v in zip(pairs, edges, norms):
            hover_x.append((p0[0] + p1[0]) / 2)
            hover_y.append(y)
            hover_t.append(f"{int(t) - 1} → {int(t)}<br>{title} = {_fmt(v)}"
                           + (f"<br>✂ {_lab(labels, 'cut')}" if int(t) in cuts else ""))
    # A cut: a dashed line across the lanes between t−1 and t, where the recurrent edges would be.
    cut_pairs = [((xs[idx[t]] - 0.5, y_x - 0.3), (xs[idx[t]] - 0.5, y_h + 0.2)) for t in sorted(cuts)]
    if cut_pairs:
        cx, cy = _segments(cut_pairs)
        add("cut", {"type": "scatter", "x": cx, "y": cy, "mode": "lines", "name": "✂ " + _lab(labels, "cut"),
             "hoverinfo": "skip", "legendgroup": "cut", "showlegend": True,
             "line": {"color": OKABE_ITO["vermillion"], "width": s["thin"], "dash": "dash"}})
        add("scissors", {"type": "scatter", "x": [xs[idx[t]] - 0.5 for t in sorted(cuts)],
                         "y": [y_h + 0.32] * len(cuts),
             "mode": "text", "text": ["✂"] * len(cuts), "name": "scissors", "legendgroup": "cut",
             "showlegend": False, "hoverinfo": "skip", "textfont": {"size": fs + 5, "color": OKABE_ITO["vermillion"]}})
    if hover_x:
        add("edge hover", {"type": "scatter", "x": hover_x, "y": hover_y, "text": hover_t, "mode": "markers",
                           "name": "edge hover",
             "showlegend": False, "hovertemplate": "%{text}<extra></extra>",
             "marker": {"size": max(6, node * 0.6), "color": "rgba(0,0,0,0)"}})

    # Ellipses of the hidden ranges: "⋯" on every lane, the number of steps under the inputs.
    if len(gx):
        n_hidden = hidden[:, 1] - hidden[:, 0] + 1
        dots = [y for y in lanes if y != y_l or data["loss"] == "sum"]
        hov = [_lab(labels, "hidden").format(lo=lo, hi=hi, n=n) if "hidden" in (labels or {}) else f"{lo}–{hi}"
               for (lo, hi), n in zip(hidden, n_hidden)]
        add("gaps", {"type": "scatter", "mode": "text", "name": "gaps", "showlegend": False,
             "x": list(np.tile(gx, len(dots))) + list(gx), "y": [y for y in dots for _ in gx] + [y_x - 0.42] * len(gx),
             "text": ["<b>⋯</b>"] * (len(gx) * len(dots)) + [f"+{n}" for n in n_hidden],
             "textfont": {"size": [fs] * (len(gx) * len(dots)) + [max(9, fs - 3)] * len(gx), "color": "#555555"},
             "hovertemplate": "%{customdata}<extra></extra>", "customdata": hov * len(dots) + hov})

    # Nodes: inputs, loss terms, grey bases, then the coloured (animated) ones.
    small = {"size": node * 0.6, "color": "#FFFFFF", "line": {"color": "#888888", "width": 1}}
    add("x", {"type": "scatter", "x": xs, "y": [y_x] * N, "mode": "markers", "name": "x", "showlegend": False,
         "hoverinfo": "skip", "marker": small})
    lt = np.asarray(data["loss_steps"])
    add("loss", {"type": "scatter", "x": [xs[idx[int(t)]] for t in lt], "y": [y_l] * len(lt), "mode": "markers",
         "name": "loss", "showlegend": False, "customdata": lt, "hovertemplate": "L_%{customdata}<extra></extra>",
         "marker": {"symbol": "square", "size": node * 0.8, "color": OKABE_ITO["orange"],
                    "line": {"color": "#444444", "width": 1}}})
    node_lanes = [("h", y_h, data["dh"])] + ([("c", y_c, data["dc"])] if lstm else [])
    for lane, y, _ in node_lanes:
        add(f"{lane} base", {"type": "scatter", "x": xs, "y": [y] * N, "mode": "markers", "name": f"{lane} base",
                             "showlegend": False,
             "hoverinfo": "skip", "marker": {"size": node, "color": NODE_GREY, "line": {"color": GREY, "width": 1}}})
    cmin, cmax, cscale, zero, tv, tt = _colour_scale(data["dh"], data["dc"], zero_text=_lab(labels, "zero")
                                                     if "zero" in (labels or {}) else "0")
    values = {lane: _node_values(v, zero, cmax) for lane, _, v in node_lanes}
    first = N - 1 if frame is None else int(np.clip(frame, 0, N - 1))

    def lit(lane, y, v, k):
        """Update of a coloured node trace at frame k: the k + 1 latest drawn steps."""
        sl = slice(N - 1 - k, N)
        return {"x": xs[sl], "y": np.full(N - sl.start, y),
                "marker": {"color": values[lane][sl]},
                "customdata": np.column_stack([steps[sl], np.asarray(v, dtype=float)[sl]])}

    colour_idx = []
    for lane, y, v in node_lanes:
        name = "‖∂L/∂h_t‖" if lane == "h" else "‖∂L/∂c_t‖"
        tr = {"type": "scatter", "mode": "markers", "name": lane, "showlegend": False,
              "hovertemplate": f"t = %{{customdata[0]}}<br>{name} = %{{customdata[1]:.4g}}<extra></extra>",
              **lit(lane, y, v, first)}
        tr["marker"] = {**tr["marker"], "size": node, "cmin": cmin, "cmax": cmax, "colorscale": cscale,
                        "line": {"color": "#333333", "width": 1}, "showscale": lane == "h",
                        "colorbar": {"title": {"text": _lab(labels, "z_c" if lstm else "z"),
                                               "side": "right"}, "tickvals": tv, "ticktext": tt, "thickness": 14,
                                     "len": 1.0, "x": 1.02}}
        colour_idx.append(add(lane, tr))

    # The readout: a text trace on a fixed overlay axis (0..1 of the plot area) just above the plot, so a
    # frame updates it like the nodes, without a full redraw (a layout annotation would need one).
    readout = add("readout", _readout_trace(readout_text(data, N - 1 - first, labels), fs))

    # Axes, truncation blocks and the animation.
    ticks = _ticks(steps, xs, data, n_slots)
    x_title = _x_title(labels, gx, hidden, data["T"])
    lane_names = {y_x: _lab(labels, "lane_x"), y_h: _lab(labels, "lane_h"), y_l: _lab(labels, "lane_loss")}
    if lstm:
        lane_names[y_c] = _lab(labels, "lane_c")
    lane_names = dict(sorted(lane_names.items()))  # bottom to top
    shapes = []
    starts = list(data["block_starts"])
    if len(starts) > 1:
        ends = starts[1:] + [data["T"]]
        for k, (a, e) in enumerate(zip(starts, ends)):
            if k % 2 == 0:
                shapes.append({"type": "rect", "xref": "x", "yref": "y", "layer": "below", "line": {"width": 0},
                               "x0": _x_of(a, steps, xs, hidden, gx) - 0.5,
                               "x1": _x_of(e - 1, steps, xs, hidden, gx) + 0.5,
                               "y0": y_x - 0.75, "y1": y_l + 0.5, "fillcolor": OKABE_ITO["sky"], "opacity": 0.15})
    legend_title = edge_title + (("   ·   " + _lab(labels, "edge_c")) if lstm else "")
    lay, zoom, top, plot_h = _lane_layout(labels, present, fs, animate=animate, n_lanes=len(lanes), title=None,
                                          x_title=x_title, xs=xs, steps=steps, ticks=ticks, n_slots=n_slots,
                                          lanes=lane_names, legend_title=legend_title, shapes=shapes)
    frames = []
    if animate:
        frames = [{"name": str(k), "traces": colour_idx + [readout],
                   "data": [lit(lane, y, v, k) for lane, y, v in node_lanes]
                   + [{"text": [readout_text(data, N - 1 - k, labels)]}]} for k in range(N)]
        _controls(lay, [str(int(steps[N - 1 - k])) for k in range(N)], labels, fs, first, frame_ms,
                  1 + (top - zoom * 42) / plot_h)
    return go.Figure(data=traces, layout=lay, frames=frames)



def _x_title(labels, gx, hidden, T) -> str:
    """The time axis's title, with how many steps the ⋯ gaps leave out."""
    x_title = _lab(labels, "x")
    if len(gx):
        n_out = int((hidden[:, 1] - hidden[:, 0] + 1).sum())
        x_title += "   " + (_lab(labels, "x_hidden").format(n=n_out, T=T) if "x_hidden" in (labels or {})
                            else f"(⋯ {n_out} / {T})")
    return x_title


def _readout_trace(text: str, fs) -> dict:
    """The readout: a text trace on a fixed overlay axis (0..1 of the plot area) just above the plot, so a
    frame updates it like the nodes, without a full redraw (a layout annotation would need one)."""
    return {"type": "scatter", "mode": "text", "x": [0.0], "y": [1.0], "xaxis": "x2", "yaxis": "y2", "text": [text],
            "textposition": "top right", "cliponaxis": False, "showlegend": False, "hoverinfo": "skip",
            "name": "readout", "textfont": {"size": fs, "color": "#222222"}}


def _lane_layout(labels, present, fs, *, animate, n_lanes, title, x_title, xs, steps, ticks, n_slots, lanes,
                 legend_title, shapes=None):
    """The layout both graphs share: lanes as y ticks (lanes: y -> name, bottom to top), the drawn steps as
    x ticks, room above for the title, the controls and the readout. Returns (layout, zoom, top, plot_h)."""
    zoom = 1.35 if present else 1.0
    top = int(zoom * (40 + (75 if animate else 0) + 30))  # title, the controls, the readout
    plot_h, bottom = int(zoom * 90 * n_lanes), int(zoom * 150)  # the lanes; ticks, axis title, legend
    ys = list(lanes)
    lay = _base_layout(labels, present, 100, True)
    lay.update({
        "height": top + plot_h + bottom,
        "title": {**lay["title"], **({"text": title} if title is not None else {}),
                  "y": 1 - 8 / (top + plot_h + bottom), "yanchor": "top", "yref": "container"},
        "xaxis": {"title": {"text": x_title}, "tickvals": [xs[i] for i in ticks],
                  "ticktext": [str(int(steps[i])) for i in ticks], "showgrid": False, "zeroline": False,
                  "range": [-0.8, n_slots - 0.2], "showline": False},
        "yaxis": {"tickvals": ys, "ticktext": list(lanes.values()), "showgrid": False, "zeroline": False,
                  "range": [ys[0] - 0.8, ys[-1] + 0.55], "fixedrange": True, "showline": False, "ticks": ""},
        "xaxis2": {"overlaying": "x", "range": [0, 1], "visible": False, "fixedrange": True},
        "yaxis2": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "top", "y": -zoom * 62 / plot_h, "xanchor": "left", "x": 0.0,
                   "font": {"size": fs - 1}, "title": {"text": legend_title, "side": "top"}},
        "margin": {"l": 70, "r": 30, "t": top, "b": bottom},
    })
    if shapes is not None:
        lay["shapes"] = shapes
    return lay, zoom, top, plot_h

def _ticks(steps, xs, data, n_slots, px=PLOT_PX):
    """Indices of the drawn steps that get a tick label: T−1, 0, cuts, round steps; none closer than a label."""
    min_gap = max(1.0, 30.0 / (px / max(n_slots, 1)))
    span = int(steps[-1]) + 1
    m = next(k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10 ** 9) if span / k <= 12)
    idx = {int(t): i for i, t in enumerate(steps)}
    order = [len(steps) - 1, 0] + [idx[t] for t in data["cuts_drawn"]] + [i for i, t in enumerate(steps) if t % m == 0]
    kept = []
    for i in order:
        if all(abs(xs[i] - xs[j]) >= min_gap for j in kept):
            kept.append(i)
    return sorted(set(kept))


def _controls(lay, frame_labels, labels, fs, first, frame_ms, y, prefix="step"):
    """Play and pause buttons and a slider with one step per frame (its current value: frame_labels[k], the
    wave front's step; labels[prefix] before it), their tops at paper height y (above the plot)."""
    N = len(frame_labels)
    still = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    play = {"mode": "immediate", "fromcurrent": False, "frame": {"duration": int(frame_ms), "redraw": False},
            "transition": {"duration": 0}}
    lay["updatemenus"] = [{"type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "xanchor": "left",
                           "y": y, "yanchor": "top", "pad": {"t": 18, "r": 10}, "font": {"size": fs - 1},
                           "buttons": [{"label": _lab(labels, "play"), "method": "animate", "args": [None, play]},
                                       {"label": _lab(labels, "pause"), "method": "animate",
                                        "args": [[None], still]}]}]
    lay["sliders"] = [{"active": first, "x": 0.22, "len": 0.78, "y": y, "yanchor": "top", "pad": {"t": 0, "b": 0},
                       "currentvalue": {"visible": True, "prefix": _lab(labels, prefix) + " t = ",
                                        "font": {"size": fs - 1, "color": "#444444"}},
                       "font": {"size": 8, "color": "rgba(0,0,0,0)"}, "ticklen": 4, "minorticklen": 2,
                       "steps": [{"label": frame_labels[k], "method": "animate",
                                  "args": [[str(k)], still]} for k in range(N)]}]


# --------------------------------------------------------------------------
# A bidirectional layer: two chains, the loss at p
# --------------------------------------------------------------------------
def readout_bidir(data, k, labels=None) -> str:
    """The readout at frame k: each chain's wave front (k drawn steps from p) and its gradient norm there."""
    steps, ip = np.asarray(data["steps"]), int(np.searchsorted(data["steps"], data["position"]))
    i_f, i_b = max(0, ip - k), min(len(steps) - 1, ip + k)
    v = {"tf": int(steps[i_f]), "dhf": _fmt(data["dh_f"][i_f]), "tb": int(steps[i_b]), "dhb": _fmt(data["dh_b"][i_b])}
    return _lab(labels, "readout_bidir").format(**v) if "readout_bidir" in (labels or {}) else \
        "h→ t = {tf}: {dhf}   ·   h← t = {tb}: {dhb}".format(**v)


def bidir_lit(data, k):
    """Indices of the drawn steps lit at frame k: (forward chain's, backward chain's), p's index in both."""
    N, ip = len(data["steps"]), int(np.searchsorted(data["steps"], data["position"]))
    return np.arange(max(0, ip - k), ip + 1), np.arange(ip, min(N, ip + k + 1))


def _fig_bidir(data, *, frame, animate, labels, present, frame_ms):
    """The two chains of a bidirectional layer, the loss at p, the backward wave spreading from p.

    Lanes from the bottom: x_t, the forward chain h→ (edges t−1 → t, arrow heads
    pointing right), the backward chain h← (edges t+1 → t, pointing left), the
    loss at p linked to h→_p and h←_p. One colour scale for both chains; the
    steps a chain never reaches (h→ at t > p, h← at t < p: exactly 0) are white
    nodes from the start ("f zero", "b zero"). Frame k (0 .. K − 1, K the longer
    side's drawn steps + 1) lights the drawn steps within k of p on the side
    each chain reaches. The LSTM's c lanes are not drawn (four chains' lanes
    would crowd the figure; the c norms are in the data). Roles (`meta`): "f",
    "b" the coloured nodes (animated), "f base", "b base", "f zero", "b zero",
    "x", "loss", "links", "loss links", "gap links", "edges f", "edges b" (one
    trace per width bin), "arrows f", "arrows b" (heads, with the edge hover),
    "gaps", "readout".
    """
    s = _sizes(present)
    fs = s["font"]
    steps, hidden = np.asarray(data["steps"]), np.asarray(data["hidden"]).reshape(-1, 2)
    N, p = len(steps), int(data["position"])
    ip = int(np.searchsorted(steps, p))
    xs, gx = _slots(steps)
    n_slots = N + len(gx)
    y_x, y_f, y_b, y_l = 0.0, 1.0, 2.0, 3.0
    idx = {int(t): i for i, t in enumerate(steps)}
    node = float(np.clip(NODE_FILL * PLOT_PX / max(n_slots, 1), 7, 22)) * (1.3 if present else 1.0)
    K = max(ip, N - 1 - ip) + 1  # frames: the longer side's drawn steps, and p itself
    traces = []

    def add(role, tr):
        traces.append({**tr, "meta": role})
        return len(traces) - 1

    lx, ly = _segments([((x, y_x), (x, y_b)) for x in xs])  # x_t feeds both chains
    add("links", {"type": "scatter", "x": lx, "y": ly, "mode": "lines", "name": "links", "showlegend": False,
                  "hoverinfo": "skip", "line": {"color": GREY, "width": s["thin"]}})
    xp = xs[ip]  # the loss: straight down to h←_p, round h←_p's left side down to h→_p
    add("loss links", {"type": "scatter", "x": [xp, xp, None, xp, xp - 0.45, xp], "mode": "lines",
                       "y": [y_l, y_b, None, y_l, y_b, y_f], "name": "loss links", "showlegend": False,
                       "hoverinfo": "skip", "line": {"color": OKABE_ITO["orange"], "width": s["thin"] * 1.5}})
    gxs, gys = _segments([((g - 1, y), (g + 1, y)) for g in gx for y in (y_f, y_b)])
    add("gap links", {"type": "scatter", "x": gxs, "y": gys, "mode": "lines", "name": "gap links",
                      "showlegend": False, "hoverinfo": "skip", "line": {"color": GREY, "width": s["thin"], "dash": "dot"}})

    # Recurrent edges of each chain, binned by their Jacobian norm (one legend entry per bin for both).
    edge_title = _lab(labels, "edge_bidir_state" if data["jac_kind"] == "state" else "edge_bidir")
    shown = set()
    for lane, y, edges, norms, back in (("f", y_f, data["edges_f"], data["jac_f"], -1),
                                        ("b", y_b, data["edges_b"], data["jac_b"], 1)):
        pairs = [((xs[idx[int(t) + back]], y), (xs[idx[int(t)]], y)) for t in edges]  # from the previous state
        bins = _bin(norms) if norms is not None else np.full(len(pairs), -1)
        for k in sorted(set(bins.tolist())):
            ex, ey = _segments([pr for pr, bk in zip(pairs, bins) if bk == k])
            name = _lab(labels, "edge_none") if k < 0 else EDGE_NAMES[k]
            add(f"edges {lane}", {"type": "scatter", "x": ex, "y": ey, "mode": "lines", "name": name,
                                  "legendgroup": f"bin{k}", "showlegend": k not in shown, "hoverinfo": "skip",
                                  "opacity": 1.0 if k < 0 else EDGE_OPACITY[k],
                                  "line": {"color": H_EDGE, "width": (1.5 if k < 0 else EDGE_WIDTH[k])
                                           * (1.4 if present else 1.0)}})
            shown.add(k)
        text = [f"{int(t) + back} → {int(t)}" + ("" if norms is None else f"<br>‖J‖₂ = {_fmt(v)}")
                for t, v in zip(edges, norms if norms is not None else [None] * len(edges))]
        add(f"arrows {lane}", {"type": "scatter", "mode": "markers", "name": f"arrows {lane}", "showlegend": False,
                               "x": [(a[0] + b[0]) / 2 for a, b in pairs], "y": [y] * len(pairs),
                               "text": text, "hovertemplate": "%{text}<extra></extra>",
                               "marker": {"symbol": "triangle-right" if back < 0 else "triangle-left",
                                          "size": max(7.0, node * 0.6), "color": H_EDGE}})

    if len(gx):  # ellipses of the hidden ranges
        n_hidden = hidden[:, 1] - hidden[:, 0] + 1
        hov = [_lab(labels, "hidden").format(lo=lo, hi=hi, n=n) if "hidden" in (labels or {}) else f"{lo}–{hi}"
               for (lo, hi), n in zip(hidden, n_hidden)]
        add("gaps", {"type": "scatter", "mode": "text", "name": "gaps", "showlegend": False,
                     "x": list(np.tile(gx, 3)) + list(gx), "y": [y for y in (y_x, y_f, y_b) for _ in gx]
                     + [y_x - 0.42] * len(gx), "text": ["<b>⋯</b>"] * (3 * len(gx)) + [f"+{n}" for n in n_hidden],
                     "textfont": {"size": [fs] * (3 * len(gx)) + [max(9, fs - 3)] * len(gx), "color": "#555555"},
                     "hovertemplate": "%{customdata}<extra></extra>", "customdata": hov * 4})

    add("x", {"type": "scatter", "x": xs, "y": [y_x] * N, "mode": "markers", "name": "x", "showlegend": False,
              "hoverinfo": "skip", "marker": {"size": node * 0.6, "color": "#FFFFFF",
                                              "line": {"color": "#888888", "width": 1}}})
    add("loss", {"type": "scatter", "x": [xp], "y": [y_l], "mode": "markers", "name": "loss", "showlegend": False,
                 "customdata": [p], "hovertemplate": "L at p = %{customdata}<extra></extra>",
                 "marker": {"symbol": "square", "size": node * 0.8, "color": OKABE_ITO["orange"],
                            "line": {"color": "#444444", "width": 1}}})
    cmin, cmax, cscale, zero, tv, tt = _colour_scale(data["dh_f"], data["dh_b"], zero_text=_lab(labels, "zero")
                                                     if "zero" in (labels or {}) else "0")
    lanes = (("f", y_f, np.asarray(data["dh_f"], dtype=float), "‖∂L/∂h_t→‖", np.arange(ip + 1, N)),
             ("b", y_b, np.asarray(data["dh_b"], dtype=float), "‖∂L/∂h_t←‖", np.arange(0, ip)))
    values = {lane: _node_values(v, zero, cmax) for lane, _, v, _, _ in lanes}
    marker = {"size": node, "cmin": cmin, "cmax": cmax, "colorscale": cscale, "line": {"color": "#333333", "width": 1}}
    for lane, y, v, name, never in lanes:
        add(f"{lane} base", {"type": "scatter", "x": xs, "y": [y] * N, "mode": "markers", "name": f"{lane} base",
                             "showlegend": False, "hoverinfo": "skip",
                             "marker": {"size": node, "color": NODE_GREY, "line": {"color": GREY, "width": 1}}})
        add(f"{lane} zero", {"type": "scatter", "x": xs[never], "y": [y] * len(never), "mode": "markers",
                             "name": f"{lane} zero", "showlegend": False,
                             "customdata": np.column_stack([steps[never], v[never]]),
                             "hovertemplate": f"t = %{{customdata[0]}}<br>{name} = %{{customdata[1]:.4g}}<extra></extra>",
                             "marker": {**marker, "color": values[lane][never]}})
    first = K - 1 if frame is None else int(np.clip(frame, 0, K - 1))

    def lit(lane, y, v, k):
        sel = bidir_lit(data, k)[0 if lane == "f" else 1]
        return {"x": xs[sel], "y": np.full(len(sel), y), "marker": {"color": values[lane][sel]},
                "customdata": np.column_stack([steps[sel], v[sel]])}

    colour_idx = []
    for lane, y, v, name, _ in lanes:
        tr = {"type": "scatter", "mode": "markers", "name": lane, "showlegend": False,
              "hovertemplate": f"t = %{{customdata[0]}}<br>{name} = %{{customdata[1]:.4g}}<extra></extra>",
              **lit(lane, y, v, first)}
        tr["marker"] = {**tr["marker"], **marker, "showscale": lane == "f",
                        "colorbar": {"title": {"text": _lab(labels, "z"), "side": "right"},
                                     "tickvals": tv, "ticktext": tt, "thickness": 14, "len": 1.0, "x": 1.02}}
        colour_idx.append(add(lane, tr))
    readout = add("readout", _readout_trace(readout_bidir(data, first, labels), fs))

    ticks = _ticks(steps, xs, {"cuts_drawn": [p]}, n_slots)
    x_title = _x_title(labels, gx, hidden, data["T"])
    title = _lab(labels, "title_bidir")
    lane_names = dict(zip((y_x, y_f, y_b, y_l),
                          (_lab(labels, k) for k in ("lane_x", "lane_f", "lane_b", "lane_loss_p"))))
    lay, zoom, top, plot_h = _lane_layout(labels, present, fs, animate=animate, n_lanes=4,
                                          title=title.format(p=p) if "{p}" in title else title, x_title=x_title,
                                          xs=xs, steps=steps, ticks=ticks, n_slots=n_slots, lanes=lane_names,
                                          legend_title=edge_title)
    frames = []
    if animate:
        frames = [{"name": str(k), "traces": colour_idx + [readout],
                   "data": [lit(lane, y, v, k) for lane, y, v, _, _ in lanes]
                   + [{"text": [readout_bidir(data, k, labels)]}]} for k in range(K)]
        spans = [bidir_lit(data, k) for k in range(K)]
        _controls(lay, [f"{int(steps[f[0]])} … {int(steps[b[-1]])}" for f, b in spans], labels, fs, first,
                  frame_ms, 1 + (top - zoom * 42) / plot_h, prefix="step_bidir")
    return go.Figure(data=traces, layout=lay, frames=frames)
