"""BPTT through depth as well as time: L stacked layers of one cell.

Layer l (l = 0 … L−1) is a whole recurrent layer run by the engine's time
loops (`bptt.unroll` / `bptt.backprop`); the layers talk through their
output sequences. With h^(l) (T, B, H) layer l's hidden states, u^(l) its
input and y^(l) its output (what the layer above reads):

    u^(0) = x                                            (T, B, D)
    "none"      u^(l) = y^(l−1),  y^(l) = h^(l)          PyTorch's num_layers = L
    "residual"  u^(l) = y^(l−1),  y^(l) = h^(l) + y^(l−1)               (l ≥ 1)
    "dense"     u^(l) = [x, h^(0), …, h^(l−1)] (concatenated), y^(l) = h^(l)
    "highway"   u^(l) = y^(l−1),  y^(l) = g ⊙ h^(l) + (1 − g) ⊙ y^(l−1)  (l ≥ 1)
                g = σ(y^(l−1) W_gᵀ + b_g), per step; b_g < 0 favours carrying y^(l−1)

Layer 0 reads x, whose width D differs from H in general, so it has no skip:
y^(0) = h^(0) for every connection. The loss reads the top output y^(L−1):
L = Σ_t ⟨upstream_t, y_t^(L−1)⟩ (`bptt.make_upstream` builds upstream).

Parameters: PyTorch's stacked names, `weight_ih_l{k}` (G·H, D_k), `weight_hh_l{k}`
(G·H, H), `bias_ih_l{k}`, `bias_hh_l{k}` (G·H,), with D_0 = D and D_k = H for
k ≥ 1, except "dense": D_k = D + k·H (the concatenation). "highway" adds, for
k ≥ 1, `weight_gate_l{k}` (H, H) and `bias_gate_l{k}` (H,). With "none" the
dict is a `torch.nn.RNN/LSTM/GRU(num_layers=L).state_dict()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import cells, spectral
from .bptt import _array, _norm, _options, backprop, check_params, make_upstream, unroll
from .checks import NUM_GATES, PARAM_NAMES, as_rng, check_cell, check_size, param_shapes

CONNECTIONS = ("none", "residual", "dense", "highway")
HIGHWAY_NAMES = ("weight_gate", "bias_gate")


@dataclass(frozen=True)
class StackFlow:
    """Result of `gradient_flow`: every layer's states and exact gradients at every step.

    Shapes: L layers, T steps, B batch, D input, H hidden. LSTM-only fields are
    None for the other cells; highway_gates is None but for "highway".
    """

    cell: str
    connection: str
    options: dict  # nonlinearity, variant
    xs: np.ndarray  # (T, B, D) inputs
    hs: np.ndarray  # (L, T, B, H) h_t^(l)
    ys: np.ndarray  # (L, T, B, H) layer outputs y_t^(l) (= hs for "none" and "dense")
    cs: np.ndarray | None  # (L, T, B, H) LSTM cell states
    highway_gates: np.ndarray | None  # (L, T, B, H) g_t^(l); layer 0 is all ones (y^(0) = h^(0))
    dh: np.ndarray  # (L, T, B, H) total ∂L/∂h_t^(l): from later steps and from the layers above
    dc: np.ndarray | None  # (L, T, B, H) total ∂L/∂c_t^(l)
    dx: np.ndarray  # (T, B, D) ∂L/∂x_t
    dh0: np.ndarray  # (L, B, H)
    dc0: np.ndarray | None  # (L, B, H)
    grads: dict  # same keys and shapes as params
    dh_norm: np.ndarray  # (L, T, B) ‖∂L/∂h_t^(l)‖
    dc_norm: np.ndarray | None  # (L, T, B)
    finite: bool  # every state and gradient is finite

    @property
    def L(self):
        return self.hs.shape[0]

    @property
    def T(self):
        return self.hs.shape[1]


def _sigmoid(z):
    return 0.5 * np.tanh(0.5 * z) + 0.5  # never overflows


def _check_connection(connection):
    if not isinstance(connection, str) or connection not in CONNECTIONS:
        raise ValueError(f"unknown connection {connection!r}: expected one of {', '.join(CONNECTIONS)}")
    return connection


def input_size(connection, k, D, H):
    """D_k, the input width of layer k: D for k = 0, D + k·H for "dense", else H."""
    return D if k == 0 else D + k * H if connection == "dense" else H


def stack_shapes(cell, L, D, H, connection="none"):
    """{name: shape} of a stack's parameters, layer 0 first, PyTorch's `_l{k}` names."""
    _check_connection(connection)
    shapes = {}
    for k in range(check_size("L", L)):
        for name, shape in param_shapes(cell, input_size(connection, k, D, H), H).items():
            shapes[f"{name}_l{k}"] = shape
        if connection == "highway" and k >= 1:
            shapes[f"weight_gate_l{k}"], shapes[f"bias_gate_l{k}"] = (H, H), (H,)
    return shapes


def layer(params, k):
    """Layer k's cell parameters under their one-layer names (weight_ih, weight_hh, bias_ih, bias_hh)."""
    return {name: params[f"{name}_l{k}"] for name in PARAM_NAMES}


def init_stack(cell, L, D, H, rng, *, connection="none", highway_bias=-2.0, forget_bias=0.0):
    """PyTorch's initialisation for every layer (U(−1/√H, 1/√H)), layer 0 first.

    rng: np.random.Generator or int seed. forget_bias (LSTM): added to each
    layer's forget-gate bias_ih. highway_bias ("highway" only): the constant
    bias_gate; negative favours carrying the layer's input (Srivastava et al.
    2015 use −1 to −3). weight_gate ~ U(−1/√H, 1/√H).
    """
    check_cell(cell)
    L, D, H = check_size("L", L), check_size("D", D), check_size("H", H)
    _check_connection(connection)
    rng = as_rng(rng)
    params = {}
    for k in range(L):
        one = cells.init_params(cell, input_size(connection, k, D, H), H, rng, forget_bias=forget_bias)
        params.update({f"{name}_l{k}": one[name] for name in PARAM_NAMES})
        if connection == "highway" and k >= 1:
            params[f"weight_gate_l{k}"] = rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), (H, H))
            params[f"bias_gate_l{k}"] = np.full(H, float(highway_bias))
    return params


def _check_stack(cell, params, D, connection):
    """Validated float64 params; returns (params, L, H)."""
    if not isinstance(params, dict) or "weight_hh_l0" not in params:
        raise ValueError("params must be a dict with PyTorch's stacked names (weight_hh_l0, …): see init_stack")
    L = sum(1 for k in params if k.startswith("weight_hh_l"))
    H = np.shape(params["weight_hh_l0"])[-1]
    shapes = stack_shapes(cell, L, D, H, connection)
    if set(params) != set(shapes):
        raise ValueError(f"params for {L} {connection!r} layers must have keys {sorted(shapes)}, got {sorted(params)}")
    out = {}
    for k in range(L):
        one, _, _ = check_params(cell, layer(params, k), input_size(connection, k, D, H))
        out.update({f"{name}_l{k}": one[name] for name in PARAM_NAMES})
        for name in HIGHWAY_NAMES if connection == "highway" and k >= 1 else ():
            key = f"{name}_l{k}"
            out[key] = _array(key, params[key], shapes[key])
    return {key: out[key] for key in shapes}, L, H


def gradient_flow(cell, params, xs, upstream, h0=None, c0=None, *, connection="none",
                  nonlinearity="tanh", variant="pytorch"):
    """Exact BPTT through time and depth for L = Σ_t ⟨upstream_t, y_t^(L−1)⟩.

    cell: "rnn" | "lstm" | "gru"; params from `init_stack` (same connection);
    xs (T, B, D); upstream (T, B, H): the direct terms at the top output;
    h0, c0 (L, B, H), zeros by default (c0 LSTM only); nonlinearity (RNN),
    variant (GRU) as in `bptt.gradient_flow`. Runs in float64; returns a StackFlow.
    """
    connection = _check_connection(connection)
    xs = _array("xs", xs, (None, None, None))
    T, B, D = xs.shape
    if T < 1 or B < 1 or D < 1:
        raise ValueError(f"xs has shape {xs.shape}: T, B and D must be ≥ 1")
    opts = _options(cell, nonlinearity, variant, None, T)
    del opts["truncate"]
    params, L, H = _check_stack(cell, params, D, connection)
    upstream = _array("upstream", upstream, (T, B, H))
    h0 = np.zeros((L, B, H)) if h0 is None else _array("h0", h0, (L, B, H))
    if cell == "lstm":
        c0 = np.zeros((L, B, H)) if c0 is None else _array("c0", c0, (L, B, H))
    elif c0 is not None:
        raise ValueError(f"c0 is for the LSTM only; the {cell} has no cell state")
    lstm = cell == "lstm"

    with np.errstate(all="ignore"):  # overflow is reported by the finite flag
        # Forward, bottom to top.
        hs, cs, ys, gs, caches = [], [], [], [np.ones((T, B, H))], []
        for k in range(L):
            u = xs if k == 0 else np.concatenate([xs, *hs], axis=2) if connection == "dense" else ys[-1]  # (T, B, D_k)
            h, c, cache = unroll(cell, layer(params, k), u, h0[k], c0[k] if lstm else None, **opts)
            if k == 0 or connection in ("none", "dense"):
                y = h
            elif connection == "residual":
                y = h + ys[-1]
            else:  # highway
                g = _sigmoid(ys[-1] @ params[f"weight_gate_l{k}"].T + params[f"bias_gate_l{k}"])  # (T, B, H)
                gs.append(g)
                y = g * h + (1 - g) * ys[-1]
            hs.append(h)
            cs.append(c)
            ys.append(y)
            caches.append(cache)

        # Backward, top to bottom: gy[k] is the total ∂L/∂y^(k) once every layer above is done.
        gy = [np.zeros((T, B, H)) for _ in range(L)]
        gy[-1] = upstream.copy()
        dx = np.zeros((T, B, D))
        grads, dh, dc, dh0, dc0 = {}, [None] * L, [None] * L, [None] * L, [None] * L
        for k in reversed(range(L)):
            direct = gy[k] * gs[k] if connection == "highway" and k >= 1 else gy[k]  # ∂L/∂h^(k), direct
            back = backprop(cell, direct, caches[k])
            for name in PARAM_NAMES:
                grads[f"{name}_l{k}"] = back["grads"][name]
            dh[k], dc[k], dh0[k], dc0[k] = back["dh"], back["dc"], back["dh0"], back["dc0"]
            du = back["dx"]  # (T, B, D_k) ∂L/∂u^(k)
            if k == 0:
                dx += du
            elif connection == "none":
                gy[k - 1] += du
            elif connection == "residual":
                gy[k - 1] += gy[k] + du
            elif connection == "dense":
                dx += du[:, :, :D]
                for j in range(k):
                    gy[j] += du[:, :, D + j * H:D + (j + 1) * H]
            else:  # highway: y = g ⊙ h + (1 − g) ⊙ y_prev, g = σ(y_prev W_gᵀ + b_g)
                g, y_prev = gs[k], ys[k - 1]
                da = gy[k] * (hs[k] - y_prev) * g * (1 - g)  # (T, B, H) ∂L/∂(gate pre-activation)
                grads[f"weight_gate_l{k}"] = da.reshape(T * B, H).T @ y_prev.reshape(T * B, H)
                grads[f"bias_gate_l{k}"] = da.sum(axis=(0, 1))
                gy[k - 1] += gy[k] * (1 - g) + da @ params[f"weight_gate_l{k}"] + du

        grads = {key: grads[key] for key in params}  # the params' order
        dh, hs_a, ys_a = np.stack(dh), np.stack(hs), np.stack(ys)  # (L, T, B, H)
        dc = np.stack(dc) if lstm else None
        arrays = [hs_a, ys_a, dh, dx, *grads.values()] + ([np.stack(cs), dc] if lstm else [])
        flow = StackFlow(
            cell=cell, connection=connection, options=opts, xs=xs, hs=hs_a, ys=ys_a,
            cs=np.stack(cs) if lstm else None,
            highway_gates=np.stack(gs) if connection == "highway" else None,
            dh=dh, dc=dc, dx=dx, dh0=np.stack(dh0), dc0=np.stack(dc0) if lstm else None, grads=grads,
            dh_norm=_norm(dh), dc_norm=_norm(dc) if lstm else None,
            finite=all(np.isfinite(a).all() for a in arrays))
    return flow


def depth_time_map(flow, state="h"):
    """log10 ‖∂L/∂h_t^(l)‖ (state="c": ‖∂L/∂c_t^(l)‖, LSTM) as an (L, T) array.

    The norm is over batch and hidden units together; an exactly zero gradient gives −inf.
    """
    if not isinstance(flow, StackFlow):
        raise ValueError(f"flow must be a StackFlow (from stack.gradient_flow), got {type(flow).__name__}")
    if state not in ("h", "c") or (state == "c" and flow.dc is None):
        raise ValueError(f"state must be 'h' (or 'c' for the LSTM), got {state!r} for the {flow.cell}")
    norms = flow.dh_norm if state == "h" else flow.dc_norm  # (L, T, B)
    with np.errstate(divide="ignore"):
        return np.log10(_norm(norms))  # (L, T)


def depth_ratio(flow, t=-1):
    """‖∂L/∂h_t^(0)‖ / ‖∂L/∂h_t^(L−1)‖: how much of the top layer's gradient reaches the bottom at step t."""
    n = _norm(flow.dh_norm[:, t])  # (L,) over the batch
    return float(n[0] / n[-1])


def random_problem(cell, L, D, H, T, rng, *, B=1, rho=1.0, kind="orthogonal", connection="none",
                   input_scale=1.0, ih_scale=1.0, loss="last", highway_bias=-2.0, forget_bias=0.0):
    """(params, xs, upstream) for a random stack, every draw from one rng in this order:

    `init_stack` (PyTorch's init, layer 0 first; every weight_ih then multiplied
    by ih_scale, 1 keeping PyTorch's), then each layer's G gate blocks of
    weight_hh replaced by ρ · a radius-1 matrix of `kind` (layer 0 first, gate
    order), then xs = input_scale · N(0, 1) (T, B, D), then the upstream
    (T, B, H) of `bptt.make_upstream(T, B, H, loss)`.
    """
    rng = as_rng(rng)
    params = init_stack(cell, L, D, H, rng, connection=connection, highway_bias=highway_bias,
                        forget_bias=forget_bias)
    for k in range(L):
        blocks = [spectral.base_recurrent_matrix(H, kind, rng) for _ in range(NUM_GATES[cell])]
        params[f"weight_hh_l{k}"] = rho * np.concatenate(blocks)  # (G·H, H)
        params[f"weight_ih_l{k}"] = ih_scale * params[f"weight_ih_l{k}"]
    xs = input_scale * rng.standard_normal((check_size("T", T), check_size("B", B), D))  # (T, B, D)
    return params, xs, make_upstream(T, B, H, loss, rng)


def preset_settings():
    """The two lecture presets: keyword arguments of `random_problem` (rng = seed) and the connection.

    "depth_vanishing": 8 plain tanh layers; at the last step the bottom layer gets
    ≤ 1e-3 of the top layer's ‖∂L/∂h‖ (`depth_ratio`; 6.9e-5 at seed 0). Each layer
    passes back W_ihᵀ diag(tanh'). PyTorch's W_ih ~ U(−1/√H, 1/√H) has
    ‖W_ihᵀ v‖ ≈ ‖v‖/√3 for a random v: with it, at ρ = 1, 7 layers keep ≈ 5e-3
    (tanh' ≈ 0.85), not 1e-3; at half that scale (ih_scale = 0.5) ≈ 1e-4.
    ρ = 1 keeps the time direction tame (ρ = 2 also reaches 1e-3 in depth, but
    its gradient grows over 1e3-fold back in time).
    "depth_residual": the same with residual connections; the ratio is ≥ 0.1
    (1.37 at seed 0): the identity path y^(l) = h^(l) + y^(l−1) hands ∂L/∂y down whole.
    """
    common = {"cell": "rnn", "L": 8, "D": 64, "H": 64, "T": 50, "B": 1, "rho": 1.0, "kind": "orthogonal",
              "ih_scale": 0.5, "loss": "last", "seed": 0}
    return {"depth_vanishing": {**common, "connection": "none"},
            "depth_residual": {**common, "connection": "residual"}}
