"""Teacher forcing against free running, for an RNN whose only recurrence is its output.

The Deep Learning book's figure 10.4 (Goodfellow, Bengio & Courville 2016, §10.2.1):

    h_t = tanh(W x_t + U ô_{t−1} + b),   o_t = V h_t + c,   ô_{−1} = 0

The state h does not feed itself: step t sees the past only through the fed
output ô_{t−1}.
  * teacher forcing: ô_{t−1} = y_{t−1}, the true previous output (data). Every
    step is cut from the others: no gradient crosses a time step, and the
    steps could be trained in parallel.
  * free running: ô_{t−1} = o_{t−1}, the model's own output. The gradient
    crosses steps through o (BPTT): ∂L/∂o_{t−1} gains Uᵀ ∂L/∂a_t.

Loss: L = Σ_t L_t, L_t = Σ_b ‖o_t − y_t‖² / (2·T·B) (half the mean squared error).
Params: weight_ih (H, D) = W, weight_oh (H, K) = U (output to hidden),
bias_h (H,) = b, weight_ho (K, H) = V, bias_o (K,) = c.

The toy task (`make_task`): continue a circle. y_t = (sin θ_{t+1}, cos θ_{t+1}),
θ_t = φ + 2πt/period with a random phase φ per row; the input shows the start,
x_0 = (sin θ_0, cos θ_0), and is 0 afterwards. Under teacher forcing the
model sees the true point θ_t at every step; run free it must carry the circle
on its own outputs.
"""

from __future__ import annotations

import numpy as np

from .checks import as_rng, check_size
from .clipping import clip_coef, global_norm

MODES = ("teacher", "free")
NAMES = ("weight_ih", "weight_oh", "bias_h", "weight_ho", "bias_o")


def init_params(D, H, K, rng):
    """Every weight and bias ~ U(−1/√H, 1/√H) (PyTorch's rule), drawn in NAMES order."""
    D, H, K = (check_size(n, v) for n, v in (("D", D), ("H", H), ("K", K)))
    rng = as_rng(rng)
    shapes = {"weight_ih": (H, D), "weight_oh": (H, K), "bias_h": (H,), "weight_ho": (K, H), "bias_o": (K,)}
    return {name: rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), shapes[name]) for name in NAMES}


def make_task(T, B, rng, *, period=12.0):
    """xs (T, B, 2): the start point at t = 0, zeros after; ys (T, B, 2): the next point of the circle."""
    T, B = check_size("T", T), check_size("B", B)
    theta = as_rng(rng).uniform(0, 2 * np.pi, B) + 2 * np.pi / period * np.arange(T + 1)[:, None]  # (T+1, B)
    points = np.stack([np.sin(theta), np.cos(theta)], axis=2)  # (T+1, B, 2)
    xs = np.zeros((T, B, 2))
    xs[0] = points[0]
    return xs, points[1:]


def _check_mode(mode):
    if not isinstance(mode, str) or mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    return mode


# --------------------------------------------------------------------------
# Forward and backward
# --------------------------------------------------------------------------
def forward(params, xs, ys, mode):
    """xs (T, B, D), ys (T, B, K) -> os (T, B, K), cache. mode: "teacher" | "free"."""
    _check_mode(mode)
    T, B, _ = xs.shape
    K = params["weight_ho"].shape[0]
    hs, os, fed = [], [], [np.zeros((B, K))]  # fed[t] = ô_{t−1}
    for t in range(T):
        h = np.tanh(xs[t] @ params["weight_ih"].T + fed[t] @ params["weight_oh"].T + params["bias_h"])  # (B, H)
        o = h @ params["weight_ho"].T + params["bias_o"]  # (B, K)
        hs.append(h)
        os.append(o)
        fed.append(ys[t] if mode == "teacher" else o)
    os = np.stack(os)
    return os, {"xs": xs, "ys": ys, "hs": np.stack(hs), "os": os, "fed": np.stack(fed[:T]), "mode": mode}


def loss_grad(os, ys):
    """L = Σ ‖o − y‖² / (2·T·B) and its direct gradient ∂L_t/∂o_t (T, B, K)."""
    T, B, _ = ys.shape
    diff = os - ys
    return float(np.sum(diff ** 2) / (2 * T * B)), diff / (T * B)


def backward(params, cache, dos):
    """BPTT for the direct terms dos (T, B, K) = ∂L_t/∂o_t. Returns a dict:

    grads (like params), dh (T, B, H) total ∂L/∂h_t, dh_later (T, B, H) its part
    from the losses of later steps (what crossed a step: zero under teacher
    forcing), dxs (T, B, D).
    """
    hs, fed, mode = cache["hs"], cache["fed"], cache["mode"]
    T, B, H = hs.shape
    W, U, V = params["weight_ih"], params["weight_oh"], params["weight_ho"]
    dh, dh_later, da, do = (np.empty((T, B, n)) for n in (H, H, H, V.shape[0]))
    d_fed = np.zeros((B, V.shape[0]))  # ∂L/∂ô_t, from step t+1
    for t in reversed(range(T)):
        later = d_fed if mode == "free" else 0.0  # teacher forcing feeds data: nothing reaches o_t
        do[t] = dos[t] + later
        dh[t] = do[t] @ V  # (B, H)
        dh_later[t] = (do[t] - dos[t]) @ V
        da[t] = dh[t] * (1 - hs[t] ** 2)
        d_fed = da[t] @ U  # (B, K) ∂L/∂ô_{t−1}
    flat = lambda a: a.reshape(T * B, -1)  # noqa: E731
    grads = {"weight_ih": flat(da).T @ flat(cache["xs"]), "weight_oh": flat(da).T @ flat(fed),
             "bias_h": da.sum((0, 1)), "weight_ho": flat(do).T @ flat(hs), "bias_o": do.sum((0, 1))}
    return {"grads": grads, "dh": dh, "dh_later": dh_later, "dxs": da @ W}


def loss_and_grads(params, xs, ys, mode):
    """(L, grads) of the model run in `mode` on (xs, ys)."""
    os, cache = forward(params, xs, ys, mode)
    loss, dos = loss_grad(os, ys)
    return loss, backward(params, cache, dos)["grads"]


def gradient_view(params, xs, ys, mode):
    """The per-step gradient view of one run. Returns a dict:

    dh (T, B, H), dh_norm (T, B): ‖∂L/∂h_t‖; dh_later, dh_later_norm: the part
    of ∂L/∂h_t from the losses at steps after t; cross (T, T): ‖∂L_t/∂h_s‖
    over batch and units, row t (the loss's step), column s (0 for s > t:
    causality; for s < t, exactly 0 under teacher forcing).
    """
    os, cache = forward(params, xs, ys, mode)
    _, dos = loss_grad(os, ys)
    back = backward(params, cache, dos)
    T = xs.shape[0]
    cross = np.zeros((T, T))
    for t in range(T):  # the loss at step t alone
        only = np.zeros_like(dos)
        only[t] = dos[t]
        cross[t] = np.sqrt(np.sum(backward(params, cache, only)["dh"] ** 2, axis=(1, 2)))
    norm = lambda a: np.sqrt(np.sum(a ** 2, axis=2))  # noqa: E731
    return {"dh": back["dh"], "dh_norm": norm(back["dh"]), "dh_later": back["dh_later"],
            "dh_later_norm": norm(back["dh_later"]), "cross": cross}


# --------------------------------------------------------------------------
# Training: generators of metrics, as gradflow.trainer.train
# --------------------------------------------------------------------------
def train(mode, params, rng, *, steps=500, lr=0.1, T=12, B=16, clip=1.0, period=12.0):
    """Train by SGD (global-norm clipping at `clip`, None: off), a fresh task batch per step.

    Yields {"event": "step", "step", "mode", "loss" (the objective of `mode`),
    "free_loss" (the same batch run free: what the model does on its own),
    "grad_norm" (before clipping)} per step, then {"event": "done", "step",
    "params", "loss", "free_loss"}. params are copied, never mutated; rng:
    np.random.Generator or int seed, draws every batch.
    """
    _check_mode(mode)
    rng = as_rng(rng)
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    loss = free_loss = None
    for step in range(1, check_size("steps", steps) + 1):
        xs, ys = make_task(T, B, rng, period=period)
        loss, grads = loss_and_grads(params, xs, ys, mode)
        free_loss = loss if mode == "free" else loss_grad(forward(params, xs, ys, "free")[0], ys)[0]
        norm = global_norm(grads)
        rate = lr * clip_coef(norm, clip)
        for k in params:
            params[k] -= rate * grads[k]
        yield {"event": "step", "step": step, "mode": mode, "loss": loss, "free_loss": free_loss,
               "grad_norm": norm}
    yield {"event": "done", "step": steps, "params": params, "loss": loss, "free_loss": free_loss}


def train_teacher_forcing(params, rng, **kwargs):
    """`train("teacher", …)`: the true previous output is fed; no gradient crosses a step."""
    return train("teacher", params, rng, **kwargs)


def train_free_running(params, rng, **kwargs):
    """`train("free", …)`: the model's own previous output is fed; BPTT through o."""
    return train("free", params, rng, **kwargs)
