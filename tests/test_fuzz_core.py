"""Property-based fuzzing of gradflow.clipping and gradflow.interop
(the spectra are fuzzed in test_fuzz_spectral.py).

Properties: a result or a clear ValueError, never another exception; no input
mutated; clipping never increases a norm; DLFS2 -> PyTorch -> DLFS2 and
state-dict round trips are the identity, PyTorch -> DLFS2 keeps the outputs
of every cell.
"""

import math

import numpy as np
from fuzz_support import (ANY_DTYPES, FLOAT_DTYPES, arrays, assert_unchanged, fill, names, outcome, rng_from,
                          robust_norm, snapshot, sometimes)
from hypothesis import given
from hypothesis import strategies as st

from gradflow import cells, checks, clipping, interop


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
                       st.sampled_from([-1.0, np.nan, "x", None, 10**400]))  # 10**400: beyond float64
DTYPE_RTOL = {"f8": 1e-12, "f4": 1e-6, "f2": 1e-3}


@given(grad_dicts(), THRESHOLDS, names(clipping.METHODS))
def test_clipping_never_increases_a_norm(grads, threshold, method):
    before = snapshot(grads)
    thr_ok = (threshold is not None and not isinstance(threshold, str) and threshold >= 0  # NaN fails >= 0
              and threshold != 10**400)
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
    cell = draw(st.sampled_from(checks.CELLS))
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
    cell = draw(st.sampled_from(checks.CELLS))
    G = checks.NUM_GATES[cell]
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
    cell = draw(st.sampled_from(checks.CELLS))
    G = checks.NUM_GATES[cell]
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
