"""Echo state networks: a fixed random reservoir, how fast its state forgets its input, and its gradient.

The reservoir is an RNN that is never trained (only a linear readout of h would be):

    h_t = φ(W_in x_t + W h_{t−1}),   φ = tanh | linear (| relu), no bias,

with W (H, H) = `spectral.recurrent_matrix(H, ρ, kind)` and W_in (H, D) ~
U(−s, s). The params are an RNN's dict (weight_ih = W_in, weight_hh = W, zero
biases), so the engine runs it: `gradient_flow` is `bptt.gradient_flow("rnn", …)`.

Forward sensitivity, the memory curve: how much the state at step t still
depends on the input at step s = t − k,

    ∂h_t/∂x_s = (D_t W)(D_{t−1} W) ⋯ (D_{s+1} W) D_s W_in,   D_r = diag(φ'(z_r)),

computed exactly as that product of Jacobians (`input_jacobians`). For a
linear reservoir with W = ρQ, Q orthogonal, ∂h_t/∂x_{t−k} = ρ^k Q^k W_in, whose
spectral and Frobenius norms are exactly ρ^k ‖W_in‖ (Q^k keeps singular
values); with tanh (|φ'| ≤ 1) and the same W they are at most that
(`linear_memory`). Backward, ∂L/∂h_{T−1−k} = (Wᵀ)^k ∂L/∂h_{T−1} for a loss at the
last step: the same ρ^k. A reservoir forgets its input at the rate its gradient vanishes.
"""

from __future__ import annotations

import numpy as np

from . import spectral
from .bptt import _array, gradient_flow as _engine_flow, unroll
from .cells.rnn import NONLINEARITIES
from .checks import as_rng, check_size

NORMS = ("spectral", "fro")


def init_reservoir(D, H, rho, rng, *, kind="orthogonal", input_scale=1.0):
    """RNN params of a reservoir: weight_hh = recurrent_matrix(H, ρ, kind, rng), then
    weight_ih (H, D) ~ U(−input_scale, input_scale) from the same rng; zero biases."""
    D, H = check_size("D", D), check_size("H", H)
    rng = as_rng(rng)
    w = spectral.recurrent_matrix(H, rho, kind, rng)  # (H, H)
    return {"weight_ih": rng.uniform(-input_scale, input_scale, (H, D)), "weight_hh": w,
            "bias_ih": np.zeros(H), "bias_hh": np.zeros(H)}


def _check(params, xs, h0, nonlinearity):
    if not isinstance(nonlinearity, str) or nonlinearity not in NONLINEARITIES:
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}: expected one of {', '.join(NONLINEARITIES)}")
    xs = _array("xs", xs, (None, None, None))
    T, B, D = xs.shape
    H = np.shape(params["weight_hh"])[-1]
    params = {k: _array(k, params[k], s) for k, s in
              {"weight_ih": (H, D), "weight_hh": (H, H), "bias_ih": (H,), "bias_hh": (H,)}.items()}
    h0 = np.zeros((B, H)) if h0 is None else _array("h0", h0, (B, H))
    return params, xs, h0


def run(params, xs, h0=None, *, nonlinearity="tanh"):
    """The reservoir's states: xs (T, B, D) -> hs (T, B, H)."""
    params, xs, h0 = _check(params, xs, h0, nonlinearity)
    return unroll("rnn", params, xs, h0, nonlinearity=nonlinearity)[0]


def input_jacobians(params, xs, h0=None, *, nonlinearity="tanh", t=-1):
    """∂h_t/∂x_s for s = 0 … t: (t+1, B, H, D), row s. t: the step read (−1: the last)."""
    params, xs, h0 = _check(params, xs, h0, nonlinearity)
    T, B, _ = xs.shape
    t = range(T)[t]
    hs = unroll("rnn", params, xs[:t + 1], h0, nonlinearity=nonlinearity)[0]  # (t+1, B, H)
    dphi = (1 - hs ** 2 if nonlinearity == "tanh" else (hs > 0) * 1.0 if nonlinearity == "relu"
            else np.ones_like(hs))  # (t+1, B, H) φ'(z_s), from h_s
    W, W_in = params["weight_hh"], params["weight_ih"]
    H = W.shape[0]
    G = np.broadcast_to(np.eye(H), (B, H, H)).copy()  # ∂h_t/∂h_s, from s = t down
    J = np.empty((t + 1, B, H, W_in.shape[1]))
    for s in range(t, -1, -1):
        GD = G * dphi[s][:, None, :]  # (B, H, H) ∂h_t/∂z_s = ∂h_t/∂h_s · D_s
        J[s] = GD @ W_in  # (B, H, D)
        G = GD @ W  # ∂h_t/∂h_{s−1}
    return J


def _matrix_norm(M, norm):
    if norm == "spectral":
        return np.linalg.norm(M, ord=2, axis=(-2, -1))
    return np.sqrt(np.sum(M ** 2, axis=(-2, -1)))


def memory_curve(params, xs, h0=None, *, nonlinearity="tanh", t=-1, norm="spectral"):
    """‖∂h_t/∂x_{t−k}‖ for lags k = 0 … t: (t+1, B), row k.

    norm: "spectral" (the largest gain from a unit input change at step t−k to
    the state at t) or "fro" (Frobenius: all input directions together).
    """
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}: expected one of {', '.join(NORMS)}")
    J = input_jacobians(params, xs, h0, nonlinearity=nonlinearity, t=t)  # (t+1, B, H, D), row s
    return _matrix_norm(J[::-1], norm)  # row k = t − s


def linear_memory(params, lags, *, norm="spectral"):
    """ρ^k ‖W_in‖ for lags k (array), ρ = ‖weight_hh‖₂: the linear orthogonal reservoir's memory
    curve exactly, and a bound on a tanh reservoir's with the same weights."""
    if norm not in NORMS:
        raise ValueError(f"unknown norm {norm!r}: expected one of {', '.join(NORMS)}")
    rho = np.linalg.norm(np.asarray(params["weight_hh"], float), 2)
    return rho ** np.asarray(lags, float) * _matrix_norm(np.asarray(params["weight_ih"], float), norm)


def gradient_flow(params, xs, upstream, h0=None, *, nonlinearity="tanh"):
    """The gradient view of the same reservoir: `bptt.gradient_flow("rnn", …)`, a Flow (dh_norm: ‖∂L/∂h_t‖)."""
    return _engine_flow("rnn", params, xs, upstream, h0, nonlinearity=nonlinearity)
