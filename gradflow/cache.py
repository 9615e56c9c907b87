"""Streamlit caches around the app's heavy numerics (the only place pages compute).

Why this module exists: a lecturer drags a slider and expects the chart at
once, and a room of students shares one server. Every expensive call of a
page goes through one of these functions, keyed by plain hashable settings.
Every cache has `max_entries` and a TTL, so memory stays bounded however
many settings a room tries. Large objects that are only read (a Flow, a
model) live in `st.cache_resource` (no copy per hit); small summaries in
`st.cache_data`.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import astuple

import numpy as np
import streamlit as st

from . import cliff, clipping, scenario
from .scenario import Setup

# Streamlit hashes a dataclass argument slowly (through pickling); a Setup is
# fully described by its field values, so they are its cache key.
_KEY = {Setup: lambda s: repr(astuple(s))}

TTL = 3600  # seconds: a lecture's length


def _one_blas_thread() -> None:
    """Run the app's linear algebra on one BLAS thread per request.

    The server answers many sessions at once on a small machine: with two
    BLAS threads per call, two requests (or any other busy process) make the
    threads spin against each other, and an SVD or QR of a 512×512 matrix
    took 1.8 s instead of 0.13 s on the 2-core machine. One thread per
    call lets concurrent requests use the cores instead. The engine's own
    time loops already run on one thread.
    """
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # only speed depends on it
        return
    ThreadpoolController().limit(limits=1, user_api="blas")


_one_blas_thread()
MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models")


# 4 entries: one setting of all three cells plus one. A flow with its params
# takes up to 36 MB (LSTM, H = 512); the curves come from `summary`.
@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def flow(s: Setup, weights: str = "random", sentence: tuple = ()):
    """(params, Flow) of one experiment.

    weights: "random" (spectrum of s.kind at s.rho) or "trained" (the PTB
    model of s.cell, rescaled to s.rho); sentence: token ids, whose
    embeddings (from the PTB model of s.cell) are the inputs; () means
    random inputs.
    """
    if not sentence and weights == "random":
        params, xs, up = scenario.random_problem(s)
        return params, scenario.run(s, params, xs, up)
    from . import lm

    model = ptb_model(s.cell if weights == "trained" else embedding_cell(s.cell))
    xs = lm.embed(model, np.asarray(sentence, dtype=np.int64))[:, None, :]  # (T, 1, E)
    if weights == "trained":
        layer = lm.model_recurrent_params(model, 0)
        params, xs, up = scenario.trained_problem(s, layer, xs, own_radius(s.cell))
    else:
        params, xs, up = scenario.random_problem_inputs(s, xs)
    return params, scenario.run(s, params, xs, up)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def summary(s: Setup, weights: str = "random", sentence: tuple = ()) -> dict:
    return scenario.summarize(s, flow(s, weights, sentence)[1])


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def spectrum(s: Setup, weights: str = "random", sentence: tuple = ()) -> dict:
    return scenario.spectrum(s, flow(s, weights, sentence)[0])


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def sigma_max(s: Setup, weights: str = "random", sentence: tuple = ()) -> float:
    """Largest singular value over the gate blocks of weight_hh (for Pascanu's bound)."""
    from . import spectral

    w = flow(s, weights, sentence)[0]["weight_hh"]
    return max(float(spectral.singular_values(b)[0]) for b in spectral.gate_blocks(w))


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def jacobian(s: Setup, t: int, weights: str = "random", sentence: tuple = ()) -> dict:
    params, fl = flow(s, weights, sentence)
    return scenario.jacobian_panel(s, fl, params, t)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=_KEY)
def phase_map(s: Setup):
    return scenario.phase_map(s)


# -- PTB model and data (owned by the language-model module) ----------------
@st.cache_resource(max_entries=3, ttl=TTL, show_spinner=False)
def ptb_model(cell: str):
    """The shipped PTB model of `cell` from models/ (FileNotFoundError if missing)."""
    from . import checkpoint

    path = model_path(cell)
    if path is None:
        raise FileNotFoundError(f"no trained PTB model for the {cell.upper()} in models/")
    return checkpoint.load(path)


def embedding_cell(cell: str) -> str:
    """The cell whose shipped model lends its word embeddings: `cell` itself if shipped, else any shipped one."""
    for c in (cell, "lstm", "gru", "rnn"):
        if model_path(c) is not None:
            return c
    raise FileNotFoundError("no trained PTB model in models/: word embeddings are not available")


def model_path(cell: str) -> str | None:
    """models/<cell>.npz (the shipped PTB model of the cell), or None if it is missing."""
    path = os.path.join(MODELS_DIR, f"{cell}.npz")
    return path if os.path.exists(path) else None


@st.cache_data(max_entries=3, ttl=TTL, show_spinner=False)
def own_radius(cell: str) -> float:
    from . import lm

    return scenario.largest_block_radius(lm.model_recurrent_params(ptb_model(cell), 0)["weight_hh"])


@st.cache_data(max_entries=3, ttl=TTL, show_spinner=False)
def model_sizes(cell: str) -> tuple[int, int]:
    """(D, H) of the first recurrent layer of the shipped model."""
    w = ptb_model(cell).params["rnn.weight_ih_l0"]
    return int(w.shape[1]), int(w.shape[0] // {"rnn": 1, "lstm": 4, "gru": 3}[cell])


@st.cache_data(max_entries=16, ttl=TTL, show_spinner=False)
def ptb_sentence(index: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(ids, words) of PTB test sentence `index` (modulo their number).

    FileNotFoundError/ValueError if the PTB data cannot be read.
    """
    from . import data

    sents = data.load_sentences("test")
    words = tuple(sents[int(index) % len(sents)])
    vocab = data.load_vocab()
    return tuple(int(vocab.word_to_id[w]) for w in words), words


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def encode(text: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
    """(ids, tokens, notes) of custom text in the PTB vocabulary (ValueError if nothing is left)."""
    from . import data

    enc = data.encode(text, data.load_vocab())
    ids = tuple(int(i) for i in enc.ids)
    if not ids:
        raise ValueError("the text has no word left after PTB's normalisation")
    return ids, tuple(enc.tokens), tuple(str(n) for n in enc.notes)


# -- clipping page ----------------------------------------------------------
@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def clip_case(cell: str, rho: float, T: int, H: int, seed: int, method: str, threshold: float,
              nonlin: str = "tanh") -> dict:
    """Per-parameter norms before/after clipping a random cell's gradient, and the cosine."""
    g = scenario.clip_gradients(cell, rho, T, H, seed, nonlin=nonlin)
    res = clipping.clip(g, method, threshold)
    names = list(g)
    with np.errstate(all="ignore"):
        before = [clipping.global_norm({k: g[k]}) for k in names]
        after = [clipping.global_norm({k: res.clipped[k]}) for k in names]
    return {"names": names, "before": before, "after": after, "norm_before": res.norm_before,
            "norm_after": res.norm_after, "clipped": res.clipped_flag, "skipped": res.skipped_flag,
            "cosine": clipping.cosine(g, res.clipped)}


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def cliff_surface(w_range: tuple, b_range: tuple, n: int, T: int):
    return cliff.surface(w_range, b_range, n, T)


@st.cache_data(max_entries=32, ttl=TTL, show_spinner=False)
def cliff_paths(w0: float, b0: float, lr: float, steps: int, clip: float, T: int):
    plain = cliff.descend(w0, b0, lr, steps, None, T)
    clipped = cliff.descend(w0, b0, lr, steps, clip, T)
    return plain, clipped


GRAD_NORMS_FILE = "ptb_grad_norms.json"


@st.cache_data(max_entries=2, ttl=TTL, show_spinner=False)
def ptb_grad_norms() -> dict:
    """The precomputed global gradient norms over PTB batches (models/ptb_grad_norms.json).

    Expected: {"model": str, "norms": [float, ...], ...}. FileNotFoundError
    if missing, ValueError if it has no usable norms.
    """
    path = os.path.join(MODELS_DIR, GRAD_NORMS_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{GRAD_NORMS_FILE} is missing from models/")
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        if "trained" in d:  # the format `python -m gradflow gradhist` writes
            d = {"model": d["model_config"]["cell"], "norms": d["trained"]["norms"], "batches": d["batches"]}
        norms = np.asarray(d["norms"], dtype=np.float64)
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{GRAD_NORMS_FILE} is unreadable: {e}") from None
    if norms.ndim != 1 or not np.isfinite(norms).any():
        raise ValueError(f"{GRAD_NORMS_FILE} holds no finite gradient norms")
    return {k: v for k, v in d.items() if k != "norms"} | {"norms": norms}


# -- home page --------------------------------------------------------------
@st.cache_data(max_entries=4, ttl=TTL, show_spinner=False)
def home_curves(T: int = 100, H: int = 64, rho: float = 1.0) -> dict:
    """||dL/dh_t|| of RNN, LSTM and GRU at the default settings: cell -> (T,)."""
    out = {}
    for cell in ("rnn", "lstm", "gru"):
        s = Setup(cell=cell, T=T, H=H, rho=rho)
        params, xs, up = scenario.random_problem(s)
        out[cell] = scenario.run(s, params, xs, up).dh_norm[:, 0]
    return out


# --- page 3: gates on PTB ---------------------------------------------------
SEARCH_LIMIT = 50  # sentences listed for a word search


@st.cache_data(max_entries=3, ttl=TTL, show_spinner=False)
def sentence_count(split: str) -> int:
    """Number of sentences of a PTB split (FileNotFoundError/ValueError if the data is missing)."""
    from . import data

    return len(data.load_sentences(split))


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def sentence_in(split: str, index: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(ids, words) of sentence `index` of a PTB split (ValueError when out of range)."""
    from . import data

    sents = data.load_sentences(split)
    if not 0 <= int(index) < len(sents):
        raise ValueError(f"sentence index {index} is outside 0 … {len(sents) - 1} of the {split} split")
    words = tuple(sents[int(index)])
    return tuple(int(i) for i in data.load_vocab().encode_tokens(words)), words


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False)
def find_word(split: str, word: str) -> tuple[int, ...]:
    """Indices of the first SEARCH_LIMIT sentences of `split` containing `word` (ValueError if unknown)."""
    from . import data

    return tuple(data.find_sentences(split, word, limit=SEARCH_LIMIT))


# 4 entries: a random model (one per dice seed) takes 21 MB; trained ones are shared with ptb_model.
@st.cache_resource(max_entries=4, ttl=TTL, show_spinner=False)
def gates_model(cell: str, weights: str, seed: int = 0):
    """(LanguageModel, shipped) for the gates page.

    weights "trained": the shipped PTB model (FileNotFoundError if missing,
    ValueError if unreadable or its vocabulary is not the PTB one). "random":
    a random init of the shipped model's shape, or of the default LMConfig
    shape when no model is shipped (shipped False).
    """
    from . import data, lm

    vocab = data.load_vocab()
    try:
        model = ptb_model(cell)
    except FileNotFoundError:
        if weights == "trained":
            raise
        return lm.init_model(lm.LMConfig(cell=cell, vocab_size=len(vocab)), seed, vocab), False
    if model.vocab is not None and model.vocab != vocab:
        raise ValueError(f"the shipped {cell.upper()} model was trained with another vocabulary than the PTB one")
    if weights == "trained":
        return model, True
    return lm.random_like(model, seed), True


@st.cache_resource(max_entries=16, ttl=TTL, show_spinner=False)
def gates_analysis(cell: str, weights: str, seed: int, ids: tuple, position: int):
    """lm.analyze_sentence of `ids` with the loss at `position` (top-5 predictions).

    At the last token the target is <eos>, the word that ends every PTB sentence.
    """
    from . import data, lm

    model, _ = gates_model(cell, weights, seed)
    target = data.load_vocab().eos_id if position == len(ids) - 1 else None
    return lm.analyze_sentence(model, np.asarray(ids, dtype=np.int64), position, top_k=5, target=target)


@st.cache_resource(max_entries=1, show_spinner=False)
def prefetch_ptb() -> threading.Thread:
    """Read the PTB splits once per server process in a background thread.

    A lecture starts on the home page; by the time the gates or training page
    is opened, its first visit no longer waits about half a second for the
    three splits (data's own cache holds them). Errors are left to the pages,
    which report them through ptb_status.
    """
    from . import data

    thread = threading.Thread(target=data.ptb_status, name="gradflow-ptb-prefetch", daemon=True)
    thread.start()
    return thread


# --- page 4: training -------------------------------------------------------
@st.cache_data(max_entries=1, ttl=TTL, show_spinner=False)
def ptb_status() -> tuple[bool, str]:
    """(available, reason) of the PTB data, checked once per TTL."""
    from . import data

    return data.ptb_status()
