"""A bidirectional layer: two chains of one cell, exact BPTT through both.

    forward chain   h_t^→ = cell(x_t, h_{t−1}^→)   t = 0 .. T−1,  h_{−1}^→ = h0[0]
    backward chain  h_t^← = cell(x_t, h_{t+1}^←)   t = T−1 .. 0,  h_T^←    = h0[1]
    output          out_t = concat(h_t^→, h_t^←)   (B, 2H), as PyTorch's bidirectional output

Each chain has its own parameters. The engine is `bptt.gradient_flow`, run
twice: once on xs, once on the time-reversed xs, whose results are reversed
back so that index t is step t of the sequence in both lanes.

The loss is implicit, as in `bptt`: its direct terms ∂L/∂out_t (B, 2H). With
mode="position" only out_p has one (a loss at one position p), split into the
halves ∂L/∂h_p^→ and ∂L/∂h_p^←; with mode="sum" every step has one.
Gradient only flows against each chain's direction, so for a loss at p:

    ∂L/∂h_t^→ = 0 exactly for t > p,   ∂L/∂h_t^← = 0 exactly for t < p,

and x_t gets its gradient from the forward chain (t ≤ p), from the
backward chain (t ≥ p), from both only at t = p.

Parameters: one dict with PyTorch's names, exactly the state_dict of
nn.RNN/LSTM/GRU(D, H, bidirectional=True) (one layer):
weight_ih_l0 (G·H, D), weight_hh_l0 (G·H, H), bias_ih_l0 (G·H,), bias_hh_l0 (G·H,)
and the same four with the suffix "_reverse" for the backward chain.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from . import cells
from .bptt import Flow, _array, _norm, make_upstream
from .bptt import gradient_flow as chain_flow
from .checks import PARAM_NAMES, as_rng, check_cell, param_shapes

MODES = ("position", "sum")
SUFFIXES = ("_l0", "_l0_reverse")  # forward chain, backward chain: PyTorch's key suffixes
NAMES = tuple(k + s for s in SUFFIXES for k in PARAM_NAMES)  # PyTorch's state_dict order

# Flow fields indexed by step on axis 0: reversed to put the backward chain in sequence order.
_TIME_FIELDS = ("xs", "hs", "cs", "dh", "dc", "dx", "dh_norm", "dc_norm", "dx_norm", "dh_prev_cell",
                "dh_prev_hidden", "dh_prev_cell_norm", "dh_prev_hidden_norm", "dW_contrib")


@dataclass(frozen=True)
class BiFlow:
    """Result of `gradient_flow`: both chains, every gradient, in sequence order.

    Shapes: T steps, B batch, D input, H hidden per chain.
    forward: the forward chain's Flow (step t reads x_t after h_{t−1}^→).
    backward: the backward chain's Flow in SEQUENCE order: hs[t] = h_t^←, the
      state after reading x_t (it has read x_t..x_{T−1}); dh[t] = ∂L/∂h_t^←;
      dh_prev_*[t] is the part of ∂L/∂h_{t+1}^← through step t; h0, dh0 are
      the state entering step T−1 and its gradient; first_nonfinite is a
      sequence step (T−1: the chain's first). Its block_starts stays (0,):
      one block, no truncation. For `gradflow.jacobians`, which reads a Flow
      in its own step order, use `backward_chain`.
    backward_chain: the same chain in its own step order (chain step s is
      sequence step T−1−s): the Flow `bptt.gradient_flow` returned.
    position: p of mode "position", None for "sum".
    upstream (T, B, 2H): the loss's direct terms ∂L/∂out_t.
    grads: PyTorch-named, same keys and shapes as params.
    dx (T, B, D): ∂L/∂x_t, the sum of both chains' input gradients.
    """

    cell: str
    mode: str
    position: int | None
    forward: Flow
    backward: Flow
    backward_chain: Flow
    upstream: np.ndarray  # (T, B, 2H)
    grads: dict
    dx: np.ndarray  # (T, B, D)
    finite: bool

    @property
    def T(self):
        return self.forward.T

    @property
    def out(self):
        """(T, B, 2H): the layer's output, PyTorch's `output`."""
        return np.concatenate([self.forward.hs, self.backward.hs], axis=2)

    @property
    def h_n(self):
        """(2, B, H): the final state of each chain, PyTorch's h_n (forward chain first)."""
        return np.stack([self.forward.hs[-1], self.backward.hs[0]])

    @property
    def c_n(self):
        """(2, B, H) LSTM cell states like `h_n`, else None."""
        return None if self.forward.cs is None else np.stack([self.forward.cs[-1], self.backward.cs[0]])


# --------------------------------------------------------------------------
# Parameters and PyTorch state dicts
# --------------------------------------------------------------------------
def init_params(cell, D, H, rng, *, forget_bias=0.0):
    """PyTorch's initialisation of both chains: every array ~ U(−1/√H, 1/√H).

    rng: np.random.Generator or int seed (the forward chain is drawn first);
    forget_bias (LSTM) is added to the forget gate's bias_ih of both chains.
    Returns {weight_ih_l0 (G·H, D), weight_hh_l0 (G·H, H), bias_ih_l0 (G·H,),
    bias_hh_l0 (G·H,), and the same with "_reverse"}: nn.RNN/LSTM/GRU(D, H,
    bidirectional=True).state_dict()'s keys, order and shapes.
    """
    rng = as_rng(rng)
    out = {}
    for suffix in SUFFIXES:
        chain = cells.init_params(cell, D, H, rng, forget_bias=forget_bias)
        out.update({k + suffix: v for k, v in chain.items()})
    return out


def split(params):
    """PyTorch-named bidirectional params -> (forward, backward) dicts with the engine's names.

    Checks the keys only (the engine checks the shapes); arrays are not copied.
    """
    if not isinstance(params, dict) or set(params) != set(NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(NAMES)} "
                         f"(a bidirectional layer's PyTorch names), got {got}")
    return tuple({k: params[k + s] for k in PARAM_NAMES} for s in SUFFIXES)


def join(forward, backward):
    """(forward, backward) dicts with the engine's names -> one PyTorch-named dict."""
    return {k + s: chain[k] for s, chain in zip(SUFFIXES, (forward, backward)) for k in PARAM_NAMES}


def _check_shapes(cell, params):
    """Both chains' shapes against `cell`'s table; returns (D, H)."""
    fwd, _ = split(params)
    w_hh = np.shape(fwd["weight_hh"])
    G = cells.NUM_GATES[check_cell(cell)]
    if len(w_hh) != 2 or w_hh[1] < 1 or w_hh[0] != G * w_hh[1] or len(np.shape(fwd["weight_ih"])) != 2:
        raise ValueError(f"weight_hh_l0 has shape {w_hh}, expected ({G}·H, H) for the {cell}")
    D, H = np.shape(fwd["weight_ih"])[1], w_hh[1]
    for name, shape in param_shapes(cell, D, H).items():
        for s in SUFFIXES:
            if np.shape(params[name + s]) != shape:
                raise ValueError(f"{name + s} has shape {np.shape(params[name + s])}, expected {shape}")
    return D, H


def to_torch_state_dict(params):
    """Our params -> nn.RNN/LSTM/GRU(bidirectional=True)'s state dict: the same names, copied.

    The names are already PyTorch's, so this only checks the keys and copies.
    Load into torch: ``m.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})``.
    """
    split(params)
    return {k: np.array(params[k], copy=True) for k in NAMES}


def from_torch_state_dict(sd, cell=None):
    """A one-layer bidirectional state dict (NumPy arrays) -> our params: the same names, copied.

    Read a torch module with ``{k: v.detach().cpu().numpy() for k, v in m.state_dict().items()}``.
    cell: checks the shapes against that cell's table when given.
    """
    params = {k: np.array(v, copy=True) for k, v in sd.items()} if isinstance(sd, dict) else sd
    split(params)
    if cell is not None:
        _check_shapes(cell, params)
    return params


# --------------------------------------------------------------------------
# BPTT through both chains
# --------------------------------------------------------------------------
def _reversed(flow):
    """The backward chain's Flow in sequence order: every per-step field reversed on axis 0 (views)."""
    T = flow.T
    fields = {f: None if getattr(flow, f) is None else getattr(flow, f)[::-1] for f in _TIME_FIELDS}
    fields["gates"] = {g: a[::-1] for g, a in flow.gates.items()}
    first = None if flow.first_nonfinite is None else T - 1 - flow.first_nonfinite
    return dataclasses.replace(flow, first_nonfinite=first, **fields)


def _position(position, T, mode):
    if mode == "sum":
        if position is not None:
            raise ValueError(f"mode 'sum' puts a loss at every step: position must be None, got {position!r}")
        return None
    if position is None:
        return T // 2  # the middle: the two chains' lanes are then about equally long
    if isinstance(position, (bool, np.bool_)) or not isinstance(position, (int, np.integer)) \
            or not 0 <= position < T:
        raise ValueError(f"position must be an integer in 0..{T - 1}, got {position!r}")
    return int(position)


def gradient_flow(cell, params, xs, position=None, *, mode="position", rng=None, upstream=None,
                  h0=None, c0=None, nonlinearity="tanh", variant="pytorch"):
    """Exact BPTT through a bidirectional layer of `cell` for a loss at `position` (or at every step).

    cell: "rnn" | "lstm" | "gru"; params: PyTorch-named (see `init_params`); xs (T, B, D).
    mode "position": the loss's only direct term is ∂L/∂out_p = upstream (B, 2H)
      at p = position (None: T // 2, the middle);
    mode "sum": ∂L/∂out_t = upstream[t] at every step, upstream (T, B, 2H); position must be None.
    upstream None: a random unit vector of size 2H per batch row (and step), drawn from rng
    (Generator or int seed), as `bptt.make_upstream` draws them.
    h0, c0 (2, B, H): initial states, PyTorch's layout (forward chain first); zeros by default.
    nonlinearity (RNN), variant (GRU): as in `bptt.gradient_flow`. Runs in float64.
    Returns a BiFlow; overflow never raises: BiFlow.finite and each chain's Flow mark it.
    """
    check_cell(cell)
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    fwd_params, bwd_params = split(params)
    _, H = _check_shapes(cell, params)
    xs = _array("xs", xs, (None, None, None))
    T, B, _ = xs.shape
    if T < 1 or B < 1:
        raise ValueError(f"xs has shape {xs.shape}: T and B must be ≥ 1")
    p = _position(position, T, mode)

    if mode == "sum":
        up = (make_upstream(T, B, 2 * H, "sum", rng) if upstream is None
              else _array("upstream", upstream, (T, B, 2 * H)))  # (T, B, 2H)
    else:
        u = (make_upstream(1, B, 2 * H, "last", rng)[0] if upstream is None
             else _array("upstream", upstream, (B, 2 * H)))  # (B, 2H)
        up = np.zeros((T, B, 2 * H))
        up[p] = u
    if c0 is not None and cell != "lstm":
        raise ValueError(f"c0 is for the LSTM only; the {cell} has no cell state")
    h0 = None if h0 is None else _array("h0", h0, (2, B, H))
    c0 = None if c0 is None else _array("c0", c0, (2, B, H))

    opts = dict(nonlinearity=nonlinearity, variant=variant)
    fwd = chain_flow(cell, fwd_params, xs, np.ascontiguousarray(up[:, :, :H]),
                     None if h0 is None else h0[0], None if c0 is None else c0[0], **opts)
    chain = chain_flow(cell, bwd_params, np.ascontiguousarray(xs[::-1]),  # reads x_{T−1} first
                       np.ascontiguousarray(up[::-1, :, H:]),
                       None if h0 is None else h0[1], None if c0 is None else c0[1], **opts)
    bwd = _reversed(chain)
    return BiFlow(cell=cell, mode=mode, position=p, forward=fwd, backward=bwd, backward_chain=chain,
                  upstream=up, grads=join(fwd.grads, chain.grads), dx=fwd.dx + bwd.dx,
                  finite=fwd.finite and chain.finite)


def graph_lanes(biflow, b=None):
    """Per-step arrays for drawing the two lanes of a BiFlow, in sequence order.

    b: a batch row, or None for norms over the whole batch (over (B, H)).
    Returns fwd_dh_norm, bwd_dh_norm (T,) ‖∂L/∂h_t‖ of each chain; fwd_dc_norm,
    bwd_dc_norm (T,) ‖∂L/∂c_t‖ (LSTM, else None); dx_norm (T,) ‖∂L/∂x_t‖ of the
    two chains together; position (None for mode "sum"), mode, cell, T.
    For mode "position", fwd_* is exactly 0 at t > position and bwd_* at t < position.
    """
    if not isinstance(biflow, BiFlow):
        raise ValueError(f"biflow must be a BiFlow (from bidir.gradient_flow), got {type(biflow).__name__}")
    B = biflow.dx.shape[1]
    if b is not None and (isinstance(b, (bool, np.bool_)) or not isinstance(b, (int, np.integer))
                          or not 0 <= b < B):
        raise ValueError(f"b={b!r} is outside 0..{B - 1}")
    T = biflow.T

    def lane(a):  # (T, B, K) -> (T,)
        if a is None:
            return None
        return _norm(a[:, b]) if b is not None else _norm(a.reshape(T, -1))

    f, r = biflow.forward, biflow.backward
    return {"fwd_dh_norm": lane(f.dh), "bwd_dh_norm": lane(r.dh),
            "fwd_dc_norm": lane(f.dc), "bwd_dc_norm": lane(r.dc), "dx_norm": lane(biflow.dx),
            "position": biflow.position, "mode": biflow.mode, "cell": biflow.cell, "T": T}
