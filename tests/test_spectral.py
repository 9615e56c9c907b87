"""Tests for gradflow.spectral: exact radii, known spectra, theory curves."""

import numpy as np
import pytest

from gradflow import spectral as sp

EXACT_KINDS = ("orthogonal", "gaussian", "symmetric")


def _radius(W):
    return np.max(np.abs(np.linalg.eigvals(W)))


# --------------------------------------------------------------------------- #
# recurrent_matrix
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("kind", EXACT_KINDS)
@pytest.mark.parametrize("H", [1, 2, 7, 32, 64])
@pytest.mark.parametrize("rho", [0.3, 1.0, 1.7, 10.0])
def test_radius_exact(kind, H, rho):
    W = sp.recurrent_matrix(H, rho, kind, rng=H)
    assert W.shape == (H, H) and W.dtype == np.float64
    assert abs(_radius(W) - rho) <= 1e-9 * rho


@pytest.mark.parametrize("kind", sp.KINDS)
def test_radius_zero_is_zero_matrix(kind):
    W = sp.recurrent_matrix(16, 0.0, kind, rng=0)
    assert _radius(W) <= 1e-300
    assert np.all(W == 0)


def test_orthogonal_is_orthogonal_and_haar_signs():
    Q = sp.recurrent_matrix(20, 1.0, "orthogonal", rng=3)
    np.testing.assert_allclose(Q.T @ Q, np.eye(20), atol=1e-12)
    # Haar: each diagonal entry of Q averages ~0 over many draws. Without the
    # sign fix, numpy's QR gives biased entries (about -0.64 and +0.64 for H = 2).
    rng = np.random.default_rng(0)
    diag = np.array([np.diag(sp.haar_orthogonal(2, rng)) for _ in range(2000)])  # (2000, 2)
    assert np.all(np.abs(diag.mean(axis=0)) < 0.06)


def test_symmetric_is_symmetric():
    W = sp.recurrent_matrix(12, 2.0, "symmetric", rng=1)
    np.testing.assert_array_equal(W, W.T)


def test_recurrent_is_rho_times_base():
    for kind in sp.KINDS:
        base = sp.base_recurrent_matrix(9, kind, rng=5)
        W = sp.recurrent_matrix(9, 0.7, kind, rng=5)
        np.testing.assert_array_equal(W, 0.7 * base)
        if kind != "nonnormal":
            assert abs(_radius(base) - 1) < 1e-9


def test_rng_int_and_generator_agree_and_differ_by_seed():
    a = sp.recurrent_matrix(6, 1.0, "gaussian", rng=11)
    b = sp.recurrent_matrix(6, 1.0, "gaussian", rng=np.random.default_rng(11))
    c = sp.recurrent_matrix(6, 1.0, "gaussian", rng=12)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("H", [4, 16, 32])
@pytest.mark.parametrize("rho", [0.5, 1.0, 3.0])
def test_nonnormal_known_eigenvalues(H, rho):
    W, lam = sp.nonnormal_matrix(H, rho, rng=H, nonnormality=1.0)
    assert lam.shape == (H,)
    assert np.isclose(np.max(np.abs(lam)), rho, rtol=1e-15)
    assert np.all(np.abs(lam) <= rho)
    ev = np.linalg.eigvals(W)
    # match each known eigenvalue to the nearest computed one
    dist = np.abs(ev[None, :] - lam[:, None])  # (H, H)
    assert dist.min(axis=1).max() < 1e-6 * max(rho, 1)
    assert dist.min(axis=0).max() < 1e-6 * max(rho, 1)
    # it really is non-normal: W W^T != W^T W
    assert np.linalg.norm(W @ W.T - W.T @ W) > 1e-2 * rho ** 2


def test_nonnormal_zero_strength_is_normal():
    W, lam = sp.nonnormal_matrix(8, 0.9, rng=0, nonnormality=0.0)
    np.testing.assert_allclose(W @ W.T, W.T @ W, atol=1e-12)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(0.5 * (W + W.T))), np.sort(lam), atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_nonnormal_transient_growth_below_radius_one(seed):
    rho = 0.9
    W = sp.recurrent_matrix(16, rho, "nonnormal", rng=seed)
    norms = sp.matrix_power_norms(W, 300)
    assert norms.max() > 1.0  # transient growth although rho < 1
    assert norms[-1] < 1e-3  # ... and the eventual decay set by rho
    # the orthogonal matrix of the same radius decays monotonically as rho^k
    Wo = sp.recurrent_matrix(16, rho, "orthogonal", rng=seed)
    np.testing.assert_allclose(sp.matrix_power_norms(Wo, 50), rho ** np.arange(51), rtol=1e-10)


@pytest.mark.parametrize("bad", [
    dict(H=0, rho=1.0, kind="orthogonal"),
    dict(H=2.5, rho=1.0, kind="orthogonal"),
    dict(H=4, rho=-0.1, kind="orthogonal"),
    dict(H=4, rho=float("nan"), kind="orthogonal"),
    dict(H=4, rho=float("inf"), kind="gaussian"),
    dict(H=4, rho=1.0, kind="unitary"),
])
def test_recurrent_matrix_bad_inputs(bad):
    with pytest.raises(ValueError):
        sp.recurrent_matrix(bad["H"], bad["rho"], bad["kind"], rng=0)


def test_unknown_kind_names_allowed_values():
    with pytest.raises(ValueError, match="orthogonal, gaussian, symmetric, nonnormal"):
        sp.base_recurrent_matrix(4, "circulant", rng=0)
    with pytest.raises(ValueError):
        sp.recurrent_matrix(4, 1.0, "nonnormal", rng=0, nonnormality=-1)
    with pytest.raises(ValueError):
        sp.recurrent_matrix(4, 1.0, "gaussian", rng="seed")


@pytest.mark.parametrize("bad", [["orthogonal"], {"a": 1}, np.array(["orthogonal"]),
                                 np.array(["orthogonal", "gaussian"]), None])
def test_kind_of_any_type_raises_value_error(bad):
    """A one-element array passed `in KINDS`, two entries raised NumPy's truth-value error."""
    with pytest.raises(ValueError, match="unknown kind .*allowed: orthogonal"):
        sp.base_recurrent_matrix(4, bad, rng=0)
    with pytest.raises(ValueError, match="unknown kind"):
        sp.recurrent_matrix(4, 1.0, bad, rng=0)


# --------------------------------------------------------------------------- #
# spectra of matrices and parameter dicts
# --------------------------------------------------------------------------- #

def test_eigen_singular_radius():
    W = np.array([[0.0, 2.0], [-0.5, 0.0]])  # eigenvalues +-i, singular values 2, 0.5
    np.testing.assert_allclose(np.sort(sp.eigenvalues(W).imag), [-1, 1], atol=1e-15)
    np.testing.assert_allclose(sp.singular_values(W), [2.0, 0.5])
    assert np.isclose(sp.spectral_radius(W), 1.0)
    stack = np.stack([W, 3 * W])
    np.testing.assert_allclose(sp.spectral_radius(stack), [1.0, 3.0])
    for bad in (np.ones((2, 3)), np.ones(3), np.array([[np.nan, 0], [0, 1]])):
        with pytest.raises(ValueError):
            sp.spectral_radius(bad)


def _params(G, H, D, rng, dtype=np.float64):
    return {"weight_ih": rng.standard_normal((G * H, D)).astype(dtype),
            "weight_hh": rng.standard_normal((G * H, H)).astype(dtype),
            "bias_ih": rng.standard_normal(G * H).astype(dtype),
            "bias_hh": rng.standard_normal(G * H).astype(dtype)}


def test_gate_blocks_split_in_row_order():
    w = np.arange(4 * 3 * 3, dtype=float).reshape(12, 3)
    blocks = sp.gate_blocks(w)
    assert len(blocks) == 4
    for g, b in enumerate(blocks):
        np.testing.assert_array_equal(b, w[3 * g:3 * g + 3])
    blocks[0][:] = -1  # copies: the input is untouched
    assert w[0, 0] == 0
    with pytest.raises(ValueError):
        sp.gate_blocks(np.ones((7, 3)))


@pytest.mark.parametrize("G", [1, 3, 4])
@pytest.mark.parametrize("rho", [0.0, 0.5, 2.0])
def test_set_spectral_radius_per_block(G, rho):
    rng = np.random.default_rng(G)
    H = 6
    params = _params(G, H, 4, rng)
    if G > 1:
        params["weight_hh"][H:2 * H] = 0.0  # one all-zero gate block
    before = {k: v.copy() for k, v in params.items()}
    out = sp.set_spectral_radius(params, rho)
    for k in params:  # no mutation, new arrays
        np.testing.assert_array_equal(params[k], before[k])
        assert out[k] is not params[k]
    for k in ("weight_ih", "bias_ih", "bias_hh"):
        np.testing.assert_array_equal(out[k], params[k])
    for g, (new, old) in enumerate(zip(sp.gate_blocks(out["weight_hh"]), sp.gate_blocks(params["weight_hh"]))):
        if G > 1 and g == 1:
            np.testing.assert_array_equal(new, 0.0)  # a zero block stays zero
            continue
        if rho == 0:
            np.testing.assert_array_equal(new, 0.0)
        else:
            assert abs(_radius(new) - rho) <= 1e-9 * rho
        # same direction: a positive multiple of the old block (or zero)
        np.testing.assert_allclose(new, old * (rho / _radius(old)), rtol=1e-12, atol=0)


def test_set_spectral_radius_keeps_float32():
    params = _params(4, 8, 3, np.random.default_rng(0), np.float32)
    out = sp.set_spectral_radius(params, 1.5)
    assert out["weight_hh"].dtype == np.float32
    for b in sp.gate_blocks(out["weight_hh"]):
        assert abs(_radius(b.astype(np.float64)) - 1.5) < 1e-5


def test_with_recurrent_spectrum():
    params = _params(3, 5, 2, np.random.default_rng(1))
    before = {k: v.copy() for k, v in params.items()}
    out = sp.with_recurrent_spectrum(params, 1.2, "gaussian", rng=7)
    blocks = sp.gate_blocks(out["weight_hh"])
    for b in blocks:
        assert abs(_radius(b) - 1.2) <= 1e-9 * 1.2
    assert not np.allclose(blocks[0], blocks[1])  # fresh draw per gate
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    np.testing.assert_array_equal(out["weight_ih"], params["weight_ih"])


def test_param_functions_bad_inputs():
    params = _params(4, 3, 2, np.random.default_rng(0))
    with pytest.raises(ValueError):
        sp.set_spectral_radius(params, -1)
    with pytest.raises(ValueError):
        sp.set_spectral_radius({"weight_ih": params["weight_ih"]}, 1.0)
    bad = dict(params, weight_hh=np.ones((10, 3)))
    with pytest.raises(ValueError):
        sp.set_spectral_radius(bad, 1.0)
    nan = dict(params, weight_hh=np.full((12, 3), np.nan))
    with pytest.raises(ValueError):
        sp.set_spectral_radius(nan, 1.0)
    with pytest.raises(ValueError):
        sp.with_recurrent_spectrum(params, 1.0, "bogus", rng=0)


# --------------------------------------------------------------------------- #
# theory curves
# --------------------------------------------------------------------------- #

def test_rho_power_and_pascanu_bound():
    k = np.arange(6)
    np.testing.assert_allclose(sp.rho_power(0.5, k), 0.5 ** k)
    np.testing.assert_allclose(sp.pascanu_bound(3.0, "sigmoid", k), 0.75 ** k)
    np.testing.assert_allclose(sp.pascanu_bound(3.0, "tanh", k), 3.0 ** k)
    np.testing.assert_allclose(sp.pascanu_bound(2.0, 0.5, k), np.ones(6))
    assert set(sp.GAMMA) == {"tanh", "sigmoid", "relu", "linear"}
    with np.errstate(all="raise"):  # the functions must silence their own overflow
        assert sp.rho_power(10.0, [400])[0] == np.inf
        assert sp.pascanu_bound(1e10, "tanh", [100])[0] == np.inf
        assert sp.rho_power(0.0, [0, 3]).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError):
        sp.pascanu_bound(1.0, "softsign", k)
    with pytest.raises(ValueError):
        sp.rho_power(-1.0, k)
    with pytest.raises(ValueError):
        sp.rho_power(1.0, [-1])


def test_matrix_power_norms_matches_direct_and_overflows_to_inf():
    W = sp.recurrent_matrix(5, 1.3, "gaussian", rng=2)
    K = 70  # crosses a batch boundary of the batched SVD
    norms = sp.matrix_power_norms(W, K)
    direct = [np.linalg.norm(np.linalg.matrix_power(W, k), 2) for k in range(K + 1)]
    np.testing.assert_allclose(norms, direct, rtol=1e-10)
    with np.errstate(all="raise"):
        big = sp.matrix_power_norms(sp.recurrent_matrix(4, 10.0, "orthogonal", rng=0), 400)
    assert big.shape == (401,)
    np.testing.assert_allclose(big[:300], 10.0 ** np.arange(300), rtol=1e-9)
    assert np.all(big[320:] == np.inf)
    assert sp.matrix_power_norms(W, 0).tolist() == [1.0]
    with pytest.raises(ValueError):
        sp.matrix_power_norms(W, -1)


@pytest.mark.parametrize("r", [0.3, 1.0, 1.8])
def test_decay_rate_recovers_geometric_rate(r):
    y = 2.5 * r ** np.arange(40.0)
    assert np.isclose(sp.decay_rate(y), r, rtol=1e-10)
    # zeros and non-finite entries are ignored, indices kept
    y2 = y.copy()
    y2[[3, 10]] = 0.0
    y2[20] = np.nan
    y2[25] = np.inf
    assert np.isclose(sp.decay_rate(y2), r, rtol=1e-10)


def test_decay_rate_degenerate():
    assert np.isnan(sp.decay_rate([0.0, np.nan, 1.0]))
    assert np.isnan(sp.decay_rate([]))
    with pytest.raises(ValueError):
        sp.decay_rate(np.ones((2, 2)))


# --------------------------------------------------------------------------- #
# refusals that used to overflow, return inf or exhaust memory
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("dtype,rho", [(np.float16, 1e5), (np.float32, 1e39)])
def test_with_recurrent_spectrum_refuses_a_radius_beyond_the_dtype(dtype, rho):
    """float16 with ρ = 1e5 gave inf entries and only a RuntimeWarning; set_spectral_radius raised."""
    params = _params(4, 3, 2, np.random.default_rng(0), dtype)
    with pytest.raises(ValueError, match=f"rho=.* is too large for weight_hh's dtype {np.dtype(dtype)}.*overflow"):
        sp.with_recurrent_spectrum(params, rho, "orthogonal", rng=0)
    with pytest.raises(ValueError, match="overflow"):
        sp.set_spectral_radius(params, rho)
    ok = sp.with_recurrent_spectrum(params, 10.0, "orthogonal", rng=0)  # within range: the radius asked
    assert ok["weight_hh"].dtype == dtype and np.isfinite(ok["weight_hh"]).all()
    assert abs(_radius(ok["weight_hh"][:3].astype(np.float64)) - 10.0) < 1e-2


def test_recurrent_matrix_refuses_entries_beyond_float64():
    base = sp.base_recurrent_matrix(3, "nonnormal", rng=0, nonnormality=10.0)
    assert np.abs(base).max() > 2  # so that a finite rho overflows
    rho = np.finfo(np.float64).max / np.abs(base).max() * 1.5  # finite, but rho * base is not
    with pytest.raises(ValueError, match="too large: the nonnormal matrix's entries would overflow float64"):
        sp.recurrent_matrix(3, rho, "nonnormal", rng=0, nonnormality=10.0)


def test_a_radius_beyond_float64_is_refused_by_name():
    """rho = 10**400 raised OverflowError from float()."""
    params = _params(4, 3, 2, np.random.default_rng(0))
    calls = [lambda: sp.recurrent_matrix(3, 10**400), lambda: sp.nonnormal_matrix(3, 10**400),
             lambda: sp.set_spectral_radius(params, 10**400), lambda: sp.with_recurrent_spectrum(params, 10**400),
             lambda: sp.rho_power(10**400, [1, 2])]
    for call in calls:
        with pytest.raises(ValueError, match=r"rho must be .* \(float64: <= 1.8e308\), got 1000+\.\.\.0+$"):
            call()
    with pytest.raises(ValueError, match="sigma_max must be"):
        sp.pascanu_bound(10**400, "tanh", [1])
    with pytest.raises(ValueError, match="nonnormality must be"):
        sp.nonnormal_matrix(3, 1.0, nonnormality=10**400)


def test_matrix_power_norms_refuses_k_above_the_cap():
    """K = 10**12 asked np.full for 8 TB and raised MemoryError."""
    W = np.array([[0.5, 0.1], [0.0, 0.4]])
    with pytest.raises(ValueError, match=f"K=1000000000000 is above the cap of {sp.MAX_POWERS}"):
        sp.matrix_power_norms(W, 10**12)
    with pytest.raises(ValueError, match="K=.*above the cap"):
        sp.matrix_power_norms(W, sp.MAX_POWERS + 1)
    norms = sp.matrix_power_norms(np.array([[0.5]]), sp.MAX_POWERS)  # the cap itself is allowed
    assert norms.shape == (sp.MAX_POWERS + 1,)
    np.testing.assert_allclose(norms[:1000], 0.5 ** np.arange(1000), rtol=1e-12)
