"""Pascanu's cliff: the one-unit RNN of Pascanu, Mikolov and Bengio (2013), §3.

Why this module exists: the clipping page draws the loss surface of the
smallest recurrent network that has an exploding gradient,

    x_t = w · σ(x_{t−1}) + b,   t = 1..T,   L(w, b) = (σ(x_T) − target)²,

over a grid of (w, b), and the paths of plain and clipped gradient descent
on it. Around the bifurcation of the map x ↦ w·σ(x) + b the surface has a
wall (a "cliff") where ∂L/∂(w, b) is huge; a plain step from there jumps far
away, a clipped step does not.

Everything is float64 NumPy, vectorised over any broadcastable shape of w and
b (a grid of shape (Nb, Nw) in the page). σ is the logistic sigmoid.
Shape legend: T time steps; w, b arrays of one common broadcast shape S.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .checks import check_size
from .clipping import clip_coef

TARGET = 0.7  # σ(x_T) is pulled towards this value (Pascanu et al.'s example)
X0 = 0.5  # initial state x_0
T_DEFAULT = 50  # time steps of the unrolled map


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # 0.5·tanh(x/2) + 0.5 equals 1/(1+e^(−x)) and never overflows.
    return 0.5 * np.tanh(0.5 * x) + 0.5


def _check(T: int, x0: float, target: float) -> None:
    check_size("T", T)
    if not (math.isfinite(x0) and math.isfinite(target)):
        raise ValueError(f"x0 and target must be finite, got x0={x0}, target={target}")


def forward(w, b, T: int = T_DEFAULT, x0: float = X0) -> np.ndarray:
    """States x_0..x_T -> (T+1, *S) for parameters w, b of broadcast shape S."""
    _check(T, x0, TARGET)
    w, b = np.broadcast_arrays(np.asarray(w, np.float64), np.asarray(b, np.float64))
    xs = np.empty((T + 1,) + w.shape)  # (T+1, *S)
    xs[0] = x0
    for t in range(1, T + 1):
        xs[t] = w * _sigmoid(xs[t - 1]) + b
    return xs


def loss(w, b, T: int = T_DEFAULT, x0: float = X0, target: float = TARGET) -> np.ndarray:
    """L(w, b) = (σ(x_T) − target)², shape S."""
    _check(T, x0, target)
    return (_sigmoid(forward(w, b, T, x0)[-1]) - target) ** 2


def loss_and_grad(w, b, T: int = T_DEFAULT, x0: float = X0, target: float = TARGET):
    """L and its exact gradient by backpropagation through the T steps.

    Returns (L, dL/dw, dL/db), each of shape S. With
    δ_T = 2(σ(x_T) − target)·σ'(x_T) and δ_{t−1} = δ_t · w · σ'(x_{t−1}):
    dL/dw = Σ_t δ_t σ(x_{t−1}),  dL/db = Σ_t δ_t.
    """
    _check(T, x0, target)
    xs = forward(w, b, T, x0)  # (T+1, *S)
    w = np.broadcast_to(np.asarray(w, np.float64), xs.shape[1:])
    s = _sigmoid(xs)  # (T+1, *S)
    ds = s * (1.0 - s)  # σ'(x) = σ(x)(1 − σ(x))
    L = (s[-1] - target) ** 2
    delta = 2.0 * (s[-1] - target) * ds[-1]  # ∂L/∂x_T
    dw = np.zeros_like(L)
    db = np.zeros_like(L)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T, 0, -1):
            dw += delta * s[t - 1]
            db += delta
            delta = delta * w * ds[t - 1]  # ∂L/∂x_{t−1}
    return L, dw, db


@dataclass(frozen=True)
class Descent:
    """A gradient-descent path: params (steps+1, 2) as (w, b), loss (steps+1,),
    grad_norm (steps,) before clipping, clipped (steps,) bool."""

    params: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    clipped: np.ndarray


def descend(w0: float, b0: float, lr: float, steps: int, clip: float | None = None,
            T: int = T_DEFAULT, x0: float = X0, target: float = TARGET) -> Descent:
    """Plain (clip=None) or norm-clipped gradient descent from (w0, b0).

    With clip = c, a gradient g is multiplied by clipping.clip_coef(||g||, c)
    = c/(||g|| + 1e-6) when that is < 1: Pascanu et al.'s rule c·g/||g||, with
    the trainer's EPS (steps differ from the plain rule by ~1e-6 relative,
    and stay strictly below lr·c). A non-finite gradient stops the path (the rest
    of the arrays is left out), as a trainer would skip such a step.
    """
    for name, v in (("w0", w0), ("b0", b0), ("lr", lr)):
        if not math.isfinite(v):
            raise ValueError(f"{name} must be finite, got {v}")
    if lr <= 0:
        raise ValueError(f"lr must be > 0, got {lr}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    if clip is not None and not (clip > 0):
        raise ValueError(f"clip must be > 0 or None, got {clip}")
    p = np.array([w0, b0], dtype=np.float64)
    path, losses, norms, flags = [p.copy()], [], [], []
    for _ in range(steps):
        L, dw, db = loss_and_grad(p[0], p[1], T, x0, target)
        g = np.array([float(dw), float(db)])
        n = float(np.hypot(g[0], g[1]))
        losses.append(float(L))
        if not math.isfinite(n):
            break
        rate = clip_coef(n, clip)
        did_clip = rate < 1
        if did_clip:
            g *= rate
        p = p - lr * g
        path.append(p.copy())
        norms.append(n)
        flags.append(did_clip)
    losses.append(float(loss(p[0], p[1], T, x0, target)))
    losses = losses[: len(path)]
    return Descent(np.array(path), np.array(losses), np.array(norms), np.array(flags, dtype=bool))


def surface(w_range, b_range, n: int = 121, T: int = T_DEFAULT, x0: float = X0,
            target: float = TARGET):
    """Loss on an n×n grid: returns (ws (n,), bs (n,), L (n, n) indexed [b, w])."""
    ws = np.linspace(float(w_range[0]), float(w_range[1]), n)  # (n,)
    bs = np.linspace(float(b_range[0]), float(b_range[1]), n)  # (n,)
    return ws, bs, loss(ws[None, :], bs[:, None], T, x0, target)  # (n, n)
