"""Stacked layers (gradflow.stack) against finite differences of an independent
step-by-step reference, against bptt for one layer, against torch.nn.RNN/LSTM/GRU
(num_layers=L), and the two depth presets' facts."""

import numpy as np
import pytest
from fd_support import fd

import gradflow as gf
from gradflow import cells, stack

EPS = 1e-6
TOL = dict(rtol=1e-6, atol=1e-8)
CELLS = [("rnn", {"nonlinearity": "tanh"}), ("lstm", {}), ("gru", {"variant": "pytorch"}),
         ("gru", {"variant": "cho"})]
CELL_IDS = ["rnn", "lstm", "gru", "gru-cho"]


def sig(a):
    return 1 / (1 + np.exp(-a))


def lstm_step(x, h, c, p, c_extra=0.0):
    """An independent LSTM step; c_extra is added to c_t before h_t reads it."""
    H = h.shape[1]
    z = x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]
    i, f, g, o = sig(z[:, :H]), sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
    c = f * c + i * g + c_extra
    return o * np.tanh(c), c


def reference_loss(cell, opts, conn, params, xs, up, h0, c0, inject=None):
    """Σ_t ⟨up_t, y_t^(L−1)⟩ step by step; inject=(state, l, t, delta) adds delta to h_t^(l) or c_t^(l)."""
    L = sum(k.startswith("weight_hh_l") for k in params)
    hs, ys = [], []
    for k in range(L):
        p = stack.layer(params, k)
        u = xs if k == 0 else np.concatenate([xs, *hs], axis=2) if conn == "dense" else ys[-1]
        h, c, out = h0[k], (c0[k] if cell == "lstm" else None), []
        for t in range(xs.shape[0]):
            here = inject is not None and inject[1:3] == (k, t)
            if cell == "lstm":
                h, c = lstm_step(u[t], h, c, p, inject[3] if here and inject[0] == "c" else 0.0)
            else:
                h, _ = cells.MODULES[cell].step_forward(u[t], h, p, **opts)
            if here and inject[0] == "h":
                h = h + inject[3]
            out.append(h)
        h = np.stack(out)
        if k == 0 or conn in ("none", "dense"):
            y = h
        elif conn == "residual":
            y = h + ys[-1]
        else:
            g = sig(ys[-1] @ params[f"weight_gate_l{k}"].T + params[f"bias_gate_l{k}"])
            y = g * h + (1 - g) * ys[-1]
        hs.append(h)
        ys.append(y)
    return np.sum(up * ys[-1])




def problem(cell, conn, L=3, T=4, B=2, D=2, H=3, seed=0):
    rng = np.random.default_rng(seed)
    params = stack.init_stack(cell, L, D, H, rng, connection=conn, highway_bias=-0.5)
    params = {k: 1.5 * v for k, v in params.items()}  # weights large enough for the nonlinearities to bend
    xs = rng.standard_normal((T, B, D))
    up = gf.make_upstream(T, B, H, "sum", rng)
    h0 = 0.5 * rng.standard_normal((L, B, H))
    c0 = 0.5 * rng.standard_normal((L, B, H)) if cell == "lstm" else None
    return params, xs, up, h0, c0


@pytest.mark.parametrize("conn", stack.CONNECTIONS)
@pytest.mark.parametrize("cell,opts", CELLS, ids=CELL_IDS)
def test_every_gradient_matches_finite_differences(cell, opts, conn):
    params, xs, up, h0, c0 = problem(cell, conn)
    flow = stack.gradient_flow(cell, params, xs, up, h0, c0, connection=conn, **opts)
    Lf = lambda **kw: reference_loss(cell, opts, conn, kw.get("params", params), kw.get("xs", xs), up,
                                     kw.get("h0", h0), kw.get("c0", c0), kw.get("inject"))
    assert set(flow.grads) == set(params) == set(stack.stack_shapes(cell, 3, 2, 3, conn))
    for name in params:
        assert flow.grads[name].shape == params[name].shape
        np.testing.assert_allclose(flow.grads[name], fd(lambda v: Lf(params={**params, name: v}), params[name]),
                                   err_msg=name, **TOL)
    np.testing.assert_allclose(flow.dx, fd(lambda v: Lf(xs=v), xs), **TOL)
    np.testing.assert_allclose(flow.dh0, fd(lambda v: Lf(h0=v), h0), **TOL)
    if cell == "lstm":
        np.testing.assert_allclose(flow.dc0, fd(lambda v: Lf(c0=v), c0), **TOL)
    zero = np.zeros((2, 3))
    for k in range(3):  # total ∂L/∂h_t^(l) (and ∂L/∂c_t^(l)): a perturbation injected after step t of layer l
        for t in range(4):
            np.testing.assert_allclose(flow.dh[k, t], fd(lambda d: Lf(inject=("h", k, t, d)), zero),
                                       err_msg=f"dh layer {k} step {t}", **TOL)
            if cell == "lstm":
                np.testing.assert_allclose(flow.dc[k, t], fd(lambda d: Lf(inject=("c", k, t, d)), zero),
                                           err_msg=f"dc layer {k} step {t}", **TOL)
    np.testing.assert_allclose(flow.dh_norm, np.linalg.norm(flow.dh, axis=3), rtol=1e-12)
    np.testing.assert_array_equal(flow.ys[0], flow.hs[0])  # layer 0 has no skip
    if conn in ("none", "dense"):
        np.testing.assert_array_equal(flow.ys, flow.hs)
    assert flow.finite


@pytest.mark.parametrize("cell,opts", CELLS, ids=CELL_IDS)
def test_one_plain_layer_is_the_engine(cell, opts):
    params, xs, up, h0, c0 = problem(cell, "none", L=1)
    flow = stack.gradient_flow(cell, params, xs, up, h0, c0, **opts)
    one = gf.gradient_flow(cell, stack.layer(params, 0), xs, up, h0[0], None if c0 is None else c0[0], **opts)
    np.testing.assert_array_equal(flow.dh[0], one.dh)
    np.testing.assert_array_equal(flow.dx, one.dx)
    for name in cells.PARAM_NAMES:
        np.testing.assert_array_equal(flow.grads[f"{name}_l0"], one.grads[name])


def test_depth_time_map_is_log10_of_the_norm_over_batch_and_units():
    params, xs, up, h0, c0 = problem("lstm", "highway")
    flow = stack.gradient_flow("lstm", params, xs, up, h0, c0, connection="highway")
    m = stack.depth_time_map(flow)
    assert m.shape == (3, 4)
    np.testing.assert_allclose(m, np.log10(np.sqrt((flow.dh ** 2).sum(axis=(2, 3)))), rtol=1e-12)
    np.testing.assert_allclose(stack.depth_time_map(flow, "c"), np.log10(np.sqrt((flow.dc ** 2).sum(axis=(2, 3)))),
                               rtol=1e-12)
    assert flow.highway_gates.shape == (3, 4, 2, 3) and (flow.highway_gates[0] == 1).all()
    with pytest.raises(ValueError, match="state must be"):
        stack.depth_time_map(stack.gradient_flow("rnn", *problem("rnn", "none")[:3]), "c")


def test_init_stack_shapes_and_highway_bias():
    p = stack.init_stack("gru", 4, 5, 3, 0, connection="dense")
    assert [p[f"weight_ih_l{k}"].shape for k in range(4)] == [(9, 5), (9, 8), (9, 11), (9, 14)]
    p = stack.init_stack("lstm", 3, 5, 3, 0, connection="highway", highway_bias=-3.0, forget_bias=1.0)
    assert "weight_gate_l0" not in p and p["weight_gate_l2"].shape == (3, 3)
    assert (p["bias_gate_l1"] == -3.0).all()
    plain = stack.init_stack("lstm", 3, 5, 3, 0)
    np.testing.assert_allclose(p["bias_ih_l0"][3:6] - plain["bias_ih_l0"][3:6], 1.0)
    assert list(plain) == [f"{n}_l{k}" for k in range(3) for n in cells.PARAM_NAMES]


def test_bad_input():
    params, xs, up, _, _ = problem("rnn", "none")
    with pytest.raises(ValueError, match="unknown connection"):
        stack.gradient_flow("rnn", params, xs, up, connection="skip")
    with pytest.raises(ValueError, match="must have keys"):
        stack.gradient_flow("rnn", params, xs, up, connection="highway")
    with pytest.raises(ValueError, match="weight_ih has shape"):
        stack.gradient_flow("rnn", params, xs, up, connection="dense")
    with pytest.raises(ValueError, match="upstream has shape"):
        stack.gradient_flow("rnn", params, xs, up[:, :, :2])


def run_preset(name, **changes):
    s = {**stack.preset_settings()[name], **changes}
    cell, conn, seed = s.pop("cell"), s.pop("connection"), s.pop("seed")
    L, D, H, T = (s.pop(k) for k in ("L", "D", "H", "T"))
    params, xs, up = stack.random_problem(cell, L, D, H, T, seed, connection=conn, **s)
    return stack.gradient_flow(cell, params, xs, up, connection=conn)


def test_presets_vanish_through_depth_and_residual_restores_it():
    """The lecture presets: the bottom layer at the last step gets ≤ 1e-3 of the top layer's
    gradient with plain stacking, ≥ 0.1 with residual connections."""
    ratios = {}
    for name in stack.preset_settings():
        flow = run_preset(name)
        assert flow.dh.shape == (8, 50, 1, 64) and flow.finite
        ratios[name] = stack.depth_ratio(flow)
        assert np.isclose(ratios[name], flow.dh_norm[0, -1, 0] / flow.dh_norm[-1, -1, 0], rtol=1e-12)
    assert ratios["depth_vanishing"] <= 1e-3
    assert ratios["depth_residual"] >= 0.1


def test_what_the_preset_docstring_says_about_other_settings():
    """PyTorch's W_ih scale keeps ≈ 5e-3 at ρ = 1; ρ = 2 reaches 1e-3 but grows > 1e3-fold back in time."""
    default = stack.depth_ratio(run_preset("depth_vanishing", ih_scale=1.0))
    assert 1e-3 < default < 1e-2
    steep = run_preset("depth_vanishing", ih_scale=1.0, rho=2.0)
    assert stack.depth_ratio(steep) <= 1e-3
    assert stack.depth_time_map(steep).max() > 3
    assert stack.depth_time_map(run_preset("depth_vanishing")).max() < 0.5  # the preset's ρ = 1: no growth


# --------------------------------------------------------------------------
# torch.nn.RNN / LSTM / GRU(num_layers=L)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cell,nonlinearity", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", None), ("gru", None)])
def test_plain_stack_equals_torch(cell, nonlinearity):
    torch = pytest.importorskip("torch")
    L, T, B, D, H = 3, 7, 2, 4, 5
    rng = np.random.default_rng(1)
    params = stack.init_stack(cell, L, D, H, rng)
    xs, up = rng.standard_normal((T, B, D)), rng.standard_normal((T, B, H))
    h0 = rng.standard_normal((L, B, H))
    c0 = rng.standard_normal((L, B, H)) if cell == "lstm" else None
    kw = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        D, H, num_layers=L, dtype=torch.float64, **kw)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in params.items()}, strict=True)
    x = torch.from_numpy(xs).requires_grad_()
    state = torch.from_numpy(h0).requires_grad_()
    cstate = torch.from_numpy(c0).requires_grad_() if cell == "lstm" else None
    out, last = module(x, (state, cstate) if cell == "lstm" else state)
    (out * torch.from_numpy(up)).sum().backward()

    flow = stack.gradient_flow(cell, params, xs, up, h0, c0, nonlinearity=nonlinearity or "tanh")
    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(flow.ys[-1], out.detach().numpy(), **tol)
    h_n = last[0] if cell == "lstm" else last
    np.testing.assert_allclose(flow.hs[:, -1], h_n.detach().numpy(), **tol)
    if cell == "lstm":
        np.testing.assert_allclose(flow.cs[:, -1], last[1].detach().numpy(), **tol)
        np.testing.assert_allclose(flow.dc0, cstate.grad.numpy(), **tol)
    np.testing.assert_allclose(flow.dx, x.grad.numpy(), **tol)
    np.testing.assert_allclose(flow.dh0, state.grad.numpy(), **tol)
    for name, p in module.named_parameters():
        np.testing.assert_allclose(flow.grads[name], p.grad.numpy(), err_msg=name, **tol)
