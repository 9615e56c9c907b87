"""Every claim the app makes is a test: each preset's description and each caption that states a
fact about its chart, asserted on that chart's own computed data (the same calls the page makes).

Thresholds are what a student reads in the words: "explodes" ≥ 1e3, "vanishes" ≤ 1e-3, "stays
alive" within a factor 10, "grows first" above its start before it falls. When a claim fails,
the setting or the words change, never the threshold.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradflow import i18n, jacobians
from gradflow.experiments import clipping as exp_clip
from gradflow.experiments.clipping import CLIFF_B, CLIFF_W
from gradflow.experiments.flow import FlowSettings, build, home_curves, run, spectrum, summarize, theory
from gradflow.experiments.vanishing import VanishingSettings
from gradflow.page_params import VANISHING
from gradflow.experiments.graph import graph_data
from gradflow.presets import by_name

DEFAULTS = {p.key: p.default for p in VANISHING}


def preset_runs(name: str) -> dict:
    """cell -> (settings, params, Flow, summary) of a page-1 preset, built as the page builds it."""
    values = {**DEFAULTS, **by_name(name).values}
    s = VanishingSettings.from_widgets(values)
    out = {}
    for c in s.cells:
        fs = s.for_cell(c, s.T, s.H)
        params, flow = run(fs)
        out[c] = (fs, params, flow, summarize(fs, flow))
    return out


def back_ratio(flow) -> float:
    """‖∂L/∂h_0‖ / ‖∂L/∂h_{T−1}‖."""
    return float(flow.dh_norm[0, 0] / flow.dh_norm[-1, 0])


def test_home_caption_the_rnn_fades_fastest_and_the_gated_cells_keep_over_1000_times_more():
    assert "1000" in i18n.t("cap.home", "en")
    curves = home_curves()
    start = {c: curves[c][0] / curves[c][-1] for c in curves}
    assert start["lstm"] >= 1e3 * start["rnn"] and start["gru"] >= 1e3 * start["rnn"]
    for t in range(len(curves["rnn"]) - 20):  # "fades fastest": below both gated cells all the way back
        assert curves["rnn"][t] < curves["lstm"][t] and curves["rnn"][t] < curves["gru"][t]


def test_rnn_vanishing_falls_at_least_as_fast_as_0_9_to_the_k_and_below_1e_3():
    fs, _, flow, summ = preset_runs("rnn_vanishing")["rnn"]
    k = np.arange(fs.T - 1, -1, -1)
    assert np.all(summ["dh"] <= 0.9 ** k * summ["dh"][-1] * (1 + 1e-9))
    assert back_ratio(flow) <= 1e-3


def test_rnn_exploding_explodes_yet_stays_far_below_rho_to_the_k():
    fs, _, flow, _ = preset_runs("rnn_exploding")["rnn"]
    assert fs.rho == 2.0 and "ρ = 2" in i18n.t("preset.rnn_exploding", "en")
    assert back_ratio(flow) >= 1e3
    assert back_ratio(flow) <= 1e-6 * fs.rho ** (fs.T - 1)


def test_lstm_cell_path_stays_alive_although_prod_f_falls():
    fs, _, flow, summ = preset_runs("lstm_cell_path")["lstm"]
    assert fs.T == 200 and fs.forget_bias == 3.0
    assert np.min(summ["dc"] / summ["dc"][-1]) >= 0.1
    assert summ["prodf"][0] < 1e-3
    split = jacobians.lstm_cell_path_split(flow)  # "c is fed through h at every step": the injected part
    assert np.all(split["injected_norm"][:-1, 0] > 0)


def test_gru_vs_lstm_both_vanish_and_the_lstm_keeps_over_1000_times_more():
    runs = preset_runs("gru_vs_lstm")
    lstm, gru = back_ratio(runs["lstm"][2]), back_ratio(runs["gru"][2])
    assert runs["lstm"][0].T == 200 and runs["lstm"][0].forget_bias == 1.0 == runs["gru"][0].forget_bias
    assert lstm <= 1e-3 and gru <= 1e-3
    assert lstm >= 1e3 * gru


def test_nonnormal_gradient_grows_first_then_decays():
    fs, params, flow, summ = preset_runs("nonnormal")["rnn"]
    back = summ["dh"][::-1] / summ["dh"][-1]  # index k: steps back from the loss
    peak = int(np.argmax(back))
    assert peak > 0 and 1.5 <= back[peak] <= 3.0  # "first grows (about 2×)"
    assert back[-1] < 1.0  # "before ρ^k wins"
    spec = spectrum(fs, params)
    assert spec["sigma_max"] > fs.rho  # "because σ_max > ρ"
    assert spec["rho_meas"] == pytest.approx(0.9, rel=1e-6)


def test_saturation_median_derivative_below_0_1_and_vanishing_a_million_times_more():
    fs, _, flow, _ = preset_runs("saturation")["rnn"]
    assert fs.input_scale == 5.0
    assert np.median(1 - flow.hs[:, 0] ** 2) < 0.1
    _, plain = run(FlowSettings(cell="rnn", rho=fs.rho, T=fs.T, H=fs.H, input_scale=1.0, forget_bias=0.0))
    assert back_ratio(flow) <= 1e-6 * back_ratio(plain)


def test_truncated_no_gradient_crosses_a_window_boundary():
    runs = preset_runs("truncated")
    for c, (fs, _, flow, _) in runs.items():
        assert fs.truncate == 35 and fs.loss == "sum"
        up = build(fs).upstream  # the loss gradients of the same build
        for end in range(34, fs.T - 1, 35):  # last step of each window: its own loss gradient only
            np.testing.assert_array_equal(flow.dh[end], up[end], err_msg=f"{c} t={end}")
            assert np.linalg.norm(flow.dh[end - 1]) > np.linalg.norm(up[end - 1])  # inside a window it does


def test_pascanu_cliff_plain_step_flies_off_the_clipped_ones_stay_short():
    v = by_name("pascanu_cliff").values
    plain, clipped = exp_clip.cliff_paths(exp_clip.CliffSettings(w0=v["w0"], b0=v["b0"], clip=v["cthr"]))
    lr = exp_clip.CliffSettings().lr
    jp = np.linalg.norm(np.diff(plain.params, axis=0), axis=1)
    jc = np.linalg.norm(np.diff(clipped.params, axis=0), axis=1)
    assert jp.max() >= 10 * jc.max()
    assert np.all(jc <= lr * v["cthr"] * (1 + 1e-9))
    w, b = plain.params[-1]
    assert not (CLIFF_W[0] <= w <= CLIFF_W[1] and CLIFF_B[0] <= b <= CLIFF_B[1])  # "leaves the drawn plane"
    assert clipped.loss[-1] < plain.loss[-1]


def test_clip_exploding_norm_clipping_keeps_the_direction():
    v = by_name("clip_exploding").values
    r = exp_clip.clip_case(exp_clip.ClipSettings(cell=v["cell"], rho=v["rho"], method=v["method"],
                                                 threshold=v["threshold"]))
    assert r["norm_before"] > 1.0 and r["clipped"]
    assert r["norm_after"] == pytest.approx(1.0, rel=1e-5)
    assert r["cosine"] == pytest.approx(1.0, abs=1e-12)


# ------------------------------------------------------------------ captions of page 1
GRID = [FlowSettings(cell=c, rho=rho, kind=kind, nonlinearity=nl, T=60, H=16, seed=seed, input_scale=sc)
        for c in ("rnn", "lstm", "gru") for rho in (0.5, 1.0, 2.0) for kind in ("orthogonal", "nonnormal")
        for nl in (("tanh", "relu", "linear") if c == "rnn" else ("tanh",)) for seed in (0, 1) for sc in (1.0, 3.0)]


@pytest.mark.parametrize("s", GRID, ids=lambda s: f"{s.cell}-{s.rho}-{s.kind}-{s.nonlinearity}-{s.seed}-{s.input_scale}")
def test_cap_curves_every_curve_stays_below_its_bound_and_rho_k_is_exact_where_drawn(s):
    params, flow = run(s)
    lines = theory(s, flow, params)
    if not flow.finite:
        assert lines == {}
        return
    dh = flow.dh_norm[:, 0]
    for key, line in lines.items():
        if key == "rho_exact":
            np.testing.assert_allclose(dh, line, rtol=1e-9)
        else:
            assert np.all(dh <= line * (1 + 1e-9)), key
    assert bool(lines) == (s.cell == "rnn")  # the RNN always gets one line; the gated cells' are on their tabs


def test_cap_pow_normal_matrices_follow_rho_k_non_normal_ones_grow_first():
    s = FlowSettings(cell="rnn", rho=0.9, T=30, H=32)
    normal = spectrum(s, run(s)[0])
    k = np.arange(len(normal["powers"]["RNN W"]))
    np.testing.assert_allclose(normal["powers"]["RNN W"], 0.9 ** k, rtol=1e-9)
    s = FlowSettings(cell="rnn", rho=0.9, T=30, kind="nonnormal")
    nn = spectrum(s, run(s)[0])["powers"]["RNN W"]
    assert np.all(nn[1:6] > 1.0)  # transient growth although ρ < 1


def test_cap_dw_vanished_steps_add_nothing_to_the_weight_gradient():
    _, _, flow, summ = preset_runs("rnn_vanishing")["rnn"]
    assert summ["dW"][:10].max() <= 1e-3 * summ["dW"].max()


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_cap_jac_the_running_product_bounds_the_gradient_from_t_back_to_s(cell):
    """The Jacobian tab: ‖∂L/∂state_s‖ ≤ ‖J_t ⋯ J_{s+1}‖ ‖∂L/∂state_t‖ for a loss at the last step (t = T−1)."""
    s = FlowSettings(cell=cell, T=30, H=12, rho=1.3, seed=2)
    params, flow = run(s)
    lam = np.linalg.norm(jacobians.state_gradients(flow)[:, 0], axis=1)  # (T,)
    running = jacobians.state_product_norms(flow, params, s.T - 1, k_max=s.T - 1)  # k = 1..T−1
    for k in range(1, s.T):
        assert lam[s.T - 1 - k] <= running[k - 1] * lam[-1] * (1 + 1e-9)


def test_bptt_wave_each_lit_node_holds_at_most_0_9_times_the_next():
    fs, params, flow, summ = preset_runs("bptt_wave")["rnn"]
    frame = by_name("bptt_wave").values["frame"]
    data = graph_data(flow, params, fs.loss)
    lit = data["steps"][len(data["steps"]) - 1 - frame:]  # frame k lights the k + 1 latest drawn steps
    assert len(lit) == frame + 1 and lit[-1] == fs.T - 1
    dh = summ["dh"]
    assert np.all(dh[lit[:-1]] <= 0.9 * dh[lit[1:]] * (1 + 1e-12))
    np.testing.assert_array_equal(data["dh"], dh[data["steps"]])  # the graph shows the curve's own numbers
