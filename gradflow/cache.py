"""Streamlit's caches around the experiment layer: thin wrappers only, no logic.

Why this module exists: a lecturer drags a slider and expects the chart at
once, and a room of students shares one server. Every expensive call of a
page goes through one of these functions, keyed by a frozen settings object
or plain values. Every cache has `max_entries` and a TTL, so memory stays
bounded however many settings a room tries. Large objects that are only
read (a Flow, a model) live in `st.cache_resource` (no copy per hit); small
summaries in `st.cache_data`. The computations themselves are in
`gradflow.experiments`.
"""

from __future__ import annotations

from dataclasses import astuple

import numpy as np
import streamlit as st

from . import checkpoint, data, experiments
from .experiments import clipping as exp_clip
from .experiments import flow as exp_flow
from .experiments import gates as exp_gates
from .experiments import graph as exp_graph
from .experiments import sentences
from .experiments import shipped
from .experiments import training as exp_training
from .experiments.clipping import ClipSettings, CliffSettings
from .experiments import depth as exp_depth
from .experiments.depth import DepthSettings, MemorySettings, TeacherSettings, VariantSettings
from .experiments.flow import FlowSettings

# Streamlit hashes a dataclass argument slowly (through pickling); these are
# fully described by their field values, so those are the cache key.
_KEY = {cls: (lambda s: repr(astuple(s))) for cls in (FlowSettings, ClipSettings, CliffSettings, DepthSettings,
                                                      VariantSettings, MemorySettings, TeacherSettings)}
TTL = 3600  # seconds: a lecture's length
SEARCH_LIMIT = exp_gates.SEARCH_LIMIT


# -- page 1 and home: one BPTT experiment -------------------------------------
# 4 entries: one setting of all three cells plus one. A flow with its params
# takes up to 36 MB (LSTM, H = 512); the curves come from `summary`.
@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def flow(s: FlowSettings):
    """(params, Flow) of one experiment (the shipped model it needs is loaded once)."""
    model = ptb_model(shipped.model_cell(s.cell, s.weights)) if s.needs_model else None
    return experiments.run(s, model)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def summary(s: FlowSettings) -> dict:
    return exp_flow.summarize(s, flow(s)[1])


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def spectrum(s: FlowSettings) -> dict:
    return exp_flow.spectrum(s, flow(s)[0])


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def theory(s: FlowSettings) -> dict:
    params, fl = flow(s)
    return exp_flow.theory(s, fl, params)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def jacobian(s: FlowSettings, t: int) -> dict:
    params, fl = flow(s)
    return exp_flow.jacobian_panel(s, fl, params, t)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def graph(s: FlowSettings) -> dict:
    """The unrolled graph's data: a view of the same Flow as the curves."""
    params, fl = flow(s)
    return exp_graph.graph_data(fl, params, s.loss)


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def graph_bidir(s: FlowSettings, position: int) -> dict:
    """The unrolled graph of a bidirectional layer on the problem of `s`, the loss at `position` (−1: T // 2)."""
    model = ptb_model(shipped.model_cell(s.cell, s.weights)) if s.needs_model else None
    return exp_graph.graph_bidir(s, position, model)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def phase_map(s: FlowSettings):
    return exp_flow.phase_map(s)


@st.cache_data(max_entries=4, ttl=TTL, show_spinner=False)
def home_curves(T: int = 100, H: int = 64, rho: float = 1.0) -> dict:
    return exp_flow.home_curves(T, H, rho)


# -- shipped PTB models ---------------------------------------------------------
@st.cache_resource(max_entries=3, ttl=TTL, show_spinner=False)
def ptb_model(cell: str):
    """The shipped PTB model of `cell` (FileNotFoundError if missing)."""
    path = shipped.model_path(cell)
    if path is None:
        raise FileNotFoundError(f"no trained PTB model for the {cell.upper()} in models/")
    return checkpoint.load(path)


@st.cache_data(max_entries=3, ttl=TTL, show_spinner=False)
def own_radius(cell: str) -> float:
    return shipped.own_radius(ptb_model(cell))


@st.cache_data(max_entries=3, ttl=TTL, show_spinner=False)
def model_sizes(cell: str) -> tuple[int, int]:
    """(D, H) of the shipped model's first recurrent layer."""
    return shipped.sizes(ptb_model(cell))


# -- PTB text -------------------------------------------------------------------
@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def ptb_sentence(index: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(ids, words) of PTB test sentence `index` (modulo their number)."""
    n = sentence_count("test")
    return sentence_in("test", int(index) % n)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def encode(text: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
    """(ids, tokens, notes) of custom text in the PTB vocabulary (ValueError if nothing is left)."""
    return sentences.text_ids(text)


@st.cache_data(max_entries=3, ttl=TTL, show_spinner=False)
def sentence_count(split: str) -> int:
    return len(data.load_sentences(split))


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def sentence_in(split: str, index: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(ids, words) of sentence `index` of a PTB split (ValueError when out of range)."""
    return sentences.sentence_ids(split, index)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def find_word(split: str, word: str) -> tuple[int, ...]:
    """Indices of the first SEARCH_LIMIT sentences of `split` containing `word` (ValueError if unknown)."""
    return tuple(data.find_sentences(split, word, limit=SEARCH_LIMIT))


@st.cache_data(max_entries=1, ttl=TTL, show_spinner=False)
def ptb_status() -> tuple[bool, str]:
    """(available, reason) of the PTB data, checked once per TTL."""
    return data.ptb_status()


# -- page 4: training --------------------------------------------------------------
@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def probe_window(bptt: int):
    return exp_training.probe_window(bptt)


# -- page 2: clipping -----------------------------------------------------------
@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def clip_case(s: ClipSettings) -> dict:
    return exp_clip.clip_case(s)


@st.cache_data(max_entries=2, ttl=TTL, show_spinner=False)
def cliff_surface():
    return exp_clip.cliff_surface()


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def cliff_paths(s: CliffSettings):
    return exp_clip.cliff_paths(s)


@st.cache_data(max_entries=2, ttl=TTL, show_spinner=False)
def ptb_grad_norms() -> dict:
    return exp_clip.read_grad_norms()


# -- page 3: gates on PTB ---------------------------------------------------------
# 4 entries: a random model (one per dice seed) takes 21 MB; trained ones are shared with ptb_model.
@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def gates_model(cell: str, weights: str, seed: int = 0):
    """(LanguageModel, from_shipped): see experiments.gates.model_for."""
    try:
        model = ptb_model(cell)
    except FileNotFoundError:
        model = None
    return exp_gates.model_for(cell, weights, seed, model, data.load_vocab())


@st.cache_resource(max_entries=16, ttl=TTL, show_spinner=False)
def gates_analysis(cell: str, weights: str, seed: int, ids: tuple, position: int):
    """The sentence read by the model, with the next-word loss at `position`."""
    model, _ = gates_model(cell, weights, seed)
    return exp_gates.analyze(model, np.asarray(ids, dtype=np.int64), position, data.load_vocab().eos_id)


# -- page 5: depth and memory --------------------------------------------------------
@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def depth_maps(s: DepthSettings) -> dict:
    return exp_depth.depth_maps(s)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def variant_curves(s: VariantSettings) -> dict:
    return exp_depth.variant_curves(s)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def memory_curves(s: MemorySettings) -> dict:
    return exp_depth.memory_curves(s)


# Two trainings of at most 500 small steps (about half a second); 16 settings a lecture.
@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def teacher_runs(s: TeacherSettings) -> dict:
    return exp_depth.teacher_runs(s)
