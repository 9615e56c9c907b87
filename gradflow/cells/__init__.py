"""The three recurrent cells, one file each, with a common dispatch.

Every cell module has a one-step reference (`step_forward`, `step_backward`,
`step_jacobian`) and a fast sequence path (`forward`, `backward`). The
engine (`gradflow.bptt`) and the language model (`gradflow.lm`) both use the
fast path; the tests check it against the reference and against finite
differences.
"""

from __future__ import annotations

import numpy as np

from . import gru, lstm, rnn

CELLS = ("rnn", "lstm", "gru")
MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru}
GATES = {name: module.GATES for name, module in MODULES.items()}
NUM_GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # G: weight_ih is (G·H, D)
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def check_cell(cell):
    """Return the cell name, or raise ValueError naming the allowed ones."""
    if not isinstance(cell, str) or cell not in MODULES:  # a list would raise TypeError in the dict
        raise ValueError(f"unknown cell {cell!r}: expected one of {', '.join(CELLS)}")
    return cell


def check_size(name, value):
    """`value` as an int ≥ 1, or ValueError naming `name` (bools and floats refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer ≥ 1, got {value!r}")
    return int(value)


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


def init_params(cell, D, H, rng, *, forget_bias=0.0, dtype=np.float64):
    """PyTorch's initialisation: every weight and bias ~ U(−1/√H, 1/√H).

    cell: "rnn" | "lstm" | "gru"; D input size, H hidden size;
    rng: np.random.Generator or int seed. forget_bias (LSTM only) is added to
    the forget gate's bias_ih (Jozefowicz et al. 2015 recommend 1.0).
    Returns {weight_ih (G·H, D), weight_hh (G·H, H), bias_ih (G·H,), bias_hh (G·H,)}.
    """
    G = NUM_GATES[check_cell(cell)]
    D, H = check_size("D", D), check_size("H", H)
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be finite, got {forget_bias!r}")
    if forget_bias and cell != "lstm":
        raise ValueError(f"forget_bias applies to the LSTM only, not {cell!r}")
    rng = as_rng(rng)
    k = 1.0 / np.sqrt(H)
    shapes = {"weight_ih": (G * H, D), "weight_hh": (G * H, H), "bias_ih": (G * H,), "bias_hh": (G * H,)}
    params = {name: rng.uniform(-k, k, size=shape).astype(dtype) for name, shape in shapes.items()}
    if cell == "lstm":
        params["bias_ih"][H:2 * H] += forget_bias
    return params


def forward(cell, params, xs, h0, c0=None, **opts):
    """Fast forward over a sequence: see `lstm.forward`. Returns (hs, cs, cache)."""
    return MODULES[cell].forward(params, xs, h0, c0, **opts)


def backward(cell, dhs, cache, *, truncate=None):
    """Fast BPTT over a sequence: see `lstm.backward`. Returns a dict of gradients."""
    return MODULES[cell].backward(dhs, cache, truncate=truncate)


def step_jacobian(cell, x, h_prev, c_prev, params, **opts):
    """∂h_t/∂h_{t−1} for N states at once: x (N, D), h_prev (N, H) -> (N, H, H)."""
    return MODULES[cell].step_jacobian(x, h_prev, c_prev, params, **opts)
