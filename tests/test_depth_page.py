"""Page 5 (depth and memory): AppTest of every tab and preset, and every claim its presets and captions
make, asserted on the data the page draws (gradflow.experiments.depth, the calls the page makes).

Thresholds are what a student reads in the words (see tests/test_claims.py): "less than 10⁻³",
"more than a tenth", "about 5·10⁻³" (within a factor 2), "exactly 0".
"""

from __future__ import annotations

import base64
from dataclasses import replace

import numpy as np
import pytest

from gradflow import i18n, stack
from gradflow.experiments import depth as exp
from gradflow.page_params import DEPTH
from gradflow.presets import PAGE_DEPTH, PRESETS, by_name
from gradflow.urlstate import query_for
from test_app import figures, ok, open_page, set_every_numeric_widget

DEFAULTS = {p.key: p.default for p in DEPTH}
VIEWS = exp.VIEWS
DEPTH_PRESETS = [p for p in PRESETS if p.page == PAGE_DEPTH]


def array(v) -> np.ndarray:
    """A figure JSON array: a list (None for NaN) or plotly's typed array {"dtype", "bdata", "shape"}."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return a.reshape([int(n) for n in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.array([[np.nan if x is None else x for x in row] if isinstance(row, list) else
                     (np.nan if row is None else row) for row in v], dtype=float)


def show(view, lang="en", **query):
    return open_page(PAGE_DEPTH, {"view": i18n.t(f"opt.view.{view}", lang), "lang": lang, **query})


def preset_settings(name) -> exp.DepthSettings:
    return exp.DepthSettings.from_widgets({**DEFAULTS, **by_name(name).values})


# ------------------------------------------------------------------ the page runs
def test_default_run_has_no_exception_and_a_figure():
    at = open_page(PAGE_DEPTH)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.title[0].value == i18n.t("page5.title", "en")
    (fig,) = figures(at)
    assert [tr["type"] for tr in fig["data"]] == ["heatmap", "heatmap"]  # plain | residual by default


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("view", VIEWS)
def test_every_tab_opens_with_its_figures(view, lang):
    at = show(view, lang)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert len(figures(at)) == (2 if view == "teacher" else 1)
    if lang == "ko":
        assert at.title[0].value == i18n.t("page5.title", "ko")


@pytest.mark.parametrize("view", VIEWS)
def test_every_numeric_widget_takes_its_min_and_max(view):
    at = show(view)
    ok(at)
    set_every_numeric_widget(at, view)


@pytest.mark.parametrize("view,key", [("depth", "cell"), ("depth", "conn"), ("memory", "nonlin")])
def test_every_option_of_every_choice(view, key):
    at = show(view)
    for opt in at.segmented_control(key=key).options:
        at.segmented_control(key=key).set_value(opt).run()
        ok(at)
        assert figures(at)


def test_highway_bias_is_live_only_for_highway_and_none_draws_one_panel():
    at = show("depth")
    assert at.slider(key="hbias").disabled
    at.segmented_control(key="conn").set_value("highway").run()
    ok(at)
    assert not at.slider(key="hbias").disabled
    at.segmented_control(key="conn").set_value("none").run()
    ok(at)
    assert [tr["type"] for tr in figures(at)[0]["data"]] == ["heatmap"]


def test_no_variant_chosen_is_a_message_not_a_crash():
    at = show("variants")
    at.pills(key="vars").set_value([]).run()
    ok(at)
    assert any(i.value == i18n.t("page5.pick_variant", "en") for i in at.info)
    at.pills(key="vars").set_value(["coupled"]).run()
    ok(at)
    assert len(figures(at)[0]["data"]) == 2  # ‖∂L/∂h‖ and ‖∂L/∂c‖ of the coupled LSTM only


def test_bad_link_values_give_a_warning_and_the_default():
    at = open_page(PAGE_DEPTH, {"L": "99", "conn": "skip", "view": "nope"})
    ok(at)
    texts = " ".join(w.value for w in at.warning)
    assert "L" in texts and "conn" in texts and "view" in texts
    assert at.slider(key="L").value == 8 and at.segmented_control(key="conn").value == "residual"


# ------------------------------------------------------------------ presets
@pytest.mark.parametrize("preset", DEPTH_PRESETS, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_preset_applies(preset, lang):
    at = open_page(preset.page, query_for({**preset.values, "lang": lang}, None, lang))
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    for key, value in preset.values.items():
        if key != "view":
            got = at.get_by_key(key).value
            assert got == pytest.approx(value) if isinstance(value, float) else got == value, key
    assert figures(at)


def test_the_presets_are_the_engines_tested_settings():
    for name in ("depth_vanishing", "depth_residual"):
        engine = stack.preset_settings()[name]
        s = preset_settings(name)
        assert (s.cell, s.L, s.D, s.H, s.T, s.rho, s.kind, s.ih_scale, s.loss, s.seed) == tuple(
            engine[k] for k in ("cell", "L", "D", "H", "T", "rho", "kind", "ih_scale", "loss", "seed"))
    assert preset_settings("depth_vanishing").connection == "none"
    assert preset_settings("depth_residual").connection == "residual"


def test_depth_vanishing_the_bottom_layer_gets_less_than_1e_3_and_about_5e_3_at_pytorchs_scale():
    desc = i18n.t("preset.depth_vanishing.desc", "en")
    assert "8" in desc and "tanh" in desc and "10⁻³" in desc and "half PyTorch's default scale" in desc
    s = preset_settings("depth_vanishing")
    r = exp.depth_maps(s)
    assert r["with"] is None and r["finite"]["plain"]  # the plain stack alone
    assert r["ratio"]["plain"] < 1e-3
    ratio = r["plain"][0, -1] - r["plain"][-1, -1]  # the same from the drawn map: bottom-right against top-right
    assert 10 ** ratio == pytest.approx(r["ratio"]["plain"], rel=1e-9)
    assert "5·10⁻³" in desc  # "at PyTorch's own W_ih scale it keeps about 5·10⁻³: still vanishing"
    own = exp.depth_maps(replace(s, ih_scale=1.0))["ratio"]["plain"]
    assert 2.5e-3 <= own <= 1e-2


def test_depth_residual_the_bottom_layer_gets_more_than_a_tenth_with_the_same_weights():
    desc = i18n.t("preset.depth_residual.desc", "en")
    assert "more than a tenth" in desc and "same 8 layers and weights" in desc and "half PyTorch" in desc
    s = preset_settings("depth_residual")
    r = exp.depth_maps(s)
    assert r["ratio"]["plain"] < 1e-3 and r["ratio"]["with"] > 0.1
    plain, residual = exp.stack_flow(s, "none"), exp.stack_flow(s, "residual")  # "the same weights"
    p_plain = stack.random_problem(s.cell, s.L, s.D, s.H, s.T, s.seed, rho=s.rho, ih_scale=s.ih_scale)[0]
    p_res = stack.random_problem(s.cell, s.L, s.D, s.H, s.T, s.seed, rho=s.rho, ih_scale=s.ih_scale,
                                 connection="residual")[0]
    assert p_plain.keys() == p_res.keys() and all(np.array_equal(p_plain[k], p_res[k]) for k in p_plain)
    np.testing.assert_array_equal(plain.xs, residual.xs)


def test_the_page_shows_the_ratios_it_computed():
    at = open_page(PAGE_DEPTH, query_for(by_name("depth_residual").values, None, "en"))
    ok(at)
    r = exp.depth_maps(preset_settings("depth_residual"))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[i18n.t("page5.ratio_plain", "en")] == exp.format_ratio(r["ratio"]["plain"]) == "6.89×10⁻⁵"
    assert metrics[i18n.t("page5.ratio_with", "en", conn="residual")] == exp.format_ratio(r["ratio"]["with"]) == "1.37"
    (fig,) = figures(at)
    np.testing.assert_allclose(array(fig["data"][1]["z"]), r["with"], rtol=1e-12)


# ------------------------------------------------------------------ captions
@pytest.mark.parametrize("rho,fb", [(1.0, 1.0), (0.8, 0.0), (1.5, 3.0)])
def test_cap_variants_zero_peepholes_is_the_standard_lstm_and_coupled_ties_i_to_1_minus_f(rho, fb):
    assert "i = 1 − f" in i18n.t("cap.variants", "en")
    s = exp.VariantSettings(T=40, H=16, rho=rho, forget_bias=fb, seed=3)
    for key in ("dh", "dc"):  # peephole weights of zero: its lines lie on the standard's
        curves = exp.variant_curves(replace(s, zero_peepholes=True))[key]
        np.testing.assert_allclose(curves["peephole"], curves["standard"], rtol=1e-12, atol=1e-300)
        moved = exp.variant_curves(s)[key]  # with its own (nonzero) peepholes it differs
        assert not np.allclose(moved["peephole"], moved["standard"], rtol=1e-6)
    flows = exp.variant_flows(s)
    np.testing.assert_array_equal(flows["coupled"].gates["i"], 1 - flows["coupled"].gates["f"])
    params = exp.variant_params(s)  # "all three share the same weights": the standard's rows in each
    H = s.H
    for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        np.testing.assert_array_equal(params["peephole"][k], params["standard"][k])
        np.testing.assert_array_equal(params["coupled"][k], params["standard"][k][H:])
    assert set(params["peephole"]) - set(params["standard"]) == {"weight_ci", "weight_cf", "weight_co"}
    np.testing.assert_array_equal(flows["standard"].xs, flows["coupled"].xs)


def test_how_variants_names_the_parameters_the_variants_add():
    text = i18n.t("how.variants", "en")
    for name in ("weight_ci", "weight_cf", "weight_co", "(3H, D)", "(3H, H)"):
        assert name in text
    params = exp.variant_params(exp.VariantSettings(H=5))
    assert all(params["peephole"][k].shape == (5,) for k in ("weight_ci", "weight_cf", "weight_co"))
    assert params["coupled"]["weight_ih"].shape == (15, 5) and params["coupled"]["weight_hh"].shape == (15, 5)


MEMORY_GRID = [exp.MemorySettings(rho=rho, nonlinearity=nl, input_scale=sc, seed=seed, T=50, H=32)
               for rho in (0.3, 0.9, 0.99, 1.2) for nl in exp.MEMORY_NONLIN for sc in (0.2, 1.0, 3.0)
               for seed in (0, 1)]


@pytest.mark.parametrize("s", MEMORY_GRID, ids=lambda s: f"{s.rho}-{s.nonlinearity}-{s.input_scale}-{s.seed}")
def test_cap_memory_both_curves_on_or_under_rho_k_exact_for_the_linear_reservoir(s):
    cap = i18n.t("cap.memory", "en")
    assert "with the largest eigenvalue below 1, information fades exponentially, in the forward pass as in the " \
           "backward" in cap
    r = exp.memory_curves(s)
    assert r["finite"] and r["exact"] == (s.nonlinearity == "linear")
    for curve in (r["forward"], r["backward"]):
        if s.nonlinearity == "linear":  # "exactly ρ^k"
            np.testing.assert_allclose(curve, r["rho_k"], rtol=1e-9)
        else:  # "on or under ρ^k"; tanh "only makes them fall faster"
            assert np.all(curve <= r["rho_k"] * (1 + 1e-9))
    if s.rho < 1:  # "fades exponentially": under ρ^k, which falls by ρ each step
        assert np.all(r["rho_k"][1:] / r["rho_k"][:-1] == pytest.approx(s.rho))
        end = s.rho ** (s.T - 1) * (1 + 1e-9)
        assert r["forward"][-1] <= end and r["backward"][-1] <= end


def test_memory_info_shows_from_rho_1():
    assert not show("memory").info
    assert any(i.value == i18n.t("page5.rho_ge1", "en") for i in show("memory", erho="1.2").info)


def test_cap_cross_no_gradient_crosses_a_step_under_teacher_forcing_and_every_one_when_free():
    for s in (exp.TeacherSettings(), exp.TeacherSettings(steps=50, T=8, H=8, lr=0.5, seed=4)):
        r = exp.teacher_runs(s)
        below = np.tril_indices(s.T, -1)  # (t, s) with s < t
        above = np.triu_indices(s.T, 1)
        tf, free = r["cross"]["teacher"], r["cross"]["free"]
        assert np.all(tf[below] == 0) and np.all(np.diag(tf) > 0)  # "only the diagonal is coloured"
        assert np.all(r["dh_later_norm"]["teacher"] == 0)  # "no edge across steps"
        assert np.all(free[below] > 0)  # "the loss at step t reaches every earlier state"
        assert np.all(tf[above] == 0) and np.all(free[above] == 0)  # "a loss never reaches a later state"
        assert r["loss"]["teacher"].shape == r["free_loss"]["free"].shape == (s.steps,)
        np.testing.assert_array_equal(r["loss"]["free"], r["free_loss"]["free"])  # run free, its objective


def test_the_teacher_tab_draws_its_computed_cross_step_gradient():
    at = show("teacher")
    ok(at)
    cross, loss = figures(at)
    r = exp.teacher_runs(exp.TeacherSettings())
    with np.errstate(divide="ignore"):
        want = np.where(r["cross"]["teacher"] > 0, np.log10(r["cross"]["teacher"]), np.nan)
    np.testing.assert_allclose(array(cross["data"][0]["z"]), want, rtol=1e-12)
    assert [tr["line"]["dash"] for tr in loss["data"]] == ["solid", "dot", "solid"]  # "Dotted: … run free"


def test_the_teacher_runs_are_small():
    p = {p.key: p for p in DEPTH}
    assert p["tsteps"].hi <= 500 and p["tH"].hi <= 64 and p["tT"].hi <= 30
