"""AppTest of the home page and pages 1-2: defaults, widget extremes, URL state, presets, figures.

No server and no browser: streamlit.testing runs each page script in-process.
"""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gradflow import i18n
from gradflow.presets import PAGE_CLIPPING, PAGE_HOME, PAGE_VANISHING, PRESETS
from gradflow.urlstate import query_for

APP = Path(__file__).resolve().parent.parent / "app.py"
SHIPPED = [c for c in ("lstm", "gru", "rnn") if (APP.parent / "models" / f"{c}.npz").exists()]
needs_model = pytest.mark.skipif(not SHIPPED, reason="no trained PTB model in models/")
PAGES = (PAGE_HOME, PAGE_VANISHING, PAGE_CLIPPING)
TABS = {PAGE_VANISHING: ("graph", "curves", "dw", "paths", "spectrum", "phase", "inputs", "jacobian"),
        PAGE_CLIPPING: ("clip", "hist", "cliff")}


def open_page(page=PAGE_HOME, query=None) -> AppTest:
    """A new session that opens `page` with `query` in the URL (a shared link)."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    if page != PAGE_HOME:
        at.switch_page(page)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def show_tab(page, view, lang="en", **query):
    return open_page(page, {"view": i18n.t(f"opt.view.{view}", lang), **query})


@pytest.mark.parametrize("page", PAGES)
def test_default_run_has_no_exception_and_a_figure(page):
    at = open_page(page)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert figures(at)
    assert at.toggle(key="present").value is False and at.segmented_control(key="lang").value == "en"


@pytest.mark.parametrize("page,view", [(p, v) for p, vs in TABS.items() for v in vs])
def test_every_tab_opens(page, view):
    at = show_tab(page, view)
    ok(at)
    assert at.get_by_key("view") is not None


# (page, tab that shows the widgets, keys drawn only there or None for all numeric widgets)
NUMERIC = [(PAGE_VANISHING, "curves", None, {}), (PAGE_VANISHING, "jacobian", ("jstep",), {}),
           pytest.param(PAGE_VANISHING, "curves", ("sent",), {"inputs": "PTB sentence"}, marks=needs_model),
           (PAGE_CLIPPING, "clip", None, {}), (PAGE_CLIPPING, "cliff", ("w0", "b0", "lr", "csteps", "cthr"), {})]


def set_every_numeric_widget(at: AppTest, view: str, keys=None) -> None:
    """Each enabled slider and number input of the view at its min, its max and back: no exception, no error."""
    widgets = [w for w in (*at.slider, *at.number_input)
               if w.key and not w.disabled and (keys is None or w.key in keys)]
    assert widgets
    for w in widgets:
        for v in (w.min, w.max, w.value):
            at.get_by_key(w.key).set_value(v)
            at.run()
            assert not at.exception, (view, w.key, v, [e.message for e in at.exception])
            assert not at.error, (view, w.key, v, [e.value for e in at.error])


@pytest.mark.parametrize("page,view,keys,query", NUMERIC, ids=lambda x: str(x))
def test_every_numeric_widget_takes_its_min_and_max(page, view, keys, query):
    at = show_tab(page, view, **query)
    ok(at)
    set_every_numeric_widget(at, view, keys)


@pytest.mark.parametrize("page", (PAGE_VANISHING, PAGE_CLIPPING))
def test_every_option_of_every_choice_widget(page):
    at = open_page(page)
    for kind in ("segmented_control", "radio", "selectbox"):
        for w in list(getattr(at, kind)):
            if w.key in ("lang", "img"):
                continue
            default = w.value
            for opt in w.options:
                getattr(at, kind)(key=w.key).set_value(opt)
                at.run()
                assert not at.exception, (w.key, opt, [e.message for e in at.exception])
            getattr(at, kind)(key=w.key).set_value(default)
            at.run()


def test_page1_cells_empty_and_single_subset_and_extreme_pairs():
    at = open_page(PAGE_VANISHING, {"cells": "GRU"})
    ok(at)
    assert at.pills(key="cells").value == ["gru"]
    at.pills(key="cells").set_value([]).run()
    assert not at.exception and at.info  # "pick at least one cell"
    at = open_page(PAGE_VANISHING, {"T": "500", "H": "512", "rho": "3", "trunc": "1"})
    ok(at)
    assert any("T = " in i.value for i in at.info)  # the T × H × cells limit is stated
    at = open_page(PAGE_VANISHING, {"rho": "0", "nonlin": "linear", "view": "Step Jacobian", "jstep": "499"})
    ok(at)


def test_query_params_restore_state():
    q = {"cells": ["rnn", "gru"], "rho": "0.85", "kind": "nonnormal", "T": "150", "nonlin": "ReLU",
         "loss": "sum over steps", "trunc": "20", "seed": "7", "present": "true", "lang": "ko"}
    at = open_page(PAGE_VANISHING, q)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.pills(key="cells").value == ["rnn", "gru"]
    assert at.slider(key="rho").value == pytest.approx(0.85)
    assert at.selectbox(key="kind").value == "nonnormal"
    assert at.slider(key="T").value == 150 and at.slider(key="trunc").value == 20
    assert at.segmented_control(key="nonlin").value == "relu"
    assert at.segmented_control(key="loss").value == "sum"
    assert at.number_input(key="seed").value == 7
    assert at.toggle(key="present").value is True and at.segmented_control(key="lang").value == "ko"
    assert at.title[0].value == i18n.t("page1.title", "ko")
    at = open_page(PAGE_CLIPPING, {"method": "value", "threshold": "0.5", "view": "Pascanu's cliff", "w0": "3"})
    ok(at)
    assert at.segmented_control(key="method").value == "value"
    assert at.slider(key="threshold").value == pytest.approx(0.5)
    assert at.slider(key="w0").value == pytest.approx(3.0)


@pytest.mark.parametrize("preset", [p for p in PRESETS if p.page in PAGES], ids=lambda p: p.name)
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_preset_applies(preset, lang):
    q = query_for({**preset.values, "lang": lang}, None, lang)  # as the home page's links, plus ?lang=
    at = open_page(preset.page, q)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    for key, value in preset.values.items():
        if key == "view":
            continue
        widget = at.get_by_key(key)
        assert widget.value == pytest.approx(value) if isinstance(value, float) else widget.value == value, key
    assert figures(at)


@pytest.mark.parametrize("query,key", [
    ({"bogus": "1"}, "bogus"), ({"rho": "7"}, "rho"), ({"T": "abc"}, "T"), ({"kind": "fractal"}, "kind"),
    ({"cells": ["RNN", "transformer"]}, "cells"), ({"present": "maybe"}, "present"),
    ({"seed": "-5"}, "seed"), ({"lang": "fr"}, "lang"),
    ({"<script>alert(1)</script>": "<b>x</b>"}, "script"),
])
def test_invalid_query_values_give_a_visible_warning(query, key):
    at = open_page(PAGE_VANISHING, query)
    ok(at)
    texts = [w.value for w in at.warning]
    assert any(key in w for w in texts), texts
    assert all("<script>" not in w for w in texts)  # escaped, never raw HTML


def test_invalid_values_on_clipping_and_home():
    at = open_page(PAGE_CLIPPING, {"threshold": "1e9", "view": "nope"})
    ok(at)
    assert sum("threshold" in w.value or "view" in w.value for w in at.warning) == 2
    at = open_page(PAGE_HOME, {"x" * 500: "y" * 5000})
    ok(at)
    assert at.warning and len(at.warning[0].value) < 400


def test_hostile_custom_text_never_breaks_the_page():
    for text in ("", "   ", "<script>alert('x')</script> $x$ **bold** [a](javascript:1)", "word " * 3000,
                 "مرحبا 😀 ﷽ \u202e"):
        at = open_page(PAGE_VANISHING, {"inputs": "my text", "view": "Input attribution"})
        at.text_input(key="text").input(text).run()
        assert not at.exception, (text[:30], [e.message for e in at.exception])


def test_page1_figure_structure():
    at = open_page(PAGE_VANISHING)
    figs = figures(at)
    assert len(figs) == 1  # one figure a tab: a slider move redraws one chart
    graph = figs[0]  # the default view: the unrolled graph of the cell in focus, animated in the browser
    assert graph["frames"] and graph["layout"]["updatemenus"] and graph["layout"]["sliders"]
    assert graph["layout"]["title"]["text"].startswith("RNN")
    curve, dw = figures(show_tab(PAGE_VANISHING, "curves"))[0], figures(show_tab(PAGE_VANISHING, "dw"))[0]
    names = [tr["name"] for tr in curve["data"]]
    # + the RNN's bound, = ρ^k here (orthogonal W_h), drawn once; the gated cells' bounds are on their tabs
    assert names == ["RNN", "LSTM", "GRU", i18n.t("fig.curves.theory_pascanu_rho", "en", cell="RNN")]
    assert curve["layout"]["yaxis"]["type"] == "log"
    assert curve["layout"]["xaxis"]["title"]["text"] == i18n.t("fig.curves.x", "en")
    assert len(curve["data"][0]["y"]) == 100 or "bdata" in str(curve["data"][0]["y"])
    assert [tr["name"] for tr in dw["data"]] == ["RNN", "LSTM", "GRU"]
    at = show_tab(PAGE_VANISHING, "spectrum")
    eig = figures(at)[0]
    assert eig["layout"]["yaxis"]["scaleanchor"] == "x"
    assert sum(tr["mode"] == "markers" for tr in eig["data"]) == 1 + 4 + 3  # RNN W, LSTM i f g o, GRU r z n
    at = show_tab(PAGE_VANISHING, "phase")
    ph = figures(at)[0]
    assert sum(tr["type"] == "heatmap" for tr in ph["data"]) == 3
    at = show_tab(PAGE_VANISHING, "jacobian")
    jac = figures(at)[0]
    assert jac["data"][0]["type"] == "heatmap" and jac["layout"]["yaxis2"]["type"] == "log"


def test_page2_figure_structure_and_clipping_facts():
    at = open_page(PAGE_CLIPPING, {"rho": "2.5"})
    ok(at)
    bars = figures(at)[0]
    assert [tr["name"] for tr in bars["data"]] == [i18n.t("fig.pnorm.before", "en"), i18n.t("fig.pnorm.after", "en")]
    assert list(bars["data"][0]["x"]) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics[i18n.t("page2.norm_after", "en")]) == pytest.approx(1.0, rel=1e-3)
    assert float(metrics[i18n.t("page2.cosine", "en")]) == pytest.approx(1.0, abs=1e-6)
    at = show_tab(PAGE_CLIPPING, "cliff")
    cliff = figures(at)[0]
    assert cliff["data"][0]["type"] == "contour"
    assert {tr["name"] for tr in cliff["data"][1:3]} == {i18n.t("page2.path_plain", "en"),
                                                         i18n.t("page2.path_clipped", "en", c="1")}
    at = open_page(PAGE_CLIPPING, {"rho": "10", "T": "400", "nonlin": "linear", "method": "none"})
    assert any(i18n.t("page2.skipped", "en") in e.value for e in at.error)  # overflow: step skipped


def test_global_settings_survive_a_page_switch():
    at = open_page(PAGE_HOME, {"lang": "KO", "present": "true"})
    at.switch_page(PAGE_CLIPPING).run()
    ok(at)
    assert at.segmented_control(key="lang").value == "ko" and at.toggle(key="present").value is True
    assert at.title[0].value == i18n.t("page2.title", "ko")


@needs_model
def test_trained_weights_keep_each_cells_own_radius():
    at = open_page(PAGE_VANISHING, {"inputs": "PTB sentence", "sent": "3"})
    ok(at)
    at.segmented_control(key="weights").set_value("trained").run()
    ok(at)
    from gradflow import checkpoint
    from gradflow.experiments import shipped
    from gradflow.experiments.flow import build, largest_block_radius
    from gradflow.experiments.vanishing import VanishingSettings

    assert at.slider(key="rho").disabled and not at.slider(key="wscale").disabled
    assert at.slider(key="H").disabled and at.slider(key="T").disabled
    assert figures(at)
    note = " ".join(c.value for c in at.caption)
    s = VanishingSettings(weights="trained", weight_scale=1.0)
    for cell in SHIPPED:  # each cell runs at its own radius: nothing is rescaled to another cell's
        model = checkpoint.load(APP.parent / "models" / f"{cell}.npz")
        own = shipped.own_radius(model)
        assert f"{cell.upper()} {own:.3f}" in note
        p = build(s.for_cell(cell, 5, shipped.sizes(model)[1], (1, 2, 3, 4, 5), own), model)
        assert largest_block_radius(p.params["weight_hh"]) == pytest.approx(own, rel=1e-9)


def test_language_switch_keeps_the_settings():
    at = open_page(PAGE_VANISHING, {"kind": "symmetric", "cells": "LSTM"})
    at.segmented_control(key="lang").set_value("ko").run()
    ok(at)
    assert at.selectbox(key="kind").value == "symmetric" and at.pills(key="cells").value == ["lstm"]
    assert at.title[0].value == i18n.t("page1.title", "ko")


def test_settings_json_download_is_offered():
    at = open_page(PAGE_VANISHING)
    assert any(b.proto.label == i18n.t("ui.json", "en") for b in at.get("download_button"))


def test_jacobian_of_a_cell_that_is_not_drawn_says_which_it_shows():
    at = show_tab(PAGE_VANISHING, "jacobian", cells=["LSTM", "GRU"], jcell="RNN")  # the default cell: no note
    ok(at)
    assert not at.info, [i.value for i in at.info]
    assert "LSTM" in figures(at)[0]["layout"]["title"]["text"]
    at = show_tab(PAGE_VANISHING, "jacobian", cells=["RNN", "LSTM"], jcell="GRU")
    ok(at)
    assert [i.value for i in at.info] == [i18n.t("page1.jcell_missing", "en", cell="GRU", shown="RNN")]
    assert "RNN" in figures(at)[0]["layout"]["title"]["text"]


def test_home_page_reads_ptb_in_the_background():
    """The first page of a server starts one thread that fills data's split cache for the PTB pages."""
    import time

    from gradflow import data, warmup

    if not data.ptb_status()[0]:
        pytest.skip("the PTB data is not available")
    warmup.start.clear()  # as in a new server process
    data._load_split.cache_clear()
    ok(open_page())  # the home page itself reads no PTB
    deadline = time.monotonic() + 60
    while data._load_split.cache_info().currsize < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert data._load_split.cache_info().currsize == 3  # train, valid, test
    thread = warmup.start()
    assert thread.name == "gradflow-warmup" and warmup.start() is thread


def test_the_warm_up_covers_every_page_default_and_every_preset():
    from gradflow import warmup
    from gradflow.presets import PAGE_TRAINING

    items = warmup.plan()
    assert len(items) == 1 + 4 + sum(p.page != PAGE_TRAINING for p in PRESETS)
    warmup._run(items)  # every item runs without an exception (errors the pages show are skipped)


def test_a_value_kept_from_another_page_is_pulled_into_this_pages_range():
    at = open_page(PAGE_CLIPPING, {"rho": "10"})  # ρ ends at 10 here, at 3 on page 1
    ok(at)
    at.switch_page(PAGE_VANISHING).run()
    ok(at)
    assert at.slider(key="rho").value == 3.0


def test_callbacks_live_in_gradflow_not_on_pages():
    """A page-defined callback kept in a session would keep that page's globals (a 21 MB model) alive."""
    import ast

    for path in sorted((APP.parent / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        local = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg in ("on_click", "on_change", "on_select"):
                assert not (isinstance(node.value, ast.Name) and node.value.id in local), (path.name, node.value.id)
