"""Helpers shared by the property-based fuzz tests (test_fuzz_*.py).

* `outcome` runs a call and returns its result or the ValueError it raised;
  any other exception propagates and fails the test. A ValueError counts only
  when gradflow raised it (its innermost frame lies in the gradflow package)
  with a message: an error that escapes from inside NumPy or the standard
  library names none of gradflow's arguments.
* `snapshot` / `assert_unchanged` prove that no input array was mutated.
* `arrays` draws arrays of chosen shapes whose values may be huge, tiny, zero,
  inf or NaN, in several dtypes.
* `Problem`, `problems` and `ref_step`: small engine problems and an independent
  float64 unroll (PyTorch's equations) for finite differences, with
  `assert_directional` comparing a directional derivative with them.
"""

from __future__ import annotations

import copy
import os
import traceback
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

import gradflow as gf
from gradflow import cells, spectral
from gradflow.cells import gru, rnn
from gradflow.checks import as_rng

PACKAGE_DIR = os.path.dirname(os.path.abspath(gf.__file__))

# Magnitudes of generated values: zero, subnormal, tiny, ordinary, huge, near the float64 maximum.
SCALES = (0.0, 5e-324, 1e-300, 1e-8, 0.5, 1.0, 3.0, 1e8, 1e150, 1e300, 1.7e308)
SPECIALS = (np.inf, -np.inf, np.nan, 0.0, -0.0, 5e-324, 1.7976931348623157e308, -1e300)
FLOAT_DTYPES = (np.float64, np.float32, np.float16)
ANY_DTYPES = FLOAT_DTYPES + (np.int64, np.int32, np.int8, np.uint8, object, np.complex128, np.bool_, str)
# Junk that is not a valid name for any option: wrong case, empty, unicode, None, a number.
JUNK_NAMES = st.one_of(st.sampled_from(["", "LSTM", "Tanh", "torch", "rnn ", "gru\x00", "λ"]),
                       st.text(max_size=6), st.none(), st.integers(-2, 2))


def names(valid):
    """A valid name most of the time, otherwise junk."""
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(valid), JUNK_NAMES)


def sometimes(strategy, other, odds=4):
    """`strategy` about odds/(odds+1) of the time, otherwise `other`."""
    return st.one_of(*([strategy] * odds), other)


def seeds():
    return st.integers(0, 2**32 - 1)


def rng_from(draw):
    return np.random.default_rng(draw(seeds()))


def fill(rng, shape, scale=1.0, dtype=np.float64, special_fraction=0.0):
    """Gaussian values times `scale`, then a fraction replaced by SPECIALS, cast to `dtype`."""
    with np.errstate(over="ignore"):  # 1.7e308 times a normal draw may overflow: one more inf
        a = np.array(scale * rng.standard_normal(shape))  # 0-d too
    if special_fraction and a.size:
        mask = rng.random(shape) < special_fraction
        a[mask] = rng.choice(np.array(SPECIALS), size=int(mask.sum()))
    with np.errstate(all="ignore"):
        if dtype is object:
            return a.astype(object)
        if dtype is str:
            return a.astype(str)
        if np.issubdtype(np.dtype(dtype), np.integer):
            info = np.iinfo(dtype)
            a = np.nan_to_num(a, nan=0.0, posinf=info.max, neginf=info.min)
            return np.clip(a, info.min, info.max).astype(dtype)
        return a.astype(dtype)


@st.composite
def arrays(draw, shape, *, dtypes=(np.float64,), scales=SCALES, specials=True):
    """An array of `shape` with drawn magnitude, dtype and (sometimes) special values."""
    rng = rng_from(draw)
    frac = draw(st.sampled_from((0.0, 0.0, 0.0, 0.05, 0.5, 1.0))) if specials else 0.0
    return fill(rng, shape, draw(st.sampled_from(scales)), draw(st.sampled_from(dtypes)), frac)


def outcome(fn, *args, **kwargs):
    """(result, None) or (None, the ValueError). Any other exception propagates."""
    try:
        return fn(*args, **kwargs), None
    except ValueError as err:
        assert_clear(err)
        return None, err


def assert_clear(err):
    """The ValueError has a message and comes from a `raise` statement in gradflow: not
    from inside NumPy or the standard library, and not from a NumPy call that failed
    inside gradflow (a shape mismatch in a matmul, int(nan) ...), none of which names
    gradflow's argument."""
    assert str(err).strip(), f"ValueError without a message: {err!r}"
    frames = traceback.extract_tb(err.__traceback__)
    inner = frames[-1] if frames else None
    where = f"{inner.filename}:{inner.lineno}" if inner else "?"
    deliberate = inner is not None and os.path.abspath(inner.filename).startswith(PACKAGE_DIR) \
        and (inner.line or "").lstrip().startswith("raise")
    assert deliberate, f"ValueError escaped from {where} ({inner.line if inner else ''!s}), not raised by gradflow " \
                       f"with a clear message: {err}"


def snapshot(obj):
    """Deep copy of nested dicts / lists / tuples of arrays."""
    return copy.deepcopy(obj)


def assert_unchanged(before, after, path="input"):
    """Same structure, and every array the same dtype, shape and bytes (NaN == NaN)."""
    if isinstance(before, dict):
        assert isinstance(after, dict) and list(before) == list(after), f"{path}: keys changed"
        for k in before:
            assert_unchanged(before[k], after[k], f"{path}[{k!r}]")
    elif isinstance(before, (list, tuple)):
        assert len(before) == len(after), f"{path}: length changed"
        for i, (b, a) in enumerate(zip(before, after)):
            assert_unchanged(b, a, f"{path}[{i}]")
    elif isinstance(before, np.ndarray):
        assert isinstance(after, np.ndarray), f"{path}: no longer an array"
        assert before.dtype == after.dtype and before.shape == after.shape, f"{path}: dtype or shape changed"
        if before.dtype == object:
            assert all(x is y or x == y or (x != x and y != y) for x, y in zip(before.ravel(), after.ravel())), \
                f"{path}: mutated"
        else:
            assert before.tobytes() == after.tobytes(), f"{path}: mutated"


def has_nonfinite(*values):
    """True if any numeric array among values holds inf or NaN (non-numeric arrays are ignored)."""
    for v in values:
        if isinstance(v, dict):
            if has_nonfinite(*v.values()):
                return True
            continue
        if v is None:
            continue
        try:
            a = np.asarray(v, dtype=np.complex128)
        except (TypeError, ValueError):
            continue
        if not np.isfinite(a).all():
            return True
    return False


def robust_norm(a, axis=-1):
    """‖a‖₂ along axis without overflow or subnormal rounding: hypot reduction of a / max|a|
    (the reference for the library's norms)."""
    a = np.abs(np.asarray(a, dtype=np.float64))
    if a.shape[axis] == 0:
        return np.zeros(np.delete(a.shape, axis))
    with np.errstate(all="ignore"):  # a norm above the float64 maximum is inf
        m = np.max(a, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m) & (m > 0), m, 1.0)
        return np.squeeze(m, axis) * np.hypot.reduce(a / m, axis=axis)


def same_finiteness_and_close(got, want, rtol, what):
    """Non-finite in the same places; close (relative) where finite."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    fg, fw = np.isfinite(got), np.isfinite(want)
    assert (fg == fw).all(), f"{what}: finite at {np.argwhere(fg != fw)[:3].tolist()} differs"
    np.testing.assert_allclose(got[fg], want[fw], rtol=rtol, atol=0, err_msg=what)


# --------------------------------------------------------------------------
# Engine problems
# --------------------------------------------------------------------------
CELLS = cells.CELLS
OPTIONS = {"rnn": [{"nonlinearity": n} for n in rnn.NONLINEARITIES], "lstm": [{}],
           "gru": [{"variant": v} for v in gru.VARIANTS]}
# T from 1 to 1000, mostly short: the long runs are few so that the ci profile stays fast.
LENGTHS = st.one_of(*[st.integers(1, 12)] * 6, st.sampled_from([40, 200, 1000]))


def sweep_base_problem(cell, T, H, D=None, B=1, kind="orthogonal", seed=0, loss="last", input_scale=1.0,
                       forget_bias=0.0):
    """A random problem for `gf.sweep`: (params, xs, upstream).

    params["weight_hh"] has gate blocks of spectral radius 1 (drawn after the
    other params, from the same generator), so ρ · weight_hh has radius ρ.
    """
    D = H if D is None else D
    rng = as_rng(seed)
    params = cells.init_params(cell, D, H, rng, forget_bias=forget_bias)
    params["weight_hh"] = np.concatenate([spectral.base_recurrent_matrix(H, kind, rng)
                                          for _ in range(cells.NUM_GATES[cell])])
    xs = input_scale * rng.standard_normal((T, B, D))
    return params, xs, gf.make_upstream(T, B, H, loss, rng)


# --------------------------------------------------------------------------
# An independent float64 unroll (PyTorch's equations), for finite differences
# --------------------------------------------------------------------------
def _sig(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + e^-z) without overflow


def ref_step(cell, opts, x, h, c, p, dh_ifg=0.0, dh_o=0.0, dc=0.0):
    """One step; dh_ifg / dh_o perturb h_{t-1} as the LSTM's i,f,g / o gates see it, dc perturbs c_t."""
    H = h.shape[1]
    W, U, b = p["weight_ih"], p["weight_hh"], p["bias_ih"] + p["bias_hh"]
    if cell == "rnn":
        z = x @ W.T + h @ U.T + b
        return {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0), "linear": lambda a: a}[
            opts["nonlinearity"]](z), None
    if cell == "lstm":
        z = x @ W.T + b + np.concatenate([(h + dh_ifg) @ U[:3 * H].T, (h + dh_o) @ U[3 * H:].T], axis=1)
        i, f, g, o = _sig(z[:, :H]), _sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), _sig(z[:, 3 * H:])
        c = f * c + i * g + dc
        return o * np.tanh(c), c
    xw = x @ W.T + p["bias_ih"]
    r = _sig(xw[:, :H] + h @ U[:H].T + p["bias_hh"][:H])
    u = _sig(xw[:, H:2 * H] + h @ U[H:2 * H].T + p["bias_hh"][H:2 * H])
    if opts["variant"] == "pytorch":
        n = np.tanh(xw[:, 2 * H:] + r * (h @ U[2 * H:].T + p["bias_hh"][2 * H:]))
    else:
        n = np.tanh(xw[:, 2 * H:] + (r * h) @ U[2 * H:].T + p["bias_hh"][2 * H:])
    return (1 - u) * n + u * h, None


@dataclass
class Problem:
    cell: str
    opts: dict
    params: dict
    xs: np.ndarray
    up: np.ndarray
    h0: np.ndarray | None
    c0: np.ndarray | None
    truncate: int | None

    def flow(self, **kw):
        return gf.gradient_flow(self.cell, self.params, self.xs, self.up, self.h0, self.c0,
                                truncate=self.truncate, **self.opts, **kw)

    def loss(self, params=None, xs=None, h0=None, c0=None, starts=None, inject=None):
        """Σ_t ⟨up_t, h_t⟩; with truncation every block restarts from the fixed `starts`
        (the surrogate whose exact gradient truncated BPTT computes)."""
        params = self.params if params is None else params
        xs = self.xs if xs is None else xs
        T, B, _ = xs.shape
        H = params["weight_hh"].shape[1]
        h = next((a for a in (h0, self.h0) if a is not None), np.zeros((B, H)))
        c = next((a for a in (c0, self.c0) if a is not None), np.zeros((B, H))) if self.cell == "lstm" else None
        k, total = self.truncate or T, 0.0
        for t in range(T):
            if t and t % k == 0:
                h, c = starts[t]
            kw = (inject or {}).get(t, {})
            h, c = ref_step(self.cell, self.opts, xs[t], h, c, params,
                            **{n: kw[n] for n in ("dh_ifg", "dh_o", "dc") if n in kw})
            h = h + kw.get("dh", 0.0)
            total += float(np.sum(self.up[t] * h))
        return total


@st.composite
def problems(draw, T_max=10, gain_max=3.0):
    """Small, finite, float64 problems with every option of the engine."""
    cell = draw(st.sampled_from(CELLS))
    opts = draw(st.sampled_from(OPTIONS[cell]))
    T, B, D, H = (draw(st.integers(1, n)) for n in (T_max, 2, 3, 4))
    rng = rng_from(draw)
    gain = draw(st.floats(0.0, gain_max))
    params = {k: gain * v for k, v in cells.init_params(cell, D, H, rng).items()}
    xs = draw(st.floats(0.0, 3.0)) * rng.standard_normal((T, B, D)) + draw(st.floats(-1, 1))
    up = gf.make_upstream(T, B, H, draw(st.sampled_from(["last", "sum"])), rng)
    h0 = draw(st.sampled_from([None, 0.5, 2.0]))
    h0 = None if h0 is None else h0 * rng.standard_normal((B, H))
    c0 = 0.8 * rng.standard_normal((B, H)) if cell == "lstm" and draw(st.booleans()) else None
    truncate = draw(st.one_of(st.none(), st.integers(1, T + 1)))
    return Problem(cell, opts, params, xs, up, h0, c0, truncate)



# --------------------------------------------------------------------------
# Finite differences
# --------------------------------------------------------------------------
EPS = 1e-6


def assert_directional(name, analytic, loss_along, loss0):
    """analytic = d/ds loss_along(s) at 0, within what centered differences resolve:
    curvature shows as a disagreement between the steps ε and 2ε, which widens the
    tolerance; a wrong gradient does not."""
    d1 = (loss_along(EPS) - loss_along(-EPS)) / (2 * EPS)
    d2 = (loss_along(2 * EPS) - loss_along(-2 * EPS)) / (4 * EPS)
    tol = 1e-6 * max(abs(analytic), abs(d1)) + 3 * abs(d1 - d2) + 1e-8 * (1 + abs(loss0))
    assert abs(analytic - d1) <= tol, f"{name}: analytic {analytic!r} vs finite difference {d1!r} ({d2!r} at 2ε)"


def relu_kink_nearby(opts, p, xs, h_prev):
    """A ReLU pre-activation within 1e-4 of 0: the loss is not differentiable nearby."""
    if opts.get("nonlinearity") != "relu":
        return False
    z = xs @ p["weight_ih"].T + h_prev @ p["weight_hh"].T + p["bias_ih"] + p["bias_hh"]
    return bool((np.abs(z) < 1e-4).any())


def unit(rng, shape):
    v = rng.standard_normal(shape)
    return v / np.linalg.norm(v)
