"""Property-based fuzzing of gradflow.spectral (matrices, spectra, theory curves),
gradflow.clipping and gradflow.interop.

Properties: a result or a clear ValueError, never another exception; no input
mutated; radii exactly as asked; no silent overflow; clipping never increases
a norm; DLFS2 -> PyTorch -> DLFS2 and state-dict round trips are the identity,
PyTorch -> DLFS2 keeps the outputs of every cell.
"""

import math

import numpy as np
from fuzz_support import (ANY_DTYPES, FLOAT_DTYPES, SCALES, arrays, assert_unchanged, fill, has_nonfinite, names,
                          outcome, rng_from, robust_norm, seeds, snapshot, sometimes)
from hypothesis import given
from hypothesis import strategies as st

from gradflow import cells, clipping, interop, spectral

KINDS = spectral.KINDS
RHOS = sometimes(st.floats(0.0, 10.0), st.sampled_from([-1.0, np.nan, np.inf, "x", None]))
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


@given(st.data(), RHOS, names(KINDS), RNGS)
def test_with_recurrent_spectrum(data, rho, kind, rng):
    w = data.draw(weight_hh())
    params = other_params(data.draw, w)
    before = snapshot(params)
    out, err = outcome(spectral.with_recurrent_spectrum, params, rho, kind, rng)
    assert_unchanged(before, params)
    assert (err is None) == (valid_rho(rho) and kind in KINDS and valid_rng(rng) and np.isfinite(w).all()), err
    if out is None:
        return
    assert out["weight_hh"].shape == w.shape and out["weight_hh"].dtype == w.dtype
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


# --------------------------------------------------------------------------
# Clipping
# --------------------------------------------------------------------------
@st.composite
def grad_dicts(draw, shapes=None):
    n = draw(st.integers(0, 4)) if shapes is None else len(shapes)
    keys = draw(st.lists(st.text(max_size=5), min_size=n, max_size=n, unique=True))
    shapes = shapes or [draw(st.sampled_from([(), (0,), (1,), (3,), (2, 3), (4, 1, 2)])) for _ in range(n)]
    return {k: draw(arrays(s, dtypes=(np.float64,) * 4 + ANY_DTYPES)) for k, s in zip(keys, shapes)}


def numeric(grads):
    return len(grads) > 0 and all(np.asarray(a).dtype.kind in "fiu" for a in grads.values())


def reference_norm(grads):
    flat = [np.asarray(a, dtype=np.float64).ravel() for a in grads.values()]
    allv = np.concatenate(flat) if flat else np.zeros(0)
    if np.isnan(allv).any():
        return np.nan
    return float(robust_norm(allv, axis=0)) if allv.size else 0.0


THRESHOLDS = sometimes(st.one_of(st.floats(0.0, 1e6), st.sampled_from([0.0, 1e-300, np.inf])),
                       st.sampled_from([-1.0, np.nan, "x", None]))
DTYPE_RTOL = {"f8": 1e-12, "f4": 1e-6, "f2": 1e-3}


@given(grad_dicts(), THRESHOLDS, names(clipping.METHODS))
def test_clipping_never_increases_a_norm(grads, threshold, method):
    before = snapshot(grads)
    thr_ok = threshold is not None and not isinstance(threshold, str) and threshold >= 0  # NaN fails >= 0
    norm, err = outcome(clipping.global_norm, grads)
    assert (err is None) == numeric(grads), err
    results = [outcome(clipping.clip_by_norm, grads, threshold), outcome(clipping.clip_by_value, grads, threshold),
               outcome(clipping.clip, grads, method, threshold)]
    assert_unchanged(before, grads)
    expect = [numeric(grads) and thr_ok, numeric(grads) and thr_ok,
              numeric(grads) and method in clipping.METHODS and (thr_ok or method == "none")]
    assert [e is None for _, e in results] == expect, results
    if norm is None:
        return
    want = reference_norm(grads)
    edge = min(norm, want) >= (1 - 1e-12) * np.finfo(np.float64).max  # a norm within an ulp of overflowing
    assert (math.isnan(norm) and math.isnan(want)) or norm == want or abs(norm - want) <= 1e-12 * want or edge, \
        (norm, want)
    (by_norm, by_value, res) = (r for r, _ in results)
    if by_norm is not None:
        clipped, total = by_norm
        assert total == norm or (math.isnan(total) and math.isnan(norm))
        assert_never_larger(grads, clipped)
        after = clipping.global_norm(clipped)
        if math.isfinite(norm):
            rtol = max(DTYPE_RTOL.get(np.asarray(a).dtype.str[1:], 1e-12) for a in grads.values())
            assert after <= max(threshold * (1 + rtol), norm * (1 + 1e-12)) or after <= threshold * (1 + rtol)
        else:
            assert all(np.array_equal(clipped[k], grads[k], equal_nan=True) for k in grads), "non-finite: unchanged"
    if by_value is not None:
        clipped, total = by_value
        assert_never_larger(grads, clipped)
        for k, a in clipped.items():
            tol = DTYPE_RTOL.get(a.dtype.str[1:], 1e-12)
            a = a.astype(np.float64)
            assert (np.abs(a[~np.isnan(a)]) <= threshold * (1 + tol) + (1e-4 if clipped[k].dtype == np.float16 else 0)).all()
    if res is not None:
        assert res.norm_after == clipping.global_norm(res.clipped) or math.isnan(res.norm_after)
        assert res.skipped_flag == (not math.isfinite(res.norm_after))
        assert res.clipped_flag == any(not np.array_equal(res.clipped[k], grads[k], equal_nan=True) for k in grads)
        assert_never_larger(grads, res.clipped)


def assert_never_larger(grads, clipped):
    """Entry by entry, |clipped| <= |grads|, signs kept, NaN stays NaN: no norm can grow."""
    assert clipped.keys() == grads.keys()
    for k, g in grads.items():
        g = np.asarray(g)
        c = clipped[k]
        assert c.shape == g.shape and c.dtype.kind == "f" and c is not g
        g64, c64 = g.astype(np.float64), c.astype(np.float64)
        assert (np.isnan(c64) == np.isnan(g64)).all()
        ok = ~np.isnan(g64)
        assert (np.abs(c64[ok]) <= np.abs(g64[ok])).all(), f"{k}: an entry grew"
        assert (np.sign(c64[ok]) * np.sign(g64[ok]) >= 0).all(), f"{k}: a sign flipped"


@given(grad_dicts(), st.data())
def test_cosine(grads, data):
    c = data.draw(st.sampled_from([1.0, 3.0, 1e-300, 1e300, -1.0, -2.0]))
    with np.errstate(all="ignore"):  # float64: a float32 entry times 1e-300 would underflow to 0
        scaled = {k: np.asarray(a, np.float64) * c if np.asarray(a).dtype.kind in "fiu" else a
                  for k, a in grads.items()}
    other = data.draw(st.sampled_from(["scaled", "random", "missing key", "other shape"]))
    b = scaled
    if other == "random":
        b = {k: fill(rng_from(data.draw), np.shape(a)) for k, a in grads.items()}
    elif grads and other == "missing key":
        b = dict(list(scaled.items())[1:])
    elif grads and other == "other shape":
        k0 = next(iter(grads))
        b = {**scaled, k0: np.zeros(np.shape(grads[k0]) + (2,))}
    before = snapshot((grads, b))
    cos, err = outcome(clipping.cosine, grads, b)
    assert_unchanged(before, (grads, b))
    mismatch = b.keys() != grads.keys() or any(np.shape(b[k]) != np.shape(grads[k]) for k in grads)
    assert (err is None) == (numeric(grads) and numeric(b) and not mismatch), err
    if cos is None:
        return
    assert math.isnan(cos) or -1 <= cos <= 1
    assert cos == clipping.cosine(b, grads) or (math.isnan(cos) and math.isnan(clipping.cosine(b, grads)))
    if other == "scaled" and math.isfinite(cos):
        s = np.concatenate([a.ravel() for a in scaled.values()])
        exact = np.isfinite(s).all() and ((s == 0) | (np.abs(s) >= np.finfo(np.float64).tiny)).all()
        if exact:  # c·a is a exactly proportional (no entry lost to overflow or to subnormal rounding)
            assert abs(cos - np.sign(c)) <= 1e-9, f"cosine of a gradient with itself times {c}: {cos}"


# --------------------------------------------------------------------------
# Interop
# --------------------------------------------------------------------------
@st.composite
def cell_params(draw, zero_gru_bias=None):
    cell = draw(st.sampled_from(cells.CELLS))
    D, H = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rng = rng_from(draw)
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    p = {k: (draw(st.floats(0.0, 3.0)) * v).astype(dtype) for k, v in cells.init_params(cell, D, H, rng).items()}
    if cell == "gru" and (draw(st.booleans()) if zero_gru_bias is None else zero_gru_bias):
        p["bias_ih"][:] = 0
        p["bias_hh"][:] = 0
    return cell, p


def dlfs2_forward(cell, d, xs, h0, c0):
    """The course notes' (DLFS2) equations, x @ Wx, as the interop docstring gives them: hs (T, B, H)."""
    H = d["Wh"].shape[0]
    sig = lambda a: 0.5 * np.tanh(0.5 * a) + 0.5
    h, c, hs = h0, c0, []
    for x in xs:
        if cell == "rnn":
            h = np.tanh(x @ d["Wx"] + h @ d["Wh"] + d["b"])
        elif cell == "lstm":
            A = x @ d["Wx"] + h @ d["Wh"] + d["b"]
            f, g, i, o = sig(A[:, :H]), np.tanh(A[:, H:2 * H]), sig(A[:, 2 * H:3 * H]), sig(A[:, 3 * H:])
            c = f * c + g * i
            h = o * np.tanh(c)
        else:
            Wx, Wh = d["Wx"], d["Wh"]
            z = sig(x @ Wx[:, :H] + h @ Wh[:, :H])
            r = sig(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H])
            h_hat = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:])
            h = (1 - z) * h + z * h_hat
        hs.append(h)
    return np.stack(hs)


@given(cell_params(), st.data())
def test_torch_to_dlfs2_keeps_the_outputs(cell_param, data):
    cell, p = cell_param
    before = snapshot(p)
    d, err = outcome(interop.to_dlfs2, cell, p)
    assert_unchanged(before, p)
    biased_gru = cell == "gru" and (p["bias_ih"].any() or p["bias_hh"].any())
    assert (err is not None) == biased_gru, err
    if biased_gru:
        assert "bias" in str(err)
        return
    p64 = {k: v.astype(np.float64) for k, v in p.items()}
    d64 = {k: v.astype(np.float64) for k, v in d.items()}
    rng = rng_from(data.draw)
    T, B, H, D = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3)), p["weight_hh"].shape[1], \
        p["weight_ih"].shape[1]
    xs, h0 = rng.standard_normal((T, B, D)), 0.5 * rng.standard_normal((B, H))
    c0 = 0.5 * rng.standard_normal((B, H)) if cell == "lstm" else None
    opts = {"variant": "cho"} if cell == "gru" else {}
    hs, _, _ = cells.forward(cell, p64, xs, h0, c0, **opts)
    tol = {np.float64: 1e-10, np.float32: 1e-5, np.float16: 2e-2}[p["weight_hh"].dtype.type]  # b = b_ih + b_hh rounds
    np.testing.assert_allclose(dlfs2_forward(cell, d64, xs, h0, c0), hs, rtol=tol, atol=tol)
    back = {k: v.astype(np.float64) for k, v in interop.from_dlfs2(cell, d).items()}  # PyTorch -> DLFS2 -> PyTorch
    np.testing.assert_allclose(cells.forward(cell, back, xs, h0, c0, **opts)[0], hs, rtol=tol, atol=tol)


@st.composite
def dlfs2_params(draw):
    cell = draw(st.sampled_from(cells.CELLS))
    G = cells.NUM_GATES[cell]
    D, H = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    shapes = {"Wx": (D, G * H), "Wh": (H, G * H), "b": (G * H,)}
    if cell == "gru":
        del shapes["b"]
    bad = []
    wrong = draw(sometimes(st.none(), st.sampled_from(sorted(shapes) + ["extra key", "missing key"]), odds=5))
    if wrong in shapes:
        shapes[wrong] = shapes[wrong][:-1] + (shapes[wrong][-1] + 1,)
        bad.append(wrong)
    dtypes = sometimes(st.sampled_from(FLOAT_DTYPES), st.sampled_from(ANY_DTYPES))
    d = {k: draw(arrays(s, dtypes=(draw(dtypes),))) for k, s in shapes.items()}  # any values: inf and NaN too
    bad += [k for k, a in d.items() if a.dtype.kind != "f"]
    if wrong == "extra key":
        d["bias"], bad = np.zeros(G * H), bad + ["extra key"]
    elif wrong == "missing key":
        d.pop("Wh")
        bad.append("missing key")
    return cell, d, bad


@given(dlfs2_params())
def test_dlfs2_to_torch_to_dlfs2_is_the_identity(cell_d):
    cell, d, bad = cell_d
    before = snapshot(d)
    p, err = outcome(interop.from_dlfs2, cell, d)
    assert_unchanged(before, d)
    assert (err is not None) == bool(bad), err
    if p is None:
        return
    again = interop.to_dlfs2(cell, p)
    assert again.keys() == d.keys()
    for k in d:  # same dtype, same values bit for bit (NaN and inf included; -0.0 + 0.0 is +0.0 in b)
        assert again[k].dtype == d[k].dtype and again[k] is not d[k]
        assert np.array_equal(again[k], d[k], equal_nan=True), k


@st.composite
def state_dicts(draw):
    cell = draw(st.sampled_from(cells.CELLS))
    G = cells.NUM_GATES[cell]
    H, D = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    layers = [{"weight_ih": draw(arrays((G * H, D if l == 0 else H))), "weight_hh": draw(arrays((G * H, H))),
               "bias_ih": draw(arrays((G * H,))), "bias_hh": draw(arrays((G * H,)))}
              for l in range(draw(st.integers(1, 3)))]
    return layers, draw(st.one_of(st.just(""), st.just("rnn."), st.text(max_size=4)))


@given(state_dicts(), st.data())
def test_state_dict_round_trip_is_the_identity(layers_prefix, data):
    layers, prefix = layers_prefix
    before = snapshot(layers)
    sd = interop.to_torch_state_dict(layers, prefix)
    back = interop.from_torch_state_dict(sd, prefix)
    assert_unchanged(before, layers)
    assert_unchanged(layers, back)  # identity: same keys, dtypes, shapes and bytes
    # Corrupted state dicts: a clear ValueError, quickly (a huge layer index must not allocate per layer).
    key = data.draw(st.sampled_from(sorted(sd)))
    change = data.draw(st.sampled_from(["drop", "rename", "far layer", "reshape", "int dtype", "bidirectional"]))
    bad = dict(sd)
    if change == "drop":
        del bad[key]
    elif change == "rename":
        bad[key + "x"] = bad.pop(key)
    elif change == "far layer":
        bad[f"{prefix}weight_ih_l{data.draw(st.sampled_from([7, 10**6, 10**12, 10**30]))}"] = sd[key]
    elif change == "reshape":
        bad[key] = np.zeros(np.shape(sd[key]) + (1,))
    elif change == "int dtype":
        bad[key] = np.zeros(np.shape(sd[key]), np.int64)
    else:
        bad[f"{prefix}weight_ih_l0_reverse"] = sd[key]
    out, err = outcome(interop.from_torch_state_dict, bad, prefix)
    assert err is not None, f"{change}: accepted"


def test_a_stray_far_layer_key_fails_fast():
    sd = interop.to_torch_state_dict([{k: np.zeros(s) for k, s in
                                       {"weight_ih": (1, 1), "weight_hh": (1, 1), "bias_ih": (1,), "bias_hh": (1,)}.items()}])
    sd["weight_ih_l" + "9" * 30] = np.zeros((1, 1))  # used to build a list of every missing key: 4e30 of them
    _, err = outcome(interop.from_torch_state_dict, sd)
    assert err is not None and "weight_ih_l1" in str(err) and len(str(err)) < 1000
