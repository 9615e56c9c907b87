"""The unrolled graph: its data is the Flow's own numbers, its figure draws them, its frames are the backward wave.

Every fact the caption "cap.graph" and the "how.graph" text state is asserted
here on the data and the figure: node colours are log₁₀ of the Flow's norms
(the curve's numbers), edge width grows with the Jacobian norm, the wave moves
one step back per frame from the last step to the first, cut edges pass no
gradient, beyond 60 steps only some are drawn, and for a loss at the last
step ‖∂L/∂h_t‖ ≤ ‖∂L/∂h_(T−1)‖ · ∏‖J_s‖ (the readout's product).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from dataclasses import replace

from gradflow import bidir, bptt, i18n, jacobians, plots
from gradflow.experiments.flow import FlowSettings, bidir_build, build, run, run_bidir, summarize
from gradflow.experiments.graph import BIDIR_KEYS, KEYS, graph_bidir, graph_data, graph_data_bidir
from gradflow.plots.graph import EDGE_BINS, EDGE_WIDTH, bidir_lit, readout_bidir, readout_text

CELLS = ("rnn", "lstm", "gru")
LABELS = {k[len("fig.graph."):]: i18n.t(k, "en") for k in i18n.TABLES["graph"] if k.startswith("fig.graph.")}


@functools.lru_cache(maxsize=None)
def flow_of(cell, T, truncate=None, loss="last", H=16):
    s = FlowSettings(cell=cell, T=T, H=H, truncate=truncate, loss=loss)
    params, flow = run(s)
    return s, params, flow


@functools.lru_cache(maxsize=None)
def data_of(cell, T, truncate=None, loss="last", H=16):
    _, params, flow = flow_of(cell, T, truncate, loss, H)
    return graph_data(flow, params, loss)


def trace(fig, role):
    (tr,) = [t for t in fig.data if t.meta == role]
    return tr


def traces(fig, role):
    return [t for t in fig.data if t.meta == role]


# --------------------------------------------------------------------------
# The data: the Flow's own floats
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("T", [30, 100, 500])
def test_node_values_are_the_flows_norms_exactly(cell, T):
    s, params, flow = flow_of(cell, T)
    d = data_of(cell, T)
    assert set(d) == set(KEYS)
    steps = d["steps"]
    assert np.array_equal(d["dh"], flow.dh_norm[steps, 0])  # same floats, not close ones
    assert np.array_equal(d["dh"], summarize(s, flow)["dh"][steps])  # the curve's numbers
    if cell == "lstm":
        assert np.array_equal(d["dc"], flow.dc_norm[steps, 0])
    else:
        assert d["dc"] is None
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    lanes = ("h", "c") if cell == "lstm" else ("h",)
    for lane in lanes:
        tr = trace(fig, lane)
        want = d["dh"] if lane == "h" else d["dc"]
        assert np.array_equal(np.asarray(tr.customdata)[:, 0], steps)
        assert np.array_equal(np.asarray(tr.customdata)[:, 1], want)  # hover shows the Flow's values
        np.testing.assert_array_equal(tr.marker.color, np.log10(want))  # colour = log10 of the norm


@pytest.mark.parametrize("cell", CELLS)
def test_edges_carry_the_state_jacobian_norms(cell):
    _, params, flow = flow_of(cell, 100)
    d = data_of(cell, 100)
    norms = jacobians.state_jacobian_norms(flow, params)[:, 0]
    np.testing.assert_allclose(d["jac"], norms[d["edges"]], rtol=1e-12)
    assert d["jac_kind"] == ("state" if cell == "lstm" else "step")
    on = set(d["steps"].tolist())
    assert all(t - 1 in on and t in on for t in d["edges"])  # both ends drawn
    if cell == "lstm":
        np.testing.assert_array_equal(d["jac_c"], flow.gates["f"][d["edges"], 0].max(axis=1))  # ‖diag(f_t)‖


@pytest.mark.parametrize("cell", CELLS)
def test_edge_width_grows_with_the_jacobian_norm(cell):
    d = data_of(cell, 100)
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    assert list(EDGE_WIDTH) == sorted(EDGE_WIDTH) and len(set(EDGE_WIDTH)) == len(EDGE_WIDTH)
    lanes = [("h", d["jac"])] + ([("c", d["jac_c"])] if cell == "lstm" else [])
    for lane, norms in lanes:
        drawn = 0
        for tr in traces(fig, f"edges {lane}"):
            k = list(EDGE_WIDTH).index(tr.line.width)
            lo, hi = ((-np.inf,) + EDGE_BINS)[k], (EDGE_BINS + (np.inf,))[k]
            x0 = np.asarray([v for v in tr.x[0::3]], dtype=float)  # segments: x0, x1, None
            slots = np.asarray(trace(fig, "h").x)
            for x in x0:
                t = d["steps"][int(np.flatnonzero(slots == x)[0]) + 1]
                v = norms[list(d["edges"]).index(t)]
                assert lo <= v < hi, (lane, t, v, lo, hi)
                drawn += 1
        assert drawn == len(d["edges"]) - len(d["cuts_drawn"])  # every uncut edge, once


@pytest.mark.parametrize("cell", CELLS)
def test_the_readout_product_bounds_the_gradient_for_a_loss_at_the_last_step(cell):
    d = data_of(cell, 100)
    dh_last = d["dh"][-1]
    assert d["prod"][-1] == 1.0  # empty product at the last step
    assert np.all(d["dh"] <= dh_last * d["prod"] * (1 + 1e-9))
    _, params, flow = flow_of(cell, 100)
    norms = jacobians.state_jacobian_norms(flow, params)[:, 0]
    i = 3
    np.testing.assert_allclose(d["prod"][i], np.prod(norms[d["steps"][i] + 1:]), rtol=1e-9)


# --------------------------------------------------------------------------
# Truncation: cut edges, blocks, no gradient across a cut
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cell", CELLS)
def test_cut_edges_are_the_block_starts(cell):
    d = data_of(cell, 40, truncate=10)
    assert d["cuts"] == [10, 20, 30] == d["cuts_drawn"]
    assert d["block_starts"] == (0, 10, 20, 30)
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    cut = trace(fig, "cut")
    assert cut.line.dash == "dash" and "✂" in cut.name
    slots = np.asarray(trace(fig, "h").x)
    at = [x + 0.5 for x in cut.x[0::3]]  # each cut is a vertical line just before its block start's slot
    assert sorted(int(d["steps"][int(np.flatnonzero(slots == x)[0])]) for x in at) == [10, 20, 30]
    assert all(x0 == x1 for x0, x1 in zip(cut.x[0::3], cut.x[1::3]))
    for lane in ("edges h", "edges c"):  # and no recurrent edge is drawn across it
        for tr in traces(fig, lane):
            assert not set(x + 0.5 for x in tr.x[0::3]) & set(at)
    assert list(trace(fig, "scissors").text) == ["✂"] * 3
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2  # blocks 0-9 and 20-29 shaded, 10-19 and 30-39 not
    for s, (a, e) in zip(rects, [(0, 9), (20, 29)]):
        assert s.x0 == slots[a] - 0.5 and s.x1 == slots[e] + 0.5
    # the block's product restarts at its last step
    assert all(d["prod"][list(d["steps"]).index(s - 1)] == 1.0 for s in (10, 20, 30, 40))


@pytest.mark.parametrize("cell", CELLS)
def test_no_gradient_crosses_a_cut(cell):
    last = data_of(cell, 40, truncate=10, loss="last")
    assert np.all(last["dh"][last["steps"] < 30] == 0)  # only the last block sees the loss
    assert np.all(last["dh"][last["steps"] >= 30] > 0)
    fig = plots.fig_unrolled_graph(last, labels=LABELS)
    h = trace(fig, "h")
    zero = np.asarray(h.marker.color)[last["steps"] < 30]
    assert np.all(zero == h.marker.cmin)  # zeros sit at the foot of the bar ...
    assert h.marker.colorscale[0][1].upper() in ("#FFFFFF", "RGB(255, 255, 255)")  # ... which is white
    assert h.marker.colorbar.ticktext[0] == LABELS["zero"]
    summed = data_of(cell, 40, truncate=10, loss="sum")
    ends = np.isin(summed["steps"], [9, 19, 29])
    np.testing.assert_allclose(summed["dh"][ends], 1.0, rtol=1e-12)  # its own unit loss term, nothing from after the cut


# --------------------------------------------------------------------------
# Long sequences
# --------------------------------------------------------------------------
def test_every_step_up_to_60_and_a_subset_beyond():
    assert list(data_of("rnn", 60)["steps"]) == list(range(60))
    assert len(data_of("rnn", 60)["hidden"]) == 0
    d = data_of("rnn", 61)
    assert len(d["steps"]) < 61 and len(d["hidden"]) > 0


@pytest.mark.parametrize("cell", CELLS)
def test_500_steps_stay_legible(cell):
    d = data_of(cell, 500)
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    for lane in ("h", "c") if cell == "lstm" else ("h",):
        assert len(trace(fig, f"{lane} base").x) <= 80
    assert len(d["steps"]) <= 80
    assert d["steps"][0] == 0 and d["steps"][-1] == 499
    hidden = d["hidden"]
    assert len(hidden) >= 1
    # drawn steps and hidden ranges tile 0..T-1 exactly
    covered = sorted(d["steps"].tolist() + [t for lo, hi in hidden for t in range(lo, hi + 1)])
    assert covered == list(range(500))
    gaps = trace(fig, "gaps")
    n = hidden[:, 1] - hidden[:, 0] + 1
    assert [f"+{k}" for k in n] == list(gaps.text[-len(hidden):])  # the ellipses say how many steps they hide
    assert LABELS["x_hidden"].format(n=int(n.sum()), T=500) in fig.layout.xaxis.title.text


def test_many_cuts_are_summarised_not_drawn():
    d = data_of("rnn", 500, truncate=5)
    assert len(d["cuts"]) == 99 and len(d["steps"]) <= 80
    assert set(d["cuts_drawn"]) <= set(d["cuts"])
    assert int(d["hidden_cuts"].sum()) + len(d["cuts_drawn"]) == 99  # every cut is drawn or in an ellipsis


# --------------------------------------------------------------------------
# The animation
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("T", [30, 100])
def test_frames_reveal_the_wave_one_step_back_per_frame(cell, T):
    d = data_of(cell, T)
    N = len(d["steps"])
    assert N == T if T <= 60 else N < T
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    assert len(fig.frames) == N
    lanes = ("h", "c") if cell == "lstm" else ("h",)
    idx = [i for i, t in enumerate(fig.data) if t.meta in lanes + ("readout",)]
    for k, fr in enumerate(fig.frames):
        assert list(fr.traces) == idx  # a frame updates the coloured nodes and the readout only
        assert fr.layout is None or not fr.layout.to_plotly_json()
        for lane, upd in zip(lanes, fr.data):
            shown = np.asarray(upd.customdata)[:, 0]
            assert list(shown) == list(d["steps"][N - 1 - k:])  # exactly the k + 1 latest drawn steps
            assert len(upd.x) == len(upd.marker.color) == k + 1
        front = int(d["steps"][N - 1 - k])
        assert fr.data[-1].text[0] == readout_text(d, N - 1 - k, LABELS)
        assert f"t = {front}:" in fr.data[-1].text[0]
    assert int(d["steps"][N - 1]) == T - 1 and int(d["steps"][0]) == 0  # from the last step to the first
    (menu,) = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == [LABELS["play"], LABELS["pause"]]
    assert menu.buttons[0].args[0] is None and menu.buttons[0].args[1]["frame"]["redraw"] is False
    (slider,) = fig.layout.sliders
    assert [list(s.args[0]) for s in slider.steps] == [[str(k)] for k in range(N)]
    assert slider.active == N - 1  # by default every drawn step is lit


def test_frame_argument_and_static_figure():
    d = data_of("lstm", 100)
    N = len(d["steps"])
    fig = plots.fig_unrolled_graph(d, frame=5, labels=LABELS)
    assert fig.layout.sliders[0].active == 5
    assert len(trace(fig, "h").x) == len(trace(fig, "c").x) == 6
    assert trace(fig, "readout").text[0] == readout_text(d, N - 6, LABELS)
    assert plots.fig_unrolled_graph(d, frame=10 ** 6).layout.sliders[0].active == N - 1  # clamped
    still = plots.fig_unrolled_graph(d, animate=False, labels=LABELS)
    assert not still.frames and not still.layout.sliders and not still.layout.updatemenus
    assert len(trace(still, "h").x) == N


@pytest.mark.parametrize("loss", ["last", "sum"])
def test_loss_nodes_follow_the_loss(loss):
    d = data_of("gru", 100, loss=loss)
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    nodes = trace(fig, "loss")
    if loss == "last":
        assert list(d["loss_steps"]) == [99] and len(nodes.x) == 1
        assert nodes.x[0] == trace(fig, "h base").x[-1]
    else:
        assert list(d["loss_steps"]) == list(d["steps"]) and len(nodes.x) == len(d["steps"])


@pytest.mark.parametrize("T", [100, 500])
def test_payload_size(T, capsys):
    sizes = {}
    for cell in CELLS:
        fig = plots.fig_unrolled_graph(data_of(cell, T, truncate=T // 4, loss="sum"), labels=LABELS)
        sizes[cell] = len(fig.to_json())
        assert sizes[cell] < 1_500_000
    with capsys.disabled():
        print(f"\nunrolled graph JSON, T={T}: " + ", ".join(f"{c} {n / 1e3:.0f} kB" for c, n in sizes.items()))


# --------------------------------------------------------------------------
# Labels, presentation mode, arguments
# --------------------------------------------------------------------------
def test_labels_and_presentation_mode():
    d = data_of("lstm", 40, truncate=10)
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    assert fig.layout.title.text == LABELS["title"]
    assert list(fig.layout.yaxis.ticktext) == [LABELS["lane_x"], LABELS["lane_c"], LABELS["lane_h"],
                                                LABELS["lane_loss"]]
    assert fig.layout.xaxis.title.text == LABELS["x"]
    assert LABELS["edge_state"] in fig.layout.legend.title.text and LABELS["edge_c"] in fig.layout.legend.title.text
    assert trace(fig, "h").marker.colorbar.title.text.startswith(LABELS["z_c"].split(" (")[0])
    big = plots.fig_unrolled_graph(d, present=True)
    assert big.layout.font.size > fig.layout.font.size and big.layout.height > fig.layout.height
    assert trace(big, "h").marker.size > trace(fig, "h").marker.size


def test_graph_texts_exist_in_both_languages():
    keys = [k for k in i18n.TABLES["graph"]]
    assert "cap.graph" in keys and "how.graph" in keys
    assert all(k.startswith(("fig.graph.", "cap.graph", "how.graph")) for k in keys)
    for lang in i18n.LANGS:
        labels = {k[len("fig.graph."):]: i18n.t(k, lang) for k in keys if k.startswith("fig.graph.")}
        fig = plots.fig_unrolled_graph(data_of("rnn", 30), labels=labels)
        assert fig.layout.title.text == labels["title"]
    assert "W_hᵀ(∂L/∂h_t ⊙ (1 − h_t²))" in i18n.t("how.graph", "en")
    assert "60" in i18n.t("cap.graph", "en")  # the threshold the caption states is graph_data's default
    assert graph_data.__defaults__[0] == 60


def test_bad_arguments():
    _, params, flow = flow_of("rnn", 30)
    with pytest.raises(ValueError, match="loss"):
        graph_data(flow, params, "mean")
    with pytest.raises(ValueError, match="Flow"):
        graph_data({"dh": 1}, params, "last")
    with pytest.raises(ValueError, match="max_full"):
        graph_data(flow, params, "last", max_full=2)


def test_above_the_jacobian_budget_the_edges_are_drawn_without_norms(monkeypatch):
    from gradflow.experiments import graph as exp_graph
    monkeypatch.setattr(exp_graph, "JAC_BUDGET", 0)
    _, params, flow = flow_of("lstm", 30)
    d = exp_graph.graph_data(flow, params, "last")
    assert d["jac"] is None and d["prod"] is None
    assert np.array_equal(d["dh"], flow.dh_norm[:, 0])  # the nodes need no Jacobian
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    assert [t.name for t in traces(fig, "edges h")] == [LABELS["edge_none"]]
    assert trace(fig, "readout").text[0] == LABELS["readout_noprod"].format(t=0, dh=f"{d['dh'][0]:.3g}") + \
        LABELS["readout_c"].format(dc=f"{d['dc'][0]:.3g}")


def test_width_bins_include_their_lower_edge():
    from gradflow.plots.graph import _bin
    assert list(_bin([0.49, 0.5, 0.9, 1.1, 2.0, np.inf, np.nan])) == [0, 1, 2, 3, 4, 4, 4]



# --------------------------------------------------------------------------
# A bidirectional layer: both chains, the loss at p
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def bidir_of(cell, T, p, H=16):
    s = FlowSettings(cell=cell, T=T, H=H)
    bf = run_bidir(s, p)
    fwd, bwd = bidir_build(s)
    return s, bf, fwd.params, bwd.params, graph_data_bidir(bf, fwd.params, bwd.params)


BIDIR_CASES = [(c, T, p) for c in CELLS for T, p in ((30, 15), (30, 0), (30, 29), (100, 20), (500, 250))]


def test_run_bidir_builds_the_same_problem_and_a_second_chain_with_the_next_seed():
    s, bf, fwd, bwd, _ = bidir_of("lstm", 30, 15)
    params, flow = run(s)
    np.testing.assert_array_equal(bf.forward.xs, build(s).xs)  # the same inputs ...
    for k, v in params.items():
        np.testing.assert_array_equal(fwd[k], v)  # ... and the forward chain's weights are build(s)'s
        np.testing.assert_array_equal(bwd[k], build(replace(s, seed=s.seed + 1)).params[k])
        np.testing.assert_array_equal(bf.grads[k + "_l0"], bf.forward.grads[k])
    np.testing.assert_array_equal(bf.forward.hs, flow.hs)  # the same forward states as the curve's run
    up = bptt.make_upstream(1, 1, 2 * s.H, "last", s.seed)[0]  # a unit vector of size 2H, from the seed
    np.testing.assert_array_equal(bf.upstream[15], up)
    assert np.count_nonzero(np.abs(bf.upstream).sum(axis=2)) == 1  # the loss at p only
    with pytest.raises(ValueError, match="random weights"):
        run_bidir(replace(s, weights="trained", sentence=(1, 2, 3)), 1)


@pytest.mark.parametrize("cell,T,p", BIDIR_CASES)
def test_bidir_node_values_are_each_chains_norms_exactly(cell, T, p):
    _, bf, _, _, d = bidir_of(cell, T, p)
    assert set(d) == set(BIDIR_KEYS) and d["position"] == p and d["bidir"] is True
    steps = d["steps"]
    lanes = bidir.graph_lanes(bf, b=0)
    assert np.array_equal(d["dh_f"], bf.forward.dh_norm[steps, 0])  # the same floats, not close ones
    assert np.array_equal(d["dh_b"], bf.backward.dh_norm[steps, 0])
    assert np.array_equal(d["dh_f"], lanes["fwd_dh_norm"][steps]) and np.array_equal(d["dh_b"], lanes["bwd_dh_norm"][steps])
    if cell == "lstm":
        assert np.array_equal(d["dc_f"], bf.forward.dc_norm[steps, 0])
        assert np.array_equal(d["dc_b"], bf.backward.dc_norm[steps, 0])
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    for lane, want in (("f", d["dh_f"]), ("b", d["dh_b"])):
        cd = np.concatenate([np.asarray(trace(fig, lane).customdata), np.asarray(trace(fig, f"{lane} zero").customdata)
                             .reshape(-1, 2)])
        order = np.argsort(cd[:, 0])
        assert np.array_equal(cd[order, 0], steps)  # every drawn step once: lit or never reached
        assert np.array_equal(cd[order, 1], want)  # hover shows the chain's own values
        lit = np.asarray(trace(fig, lane).customdata)[:, 1]
        np.testing.assert_array_equal(trace(fig, lane).marker.color, np.log10(lit))  # colour = log10 of the norm


@pytest.mark.parametrize("cell,T,p", BIDIR_CASES)
def test_bidir_each_chain_is_exactly_zero_on_the_side_it_never_reaches(cell, T, p):
    _, bf, _, _, d = bidir_of(cell, T, p)
    steps = d["steps"]
    assert np.all(d["dh_f"][steps > p] == 0) and np.all(d["dh_f"][steps <= p] > 0)
    assert np.all(d["dh_b"][steps < p] == 0) and np.all(d["dh_b"][steps >= p] > 0)
    assert np.all(bf.forward.dh_norm[p + 1:] == 0) and np.all(bf.backward.dh_norm[:p] == 0)  # every step, drawn or not
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    slots = np.asarray(trace(fig, "f base").x)
    for lane, never in (("f", steps > p), ("b", steps < p)):
        z = trace(fig, f"{lane} zero")
        assert list(z.x) == list(slots[never])
        assert np.all(np.asarray(z.marker.color) == z.marker.cmin)  # at the foot of the colour bar ...
        assert z.marker.cmin == trace(fig, lane).marker.cmin
    bar = trace(fig, "f").marker
    assert bar.colorscale[0][1].upper() in ("#FFFFFF", "RGB(255, 255, 255)")  # ... which is white
    assert bar.colorbar.ticktext[0] == LABELS["zero"] == "0: no gradient"


@pytest.mark.parametrize("cell", CELLS)
def test_bidir_edges_carry_each_chains_step_jacobian_and_point_its_way(cell):
    _, bf, fwd, bwd, d = bidir_of(cell, 30, 12)
    T = 30
    nf = jacobians.state_jacobian_norms(bf.forward, fwd)[:, 0]
    np.testing.assert_array_equal(d["jac_f"], nf[d["edges_f"]])
    assert list(d["edges_f"]) == list(range(1, T)) and list(d["edges_b"]) == list(range(0, T - 1))
    if cell == "rnn":  # independently: ∂h_t^←/∂h_{t+1}^← = diag(1 − (h_t^←)²) W_hh of the backward chain
        want = [np.linalg.norm((1 - bf.backward.hs[t, 0] ** 2)[:, None] * bwd["weight_hh"], 2) for t in d["edges_b"]]
        np.testing.assert_allclose(d["jac_b"], want, rtol=1e-10)
    else:
        nb = jacobians.state_jacobian_norms(bf.backward_chain, bwd)[:, 0]
        np.testing.assert_array_equal(d["jac_b"], nb[T - 1 - d["edges_b"]])
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    for lane, sign, symbol in (("f", 1, "triangle-right"), ("b", -1, "triangle-left")):
        x0 = [x for tr in traces(fig, f"edges {lane}") for x in tr.x[0::3]]
        x1 = [x for tr in traces(fig, f"edges {lane}") for x in tr.x[1::3]]
        assert len(x0) == T - 1 and all(sign * (b - a) == 1 for a, b in zip(x0, x1))  # from the previous state
        assert trace(fig, f"arrows {lane}").marker.symbol == symbol


@pytest.mark.parametrize("cell,T,p", BIDIR_CASES)
def test_bidir_frames_spread_the_wave_from_p_both_ways(cell, T, p):
    _, _, _, _, d = bidir_of(cell, T, p)
    steps, N = d["steps"], len(d["steps"])
    ip = int(np.flatnonzero(steps == p)[0])
    K = max(ip, N - 1 - ip) + 1
    fig = plots.fig_unrolled_graph(d, labels=LABELS)
    assert len(fig.frames) == K and fig.layout.sliders[0].active == K - 1  # by default every step lit
    idx = [i for i, t in enumerate(fig.data) if t.meta in ("f", "b", "readout")]
    for k, fr in enumerate(fig.frames):
        assert list(fr.traces) == idx
        near = np.abs(np.arange(N) - ip) <= k  # drawn steps within k of p ...
        f, b = (list(np.asarray(u.customdata)[:, 0]) for u in fr.data[:2])
        assert f == list(steps[near & (steps <= p)])  # ... on the side each chain reaches
        assert b == list(steps[near & (steps >= p)])
        assert fr.data[-1].text[0] == readout_bidir(d, k, LABELS)
        assert f"t = {int(f[0])}:" in fr.data[-1].text[0] and f"t = {int(b[-1])}:" in fr.data[-1].text[0]
        assert [list(a) for a in bidir_lit(d, k)] == [list(np.flatnonzero(near & (steps <= p))),
                                                      list(np.flatnonzero(near & (steps >= p)))]
    assert [list(s.args[0]) for s in fig.layout.sliders[0].steps] == [[str(k)] for k in range(K)]
    still = plots.fig_unrolled_graph(d, frame=0, animate=False, labels=LABELS)
    assert not still.frames and list(trace(still, "f").customdata[:, 0]) == [p] == list(trace(still, "b").customdata[:, 0])
    loss = trace(fig, "loss")
    assert list(loss.x) == [trace(fig, "f base").x[ip]] and list(loss.customdata) == [p]
    links = trace(fig, "loss links")  # from the loss to h←_p and to h→_p
    ends = [(x, y) for x, y in zip(links.x, links.y) if x is not None]
    assert (loss.x[0], 2.0) in ends and (loss.x[0], 1.0) in ends


def test_bidir_long_sequences_are_thinned_around_p():
    d = bidir_of("gru", 500, 250)[4]
    steps = list(d["steps"])
    assert len(steps) <= 60 and steps[0] == 0 and steps[-1] == 499
    assert set(range(235, 266)) <= set(steps)  # dense where the wave starts
    covered = sorted(steps + [t for lo, hi in d["hidden"] for t in range(lo, hi + 1)])
    assert covered == list(range(500))


def test_bidir_labels_title_and_bad_arguments():
    d = bidir_of("lstm", 30, 15)[4]
    for lang in i18n.LANGS:
        labels = {k[len("fig.graph."):]: i18n.t(k, lang) for k in i18n.TABLES["graph"] if k.startswith("fig.graph.")}
        fig = plots.fig_unrolled_graph(d, labels=labels)
        assert fig.layout.title.text == labels["title_bidir"].format(p=15)
        assert list(fig.layout.yaxis.ticktext) == [labels[k] for k in ("lane_x", "lane_f", "lane_b", "lane_loss_p")]
        assert fig.layout.legend.title.text == labels["edge_bidir_state"]
    _, bf, fwd, bwd, _ = bidir_of("rnn", 30, 15)
    with pytest.raises(ValueError, match="BiFlow"):
        graph_data_bidir(bf.forward, fwd, bwd)
    summed = bidir.gradient_flow("rnn", bidir.join(fwd, bwd), bf.forward.xs, mode="sum", rng=0)
    with pytest.raises(ValueError, match="one position"):
        graph_data_bidir(summed, fwd, bwd)
    with pytest.raises(ValueError, match="max_full"):
        graph_data_bidir(bf, fwd, bwd, max_full=2)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("T,pos", [(30, 15), (30, -1), (61, 3), (200, 199)])
def test_cap_graph_bidir_the_gradient_reaches_the_forward_chain_up_to_p_and_the_backward_from_p(cell, T, pos):
    """The caption's one claim, on the data the page draws (cache.graph_bidir calls graph_bidir)."""
    en = i18n.t("cap.graph_bidir", "en")
    assert "t ≤ p" in en and "t ≥ p" in en and "exactly 0" in en and LABELS["zero"] in en
    d = graph_bidir(FlowSettings(cell=cell, T=T, H=16), pos)
    p = T // 2 if pos == -1 else pos
    assert d["position"] == p
    steps = d["steps"]
    assert np.all(d["dh_f"][steps <= p] > 0) and np.all(d["dh_f"][steps > p] == 0)
    assert np.all(d["dh_b"][steps >= p] > 0) and np.all(d["dh_b"][steps < p] == 0)


def test_page1_draws_the_bidirectional_graph_from_a_link():
    from gradflow.presets import PAGE_VANISHING
    from test_app import figures, ok, open_page

    query = {"view": "Unrolled graph", "cells": "RNN", "T": "30", "frame": "3"}
    at = open_page(PAGE_VANISHING, {**query, "bidir": "true", "pos": "15"})
    ok(at)
    graph = figures(at)[0]
    assert graph["layout"]["title"]["text"] == "RNN · " + LABELS["title_bidir"].format(p=15)
    assert graph["layout"]["sliders"][0]["active"] == 3 and len(graph["frames"]) == 16  # frame 15 reaches t = 0
    assert at.toggle(key="bidir").value is True and at.number_input(key="pos").value == 15
    assert not at.number_input(key="pos").disabled
    assert i18n.t("cap.graph_bidir", "en") in [c.value for c in at.caption]
    at.toggle(key="bidir").set_value(False).run()  # back to the one-directional graph
    ok(at)
    assert figures(at)[0]["layout"]["title"]["text"] == "RNN · " + LABELS["title"]
    assert at.number_input(key="pos").disabled
    trained = open_page(PAGE_VANISHING, {**query, "bidir": "true", "weights": "trained"})
    ok(trained)
    if any(i.value == i18n.t("cap.graph_bidir_trained", "en") for i in trained.info):  # the models are shipped
        assert figures(trained)[0]["layout"]["title"]["text"].endswith(LABELS["title"])
