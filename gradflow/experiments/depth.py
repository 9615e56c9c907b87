"""Page 5 (depth and memory): its settings and the small arrays its four views draw.

One frozen settings dataclass per tab, with the engine's field names, built from
the page's widget values (`from_widgets`, keyed by their URL names):

- `DepthSettings` -> `depth_maps`: log10 ‖∂L/∂h_t^(l)‖ over layers × time for a plain
  stack and for the same stack with a skip connection (`gradflow.stack`).
- `VariantSettings` -> `variant_curves`: ‖∂L/∂h_t‖ and ‖∂L/∂c_t‖ of the standard,
  peephole and coupled LSTM sharing one set of weights (`gradflow.variants`).
- `MemorySettings` -> `memory_curves`: an echo-state reservoir's forward memory and
  backward gradient over the lag k, with ρ^k (`gradflow.esn`).
- `TeacherSettings` -> `teacher_runs`: teacher forcing against free running on the toy
  task: loss curves and the cross-step gradient ‖∂L_t/∂h_s‖ (`gradflow.teacher`).

No streamlit, no plotly: every caption of the page is asserted on these outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .. import bptt, esn, spectral, stack, teacher, variants
from ..checks import PARAM_NAMES

VIEWS = ("depth", "variants", "memory", "teacher")
# "none" draws the plain stack alone; any other connection is drawn beside it.
CONNECTIONS = stack.CONNECTIONS
LSTM_VARIANTS = ("standard", *variants.VARIANTS)  # standard, peephole, coupled
MEMORY_NONLIN = ("tanh", "linear")

# Each tab's widget keys (the URL parameters) -> field names; a key of another tab is ignored.
_FIELDS = {
    "depth": {"cell": "cell", "L": "L", "H": "H", "T": "T", "rho": "rho", "conn": "connection",
              "hbias": "highway_bias", "ihs": "ih_scale", "seed": "seed"},
    "variants": {"vars": "variants", "vT": "T", "vH": "H", "vrho": "rho", "vfb": "forget_bias",
                 "peep0": "zero_peepholes", "seed": "seed"},
    "memory": {"erho": "rho", "eT": "T", "eH": "H", "nonlin": "nonlinearity", "escale": "input_scale",
               "seed": "seed"},
    "teacher": {"tsteps": "steps", "tT": "T", "tH": "H", "tlr": "lr", "seed": "seed"},
}
_CAST = {"float": float, "int": int, "bool": bool, "tuple": tuple, "str": str}


def _from_widgets(cls, tab: str, values: dict):
    """cls(**fields) from the widget values of `tab`, each cast to its field's type."""
    types = {f.name: f.type for f in fields(cls)}  # annotations are strings here (from __future__)
    return cls(**{_FIELDS[tab][k]: _CAST[types[_FIELDS[tab][k]]](v) for k, v in values.items() if k in _FIELDS[tab]})


# ---------------------------------------------------------------------------
# Depth × time
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DepthSettings:
    """A random stack of L layers (`stack.random_problem`). The input width D is H (as in the presets)."""

    cell: str = "rnn"
    L: int = 8
    H: int = 64
    T: int = 50
    rho: float = 1.0  # spectral radius of every gate block of every layer's weight_hh
    kind: str = "orthogonal"
    connection: str = "residual"  # drawn beside the plain stack ("none": the plain stack alone)
    highway_bias: float = -2.0  # "highway": the gate bias; negative carries the layer's input
    ih_scale: float = 0.5  # every weight_ih × this (1 = PyTorch's U(−1/√H, 1/√H))
    loss: str = "last"  # the loss reads the top layer's output at the last step
    seed: int = 0

    @classmethod
    def from_widgets(cls, values: dict) -> "DepthSettings":
        return _from_widgets(cls, "depth", values)

    @property
    def D(self) -> int:
        return self.H


def stack_flow(s: DepthSettings, connection: str):
    """The StackFlow of s's random problem with `connection` (same seed: "none" and "residual" share
    every weight; "dense" and "highway" have other shapes, so other draws)."""
    params, xs, up = stack.random_problem(s.cell, s.L, s.D, s.H, s.T, s.seed, rho=s.rho, kind=s.kind,
                                          connection=connection, ih_scale=s.ih_scale, loss=s.loss,
                                          highway_bias=s.highway_bias)
    return stack.gradient_flow(s.cell, params, xs, up, connection=connection)


def depth_maps(s: DepthSettings) -> dict:
    """The (L, T) maps of log10 ‖∂L/∂h_t^(l)‖ (row 0 = layer 1), plain and with s.connection.

    Returns {"plain": map, "with": map or None (connection "none"), "ratio": {"plain", "with"}
    (`stack.depth_ratio`: bottom / top layer at the last step), "finite": {...}}. Non-finite
    entries (overflow) and exact zeros (−inf) are NaN in the maps.
    """
    conns = {"plain": "none"} if s.connection == "none" else {"plain": "none", "with": s.connection}
    out = {"plain": None, "with": None, "ratio": {}, "finite": {}}
    for name, conn in conns.items():
        flow = stack_flow(s, conn)
        with np.errstate(all="ignore"):
            m = stack.depth_time_map(flow)
            out["ratio"][name] = stack.depth_ratio(flow)
        out[name] = np.where(np.isfinite(m), m, np.nan)
        out["finite"][name] = bool(flow.finite)
    return out


# ---------------------------------------------------------------------------
# LSTM variants
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VariantSettings:
    """Standard, peephole and coupled LSTMs sharing weights; the input width D is H."""

    variants: tuple = LSTM_VARIANTS  # the ones drawn (all three are computed)
    T: int = 100
    H: int = 32
    rho: float = 1.0  # spectral radius of every gate block of weight_hh
    forget_bias: float = 1.0  # added to the forget gate's bias_ih (all three variants)
    zero_peepholes: bool = False  # weight_ci, weight_cf, weight_co = 0
    seed: int = 0

    @classmethod
    def from_widgets(cls, values: dict) -> "VariantSettings":
        s = _from_widgets(cls, "variants", values)
        return replace(s, variants=tuple(v for v in LSTM_VARIANTS if v in s.variants))


def variant_params(s: VariantSettings) -> dict:
    """variant -> params, every draw from one rng (seed) in this order: `variants.init_params("peephole")`
    (PyTorch's LSTM init, then the peephole vectors), then weight_hh's four gate blocks ρ·Q (orthogonal).

    The standard LSTM is its first four tensors; the coupled one their rows f, g, o (no i rows).
    """
    rng = np.random.default_rng(s.seed)
    D, H = s.H, s.H
    peep = variants.init_params("peephole", D, H, rng, forget_bias=s.forget_bias)
    peep["weight_hh"] = s.rho * np.concatenate([spectral.base_recurrent_matrix(H, "orthogonal", rng)
                                                for _ in range(4)])  # (4H, H) rows i, f, g, o
    if s.zero_peepholes:
        peep.update({k: np.zeros(H) for k in ("weight_ci", "weight_cf", "weight_co")})
    std = {k: peep[k] for k in PARAM_NAMES}
    coupled = {k: v[H:] for k, v in std.items()}  # rows f, g, o
    return {"standard": std, "peephole": peep, "coupled": coupled}


def variant_flows(s: VariantSettings) -> dict:
    """variant -> bptt.Flow of all three variants on the same inputs and loss (the last step)."""
    params = variant_params(s)
    rng = np.random.default_rng([s.seed, 1])  # the inputs and the loss direction
    xs = rng.standard_normal((s.T, 1, s.H))  # (T, 1, D)
    up = bptt.make_upstream(s.T, 1, s.H, "last", rng)
    return {"standard": bptt.gradient_flow("lstm", params["standard"], xs, up),
            **{v: variants.gradient_flow_variant(v, params[v], xs, up) for v in variants.VARIANTS}}


def variant_curves(s: VariantSettings) -> dict:
    """{"t": (T,), "dh": {variant: (T,)}, "dc": {variant: (T,)}, "finite": {variant: bool}} for every variant."""
    flows = variant_flows(s)
    return {"t": np.arange(s.T), "dh": {v: f.dh_norm[:, 0] for v, f in flows.items()},
            "dc": {v: f.dc_norm[:, 0] for v, f in flows.items()},
            "finite": {v: bool(f.finite) for v, f in flows.items()}}


# ---------------------------------------------------------------------------
# Echo-state memory
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MemorySettings:
    """A fixed random reservoir (`esn.init_reservoir`, W = ρQ, Q orthogonal) reading one input channel."""

    rho: float = 0.9
    H: int = 64
    T: int = 60
    D: int = 1
    nonlinearity: str = "tanh"  # "tanh" | "linear"
    input_scale: float = 0.2  # W_in ~ U(−input_scale, input_scale): small keeps tanh near its linear part
    seed: int = 0

    @classmethod
    def from_widgets(cls, values: dict) -> "MemorySettings":
        return _from_widgets(cls, "memory", values)


def memory_curves(s: MemorySettings) -> dict:
    """Forward memory and backward gradient over the lag k = 0 … T−1, and ρ^k.

    forward[k] = ‖∂h_{T−1}/∂x_{T−1−k}‖₂ / ‖W_in‖₂ (`esn.memory_curve`), backward[k] =
    ‖∂L/∂h_{T−1−k}‖ / ‖∂L/∂h_{T−1}‖ for a loss at the last step. Both are ρ^k exactly for the
    linear reservoir ("exact" True) and at most ρ^k for tanh (|tanh'| ≤ 1, ‖ρQ‖₂ = ρ).
    """
    rng = np.random.default_rng(s.seed)
    params = esn.init_reservoir(s.D, s.H, s.rho, rng, input_scale=s.input_scale)
    xs = rng.standard_normal((s.T, 1, s.D))  # (T, 1, D)
    up = bptt.make_upstream(s.T, 1, s.H, "last", rng)
    k = np.arange(s.T)
    with np.errstate(all="ignore"):
        forward = esn.memory_curve(params, xs, nonlinearity=s.nonlinearity)[:, 0] / np.linalg.norm(
            params["weight_ih"], 2)
        flow = esn.gradient_flow(params, xs, up, nonlinearity=s.nonlinearity)
        backward = flow.dh_norm[::-1, 0] / flow.dh_norm[-1, 0]
        rho_k = float(s.rho) ** k.astype(np.float64)
    return {"k": k, "forward": forward, "backward": backward, "rho_k": rho_k,
            "exact": s.nonlinearity == "linear", "finite": bool(flow.finite and np.isfinite(forward).all())}


# ---------------------------------------------------------------------------
# Teacher forcing
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TeacherSettings:
    """Both modes of `teacher.train` from the same initial weights on the same batches."""

    steps: int = 500
    lr: float = 0.1
    T: int = 12
    B: int = 16
    H: int = 16
    clip: float = 1.0
    period: float = 12.0
    seed: int = 0

    @classmethod
    def from_widgets(cls, values: dict) -> "TeacherSettings":
        return _from_widgets(cls, "teacher", values)


def teacher_runs(s: TeacherSettings) -> dict:
    """Train both modes, then read the cross-step gradient of each trained model on one fresh batch.

    Returns {"step": (steps,), "loss": {mode: (steps,)} (the objective trained), "free_loss":
    {mode: (steps,)} (the same batch run free), "cross": {mode: (T, T)} ‖∂L_t/∂h_s‖ (row t,
    column s; `teacher.gradient_view`), "dh_later_norm": {mode: (T,)}}.
    """
    init = teacher.init_params(2, s.H, 2, s.seed)
    out = {"step": np.arange(1, s.steps + 1), "loss": {}, "free_loss": {}, "cross": {}, "dh_later_norm": {}}
    xs, ys = teacher.make_task(s.T, s.B, np.random.default_rng([s.seed, 2]), period=s.period)
    for mode in teacher.MODES:
        events = list(teacher.train(mode, init, np.random.default_rng([s.seed, 1]), steps=s.steps, lr=s.lr, T=s.T,
                                    B=s.B, clip=s.clip, period=s.period))
        steps = [e for e in events if e["event"] == "step"]
        out["loss"][mode] = np.array([e["loss"] for e in steps])
        out["free_loss"][mode] = np.array([e["free_loss"] for e in steps])
        view = teacher.gradient_view(events[-1]["params"], xs, ys, mode)
        out["cross"][mode] = view["cross"]
        out["dh_later_norm"][mode] = np.sqrt(np.sum(view["dh_later_norm"] ** 2, axis=1))
    return out


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_ratio(x: float) -> str:
    """A ratio for a metric, 3 significant digits: 0.27, 1.37 as they are; 6.89×10⁻⁵ below 0.01 or from 1000 up;
    "—" if not finite."""
    if not np.isfinite(x):
        return "—"
    if x == 0 or 1e-2 <= abs(x) < 1e3:
        return f"{x:.3g}"
    k = int(np.floor(np.log10(abs(x))))
    m = float(f"{x / 10.0 ** k:.3g}")
    if abs(m) >= 10:  # 9.9996 rounds up to the next decade
        m, k = m / 10, k + 1
    return f"{m:g}×10{str(k).translate(_SUPERSCRIPT)}"


def preset_values(name: str) -> dict:
    """The widget values of a depth preset, from `stack.preset_settings()` (the engine's tested settings)."""
    p = stack.preset_settings()[name]
    if p["D"] != p["H"] or p["B"] != 1 or p["kind"] != "orthogonal" or p["loss"] != "last":
        raise ValueError("the page draws D = H, one sequence, orthogonal W_hh and a loss at the last step")
    return {"view": "depth", "cell": p["cell"], "L": p["L"], "H": p["H"], "T": p["T"], "rho": p["rho"],
            "ihs": p["ih_scale"], "seed": p["seed"], "conn": p["connection"]}
