"""Spectral tools: recurrent matrices with a chosen spectral radius, and theory curves.

Why this module exists: whether gradients vanish or explode through time is
governed by the repeated product of step Jacobians, whose recurrent factor is
``weight_hh``. The spectral radius rho of that matrix sets the *asymptotic*
rate (||W^k|| ~ rho^k), the largest singular value sigma_max together with the
activation's derivative bound gamma gives Pascanu et al.'s upper bound
(gamma * sigma_max)^k, and non-normal matrices show that rho < 1 still allows
transient growth of ||W^k||.

Matrices are (H, H) float64; parameter dicts follow PyTorch's names and shapes
(``weight_hh`` is (G*H, H) with G gate blocks stacked along the rows).
Shape legend: H hidden, G number of gate blocks, K number of powers.

The step Jacobians of a run (∂h_t/∂h_{t−1} of a Flow) are in `gradflow.jacobians`.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Mapping

import numpy as np

from .checks import as_rng, check_size

KINDS = ("orthogonal", "gaussian", "symmetric", "nonnormal")

# Upper bound of |f'(a)| of each activation: gamma in Pascanu et al. (2013).
GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "linear": 1.0}

# Rows of matrices handed to one batched SVD call in matrix_power_norms; bounds
# the temporary (batch, H, H) stack instead of building all K+1 powers at once.
_SVD_BATCH = 32

# Largest K of matrix_power_norms (K+1 norms, up to K products): a larger K is a typo, not a plot.
MAX_POWERS = 100_000


# --------------------------------------------------------------------------- #
# validation helpers
# --------------------------------------------------------------------------- #

def _check_nonneg(name: str, value) -> float:
    try:
        v = float(value)  # OverflowError: an int beyond float64, like 10**400
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0 (float64: <= 1.8e308), got {reprlib.repr(value)}")
    return v


def _check_kind(kind) -> str:
    if not isinstance(kind, str) or kind not in KINDS:  # an array ['orthogonal'] would pass `in`
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
    return kind


def _check_square(W, name: str = "W") -> np.ndarray:
    """Return W as float64 (..., H, H); raise ValueError unless square and finite."""
    W = np.asarray(W)
    if W.ndim < 2 or W.shape[-1] != W.shape[-2] or W.shape[-1] == 0:
        raise ValueError(f"{name} must be a square (..., H, H) matrix with H >= 1, got shape {W.shape}")
    if not (np.issubdtype(W.dtype, np.floating) or np.issubdtype(W.dtype, np.integer)):
        raise ValueError(f"{name} must be a real numeric matrix, got dtype {W.dtype}")
    W = W.astype(np.float64, copy=False)
    if not np.all(np.isfinite(W)):
        raise ValueError(f"{name} contains NaN or inf")
    return W


def _check_weight_hh(params) -> np.ndarray:
    if not isinstance(params, Mapping) or "weight_hh" not in params:
        raise ValueError("params must be a dict holding 'weight_hh' of shape (G*H, H)")
    w = np.asarray(params["weight_hh"])
    if w.ndim != 2 or w.shape[1] == 0 or w.shape[0] % w.shape[1] != 0 or w.shape[0] == 0:
        raise ValueError(f"weight_hh must have shape (G*H, H) with G >= 1, got {w.shape}")
    if not np.issubdtype(w.dtype, np.floating):
        raise ValueError(f"weight_hh must be a floating-point array, got dtype {w.dtype}")
    if not np.all(np.isfinite(w)):
        raise ValueError("weight_hh contains NaN or inf")
    return w


# --------------------------------------------------------------------------- #
# matrices with a chosen spectrum
# --------------------------------------------------------------------------- #

def haar_orthogonal(H: int, rng=None) -> np.ndarray:
    """Haar-distributed orthogonal (H, H) matrix.

    QR of a Gaussian matrix is orthogonal but not Haar unless the signs of R's
    diagonal are moved into Q (Mezzadri 2007); that is the sign fix below.
    """
    H = check_size("H", H)
    rng = as_rng(rng)
    Q, R = np.linalg.qr(rng.standard_normal((H, H)))  # (H, H), (H, H)
    d = np.sign(np.diag(R))
    d[d == 0] = 1.0  # a zero pivot has probability 0, but keep Q orthogonal anyway
    return Q * d  # scales column j by d[j]


def _nonnormal_eigvals(H: int) -> np.ndarray:
    # Evenly spaced real eigenvalues from 1 down to -1: well separated, so that
    # np.linalg.eigvals recovers them accurately despite the non-normal part.
    return np.linspace(1.0, -1.0, H) if H > 1 else np.ones(1)


def nonnormal_matrix(H: int, rho: float, rng=None, nonnormality: float = 1.0):
    """Non-normal matrix W = rho * Q (Lambda + N) Q^T with known eigenvalues.

    Inputs:
    - H: hidden size.
    - rho: spectral radius (>= 0).
    - rng: None, int seed or np.random.Generator.
    - nonnormality: strength of the non-normal part. N is strictly upper
      triangular with i.i.d. N(0, nonnormality**2 / H) entries, so ||N||_2 is
      about 1.5 * nonnormality whatever H. 0 gives the normal (symmetric)
      matrix rho * Q Lambda Q^T. Like Lambda, N is scaled by rho, so W is one
      base matrix times rho (what the batched sweep relies on).

    Returns a tuple of:
    - W: (H, H) float64.
    - eigvals: (H,) float64, the eigenvalues of W by construction
      (rho * Lambda, evenly spaced from rho down to -rho), largest first.

    With nonnormality ~1 and rho around 0.8-1, ||W^k|| first grows above 1
    before it decays like rho^k: rho < 1 alone does not prevent growth.
    """
    H = check_size("H", H)
    rho = _check_nonneg("rho", rho)
    nonnormality = _check_nonneg("nonnormality", nonnormality)
    rng = as_rng(rng)
    lam = _nonnormal_eigvals(H)  # (H,)
    N = np.triu(rng.standard_normal((H, H)), k=1) * (nonnormality / math.sqrt(H))  # (H, H)
    Q = haar_orthogonal(H, rng)
    base = Q @ (np.diag(lam) + N) @ Q.T  # similar to Lambda + N: same eigenvalues
    return rho * base, rho * lam


def base_recurrent_matrix(H: int, kind: str = "orthogonal", rng=None, *,
                          nonnormality: float = 1.0) -> np.ndarray:
    """(H, H) float64 matrix of spectral radius 1 of the given kind.

    recurrent_matrix(H, rho, ...) is exactly rho * base_recurrent_matrix(H, ...)
    for the same rng state, so a sweep can scale one base matrix by each rho.

    Kinds:
    - "orthogonal": Haar orthogonal Q (all singular values 1: normal, no transient).
    - "gaussian": i.i.d. N(0, 1) matrix divided by its spectral radius.
    - "symmetric": (G + G^T) / 2 of a Gaussian G, divided by its radius
      (real eigenvalues, normal).
    - "nonnormal": Q (Lambda + N) Q^T, see nonnormal_matrix; nonnormality is
      used by this kind only.
    """
    H = check_size("H", H)
    kind = _check_kind(kind)
    nonnormality = _check_nonneg("nonnormality", nonnormality)
    rng = as_rng(rng)
    if kind == "orthogonal":
        return haar_orthogonal(H, rng)
    if kind == "nonnormal":
        return nonnormal_matrix(H, 1.0, rng, nonnormality)[0]
    G = rng.standard_normal((H, H))
    if kind == "symmetric":
        G = 0.5 * (G + G.T)
        radius = np.max(np.abs(np.linalg.eigvalsh(G)))
    else:
        radius = spectral_radius(G)
    # A Gaussian matrix is singular with probability 0; redraw would change the
    # rng stream, so fail loudly instead of returning a wrong radius.
    if radius == 0.0:
        raise ValueError("drew a matrix with spectral radius 0; use another seed")
    return G / radius


def recurrent_matrix(H: int, rho: float, kind: str = "orthogonal", rng=None, *,
                     nonnormality: float = 1.0) -> np.ndarray:
    """(H, H) float64 recurrent matrix with spectral radius exactly rho (ValueError if it overflows).

    Inputs:
    - H: hidden size (>= 1).
    - rho: target spectral radius, finite and >= 0 (0 gives the zero matrix).
    - kind: one of KINDS ("orthogonal", "gaussian", "symmetric", "nonnormal").
    - rng: None, int seed or np.random.Generator.
    - nonnormality: strength of the non-normal part ("nonnormal" only).

    Returns W of shape (H, H) = rho * base_recurrent_matrix(H, kind, rng).
    """
    rho = _check_nonneg("rho", rho)
    with np.errstate(over="ignore"):
        W = rho * base_recurrent_matrix(H, kind, rng, nonnormality=nonnormality)  # (H, H)
    if not np.all(np.isfinite(W)):
        raise ValueError(f"rho={rho} is too large: the {kind} matrix's entries would overflow float64")
    return W


# --------------------------------------------------------------------------- #
# spectra of matrices and parameter dicts
# --------------------------------------------------------------------------- #

def eigenvalues(W) -> np.ndarray:
    """Eigenvalues of W (..., H, H) -> (..., H), complex in general."""
    return np.linalg.eigvals(_check_square(W))


def singular_values(W) -> np.ndarray:
    """Singular values of W (..., H, H) -> (..., H), largest first."""
    return np.linalg.svd(_check_square(W), compute_uv=False)


def spectral_radius(W):
    """max |eigenvalue| of W (H, H) -> float, or of a stack (..., H, H) -> (...)."""
    r = np.max(np.abs(eigenvalues(W)), axis=-1)
    return float(r) if np.ndim(r) == 0 else r


def gate_blocks(weight_hh) -> list[np.ndarray]:
    """Split weight_hh (G*H, H) into its G gate blocks, each an (H, H) copy.

    Blocks follow PyTorch's gate order (LSTM i,f,g,o; GRU r,z,n; RNN one block).
    """
    w = _check_weight_hh({"weight_hh": weight_hh})
    H = w.shape[1]
    return [w[g * H:(g + 1) * H].copy() for g in range(w.shape[0] // H)]


def set_spectral_radius(params, rho: float) -> dict:
    """Rescale every gate block of params["weight_hh"] to spectral radius rho.

    Inputs:
    - params: dict with "weight_hh" (G*H, H) (other entries are copied as is).
    - rho: target radius, finite and >= 0.

    Returns a new dict (all arrays copied; inputs never mutated). Each (H, H)
    block B becomes B * rho / radius(B), computed in float64 and cast back to
    weight_hh's dtype (float32 params keep float32 precision). A block whose
    numerical radius is 0 (an all-zero block, or an exactly nilpotent one)
    cannot be scaled to a non-zero radius and is left unchanged. A block whose
    rescaled entries overflow weight_hh's dtype raises ValueError.
    """
    rho = _check_nonneg("rho", rho)
    w = _check_weight_hh(params)
    H = w.shape[1]
    blocks = w.astype(np.float64).reshape(-1, H, H)  # (G, H, H)
    # Eigenvalues of B / max|B| (entries in [-1, 1]): LAPACK loses accuracy on subnormal
    # entries, and rho / radius overflows for a subnormal radius.
    m = np.max(np.abs(blocks), axis=(1, 2), keepdims=True)  # (G, 1, 1)
    unit = blocks / np.where(m > 0, m, 1.0)
    radii = spectral_radius(unit)[:, None, None]  # (G, 1, 1) radius of B / max|B|
    with np.errstate(over="ignore"):
        new_w = np.where(radii > 0, unit / np.where(radii > 0, radii, 1.0) * rho, blocks)
        new_w = new_w.reshape(w.shape).astype(w.dtype)  # (G*H, H)
    if not np.all(np.isfinite(new_w)):
        bad = sorted({int(i) // H for i in np.flatnonzero(~np.isfinite(new_w).all(axis=1))})
        raise ValueError(f"cannot rescale weight_hh gate block(s) {bad} to radius {rho}: the entries would "
                         f"overflow {w.dtype} (their radius is tiny next to their entries)")
    out = {k: np.array(v, copy=True) for k, v in params.items()}
    out["weight_hh"] = new_w
    return out


def with_recurrent_spectrum(params, rho: float, kind: str = "orthogonal", rng=None, *,
                            nonnormality: float = 1.0) -> dict:
    """Replace every gate block of params["weight_hh"] by a fresh recurrent_matrix.

    Blocks are drawn one after another from the same rng, so they differ.
    Returns a new dict (arrays copied, weight_hh keeps its dtype); inputs are
    never mutated. Blocks whose entries overflow weight_hh's dtype (ρ = 1e5
    in float16) raise ValueError, as in set_spectral_radius.
    """
    rho = _check_nonneg("rho", rho)
    kind = _check_kind(kind)
    w = _check_weight_hh(params)
    rng = as_rng(rng)
    H = w.shape[1]
    blocks = [recurrent_matrix(H, rho, kind, rng, nonnormality=nonnormality) for _ in range(w.shape[0] // H)]
    with np.errstate(over="ignore"):
        new_w = np.concatenate(blocks, axis=0).astype(w.dtype)  # (G*H, H)
    if not np.all(np.isfinite(new_w)):
        raise ValueError(f"rho={rho} is too large for weight_hh's dtype {w.dtype}: the {kind} blocks' entries "
                         f"would overflow ({w.dtype}'s largest value is {float(np.finfo(w.dtype).max):.4g})")
    out = {k: np.array(v, copy=True) for k, v in params.items()}
    out["weight_hh"] = new_w
    return out


# --------------------------------------------------------------------------- #
# theory curves
# --------------------------------------------------------------------------- #

def _real_array(name: str, value) -> np.ndarray:
    """value as a float64 array; ValueError for complex, text or other non-real entries."""
    a = np.asarray(value)
    try:
        if a.dtype.kind == "c":
            raise TypeError(f"dtype {a.dtype}")  # astype would drop the imaginary part with a warning only
        return a.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must hold real numbers: {err}") from None


def _check_steps(k) -> np.ndarray:
    k = _real_array("k (steps)", k)
    if not np.all(np.isfinite(k)) or np.any(k < 0):
        raise ValueError("k (steps) must be finite and >= 0")
    return k


def rho_power(rho: float, k) -> np.ndarray:
    """rho**k for steps k (array): the asymptotic rate of ||W^k||. Overflow -> inf."""
    rho = _check_nonneg("rho", rho)
    k = _check_steps(k)
    with np.errstate(over="ignore", under="ignore"):
        return np.power(rho, k)


def _gamma_value(gamma) -> float:
    if isinstance(gamma, str):
        if gamma not in GAMMA:
            raise ValueError(f"unknown activation {gamma!r}; allowed: {', '.join(GAMMA)}")
        return GAMMA[gamma]
    return _check_nonneg("gamma", gamma)


def pascanu_bound(sigma_max: float, gamma, k) -> np.ndarray:
    """(gamma * sigma_max)**k: Pascanu et al.'s bound on ||prod of k Jacobians||.

    gamma is a number or an activation name from GAMMA (tanh 1, sigmoid 1/4,
    relu 1, linear 1). Overflow -> inf.
    """
    sigma_max = _check_nonneg("sigma_max", sigma_max)
    g = _gamma_value(gamma)
    k = _check_steps(k)
    with np.errstate(over="ignore", under="ignore"):
        return np.power(g * sigma_max, k)


def matrix_power_norms(W, K: int) -> np.ndarray:
    """||W^k||_2 for k = 0..K -> (K+1,) float64 (entry 0 is ||I|| = 1).

    Powers come from repeated multiplication (no eigendecomposition, which is
    unstable for non-normal W); spectral norms come from batched SVDs. Once a
    power overflows, that entry and all later ones are inf. K is at most
    MAX_POWERS (100 000); a larger K raises ValueError.
    """
    W = _check_square(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a single (H, H) matrix, got shape {W.shape}")
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or K < 0:
        raise ValueError(f"K must be an integer >= 0, got {K!r}")
    if K > MAX_POWERS:
        raise ValueError(f"K={K} is above the cap of {MAX_POWERS} powers (MAX_POWERS): "
                         "the result would hold K+1 norms and take K matrix products")
    H = W.shape[0]
    norms = np.full(K + 1, np.inf)
    norms[0] = 1.0
    P = np.eye(H)
    batch = np.empty((min(_SVD_BATCH, max(K, 1)), H, H))  # (b, H, H) powers awaiting SVD
    n, start = 0, 1  # powers in batch; k of batch[0]
    k = 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(1, K + 1):
            P = P @ W  # (H, H) = W^k
            finite = bool(np.all(np.isfinite(P)))
            if finite:
                batch[n] = P
                n += 1
            if n == len(batch) or (n and (not finite or k == K)):
                norms[start:start + n] = np.linalg.svd(batch[:n], compute_uv=False)[:, 0]
                start, n = start + n, 0
            if not finite:
                break  # the rest stays inf
    return norms


def decay_rate(norms) -> float:
    """Measured geometric rate per step of a norm curve.

    Fits log(norms[t]) = a + t * log(r) by least squares over the entries that
    are finite and normal floats (zeros, inf/NaN and subnormals below 2.2e-308,
    which carry too few bits for their log to be accurate, are ignored; t keeps
    the original index) and returns r: < 1 decays, > 1 grows, 1 flat. Returns nan when fewer
    than 2 entries are usable. The rate is per index step in the array's
    order; reverse a curve first to read it in the other direction.
    """
    y = _real_array("norms", norms)
    if y.ndim != 1:
        raise ValueError(f"norms must be a 1-D curve, got shape {y.shape}")
    t = np.arange(y.size, dtype=np.float64)
    ok = np.isfinite(y) & (y >= np.finfo(np.float64).tiny)
    if np.count_nonzero(ok) < 2:
        return float("nan")
    t, logy = t[ok], np.log(y[ok])
    tc = t - t.mean()
    slope = float(np.dot(tc, logy - logy.mean()) / np.dot(tc, tc))
    with np.errstate(over="ignore"):
        return float(np.exp(slope))
