"""Lecture presets: named views of the app, each one a link (page + query).

Why this module exists: a lecturer jumps between a handful of prepared
views in class. A preset is only a page and the values of some of its widget
keys; the home page turns each into a link with
`gradflow.urlstate.query_for` (codes become the option labels of the current
language), and opening it is the same as opening a shared link. Keeping the
table here, in one place, lets every page's author add theirs; the tests
open every preset and check that no value is rejected.

Values use the widget keys of the target page and option *codes* (e.g.
``"nonnormal"``), never displayed labels. Titles and descriptions are i18n
keys: ``preset.<name>`` and ``preset.<name>.desc``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import page_params
from .experiments.depth import preset_values as depth_preset

PAGE_HOME = "app.py"
PAGE_VANISHING = "pages/1_Vanishing_Gradients.py"
PAGE_CLIPPING = "pages/2_Gradient_Clipping.py"
PAGE_GATES = "pages/3_Gates_on_PTB.py"
PAGE_TRAINING = "pages/4_Training.py"
PAGE_DEPTH = "pages/5_Depth_and_Memory.py"

# The widgets of each page (a preset resets the ones it does not name).
PAGE_PARAMS = {PAGE_VANISHING: page_params.VANISHING, PAGE_CLIPPING: page_params.CLIPPING,
               PAGE_GATES: page_params.GATES, PAGE_TRAINING: page_params.TRAINING,
               PAGE_DEPTH: page_params.DEPTH}

# Page files in navigation order (the ones not written yet are skipped by the UI).
PAGES = (PAGE_HOME, PAGE_VANISHING, PAGE_CLIPPING, PAGE_GATES, PAGE_TRAINING, PAGE_DEPTH)


@dataclass(frozen=True)
class Preset:
    name: str  # id; i18n keys preset.<name> and preset.<name>.desc
    page: str  # page file relative to the app's folder
    values: dict = field(default_factory=dict)  # widget key -> value (codes, numbers, bools)


PRESETS = (
    Preset("rnn_vanishing", PAGE_VANISHING,
           {"cells": ["rnn"], "rho": 0.9, "T": 100, "view": "curves"}),
    Preset("rnn_exploding", PAGE_VANISHING,
           {"cells": ["rnn"], "rho": 2.0, "T": 100, "view": "curves"}),
    Preset("lstm_cell_path", PAGE_VANISHING,
           {"cells": ["lstm"], "rho": 0.9, "T": 200, "fbias": 3.0, "view": "paths"}),
    Preset("gru_vs_lstm", PAGE_VANISHING,
           {"cells": ["lstm", "gru"], "rho": 1.0, "T": 200, "view": "curves"}),
    Preset("nonnormal", PAGE_VANISHING,
           {"cells": ["rnn"], "kind": "nonnormal", "rho": 0.9, "nonlin": "linear", "T": 60, "up": "top", "view": "curves"}),
    Preset("saturation", PAGE_VANISHING,
           {"cells": ["rnn"], "rho": 1.0, "scale": 5.0, "view": "curves"}),
    Preset("truncated", PAGE_VANISHING,
           {"cells": ["rnn", "lstm"], "rho": 1.0, "T": 140, "trunc": 35, "loss": "sum", "view": "curves"}),
    Preset("bptt_wave", PAGE_VANISHING,
           {"cells": ["rnn"], "rho": 0.9, "T": 30, "view": "graph", "frame": 10}),
    Preset("pascanu_cliff", PAGE_CLIPPING,
           {"view": "cliff", "w0": 4.5, "b0": -2.0, "cthr": 1.0}),
    Preset("clip_exploding", PAGE_CLIPPING,
           {"cell": "rnn", "rho": 2.5, "method": "norm", "threshold": 1.0}),
    # --- page 3: gates on PTB ---
    Preset("gates_trained_vs_random", PAGE_GATES,
           {"src": "ptb", "split": "test", "idx": 3, "model": "lstm", "weights": "both", "k": 16}),
    # --- page 5: depth and memory (the engine's tested settings, stack.preset_settings) ---
    Preset("depth_vanishing", PAGE_DEPTH, depth_preset("depth_vanishing")),
    Preset("depth_residual", PAGE_DEPTH, depth_preset("depth_residual")),
)


MARKER = "preset"  # URL key of a preset link: the page resets what the preset does not name, then drops it


def link_values(preset: Preset) -> dict:
    """The query values of a preset's link: its own values and the preset marker."""
    return {**preset.values, MARKER: preset.name}


def open_preset(session_state, query_params, params) -> str | None:
    """On a preset link (?preset=name), set every widget of the page to the preset's value or its default.

    So a preset opens the same view whatever was open before: Streamlit keeps
    a bound widget's last value when a link does not name it (or names its
    default). The marker is dropped at once, so the next rerun (a slider move)
    does not reset again; an unknown name is dropped too. Call before the
    page's first element. Returns the preset's name, or None.
    """
    if MARKER not in query_params:
        return None
    name = query_params[MARKER]
    del query_params[MARKER]
    try:
        values = by_name(name).values
    except ValueError:
        return None
    for p in params:
        v = values.get(p.key, p.default)
        session_state[p.key] = list(v) if isinstance(v, list) else v
    return name


def by_name(name: str) -> Preset:
    """The preset called `name`; ValueError naming the known ones otherwise."""
    for p in PRESETS:
        if p.name == name:
            return p
    raise ValueError(f"unknown preset {name!r}; known: {', '.join(p.name for p in PRESETS)}")
