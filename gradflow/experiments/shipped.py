"""Which shipped PTB model serves an experiment, and the facts the pages show about it.

The shipped models live in models/ (see `gradflow.checkpoint`). A page with
trained weights needs the model of its own cell; a page that only needs word
embeddings borrows them from any shipped model.
"""

from __future__ import annotations

from .. import checkpoint
from ..checks import CELLS, NUM_GATES
from ..lm import LanguageModel, model_recurrent_params
from .flow import largest_block_radius


def model_path(cell: str) -> str | None:
    """models/<cell>.npz if that shipped model is present, else None."""
    return checkpoint.shipped_path(cell) if cell in CELLS else None


def embedding_cell(cell: str) -> str:
    """The cell whose shipped model lends its word embeddings: `cell` itself if shipped, else any shipped one."""
    for c in (cell, "lstm", "gru", "rnn"):
        if model_path(c) is not None:
            return c
    raise FileNotFoundError("no trained PTB model in models/: word embeddings are not available")


def model_cell(cell: str, weights: str) -> str:
    """The shipped model an experiment of `cell` loads: its own with trained weights, else an embedding lender."""
    if weights == "trained":
        if model_path(cell) is None:
            raise FileNotFoundError(f"no trained PTB model for the {cell.upper()} in models/")
        return cell
    return embedding_cell(cell)


def own_radius(model: LanguageModel) -> float:
    """Largest gate-block spectral radius of the first layer's weight_hh."""
    return largest_block_radius(model_recurrent_params(model, 0)["weight_hh"])


def sizes(model: LanguageModel) -> tuple[int, int]:
    """(D, H) of the first recurrent layer."""
    w = model.params["rnn.weight_ih_l0"]
    return int(w.shape[1]), int(w.shape[0] // NUM_GATES[model.config.cell])


def first_shipped(cells) -> str:
    """The first of `cells` (in CELLS order) whose model is shipped, else any shipped model's cell."""
    return next((c for c in CELLS if c in cells and model_path(c)), None) or embedding_cell("lstm")
