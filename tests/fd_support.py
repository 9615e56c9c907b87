"""Centered finite differences in float64: the reference every backward pass is checked against."""

from __future__ import annotations

import numpy as np

EPS = 1e-6  # step: the centered difference's error is O(EPS²) against rounding O(ε/EPS) ≈ 1e-10


def fd(f, x, direction=None, eps=EPS):
    """Centered difference of the scalar f at x: along `direction`, or the full gradient entry by entry."""
    if direction is not None:
        return (f(x + eps * direction) - f(x - eps * direction)) / (2 * eps)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        g[idx] = (f(x + e) - f(x - e)) / (2 * eps)
    return g
