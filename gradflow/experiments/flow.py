"""One gradient-flow experiment: settings -> (params, xs, upstream) -> Flow -> small summaries.

This is the one place where weights and inputs are built from settings. The
app (page 1, the home chart, the clipping page's example), the CLI's `flow`
command and the ρ × T phase map all call `build`, so they agree by
construction. The spectral radius ρ is applied in exactly one place,
`_at_radius`: weight_hh = ρ · W₁, where W₁ is the base recurrent matrix at
radius 1 (random weights) or the trained weight_hh divided by its own
largest block radius (trained weights). The sweep scales the same W₁.

Shape legend: T time, B batch, D input, H hidden, R radii, K steps back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import bidir, bptt, checks, jacobians, spectral
from ..cells import init_params
from ..cells._loop import single_thread
from ..lm import LanguageModel, embed, model_recurrent_params

WEIGHTS = ("random", "trained")
UPSTREAMS = ("random", "top")
TOP_MAX_K = 200  # "top" upstream: the most amplifying power of W is sought among k ≤ this
PHASE_RHOS = np.round(np.linspace(0.0, 3.0, 31), 10)  # ρ grid of the phase map
PHASE_MAX_T = 200  # the phase map runs at most this many steps ...
PHASE_MAX_H = 64  # ... at most this hidden size
POWERS_MAX_H = 128  # ‖W^k‖ curves (one SVD per power) only up to this hidden size
JAC_ALL_STEPS_BUDGET = 2_000_000  # T × H² above which per-step Jacobian norms are skipped
JAC_PRODUCT_STEPS = 50  # running product: at most this many steps back ...
JAC_PRODUCT_FLOPS = 300_000_000  # ... and at most this many k·H³ multiply-adds


@dataclass(frozen=True)
class FlowSettings:
    """One BPTT experiment for one cell. Field names are the engine's; all hashable (a cache key)."""

    cell: str  # "rnn" | "lstm" | "gru"
    T: int = 100  # sequence length (a sentence's length when `sentence` is given)
    H: int = 64  # hidden size (the model's with trained weights)
    rho: float = 1.0  # spectral radius of every gate block of weight_hh
    kind: str = "orthogonal"  # spectrum of the random W_h: spectral.KINDS
    nonlinearity: str = "tanh"  # RNN only
    variant: str = "pytorch"  # GRU only
    forget_bias: float = 1.0  # gate bias at init: LSTM forget gate f, GRU update gate z (1: Jozefowicz et al. 2015)
    loss: str = "last"  # "last": loss at the last step; "sum": at every step
    input_scale: float = 1.0  # inputs are multiplied by this (large values saturate tanh and σ)
    upstream: str = "random"  # loss gradient at the last step: "random" unit vector, or "top" (see `build`)
    truncate: int | None = None  # truncated BPTT block length; None = full BPTT
    seed: int = 0  # one np.random.Generator draws weights, inputs and upstream, in that order
    weights: str = "random"  # "random" (W_h of `kind`) or "trained" (the shipped PTB model's layer 0)
    sentence: tuple = ()  # PTB token ids: their embeddings are the inputs; () = Gaussian inputs
    B: int = 1  # batch rows (the app shows one sequence)
    D: int | None = None  # input size of random inputs (None: D = H)

    def __post_init__(self):
        checks.check_cell(self.cell)
        if self.upstream not in UPSTREAMS:
            raise ValueError(f"unknown upstream {self.upstream!r}: expected one of {', '.join(UPSTREAMS)}")
        if self.weights not in WEIGHTS:
            raise ValueError(f"unknown weights {self.weights!r}: expected one of {', '.join(WEIGHTS)}")

    @property
    def needs_model(self) -> bool:
        """Whether `build` needs a shipped model (trained weights, or a sentence's embeddings)."""
        return self.weights == "trained" or bool(self.sentence)

    @property
    def engine_options(self) -> dict:
        return {"truncate": self.truncate, "nonlinearity": self.nonlinearity, "variant": self.variant}


@dataclass(frozen=True)
class Problem:
    """What `gradient_flow` is run on: params (PyTorch names), xs (T, B, D), upstream (T, B, H)."""

    params: dict
    xs: np.ndarray
    upstream: np.ndarray
    unit_hh: np.ndarray  # (G·H, H) weight_hh at radius 1: params["weight_hh"] = ρ · unit_hh
    own_radius: float  # radius the weights came with (1 for random weights)


def largest_block_radius(weight_hh) -> float:
    return float(max(spectral.spectral_radius(b) for b in spectral.gate_blocks(weight_hh)))


def _at_radius(params: dict, unit_hh: np.ndarray, rho: float) -> dict:
    """The one place ρ reaches the weights: weight_hh = ρ · unit_hh."""
    return {**params, "weight_hh": rho * unit_hh}


def build(s: FlowSettings, model: LanguageModel | None = None) -> Problem:
    """The experiment of `s`. model: the shipped PTB model that lends trained weights or embeddings.

    Random weights: PyTorch's init from default_rng(seed), then every gate
    block of weight_hh replaced by a radius-1 matrix of `kind` (drawn in gate
    order), then Gaussian inputs (unless a sentence is given), then the
    upstream gradient, all from the same generator. Trained weights: the
    model's first layer, its weight_hh divided by its largest block radius.

    Gate bias (random weights): forget_bias is added to the LSTM's forget
    gate and to the GRU's update gate z, its equivalent: the GRU keeps
    h_{t−1} when z → 1 (h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}), as the LSTM keeps
    c_{t−1} when f → 1.

    upstream "top": the loss gradient at the last step points along the
    direction that the powers of the first gate block of weight_hh amplify
    most (the top left singular vector of W^{k*}, k* = argmax_k ‖W^k‖₂): for a
    non-normal W the backward pass then shows the transient growth of ‖W^k‖.
    """
    if s.needs_model and model is None:
        raise ValueError("this experiment needs a shipped PTB model (trained weights or a sentence's embeddings)")
    if s.weights == "trained" and not s.sentence:
        raise ValueError("trained weights read a sentence: give its token ids in `sentence`")
    rng = checks.as_rng(s.seed)
    if s.sentence:
        xs = embed(model, np.asarray(s.sentence, dtype=np.int64))[:, None, :]  # (T, 1, E)
        xs = np.repeat(xs, s.B, axis=1) if s.B > 1 else xs  # (T, B, E)
    if s.weights == "trained":
        params = model_recurrent_params(model, 0)
        own = largest_block_radius(params["weight_hh"])
        unit_hh = params["weight_hh"] / own if own > 0 else params["weight_hh"]
        T, H = xs.shape[0], params["weight_hh"].shape[1]
        upstream = _aim(bptt.make_upstream(T, s.B, H, s.loss, rng), s, unit_hh)
        return Problem(_at_radius(params, unit_hh, s.rho), s.input_scale * xs, upstream, unit_hh, own)
    T, H = (len(s.sentence) if s.sentence else s.T), s.H
    D = xs.shape[2] if s.sentence else (H if s.D is None else s.D)
    params = init_params(s.cell, D, H, rng, forget_bias=s.forget_bias if s.cell == "lstm" else 0.0)
    if s.cell == "gru":
        params["bias_ih"][H:2 * H] += s.forget_bias  # gates r, z, n: the update gate z
    G = checks.NUM_GATES[s.cell]
    unit_hh = np.concatenate([spectral.base_recurrent_matrix(H, s.kind, rng) for _ in range(G)])  # (G·H, H)
    if not s.sentence:
        xs = rng.standard_normal((T, s.B, D))  # (T, B, D)
    upstream = _aim(bptt.make_upstream(T, s.B, H, s.loss, rng), s, unit_hh)
    return Problem(_at_radius(params, unit_hh, s.rho), s.input_scale * xs, upstream, unit_hh, 1.0)


def _aim(upstream: np.ndarray, s: FlowSettings, unit_hh: np.ndarray) -> np.ndarray:
    """upstream (T, B, H) with its last step along W's most amplified direction when s.upstream == "top"."""
    if s.upstream != "top":
        return upstream
    H = unit_hh.shape[1]
    W = unit_hh[:H]  # first gate block; its powers scale as ρ^k, so the best k does not depend on ρ
    K = min(upstream.shape[0] - 1, TOP_MAX_K)
    k = int(np.argmax(spectral.matrix_power_norms(W, K))) if K > 0 else 0
    u = np.linalg.svd(np.linalg.matrix_power(W, k))[0][:, 0]  # (H,) top left singular vector of W^k
    u = u if u[np.argmax(np.abs(u))] > 0 else -u  # a fixed sign: the same link draws the same chart
    upstream = upstream.copy()
    upstream[-1] = u
    return upstream


def run(s: FlowSettings, model: LanguageModel | None = None) -> tuple[dict, bptt.Flow]:
    """(params, Flow) of the experiment `s`."""
    p = build(s, model)
    with single_thread():  # see cells._loop: one BLAS thread serves concurrent sessions best
        return p.params, bptt.gradient_flow(s.cell, p.params, p.xs, p.upstream, **s.engine_options)


def bidir_build(s: FlowSettings, model: LanguageModel | None = None) -> tuple[Problem, Problem]:
    """The two chains of `run_bidir`: (build(s), build(s with seed s.seed + 1)); only the second's params are used."""
    if s.weights != "random":
        raise ValueError("a bidirectional layer needs random weights: the shipped models read one direction")
    return build(s, model), build(replace(s, seed=s.seed + 1), model)


def run_bidir(s: FlowSettings, position: int, model: LanguageModel | None = None) -> bidir.BiFlow:
    """A bidirectional layer on the problem of `s`, the loss at `position` (the unrolled graph's part D).

    Forward chain: the params and inputs of `build(s)`, exactly (random weights
    of s.kind at s.rho, seed s.seed). Backward chain: its own weights, drawn the
    same way by `build` with seed s.seed + 1 (`bidir_build`; its inputs and
    upstream unused: both chains read the same xs). The loss's one direct term
    ∂L/∂out_p (B, 2H) is a random unit vector per batch row, drawn like
    `bptt.make_upstream`'s from default_rng(s.seed). The loss setting,
    s.upstream and truncation do not apply (the bidirectional engine runs full
    BPTT for one loss position). Trained weights have no backward chain: ValueError.
    """
    fwd, bwd = bidir_build(s, model)
    with single_thread():
        return bidir.gradient_flow(s.cell, bidir.join(fwd.params, bwd.params), fwd.xs, position, rng=s.seed,
                                   nonlinearity=s.nonlinearity, variant=s.variant)


# --------------------------------------------------------------------------
# Summaries of a Flow for the figures
# --------------------------------------------------------------------------
def _row(a):
    return None if a is None else np.asarray(a)[:, 0].copy()


def summarize(s: FlowSettings, flow: bptt.Flow) -> dict:
    """Small arrays of a Flow for the figures (all (T,) unless noted).

    dh, dc, prodf (LSTM), via_cell, via_hidden (LSTM), dx, dW; finite,
    first_nonfinite, where; rate: the measured factor per step back (< 1
    vanishing, > 1 exploding); gamma: γ of the RNN's nonlinearity (None for
    the gated cells).
    """
    dh = _row(flow.dh_norm)
    back = dh[::-1]  # index k = steps back from the end
    if s.loss == "last":
        back = back[1:] if back.size > 2 else back  # the last step holds the loss itself
    return {
        "T": flow.T, "dh": dh, "dc": _row(flow.dc_norm), "dx": _row(flow.dx_norm),
        "dW": np.asarray(flow.dW_contrib, dtype=np.float64).copy(),
        "via_cell": _row(flow.dh_prev_cell_norm), "via_hidden": _row(flow.dh_prev_hidden_norm),
        "prodf": _row(jacobians.forget_product(flow)) if s.cell == "lstm" else None,
        **_cell_path(flow),
        "finite": bool(flow.finite), "first_nonfinite": flow.first_nonfinite, "where": flow.nonfinite_where,
        "rate": spectral.decay_rate(back),
        "gamma": spectral.GAMMA.get(s.nonlinearity, 1.0) if s.cell == "rnn" else None,
    }


def _cell_path(flow) -> dict:
    """LSTM: ‖∂L/∂c_t‖ split exactly into "carried" (the last step's injection carried by ∏f) and "injected"."""
    if flow.cell != "lstm":
        return {"carried": None, "injected": None}
    split = jacobians.lstm_cell_path_split(flow)
    return {"carried": _row(split["carried_norm"]), "injected": _row(split["injected_norm"])}


def spectrum(s: FlowSettings, params: dict) -> dict:
    """Spectrum of weight_hh: eig (block name -> (H,) complex), rho_meas, sigma_max,
    powers (name -> (K+1,) ‖W^k‖ of the first block, K = min(T, 200); empty above POWERS_MAX_H)."""
    blocks = spectral.gate_blocks(params["weight_hh"])
    names = checks.GATES[s.cell] if s.cell != "rnn" else ("W",)
    eig = {f"{s.cell.upper()} {n}": spectral.eigenvalues(b) for n, b in zip(names, blocks)}
    with single_thread():
        K = min(len(s.sentence) or s.T, 200)
        powers = ({f"{s.cell.upper()} {names[0]}": spectral.matrix_power_norms(blocks[0], K)}
                  if blocks[0].shape[0] <= POWERS_MAX_H else {})
    return {"eig": eig, "rho_meas": float(max(np.max(np.abs(e)) for e in eig.values())),
            "sigma_max": sigma_max(params), "powers": powers}


def sigma_max(params: dict) -> float:
    """Largest singular value over the gate blocks of weight_hh (for Pascanu's bound)."""
    with single_thread():
        return max(float(spectral.singular_values(b)[0]) for b in spectral.gate_blocks(params["weight_hh"]))


def theory(s: FlowSettings, flow: bptt.Flow, params: dict) -> dict:
    """The theory line of the gradient chart for one RNN, drawn only where it holds: key -> (T,).

    Anchored at the last step, k = T−1−t steps back, and drawn for a loss at
    the last step only (with a loss at every step ‖∂L/∂h_t‖ sums many terms
    and no single-term bound applies):
    - "rho_exact": ‖∂L/∂h_{T−1}‖ ρ^k, exact for the linear RNN with orthogonal
      W_h (all singular values of ρQ are ρ);
    - "pascanu" (other RNNs): Pascanu et al.'s bound ‖∂L/∂h_{T−1}‖ (γ σ_max)^k;
      "pascanu_rho" when σ_max = ρ and γ = 1 (a normal W_h), where it coincides with ρ^k.
    The gated cells get none here: their own bounds are on their tabs (∏f on
    the LSTM paths tab, the measured step-Jacobian norms on the Jacobian tab).
    """
    if s.cell != "rnn" or s.loss != "last" or not flow.finite:
        return {}
    k = np.arange(flow.T - 1, -1, -1, dtype=np.float64)
    dh_T = float(flow.dh_norm[-1, 0])
    with np.errstate(over="ignore", under="ignore"):
        if s.nonlinearity == "linear" and s.kind == "orthogonal" and s.weights == "random":
            return {"rho_exact": dh_T * spectral.rho_power(s.rho, k)}
        gamma, sig = spectral.GAMMA.get(s.nonlinearity, 1.0), sigma_max(params)
        key = "pascanu_rho" if gamma == 1.0 and abs(sig - s.rho) <= 1e-9 * max(s.rho, 1.0) else "pascanu"
        return {key: dh_T * spectral.pascanu_bound(sig, gamma, k)}


def phase_map(s: FlowSettings, model: LanguageModel | None = None):
    """log10 ‖∂L/∂h‖ over (steps back k, ρ) from the batched sweep: (rhos, ks, Z (K, R), info).

    The same construction as `build` (random weights of the page's kind and
    seed, at T' = min(T, PHASE_MAX_T), H' = min(H, PHASE_MAX_H)): the sweep
    scales the base W₁ by every ρ of PHASE_RHOS.
    """
    T, H = min(s.T, PHASE_MAX_T), min(s.H, PHASE_MAX_H)
    small = replace(s, T=T, H=H, weights="random", sentence=(), rho=1.0,
                    truncate=s.truncate if (s.truncate or T) < T else None)
    p = build(small)
    with single_thread():
        G = bptt.sweep(s.cell, {**p.params, "weight_hh": p.unit_hh}, p.xs, p.upstream, PHASE_RHOS,
                       **small.engine_options)  # (R, T)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        Z = np.log10(G[:, ::-1].T)  # (K, R): row k = T−1−t
    return PHASE_RHOS.copy(), np.arange(T), Z, {"T": T, "H": H}


def step_factors(s: FlowSettings, flow, t: int) -> dict:
    """Per-unit factors of the step-t Jacobian: name -> (H,).

    RNN: the activation derivative f'(a_t); LSTM: the gates i, f, g, o and
    tanh'(c_t); GRU: the gates r, z, n. These multiply the blocks of W_hh.
    """
    if s.cell == "rnn":
        h = flow.hs[t, 0]
        d = {"tanh": 1.0 - h * h, "relu": (h > 0).astype(np.float64), "linear": np.ones_like(h)}[s.nonlinearity]
        return {f"{s.nonlinearity}'(a_t)": d}
    out = {g: flow.gates[g][t, 0].copy() for g in flow.gates}
    if s.cell == "lstm":
        out["tanh'(c_t)"] = 1.0 - np.tanh(flow.cs[t, 0]) ** 2
    return out


def jacobian_panel(s: FlowSettings, flow, params: dict, t: int) -> dict:
    """The step Jacobian of the state at step t and its context.

    J (S, S): ∂h_t/∂h_{t−1} for the RNN and the GRU (S = H); for the LSTM the
    state Jacobian ∂(h_t, c_t)/∂(h_{t−1}, c_{t−1}) (S = 2H, h first). sv (S,);
    factors (see step_factors); step_norms (T,) ‖J_s‖ for every step (NaN
    above JAC_ALL_STEPS_BUDGET; all_steps says which); running (T,):
    ‖J_t ⋯ J_s‖ at s = t, t−1, … for at most JAC_PRODUCT_STEPS steps back,
    NaN elsewhere.
    """
    T, H = flow.hs.shape[0], flow.hs.shape[2]
    S = 2 * H if s.cell == "lstm" else H
    t = int(min(max(t, 0), T - 1))
    with single_thread():
        J = jacobians.state_jacobian(flow, params, t)  # (S, S)
        with np.errstate(all="ignore"):
            sv = np.linalg.svd(J, compute_uv=False) if np.isfinite(J).all() else np.full(S, np.nan)
        all_steps = T * S * S <= JAC_ALL_STEPS_BUDGET
        norms = jacobians.state_jacobian_norms(flow, params)[:, 0] if all_steps else np.full(T, np.nan)
        k_max = int(max(1, min(JAC_PRODUCT_STEPS, JAC_PRODUCT_FLOPS // S ** 3)))
        products = jacobians.state_product_norms(flow, params, t, k_max=k_max)  # (K,) k = 1..K
    running = np.full(T, np.nan)
    running[t - np.arange(products.size)] = products
    return {"t": t, "J": J, "sv": sv, "factors": step_factors(s, flow, t), "step_norms": norms,
            "all_steps": all_steps, "running": running}


def home_curves(T: int = 100, H: int = 64, rho: float = 1.0) -> dict:
    """‖∂L/∂h_t‖ of RNN, LSTM and GRU at the default settings: cell -> (T,)."""
    return {c: run(FlowSettings(cell=c, T=T, H=H, rho=rho))[1].dh_norm[:, 0] for c in checks.CELLS}
