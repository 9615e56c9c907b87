"""Gradient clipping, as in the course notes' (DLFS2) clip_grads, plus value clipping.

Gradients are dicts name -> array (same keys as params). Every function
returns new arrays and never mutates its inputs. Norms are computed in float64
with a max-abs rescaling, so neither float32 nor float64 gradients overflow in
the sum of squares while their norm itself is representable.

Non-finite gradients are accepted: they are what clipping is about. When the
global norm is inf or NaN, norm clipping cannot rescale anything meaningful, so
clip_by_norm returns unchanged copies and that norm, and the caller skips the
update (as mixed-precision trainers do); clip() marks this with skipped_flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

METHODS = ("norm", "value", "none")

# DLFS2's clip_grads adds this to the norm so that rate stays finite at norm 0.
EPS = 1e-6

SKIPPED_MESSAGE = "non-finite gradient: step skipped"


@dataclass(frozen=True)
class ClipResult:
    """Outcome of clip().

    clipped: dict name -> new array, the gradients to apply.
    norm_before: global L2 norm of the input gradients (inf/NaN if non-finite).
    norm_after: global L2 norm of `clipped`.
    clipped_flag: True when clipping changed the gradients.
    skipped_flag: True when the gradients to apply are non-finite, so the
        optimiser step must be skipped (SKIPPED_MESSAGE).
    """

    clipped: dict
    norm_before: float
    norm_after: float
    clipped_flag: bool
    skipped_flag: bool


def _arrays(grads) -> dict:
    """Validate a gradient dict; return name -> ndarray (no copy)."""
    if not isinstance(grads, Mapping):
        raise ValueError(f"grads must be a dict of arrays, got {type(grads).__name__}")
    if len(grads) == 0:
        raise ValueError("grads is empty; expected a dict name -> array")
    out = {}
    for k, v in grads.items():
        a = np.asarray(v)
        if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
            raise ValueError(f"grads[{k!r}] must be a real numeric array, got dtype {a.dtype}")
        out[k] = a
    return out


def _threshold(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number >= 0, got {value!r}") from None
    except OverflowError:  # an int beyond float64 (10**400); pass math.inf for "never clip"
        raise ValueError(f"{name} must be a number >= 0 that fits a float64 (<= 1.8e308, or inf), "
                         "got a number beyond that range") from None
    if math.isnan(v) or v < 0:
        raise ValueError(f"{name} must be a number >= 0 (inf allowed), got {value!r}")
    return v


def _copy_float(a: np.ndarray) -> np.ndarray:
    """Copy keeping a floating dtype (integer gradients become float64)."""
    return np.array(a, dtype=a.dtype if np.issubdtype(a.dtype, np.floating) else np.float64)


def _max_abs(arrays) -> float:
    """Largest |entry| over all arrays in float64; NaN if any entry is NaN."""
    m = 0.0
    for a in arrays:
        if a.size:
            # abs in float64 for integers: np.abs(int8(-128)) is -128 in int8
            am = float(np.max(np.abs(a, dtype=np.float64) if a.dtype.kind in "iu" else np.abs(a)))  # max keeps NaN
            if math.isnan(am):
                return am
            m = max(m, am)
    return m


def _norm(arrays) -> float:
    arrays = list(arrays)
    m = _max_abs(arrays)
    if m == 0.0 or not math.isfinite(m):
        return m  # 0, inf or NaN
    # Dividing by the largest entry keeps every square <= 1: no overflow, and
    # no underflow of the largest terms.
    s = sum(float(np.sum(np.square(a.astype(np.float64) / m))) for a in arrays if a.size)
    return m * math.sqrt(s)


def global_norm(grads) -> float:
    """Global L2 norm sqrt(sum of squares over every array) as a float64 float.

    inf if some entry is inf (and none NaN); NaN if some entry is NaN.
    """
    return _norm(_arrays(grads).values())


def clip_coef(total_norm: float, max_norm: float | None) -> float:
    """The factor (≤ 1) by which norm clipping multiplies every gradient.

    DLFS2's rule: rate = max_norm / (total_norm + EPS), applied only when
    rate < 1 (a norm is never increased); EPS keeps the rate finite at norm 0.

    Inputs:
    - total_norm: global norm of the gradients (see global_norm).
    - max_norm: threshold >= 0 (inf: never clip), or None for no clipping.

    Returns rate when it is < 1, else 1.0. max_norm None gives 1.0. A
    non-finite total_norm (inf or NaN) also gives 1.0: nothing meaningful can
    be rescaled, and the caller skips the step (see the module docstring).
    """
    if max_norm is None:
        return 1.0
    max_norm = _threshold("max_norm", max_norm)
    total = float(total_norm)
    if not math.isfinite(total):
        return 1.0
    rate = max_norm / (total + EPS)
    return rate if rate < 1 else 1.0


def clip_by_norm(grads, max_norm: float):
    """Rescale all gradients together so the global norm is at most max_norm.

    Same formula as DLFS2's clip_grads: the arrays are multiplied by
    clip_coef(total_norm, max_norm) = max_norm / (total_norm + 1e-6) when that
    is < 1 (so a norm is never increased).

    Inputs:
    - grads: dict name -> array.
    - max_norm: threshold >= 0 (inf: never clip).

    Returns a tuple of:
    - clipped: dict name -> new array (float dtype of the input kept).
    - total_norm: global norm of the input (float). If it is inf or NaN, the
      arrays are returned as unchanged copies and the step should be skipped.
    """
    g = _arrays(grads)
    max_norm = _threshold("max_norm", max_norm)
    total = _norm(g.values())
    clipped = {k: _copy_float(a) for k, a in g.items()}
    rate = clip_coef(total, max_norm)
    if rate < 1:
        for a in clipped.values():
            a *= rate
    return clipped, total


def clip_by_value(grads, clip_value: float):
    """Clamp every entry into [-clip_value, clip_value].

    inf entries become +-clip_value; NaN entries stay NaN.

    Returns a tuple of:
    - clipped: dict name -> new array.
    - total_norm_before: global norm of the input (float, may be inf/NaN).
    """
    g = _arrays(grads)
    c = _threshold("clip_value", clip_value)
    total = _norm(g.values())
    clipped = {}
    for k, a in g.items():
        a = _copy_float(a)
        # A finite threshold beyond float16's or float32's range would round to inf in a's dtype
        # and let inf entries through: use the dtype's largest value instead.
        bound = c if math.isinf(c) else min(c, float(np.finfo(a.dtype).max))
        clipped[k] = np.clip(a, -bound, bound)
    return clipped, total


def _changed(before: dict, after: dict) -> bool:
    # NaN == NaN is False, so compare with equal_nan to not flag NaNs as changes.
    return any(not np.array_equal(before[k], after[k], equal_nan=True) for k in before)


def clip(grads, method: str = "norm", threshold: float | None = None) -> ClipResult:
    """Clip gradients with one of METHODS and report what happened.

    Inputs:
    - grads: dict name -> array.
    - method: "norm" (clip_by_norm), "value" (clip_by_value) or "none".
    - threshold: max_norm or clip_value; required for "norm" and "value",
      ignored for "none".

    Returns a ClipResult. skipped_flag is True when the gradients to apply are
    non-finite: always for "norm" and "none" with an inf/NaN norm; for
    "value" only if a NaN survives (value clipping turns inf into +-threshold).
    """
    if not isinstance(method, str) or method not in METHODS:  # an array ['norm'] would pass `in`
        raise ValueError(f"unknown clipping method {method!r}; allowed: {', '.join(METHODS)}")
    g = _arrays(grads)
    if method != "none" and threshold is None:
        raise ValueError(f"method {method!r} needs a threshold (a number >= 0)")
    if method == "norm":
        clipped, before = clip_by_norm(g, threshold)
    elif method == "value":
        clipped, before = clip_by_value(g, threshold)
    else:
        clipped = {k: _copy_float(a) for k, a in g.items()}
        before = _norm(g.values())
    after = _norm(clipped.values())
    return ClipResult(
        clipped=clipped,
        norm_before=before,
        norm_after=after,
        clipped_flag=method != "none" and _changed(g, clipped),
        skipped_flag=not math.isfinite(after),
    )


def cosine(grads_a, grads_b) -> float:
    """Cosine similarity between two gradient dicts, flattened in key order.

    Both dicts must have the same keys and shapes. Returns NaN when either
    side is the zero vector or contains inf/NaN (the angle is undefined).
    Computed in float64 with each side rescaled by its largest entry.
    """
    a, b = _arrays(grads_a), _arrays(grads_b)
    if a.keys() != b.keys():
        missing = sorted(set(a) - set(b))
        extra = sorted(set(b) - set(a))
        raise ValueError(f"gradient dicts have different keys: only in first {missing}, only in second {extra}")
    for k in a:
        if a[k].shape != b[k].shape:
            raise ValueError(f"shape mismatch for {k!r}: {a[k].shape} vs {b[k].shape}")
    ma, mb = _max_abs(a.values()), _max_abs(b.values())
    if not (math.isfinite(ma) and math.isfinite(mb)) or ma == 0.0 or mb == 0.0:
        return float("nan")
    dot = na = nb = 0.0
    for k in a:
        x = a[k].astype(np.float64).ravel() / ma
        y = b[k].astype(np.float64).ravel() / mb
        dot += float(np.dot(x, y))
        na += float(np.dot(x, x))
        nb += float(np.dot(y, y))
    return float(np.clip(dot / math.sqrt(na * nb), -1.0, 1.0))
