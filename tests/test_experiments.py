"""The experiment layer: one construction for the app, the CLI and the phase map."""

from __future__ import annotations

import numpy as np
import pytest

from gradflow import lm
from gradflow.__main__ import build_parser, flow_settings
from gradflow.experiments import clipping as exp_clip
from gradflow.experiments import gates as exp_gates
from gradflow.experiments.flow import (PHASE_RHOS, FlowSettings, build, largest_block_radius, phase_map, run,
                                       summarize, theory)
from gradflow.experiments.vanishing import VanishingSettings, capped_T, picked_point, run_sizes
from gradflow.spectral import gate_blocks, spectral_radius


def same_problem(a, b):
    assert a.params.keys() == b.params.keys()
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k], err_msg=k)
    np.testing.assert_array_equal(a.xs, b.xs)
    np.testing.assert_array_equal(a.upstream, b.upstream)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_app_and_the_cli_build_identical_arrays(cell):
    argv = ["flow", "--cell", cell, "-T", "40", "-H", "12", "--rho", "1.2", "--kind", "gaussian", "--seed", "3",
            "--input-scale", "2", "--truncate", "10", "--loss", "sum"]
    cli = flow_settings(build_parser().parse_args(argv))
    widgets = {"cells": [cell], "T": 40, "H": 12, "rho": 1.2, "kind": "gaussian", "seed": 3, "scale": 2.0,
               "trunc": 10, "loss": "sum", "view": "curves", "jstep": 5}
    app = VanishingSettings.from_widgets(widgets).for_cell(cell, 40, 12)
    assert cli == app
    same_problem(build(cli), build(app))
    np.testing.assert_array_equal(run(cli)[1].dh, run(app)[1].dh)


def test_widget_names_become_the_engines_field_names():
    s = VanishingSettings.from_widgets({"nonlin": "relu", "fbias": 1.5, "scale": 3, "trunc": 0, "sent": 7,
                                        "cells": ["gru", "rnn"], "view": "dw"})
    assert (s.nonlinearity, s.forget_bias, s.input_scale, s.truncate, s.sentence_index) == ("relu", 1.5, 3.0, None, 7)
    assert s.cells == ("rnn", "gru")  # in CELLS order, whatever order the pills were clicked
    f = s.for_cell("rnn", 10, 8)
    assert f.forget_bias == 0.0 and f.nonlinearity == "relu"  # the forget bias is the LSTM's only


@pytest.mark.parametrize("kind", ["orthogonal", "gaussian", "symmetric", "nonnormal"])
def test_rho_reaches_the_weights_in_one_place(kind):
    p = build(FlowSettings(cell="lstm", T=5, H=10, rho=0.7, kind=kind, seed=1))
    np.testing.assert_array_equal(p.params["weight_hh"], 0.7 * p.unit_hh)
    for block in gate_blocks(p.unit_hh):
        assert spectral_radius(block) == pytest.approx(1.0, rel=1e-9)
    assert p.own_radius == 1.0


def test_the_phase_map_is_the_same_experiment_at_every_radius():
    s = FlowSettings(cell="rnn", T=30, H=16, seed=4, input_scale=0.5)
    rhos, ks, Z, info = phase_map(s)
    for r in (3, 9, 14):  # ρ = 0.3, 0.9, 1.4
        dh = run(FlowSettings(cell="rnn", T=30, H=16, seed=4, input_scale=0.5, rho=float(rhos[r])))[1].dh_norm[:, 0]
        np.testing.assert_allclose(Z[:, r], np.log10(dh[::-1]), rtol=1e-10)
    assert info == {"T": 30, "H": 16} and ks.tolist() == list(range(30)) and np.array_equal(rhos, PHASE_RHOS)


def test_trained_weights_keep_their_spectrum_shape_at_the_chosen_radius():
    model = lm.init_model(lm.LMConfig(cell="gru", vocab_size=50, embed=6, hidden=8), seed=0)
    own = largest_block_radius(lm.model_recurrent_params(model, 0)["weight_hh"])
    p = build(FlowSettings(cell="gru", weights="trained", sentence=(1, 2, 3, 4), rho=0.5, seed=2), model)
    assert p.own_radius == pytest.approx(own)
    assert largest_block_radius(p.params["weight_hh"]) == pytest.approx(0.5, rel=1e-9)
    np.testing.assert_allclose(p.params["weight_hh"] * own / 0.5,
                               lm.model_recurrent_params(model, 0)["weight_hh"], rtol=1e-12)
    assert p.xs.shape == (4, 1, 6) and p.upstream.shape == (4, 1, 8)


def test_a_sentence_with_random_weights_uses_its_embeddings():
    model = lm.init_model(lm.LMConfig(cell="lstm", vocab_size=50, embed=6, hidden=8), seed=0)
    p = build(FlowSettings(cell="rnn", H=5, sentence=(3, 1, 4), input_scale=2.0), model)
    np.testing.assert_array_equal(p.xs[:, 0], 2.0 * lm.embed(model, [3, 1, 4]))
    with pytest.raises(ValueError, match="shipped PTB model"):
        build(FlowSettings(cell="rnn", sentence=(3, 1, 4)))
    with pytest.raises(ValueError, match="sentence"):
        build(FlowSettings(cell="rnn", weights="trained"), model)


@pytest.mark.parametrize("bad", [{"H": 2.5}, {"T": 0}, {"forget_bias": float("nan"), "cell": "lstm"},
                                 {"kind": "circulant"}, {"loss": "mean"}])
def test_bad_settings_are_named(bad):
    with pytest.raises(ValueError):
        build(FlowSettings(**{"cell": "rnn", "T": 5, "H": 4, **bad}))
    with pytest.raises(ValueError, match="unknown cell"):
        FlowSettings(cell="transformer")


def test_summaries_and_theory_of_a_linear_rnn():
    s = FlowSettings(cell="rnn", T=20, H=8, rho=0.8, nonlinearity="linear")
    params, flow = run(s)
    summ = summarize(s, flow)
    th = theory(s, flow, params)
    # Orthogonal W scaled by ρ: ‖∂L/∂h_t‖ = ρ^(T-1-t) ‖∂L/∂h_{T-1}‖ exactly, the ρ^k line.
    assert list(th) == ["rho_exact"]
    np.testing.assert_allclose(summ["dh"], th["rho_exact"], rtol=1e-12)
    assert summ["rate"] == pytest.approx(0.8, rel=1e-9)
    assert theory(FlowSettings(cell="rnn", T=20, H=8, loss="sum"), *run(FlowSettings(cell="rnn", T=20, H=8,
                                                                                       loss="sum"))[::-1]) == {}


def test_run_sizes_cap_T_by_the_budget():
    s = VanishingSettings(T=500, H=512)
    T, H_of = run_sizes(s, ("rnn", "lstm"), 0, {})
    assert T == capped_T(500, 512, 2) < 500 and H_of == {"rnn": 512, "lstm": 512}
    T, H_of = run_sizes(VanishingSettings(weights="trained"), ("lstm",), 12, {"lstm": 200})
    assert (T, H_of) == (12, {"lstm": 200})


def test_clip_case_clips_to_the_threshold():
    r = exp_clip.clip_case(exp_clip.ClipSettings(cell="rnn", rho=2.5, T=30, H=16, threshold=1.0))
    assert r["clipped"] and r["norm_before"] > 1.0
    assert r["norm_after"] == pytest.approx(1.0, rel=1e-5)
    assert r["cosine"] == pytest.approx(1.0)


def test_histogram_stats_and_cliff_paths():
    st = exp_clip.histogram_stats(np.array([1.0, 2.0, np.inf, 3.0]), 1.5)
    assert (st["n"], st["mean"], st["frac"]) == (4, 2.0, pytest.approx(2 / 3))
    plain, clipped = exp_clip.cliff_paths(exp_clip.CliffSettings(steps=5))
    assert np.all(clipped.grad_norm[clipped.clipped] > 1.0 - 1e-6)


def test_unit_selection_and_saturation():
    hs = np.zeros((5, 6))
    hs[:, 4] = np.arange(5)
    hs[:, 1] = 0.1 * np.arange(5)
    u, notes = exp_gates.select_units(hs, exp_gates.UnitChoice("top", 2))
    assert u.tolist() == [1, 4] and notes == []
    u, notes = exp_gates.select_units(hs, exp_gates.UnitChoice("index", 4, first=5))
    assert u.tolist() == [2, 3, 4, 5] and notes[0][0] == "page3.first_clamped"
    sat = exp_gates.saturation({"f": np.array([0.05, 0.5, 0.95, 0.99]), "g": np.array([-0.95, 0.0])})
    assert sat == {"f": (0.25, 0.5), "g": (0.5, 0.0)}


@pytest.mark.parametrize("x", [-5, 600, 100, 1e300, float("nan"), float("inf"), True, "3", None, 2.5])
def test_a_forged_chart_click_outside_the_drawn_steps_is_ignored(x):
    assert picked_point({"selection": {"points": [{"x": x, "curve_number": 0}]}}, T=100) is None


def test_a_chart_click_gives_its_step_and_curve():
    assert picked_point({"selection": {"points": [{"x": 42, "curve_number": 2}]}}, T=100) == (42, 2)
    assert picked_point({"selection": {"points": [{"x": 0.0, "curve_number": "x"}]}}, T=100) == (0, None)
    for ev in (None, {}, {"selection": None}, {"selection": {"points": []}}, {"selection": {"points": ["a"]}}, "x"):
        assert picked_point(ev, T=100) is None
