"""Each cell's one-step backward and Jacobian against centered finite differences,
and the fast sequence path against the one-step reference."""

import numpy as np
import pytest

from gradflow import cells, checks
from gradflow.cells import _loop, gru, lstm, rnn

EPS = 1e-6
CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}),
           ("rnn", {"nonlinearity": "linear"}), ("lstm", {}),
           ("gru", {"variant": "pytorch"}), ("gru", {"variant": "cho"})]
IDS = [f"{c}-{next(iter(o.values()), '')}" for c, o in CONFIGS]


def numeric_grad(f, x):
    """Centered differences of the scalar f() with respect to every entry of x (in place, restored)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + EPS
        fp = f()
        x[idx] = old - EPS
        fm = f()
        x[idx] = old
        g[idx] = (fp - fm) / (2 * EPS)
    return g


def make(cell, D=3, H=4, B=2, seed=0):
    rng = np.random.default_rng(seed)
    params = cells.init_params(cell, D, H, rng)
    for k in params:  # larger weights than the init, so that nonlinearities bend
        params[k] = params[k] * 2
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    return rng, params, x, h, c


def step(cell, x, h, c, params, opts):
    """(h', c') through the reference step; c' is None except for the LSTM."""
    if cell == "lstm":
        h2, c2, cache = lstm.step_forward(x, h, c, params)
        return h2, c2, cache
    h2, cache = cells.MODULES[cell].step_forward(x, h, params, **opts)
    return h2, None, cache


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_step_backward_matches_finite_differences(cell, opts):
    rng, params, x, h, c = make(cell)
    if opts.get("nonlinearity") == "relu":
        x = x + 0.3  # keep pre-activations away from the kink at 0
    dh_up = rng.standard_normal(h.shape)
    dc_up = rng.standard_normal(c.shape)

    def loss():
        h2, c2, _ = step(cell, x, h, c, params, opts)
        return np.sum(dh_up * h2) + (np.sum(dc_up * c2) if c2 is not None else 0.0)

    _, _, cache = step(cell, x, h, c, params, opts)
    if cell == "lstm":
        dx, dh_prev, dc_prev, grads = lstm.step_backward(dh_up, dc_up, cache)
        np.testing.assert_allclose(dc_prev, numeric_grad(loss, c), rtol=1e-6, atol=1e-8)
    else:
        dx, dh_prev, grads = cells.MODULES[cell].step_backward(dh_up, cache)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dh_prev, numeric_grad(loss, h), rtol=1e-6, atol=1e-8)
    assert set(grads) == set(params)
    for name in params:
        assert grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], numeric_grad(loss, params[name]), rtol=1e-6, atol=1e-8,
                                   err_msg=name)


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_step_jacobian_matches_finite_differences(cell, opts):
    _, params, x, h, c = make(cell, B=3)
    J = cells.state_jacobian_batch(cell, x, h, c, params, **opts)
    assert J.shape == (3, 4, 4)
    for b in range(3):
        def column(j):
            hp, hm = h[b:b + 1].copy(), h[b:b + 1].copy()
            hp[0, j] += EPS
            hm[0, j] -= EPS
            return (step(cell, x[b:b + 1], hp, c[b:b + 1], params, opts)[0]
                    - step(cell, x[b:b + 1], hm, c[b:b + 1], params, opts)[0])[0] / (2 * EPS)
        numeric = np.stack([column(j) for j in range(4)], axis=1)
        np.testing.assert_allclose(J[b], numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("tanh", ["numpy", "exp"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_fast_sequence_equals_reference_steps(cell, opts, dtype, tanh, monkeypatch):
    if tanh == "exp":  # the exp-based tanh of big float64 arrays, on every CPU and at every size
        monkeypatch.setattr(_loop, "_EXP_TANH", True)
        monkeypatch.setattr(_loop, "EXP_TANH_MIN", 1)
    rng = np.random.default_rng(1)
    T, B, D, H = 6, 3, 4, 5
    params = {k: v.astype(dtype) for k, v in cells.init_params(cell, D, H, rng).items()}
    xs = rng.standard_normal((T, B, D)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype)
    c0 = rng.standard_normal((B, H)).astype(dtype) if cell == "lstm" else None
    hs, cs, cache = cells.forward(cell, params, xs, h0, c0, **opts)
    assert hs.dtype == dtype
    h, c, ref_hs, caches = h0, c0, [], []
    for t in range(T):
        h, c, step_cache = step(cell, xs[t], h, c, params, opts)
        ref_hs.append(h)
        caches.append(step_cache)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(hs, np.array(ref_hs), atol=tol)
    if cell == "lstm":
        np.testing.assert_allclose(cs[-1], c, atol=tol)
    assert set(cache["gates"]) == set(cells.GATES[cell])

    dhs = rng.standard_normal((T, B, H)).astype(dtype)
    back = cells.backward(cell, dhs, cache)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    total = {k: 0.0 for k in params}
    for t in reversed(range(T)):
        if cell == "lstm":
            dx, dh_next, dc_next, g = lstm.step_backward(dhs[t] + dh_next, dc_next, caches[t])
        else:
            dx, dh_next, g = cells.MODULES[cell].step_backward(dhs[t] + dh_next, caches[t])
        np.testing.assert_allclose(back["dx"][t], dx, atol=tol * 10)
        total = {k: total[k] + g[k] for k in g}
    np.testing.assert_allclose(back["dh0"], dh_next, atol=tol * 10)
    for k in params:
        assert back["grads"][k].dtype == dtype
        np.testing.assert_allclose(back["grads"][k], total[k], atol=tol * 100, err_msg=k)


def test_fast_path_does_not_mutate_inputs():
    rng = np.random.default_rng(2)
    for cell, opts in CONFIGS:
        params = cells.init_params(cell, 3, 4, rng)
        xs, h0, c0 = rng.standard_normal((5, 2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
        before = [a.copy() for a in (*params.values(), xs, h0, c0)]
        dhs = rng.standard_normal((5, 2, 4))
        dhs_before = dhs.copy()
        _, _, cache = cells.forward(cell, params, xs, h0, c0 if cell == "lstm" else None, **opts)
        cells.backward(cell, dhs, cache, truncate=2)
        for a, b in zip((*params.values(), xs, h0, c0), before):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(dhs, dhs_before)


def test_init_params_pytorch_shapes_and_range():
    rng = np.random.default_rng(0)
    for cell, G in [("rnn", 1), ("lstm", 4), ("gru", 3)]:
        p = cells.init_params(cell, 7, 5, rng)
        assert {k: v.shape for k, v in p.items()} == {
            "weight_ih": (G * 5, 7), "weight_hh": (G * 5, 5), "bias_ih": (G * 5,), "bias_hh": (G * 5,)}
        assert all(np.abs(v).max() <= 1 / np.sqrt(5) for v in p.values())
    p0 = cells.init_params("lstm", 2, 3, 7)
    p1 = cells.init_params("lstm", 2, 3, 7, forget_bias=1.0)
    np.testing.assert_allclose(p1["bias_ih"][3:6] - p0["bias_ih"][3:6], 1.0)
    np.testing.assert_array_equal(p1["bias_ih"][:3], p0["bias_ih"][:3])


@pytest.mark.parametrize("bad,match", [
    (dict(cell="transformer"), "unknown cell 'transformer'"),
    (dict(D=0), "D must be an integer ≥ 1"),
    (dict(cell="gru", forget_bias=1.0), "forget_bias applies to the LSTM only"),
])
def test_init_params_bad_input(bad, match):
    args = {"cell": "lstm", "D": 2, "H": 3, "rng": 0} | bad
    with pytest.raises(ValueError, match=match):
        cells.init_params(args.pop("cell"), args.pop("D"), args.pop("H"), args.pop("rng"), **args)


@pytest.mark.parametrize("bad", [["lstm"], {"cell": "lstm"}, np.array(["lstm"]), np.array(["lstm", "gru"]), None, 3])
def test_cell_name_of_any_type_raises_value_error(bad):
    """An unhashable name (list, dict, array) raised TypeError from the dict lookup; a one-element
    array passed a tuple's `in`."""
    with pytest.raises(ValueError, match="unknown cell .*expected one of rnn, lstm, gru"):
        checks.check_cell(bad)
    with pytest.raises(ValueError, match="unknown cell"):
        cells.init_params(bad, 2, 3, 0)


def test_gru_variants_differ_and_rnn_nonlinearities_differ():
    rng, params, x, h, c = make("gru")
    assert not np.allclose(gru.step_forward(x, h, params, "pytorch")[0], gru.step_forward(x, h, params, "cho")[0])
    rng, params, x, h, c = make("rnn")
    outs = [rnn.step_forward(x, h, params, nl)[0] for nl in rnn.NONLINEARITIES]
    assert not np.allclose(outs[0], outs[1]) and not np.allclose(outs[0], outs[2])


def test_exp_based_tanh_matches_numpy_everywhere(monkeypatch):
    monkeypatch.setattr(_loop, "_EXP_TANH", True)
    x = np.concatenate([np.linspace(-30, 30, 4001), [0.0, -0.0, 1e-300, -1e-300, 5e-324, 1e-8, 354.0, 355.0,
                                                     -355.0, 1e300, -1e300, np.inf, -np.inf, np.nan]])
    x = np.resize(x, (8, x.size // 8 + 1))  # 2-D, as the cells' (B, G·H) steps
    tanh = _loop.tanh_for(x.shape, np.float64)
    out = np.empty_like(x)
    with np.errstate(all="raise"):  # no overflow warning escapes
        got = tanh(x, out)
    assert got is out
    want = np.tanh(x)
    np.testing.assert_allclose(got, want, rtol=0, atol=4.5e-16)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert got[x == np.inf].tolist() == [1.0] * int((x == np.inf).sum())
    assert (got[x == 0] == 0).all()
    small = _loop.tanh_for((2, 3), np.float64)  # below EXP_TANH_MIN, and any float32: np.tanh itself
    big32 = _loop.tanh_for((64, 64), np.float32)
    y = np.full((2, 3), 0.3)
    assert small(y, np.empty_like(y)).tolist() == np.tanh(y).tolist()
    z = np.full((64, 64), 0.3, np.float32)
    assert big32(z, np.empty_like(z)).tolist() == np.tanh(z).tolist()
