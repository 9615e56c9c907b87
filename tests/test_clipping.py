"""Tests for gradflow.clipping: DLFS2's formula, non-finite gradients, no mutation."""

import math

import numpy as np
import pytest

from gradflow import clipping as cl


def _grads(rng, scale=1.0, dtype=np.float64):
    return {"weight_ih": (scale * rng.standard_normal((8, 3))).astype(dtype),
            "weight_hh": (scale * rng.standard_normal((8, 2))).astype(dtype),
            "bias_ih": (scale * rng.standard_normal(8)).astype(dtype),
            "bias_hh": (scale * rng.standard_normal(8)).astype(dtype)}


def _copy(g):
    return {k: v.copy() for k, v in g.items()}


def _dlfs2_clip_grads(grads, max_norm):
    """DLFS2's common/util.py clip_grads, written out by hand (mutates a list)."""
    total_norm = 0
    for grad in grads:
        total_norm += np.sum(grad ** 2)
    total_norm = np.sqrt(total_norm)
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for grad in grads:
            grad *= rate
    return total_norm


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_global_norm_matches_concatenation():
    g = _grads(np.random.default_rng(0))
    flat = np.concatenate([v.ravel() for v in g.values()])
    assert math.isclose(cl.global_norm(g), np.sqrt(np.sum(flat ** 2)), rel_tol=1e-14)
    assert cl.global_norm({"a": np.zeros(3)}) == 0.0


def test_global_norm_no_overflow():
    # float32 entries near their max: the float32 sum of squares overflows,
    # the true norm does not.
    g = {"a": np.full(4, 3e38, dtype=np.float32), "b": np.full(2, -1e38, dtype=np.float32)}
    expected = math.sqrt(4 * 3e38 ** 2 + 2 * 1e38 ** 2)
    assert math.isclose(cl.global_norm(g), expected, rel_tol=1e-6)
    big = {"a": np.array([1e200, -1e200]), "b": np.array([1e-200])}  # float64 squares overflow too
    assert math.isclose(cl.global_norm(big), math.sqrt(2) * 1e200, rel_tol=1e-14)


@pytest.mark.parametrize("scale, max_norm", [(1.0, 0.5), (10.0, 5.0), (1e-3, 5.0), (3.0, 0.0)])
def test_clip_by_norm_is_dlfs2_formula(scale, max_norm):
    g = _grads(np.random.default_rng(1), scale)
    ref = _copy(g)
    ref_norm = _dlfs2_clip_grads(list(ref.values()), max_norm)
    clipped, total = cl.clip_by_norm(g, max_norm)
    assert math.isclose(total, ref_norm, rel_tol=1e-13)
    for k in g:
        np.testing.assert_allclose(clipped[k], ref[k], rtol=1e-13, atol=0)
    after = cl.global_norm(clipped)
    assert after <= max_norm * (1 + 1e-15)
    assert after <= total  # never increases the norm


def test_clip_by_norm_boundary_and_values():
    g = {"w": np.array([3.0, 4.0])}  # norm 5
    clipped, total = cl.clip_by_norm(g, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(clipped["w"], np.array([3.0, 4.0]) / (5.0 + 1e-6))
    # rate = 5 / (5 + 1e-6) < 1: DLFS2 still rescales (slightly) at max_norm == norm
    clipped, _ = cl.clip_by_norm(g, 5.0)
    np.testing.assert_allclose(clipped["w"], np.array([3.0, 4.0]) * 5.0 / (5.0 + 1e-6))
    assert np.all(clipped["w"] < g["w"])
    # at max_norm >= norm + 1e-6 nothing changes
    clipped, _ = cl.clip_by_norm(g, 5.0 + 1e-6)
    _assert_same(clipped, g)
    clipped, _ = cl.clip_by_norm(g, np.inf)
    _assert_same(clipped, g)


@pytest.mark.parametrize("seed", range(5))
def test_clip_never_increases_norm(seed):
    rng = np.random.default_rng(seed)
    g = _grads(rng, 10 ** rng.uniform(-3, 3))
    for max_norm in (0.0, 0.1, 1.0, 100.0, 1e6):
        clipped, total = cl.clip_by_norm(g, max_norm)
        after = cl.global_norm(clipped)
        assert after <= total * (1 + 1e-15)
        assert after <= max_norm * (1 + 1e-15)


def test_no_mutation_and_new_arrays():
    g = _grads(np.random.default_rng(2), 5.0)
    before = _copy(g)
    for clipped, _ in (cl.clip_by_norm(g, 1.0), cl.clip_by_norm(g, 1e9), cl.clip_by_value(g, 0.1)):
        _assert_same(g, before)
        for k in g:
            assert not np.shares_memory(clipped[k], g[k])
    r = cl.clip(g, "none")
    _assert_same(g, before)
    assert all(not np.shares_memory(r.clipped[k], g[k]) for k in g)


def test_dtype_kept():
    g = _grads(np.random.default_rng(3), 10.0, np.float32)
    clipped, _ = cl.clip_by_norm(g, 1.0)
    assert all(v.dtype == np.float32 for v in clipped.values())
    assert cl.global_norm(clipped) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_nonfinite_grads_returned_unchanged(bad):
    g = _grads(np.random.default_rng(4))
    g["weight_hh"][1, 1] = bad
    before = _copy(g)
    clipped, total = cl.clip_by_norm(g, 1.0)
    if np.isnan(bad):
        assert math.isnan(total)
    else:
        assert total == math.inf
    for k in g:
        np.testing.assert_array_equal(clipped[k], before[k])  # equal_nan for arrays
        assert not np.shares_memory(clipped[k], g[k])
    _assert_same(g, before)
    r = cl.clip(g, "norm", 1.0)
    assert r.skipped_flag and not r.clipped_flag
    assert (math.isnan(r.norm_before) if np.isnan(bad) else r.norm_before == math.inf)
    assert cl.SKIPPED_MESSAGE == "non-finite gradient: step skipped"
    assert cl.clip(g, "none").skipped_flag


def test_nan_beats_inf_in_norm():
    g = {"a": np.array([np.inf, 1.0]), "b": np.array([np.nan])}
    assert math.isnan(cl.global_norm(g))


def test_clip_by_value():
    g = {"a": np.array([-3.0, 0.5, 2.0]), "b": np.array([[np.inf, -np.inf], [0.0, np.nan]])}
    clipped, total = cl.clip_by_value(g, 1.0)
    assert math.isnan(total)
    np.testing.assert_array_equal(clipped["a"], [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(clipped["b"], [[1.0, -1.0], [0.0, np.nan]])
    r = cl.clip(g, "value", 1.0)
    assert r.clipped_flag and r.skipped_flag  # the NaN survives value clipping
    r = cl.clip({"a": g["a"], "c": np.array([np.inf])}, "value", 2.0)
    assert r.clipped_flag and not r.skipped_flag and r.norm_before == math.inf
    assert r.norm_after == pytest.approx(math.sqrt(4 + 0.25 + 4 + 4))


def test_dispatcher_flags():
    g = {"w": np.array([3.0, 4.0])}
    r = cl.clip(g, "norm", 1.0)
    assert isinstance(r, cl.ClipResult)
    assert r.clipped_flag and not r.skipped_flag
    assert r.norm_before == 5.0 and r.norm_after == pytest.approx(5.0 / (5.0 + 1e-6))
    r = cl.clip(g, "norm", 10.0)
    assert not r.clipped_flag and r.norm_after == r.norm_before == 5.0
    r = cl.clip(g, "value", 10.0)
    assert not r.clipped_flag
    r = cl.clip(g, "none")
    assert not r.clipped_flag and r.norm_after == 5.0
    with pytest.raises(AttributeError):
        r.skipped_flag = True  # frozen
    with pytest.raises(ValueError, match="norm, value, none"):
        cl.clip(g, "scale", 1.0)
    with pytest.raises(ValueError):
        cl.clip(g, "norm")


@pytest.mark.parametrize("bad", [["norm"], {"a": 1}, np.array(["norm"]), np.array(["norm", "value"]), None])
def test_clip_method_of_any_type_raises_value_error(bad):
    """A one-element array passed `in METHODS`, two entries raised NumPy's truth-value error."""
    with pytest.raises(ValueError, match="unknown clipping method .*allowed: norm, value, none"):
        cl.clip({"w": np.ones(3)}, bad, 1.0)


@pytest.mark.parametrize("bad", [-1.0, np.nan, "big", None])
def test_bad_thresholds(bad):
    g = {"w": np.ones(3)}
    with pytest.raises(ValueError):
        cl.clip_by_norm(g, bad)
    with pytest.raises(ValueError):
        cl.clip_by_value(g, bad)


def test_bad_grads():
    for bad in ({}, [np.ones(2)], {"w": np.array(["a", "b"])}):
        with pytest.raises(ValueError):
            cl.global_norm(bad)


def test_cosine():
    rng = np.random.default_rng(5)
    a, b = _grads(rng), _grads(rng)
    fa = np.concatenate([a[k].ravel() for k in a])
    fb = np.concatenate([b[k].ravel() for k in a])
    expected = fa @ fb / (np.linalg.norm(fa) * np.linalg.norm(fb))
    assert math.isclose(cl.cosine(a, b), expected, rel_tol=1e-12)
    assert math.isclose(cl.cosine(a, a), 1.0, rel_tol=1e-15)
    neg = {k: -3.0 * v for k, v in a.items()}
    assert math.isclose(cl.cosine(a, neg), -1.0, rel_tol=1e-15)
    # key order does not matter: entries are matched by name
    assert math.isclose(cl.cosine(a, dict(reversed(list(b.items())))), expected, rel_tol=1e-12)
    # clipping by norm keeps the direction
    assert math.isclose(cl.cosine(a, cl.clip_by_norm(a, 1e-3)[0]), 1.0, rel_tol=1e-12)
    zero = {k: np.zeros_like(v) for k, v in a.items()}
    assert math.isnan(cl.cosine(a, zero))
    big = {k: 1e300 * v for k, v in a.items()}  # no overflow in the dot products
    assert math.isclose(cl.cosine(big, b), expected, rel_tol=1e-12)


def test_cosine_mismatch():
    a = {"w": np.ones(3), "b": np.ones(2)}
    with pytest.raises(ValueError, match="only in first"):
        cl.cosine(a, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="shape"):
        cl.cosine(a, {"w": np.ones(4), "b": np.ones(2)})


@pytest.mark.parametrize("total,max_norm,want", [
    (10.0, 5.0, 5.0 / (10.0 + 1e-6)), (5.0, 5.0, 5.0 / (5.0 + 1e-6)), (1.0, 5.0, 1.0), (0.0, 0.0, 0.0),
    (0.0, 1.0, 1.0), (3.0, None, 1.0), (3.0, math.inf, 1.0), (math.inf, 1.0, 1.0), (math.nan, 1.0, 1.0)])
def test_clip_coef_is_dlfs2_rate_capped_at_one(total, max_norm, want):
    """One formula for clip_by_norm, the cliff's descent and the trainer; non-finite norms leave
    the gradients alone (the caller skips the step)."""
    assert cl.clip_coef(total, max_norm) == want


@pytest.mark.parametrize("bad", [-1.0, math.nan, "x"])
def test_clip_coef_refuses_bad_thresholds(bad):
    with pytest.raises(ValueError, match="max_norm"):
        cl.clip_coef(1.0, bad)


def test_clip_by_norm_multiplies_by_clip_coef():
    g = _grads(np.random.default_rng(3), scale=4.0)
    clipped, total = cl.clip_by_norm(g, 2.0)
    rate = cl.clip_coef(total, 2.0)
    assert rate < 1
    for k in g:
        np.testing.assert_array_equal(clipped[k], g[k] * rate)


def test_a_threshold_beyond_float64_is_refused_by_name():
    """10**400 raised OverflowError from float(); inf is the way to say "never clip"."""
    g = {"w": np.ones(3)}
    for call, name in ((cl.clip_by_norm, "max_norm"), (cl.clip_by_value, "clip_value")):
        with pytest.raises(ValueError, match=f"{name} must be a number >= 0 that fits a float64"):
            call(g, 10**400)
    with pytest.raises(ValueError, match="max_norm must be"):
        cl.clip(g, "norm", 10**400)
    with pytest.raises(ValueError, match="max_norm must be"):
        cl.clip_coef(1.0, 10**400)
    clipped, _ = cl.clip_by_norm(g, math.inf)
    np.testing.assert_array_equal(clipped["w"], g["w"])
