"""Presets are self-contained: opening preset B gives the same widget values and tab whatever was open before."""

from __future__ import annotations

import itertools

import pytest

from gradflow import i18n
from gradflow.presets import MARKER, PAGE_HOME, PAGE_PARAMS, PRESETS, link_values
from gradflow.urlstate import option_label, query_for
from test_app import APP, figures, ok, open_page

SELF_CONTAINED = [p for p in PRESETS if p.page in PAGE_PARAMS]


def state(at, page) -> dict:
    """Every widget value of the page, and the open tab."""
    return {p.key: (at.session_state[p.key] if p.key in at.session_state else None) for p in PAGE_PARAMS[page]}


def open_after(first, second):
    """Preset `first`, then back to the home page (where the preset links are), then preset `second`."""
    at = open_page(first.page, query_for(link_values(first), None, "en"))
    ok(at)
    at.query_params.clear()
    at.switch_page(PAGE_HOME).run()
    ok(at)
    at.query_params.clear()
    for k, v in query_for(link_values(second), None, "en").items():
        at.query_params[k] = v
    at.switch_page(second.page)
    return at.run()


def test_a_preset_link_carries_its_values_and_the_marker_once():
    for p in SELF_CONTAINED:
        at = open_page(p.page, query_for(link_values(p), None, "en"))
        ok(at)
        assert MARKER not in at.query_params  # dropped: a slider move must not reset the page again
        assert link_values(p) == {**p.values, MARKER: p.name}


@pytest.mark.parametrize("first,second", [(a, b) for a, b in itertools.permutations(SELF_CONTAINED, 2)],
                         ids=lambda p: p.name)
def test_every_ordered_pair_of_presets_opens_the_same_view(first, second):
    fresh = open_page(second.page, query_for(link_values(second), None, "en"))
    ok(fresh)
    after = open_after(first, second)
    ok(after)
    assert state(after, second.page) == state(fresh, second.page)
    view = second.values.get("view", next(p.default for p in PAGE_PARAMS[second.page] if p.key == "view"))
    assert state(after, second.page)["view"] == option_label("view", view, "en")
    assert figures(after)


def test_an_unknown_preset_marker_is_dropped_without_harm():
    at = open_page(PRESETS[0].page, {MARKER: "<b>nope</b>", "rho": "0.5"})
    ok(at)
    assert MARKER not in at.query_params and at.slider(key="rho").value == 0.5



def test_a_shared_link_opens_the_graph_at_its_frame():
    at = open_page(PRESETS[0].page, {"view": "Unrolled graph", "frame": "7", "cells": "RNN", "T": "30"})
    ok(at)
    graph = figures(at)[0]
    assert graph["layout"]["sliders"][0]["active"] == 7 and at.number_input(key="frame").value == 7
