"""Names, parameter shapes and argument checks shared by the whole package.

A leaf module: it imports NumPy only, so every other module (the cells, the
engine, the spectra, clipping, interop, the language model) can use it
without depending on each other.

Parameters follow PyTorch's names and shapes, with G gate blocks of H rows:
weight_ih (G·H, D), weight_hh (G·H, H), bias_ih (G·H,), bias_hh (G·H,).
`param_shapes` is the one table of these shapes.
"""

from __future__ import annotations

import numpy as np

CELLS = ("rnn", "lstm", "gru")
# Gate names in PyTorch's block order; the RNN has one block and no named gate.
GATES = {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
NUM_GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # G: weight_ih is (G·H, D)
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def check_cell(cell):
    """Return the cell name, or raise ValueError naming the allowed ones."""
    if not isinstance(cell, str) or cell not in CELLS:  # an array ['rnn'] would pass `in`
        raise ValueError(f"unknown cell {cell!r}: expected one of {', '.join(CELLS)}")
    return cell


def check_size(name, value):
    """`value` as an int ≥ 1, or ValueError naming `name` (bools and floats refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer ≥ 1, got {value!r}")
    return int(value)


def param_shapes(cell, D, H):
    """{name: shape} of one layer's parameters, in PARAM_NAMES order, for input size D and hidden size H."""
    G = NUM_GATES[check_cell(cell)]
    return {"weight_ih": (G * H, D), "weight_hh": (G * H, H), "bias_ih": (G * H,), "bias_hh": (G * H,)}


def finite_float(value):
    """`value` as a finite float, or None: bools, strings, NaN, inf and ints beyond float range are refused."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    try:
        x = float(value)
    except OverflowError:
        return None
    return x if np.isfinite(x) else None


def as_rng(seed, *, allow_none=True):
    """np.random.Generator from a Generator (used as is), a non-negative int seed or None.

    None draws fresh entropy; allow_none=False refuses it where a run must be
    reproducible from its seed (the language model's initialisation and training).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if (seed is None and allow_none) or (
            isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(None if seed is None else int(seed))
    allowed = "a non-negative int" + (", None" if allow_none else "") + " or an np.random.Generator"
    raise ValueError(f"seed must be {allowed}, got {seed!r}")
