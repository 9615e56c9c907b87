"""Converters between gradflow parameters, PyTorch state dicts and DLFS2 layouts.

Plain NumPy: every function takes and returns arrays (torch is never needed).
To read a torch module: ``{k: v.detach().cpu().numpy() for k, v in m.state_dict().items()}``.

gradflow params (PyTorch's names and shapes; G gate blocks of H rows each):
    weight_ih (G*H, D), weight_hh (G*H, H), bias_ih (G*H,), bias_hh (G*H,)
    G = 1 rnn, 4 lstm (i, f, g, o), 3 gru (r, z, n).

DLFS2 (the course notes' code) multiplies from the right, x @ Wx:
    rnn   Wx (D, H),   Wh (H, H),   b (H,)            h = tanh(x Wx + h Wh + b)
    lstm  Wx (D, 4H),  Wh (H, 4H),  b (4H,)   gates in the order f, g, i, o
    gru   Wx (D, 3H),  Wh (H, 3H),  no bias   gates in the order z, r, h_hat
          z = σ(x Wxz + h Whz), r = σ(x Wxr + h Whr),
          h_hat = tanh(x Wxh + (r ⊙ h) Whh), h' = (1 − z) ⊙ h + z ⊙ h_hat.
DLFS2's z is PyTorch's 1 − z; since σ(−a) = 1 − σ(a) the converters negate
the z block. r is applied before the recurrent matmul, so a DLFS2 GRU is
gradflow's "cho" GRU variant with zero biases.

PyTorch -> DLFS2 adds bias_ih + bias_hh into b (only their sum matters), so
that direction preserves outputs, not arrays; DLFS2 -> PyTorch puts b into
bias_ih and zeros into bias_hh, so DLFS2 -> PyTorch -> DLFS2 is the identity.
All outputs are new arrays; inputs are never mutated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from .checks import NUM_GATES, PARAM_NAMES, check_cell

# For each DLFS2 gate block (in DLFS2's order), the PyTorch block index it
# comes from. LSTM: DLFS2 (f, g, i, o) from PyTorch (i, f, g, o).
# GRU: DLFS2 (z, r, h_hat) from PyTorch (r, z, n).
_DLFS2_FROM_TORCH = {"rnn": (0,), "lstm": (1, 2, 0, 3), "gru": (1, 0, 2)}
# Sign applied to each DLFS2 block: the GRU's z gate is negated (σ(−a) = 1 − σ(a)).
_DLFS2_SIGN = {"rnn": (1.0,), "lstm": (1.0, 1.0, 1.0, 1.0), "gru": (-1.0, 1.0, 1.0)}
_DLFS2_KEYS = {"rnn": ("Wx", "Wh", "b"), "lstm": ("Wx", "Wh", "b"), "gru": ("Wx", "Wh")}


def _check_keys(d, expected, what: str) -> None:
    if not isinstance(d, Mapping):
        raise ValueError(f"{what} must be a dict with keys {list(expected)}, got {type(d).__name__}")
    missing = [k for k in expected if k not in d]
    unknown = [k for k in d if k not in expected]
    if missing or unknown:
        raise ValueError(f"{what}: missing keys {missing}, unknown keys {unknown}; expected {list(expected)}")


def _float_array(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if not np.issubdtype(a.dtype, np.floating):
        raise ValueError(f"{name} must be a floating-point array, got dtype {a.dtype}")
    return a


def _check_params(params, what: str = "params", G: int | None = None):
    """Validate a gradflow params dict; return (arrays dict, G, D, H)."""
    _check_keys(params, PARAM_NAMES, what)
    p = {k: _float_array(params[k], f"{what}[{k!r}]") for k in PARAM_NAMES}
    w_hh = p["weight_hh"]
    if w_hh.ndim != 2 or w_hh.shape[1] == 0 or w_hh.shape[0] % w_hh.shape[1]:
        raise ValueError(f"{what}['weight_hh'] must have shape (G*H, H), got {w_hh.shape}")
    H = w_hh.shape[1]
    g = w_hh.shape[0] // H
    if g not in NUM_GATES.values():
        raise ValueError(f"{what}['weight_hh'] has {g} gate blocks; expected 1 (rnn), 4 (lstm) or 3 (gru)")
    if G is not None and g != G:
        raise ValueError(f"{what}['weight_hh'] has shape {w_hh.shape}; expected ({G}*H, H) = ({G * H}, {H})")
    w_ih = p["weight_ih"]
    if w_ih.ndim != 2 or w_ih.shape[0] != g * H:
        raise ValueError(f"{what}['weight_ih'] must have shape ({g * H}, D), got {w_ih.shape}")
    for k in ("bias_ih", "bias_hh"):
        if p[k].shape != (g * H,):
            raise ValueError(f"{what}[{k!r}] must have shape ({g * H},), got {p[k].shape}")
    return p, g, w_ih.shape[1], H


# --------------------------------------------------------------------------- #
# PyTorch state dicts (nn.RNN / nn.LSTM / nn.GRU, unidirectional, stacked)
# --------------------------------------------------------------------------- #

def to_torch_state_dict(layers, prefix: str = "") -> dict:
    """Stacked-layer params -> a PyTorch nn.RNN/LSTM/GRU state dict.

    Inputs:
    - layers: list of params dicts, layer 0 first; layer l > 0 takes layer
      l-1's output, so its weight_ih is (G*H, H).
    - prefix: prepended to every key (e.g. "rnn." for a submodule).

    Returns dict "{prefix}weight_ih_l0", "{prefix}weight_hh_l0",
    "{prefix}bias_ih_l0", "{prefix}bias_hh_l0", ... "_l1", ... (copies).
    """
    if isinstance(layers, Mapping) or not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError("layers must be a non-empty list of params dicts (one per layer)")
    sd = {}
    G0 = H0 = None
    for l, params in enumerate(layers):
        p, G, D, H = _check_params(params, f"layers[{l}]", G0)
        if l == 0:
            G0, H0 = G, H
        elif H != H0 or D != H0:
            raise ValueError(f"layers[{l}] must have H = {H0} and input size D = {H0} "
                             f"(the previous layer's H), got H = {H}, D = {D}")
        for k in PARAM_NAMES:
            sd[f"{prefix}{k}_l{l}"] = p[k].copy()
    return sd


def from_torch_state_dict(sd, prefix: str = "") -> list[dict]:
    """A PyTorch nn.RNN/LSTM/GRU state dict -> list of params dicts, layer 0 first.

    The number of layers is inferred from the keys. Keys that are not
    "{prefix}(weight_ih|weight_hh|bias_ih|bias_hh)_l<k>" (e.g. bidirectional
    "_reverse" or proj_size "weight_hr" keys), layer numbers k not written as
    PyTorch writes them (ASCII digits, no leading zero: "_l00" would overwrite
    "_l0") and missing keys raise ValueError naming them; shapes are
    validated as in to_torch_state_dict.
    Arrays are copied (dtype kept).
    """
    if not isinstance(sd, Mapping) or not sd:
        raise ValueError("state dict must be a non-empty dict name -> array")
    # Canonical layer numbers only (PyTorch writes "_l0", "_l12"): "_l00" or "_l٣" would name
    # layer 0 or 3 a second time and silently overwrite it.
    pattern = re.compile(re.escape(prefix) + r"(weight_ih|weight_hh|bias_ih|bias_hh)_l(0|[1-9][0-9]*)")
    found, unknown = {}, []
    for key in sd:
        m = pattern.fullmatch(key) if isinstance(key, str) else None
        if m is None:
            unknown.append(key)
        else:
            found[(int(m.group(2)), m.group(1))] = sd[key]
    if unknown:
        raise ValueError(f"unknown state-dict keys {unknown}; expected {prefix}weight_ih_l<k>, "
                         f"{prefix}weight_hh_l<k>, {prefix}bias_ih_l<k>, {prefix}bias_hh_l<k> "
                         "with k = 0, 1, 2, ... without leading zeros (unidirectional, no projection)")
    n_layers = max(l for l, _ in found) + 1
    # Look for gaps in the first len(found) + 1 layers only: they hold one whenever any layer is
    # incomplete, and a stray key like weight_ih_l1000000000 must not build a list per layer.
    missing = [f"{prefix}{k}_l{l}" for l in range(min(n_layers, len(found) + 1)) for k in PARAM_NAMES
               if (l, k) not in found]
    if missing:
        raise ValueError(f"missing state-dict keys {missing}; the keys name layers 0..{n_layers - 1}")
    layers = [{k: np.array(found[(l, k)], copy=True) for k in PARAM_NAMES} for l in range(n_layers)]
    to_torch_state_dict(layers)  # validates shapes and layer chaining
    return layers


# --------------------------------------------------------------------------- #
# DLFS2 layouts
# --------------------------------------------------------------------------- #

def to_dlfs2(cell: str, params) -> dict:
    """gradflow params -> DLFS2 arrays for one layer.

    Inputs:
    - cell: "rnn", "lstm" or "gru".
    - params: dict weight_ih (G*H, D), weight_hh (G*H, H), bias_ih, bias_hh (G*H,).

    Returns {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)} in DLFS2's gate
    order (see the module docstring); for "gru" only Wx and Wh. b is
    bias_ih + bias_hh. A GRU keeps its outputs only as gradflow's "cho"
    variant (r before the recurrent matmul, as in DLFS2), and one with a
    non-zero bias raises ValueError: the DLFS2 GRU has no bias.
    """
    G = NUM_GATES[check_cell(cell)]
    p, _, _, H = _check_params(params, G=G)
    if cell == "gru":
        nonzero = [k for k in ("bias_ih", "bias_hh") if np.any(p[k] != 0)]
        if nonzero:
            raise ValueError(f"a GRU with non-zero biases ({', '.join(nonzero)}) cannot become a "
                             "DLFS2 GRU, which has no biases")
    bias = p["bias_ih"].astype(np.result_type(p["bias_ih"], p["bias_hh"])) + p["bias_hh"]

    def blocks(a):  # (G*H, ...) in PyTorch order -> list of DLFS2-ordered, signed blocks
        return [s * a[j * H:(j + 1) * H] for j, s in zip(_DLFS2_FROM_TORCH[cell], _DLFS2_SIGN[cell])]

    out = {"Wx": np.concatenate(blocks(p["weight_ih"]), axis=0).T.copy(),  # (D, G*H)
           "Wh": np.concatenate(blocks(p["weight_hh"]), axis=0).T.copy()}  # (H, G*H)
    if cell != "gru":
        out["b"] = np.concatenate(blocks(bias))  # (G*H,)
    return out


def from_dlfs2(cell: str, dlfs2_params) -> dict:
    """DLFS2 arrays for one layer -> gradflow params (PyTorch layout).

    Inputs:
    - cell: "rnn", "lstm" or "gru".
    - dlfs2_params: {"Wx": (D, G*H), "Wh": (H, G*H), "b": (G*H,)}; for "gru"
      only Wx and Wh (DLFS2's gate orders, see the module docstring).

    Returns params with bias_ih = b (reordered) and bias_hh = 0, so that
    to_dlfs2(cell, from_dlfs2(cell, d)) equals d. A GRU maps to gradflow's
    "cho" variant (run it with variant="cho") with zero biases.
    """
    G = NUM_GATES[check_cell(cell)]
    keys = _DLFS2_KEYS[cell]
    _check_keys(dlfs2_params, keys, f"DLFS2 {cell} params")
    d = {k: _float_array(dlfs2_params[k], f"DLFS2 {k}") for k in keys}
    Wx, Wh = d["Wx"], d["Wh"]
    if Wh.ndim != 2 or Wh.shape[1] != G * Wh.shape[0] or Wh.shape[0] == 0:
        raise ValueError(f"DLFS2 Wh must have shape (H, {G}*H), got {Wh.shape}")
    H = Wh.shape[0]
    if Wx.ndim != 2 or Wx.shape[1] != G * H:
        raise ValueError(f"DLFS2 Wx must have shape (D, {G * H}), got {Wx.shape}")
    if "b" in d and d["b"].shape != (G * H,):
        raise ValueError(f"DLFS2 b must have shape ({G * H},), got {d['b'].shape}")

    def unblocks(a):  # (G*H, ...) in DLFS2 order -> PyTorch order, signs undone
        out = np.empty(a.shape, dtype=a.dtype)
        for i, (j, s) in enumerate(zip(_DLFS2_FROM_TORCH[cell], _DLFS2_SIGN[cell])):
            out[j * H:(j + 1) * H] = s * a[i * H:(i + 1) * H]
        return out

    b = d.get("b", np.zeros(G * H, dtype=Wh.dtype))
    return {"weight_ih": unblocks(Wx.T),  # (G*H, D)
            "weight_hh": unblocks(Wh.T),  # (G*H, H)
            "bias_ih": unblocks(b),  # (G*H,)
            "bias_hh": np.zeros(G * H, dtype=b.dtype)}
