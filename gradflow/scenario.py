"""The numerical experiments behind the app's pages, as pure NumPy functions.

Why this module exists: a page turns its widget values into one experiment
(a cell, a recurrent matrix of a chosen spectrum, inputs, a loss) and shows
small summaries of the resulting gradient flow. Building the experiment and
reducing a `Flow` to those summaries is plain numerics, kept here so it is
tested without Streamlit; `gradflow.cache` only wraps these functions in
Streamlit's caches.

Every run uses batch B = 1 (a lecture shows one sequence). Shape legend:
T time, H hidden, D input, R radii, K steps back, G gate blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import bptt, spectral

# Interactive limits (the pages say so when one is hit).
BUDGET_MAIN = 16_000_000  # T × H² × number of cells for the gradient curves (≈13× the defaults)
PHASE_RHOS = np.round(np.linspace(0.0, 3.0, 31), 10)  # ρ grid of the phase map
PHASE_MAX_T = 200  # the phase map runs at most this many steps ...
PHASE_MAX_H = 64  # ... at most this hidden size
POWERS_MAX_H = 128  # ||W^k|| curves (one SVD per power) only up to this hidden size
JAC_ALL_STEPS_BUDGET = 2_000_000  # T × H² above which per-step Jacobian norms are skipped
JAC_PRODUCT_STEPS = 50  # running product: at most this many steps back ...
JAC_PRODUCT_FLOPS = 300_000_000  # ... and at most this many k·H³ multiply-adds


@dataclass(frozen=True)
class Setup:
    """One page-1 experiment for one cell (all hashable, so it can key a cache)."""

    cell: str  # "rnn" | "lstm" | "gru"
    T: int = 100  # sequence length
    H: int = 64  # hidden size (D = H for random inputs)
    rho: float = 1.0  # spectral radius of every gate block of weight_hh
    kind: str = "orthogonal"  # spectrum kind, see spectral.KINDS
    nonlin: str = "tanh"  # RNN nonlinearity
    variant: str = "pytorch"  # GRU variant
    fbias: float = 0.0  # LSTM forget-gate bias
    loss: str = "last"  # "last" or "sum"
    scale: float = 1.0  # input scale (large values saturate tanh and sigmoid)
    trunc: int = 0  # truncation window; 0 = full BPTT
    seed: int = 0


def capped_T(T: int, H: int, n_cells: int, budget: int = BUDGET_MAIN) -> int:
    """Largest T' <= T with T' × H² × n_cells <= budget (at least 2).

    The cost of a run is one (H × G·H) matmul per step forward and backward,
    so it grows like T·H²; the limit keeps a slider drag interactive.
    """
    return max(2, min(int(T), budget // max(1, int(H) ** 2 * max(1, int(n_cells)))))


def flow_options(s: Setup) -> dict:
    return {"truncate": s.trunc or None, "nonlinearity": s.nonlin, "variant": s.variant}


def random_problem(s: Setup):
    """(params, xs (T, 1, H), upstream (T, 1, H)) with weight_hh = ρ · (radius-1 base).

    The same construction as `gradflow.sweep`, so the phase map and the
    curves agree at equal ρ and seed.
    """
    fb = s.fbias if s.cell == "lstm" else 0.0
    params, xs, up = bptt.sweep_problem(s.cell, s.T, s.H, None, 1, s.kind, s.seed, s.loss, s.scale, fb)
    params["weight_hh"] = s.rho * params["weight_hh"]
    return params, xs, up


def random_problem_inputs(s: Setup, xs: np.ndarray):
    """Random weights of radius ρ driven by given inputs xs (T, 1, D) (e.g. PTB embeddings)."""
    from . import cells

    xs = np.asarray(xs, dtype=np.float64)
    rng = np.random.default_rng(s.seed)
    fb = s.fbias if s.cell == "lstm" else 0.0
    params = cells.init_params(s.cell, xs.shape[2], s.H, rng, forget_bias=fb)
    params = spectral.with_recurrent_spectrum(params, s.rho, s.kind, rng)
    up = bptt.make_upstream(xs.shape[0], 1, s.H, s.loss, rng)
    return params, s.scale * xs, up


def trained_problem(s: Setup, params: dict, xs: np.ndarray, own_radius: float):
    """A trained layer with weight_hh scaled uniformly so its largest block radius is ρ.

    params: one recurrent layer (PyTorch names); xs (T, 1, E) embeddings of
    a sentence; own_radius: the layer's largest block radius. Returns
    (params, xs * scale, upstream).
    """
    p = {k: np.asarray(v, dtype=np.float64).copy() for k, v in params.items()}
    if own_radius > 0:
        p["weight_hh"] *= s.rho / own_radius
    T, H = xs.shape[0], p["weight_hh"].shape[1]
    up = bptt.make_upstream(T, 1, H, s.loss, np.random.default_rng(s.seed))
    return p, s.scale * np.asarray(xs, dtype=np.float64), up


def largest_block_radius(weight_hh) -> float:
    return float(max(spectral.spectral_radius(b) for b in spectral.gate_blocks(weight_hh)))


def run(s: Setup, params, xs, up) -> bptt.Flow:
    return bptt.gradient_flow(s.cell, params, xs, up, **flow_options(s))


def _row(a):
    return None if a is None else np.asarray(a)[:, 0].copy()


def summarize(s: Setup, flow: bptt.Flow) -> dict:
    """Small arrays of a Flow for the figures of page 1 (all (T,) unless noted).

    dh, dc, prodf (LSTM), via_cell, via_hidden (LSTM), dx, dW; finite,
    first_nonfinite, where; rate: the measured factor per step back (< 1
    vanishing, > 1 exploding); gamma: γ of the RNN's nonlinearity (None for
    the gated cells).
    """
    T = flow.hs.shape[0]
    dh = _row(flow.dh_norm)
    back = dh[::-1]  # index k = steps back from the end
    if s.loss == "last":
        back = back[1:] if back.size > 2 else back  # the last step holds the loss itself
    return {
        "T": T, "dh": dh, "dc": _row(flow.dc_norm), "dx": _row(flow.dx_norm),
        "dW": np.asarray(flow.dW_contrib, dtype=np.float64).copy(),
        "via_cell": _row(flow.dh_prev_cell_norm), "via_hidden": _row(flow.dh_prev_hidden_norm),
        "prodf": _row(spectral.forget_product(flow)) if s.cell == "lstm" else None,
        "finite": bool(flow.finite), "first_nonfinite": flow.first_nonfinite, "where": flow.nonfinite_where,
        "rate": spectral.decay_rate(back),
        "gamma": spectral.GAMMA.get(s.nonlin, 1.0) if s.cell == "rnn" else None,
    }


def spectrum(s: Setup, params: dict) -> dict:
    """Spectrum of weight_hh: eig (block name -> (H,) complex), rho_meas, sigma_max,
    powers (name -> (K+1,) ||W^k|| of the first block, K = min(T, 200); empty
    above POWERS_MAX_H)."""
    blocks = spectral.gate_blocks(params["weight_hh"])
    names = {"rnn": ("W",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}[s.cell]
    eig = {f"{s.cell.upper()} {n}": spectral.eigenvalues(b) for n, b in zip(names, blocks)}
    sig = max(float(spectral.singular_values(b)[0]) for b in blocks)
    K = min(s.T, 200)
    powers = ({f"{s.cell.upper()} {names[0]}": spectral.matrix_power_norms(blocks[0], K)}
              if s.H <= POWERS_MAX_H else {})
    return {"eig": eig, "rho_meas": float(max(np.max(np.abs(e)) for e in eig.values())), "sigma_max": sig,
            "powers": powers}


def theory(summ: dict, rho: float, sigma_max: float | None = None) -> dict:
    """Theory curves anchored at the last step: key -> (T,).

    "rho": ||dL/dh_{T-1}|| · ρ^k; "pascanu" (RNN, when sigma_max is given):
    ... · (γ σ_max)^k, with k = T−1−t.
    """
    T = summ["T"]
    k = np.arange(T - 1, -1, -1, dtype=np.float64)
    anchor = summ["dh"][-1]
    if not (np.isfinite(anchor) and anchor > 0):
        return {}
    with np.errstate(over="ignore", under="ignore"):
        out = {"rho": anchor * spectral.rho_power(rho, k)}
        if summ["gamma"] is not None and sigma_max is not None:
            out["pascanu"] = anchor * spectral.pascanu_bound(sigma_max, summ["gamma"], k)
    return out


def phase_map(s: Setup) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """log10 ||dL/dh|| over (steps back k, ρ) from the batched sweep: (rhos, ks, Z (K, R), info).

    Runs at T' = min(T, PHASE_MAX_T), H' = min(H, PHASE_MAX_H) on random
    weights of the page's kind and seed; info says which sizes were used.
    """
    T, H = min(s.T, PHASE_MAX_T), min(s.H, PHASE_MAX_H)
    fb = s.fbias if s.cell == "lstm" else 0.0
    G = bptt.sweep(s.cell, PHASE_RHOS, T, H, kind=s.kind, seed=s.seed, loss=s.loss, input_scale=s.scale,
                   truncate=(s.trunc or None) if (s.trunc or T) < T else None, nonlinearity=s.nonlin,
                   variant=s.variant, forget_bias=fb)  # (R, T)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        Z = np.log10(G[:, ::-1].T)  # (K, R): row k = T−1−t
    Z = np.where(np.isneginf(Z), -np.inf, Z)
    return PHASE_RHOS.copy(), np.arange(T), Z, {"T": T, "H": H}


def step_factors(s: Setup, flow, t: int) -> dict:
    """Per-unit factors of the step-t Jacobian: name -> (H,).

    RNN: the activation derivative f'(a_t); LSTM: the gates i, f, g, o and
    tanh'(c_t); GRU: the gates r, z, n. These multiply the blocks of W_hh.
    """
    if s.cell == "rnn":
        h = flow.hs[t, 0]
        d = {"tanh": 1.0 - h * h, "relu": (h > 0).astype(np.float64), "linear": np.ones_like(h)}[s.nonlin]
        return {f"{s.nonlin}'(a_t)": d}
    out = {g: flow.gates[g][t, 0].copy() for g in flow.gates}
    if s.cell == "lstm":
        out["tanh'(c_t)"] = 1.0 - np.tanh(flow.cs[t, 0]) ** 2
    return out


def jacobian_panel(s: Setup, flow, params: dict, t: int) -> dict:
    """The Jacobian ∂h_t/∂h_{t−1} at step t and its context.

    J (H, H); sv (H,); factors (see step_factors); steps (T,) and step_norms
    (T,) ||J_s|| for every step (None above JAC_ALL_STEPS_BUDGET); ks (K,),
    running (K,) = ||J_t ⋯ J_{t−k+1}|| for k = 1..K.
    """
    T, H = flow.hs.shape[0], flow.hs.shape[2]
    t = int(min(max(t, 0), T - 1))
    J = spectral.step_jacobian(flow, params, t)  # (H, H)
    with np.errstate(all="ignore"):
        sv = np.linalg.svd(J, compute_uv=False) if np.isfinite(J).all() else np.full(H, np.nan)
    norms = None
    if T * H * H <= JAC_ALL_STEPS_BUDGET:
        norms = spectral.jacobian_norms(flow, params)[:, 0]
    k_max = int(max(1, min(JAC_PRODUCT_STEPS, JAC_PRODUCT_FLOPS // H ** 3)))
    running = spectral.jacobian_product_norms(flow, params, t, k_max=k_max)
    return {"t": t, "J": J, "sv": sv, "factors": step_factors(s, flow, t), "steps": np.arange(T),
            "step_norms": norms, "ks": np.arange(1, running.size + 1), "running": running}


def clip_gradients(cell: str, rho: float, T: int, H: int, seed: int, kind: str = "orthogonal",
                   nonlin: str = "tanh"):
    """Gradients of a random cell at radius ρ (the clipping page's example): grads dict.

    Large ρ makes them explode (or overflow to inf: the clipping page then
    shows the step being skipped).
    """
    s = Setup(cell=cell, T=T, H=H, rho=rho, kind=kind, nonlin=nonlin, seed=seed)
    params, xs, up = random_problem(s)
    return run(s, params, xs, up).grads


def finite_or_nan(x: float) -> float:
    return x if math.isfinite(x) else float("nan")
