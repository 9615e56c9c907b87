"""The LSTM variants (peephole, coupled input–forget gate) against finite differences of an
independent reference, and against the standard LSTM where they reduce to it."""

import numpy as np
import pytest
from fd_support import fd

import gradflow as gf
from gradflow import cells, variants
from gradflow.cells import lstm_variants as lv

EPS = 1e-6
TOL = dict(rtol=1e-6, atol=1e-8)


def sig(a):
    return 1 / (1 + np.exp(-a))


def ref_step(variant, x, h, c, p, c_extra=0.0):
    """An independent step of the variant; c_extra is added to c_t before o and h_t read it."""
    H = h.shape[1]
    z = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    if variant == "peephole":
        i = sig(z[:, :H] + p["weight_ci"] * c)
        f = sig(z[:, H:2 * H] + p["weight_cf"] * c)
        c = f * c + i * np.tanh(z[:, 2 * H:3 * H]) + c_extra
        o = sig(z[:, 3 * H:] + p["weight_co"] * c)
    else:
        f, g, o = sig(z[:, :H]), np.tanh(z[:, H:2 * H]), sig(z[:, 2 * H:])
        c = f * c + (1 - f) * g + c_extra
    return o * np.tanh(c), c


def ref_loss(variant, p, xs, up, h0, c0, inject=None):
    """Σ_t ⟨up_t, h_t⟩; inject=(state, t, delta) perturbs h_t or c_t at step t."""
    h, c, total = h0, c0, 0.0
    for t in range(xs.shape[0]):
        here = inject is not None and inject[1] == t
        h, c = ref_step(variant, xs[t], h, c, p, inject[2] if here and inject[0] == "c" else 0.0)
        if here and inject[0] == "h":
            h = h + inject[2]
        total += np.sum(up[t] * h)
    return total




def problem(variant, T=6, B=2, D=3, H=4, seed=0):
    rng = np.random.default_rng(seed)
    params = {k: 1.5 * v for k, v in variants.init_params(variant, D, H, rng, forget_bias=0.5).items()}
    xs = rng.standard_normal((T, B, D)) + 0.2
    up = gf.make_upstream(T, B, H, "sum", rng)
    return params, xs, up, 0.5 * rng.standard_normal((B, H)), 0.5 * rng.standard_normal((B, H))


@pytest.mark.parametrize("variant", variants.VARIANTS)
def test_step_backward_matches_finite_differences(variant):
    params, xs, _, h, c = problem(variant)
    x = xs[0]
    rng = np.random.default_rng(1)
    dh_up, dc_up = rng.standard_normal(h.shape), rng.standard_normal(c.shape)

    def loss(**kw):
        h2, c2, _ = lv.step_forward(kw.get("x", x), kw.get("h", h), kw.get("c", c), kw.get("p", params), variant)
        return np.sum(dh_up * h2) + np.sum(dc_up * c2)

    dx, dh_prev, dc_prev, grads = lv.step_backward(dh_up, dc_up, lv.step_forward(x, h, c, params, variant)[2])
    np.testing.assert_allclose(dx, fd(lambda v: loss(x=v), x), **TOL)
    np.testing.assert_allclose(dh_prev, fd(lambda v: loss(h=v), h), **TOL)
    np.testing.assert_allclose(dc_prev, fd(lambda v: loss(c=v), c), **TOL)
    assert set(grads) == set(params)
    for name in params:
        np.testing.assert_allclose(grads[name], fd(lambda v: loss(p={**params, name: v}), params[name]),
                                   err_msg=name, **TOL)


@pytest.mark.parametrize("variant", variants.VARIANTS)
def test_sequence_gradients_match_finite_differences(variant):
    params, xs, up, h0, c0 = problem(variant)
    flow = variants.gradient_flow_variant(variant, params, xs, up, h0, c0)
    L = lambda **kw: ref_loss(variant, kw.get("p", params), kw.get("xs", xs), up, kw.get("h0", h0),
                              kw.get("c0", c0), kw.get("inject"))
    h, c, hs = h0, c0, []
    for t in range(xs.shape[0]):
        h, c = ref_step(variant, xs[t], h, c, params)
        hs.append(h)
    np.testing.assert_allclose(flow.hs, np.stack(hs), rtol=1e-12, atol=1e-14)
    for name in params:
        assert flow.grads[name].shape == params[name].shape
        np.testing.assert_allclose(flow.grads[name], fd(lambda v: L(p={**params, name: v}), params[name]),
                                   err_msg=name, **TOL)
    np.testing.assert_allclose(flow.dx, fd(lambda v: L(xs=v), xs), **TOL)
    np.testing.assert_allclose(flow.dh0, fd(lambda v: L(h0=v), h0), **TOL)
    np.testing.assert_allclose(flow.dc0, fd(lambda v: L(c0=v), c0), **TOL)
    zero = np.zeros_like(h0)
    for t in range(flow.T):  # total ∂L/∂h_t, ∂L/∂c_t (c_t perturbed before o_t and h_t read it)
        np.testing.assert_allclose(flow.dh[t], fd(lambda d: L(inject=("h", t, d)), zero), **TOL)
        np.testing.assert_allclose(flow.dc[t], fd(lambda d: L(inject=("c", t, d)), zero), **TOL)
    # the path split adds up to the recurrent part of ∂L/∂h_{t−1}
    recurrent = flow.dh_prev_cell + flow.dh_prev_hidden
    np.testing.assert_allclose(recurrent[1:], flow.dh[:-1] - up[:-1], atol=1e-12)
    np.testing.assert_allclose(recurrent[0], flow.dh0, atol=1e-12)
    assert flow.finite and flow.first_nonfinite is None
    assert flow.cell == "lstm" and flow.options["variant"] == variant


def test_peephole_with_zero_peepholes_is_the_standard_lstm():
    params, xs, up, h0, c0 = problem("peephole")
    zero = {**params, **{name: np.zeros_like(params[name]) for name in lv.PEEPHOLES}}
    got = variants.gradient_flow_variant("peephole", zero, xs, up, h0, c0)
    want = gf.gradient_flow("lstm", {k: params[k] for k in cells.PARAM_NAMES}, xs, up, h0, c0)
    for field in ("hs", "cs", "dh", "dc", "dx", "dh0", "dc0", "dh_norm", "dc_norm", "dx_norm", "dh_prev_cell",
                  "dh_prev_hidden", "dh_prev_cell_norm", "dh_prev_hidden_norm", "dW_contrib"):
        np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-12, atol=1e-12,
                                   err_msg=field)
    for name in "ifgo":
        np.testing.assert_allclose(got.gates[name], want.gates[name], rtol=1e-12, atol=1e-12)
    for name in cells.PARAM_NAMES:
        np.testing.assert_allclose(got.grads[name], want.grads[name], rtol=1e-12, atol=1e-12)
    assert all(np.abs(got.grads[name]).max() > 1e-3 for name in lv.PEEPHOLES)  # zero weights still learn
    assert got.finite == want.finite and got.block_starts == want.block_starts


def test_coupled_is_a_standard_lstm_with_i_rows_minus_f_rows():
    """σ(−a) = 1 − σ(a): a standard LSTM with i's rows = −f's rows has i = 1 − f. The coupled
    gradient of the shared f rows is the chain rule through both: grad_f − grad_i."""
    params, xs, up, h0, c0 = problem("coupled")
    H = h0.shape[1]
    f, g, o = (slice(k * H, (k + 1) * H) for k in range(3))
    std = {k: np.concatenate([-v[f], v[f], v[g], v[o]]) for k, v in params.items()}
    got = variants.gradient_flow_variant("coupled", params, xs, up, h0, c0)
    want = gf.gradient_flow("lstm", std, xs, up, h0, c0)
    for field in ("hs", "cs", "dh", "dc", "dx", "dh0", "dc0", "dh_prev_cell", "dh_prev_hidden"):
        np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-12, atol=1e-12,
                                   err_msg=field)
    np.testing.assert_allclose(got.gates["i"], 1 - got.gates["f"], rtol=0, atol=0)
    for name in cells.PARAM_NAMES:
        w = want.grads[name]
        tied = np.concatenate([w[H:2 * H] - w[:H], w[2 * H:3 * H], w[3 * H:]])
        np.testing.assert_allclose(got.grads[name], tied, rtol=1e-12, atol=1e-12, err_msg=name)


def test_init_params_shapes():
    p = variants.init_params("coupled", 5, 3, 0, forget_bias=1.0)
    assert {k: v.shape for k, v in p.items()} == {"weight_ih": (9, 5), "weight_hh": (9, 3),
                                                  "bias_ih": (9,), "bias_hh": (9,)}
    assert p["bias_ih"][:3].min() >= 1 - 1 / np.sqrt(3) and p["bias_ih"][3:].max() <= 1 / np.sqrt(3)
    p = variants.init_params("peephole", 5, 3, 0)
    assert p["weight_ih"].shape == (12, 5) and p["weight_co"].shape == (3,)
    np.testing.assert_array_equal(p["weight_ih"], cells.init_params("lstm", 5, 3, 0)["weight_ih"])


def test_bad_input():
    params, xs, up, _, _ = problem("coupled")
    with pytest.raises(ValueError, match="unknown LSTM variant"):
        variants.gradient_flow_variant("gru", params, xs, up)
    with pytest.raises(ValueError, match="expected \\(4·H, H\\)"):
        variants.gradient_flow_variant("peephole", params, xs, up)
    with pytest.raises(ValueError, match="must have keys"):
        variants.gradient_flow_variant("coupled", {**params, "weight_ci": np.zeros(4)}, xs, up)
    with pytest.raises(ValueError, match="weight_ih has shape \\(12, 3\\), expected \\(12, 2\\)"):
        variants.gradient_flow_variant("coupled", params, xs[:, :, :2], up)
