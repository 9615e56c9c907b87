"""The LSTM variants (peephole, coupled input–forget gate) as a `bptt.Flow`.

The equations and parameter shapes are in `gradflow.cells.lstm_variants`.
`gradient_flow_variant` returns a Flow with the LSTM's fields (cell "lstm",
options["variant"] the variant's name), so every view of an LSTM Flow draws it
unchanged: dc, the split of ∂L/∂h_{t−1} into its path through the gates that
write c_t (dh_prev_cell: i, f, g; coupled: f, g) and through o (dh_prev_hidden),
dW_contrib, the gates i, f, g, o (coupled: i = 1 − f).
`gradflow.jacobians` knows the standard cells only: it refuses these params.
"""

from __future__ import annotations

import numpy as np

from .bptt import Flow, _array, _first_bad_step, _norm, _outer_norms
from .cells import init_params as init_cell_params
from .cells import lstm_variants as lv
from .checks import as_rng, check_size

VARIANTS = lv.VARIANTS


def init_params(variant, D, H, rng, *, forget_bias=0.0):
    """PyTorch's initialisation, U(−1/√H, 1/√H), for every weight of the variant.

    peephole: `cells.init_params("lstm", ...)` then weight_ci, weight_cf, weight_co
    from the same rng; coupled: (3H, ·) blocks f, g, o. forget_bias is added to
    the forget gate's bias_ih. rng: np.random.Generator or int seed.
    """
    lv.check_variant(variant)
    D, H = check_size("D", D), check_size("H", H)
    rng = as_rng(rng)
    k = 1.0 / np.sqrt(H)
    if variant == "peephole":
        params = init_cell_params("lstm", D, H, rng, forget_bias=forget_bias)
        params.update({name: rng.uniform(-k, k, H) for name in lv.PEEPHOLES})
        return params
    params = {name: rng.uniform(-k, k, shape) for name, shape in lv.param_shapes(variant, D, H).items()}
    params["bias_ih"][:H] += forget_bias  # rows f, g, o
    return params


def check_params(variant, params, D):
    """Validate a variant's params dict; return (float64 params, H)."""
    lv.check_variant(variant)
    if not isinstance(params, dict) or "weight_hh" not in params:
        raise ValueError(f"params must be a dict with keys {list(lv.param_shapes(variant, 1, 1))}")
    w_hh = np.shape(params["weight_hh"])
    G = 4 if variant == "peephole" else 3
    if len(w_hh) != 2 or w_hh[1] < 1 or w_hh[0] != G * w_hh[1]:
        raise ValueError(f"weight_hh has shape {w_hh}, expected ({G}·H, H) for the {variant} LSTM")
    H = w_hh[1]
    shapes = lv.param_shapes(variant, D, H)
    if set(params) != set(shapes):
        raise ValueError(f"params of the {variant} LSTM must have keys {list(shapes)}, got {sorted(params)}")
    return {k: _array(k, params[k], s) for k, s in shapes.items()}, H


def gradient_flow_variant(variant, params, xs, upstream, h0=None, c0=None):
    """Exact BPTT through an LSTM variant for the loss whose direct terms are `upstream`.

    variant: "peephole" | "coupled"; params: see `init_params`; xs (T, B, D);
    upstream (T, B, H); h0, c0 (B, H), zeros by default. Everything runs in
    float64; overflow never raises: the Flow marks it. No truncation.
    """
    xs = _array("xs", xs, (None, None, None))
    T, B, D = xs.shape
    if T < 1 or B < 1 or D < 1:
        raise ValueError(f"xs has shape {xs.shape}: T, B and D must be ≥ 1")
    params, H = check_params(variant, params, D)
    upstream = _array("upstream", upstream, (T, B, H))
    h0 = np.zeros((B, H)) if h0 is None else _array("h0", h0, (B, H))
    c0 = np.zeros((B, H)) if c0 is None else _array("c0", c0, (B, H))

    with np.errstate(all="ignore"):  # overflow is reported in the Flow
        hs, cs, cache = lv.forward(params, xs, h0, c0, variant)
        back = lv.backward(upstream, cache)
        dz, w = back["dz"], params["weight_hh"]  # (T, B, G·H), (G·H, H)
        rows = lv.cell_rows(variant, H)
        o_rows = slice(rows.stop, None)
        via_cell = dz[:, :, rows] @ w[rows]  # (T, B, H) part of ∂L/∂h_{t−1} through the gates writing c_t
        via_hidden = dz[:, :, o_rows] @ w[o_rows]  # (T, B, H) through o
        dW_contrib = _outer_norms(dz, back["h_prev"])  # (T,)
        bad_fwd = _first_bad_step(hs, cs)
        bad_bwd = _first_bad_step(back["dh"], back["dc"], back["dx"], dW_contrib, dz)
        totals_ok = all(np.isfinite(a).all() for a in [*back["grads"].values(), back["dh0"], back["dc0"]])
        first, where = ((int(bad_fwd[0]), "forward") if bad_fwd.size else
                        (int(bad_bwd[-1]), "backward") if bad_bwd.size else
                        (0, "backward") if not totals_ok else (None, None))
        return Flow(
            cell="lstm", options={"nonlinearity": "tanh", "variant": variant, "truncate": None},
            xs=xs, hs=hs, cs=cs, gates=cache["gates"], h0=h0, c0=c0,
            dh=back["dh"], dc=back["dc"], dx=back["dx"], dh0=back["dh0"], dc0=back["dc0"], grads=back["grads"],
            dh_norm=_norm(back["dh"]), dc_norm=_norm(back["dc"]), dx_norm=_norm(back["dx"]),
            dh_prev_cell=via_cell, dh_prev_hidden=via_hidden,
            dh_prev_cell_norm=_norm(via_cell), dh_prev_hidden_norm=_norm(via_hidden),
            dW_contrib=dW_contrib, finite=where is None, first_nonfinite=first, nonfinite_where=where)
