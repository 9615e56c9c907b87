"""Vanilla (Elman) RNN cell, PyTorch's equations: h' = φ(W x + b_ih + U h + b_hh).

φ is "tanh" (PyTorch's default), "relu", or "linear" (the identity: the
textbook case where ‖∂L/∂h_{T-k}‖ = ρ^k‖∂L/∂h_T‖ for U = ρ·Q, Q orthogonal).

`step_forward` / `step_backward` are the reference; `forward` / `backward` the
fast sequence path used by the engine and the language model.
"""

from __future__ import annotations

import numpy as np

from ..checks import GATES as ALL_GATES
from ._loop import block_ends, input_projection, single_thread, tanh_for

GATES = ALL_GATES["rnn"]
NONLINEARITIES = ("tanh", "relu", "linear")


def _activate_(z, nonlinearity, tanh=None):
    """φ applied in place to the fresh pre-activation array z (tanh: a `tanh_for` function)."""
    if nonlinearity == "tanh":
        return np.tanh(z, out=z) if tanh is None else tanh(z, z)
    if nonlinearity == "relu":
        return np.maximum(z, 0, out=z)
    return z


def _derivative(h, nonlinearity):
    """φ'(z) written in terms of h = φ(z)."""
    if nonlinearity == "tanh":
        return 1 - h ** 2
    if nonlinearity == "relu":
        return (h > 0).astype(h.dtype)
    return np.ones_like(h)


# --------------------------------------------------------------------------
# Reference: one step
# --------------------------------------------------------------------------
def step_forward(x, h_prev, params, nonlinearity="tanh"):
    """One RNN step. x (B, D), h_prev (B, H) -> h (B, H), cache."""
    z = (x @ params["weight_ih"].T + params["bias_ih"]
         + h_prev @ params["weight_hh"].T + params["bias_hh"])  # (B, H)
    h = _activate_(z, nonlinearity)
    return h, (x, h_prev, h, nonlinearity, params)


def step_backward(dh, cache):
    """Backward of `step_forward`: dh (B, H) -> dx (B, D), dh_prev (B, H), grads."""
    x, h_prev, h, nonlinearity, params = cache
    dz = dh * _derivative(h, nonlinearity)  # (B, H)
    grads = {"weight_ih": dz.T @ x, "weight_hh": dz.T @ h_prev,
             "bias_ih": dz.sum(0), "bias_hh": dz.sum(0)}
    return dz @ params["weight_ih"], dz @ params["weight_hh"], grads


def step_jacobian(x, h_prev, c_prev, params, nonlinearity="tanh"):
    """∂h_t/∂h_{t-1} = diag(φ'(z_t)) · U: (N, H, H) for x (N, D), h_prev (N, H)."""
    h, _ = step_forward(x, h_prev, params, nonlinearity)
    return _derivative(h, nonlinearity)[:, :, None] * params["weight_hh"]


# --------------------------------------------------------------------------
# Fast path: a whole sequence
# --------------------------------------------------------------------------
def forward(params, xs, h0, c0=None, *, nonlinearity="tanh", hh_scale=None, **_):
    """xs (T, B, D), h0 (B, H) -> hs (T, B, H), None, cache.

    hh_scale (B, 1), optional: row b uses weight_hh · hh_scale[b] (the batched
    sweep; there h0 has R·B rows, R copies of xs's B rows).
    """
    dtype = params["weight_hh"].dtype
    T = xs.shape[0]
    B, H = h0.shape
    Z = input_projection(xs, params["weight_ih"], params["bias_ih"] + params["bias_hh"], B, dtype)  # (T, B, H)
    w_hT = np.ascontiguousarray(params["weight_hh"].T)  # (H, H)
    hs = np.empty((T, B, H), dtype)
    rec = np.empty((B, H), dtype)
    h = h0.astype(dtype, copy=False)
    tanh = tanh_for((B, H), dtype)
    with single_thread():
        for z_t, h_t in zip(Z, hs):  # zip hands out the views from C, cheaper than indexing
            np.matmul(h, w_hT, out=rec)
            if hh_scale is not None:
                rec *= hh_scale
            h = _activate_(np.add(z_t, rec, out=h_t), nonlinearity, tanh)
    cache = {"gates": {}, "xs": xs, "h0": h0, "hs": hs, "params": params,
             "nonlinearity": nonlinearity, "dtype": dtype, "hh_scale": hh_scale}
    return hs, None, cache


def backward(dhs, cache, *, truncate=None):
    """BPTT through `forward`. dhs (T, B, H) direct terms -> dict (see lstm.backward)."""
    xs, h0, hs, params, dtype = (cache[k] for k in ("xs", "h0", "hs", "params", "dtype"))
    T, B, H = hs.shape
    D = xs.shape[2]
    dphi = _derivative(hs, cache["nonlinearity"])  # (T, B, H), all steps at once
    if cache["hh_scale"] is not None:
        dphi *= cache["hh_scale"]  # dZ then carries the scale into the recurrent matmul
    ends = block_ends(T, truncate)
    w_h = params["weight_hh"].astype(dtype, copy=False)
    dZ = np.empty((T, B, H), dtype)
    dh = np.empty((T, B, H), dtype)
    rec = np.empty((B, H), dtype)
    dhs = dhs.astype(dtype, copy=False)
    direct = dhs.reshape(T, -1).any(axis=1)  # steps with a direct loss term
    dz_next = None  # dZ[t + 1]
    with single_thread():
        for end, has_direct, dhs_t, dh_t, dphi_t, dz_t in zip(
                ends[::-1], direct[::-1], dhs[::-1], dh[::-1], dphi[::-1], dZ[::-1]):
            if end:
                dh_t[...] = dhs_t
            elif has_direct:
                np.matmul(dz_next, w_h, out=rec)
                np.add(dhs_t, rec, out=dh_t)
            else:
                np.matmul(dz_next, w_h, out=dh_t)
            dz_next = np.multiply(dh_t, dphi_t, out=dz_t)
    if cache["hh_scale"] is not None:
        return {"dh": dh, "dc": None}  # sweep mode: only the state gradients are meaningful

    dz2 = dZ.reshape(T * B, H)
    h_prev = np.concatenate([h0[None].astype(dtype, copy=False), hs[:-1]])  # (T, B, H)
    db = dz2.sum(0)
    grads = {"weight_ih": dz2.T @ xs.reshape(T * B, D).astype(dtype, copy=False),
             "weight_hh": dz2.T @ h_prev.reshape(T * B, H),
             "bias_ih": db, "bias_hh": db.copy()}
    return {"dx": (dz2 @ params["weight_ih"].astype(dtype, copy=False)).reshape(T, B, D),
            "dh0": dZ[0] @ w_h, "dc0": None, "grads": grads, "dh": dh, "dc": None,
            "hh_terms": [(dZ, h_prev)]}
