"""GRU cell, gate order (r, z, n), two variants.

    r = σ(W_r x + b_ir + U_r h + b_hr),  z = σ(W_z x + b_iz + U_z h + b_hz)
    "pytorch": n = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn))      (PyTorch, cuDNN)
    "cho":     n = tanh(W_n x + b_in + U_n (r ⊙ h) + b_hn)      (Cho 2014, DLFS2)
    h' = (1 − z) ⊙ n + z ⊙ h

The Cho form needs r before its candidate matmul, so it takes two recurrent
matmuls per step; the PyTorch form takes one. Fast-path internals: the r, z
rows are pre-scaled by ½ so that one tanh gives both sigmoids, and (PyTorch
form) h carries a trailing 1 so that the matmul also adds b_hn.
"""

from __future__ import annotations

import numpy as np

from ..checks import GATES as ALL_GATES
from ._loop import block_ends, input_projection, single_thread, tanh_for

GATES = ALL_GATES["gru"]
VARIANTS = ("pytorch", "cho")


def _sigmoid(z):
    return 0.5 * np.tanh(0.5 * z) + 0.5


# --------------------------------------------------------------------------
# Reference: one step
# --------------------------------------------------------------------------
def step_forward(x, h_prev, params, variant="pytorch"):
    """One GRU step. x (B, D), h_prev (B, H) -> h (B, H), cache."""
    H = h_prev.shape[1]
    w_hh, b_hh = params["weight_hh"], params["bias_hh"]
    xg = x @ params["weight_ih"].T + params["bias_ih"]  # (B, 3H)
    hg = h_prev @ w_hh[:2 * H].T + b_hh[:2 * H]  # (B, 2H)
    r, z = _sigmoid(xg[:, :H] + hg[:, :H]), _sigmoid(xg[:, H:2 * H] + hg[:, H:])
    if variant == "pytorch":
        hn = h_prev @ w_hh[2 * H:].T + b_hh[2 * H:]  # U_n h + b_hn, (B, H)
        n = np.tanh(xg[:, 2 * H:] + r * hn)
    else:
        hn = None
        n = np.tanh(xg[:, 2 * H:] + (r * h_prev) @ w_hh[2 * H:].T + b_hh[2 * H:])
    h = (1 - z) * n + z * h_prev
    return h, (x, h_prev, r, z, n, hn, variant, params)


def step_backward(dh, cache):
    """Backward of `step_forward`: dh (B, H) -> dx (B, D), dh_prev (B, H), grads."""
    x, h_prev, r, z, n, hn, variant, params = cache
    H = h_prev.shape[1]
    u_n = params["weight_hh"][2 * H:]
    dn = dh * (1 - z) * (1 - n ** 2)  # d pre-activation of n
    dz = dh * (h_prev - n) * z * (1 - z)
    dh_prev = dh * z
    if variant == "pytorch":
        dr = dn * hn * r * (1 - r)
        dhn = dn * r  # d(U_n h + b_hn)
        d_rec = np.concatenate([dr, dz, dhn], axis=1)  # (B, 3H) d of the recurrent pre-activations
        weight_hh = d_rec.T @ h_prev
        dh_prev = dh_prev + d_rec @ params["weight_hh"]
    else:
        drh = dn @ u_n  # d(r ⊙ h)
        dr = drh * h_prev * r * (1 - r)
        d_rec = np.concatenate([dr, dz, dn], axis=1)
        weight_hh = np.concatenate([d_rec[:, :2 * H].T @ h_prev, dn.T @ (r * h_prev)])
        dh_prev = dh_prev + d_rec[:, :2 * H] @ params["weight_hh"][:2 * H] + drh * r
    d_in = np.concatenate([dr, dz, dn], axis=1)  # (B, 3H) d of the input pre-activations
    grads = {"weight_ih": d_in.T @ x, "weight_hh": weight_hh,
             "bias_ih": d_in.sum(0), "bias_hh": d_rec.sum(0)}
    return d_in @ params["weight_ih"], dh_prev, grads


def step_jacobian(x, h_prev, c_prev, params, variant="pytorch"):
    """∂h_t/∂h_{t-1}: (N, H, H) for x (N, D), h_prev (N, H)."""
    _, (_, _, r, z, n, hn, _, _) = step_forward(x, h_prev, params, variant)
    H = h_prev.shape[1]
    u_r, u_z, u_n = params["weight_hh"].reshape(3, H, H)
    k_n = (1 - z) * (1 - n ** 2)
    J = ((h_prev - n) * z * (1 - z))[:, :, None] * u_z  # through z
    if variant == "pytorch":
        J += (k_n * r)[:, :, None] * u_n + (k_n * hn * r * (1 - r))[:, :, None] * u_r
    else:  # n sees U_n (r ⊙ h): ∂(r ⊙ h)/∂h = diag(r) + diag(h ⊙ σ'(r)) U_r
        d_rh = r[:, :, None] * np.eye(H) + (h_prev * r * (1 - r))[:, :, None] * u_r
        J += k_n[:, :, None] * (u_n @ d_rh)
    J[:, np.arange(H), np.arange(H)] += z  # the direct path z ⊙ h
    return J


# --------------------------------------------------------------------------
# Fast path: a whole sequence
# --------------------------------------------------------------------------
def _scaled(params, dtype):
    """Weights with the r, z rows halved (σ(a) = ½ tanh(a/2) + ½) and merged biases."""
    H = params["weight_hh"].shape[1]
    half = np.ones(3 * H, dtype)
    half[:2 * H] = 0.5
    b_ih, b_hh = params["bias_ih"], params["bias_hh"]
    bias_x = np.concatenate([b_ih[:2 * H] + b_hh[:2 * H], b_ih[2 * H:]]) * half  # (3H,)
    return (params["weight_ih"] * half[:, None]).astype(dtype, copy=False), \
        (params["weight_hh"] * half[:, None]).astype(dtype, copy=False), bias_x


def forward(params, xs, h0, c0=None, *, variant="pytorch", hh_scale=None, **_):
    """xs (T, B, D), h0 (B, H) -> hs (T, B, H), None, cache.

    hh_scale (B, 1), optional: row b uses weight_hh · hh_scale[b] (the batched
    sweep; there h0 has R·B rows, R copies of xs's B rows).
    """
    dtype = params["weight_hh"].dtype
    T = xs.shape[0]
    B, H = h0.shape
    w_x, w_h, bias_x = _scaled(params, dtype)
    b_hn = params["bias_hh"][2 * H:]
    if variant == "cho":
        bias_x[2 * H:] += b_hn  # outside r ⊙ (...): merges with b_in
    X = input_projection(xs, w_x, bias_x, B, dtype)  # (T, B, 3H)
    A = np.empty((T, B, 3 * H), dtype)  # r, z, n
    rz, n = A[:, :, :2 * H], A[:, :, 2 * H:]
    r, z = A[:, :, :H], A[:, :, H:2 * H]
    x_rz, x_n = X[:, :, :2 * H], X[:, :, 2 * H:]
    diff = np.empty((B, H), dtype)
    one_half = np.array(0.5, dtype)  # 0-d: a Python float costs each call a conversion
    tanh_rz, tanh_n = tanh_for((B, 2 * H), dtype), tanh_for((B, H), dtype)
    # zip hands out each step's views from C: indexing them in Python costs more than the math
    if variant == "pytorch":
        # h_aug = [h, 1] so one matmul gives [U_r h, U_z h, U_n h + b_hn].
        b_aug = np.r_[np.zeros(2 * H), b_hn if hh_scale is None else np.zeros(H)]  # scaled: b_hn added apart
        w_augT = np.concatenate([w_h.T, b_aug[None].astype(dtype)])  # (H+1, 3H)
        h_aug = np.ones((T + 1, B, H + 1), dtype)
        h_aug[0, :, :H] = h0
        hs = h_aug[1:, :, :H]
        HG = np.empty((T, B, 3 * H), dtype)  # recurrent pre-activations, kept for backward
        steps = zip(h_aug, h_aug[:T, :, :H], HG, HG[:, :, :2 * H], HG[:, :, 2 * H:], x_rz, x_n, rz, r, z, n, hs)
        with single_thread():
            for ha_t, hp_t, hg_t, hgrz_t, hgn_t, xrz_t, xn_t, rz_t, r_t, z_t, n_t, h_t in steps:
                np.matmul(ha_t, w_augT, out=hg_t)
                if hh_scale is not None:
                    hg_t *= hh_scale
                    hgn_t += b_hn
                np.add(xrz_t, hgrz_t, out=rz_t)
                tanh_rz(rz_t, rz_t)
                np.multiply(rz_t, one_half, out=rz_t)  # σ = ½·tanh(z/2) + ½
                np.add(rz_t, one_half, out=rz_t)
                np.multiply(r_t, hgn_t, out=n_t)
                n_t += xn_t
                tanh_n(n_t, n_t)
                np.subtract(hp_t, n_t, out=diff)  # h' = n + z ⊙ (h − n)
                diff *= z_t
                np.add(n_t, diff, out=h_t)
        extra = {"hn": HG[:, :, 2 * H:]}
    else:
        w_rzT = np.ascontiguousarray(w_h[:2 * H].T)  # (H, 2H)
        w_nT = np.ascontiguousarray(w_h[2 * H:].T)  # (H, H)
        hs = np.empty((T, B, H), dtype)
        RH = np.empty((T, B, H), dtype)  # r ⊙ h_{t-1}, kept for backward
        rec = np.empty((B, 2 * H), dtype)
        h = h0.astype(dtype, copy=False)
        with single_thread():
            for xrz_t, xn_t, rz_t, r_t, z_t, n_t, rh_t, h_t in zip(x_rz, x_n, rz, r, z, n, RH, hs):
                np.matmul(h, w_rzT, out=rec)
                if hh_scale is not None:
                    rec *= hh_scale
                np.add(xrz_t, rec, out=rz_t)
                tanh_rz(rz_t, rz_t)
                np.multiply(rz_t, one_half, out=rz_t)  # σ = ½·tanh(z/2) + ½
                np.add(rz_t, one_half, out=rz_t)
                np.multiply(r_t, h, out=rh_t)
                np.matmul(rh_t, w_nT, out=n_t)
                if hh_scale is not None:
                    n_t *= hh_scale
                n_t += xn_t
                tanh_n(n_t, n_t)
                np.subtract(h, n_t, out=diff)
                diff *= z_t
                h = np.add(n_t, diff, out=h_t)
        extra = {"rh": RH}
    gates = {"r": r, "z": z, "n": n}
    cache = {"gates": gates, "xs": xs, "h0": h0, "hs": hs, "params": params,
             "variant": variant, "dtype": dtype, "hh_scale": hh_scale, **extra}
    return hs, None, cache


def backward(dhs, cache, *, truncate=None):
    """BPTT through `forward`. dhs (T, B, H) direct terms -> dict (see lstm.backward)."""
    xs, h0, hs, params, dtype, gates = (cache[k] for k in ("xs", "h0", "hs", "params", "dtype", "gates"))
    T, B, H = hs.shape
    D = xs.shape[2]
    r, z, n = gates["r"], gates["z"], gates["n"]
    h_prev = np.concatenate([h0[None].astype(dtype, copy=False), hs[:-1]])  # (T, B, H)
    ends = block_ends(T, truncate)
    scale = cache["hh_scale"]  # sweep mode: recurrent-side factors carry the scale
    pytorch = cache["variant"] == "pytorch"
    # Derivative factors for all steps, written in place (no temporaries of T·B·H entries).
    K = np.empty((T, B, 3, H), dtype) if pytorch else None  # [k_r, k_z, k_n·r]: see below
    one_minus_z = np.subtract(1, z)
    k_n = np.multiply(n, n)
    np.subtract(1, k_n, out=k_n)
    k_n *= one_minus_z  # dn_pre = dh ⊙ k_n
    k_z = np.subtract(h_prev, n, out=K[:, :, 1] if pytorch else None)
    k_z *= z
    k_z *= one_minus_z  # dz_pre = dh ⊙ k_z
    if scale is not None and not pytorch:
        k_z *= scale
    w_hh = params["weight_hh"].astype(dtype, copy=False)
    dh = np.empty((T, B, H), dtype)
    rec = np.empty((B, H), dtype)
    carry = np.empty((B, H), dtype)  # dh_{t+1} ⊙ z_{t+1}: the direct path h -> h'
    dhs = dhs.astype(dtype, copy=False)
    direct = dhs.reshape(T, -1).any(axis=1)  # steps with a direct loss term
    if pytorch:
        # [dr, dz, d(U_n h + b_hn)] = dh ⊙ K: one multiply per step.
        k_r = np.subtract(1, r, out=K[:, :, 0])
        k_r *= r
        k_r *= cache["hn"]
        k_r *= k_n  # k_n · (U_n h + b_hn) · r(1 − r)
        np.multiply(k_n, r, out=K[:, :, 2])
        if scale is not None:
            K *= scale[:, :, None]
        dG = np.empty((T, B, 3, H), dtype)
        steps = zip(*(a[::-1] for a in (ends, direct, dhs, dh, dh[:, :, None, :], K, dG,
                                        dG.reshape(T, B, 3 * H), z)))
        dg_next = dh_next = z_next = None  # step t+1's dG, dh, z
        with single_thread():
            for end, has_direct, dhs_t, dh_t, dh3_t, k_t, dg_t, dg2_t, z_t in steps:
                if end:
                    dh_t[...] = dhs_t
                else:
                    np.matmul(dg_next, w_hh, out=rec)
                    np.multiply(dh_next, z_next, out=carry)
                    if has_direct:
                        rec += dhs_t
                    np.add(rec, carry, out=dh_t)
                np.multiply(dh3_t, k_t, out=dg_t)
                dg_next, dh_next, z_next = dg2_t, dh_t, z_t
        if scale is not None:
            return {"dh": dh, "dc": None}
        d_rec = dG.reshape(T * B, 3 * H)
        dn = dh * k_n  # (T, B, H)
        d_in = np.concatenate([dG[:, :, :2].reshape(T, B, 2 * H), dn], axis=2).reshape(T * B, 3 * H)
        dW_hh = d_rec.T @ h_prev.reshape(T * B, H)
        dh0 = dG[0].reshape(B, 3 * H) @ w_hh + dh[0] * z[0]
        hh_terms = [(dG.reshape(T, B, 3 * H), h_prev)]
    else:
        k_r = h_prev * r * (1 - r)  # dr_pre = d(r⊙h) ⊙ k_r
        k_dn = k_n if scale is None else k_n * scale  # dn carries the scale into U_n
        if scale is not None:
            k_r *= scale
        u_n, u_rz = w_hh[2 * H:], w_hh[:2 * H]
        dG = np.empty((T, B, 3 * H), dtype)  # dr, dz, dn pre-activations
        dr, dz, dn = dG[:, :, :H], dG[:, :, H:2 * H], dG[:, :, 2 * H:]
        drh = np.empty((T, B, H), dtype)
        steps = zip(*(a[::-1] for a in (ends, direct, dhs, dh, k_dn, dn, drh, k_r, dr, k_z, dz,
                                        dG[:, :, :2 * H], r, z)))
        nxt = None  # step t+1's (d[r z], d(r⊙h), r, dh, z)
        with single_thread():
            for end, has_direct, dhs_t, dh_t, kdn_t, dn_t, drh_t, kr_t, dr_t, kz_t, dz_t, drz_t, r_t, z_t in steps:
                if end:
                    dh_t[...] = dhs_t
                else:
                    drz_next, drh_next, r_next, dh_next, z_next = nxt
                    np.matmul(drz_next, u_rz, out=rec)
                    np.multiply(drh_next, r_next, out=carry)
                    rec += carry
                    np.multiply(dh_next, z_next, out=carry)
                    if has_direct:
                        rec += dhs_t
                    np.add(rec, carry, out=dh_t)
                np.multiply(dh_t, kdn_t, out=dn_t)
                np.matmul(dn_t, u_n, out=drh_t)
                np.multiply(drh_t, kr_t, out=dr_t)
                np.multiply(dh_t, kz_t, out=dz_t)
                nxt = drz_t, drh_t, r_t, dh_t, z_t
        if scale is not None:
            return {"dh": dh, "dc": None}
        d_rec = d_in = dG.reshape(T * B, 3 * H)
        dW_hh = np.concatenate([d_rec[:, :2 * H].T @ h_prev.reshape(T * B, H),
                                dn.reshape(T * B, H).T @ cache["rh"].reshape(T * B, H)])
        dh0 = dG[0, :, :2 * H] @ u_rz + drh[0] * r[0] + dh[0] * z[0]
        hh_terms = [(dG[:, :, :2 * H], h_prev), (dn, cache["rh"])]
    grads = {"weight_ih": d_in.T @ xs.reshape(T * B, D).astype(dtype, copy=False),
             "weight_hh": dW_hh, "bias_ih": d_in.sum(0), "bias_hh": d_rec.sum(0)}
    return {"dx": (d_in @ params["weight_ih"].astype(dtype, copy=False)).reshape(T, B, D),
            "dh0": dh0, "dc0": None, "grads": grads, "dh": dh, "dc": None,
            "hh_terms": hh_terms}
