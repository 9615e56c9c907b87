"""The three recurrent cells, one file each, with a common dispatch.

Every cell module has a one-step reference (`step_forward`, `step_backward`,
`step_jacobian`) and the fast time loops over a whole sequence (`forward`,
`backward`), written per cell because each has its own fused gate layout.
The engine (`gradflow.bptt`: `unroll`, `backprop`, `gradient_flow`, `sweep`)
runs the fast loops; the tests check them against the reference and against
finite differences. Public entry points for a sequence are in `gradflow.bptt`;
the step Jacobians of a Flow are in `gradflow.jacobians`.
"""

from __future__ import annotations

import numpy as np

from ..checks import CELLS, GATES, NUM_GATES, PARAM_NAMES, as_rng, check_cell, check_size, param_shapes
from . import gru, lstm, rnn

MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru}

__all__ = ["CELLS", "GATES", "NUM_GATES", "PARAM_NAMES", "MODULES", "init_params", "forward", "backward",
           "state_jacobian_batch"]


def init_params(cell, D, H, rng, *, forget_bias=0.0, dtype=np.float64):
    """PyTorch's initialisation: every weight and bias ~ U(−1/√H, 1/√H).

    cell: "rnn" | "lstm" | "gru"; D input size, H hidden size;
    rng: np.random.Generator or int seed. forget_bias (LSTM only) is added to
    the forget gate's bias_ih (Jozefowicz et al. 2015 recommend 1.0).
    dtype: a floating-point dtype (an integer one would round every weight to 0).
    Returns {weight_ih (G·H, D), weight_hh (G·H, H), bias_ih (G·H,), bias_hh (G·H,)}.
    """
    check_cell(cell)
    try:
        floating = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(f"dtype must be a floating-point dtype (float16, float32, float64), got {dtype!r}")
    D, H = check_size("D", D), check_size("H", H)
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be finite, got {forget_bias!r}")
    if forget_bias and cell != "lstm":
        raise ValueError(f"forget_bias applies to the LSTM only, not {cell!r}")
    rng = as_rng(rng)
    k = 1.0 / np.sqrt(H)
    params = {name: rng.uniform(-k, k, size=shape).astype(dtype)
              for name, shape in param_shapes(cell, D, H).items()}
    if cell == "lstm":
        params["bias_ih"][H:2 * H] += forget_bias
    return params


def forward(cell, params, xs, h0, c0=None, **opts):
    """Fast forward over a sequence: see `lstm.forward`. Returns (hs, cs, cache).

    No checks and no thread policy: use `gradflow.bptt.unroll`.
    """
    return MODULES[cell].forward(params, xs, h0, c0, **opts)


def backward(cell, dhs, cache, *, truncate=None):
    """Fast BPTT over a sequence: see `lstm.backward`. Returns a dict of gradients.

    No thread policy: use `gradflow.bptt.backprop`.
    """
    return MODULES[cell].backward(dhs, cache, truncate=truncate)


def state_jacobian_batch(cell, x, h_prev, c_prev, params, *, full=False, **opts):
    """∂h_t/∂h_{t−1} for N states at once: x (N, D), h_prev (N, H) -> (N, H, H).

    full=True: the Jacobian of the whole state, which for the LSTM is (h, c):
    (N, 2H, 2H), h first (see `lstm.state_jacobian`); the RNN and the GRU
    have no other state, so for them full changes nothing.
    The low-level formula (each cell module's `step_jacobian`); for a step of
    a Flow use `gradflow.jacobians.step_jacobian` / `state_jacobian`.
    """
    if full and cell == "lstm":
        return lstm.state_jacobian(x, h_prev, c_prev, params)
    return MODULES[cell].step_jacobian(x, h_prev, c_prev, params, **opts)
