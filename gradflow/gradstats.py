"""Gradient-norm statistics of a language model over PTB training windows.

`gradient_norm_samples` records the global and per-parameter gradient norms
(before clipping) of a fixed model over consecutive training windows;
`gradient_norm_histogram` compares a trained model with a random
initialisation of the same shape and returns JSON-able histograms. The app's
clipping page reads them from models/ptb_grad_norms.json, written by
`python -m gradflow gradhist`.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from gradflow import data as ptb
from gradflow.checks import as_rng, finite_float
from gradflow.lm import LanguageModel, Net, check_ids, random_like, window_step, zero_state
from gradflow.softmax import Workspace
from gradflow.trainer import check_eval_args, grad_norm, param_norms


def _positive(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def gradient_norm_samples(model: LanguageModel, ids, *, batches: int = 200, batch: int = 20, bptt: int = 35,
                          seed=0, dtype="float64", progress=None) -> dict:
    """Global and per-parameter gradient norms (before clipping) over consecutive training windows.

    The weights stay fixed; the state is carried across windows as in
    training, dropout is on as in training, and the gradients are float64.
    The windows start at a random window (from `seed`) after 5 warm-up
    windows. Returns {"start_window", "norms" (batches,), "per_param": name -> (batches,)}.
    `progress`: called as progress(windows done, batches + 5) after every window run.
    Bad arguments (ids out of range, a float batch count, ...) raise ValueError naming them.
    """
    check_eval_args(model, batch, bptt, dtype, progress)
    batches = _positive(batches, "batches")
    cfg = model.config
    ids = check_ids(ids, cfg.vocab_size)
    streams = ptb.batchify(ids, batch)  # (B, L)
    n = ptb.num_windows(streams, bptt)
    if batches + 5 > n:
        raise ValueError(f"{len(ids)} tokens give {n} windows of {batch}x{bptt}; {batches} batches need {batches + 5}")
    rng = as_rng(seed, allow_none=False)
    start = int(rng.integers(5, n - batches + 1))
    net, grads = Net(cfg, model.params, dtype), Net(cfg, None, dtype)
    ws = Workspace(cfg, batch * bptt, net.dtype)
    state = zero_state(cfg, batch, net.dtype)
    norms, per_param = [], {k: [] for k in grads.views}
    for w, (x, y) in enumerate(ptb.iter_windows(streams, bptt)):
        if w < start - 5:
            continue
        if w == start + batches:
            break
        if w < start:  # warm-up: carry the state in without recording
            _, state = window_step(net, ws, x.T, y.T, state)
        else:
            _, state = window_step(net, ws, x.T, y.T, state, grads=grads, rng=rng if cfg.dropout > 0 else None)
            norms.append(grad_norm(grads))
            for k, v in param_norms(grads).items():
                per_param[k].append(v)
        if progress is not None:
            progress(w - start + 6, batches + 5)
    return {"start_window": start, "norms": np.array(norms),
            "per_param": {k: np.array(v) for k, v in per_param.items()}}


def gradient_norm_histogram(model: LanguageModel, ids, *, batches: int = 200, batch: int = 20, bptt: int = 35,
                            seed=0, clip: float = 0.25, bins: int = 30, progress=None) -> dict:
    """JSON-able histograms of global gradient norms for `model` and a random init of the same shape.

    Both use the same windows and log-spaced bin edges. Each of "trained"
    and "random_init" holds the raw norms, per-parameter norms, counts per
    bin, median, 90th percentile, max and the fraction above `clip`.
    `progress`: called as progress(windows done, windows in all) over both models.
    """
    check_eval_args(model, batch, bptt, "float64", progress)
    batches, bins = _positive(batches, "batches"), _positive(bins, "bins")
    clip_value = finite_float(clip)
    if clip_value is None or clip_value <= 0:
        raise ValueError(f"clip must be a finite number > 0, got {clip!r}")
    runs = {"trained": model, "random_init": random_like(model, seed)}
    per_run = batches + 5  # the windows gradient_norm_samples runs for one model
    samples = {}
    for r, (k, m) in enumerate(runs.items()):
        report = None if progress is None else (lambda done, _, r=r: progress(r * per_run + done, 2 * per_run))
        samples[k] = gradient_norm_samples(m, ids, batches=batches, batch=batch, bptt=bptt, seed=seed,
                                           progress=report)
    allv = np.concatenate([s["norms"] for s in samples.values()])
    allv = allv[np.isfinite(allv) & (allv > 0)]
    edges = np.geomspace(allv.min() / 1.01, allv.max() * 1.01, bins + 1)
    out = {"format": "gradflow-gradnorms-1", "model_config": asdict(model.config), "split": "train",
           "batches": batches, "batch": batch, "bptt": bptt, "seed": seed if isinstance(seed, int) else None,
           "dtype": "float64", "dropout_on": model.config.dropout > 0, "clip": clip,
           "start_window": samples["trained"]["start_window"], "bin_edges": edges.tolist()}
    for k, s in samples.items():
        v = s["norms"]
        out[k] = {"norms": v.tolist(), "counts": np.histogram(v, edges)[0].tolist(),
                  "median": float(np.median(v)), "p90": float(np.percentile(v, 90)), "max": float(v.max()),
                  "fraction_clipped": float(np.mean(v > clip)),
                  "per_param": {name: a.tolist() for name, a in s["per_param"].items()}}
    return out
