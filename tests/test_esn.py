"""Echo state networks: the memory curve against the linear reservoir's closed form and
against finite differences for tanh; the gradient view against the same closed form."""

import numpy as np
import pytest

import gradflow as gf
from gradflow import esn

EPS = 1e-6


@pytest.mark.parametrize("norm", esn.NORMS)
@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.1])
def test_linear_orthogonal_reservoir_closed_form(rho, norm):
    """W = ρQ: ∂h_t/∂x_{t−k} = ρ^k Q^k W_in, so ‖∂h_t/∂x_{t−k}‖ = ρ^k ‖W_in‖ in both norms."""
    T, B, D, H = 40, 2, 3, 16
    rng = np.random.default_rng(0)
    params = esn.init_reservoir(D, H, rho, rng)
    xs = rng.standard_normal((T, B, D))
    J = esn.input_jacobians(params, xs, nonlinearity="linear")
    W, W_in = params["weight_hh"], params["weight_ih"]
    for s in (0, 17, T - 1):
        np.testing.assert_allclose(J[s], np.broadcast_to(np.linalg.matrix_power(W, T - 1 - s) @ W_in, (B, H, D)),
                                   rtol=1e-10, atol=1e-13)
    curve = esn.memory_curve(params, xs, nonlinearity="linear", norm=norm)
    assert curve.shape == (T, B)
    want = rho ** np.arange(T) * (np.linalg.norm(W_in, 2) if norm == "spectral" else np.linalg.norm(W_in))
    np.testing.assert_allclose(curve, np.broadcast_to(want[:, None], (T, B)), rtol=1e-10)
    np.testing.assert_allclose(esn.linear_memory(params, np.arange(T), norm=norm), want, rtol=1e-12)


@pytest.mark.parametrize("nonlinearity", ["tanh", "linear"])
def test_input_jacobians_match_finite_differences(nonlinearity):
    T, B, D, H = 7, 2, 3, 5
    rng = np.random.default_rng(1)
    params = esn.init_reservoir(D, H, 1.2, rng, input_scale=1.5)
    xs, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    for t in (T - 1, 3):
        J = esn.input_jacobians(params, xs, h0, nonlinearity=nonlinearity, t=t)
        assert J.shape == (t + 1, B, H, D)
        for s in range(T):
            for j in range(D):
                e = np.zeros_like(xs)
                e[s, :, j] = EPS
                col = (esn.run(params, xs + e, h0, nonlinearity=nonlinearity)[t]
                       - esn.run(params, xs - e, h0, nonlinearity=nonlinearity)[t]) / (2 * EPS)  # (B, H)
                if s <= t:
                    np.testing.assert_allclose(J[s, :, :, j], col, rtol=1e-6, atol=1e-9)
                else:  # causality: a later input does not move an earlier state
                    assert np.all(col == 0)
    assert np.abs(J).max() > 1e-3


@pytest.mark.parametrize("norm", esn.NORMS)
def test_tanh_reservoir_forgets_at_least_as_fast_as_the_linear_one(norm):
    """|tanh'| ≤ 1 and ‖ρQ‖₂ = ρ: ‖∂h_t/∂x_{t−k}‖ ≤ ρ^k ‖W_in‖, strictly below once tanh bends."""
    T, B, D, H = 60, 3, 4, 32
    rng = np.random.default_rng(2)
    params = esn.init_reservoir(D, H, 0.95, rng)
    xs = rng.standard_normal((T, B, D))
    curve = esn.memory_curve(params, xs, norm=norm)
    bound = esn.linear_memory(params, np.arange(T), norm=norm)[:, None]
    assert np.all(curve <= bound * (1 + 1e-12))
    assert np.all(curve[1:] < 0.9 * bound[1:])


@pytest.mark.parametrize("rho", [0.8, 1.0])
def test_linear_reservoir_forgets_at_the_rate_its_gradient_vanishes(rho):
    """Loss at the last step: ‖∂L/∂h_{T−1−k}‖ = ρ^k ‖∂L/∂h_{T−1}‖ and ‖∂h_{T−1}/∂x_{T−1−k}‖ = ρ^k ‖W_in‖."""
    T, B, D, H = 50, 1, 2, 16
    rng = np.random.default_rng(3)
    params = esn.init_reservoir(D, H, rho, rng)
    xs = rng.standard_normal((T, B, D))
    flow = esn.gradient_flow(params, xs, gf.make_upstream(T, B, H, "last", rng), nonlinearity="linear")
    grad = flow.dh_norm[::-1, 0] / flow.dh_norm[-1, 0]  # row k
    memory = esn.memory_curve(params, xs, nonlinearity="linear")[:, 0]
    np.testing.assert_allclose(grad, rho ** np.arange(T), rtol=1e-10)
    np.testing.assert_allclose(memory / memory[0], grad, rtol=1e-10)


def test_reservoir_is_the_engines_rnn_and_bad_input():
    rng = np.random.default_rng(4)
    params = esn.init_reservoir(3, 6, 0.9, rng, kind="gaussian")
    assert np.isclose(np.max(np.abs(np.linalg.eigvals(params["weight_hh"]))), 0.9)
    xs = rng.standard_normal((5, 2, 3))
    np.testing.assert_array_equal(esn.run(params, xs), gf.unroll("rnn", params, xs, np.zeros((2, 6)))[0])
    with pytest.raises(ValueError, match="unknown norm"):
        esn.memory_curve(params, xs, norm="nuclear")
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        esn.run(params, xs, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="weight_ih has shape"):
        esn.run(params, xs[:, :, :2])
