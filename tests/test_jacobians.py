"""Per-step Jacobians of a Flow: the right states, exact closed forms, power iteration vs SVD."""

import numpy as np
import pytest

import gradflow as gf
from gradflow import cells, spectral
from gradflow.cells import lstm

CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("lstm", {}), ("gru", {"variant": "pytorch"}),
           ("gru", {"variant": "cho"})]


def run(cell, opts, T=12, B=2, D=3, H=5, seed=0):
    rng = np.random.default_rng(seed)
    params = {k: 1.5 * v for k, v in cells.init_params(cell, D, H, rng).items()}
    flow = gf.gradient_flow(cell, params, rng.standard_normal((T, B, D)),
                            gf.make_upstream(T, B, H, "last", rng), **opts)
    return params, flow


def unroll(cell, params, flow, opts, t0, t1, b, h_start):
    """h_{t1} as a function of h_{t0-1} = h_start, by the reference step (c held as in the flow)."""
    h = h_start[None]
    c = None if flow.cs is None else (flow.c0 if t0 == 0 else flow.cs[t0 - 1])[b:b + 1]
    for s in range(t0, t1 + 1):
        if cell == "lstm":
            h, c, _ = lstm.step_forward(flow.xs[s, b:b + 1], h, c, params)
        else:
            h, _ = cells.MODULES[cell].step_forward(flow.xs[s, b:b + 1], h, params, **opts)
    return h[0]


@pytest.mark.parametrize("cell,opts", CONFIGS)
def test_step_jacobian_of_a_flow_matches_finite_differences(cell, opts):
    params, flow = run(cell, opts)
    t, b, eps = 6, 1, 1e-6
    h_prev = flow.hs[t - 1, b]
    numeric = np.stack([(unroll(cell, params, flow, opts, t, t, b, h_prev + eps * e)
                         - unroll(cell, params, flow, opts, t, t, b, h_prev - eps * e)) / (2 * eps)
                        for e in np.eye(5)], axis=1)
    np.testing.assert_allclose(spectral.step_jacobian(flow, params, t, b), numeric, rtol=1e-6, atol=1e-9)


def test_running_product_matches_finite_differences_for_rnn():
    """Without a cell state, ∂h_t/∂h_{t−k} is exactly the product of step Jacobians."""
    cell, opts = "rnn", {"nonlinearity": "tanh"}
    params, flow = run(cell, opts)
    t, b, k, eps = 9, 0, 4, 1e-6
    h_start = flow.hs[t - k, b]
    numeric = np.stack([(unroll(cell, params, flow, opts, t - k + 1, t, b, h_start + eps * e)
                         - unroll(cell, params, flow, opts, t - k + 1, t, b, h_start - eps * e)) / (2 * eps)
                        for e in np.eye(5)], axis=1)
    norms = spectral.jacobian_product_norms(flow, params, t, b, k_max=k)
    assert norms.shape == (k,)
    assert np.isclose(norms[-1], np.linalg.norm(numeric, 2), rtol=1e-6)


@pytest.mark.parametrize("rho", [0.7, 1.3])
def test_linear_rnn_jacobians_are_rho(rho):
    H = 6
    rng = np.random.default_rng(1)
    params = cells.init_params("rnn", H, H, rng)
    params["weight_hh"] = spectral.recurrent_matrix(H, rho, "orthogonal", rng)
    flow = gf.gradient_flow("rnn", params, rng.standard_normal((20, 1, H)),
                            gf.make_upstream(20, 1, H, "last", rng), nonlinearity="linear")
    np.testing.assert_allclose(spectral.jacobian_norms(flow, params), rho, rtol=1e-12)
    np.testing.assert_allclose(spectral.jacobian_product_norms(flow, params, 19, k_max=10),
                               rho ** np.arange(1, 11), rtol=1e-12)


@pytest.mark.parametrize("cell,opts", CONFIGS)
def test_power_iteration_agrees_with_svd(cell, opts):
    params, flow = run(cell, opts, H=12, seed=2)
    exact = spectral.jacobian_norms(flow, params)
    approx = spectral.jacobian_norms(flow, params, exact_max_H=0, iterations=300)
    np.testing.assert_allclose(approx, exact, rtol=1e-4)
    assert np.all(approx <= exact * (1 + 1e-12))  # power iteration never overshoots


def test_forget_product():
    params, flow = run("lstm", {}, T=6)
    f = flow.gates["f"]
    got = spectral.forget_product(flow)
    np.testing.assert_allclose(got[2], np.prod(f[3:], axis=0).mean(axis=1))
    np.testing.assert_allclose(got[-1], 1.0)
    with pytest.raises(ValueError, match="for the LSTM"):
        spectral.forget_product(run("gru", {})[1])


def test_step_out_of_range():
    params, flow = run("rnn", {})
    with pytest.raises(ValueError, match="outside 0..11"):
        spectral.step_jacobian(flow, params, 12)
