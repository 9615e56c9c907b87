"""Warm every view's caches in the background when the server starts, so no first click waits.

A lecturer runs `streamlit run app.py` and opens the home page; by the time a
page or a preset is clicked, its models, its PTB sentences and its default
computations are already in gradflow.cache. The plan is every page's
default view and every preset, built exactly as the pages build them
(page_params defaults -> settings objects -> the same cached calls); the
thread runs once per server process, at low priority (one BLAS thread, a
pause between items, so a session that is already computing goes first).
"""

from __future__ import annotations

import os
import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx

from . import cache, data, page_params
from .experiments import clipping as exp_clip
from .experiments import depth as exp_depth
from .experiments import shipped
from .experiments.gates import loss_position
from .experiments.vanishing import VanishingSettings, run_sizes
from .presets import PAGE_CLIPPING, PAGE_DEPTH, PAGE_GATES, PAGE_VANISHING, PRESETS

PAUSE = 0.05  # seconds between items: a session's own rerun is never queued behind the whole plan


def _defaults(params) -> dict:
    return {p.key: p.default for p in params}


def _vanishing(values: dict):
    """The cached calls page 1 makes for these widget values, with random inputs (no sentence)."""
    s = VanishingSettings.from_widgets(values)
    if s.reads_sentence:
        return
    T, H_of = run_sizes(s, s.cells, 0, {})
    view = values.get("view", "graph")
    focus = values.get("jcell", "rnn") if values.get("jcell", "rnn") in s.cells else (s.cells or ("rnn",))[0]
    for c in s.cells:
        run = s.for_cell(c, T, H_of[c])
        cache.summary(run)
        cache.theory(run)
        if view == "graph" and c == focus:
            cache.graph(run)
        if view == "phase":
            cache.phase_map(run)
        elif view == "spectrum":
            cache.spectrum(run)
        elif view == "jacobian":
            cache.jacobian(run, min(int(values.get("jstep", T - 1)), T - 1))


def _clipping(values: dict):
    d = values
    cache.clip_case(exp_clip.ClipSettings(cell=d["cell"], rho=float(d["rho"]), T=int(d["T"]), seed=int(d["seed"]),
                                          nonlinearity=d["nonlin"], method=d["method"],
                                          threshold=float(d["threshold"])))
    cache.cliff_surface()
    cache.cliff_paths(exp_clip.CliffSettings(w0=float(d["w0"]), b0=float(d["b0"]), lr=float(d["lr"]),
                                             steps=int(d["csteps"]), clip=float(d["cthr"])))
    try:
        cache.ptb_grad_norms()
    except (FileNotFoundError, ValueError):
        pass


def _gates(values: dict):
    if values["src"] != "ptb" or not cache.ptb_status()[0]:
        return
    ids, _ = cache.sentence_in(values["split"], int(values["idx"]))
    position, _ = loss_position(int(values["pos"]), len(ids))
    for w in (("trained", "random") if values["weights"] == "both" else (values["weights"],)):
        cache.gates_model(values["model"], w, 0)
        cache.gates_analysis(values["model"], w, 0, tuple(ids), position)


def _depth(values: dict):
    """Page 5: the open tab's computation (each tab has its own settings)."""
    view = values.get("view", "depth")
    run = {"depth": (exp_depth.DepthSettings, cache.depth_maps), "variants": (exp_depth.VariantSettings,
           cache.variant_curves), "memory": (exp_depth.MemorySettings, cache.memory_curves),
           "teacher": (exp_depth.TeacherSettings, cache.teacher_runs)}.get(view)
    if run:
        run[1](run[0].from_widgets(values))


def plan() -> list:
    """(function, widget values) for every page's default view and every preset, most visited first."""
    pages = {PAGE_VANISHING: (page_params.VANISHING, _vanishing), PAGE_CLIPPING: (page_params.CLIPPING, _clipping),
             PAGE_GATES: (page_params.GATES, _gates), PAGE_DEPTH: (page_params.DEPTH, _depth)}
    items = [(lambda _: cache.home_curves(), {})]
    items += [(fn, _defaults(params)) for params, fn in pages.values()]
    items += [(pages[p.page][1], {**_defaults(pages[p.page][0]), **p.values}) for p in PRESETS if p.page in pages]
    return items


def _run(items) -> None:
    data.ptb_status()  # reads the PTB splits into data's own cache, for the gates and training pages
    if not items:
        return
    for c in ("lstm", "gru", "rnn"):  # the shipped models: read once, shared by every page
        if shipped.model_path(c):
            try:
                cache.ptb_model(c)
            except (FileNotFoundError, ValueError):
                pass
    for fn, values in items:
        try:
            fn(values)
        except (FileNotFoundError, ValueError):  # the page itself shows these when it is opened
            pass
        time.sleep(PAUSE)


@st.cache_resource(max_entries=1, show_spinner=False)
def start() -> threading.Thread:
    """Start the warm-up once per server process (the first page load); returns its thread.

    It always reads the PTB splits; GRADFLOW_WARMUP=0 leaves out everything that goes through
    Streamlit's caches (the test suite does: its sessions patch those caches).
    """
    items = [] if os.environ.get("GRADFLOW_WARMUP", "1") == "0" else plan()
    thread = threading.Thread(target=_run, args=(items,), name="gradflow-warmup", daemon=True)
    add_script_run_ctx(thread)  # Streamlit's caches expect a script context
    thread.start()
    return thread
