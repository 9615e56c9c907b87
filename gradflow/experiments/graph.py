"""The unrolled graph of a Flow: which steps to draw, their gradient norms, the edges' Jacobian norms.

A view of the very Flow the curve tab plots (the function takes the Flow,
not settings), so the node values are the Flow's own floats:
`dh[i] == flow.dh_norm[steps[i], b]` bit for bit. Long sequences are thinned
for the figure: up to `max_full` steps every step is drawn; beyond, the first
max_full // 4, the last 2·max_full // 5, the multiples of a round stride
k ≥ MIN_STRIDE in between (few enough that drawn steps and ellipses take at
most about max_full slots) and, when there are at most MAX_CUTS_DRAWN of
them, both ends of every edge that truncation cuts. The steps left out form
`hidden` ranges, drawn as one ellipsis each.

Edges: the recurrent edge into step t (from t − 1) carries the step
Jacobian J_t = ∂state_t/∂state_{t−1}: ∂h_t/∂h_{t−1} for the RNN and the GRU,
the 2H × 2H Jacobian of (h, c) for the LSTM (`jacobians.state_jacobian_norms`,
spectral norm). On the LSTM's c lane the edge carries ∂c_t/∂c_{t−1} = diag(f_t)
(h held fixed), of norm max_i f_t,i. `prod[i]` is the running product of the
‖J_s‖ from the end of the step's truncation block back to it,
∏_{s=t+1}^{end} ‖J_s‖ (1 at the block's last step): for a loss at the last
step, ‖∂L/∂h_t‖ ≤ ‖∂L/∂h_{T−1}‖ · prod. All T Jacobian norms are needed for
it, so it (and `jac`) is computed only while T·S² ≤ JAC_BUDGET; above,
both are None.

A bidirectional layer (`graph_data_bidir`, a `bidir.BiFlow` with the loss at
one position p) draws both chains over the same steps: the forward chain's
edges t − 1 → t carry its step Jacobian, the backward chain's edges t + 1 → t
carry its own (chain step T − 1 − t). The gradient reaches h_t of the forward
chain for t ≤ p only and of the backward chain for t ≥ p only: elsewhere the
norms are exactly 0. A long sequence is thinned around p (`drawn_steps_bidir`).

Pure NumPy. Shape legend: T steps, N drawn steps, M drawn edges, G hidden ranges.
"""

from __future__ import annotations

import numpy as np

from .. import jacobians
from ..bidir import BiFlow
from ..bptt import LOSSES, Flow
from ..cells._loop import single_thread
from .flow import FlowSettings, bidir_build, run_bidir

MIN_STRIDE = 10  # the middle of a long sequence: every k-th step, k a round number ≥ this
MAX_CUTS_DRAWN = 10  # more cuts than this: only those that fall on drawn steps are drawn
JAC_BUDGET = 10_000_000  # T · S² (S = H, 2H for the LSTM) above which the Jacobian norms are skipped
KEYS = ("cell", "T", "loss", "b", "truncate", "block_starts", "steps", "dh", "dc", "edges", "jac", "jac_kind", "jac_c",
        "prod", "cuts", "cuts_drawn", "hidden", "hidden_cuts", "loss_steps")  # the keys of graph_data's dict
BIDIR_KEYS = ("bidir", "cell", "T", "b", "position", "steps", "dh_f", "dh_b", "dc_f", "dc_b", "edges_f", "edges_b",
              "jac_f", "jac_b", "jac_kind", "hidden")  # the keys of graph_data_bidir's dict
_STRIDES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000)


def _stride(span: int, count: int) -> int:
    """The smallest round stride that puts at most `count` multiples into `span` steps."""
    for k in _STRIDES:
        if span / k <= count:
            return k
    return int(np.ceil(span / max(count, 1)))


def drawn_steps(T: int, max_full: int = 60, cuts=()) -> np.ndarray:
    """Sorted step indices to draw (see the module docstring): all of them when T ≤ max_full."""
    if T <= max_full:
        return np.arange(T)
    head, tail = max(1, max_full // 4), max(1, 2 * max_full // 5)
    lo, hi = head, T - tail  # the middle: steps lo..hi-1
    k = max(MIN_STRIDE, _stride(hi - lo, max(1, (max_full - head - tail - 1) // 2)))
    keep = set(range(head)) | set(range(hi, T)) | {t for t in range(lo, hi) if t % k == 0}
    if len(cuts) <= MAX_CUTS_DRAWN:
        keep |= {t for c in cuts for t in (c - 1, c)}
    return np.array(sorted(keep), dtype=np.int64)


def drawn_steps_bidir(T: int, p: int, max_full: int = 60) -> np.ndarray:
    """Sorted steps to draw around a loss at p: all of them when T ≤ max_full; beyond, every step within
    max_full // 4 of p (where the wave starts), 0, T − 1 and the multiples of a round stride k ≥ MIN_STRIDE
    elsewhere (about max_full slots in all, ellipses included)."""
    if T <= max_full:
        return np.arange(T)
    w = max(1, max_full // 4)
    lo, hi = max(0, p - w), min(T, p + w + 1)
    k = max(MIN_STRIDE, _stride(T - (hi - lo), max(1, (max_full - (hi - lo) - 2) // 2)))
    keep = set(range(lo, hi)) | {0, T - 1} | {t for t in range(T) if t % k == 0}
    return np.array(sorted(keep), dtype=np.int64)


def hidden_ranges(steps: np.ndarray) -> np.ndarray:
    """(G, 2) inclusive [first, last] of every run of steps missing between drawn ones."""
    steps = np.asarray(steps)
    gaps = np.flatnonzero(np.diff(steps) > 1)
    return np.array([[steps[g] + 1, steps[g + 1] - 1] for g in gaps], dtype=np.int64).reshape(-1, 2)


def graph_data(flow: Flow, params: dict, loss: str, max_full: int = 60, b: int = 0) -> dict:
    """The unrolled graph of `flow` (batch row b) for `fig_unrolled_graph`.

    loss: "last" or "sum", the loss the Flow was built with (it is not in the Flow).
    params: the dict that made the Flow. Returns a dict of plain values and arrays:
      cell, T, loss, b, truncate (block length or None), block_starts (tuple),
      steps (N,) drawn steps; dh (N,) ‖∂L/∂h_t‖ and dc (N,) ‖∂L/∂c_t‖ (LSTM, else None) at them;
      edges (M,) steps t whose edge t−1 → t is drawn (both ends drawn);
      jac (M,) ‖J_t‖₂ on those edges (None above JAC_BUDGET); jac_kind "step" or "state" (LSTM);
      jac_c (M,) ‖∂c_t/∂c_{t−1}‖₂ = max f_t (LSTM, else None);
      prod (N,) ∏‖J_s‖ from the end of each drawn step's block back to it (None above JAC_BUDGET);
      cuts list of every t whose edge t−1 → t truncation cuts (the block starts > 0);
      cuts_drawn list of those among `edges`;
      hidden (G, 2) inclusive ranges of steps not drawn; hidden_cuts (G,) cuts inside or at the ends of each;
      loss_steps (K,) drawn steps that hold a loss term (T − 1 alone for "last", every drawn step for "sum").
    """
    if not isinstance(flow, Flow):
        raise ValueError(f"flow must be a Flow (from gradflow.gradient_flow), got {type(flow).__name__}")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}: expected one of {', '.join(LOSSES)}")
    if isinstance(max_full, bool) or not isinstance(max_full, (int, np.integer)) or max_full < 3:
        raise ValueError(f"max_full must be an int ≥ 3, got {max_full!r}")
    B = flow.hs.shape[1]
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 0 <= b < B:
        raise ValueError(f"b={b!r} is outside 0..{B - 1}")
    T, H = flow.T, flow.hs.shape[2]
    starts = tuple(int(s) for s in flow.block_starts)
    cuts = [s for s in starts if s > 0]
    steps = drawn_steps(T, int(max_full), cuts)
    on = np.zeros(T, bool)
    on[steps] = True
    edges = steps[(steps > 0) & on[np.maximum(steps - 1, 0)]]
    hidden = hidden_ranges(steps)
    lstm = flow.cell == "lstm"

    S = 2 * H if lstm else H
    jac = prod = None
    if T * S * S <= JAC_BUDGET:
        with single_thread():  # many small SVDs: threads only contend (see cells._loop)
            norms = jacobians.state_jacobian_norms(flow, params)[:, b]  # (T,)
        jac = norms[edges].copy()
        ends = np.searchsorted(np.array(starts[1:] + (T,)), steps, side="right")  # block of each drawn step
        block_end = np.array(starts[1:] + (T,))[ends] - 1
        with np.errstate(all="ignore"):
            logs = np.log10(norms)
            csum = np.concatenate([[0.0], np.cumsum(logs)])  # csum[t] = Σ_{s<t} log10 ‖J_s‖
            prod = np.power(10.0, csum[block_end + 1] - csum[steps + 1])  # ∏_{s=t+1}^{end} ‖J_s‖
            zero = np.array([(norms[t + 1:e + 1] == 0).any() for t, e in zip(steps, block_end)], bool)
            prod[zero] = 0.0
    jac_c = flow.gates["f"][edges, b].max(axis=1) if lstm else None

    in_gap = [[c for c in cuts if lo <= c <= hi + 1] for lo, hi in hidden]
    return {
        "cell": flow.cell, "T": T, "loss": loss, "b": int(b), "truncate": flow.options.get("truncate"),
        "block_starts": starts, "steps": steps,
        "dh": flow.dh_norm[steps, b].copy(),
        "dc": None if flow.dc_norm is None else flow.dc_norm[steps, b].copy(),
        "edges": edges, "jac": jac, "jac_kind": "state" if lstm else "step", "jac_c": jac_c, "prod": prod,
        "cuts": cuts, "cuts_drawn": [int(t) for t in edges if t in set(cuts)],
        "hidden": hidden, "hidden_cuts": np.array([len(c) for c in in_gap], dtype=np.int64),
        "loss_steps": np.array([T - 1]) if loss == "last" else steps.copy(),
    }


def graph_data_bidir(biflow: BiFlow, params_fwd: dict, params_bwd: dict, max_full: int = 60, b: int = 0) -> dict:
    """The unrolled graph of a bidirectional layer with its loss at one position (batch row b).

    params_fwd, params_bwd: each chain's params with the engine's names (`bidir.split` of the layer's).
    Returns a dict of plain values and arrays:
      bidir True; cell, T, b, position p;
      steps (N,) drawn steps (every step up to max_full, else thinned around p: `drawn_steps_bidir`);
      dh_f, dh_b (N,) ‖∂L/∂h_t^→‖, ‖∂L/∂h_t^←‖ at them: the chains' own dh_norm floats (exactly 0 at t > p,
        resp. t < p); dc_f, dc_b the same of c (LSTM, else None);
      edges_f (M,) steps t whose forward edge t − 1 → t is drawn; edges_b (M,) steps t whose backward edge
        t + 1 → t is drawn (both ends drawn);
      jac_f, jac_b (M,) ‖J‖₂ of those edges: each chain's step (RNN, GRU) or state (LSTM) Jacobian,
        None above JAC_BUDGET; jac_kind "step" or "state";
      hidden (G, 2) inclusive ranges of steps not drawn.
    """
    if not isinstance(biflow, BiFlow):
        raise ValueError(f"biflow must be a BiFlow (from gradflow.bidir.gradient_flow), got {type(biflow).__name__}")
    if biflow.mode != "position":
        raise ValueError(f"the graph draws a loss at one position: got a BiFlow of mode {biflow.mode!r}")
    if isinstance(max_full, bool) or not isinstance(max_full, (int, np.integer)) or max_full < 3:
        raise ValueError(f"max_full must be an int ≥ 3, got {max_full!r}")
    f, r = biflow.forward, biflow.backward
    B = f.hs.shape[1]
    if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 0 <= b < B:
        raise ValueError(f"b={b!r} is outside 0..{B - 1}")
    T, H, p = f.T, f.hs.shape[2], int(biflow.position)
    steps = drawn_steps_bidir(T, p, int(max_full))
    on = np.zeros(T + 1, bool)
    on[steps] = True
    edges_f = steps[(steps > 0) & on[np.maximum(steps - 1, 0)]]  # t − 1 → t
    edges_b = steps[(steps < T - 1) & on[steps + 1]]  # t + 1 → t
    lstm = biflow.cell == "lstm"
    S = 2 * H if lstm else H
    jac_f = jac_b = None
    if T * S * S <= JAC_BUDGET:
        with single_thread():  # many small SVDs: threads only contend (see cells._loop)
            nf = jacobians.state_jacobian_norms(f, params_fwd)[:, b]  # (T,) ∂state_t/∂state_{t−1}
            nb = jacobians.state_jacobian_norms(biflow.backward_chain, params_bwd)[:, b]  # chain order
        jac_f = nf[edges_f].copy()
        jac_b = nb[T - 1 - edges_b].copy()  # chain step T − 1 − t: ∂h_t^←/∂h_{t+1}^←
    return {
        "bidir": True, "cell": biflow.cell, "T": T, "b": int(b), "position": p, "steps": steps,
        "dh_f": f.dh_norm[steps, b].copy(), "dh_b": r.dh_norm[steps, b].copy(),
        "dc_f": None if f.dc_norm is None else f.dc_norm[steps, b].copy(),
        "dc_b": None if r.dc_norm is None else r.dc_norm[steps, b].copy(),
        "edges_f": edges_f, "edges_b": edges_b, "jac_f": jac_f, "jac_b": jac_b,
        "jac_kind": "state" if lstm else "step", "hidden": hidden_ranges(steps),
    }


def graph_bidir(s: FlowSettings, position: int, model=None) -> dict:
    """`graph_data_bidir` of the bidirectional layer of `run_bidir(s, position)` (page 1's graph, part D).

    position: 0 .. T − 1, or −1 for the middle T // 2. model: as for `flow.build` (a sentence's embeddings).
    """
    T = len(s.sentence) or s.T
    p = T // 2 if position == -1 else position
    fwd, bwd = bidir_build(s, model)
    return graph_data_bidir(run_bidir(s, p, model), fwd.params, bwd.params)
