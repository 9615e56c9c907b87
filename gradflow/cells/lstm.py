"""LSTM cell, PyTorch's equations and gate order (i, f, g, o).

    i, f, o = σ(W_i· x + b_i· + U_· h),  g = tanh(W_g x + b_g + U_g h)
    c' = f ⊙ c + i ⊙ g,                  h' = o ⊙ tanh(c')

`step_forward` / `step_backward` are the plain reference (one step, easy to
read). `forward` / `backward` run a whole sequence fast; they are what the
engine and the language model use, and the tests check one against the other.

Internal layout of the fast path (never visible outside this file): gates are
stored in the order (o, i, f, g) followed by c_{t-1}, so that
  * the three sigmoid gates are contiguous: one tanh over all gates, with
    σ(z) = ½·tanh(z/2) + ½ folded into the weights (rows scaled by ½);
  * [i, f] ⊙ [g, c_{t-1}] is one multiply and c_t one add;
  * the backward's i, f, g gradients are one multiply with dc_t.
"""

from __future__ import annotations

import numpy as np

from ..checks import GATES as ALL_GATES
from ._loop import block_ends, input_projection, single_thread, tanh_for

GATES = ALL_GATES["lstm"]


def _sigmoid(z):
    return 0.5 * np.tanh(0.5 * z) + 0.5  # never overflows, unlike 1/(1+exp(-z))


# --------------------------------------------------------------------------
# Reference: one step
# --------------------------------------------------------------------------
def step_forward(x, h_prev, c_prev, params):
    """One LSTM step.

    x (B, D), h_prev (B, H), c_prev (B, H) -> h (B, H), c (B, H), cache.
    """
    H = h_prev.shape[1]
    z = (x @ params["weight_ih"].T + params["bias_ih"]
         + h_prev @ params["weight_hh"].T + params["bias_hh"])  # (B, 4H)
    i, f = _sigmoid(z[:, :H]), _sigmoid(z[:, H:2 * H])
    g, o = np.tanh(z[:, 2 * H:3 * H]), _sigmoid(z[:, 3 * H:])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    return h, c, (x, h_prev, c_prev, i, f, g, o, tc, params)


def step_backward(dh, dc, cache):
    """Backward of `step_forward`.

    dh (B, H), dc (B, H): upstream gradients of h and c.
    Returns dx (B, D), dh_prev (B, H), dc_prev (B, H), grads (dict like params).
    """
    x, h_prev, c_prev, i, f, g, o, tc, params = cache
    dc = dc + dh * o * (1 - tc ** 2)  # total dL/dc
    dz = np.concatenate([dc * g * i * (1 - i),
                         dc * c_prev * f * (1 - f),
                         dc * i * (1 - g ** 2),
                         dh * tc * o * (1 - o)], axis=1)  # (B, 4H)
    grads = {"weight_ih": dz.T @ x, "weight_hh": dz.T @ h_prev,
             "bias_ih": dz.sum(0), "bias_hh": dz.sum(0)}
    return dz @ params["weight_ih"], dz @ params["weight_hh"], dc * f, grads


# --------------------------------------------------------------------------
# Fast path: a whole sequence
# --------------------------------------------------------------------------
def _perm(H):
    """Row order (o, i, f, g) of the internal layout, from PyTorch's (i, f, g, o)."""
    return np.r_[3 * H:4 * H, 0:3 * H]


def forward(params, xs, h0, c0, *, hh_scale=None, **_):
    """Run the LSTM over a sequence.

    xs (T, B, D), h0 (B, H), c0 (B, H) -> hs (T, B, H), cs (T, B, H), cache.
    Computes in the dtype of params["weight_hh"]. cache["gates"] maps
    i, f, g, o to (T, B, H) activations. hh_scale (B, 1), optional: row b
    uses weight_hh · hh_scale[b] (the batched sweep; there h0 and c0 have
    R·B rows, R copies of xs's B rows).
    """
    dtype = params["weight_hh"].dtype
    T = xs.shape[0]
    B, H = h0.shape  # B: R·B rows in the sweep, R copies of xs's rows
    perm = _perm(H)
    half = np.ones(4 * H, dtype)
    half[:3 * H] = 0.5  # σ(z) = ½·tanh(z/2) + ½: pre-scale the sigmoid rows
    w_x = params["weight_ih"][perm] * half[:, None]  # (4H, D)
    w_hT = np.ascontiguousarray((params["weight_hh"][perm] * half[:, None]).T)  # (H, 4H)
    bias = (params["bias_ih"] + params["bias_hh"])[perm] * half  # (4H,)
    Z = input_projection(xs, w_x, bias, B, dtype)  # (T, B, 4H)

    A = np.empty((T + 1, B, 5 * H), dtype)  # per step: [o i f g c_{t-1}]
    A[0, :, 4 * H:] = c0
    pre, sig = A[:T, :, :4 * H], A[:T, :, :3 * H]
    if_, gc = A[:T, :, H:3 * H], A[:T, :, 3 * H:]  # [i f] and [g c_{t-1}]
    o_gate, cs = A[:T, :, :H], A[1:, :, 4 * H:]  # cs[t] is c_t
    tcs = np.empty((T, B, H), dtype)  # tanh(c_t)
    hs = np.empty((T, B, H), dtype)
    rec = np.empty((B, 4 * H), dtype)
    prod = np.empty((B, 2 * H), dtype)
    prod_ig, prod_fc = prod[:, :H], prod[:, H:]
    h = h0.astype(dtype, copy=False)
    tanh_gates, tanh_cell = tanh_for((B, 4 * H), dtype), tanh_for((B, H), dtype)
    # zip hands out each step's views from C: indexing them in Python costs more than the math
    one_half = np.array(0.5, dtype)  # 0-d: a Python float costs each call a conversion
    with single_thread():
        for z_t, pre_t, sig_t, if_t, gc_t, c_t, tc_t, o_t, h_t in zip(Z, pre, sig, if_, gc, cs, tcs, o_gate, hs):
            np.matmul(h, w_hT, out=rec)
            if hh_scale is not None:
                rec *= hh_scale
            np.add(z_t, rec, out=pre_t)
            tanh_gates(pre_t, pre_t)
            np.multiply(sig_t, one_half, out=sig_t)  # σ = ½·tanh(z/2) + ½
            np.add(sig_t, one_half, out=sig_t)
            np.multiply(if_t, gc_t, out=prod)  # [i⊙g, f⊙c_{t-1}]
            np.add(prod_ig, prod_fc, out=c_t)
            tanh_cell(c_t, tc_t)
            h = np.multiply(o_t, tc_t, out=h_t)
    gates = {"i": A[:T, :, H:2 * H], "f": A[:T, :, 2 * H:3 * H],
             "g": A[:T, :, 3 * H:4 * H], "o": o_gate}
    cache = {"gates": gates, "A": A, "tcs": tcs, "xs": xs, "h0": h0, "hs": hs,
             "params": params, "perm": perm, "dtype": dtype, "hh_scale": hh_scale}
    return hs, cs, cache


def backward(dhs, cache, *, truncate=None):
    """Backward of `forward` (BPTT, optionally truncated every `truncate` steps).

    dhs (T, B, H): the direct terms dL/dh_t. Returns a dict with dx (T, B, D),
    dh0 (B, H), dc0 (B, H), grads, dh and dc (T, B, H) the total dL/dh_t and
    dL/dc_t, dz_cell and dz_hidden (the pre-activation gradients of the gates
    that feed c_t and of o, for bptt's path split) and hh_terms (the factors
    of every step's term in dL/dweight_hh, for dW_contrib).
    """
    A, tcs, params, perm, dtype = (cache[k] for k in ("A", "tcs", "params", "perm", "dtype"))
    T, B, H = tcs.shape
    o, i, f, g = (A[:T, :, k * H:(k + 1) * H] for k in range(4))
    c_prev = A[:T, :, 4 * H:]
    # Derivative factors for all steps at once (vectorised, outside the loop), each
    # written in place into its final buffer: no temporaries of T·B·H entries.
    fk = np.empty((T, B, 2 * H), dtype)  # [k_dc, f_{t+1}]: see Q below
    k_dc, f_next = fk[:, :, :H], fk[:, :, H:]
    np.multiply(tcs, tcs, out=k_dc)
    np.subtract(1, k_dc, out=k_dc)
    k_dc *= o  # dc_t += dh_t ⊙ o ⊙ tanh'(c_t)
    k_o = np.subtract(1, o)
    k_o *= o
    k_o *= tcs  # dz_o = dh_t ⊙ k_o
    k_ifg = np.empty((T, B, 3, H), dtype)  # dz_[i f g] = dc_t ⊙ k_ifg
    k_i, k_f, k_g = k_ifg[:, :, 0], k_ifg[:, :, 1], k_ifg[:, :, 2]
    np.subtract(1, i, out=k_i)
    k_i *= i
    k_i *= g
    np.subtract(1, f, out=k_f)
    k_f *= f
    k_f *= c_prev
    np.multiply(g, g, out=k_g)
    np.subtract(1, k_g, out=k_g)
    k_g *= i
    scale = cache["hh_scale"]
    if scale is not None:  # dZ then carries the scale into the recurrent matmul
        k_o *= scale
        k_ifg *= scale[:, :, None]
    ends = block_ends(T, truncate)
    f_next[:-1] = f[1:]  # f_{t+1}, zero where the gradient is cut
    f_next[-1] = 0
    f_next[ends] = 0

    w_h = np.ascontiguousarray(params["weight_hh"][perm], dtype=dtype)  # (4H, H), unscaled
    dZ = np.empty((T, B, 4 * H), dtype)  # internal order o, i, f, g
    dz_o, dz_ifg = dZ[:, :, :H], dZ.reshape(T, B, 4, H)[:, :, 1:]  # (T,B,H), (T,B,3,H)
    # Row t+1 of Q is [dh_t, dc_{t+1}]: with the factors [k_dc, f_next] the cell
    # update dc_t = dh_t ⊙ k_dc + dc_{t+1} ⊙ f_{t+1} is one multiply and one add.
    Q = np.zeros((T + 1, B, 2 * H), dtype)
    dh, dc = Q[1:, :, :H], Q[:T, :, H:]
    prod = np.empty((B, 2 * H), dtype)
    rec = np.empty((B, H), dtype)
    dhs = dhs.astype(dtype, copy=False)
    direct = dhs.reshape(T, -1).any(axis=1)  # steps with a direct loss term
    prod_h, prod_c = prod[:, :H], prod[:, H:]
    rev = lambda *arrays: (a[::-1] for a in arrays)  # noqa: E731  steps T-1 .. 0
    steps = zip(*rev(ends, direct, dhs, dh, dc, dc[:, :, None, :], Q[1:], fk, k_dc, k_o, k_ifg, dz_o, dz_ifg, dZ))
    dz_next = None  # dZ[t + 1]
    with single_thread():
        for end, has_direct, dhs_t, dh_t, dc_t, dc3_t, q_t, fk_t, kdc_t, ko_t, kifg_t, dzo_t, dzifg_t, dz_t in steps:
            if end:
                dh_t[...] = dhs_t
                np.multiply(dh_t, kdc_t, out=dc_t)
            else:
                if has_direct:
                    np.matmul(dz_next, w_h, out=rec)
                    np.add(dhs_t, rec, out=dh_t)
                else:
                    np.matmul(dz_next, w_h, out=dh_t)
                np.multiply(q_t, fk_t, out=prod)  # [dh_t ⊙ k_dc, dc_{t+1} ⊙ f_{t+1}]
                np.add(prod_h, prod_c, out=dc_t)
            np.multiply(dh_t, ko_t, out=dzo_t)
            np.multiply(kifg_t, dc3_t, out=dzifg_t)
            dz_next = dz_t
    if scale is not None:
        return {"dh": dh, "dc": dc}  # sweep mode: only the state gradients are meaningful

    xs, hs, h0 = cache["xs"], cache["hs"], cache["h0"]
    D = xs.shape[2]
    dz2 = dZ.reshape(T * B, 4 * H)
    h_prev = np.concatenate([h0[None].astype(dtype, copy=False), hs[:-1]])  # (T, B, H)
    inv = np.argsort(perm)  # internal order -> PyTorch order
    w_x = np.asarray(params["weight_ih"], dtype)[perm]
    db = dz2.sum(0)[inv]
    grads = {"weight_ih": (dz2.T @ xs.reshape(T * B, D).astype(dtype, copy=False))[inv],
             "weight_hh": (dz2.T @ h_prev.reshape(T * B, H))[inv],
             "bias_ih": db, "bias_hh": db.copy()}
    return {"dx": (dz2 @ w_x).reshape(T, B, D), "dh0": dZ[0] @ w_h, "dc0": dc[0] * f[0],
            "grads": grads, "dh": dh, "dc": dc,
            "dz_cell": dZ[:, :, H:], "dz_hidden": dz_o,  # (T, B, 3H) in i, f, g order; (T, B, H)
            "hh_terms": [(dZ, h_prev)]}


def step_jacobian(x, h_prev, c_prev, params):
    """∂h_t/∂h_{t-1} with c_{t-1} held fixed: (N, H, H) for x (N, D), h_prev, c_prev (N, H).

    J = Σ_k diag(α_k) U_k over the gate blocks U_k of weight_hh; ∂c_t/∂c_{t-1} = diag(f).
    The top-left block of `state_jacobian`: the LSTM's whole step Jacobian is 2H × 2H.
    """
    _, _, (_, _, _, i, f, g, o, tc, _) = step_forward(x, h_prev, c_prev, params)
    H = h_prev.shape[1]
    k_dc = o * (1 - tc ** 2)
    alpha = np.stack([k_dc * g * i * (1 - i), k_dc * c_prev * f * (1 - f),
                      k_dc * i * (1 - g ** 2), tc * o * (1 - o)], axis=1)  # (N, 4, H)
    blocks = params["weight_hh"].reshape(4, H, H)
    return np.einsum("nkh,khj->nhj", alpha, blocks)  # (N, H, H)


def state_jacobian(x, h_prev, c_prev, params):
    """∂(h_t, c_t)/∂(h_{t-1}, c_{t-1}): (N, 2H, 2H) for x (N, D), h_prev, c_prev (N, H).

    The state is (h, c), h first: rows and columns 0..H-1 are h, H..2H-1 are c.

        [[∂h_t/∂h_{t-1}, ∂h_t/∂c_{t-1}],     [[diag(k) C + diag(β_o) U_o, diag(k ⊙ f)],
         [∂c_t/∂h_{t-1}, ∂c_t/∂c_{t-1}]]  =   [C,                          diag(f)    ]]

    with C = Σ_{i,f,g} diag(β_·) U_· (c_t through the gates i, f, g), k = o ⊙ tanh'(c_t)
    (h_t = o ⊙ tanh(c_t) reads c_t) and β_o = tanh(c_t) ⊙ σ'(o). Only ∂c_t/∂c_{t-1} = diag(f)
    is the "constant error carousel"; the other three blocks carry gradient between h and c.
    """
    _, _, (_, _, _, i, f, g, o, tc, _) = step_forward(x, h_prev, c_prev, params)
    N, H = h_prev.shape
    U = params["weight_hh"].reshape(4, H, H)  # (4, H, H) blocks i, f, g, o
    beta = np.stack([g * i * (1 - i), c_prev * f * (1 - f), i * (1 - g ** 2)], axis=1)  # (N, 3, H)
    dc_dh = np.einsum("nkh,khj->nhj", beta, U[:3])  # (N, H, H)
    k_dc = o * (1 - tc ** 2)  # (N, H)
    J = np.zeros((N, 2 * H, 2 * H), dtype=dc_dh.dtype)
    J[:, :H, :H] = k_dc[:, :, None] * dc_dh + (tc * o * (1 - o))[:, :, None] * U[3]
    J[:, H:, :H] = dc_dh
    d = np.arange(H)
    J[:, d, H + d] = k_dc * f  # h_t reads c_t = f ⊙ c_{t-1} + ...
    J[:, H + d, H + d] = f
    return J
