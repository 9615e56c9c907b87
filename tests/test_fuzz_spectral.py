"""Property-based fuzzing of gradflow.spectral: matrices with a chosen spectrum,
spectra of matrices, powers, theory curves and the measured rate.

Properties: a result or a clear ValueError, never another exception; no input
mutated; radii exactly as asked; no silent overflow (a radius beyond float64,
or one whose matrix overflows the weights' dtype, is refused).
"""

import math

import numpy as np
from fuzz_support import (ANY_DTYPES, FLOAT_DTYPES, SCALES, arrays, assert_unchanged, fill, has_nonfinite, names,
                          outcome, rng_from, seeds, snapshot, sometimes)
from hypothesis import given
from hypothesis import strategies as st

from gradflow import spectral

KINDS = spectral.KINDS
RHOS = sometimes(st.floats(0.0, 10.0), st.sampled_from([-1.0, np.nan, np.inf, "x", None, 10**400]))
RNGS = st.one_of(seeds(), seeds(), st.builds(np.random.default_rng, seeds()), st.sampled_from([-1, 1.5, "0"]))


def valid_rho(rho):
    return isinstance(rho, float) and math.isfinite(rho) and rho >= 0


def valid_rng(rng):
    return isinstance(rng, np.random.Generator) or (type(rng) is int and rng >= 0)


def radius(block, of_unit=False):
    """Spectral radius, computed on block / max|block| (LAPACK is inaccurate on subnormal entries);
    of_unit: the radius of block / max|block| itself (0 only for a numerically nilpotent block)."""
    b = np.asarray(block, dtype=np.float64)
    m = np.abs(b).max()
    r = np.max(np.abs(np.linalg.eigvals(b / m))) if m > 0 else 0.0
    return r if of_unit else m * r


def assert_radius(block, rho, dtype, rtol64=1e-9):
    """radius(block) = rho to the precision of dtype (entries below its normal range are coarse)."""
    rtol = {np.float64: rtol64, np.float32: 1e-5, np.float16: 1e-2}[np.dtype(dtype).type]
    atol = 1e-300 if dtype == np.float64 else block.shape[0] * 10 * np.finfo(dtype).smallest_subnormal
    if dtype != np.float64:  # rho itself may not be representable
        atol += block.shape[0] * float(np.finfo(dtype).tiny) * (rho < np.finfo(dtype).tiny)
    assert abs(radius(block) - rho) <= rtol * rho + atol, f"radius {radius(block)} != {rho} ({np.dtype(dtype)})"


# --------------------------------------------------------------------------
# Matrices with a chosen spectrum
# --------------------------------------------------------------------------
@given(st.one_of(st.integers(-1, 24), st.sampled_from([2.0, np.int64(3)])), RHOS, names(KINDS), RNGS,
       sometimes(st.floats(0.0, 2.0), st.sampled_from([-1.0, np.nan])))
def test_recurrent_matrix_has_exactly_the_radius_asked(H, rho, kind, rng, nonnormality):
    W, err = outcome(spectral.recurrent_matrix, H, rho, kind, rng, nonnormality=nonnormality)
    valid = (type(H) in (int, np.int64) and H >= 1 and valid_rho(rho) and kind in KINDS and valid_rng(rng)
             and math.isfinite(nonnormality) and nonnormality >= 0)
    assert (err is None) == valid, err
    if W is None:
        return
    assert W.shape == (H, H) and W.dtype == np.float64 and np.isfinite(W).all()
    if isinstance(rng, int):  # one base matrix times rho, exactly (the batched sweep relies on it)
        np.testing.assert_array_equal(W, rho * spectral.base_recurrent_matrix(H, kind, rng, nonnormality=nonnormality))
    if rho == 0:
        assert not W.any()
    elif rho < 1e-290:
        pass  # rho times an entry is subnormal: the exact product checked above is all there is
    elif kind == "nonnormal":  # eigenvalues are known by construction
        if isinstance(rng, int):
            W2, lam = spectral.nonnormal_matrix(H, rho, rng, nonnormality)
            np.testing.assert_array_equal(W2, W)
            got = np.sort_complex(np.linalg.eigvals(W / rho))
            np.testing.assert_allclose(got, np.sort_complex(lam / rho + 0j), atol=1e-6)
    else:
        assert abs(radius(W) - rho) <= 1e-9 * rho
        if kind == "orthogonal":
            np.testing.assert_allclose((W / rho) @ (W / rho).T, np.eye(H), atol=1e-12)


@st.composite
def weight_hh(draw, dtypes=FLOAT_DTYPES):
    """(G·H, H) with blocks of every kind: random at any magnitude, zero, nilpotent, identity."""
    G, H = draw(st.sampled_from([1, 3, 4])), draw(st.integers(1, 6))
    rng = rng_from(draw)
    blocks = []
    for _ in range(G):
        how = draw(st.sampled_from(["random", "random", "random", "zero", "nilpotent", "identity"]))
        blocks.append({"random": lambda: draw(st.sampled_from(SCALES[:-1])) * rng.standard_normal((H, H)),
                       "zero": lambda: np.zeros((H, H)), "identity": lambda: np.eye(H),
                       "nilpotent": lambda: np.triu(rng.standard_normal((H, H)), 1)}[how]())
    w = np.concatenate(blocks)
    if draw(st.sampled_from([False] * 5 + [True])):
        w[tuple(rng.integers(0, s) for s in w.shape)] = draw(st.sampled_from([np.nan, np.inf]))
    with np.errstate(over="ignore", invalid="ignore"):
        return w.astype(draw(st.sampled_from(dtypes)))


def other_params(draw, w):
    H = w.shape[1]
    return {"weight_ih": draw(arrays((w.shape[0], 3))), "bias_ih": draw(arrays((w.shape[0],))),
            "bias_hh": np.zeros(w.shape[0]), "weight_hh": w, "note": np.array(["kept"])[:H]}


@given(st.data(), RHOS)
def test_set_spectral_radius(data, rho):
    w = data.draw(weight_hh(dtypes=FLOAT_DTYPES + (np.int64, object)))
    params = other_params(data.draw, w)
    before = snapshot(params)
    out, err = outcome(spectral.set_spectral_radius, params, rho)
    assert_unchanged(before, params)
    valid = valid_rho(rho) and w.dtype.kind == "f" and np.isfinite(w).all()
    if valid:  # a block whose entries, rescaled, exceed the dtype's range cannot be rescaled
        H = w.shape[1]
        with np.errstate(all="ignore"):
            grow = max((rho / radius(b, of_unit=True) / float(np.finfo(w.dtype).max)
                       for b in w.astype(np.float64).reshape(-1, H, H) if radius(b, of_unit=True) > 0), default=0.0)
        if 0.5 < grow < 2:
            return  # at the edge of the range rounding decides
        valid = grow <= 1
    assert (err is None) == valid, err
    if out is None:
        return
    assert out.keys() == params.keys() and out["weight_hh"].dtype == w.dtype
    for k in params:
        assert out[k] is not params[k]
        if k != "weight_hh":
            assert_unchanged(params[k], out[k], k)
    assert np.isfinite(out["weight_hh"]).all(), "rescaling overflowed silently"
    H = w.shape[1]
    blocks = spectral.gate_blocks(w)  # the same (H, H) slices, as copies
    assert len(blocks) == w.shape[0] // H and all(
        b.base is None and np.array_equal(b, w[g * H:(g + 1) * H]) for g, b in enumerate(blocks))
    for g in range(w.shape[0] // H):
        old, new = w[g * H:(g + 1) * H], out["weight_hh"][g * H:(g + 1) * H]
        if radius(old, of_unit=True) == 0:
            np.testing.assert_array_equal(new, old)  # cannot be scaled: left as it is
        else:
            assert_radius(new, rho, w.dtype)


def test_set_spectral_radius_of_tiny_and_unscalable_blocks():
    out = spectral.set_spectral_radius({"weight_hh": np.full((1, 1), 5e-324)}, 10.0)["weight_hh"]  # subnormal
    assert out[0, 0] == 10.0
    for w, rho in ((np.array([[1e-310, 1.0], [0.0, 0.0]]), 1.0),  # radius 1e-310: entries would be 1e310
                   (np.array([[1e-3, 1.0], [0.0, 0.0]], np.float16), 100.0)):  # 1e5 > float16's 65504
        _, err = outcome(spectral.set_spectral_radius, {"weight_hh": w}, rho)
        assert err is not None and "overflow" in str(err)


@given(st.data(), st.one_of(RHOS, st.sampled_from([1e5, 1e39, 1e300])), names(KINDS), RNGS)
def test_with_recurrent_spectrum(data, rho, kind, rng):
    w = data.draw(weight_hh())
    params = other_params(data.draw, w)
    before = snapshot(params)
    out, err = outcome(spectral.with_recurrent_spectrum, params, rho, kind, rng)
    assert_unchanged(before, params)
    valid = valid_rho(rho) and kind in KINDS and valid_rng(rng) and np.isfinite(w).all()
    if valid and err is not None:  # the one refusal of valid arguments: a matrix beyond the dtype's range
        assert "overflow" in str(err) and rho > 1e4, err
        return
    assert (err is None) == valid, err
    if out is None:
        return
    assert out["weight_hh"].shape == w.shape and out["weight_hh"].dtype == w.dtype
    assert np.isfinite(out["weight_hh"]).all(), "the new spectrum overflowed silently"
    H = w.shape[1]
    for g in range(w.shape[0] // H):  # nonnormal: eigenvalues of a non-normal matrix, to 1e-6
        assert_radius(out["weight_hh"][g * H:(g + 1) * H], rho, w.dtype, 1e-6 if kind == "nonnormal" else 1e-9)


@given(st.data())
def test_spectra_of_matrices(data):
    H = data.draw(st.integers(0, 5))
    shape = data.draw(st.sampled_from([(H, H), (2, H, H), (H, H + 1), (H,), ()]))
    W = data.draw(arrays(shape, dtypes=ANY_DTYPES))
    before = snapshot(W)
    valid = (len(shape) >= 2 and shape[-1] == shape[-2] and H >= 1 and W.dtype.kind in "fiu"
             and not has_nonfinite(W))
    results = [outcome(f, W) for f in (spectral.eigenvalues, spectral.singular_values, spectral.spectral_radius)]
    assert_unchanged(before, W)
    assert all((err is None) == valid for _, err in results), results
    if not valid:
        return
    eig, sv, rad = (r for r, _ in results)
    assert np.isfinite(sv).all() and (sv >= 0).all() and (np.diff(sv, axis=-1) <= 0).all()
    np.testing.assert_allclose(rad, np.max(np.abs(eig), axis=-1), rtol=1e-12)
    with np.errstate(over="ignore"):  # sv near the float64 maximum: the margin may round to inf
        assert (np.asarray(rad) <= sv[..., 0] * (1 + 1e-9) + 1e-300).all(), "radius above the largest singular value"


@given(st.integers(1, 5), st.sampled_from(SCALES[:-1]), st.one_of(st.integers(-1, 60), st.sampled_from([2.0, True])),
       st.data())
def test_matrix_power_norms(H, scale, K, data):
    W = fill(rng_from(data.draw), (H, H), scale)
    norms, err = outcome(spectral.matrix_power_norms, W, K)
    assert (err is None) == (type(K) is int and K >= 0), err
    if norms is None:
        return
    assert norms.shape == (K + 1,) and norms[0] == 1 and not np.isnan(norms).any() and (norms >= 0).all()
    P = np.eye(H)
    with np.errstate(all="ignore"):
        for k in range(1, K + 1):
            P = P @ W
            if not np.isfinite(P).all():
                assert np.isinf(norms[k:]).all(), "after an overflow every later power is inf"
                break
            np.testing.assert_allclose(norms[k], np.linalg.norm(P, 2), rtol=1e-9, err_msg=f"k={k}")


# --------------------------------------------------------------------------
# Theory curves and the measured rate
# --------------------------------------------------------------------------
STEPS = st.sampled_from([np.arange(6), np.arange(6.0), np.array([0, 1, 1e6]), np.arange(4).reshape(2, 2),
                         np.array(3), [1, 2], np.array([-1.0]), np.array([np.nan]), np.array([np.inf]),
                         np.array([1j]), np.array(["a"]), np.array([1, None], dtype=object), np.arange(3.0) + 0.5])


@given(RHOS, st.one_of(RHOS, st.sampled_from(list(spectral.GAMMA) + ["gelu"])), STEPS)
def test_theory_curves(x, gamma, k):
    k_ok = not isinstance(k, np.ndarray) or k.dtype.kind in "iuf" and np.isfinite(k).all() and (k >= 0).all()
    gamma_ok = gamma in spectral.GAMMA if isinstance(gamma, str) else valid_rho(gamma)
    before = snapshot(k)
    for f, args, ok in ((spectral.rho_power, (x, k), valid_rho(x) and k_ok),
                        (spectral.pascanu_bound, (x, gamma, k), valid_rho(x) and gamma_ok and k_ok)):
        curve, err = outcome(f, *args)
        assert (err is None) == ok, (f.__name__, err)
        if curve is not None:
            base = x * (spectral.GAMMA[gamma] if isinstance(gamma, str) else gamma) if f is spectral.pascanu_bound \
                else x
            assert curve.shape == np.shape(k) and not np.isnan(curve).any() and (curve >= 0).all()
            kk = np.asarray(k, dtype=np.float64)
            assert (curve[kk == 0] == 1).all()
            with np.errstate(all="ignore"):
                want = np.exp(kk * np.log(base)) if base > 0 else np.where(kk == 0, 1.0, 0.0)
            np.testing.assert_allclose(curve, want, rtol=1e-9)
    assert_unchanged(before, k)


@given(st.floats(1e-3, 1e3), st.floats(1e-100, 1e100), st.integers(0, 200), st.data())
def test_decay_rate_recovers_a_geometric_rate(r, c, T, data):
    t = np.arange(T)
    with np.errstate(all="ignore"):
        curve = np.exp(np.log(c) + t * np.log(r))  # c·r^t, without the r^t that underflows first
    holes = data.draw(st.lists(st.tuples(st.integers(0, max(T - 1, 0)), st.sampled_from([0.0, np.inf, np.nan,
                                                                                          -1.0])), max_size=4))
    for i, v in holes:
        if T:
            curve[i] = v
    dtype = data.draw(st.sampled_from([np.float64, np.float64, object, np.complex128, str]))
    arg = curve.astype(dtype)
    got, err = outcome(spectral.decay_rate, arg)
    assert (err is None) == (dtype is not np.complex128), err  # text of numbers parses; complex is refused
    if err is not None:
        return
    usable = np.isfinite(curve) & (curve >= np.finfo(np.float64).tiny)  # subnormals carry too few bits
    if usable.sum() < 2:
        assert math.isnan(got)
    else:
        assert isinstance(got, float) and abs(got - r) <= 1e-9 * r
    assert outcome(spectral.decay_rate, data.draw(st.sampled_from([np.ones((2, 2)), 3.0])))[1] is not None
