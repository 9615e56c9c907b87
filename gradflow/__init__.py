"""gradflow: exact backpropagation through time for teaching recurrent networks.

Shape legend, used in every docstring and shape comment:
    T time steps, B batch, D input size, H hidden size, V vocabulary, E embedding,
    G gates per cell (RNN 1, LSTM 4 in the order i, f, g, o, GRU 3 in the order r, z, n).

Parameters and gradients are dicts with PyTorch's names and shapes:
weight_ih (G·H, D), weight_hh (G·H, H), bias_ih (G·H,), bias_hh (G·H,).

    >>> import numpy as np, gradflow as gf
    >>> rng = np.random.default_rng(0)
    >>> params = gf.init_params("lstm", D=8, H=16, rng=rng)
    >>> xs = rng.standard_normal((50, 1, 8))                  # (T, B, D)
    >>> flow = gf.gradient_flow("lstm", params, xs, gf.make_upstream(50, 1, 16, "last", rng))
    >>> flow.dh_norm.shape                                    # ‖∂L/∂h_t‖ per step
    (50, 1)

The engine's modules: `checks` (names, shapes, argument checks; a leaf), `cells` (one file
per cell: one-step reference and fast time loops), `bptt` (the engine),
`jacobians` (step Jacobians of a Flow), `spectral` (matrices with a chosen
spectrum, theory curves), `clipping`, `cliff`, `interop`.

Importing gradflow imports NumPy only (no streamlit, no plotly).
"""

from .bptt import Flow, backprop, gradient_flow, make_upstream, sweep, unroll
from .cells import init_params
from .checks import CELLS, GATES

__all__ = ["CELLS", "GATES", "Flow", "backprop", "gradient_flow", "init_params", "make_upstream", "sweep",
           "unroll"]
__version__ = "0.1.0"
