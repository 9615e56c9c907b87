"""The gates page's experiments: a shipped (or random) PTB model read on one sentence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis import SentenceAnalysis, analyze_sentence
from ..cells._loop import single_thread
from ..data import Vocab
from ..lm import LanguageModel, LMConfig, init_model, random_like

GATES_OF = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
STATES_OF = {"lstm": ("c", "h"), "gru": ("h",)}
SIGMOID = ("i", "f", "o", "r", "z")  # the other gates (g, n) are tanh
SEARCH_LIMIT = 50  # sentences listed for a word search
SATURATED = {"sigmoid": (0.1, 0.9), "tanh": (-0.9, 0.9)}  # below / above these a gate counts as saturated


@dataclass(frozen=True)
class UnitChoice:
    """Which hidden units the heatmaps draw."""

    mode: str = "top"  # "top": the k units whose h_t varies most over the sentence; "index": a range
    k: int = 16  # how many units
    first: int = 0  # first unit of the range (mode "index")


def select_units(hs: np.ndarray, choice: UnitChoice) -> tuple[np.ndarray, list]:
    """(indices of the units to draw, notes): hs (T, H).

    Notes are (i18n key, format dict) for a k above H or a range past the end.
    """
    H = hs.shape[1]
    k, first, notes = choice.k, choice.first, []
    if k > H:
        notes.append(("page3.k_capped", {"k": k, "H": H}))
        k = H
    if choice.mode == "top":
        return np.sort(np.argsort(-hs.var(axis=0), kind="stable")[:k]), notes
    if first + k > H:
        notes.append(("page3.first_clamped", {"first": first, "H": H}))
        first = H - k
    return np.arange(first, first + k), notes


def saturation(gates: dict) -> dict:
    """gate -> (fraction low, fraction high) of its activations over the sentence (see SATURATED)."""
    out = {}
    for g, a in gates.items():
        lo, hi = SATURATED["sigmoid" if g in SIGMOID else "tanh"]
        out[g] = (float(np.mean(a < lo)), float(np.mean(a > hi)))
    return out


def model_for(cell: str, weights: str, seed: int, shipped: LanguageModel | None, vocab: Vocab):
    """(LanguageModel, from_shipped) for the gates page.

    weights "trained": the shipped model (FileNotFoundError when there is none;
    ValueError when its vocabulary is not PTB's). "random": a random init of the
    shipped model's shape, or of the default LMConfig shape when none is shipped.
    """
    if shipped is None:
        if weights == "trained":
            raise FileNotFoundError(f"no trained PTB model for the {cell.upper()} in models/")
        return init_model(LMConfig(cell=cell, vocab_size=len(vocab)), seed, vocab), False
    if shipped.vocab is not None and shipped.vocab != vocab:
        raise ValueError(f"the shipped {cell.upper()} model was trained with another vocabulary than the PTB one")
    return (shipped if weights == "trained" else random_like(shipped, seed)), True


def loss_position(pos: int, T: int) -> tuple[int, bool]:
    """(the token whose next-word loss is differentiated, whether `pos` was out of range): -1 means the last."""
    return (T - 1 if pos < 0 or pos >= T else pos), pos >= T


def random_sentence_index(seed: int, n: int) -> int:
    """The sentence a dice seed picks among n."""
    return int(np.random.default_rng(seed).integers(n))


def analyze(model: LanguageModel, ids: np.ndarray, position: int, eos_id: int) -> SentenceAnalysis:
    """The sentence ids (T,) read by `model`, with the next-word loss at `position` (top-5 predictions).

    At the last token the target is <eos>, the word that ends every PTB sentence.
    """
    target = eos_id if position == len(ids) - 1 else None
    with single_thread():  # see cells._loop: one BLAS thread serves concurrent sessions best
        return analyze_sentence(model, ids, position, top_k=5, target=target)


def next_word_probs(an: SentenceAnalysis) -> list:
    """p(w_{t+1} | w_≤t) per token; the last token's next word is <eos>, scored only when p is the last token."""
    last = float(np.exp(-an.loss)) if an.position == len(an.tokens) - 1 else float("nan")
    return [float(x) for x in an.next_prob[:-1]] + [last]
