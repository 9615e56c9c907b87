"""The clipping page's experiments: clipping one exploding gradient, PTB's norm histogram, Pascanu's cliff."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass

import numpy as np

from .. import checkpoint, cliff, clipping
from .flow import FlowSettings, run

GRAD_NORMS_FILE = "ptb_grad_norms.json"
CLIFF_T = 50  # steps of the one-unit RNN (Pascanu et al. 2013)
CLIFF_W, CLIFF_B = (0.0, 10.0), (-6.0, 2.0)  # the part of the (w, b) plane that is drawn
CLIFF_GRID = 121  # points per axis of the loss surface


@dataclass(frozen=True)
class ClipSettings:
    """Clipping a random cell's gradient. Field names are the engine's."""

    cell: str = "rnn"  # "rnn" | "lstm" | "gru"
    rho: float = 1.5  # spectral radius of weight_hh: large values make the gradient explode
    T: int = 100  # sequence length
    H: int = 64  # hidden size
    seed: int = 0
    nonlinearity: str = "tanh"  # RNN only
    method: str = "norm"  # clipping.METHODS: "norm", "value" or "none"
    threshold: float = 1.0  # the clipping threshold c


@dataclass(frozen=True)
class CliffSettings:
    """Plain and clipped gradient descent on Pascanu's one-unit RNN."""

    w0: float = 5.0  # starting weight
    b0: float = -3.0  # starting bias
    lr: float = 0.5  # step size
    steps: int = 60  # descent steps
    clip: float = 1.0  # norm-clipping threshold of the clipped path


def clip_case(s: ClipSettings) -> dict:
    """Per-parameter norms before/after clipping the gradient of s's random cell, and the cosine."""
    _, flow = run(FlowSettings(cell=s.cell, T=s.T, H=s.H, rho=s.rho, seed=s.seed, nonlinearity=s.nonlinearity))
    g = flow.grads
    res = clipping.clip(g, s.method, s.threshold)
    names = list(g)
    with np.errstate(all="ignore"):
        before = [clipping.global_norm({k: g[k]}) for k in names]
        after = [clipping.global_norm({k: res.clipped[k]}) for k in names]
    return {"names": names, "before": before, "after": after, "norm_before": res.norm_before,
            "norm_after": res.norm_after, "clipped": res.clipped_flag, "skipped": res.skipped_flag,
            "cosine": clipping.cosine(g, res.clipped)}


def cliff_surface():
    """(ws, bs, L) of the drawn part of Pascanu's loss surface."""
    return cliff.surface(CLIFF_W, CLIFF_B, CLIFF_GRID, CLIFF_T)


def cliff_paths(s: CliffSettings):
    """(plain, clipped) descents from (w0, b0)."""
    return (cliff.descend(s.w0, s.b0, s.lr, s.steps, None, CLIFF_T),
            cliff.descend(s.w0, s.b0, s.lr, s.steps, s.clip, CLIFF_T))


def read_grad_norms(path: str | None = None) -> dict:
    """The precomputed global gradient norms over PTB batches (models/ptb_grad_norms.json).

    Returns {"model": str, "norms": (N,) array, ...}. FileNotFoundError if
    missing, ValueError if it has no usable norms.
    """
    path = path or os.path.join(checkpoint.MODELS_DIR, GRAD_NORMS_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{GRAD_NORMS_FILE} is missing from models/")
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        if "trained" in d:  # the format `python -m gradflow gradhist` writes
            d = {"model": d["model_config"]["cell"], "norms": d["trained"]["norms"], "batches": d["batches"]}
        norms = np.asarray(d["norms"], dtype=np.float64)
    except (OSError, KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{GRAD_NORMS_FILE} is unreadable: {e}") from None
    if norms.ndim != 1 or not np.isfinite(norms).any():
        raise ValueError(f"{GRAD_NORMS_FILE} holds no finite gradient norms")
    return {k: v for k, v in d.items() if k != "norms"} | {"norms": norms}


def histogram_stats(norms: np.ndarray, threshold: float | None) -> dict:
    """Facts about the finite norms: n (all values), mean, band = their 5th and 95th percentiles (the
    middle 90 %, shaded on the histogram), rule = Pascanu et al.'s 0.5–10 × mean range of thresholds,
    and frac, the fraction above the threshold (0 without one)."""
    finite = norms[np.isfinite(norms)]
    mean = float(finite.mean())
    frac = float(np.mean(finite > threshold)) if threshold is not None else 0.0
    p5, p95 = (float(x) for x in np.percentile(finite, [5, 95]))
    return {"n": int(norms.size), "mean": mean, "band": (p5, p95), "rule": (0.5 * mean, 10.0 * mean), "frac": frac}


def finite_or_dash(x: float, fmt: str) -> str:
    return "—" if not math.isfinite(x) else format(x, fmt)
