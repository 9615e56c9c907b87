"""The engine: unroll a cell over a sequence and backpropagate through time exactly.

Where the time loops are: the per-cell loops, forward and backward through
time, live in gradflow/cells/<cell>.py (`forward`, `backward`), next to each
cell's one-step reference (`step_forward`, `step_backward`). They are written
per cell because each cell has its own fused gate layout for speed (one GEMM
per step for all gates, gates stored in the order their backward needs).
This module validates inputs, runs those loops and builds the result:

* `unroll` / `backprop`: the engine's sequence forward and backward for the
  other modules (the language model's analysis among them), with the
  engine's BLAS thread policy. Unchecked but for the cell name: callers pass
  arrays of the right shapes.
* `gradient_flow`: validates its inputs, runs `unroll` and `backprop` in
  float64, and returns a `Flow`: every state, every gate, and the total
  gradient ∂L/∂h_t (and ∂L/∂c_t) at every step, with per-step norms. The loss
  is implicit: `upstream[t]` holds its direct terms ∂L/∂h_t (`make_upstream`
  builds a loss at the last step, or summed over steps).
* `_lstm_split` (below `gradient_flow`): the LSTM's ∂L/∂h_{t−1} split into its
  path through the cell state (i, f, g) and through the output gate o.
* `sweep` (end of the file): many spectral radii at once for the ρ × T phase
  map, every radius a block of rows of one batch.

The step Jacobians of a Flow are in `gradflow.jacobians`; this module imports
neither it nor `gradflow.spectral`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from . import cells
from .cells import gru, rnn
from .cells._loop import threads_for
from .checks import NUM_GATES, PARAM_NAMES, as_rng, check_cell, check_size, param_shapes

LOSSES = ("last", "sum")


@dataclass(frozen=True)
class Flow:
    """Result of `gradient_flow`: states and exact gradients at every step.

    Shapes: T steps, B batch, D input, H hidden. Step t maps h_{t-1} to h_t;
    h_{-1} = h0. LSTM-only fields are None for the other cells.
    """

    cell: str
    options: dict  # nonlinearity, variant, truncate
    xs: np.ndarray  # (T, B, D) inputs
    hs: np.ndarray  # (T, B, H) h_0..h_{T-1}
    cs: np.ndarray | None  # (T, B, H) LSTM cell states
    gates: dict  # gate name -> (T, B, H) activation
    h0: np.ndarray  # (B, H)
    c0: np.ndarray | None  # (B, H)
    dh: np.ndarray  # (T, B, H) total ∂L/∂h_t, direct plus recurrent
    dc: np.ndarray | None  # (T, B, H) total ∂L/∂c_t
    dx: np.ndarray  # (T, B, D) ∂L/∂x_t
    dh0: np.ndarray  # (B, H)
    dc0: np.ndarray | None  # (B, H)
    grads: dict  # same keys and shapes as params
    dh_norm: np.ndarray  # (T, B) ‖∂L/∂h_t‖
    dc_norm: np.ndarray | None  # (T, B) ‖∂L/∂c_t‖
    dx_norm: np.ndarray  # (T, B) ‖∂L/∂x_t‖: input attribution
    dh_prev_cell: np.ndarray | None  # (T, B, H) part of ∂L/∂h_{t-1} through i, f, g -> c_t
    dh_prev_hidden: np.ndarray | None  # (T, B, H) part of ∂L/∂h_{t-1} through o -> h_t
    dh_prev_cell_norm: np.ndarray | None  # (T, B)
    dh_prev_hidden_norm: np.ndarray | None  # (T, B)
    dW_contrib: np.ndarray  # (T,) ‖step t's term in ∂L/∂weight_hh‖_F
    finite: bool  # every state and gradient is finite
    first_nonfinite: int | None  # step at which a value first became inf/NaN (0: only the sums overflowed)
    nonfinite_where: str | None  # "forward" or "backward"
    block_starts: tuple = field(default=(0,))  # first step of each truncation block

    @property
    def T(self):
        return self.hs.shape[0]


# --------------------------------------------------------------------------
# Validation: every public entry point checks its inputs here
# --------------------------------------------------------------------------
def _array(name, value, shape):
    """float64 copy-free view of `value`, checked against `shape` (None = any)."""
    if np.iscomplexobj(value):
        raise ValueError(f"{name} must be real, got a complex array")
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a numeric array: {err}") from None
    if a.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, a.shape)):
        want = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} has shape {a.shape}, expected {want}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains non-finite values (inf or NaN)")
    return a


def _options(cell, nonlinearity, variant, truncate, T):
    check_cell(cell)
    # not str: an array ['tanh'] would pass `in`, a list of two would raise the array-truth error
    if not isinstance(nonlinearity, str) or nonlinearity not in rnn.NONLINEARITIES:
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}: expected one of {', '.join(rnn.NONLINEARITIES)}")
    if not isinstance(variant, str) or variant not in gru.VARIANTS:
        raise ValueError(f"unknown variant {variant!r}: expected one of {', '.join(gru.VARIANTS)}")
    if truncate is not None:
        try:
            check_size("truncate", truncate)
        except ValueError:
            raise ValueError(f"truncate must be None or an integer ≥ 1, got {truncate!r}") from None
    return {"nonlinearity": nonlinearity, "variant": variant,
            "truncate": None if truncate is None or truncate >= T else int(truncate)}


def check_params(cell, params, D=None):
    """Validate a params dict for `cell`; return (float64 params, D, H)."""
    G = NUM_GATES[check_cell(cell)]
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}, got {got}")
    w_hh = np.asarray(params["weight_hh"])
    if w_hh.ndim != 2 or w_hh.shape[0] != G * w_hh.shape[1] or w_hh.shape[1] < 1:
        raise ValueError(f"weight_hh has shape {w_hh.shape}, expected ({G}·H, H) for the {cell}")
    H = w_hh.shape[1]
    D = np.asarray(params["weight_ih"]).shape[-1] if D is None else D
    return {k: _array(k, params[k], s) for k, s in param_shapes(cell, D, H).items()}, D, H


_TINY = 1e-280  # a sum of squares below this may have lost digits to underflow


def _norm(a):
    """Euclidean norm over the last axis that neither overflows nor underflows.

    One dot product per row; only the rows whose sum of squares overflowed,
    may have underflowed or is zero are redone with the entries scaled by
    their largest magnitude (inf and NaN come out as inf and NaN).
    """
    sq = np.einsum("...i,...i->...", a, a)
    out = np.sqrt(sq)
    redo = ~((sq >= _TINY) & (sq < np.inf))  # NaN rows too: cheap, and kept NaN
    if redo.any():
        rows = a[redo]
        scale = np.max(np.abs(rows), axis=-1, keepdims=True, initial=0.0)
        scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
        out[redo] = scale[..., 0] * np.sqrt(np.sum((rows / scale) ** 2, axis=-1))
    return out


def _first_bad_step(*arrays):
    """Steps (indices of axis 0) where any of the arrays holds inf or NaN."""
    bad = np.zeros(arrays[0].shape[0], bool)
    for a in arrays:
        if a is not None:
            bad |= ~np.isfinite(a.reshape(a.shape[0], -1)).all(axis=1)
    return np.flatnonzero(bad)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------
def make_upstream(T, B, H, mode="last", rng=None):
    """Direct loss terms ∂L/∂h_t, shape (T, B, H).

    mode "last": a loss at the last step only (a random unit vector per batch
    row at t = T−1, zeros elsewhere); "sum": a loss summed over all steps (a
    random unit vector at every step). rng: Generator or int seed.
    """
    if not isinstance(mode, str) or mode not in LOSSES:
        raise ValueError(f"unknown loss mode {mode!r}: expected one of {', '.join(LOSSES)}")
    T, B, H = (check_size(n, v) for n, v in (("T", T), ("B", B), ("H", H)))
    rng = as_rng(rng)
    steps = T if mode == "sum" else 1
    v = rng.standard_normal((steps, B, H))
    v /= np.linalg.norm(v, axis=2, keepdims=True)
    up = np.zeros((T, B, H))
    up[T - steps:] = v
    return up


def _gemm_flops(cell, T, B, D, H):
    """FLOPs of the GEMMs of one pass over a sequence: what the thread policy looks at."""
    return 2 * T * B * NUM_GATES[cell] * H * (D + H)


# Peak float64 numbers of gradient_flow, measured with tracemalloc for T, B, D, H from 1 to 1000
# (the caches of the cells' time loops, the Flow's fields, the backward's temporaries): per
# (step, row, unit), and per weight of the (H, D + H) blocks (the parameters, their gradients, W_hh
# of the chosen spectrum), plus a few KB of small arrays.
_PER_TBH = {"rnn": 7, "lstm": 22, "gru": 22}
_PER_WEIGHT = {"rnn": 3, "lstm": 18, "gru": 8}


def flow_memory_bytes(cell, T, B, D, H) -> int:
    """About the peak memory of `gradient_flow` (and of experiments.flow.run) on (T, B, D) inputs, H units.

    8 bytes × (k·T·B·H + 2·T·B·D + w·H·(D+H) + 6·T + 2048) with the cell's k (states, gates, caches
    and gradients per step) and w (weights, gradients and their temporaries): within 2× of the
    measured peak (within 25% for most runs over a megabyte). An exact Python int, so absurd
    sizes give a number to refuse rather than an overflow.
    """
    check_cell(cell)
    T, B, D, H = (check_size(n, v) for n, v in (("T", T), ("B", B), ("D", D), ("H", H)))
    return 8 * (_PER_TBH[cell] * T * B * H + 2 * T * B * D + _PER_WEIGHT[cell] * H * (D + H) + 6 * T + 2048)


def unroll(cell, params, xs, h0, c0=None, **opts):
    """The engine's sequence forward: the cell's fast time loop. Returns (hs, cs, cache).

    params (PyTorch names, any float dtype: the loop runs in weight_hh's
    dtype), xs (T, B, D), h0 (B, H), c0 (B, H) for the LSTM, else None.
    opts: nonlinearity (RNN), variant (GRU), hh_scale (see `sweep`).
    hs (T, B, H); cs (T, B, H) for the LSTM, else None; cache for `backprop`.
    Only the cell name is checked (see `gradient_flow` for a checked run);
    small problems run on one BLAS thread (see cells._loop.threads_for).
    """
    check_cell(cell)
    T, B, D = xs.shape
    with threads_for(_gemm_flops(cell, T, B, D, h0.shape[1])):
        return cells.forward(cell, params, xs, h0, c0, **opts)


def backprop(cell, dhs, cache, *, truncate=None):
    """The engine's sequence backward: BPTT through `unroll`. Returns a dict.

    dhs (T, B, H): the direct loss terms ∂L/∂h_t; truncate: k for truncated
    BPTT (no gradient across blocks of k steps). The dict holds dx (T, B, D),
    dh0, dc0, grads (same keys as params), dh and dc (T, B, H) total
    gradients (dc None but for the LSTM), and per-cell extras
    (see cells.lstm.backward). Only the cell name is checked, as in `unroll`.
    """
    check_cell(cell)
    T, B, H = dhs.shape
    with threads_for(_gemm_flops(cell, T, B, cache["xs"].shape[2], H)):
        return cells.backward(cell, dhs, cache, truncate=truncate)


def gradient_flow(cell, params, xs, upstream, h0=None, c0=None, *, truncate=None,
                  nonlinearity="tanh", variant="pytorch"):
    """Exact BPTT through `cell` for the loss whose direct terms are `upstream`.

    cell: "rnn" | "lstm" | "gru"; params: PyTorch-named dict (see cells.init_params);
    xs (T, B, D); upstream (T, B, H); h0, c0 (B, H), zeros by default (c0 LSTM only);
    truncate: k for truncated BPTT (blocks of k steps, no gradient across blocks);
    nonlinearity (RNN): "tanh" | "relu" | "linear"; variant (GRU): "pytorch" | "cho".
    Everything runs in float64. Overflow never raises: the Flow marks it.
    """
    xs = _array("xs", xs, (None, None, None))
    T, B, D = xs.shape
    if T < 1 or B < 1 or D < 1:
        raise ValueError(f"xs has shape {xs.shape}: T, B and D must be ≥ 1 (T = 0 is an empty sequence)")
    opts = _options(cell, nonlinearity, variant, truncate, T)
    params, _, H = check_params(cell, params, D)
    upstream = _array("upstream", upstream, (T, B, H))
    h0 = np.zeros((B, H)) if h0 is None else _array("h0", h0, (B, H))
    if cell == "lstm":
        c0 = np.zeros((B, H)) if c0 is None else _array("c0", c0, (B, H))
    elif c0 is not None:
        raise ValueError(f"c0 is for the LSTM only; the {cell} has no cell state")

    # One thread policy for the whole run, the norms after the loops included.
    with np.errstate(all="ignore"), threads_for(_gemm_flops(cell, T, B, D, H)):  # overflow is reported in the Flow
        hs, cs, cache = unroll(cell, params, xs, h0, c0, nonlinearity=nonlinearity, variant=variant)
        back = backprop(cell, upstream, cache, truncate=opts["truncate"])
        dh, dc = back["dh"], back["dc"]
        split = _lstm_split(params, back, H, opts["truncate"]) if cell == "lstm" else (None, None)
        dW_contrib = functools.reduce(np.hypot, [_outer_norms(L, R) for L, R in back["hh_terms"]])
        bad_fwd = _first_bad_step(hs, cs)
        bad_bwd = _first_bad_step(dh, dc, back["dx"], dW_contrib, *[L for L, _ in back["hh_terms"]])
        totals = [*back["grads"].values(), back["dh0"], back["dc0"]]  # sums over steps, and step 0's
        totals_ok = all(a is None or np.isfinite(a).all() for a in totals)
        first, where = ((int(bad_fwd[0]), "forward") if bad_fwd.size else
                        (int(bad_bwd[-1]), "backward") if bad_bwd.size else
                        (0, "backward") if not totals_ok else (None, None))
        flow = Flow(
            cell=cell, options=opts, xs=xs, hs=hs, cs=cs, gates=cache["gates"], h0=h0, c0=c0,
            dh=dh, dc=dc, dx=back["dx"], dh0=back["dh0"], dc0=back["dc0"], grads=back["grads"],
            dh_norm=_norm(dh), dc_norm=None if dc is None else _norm(dc), dx_norm=_norm(back["dx"]),
            dh_prev_cell=split[0], dh_prev_hidden=split[1],
            dh_prev_cell_norm=None if split[0] is None else _norm(split[0]),
            dh_prev_hidden_norm=None if split[1] is None else _norm(split[1]),
            dW_contrib=dW_contrib,
            finite=where is None, first_nonfinite=first, nonfinite_where=where,
            block_starts=tuple(range(0, T, opts["truncate"] or T)),
        )
    return flow


def _lstm_split(params, back, H, truncate):
    """∂L/∂h_{t-1} split by path: through i, f, g (the cell state c_t) and through o."""
    w = params["weight_hh"]  # (4H, H), rows i, f, g, o
    dz_cell, dz_hidden = back["dz_cell"], back["dz_hidden"]  # (T, B, 3H), (T, B, H): strided views
    T, B = dz_cell.shape[:2]
    # As (T·B, ·) views, each is one GEMM (BLAS reads the row stride), not T small ones.
    via_cell = (dz_cell.reshape(T * B, 3 * H) @ w[:3 * H]).reshape(T, B, H)
    via_hidden = (dz_hidden.reshape(T * B, H) @ w[3 * H:]).reshape(T, B, H)
    if truncate:  # no gradient crosses a block start (step 0's goes to h0 and stays)
        cut = np.arange(T)[truncate::truncate]
        via_cell[cut] = 0
        via_hidden[cut] = 0
    return via_cell, via_hidden


_GRAM_CANCEL = 1e-2  # below this fraction of S = Σ_b ‖L_b‖‖R_b‖ the Gram result is recomputed
_SAFE = (1e-60, 1e60)  # max entries in this range need no scaling: Gram products stay within 1e±255


def _outer_norms(L, R):
    """‖Σ_b L[t,b] ⊗ R[t,b]‖_F for every t: (T,), from L (T, B, M) and R (T, B, N).

    From (B, B) Gram matrices of L and R; when a step's largest entry leaves
    _SAFE, each is first scaled by it so that squaring neither overflows nor
    underflows. For B = 1 it is the product of two norms. The Gram sum is
    the square of the result, so its rounding is eps·S² (S = Σ_b ‖L_b‖‖R_b‖):
    the result is off by ≈ eps·S²/result. Where rows cancel (result below
    _GRAM_CANCEL·S, i.e. relative error above ≈ 1e4·eps) the step is recomputed
    from the explicit (M, N) product L_tᵀ R_t, good to ≈ eps·S.
    """
    def scaled(a):
        s = np.maximum(a.max(axis=(1, 2)), -a.min(axis=(1, 2)))  # max |a| per step, no temporary
        s = np.where((s > 0) & np.isfinite(s), s, 1.0)
        if ((s >= _SAFE[0]) & (s <= _SAFE[1])).all():  # the usual case: squares can neither overflow nor underflow
            return a, np.ones_like(s)
        return a / s[:, None, None], s

    if L.shape[1] == 1:  # one outer product: ‖l ⊗ r‖_F = ‖l‖·‖r‖
        return _norm(L[:, 0]) * _norm(R[:, 0])
    (L, sl), (R, sr) = scaled(L), scaled(R)
    gram = np.einsum("tbc,tbc->t", L @ L.transpose(0, 2, 1), R @ R.transpose(0, 2, 1))
    out = np.sqrt(np.maximum(gram, 0))
    sizes = np.sum(_norm(L) * _norm(R), axis=1)  # S per step; entries ≤ 1e60, so no overflow
    redo = np.flatnonzero(out < _GRAM_CANCEL * sizes)  # False for NaN: non-finite steps stay as they are
    if redo.size:
        outer = L[redo].transpose(0, 2, 1) @ R[redo]  # (n, M, N)
        out[redo] = _norm(outer.reshape(redo.size, -1))
    return sl * sr * out


# --------------------------------------------------------------------------
# Batched sweep over spectral radii
# --------------------------------------------------------------------------
def sweep(cell, params, xs, upstream, rhos, *, truncate=None, nonlinearity="tanh", variant="pytorch",
          state="h"):
    """Per-step ‖∂L/∂h_t‖ (state="c": ‖∂L/∂c_t‖, LSTM) for every radius: (R, T).

    params["weight_hh"] is the base matrix (gate blocks of spectral radius 1
    give radius ρ); radius ρ runs weight_hh = ρ · base. xs (T, B, D) and
    upstream (T, B, H) are shared by every radius; h0 = c0 = 0.
    Since h @ (ρW)ᵀ = ρ · (h @ Wᵀ), the R radii become R blocks of rows of one
    batch (the cells' hh_scale), so each step is one GEMM for all of them.
    Equal to a loop of `gradient_flow` over the radii; the norm is taken over (B, H).
    """
    rhos = np.atleast_1d(np.asarray(rhos, dtype=np.float64))
    if rhos.ndim != 1 or rhos.size < 1 or not np.isfinite(rhos).all() or (rhos < 0).any():
        raise ValueError(f"rhos must be a non-empty 1-D array of finite radii ≥ 0, got {rhos!r}")
    check_cell(cell)
    if not isinstance(state, str) or state not in ("h", "c") or (state == "c" and cell != "lstm"):
        raise ValueError(f"state must be 'h' (or 'c' for the LSTM), got {state!r} for the {cell}")
    xs = _array("xs", xs, (None, None, None))
    T, B, D = xs.shape
    if T < 1 or B < 1 or D < 1:
        raise ValueError(f"xs has shape {xs.shape}: T, B and D must be ≥ 1 (T = 0 is an empty sequence)")
    opts = _options(cell, nonlinearity, variant, truncate, T)
    params, _, H = check_params(cell, params, D)
    upstream = _array("upstream", upstream, (T, B, H))
    R = rhos.size
    up_r = np.tile(upstream, (1, R, 1))  # (T, R·B, H): row r·B + b; xs stays (T, B, D), shared by the radii
    scale = np.repeat(rhos, B)[:, None]  # (R·B, 1)
    h0 = np.zeros((R * B, H))
    with np.errstate(all="ignore"), threads_for(_gemm_flops(cell, T, R * B, D, H)):
        _, _, cache = unroll(cell, params, xs, h0, h0 if cell == "lstm" else None,
                             nonlinearity=nonlinearity, variant=variant, hh_scale=scale)
        back = backprop(cell, up_r, cache, truncate=opts["truncate"])
        g = back["dh" if state == "h" else "dc"].reshape(T, R, B * H)
        return _norm(g).T  # (R, T)
