"""The bidirectional layer against finite differences of an independent one-step unroll,
its exact zero pattern, and (when torch is installed) nn.RNN/LSTM/GRU(bidirectional=True)."""

import numpy as np
import pytest
from fd_support import fd

from gradflow import bidir, cells

EPS = 1e-6
T, B, D, H = 5, 2, 3, 3
CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}),
           ("gru", {"variant": "pytorch"}), ("gru", {"variant": "cho"})]
IDS = [f"{c}-{next(iter(o.values()), '')}" for c, o in CONFIGS]
TORCH_OPTS = {"rnn": {"nonlinearity": "tanh"}, "lstm": {}, "gru": {"variant": "pytorch"}}


def problem(cell, seed=0, T=T, B=B):
    rng = np.random.default_rng(seed)
    params = {k: 1.5 * v for k, v in bidir.init_params(cell, D, H, rng).items()}
    xs = rng.standard_normal((T, B, D)) + 0.2  # (T, B, D)
    h0 = 0.5 * rng.standard_normal((2, B, H))  # (2, B, H): forward chain first
    c0 = 0.5 * rng.standard_normal((2, B, H)) if cell == "lstm" else None
    return params, xs, h0, c0


def step(cell, x, h, c, params, opts, c_extra=0):
    """One step by the reference; the LSTM's written out here, c_extra added to c_t before h_t reads it."""
    if cell != "lstm":
        return cells.MODULES[cell].step_forward(x, h, params, **opts)[0], None
    z = x @ params["weight_ih"].T + params["bias_ih"] + h @ params["weight_hh"].T + params["bias_hh"]  # (B, 4H)
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    i, f, g, o = sig(z[:, :H]), sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
    c = f * c + i * g + c_extra
    return o * np.tanh(c), c


def chain_states(cell, params, xs, h, c, opts, inject=None):
    """[(h_s, c_s)] of one chain, in the order it reads xs.

    inject=(name, s, delta): delta is added to h_s or c_s right after step s.
    """
    out = []
    for s, x in enumerate(xs):
        here = inject is not None and inject[1] == s
        h, c = step(cell, x, h, c, params, opts, c_extra=inject[2] if here and inject[0] == "c" else 0)
        if here and inject[0] == "h":
            h = h + inject[2]
        out.append((h, c))
    return out


def reference_loss(cell, params, xs, up, h0, c0, opts, inject=None, lane=None):
    """Σ_t ⟨up_t, concat(h_t^→, h_t^←)⟩ by two independent one-step unrolls.

    inject=(name, t, delta) perturbs h_t or c_t of `lane` ("fwd" or "bwd") at sequence step t.
    """
    fwd, bwd = bidir.split(params)
    c = (None, None) if c0 is None else (c0[0], c0[1])
    inj_f = inj_b = None
    if inject is not None:
        name, t, delta = inject
        if lane == "fwd":
            inj_f = (name, t, delta)
        else:
            inj_b = (name, xs.shape[0] - 1 - t, delta)  # chain step of sequence step t
    f = chain_states(cell, fwd, xs, h0[0], c[0], opts, inj_f)
    r = chain_states(cell, bwd, xs[::-1], h0[1], c[1], opts, inj_b)[::-1]  # back to sequence order
    out = np.stack([np.concatenate([hf, hr], axis=1) for (hf, _), (hr, _) in zip(f, r)])  # (T, B, 2H)
    return np.sum(up * out)




# --------------------------------------------------------------------------
# Finite differences: every parameter of both chains, xs, the initial states, ∂L/∂h_t of both lanes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["position", "sum"])
@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_gradients_match_finite_differences(cell, opts, mode):
    params, xs, h0, c0 = problem(cell)
    bf = bidir.gradient_flow(cell, params, xs, 1 if mode == "position" else None, mode=mode, rng=1,
                             h0=h0, c0=c0, **opts)
    up = bf.upstream
    L = lambda **kw: reference_loss(cell, kw.get("params", params), kw.get("xs", xs), up,  # noqa: E731
                                    kw.get("h0", h0), c0, opts, kw.get("inject"), kw.get("lane"))
    tol = dict(rtol=1e-6, atol=1e-8)
    assert bf.grads.keys() == params.keys()
    for name in params:
        np.testing.assert_allclose(bf.grads[name], fd(lambda v: L(params={**params, name: v}), params[name]),
                                   err_msg=name, **tol)
    np.testing.assert_allclose(bf.dx, fd(lambda v: L(xs=v), xs), **tol)
    dh0 = np.stack([bf.forward.dh0, bf.backward.dh0])  # (2, B, H)
    np.testing.assert_allclose(dh0, fd(lambda v: L(h0=v), h0), **tol)
    zero = np.zeros((B, H))
    for lane, flow in (("fwd", bf.forward), ("bwd", bf.backward)):
        for t in range(T):  # total ∂L/∂h_t of each lane, in sequence order
            np.testing.assert_allclose(flow.dh[t], fd(lambda d: L(inject=("h", t, d), lane=lane), zero),
                                       err_msg=f"{lane} dh[{t}]", **tol)
            if cell == "lstm":
                np.testing.assert_allclose(flow.dc[t], fd(lambda d: L(inject=("c", t, d), lane=lane), zero),
                                           err_msg=f"{lane} dc[{t}]", **tol)
    assert bf.finite


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_states_and_outputs_in_sequence_order(cell, opts):
    params, xs, h0, c0 = problem(cell, seed=2)
    bf = bidir.gradient_flow(cell, params, xs, 2, rng=0, h0=h0, c0=c0, **opts)
    fwd, bwd = bidir.split(params)
    f = chain_states(cell, fwd, xs, h0[0], None if c0 is None else c0[0], opts)
    r = chain_states(cell, bwd, xs[::-1], h0[1], None if c0 is None else c0[1], opts)[::-1]
    np.testing.assert_allclose(bf.forward.hs, [h for h, _ in f], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(bf.backward.hs, [h for h, _ in r], rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(bf.backward.xs, xs)
    np.testing.assert_array_equal(bf.out, np.concatenate([bf.forward.hs, bf.backward.hs], axis=2))
    np.testing.assert_array_equal(bf.h_n, [bf.forward.hs[-1], bf.backward.hs[0]])
    np.testing.assert_array_equal(bf.backward_chain.hs, bf.backward.hs[::-1])
    for g, a in bf.backward.gates.items():
        np.testing.assert_array_equal(a, bf.backward_chain.gates[g][::-1])
    if cell == "lstm":
        np.testing.assert_array_equal(bf.c_n, [bf.forward.cs[-1], bf.backward.cs[0]])
    else:
        assert bf.c_n is None


# --------------------------------------------------------------------------
# The exact zero pattern of a loss at one position
# --------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0, 3, 6])
@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_forward_lane_is_zero_after_p_and_backward_lane_before_p(cell, opts, p):
    params, xs, h0, c0 = problem(cell, seed=3, T=7)
    bf = bidir.gradient_flow(cell, params, xs, p, rng=4, h0=h0, c0=c0, **opts)
    f, r = bf.forward, bf.backward
    for flow, dead, alive in ((f, slice(p + 1, None), slice(0, p + 1)), (r, slice(0, p), slice(p, None))):
        for a in (flow.dh, flow.dc, flow.dx):
            if a is not None:
                np.testing.assert_array_equal(a[dead], 0.0)  # exactly, not approximately
                if opts.get("nonlinearity") != "relu":  # a ReLU RNN's dead units may zero more steps
                    assert (np.abs(a[alive]).reshape(a[alive].shape[0], -1).max(axis=1) > 0).all()
    np.testing.assert_array_equal(bf.upstream[np.arange(7) != p], 0.0)
    np.testing.assert_array_equal(f.dh[p], bf.upstream[p, :, :H])  # nothing flows into h_p^→ from later steps
    np.testing.assert_array_equal(r.dh[p], bf.upstream[p, :, H:])  # nor into h_p^← from earlier ones
    np.testing.assert_array_equal(bf.dx[:p], f.dx[:p])  # x_t, t < p: the forward chain alone
    np.testing.assert_array_equal(bf.dx[p + 1:], r.dx[p + 1:])  # x_t, t > p: the backward chain alone
    lanes = bidir.graph_lanes(bf)
    assert lanes["position"] == p
    np.testing.assert_array_equal(lanes["fwd_dh_norm"][p + 1:], 0.0)
    np.testing.assert_array_equal(lanes["bwd_dh_norm"][:p], 0.0)
    if opts.get("nonlinearity") != "relu":
        assert (lanes["fwd_dh_norm"][:p + 1] > 0).all() and (lanes["bwd_dh_norm"][p:] > 0).all()


def test_default_position_is_the_middle_and_sum_reaches_every_step():
    params, xs, _, _ = problem("lstm", T=7)
    assert bidir.gradient_flow("lstm", params, xs, rng=0).position == 3
    bf = bidir.gradient_flow("lstm", params, xs, mode="sum", rng=0)
    assert bf.position is None
    lanes = bidir.graph_lanes(bf)
    assert (lanes["fwd_dh_norm"] > 0).all() and (lanes["bwd_dh_norm"] > 0).all()
    np.testing.assert_allclose(np.linalg.norm(bf.upstream, axis=2), 1.0, rtol=1e-12)  # unit vectors of size 2H


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_graph_lanes_shapes_and_values(cell):
    params, xs, _, _ = problem(cell, T=6)
    bf = bidir.gradient_flow(cell, params, xs, 2, rng=5)
    lanes = bidir.graph_lanes(bf)
    assert {k: np.shape(v) for k, v in lanes.items() if isinstance(v, np.ndarray)} == {
        k: (6,) for k in ["fwd_dh_norm", "bwd_dh_norm", "dx_norm"] + (["fwd_dc_norm", "bwd_dc_norm"]
                                                                        if cell == "lstm" else [])}
    np.testing.assert_allclose(lanes["fwd_dh_norm"], np.linalg.norm(bf.forward.dh.reshape(6, -1), axis=1),
                               rtol=1e-12)
    np.testing.assert_allclose(lanes["bwd_dh_norm"], np.linalg.norm(bf.backward.dh.reshape(6, -1), axis=1),
                               rtol=1e-12)
    row = bidir.graph_lanes(bf, b=1)
    np.testing.assert_allclose(row["bwd_dh_norm"], bf.backward.dh_norm[:, 1], rtol=1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(lanes["bwd_dc_norm"], np.linalg.norm(bf.backward.dc.reshape(6, -1), axis=1),
                                   rtol=1e-12)
    else:
        assert lanes["fwd_dc_norm"] is None and lanes["bwd_dc_norm"] is None
    with pytest.raises(ValueError, match="outside"):
        bidir.graph_lanes(bf, b=2)
    with pytest.raises(ValueError, match="BiFlow"):
        bidir.graph_lanes(bf.forward)


# --------------------------------------------------------------------------
# Parameters, state dicts, bad input
# --------------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_init_params_names_shapes_and_round_trip(cell):
    G = cells.NUM_GATES[cell]
    params = bidir.init_params(cell, D, H, np.random.default_rng(0))
    shapes = {"weight_ih": (G * H, D), "weight_hh": (G * H, H), "bias_ih": (G * H,), "bias_hh": (G * H,)}
    assert list(params) == [k + s for s in ("_l0", "_l0_reverse") for k in shapes]
    assert {k: v.shape for k, v in params.items()} == {k + s: v for s in ("_l0", "_l0_reverse")
                                                      for k, v in shapes.items()}
    assert all(np.abs(v).max() <= 1 / np.sqrt(H) for v in params.values())
    assert not np.array_equal(params["weight_hh_l0"], params["weight_hh_l0_reverse"])  # two draws
    sd = bidir.to_torch_state_dict(params)
    assert not np.shares_memory(sd["weight_ih_l0"], params["weight_ih_l0"])
    back = bidir.from_torch_state_dict(sd, cell)
    assert back.keys() == params.keys() and all(np.array_equal(back[k], params[k]) for k in params)


def test_forget_bias_in_both_chains():
    a = bidir.init_params("lstm", D, H, 0)
    b = bidir.init_params("lstm", D, H, 0, forget_bias=1.0)
    for s in ("_l0", "_l0_reverse"):
        np.testing.assert_allclose(b["bias_ih" + s][H:2 * H] - a["bias_ih" + s][H:2 * H], 1.0)


def test_bad_input():
    params, xs, h0, c0 = problem("lstm")
    with pytest.raises(ValueError, match="position"):
        bidir.gradient_flow("lstm", params, xs, T)
    with pytest.raises(ValueError, match="position"):
        bidir.gradient_flow("lstm", params, xs, True)
    with pytest.raises(ValueError, match="position must be None"):
        bidir.gradient_flow("lstm", params, xs, 1, mode="sum")
    with pytest.raises(ValueError, match="mode"):
        bidir.gradient_flow("lstm", params, xs, mode="last")
    with pytest.raises(ValueError, match="upstream"):
        bidir.gradient_flow("lstm", params, xs, 1, upstream=np.ones((B, H)))
    with pytest.raises(ValueError, match="upstream"):
        bidir.gradient_flow("lstm", params, xs, mode="sum", upstream=np.ones((B, 2 * H)))
    with pytest.raises(ValueError, match="_reverse"):
        bidir.gradient_flow("lstm", {k: v for k, v in params.items() if "reverse" not in k}, xs)
    with pytest.raises(ValueError, match="weight_hh_l0_reverse"):
        bidir.gradient_flow("lstm", dict(params, weight_hh_l0_reverse=params["weight_hh_l0"][:, :2]), xs)
    with pytest.raises(ValueError, match="weight_hh_l0"):
        bidir.gradient_flow("gru", params, xs)  # LSTM params: 4 gate blocks, not 3
    with pytest.raises(ValueError, match="h0"):
        bidir.gradient_flow("lstm", params, xs, h0=h0[0])
    with pytest.raises(ValueError, match="c0"):
        bidir.gradient_flow("rnn", bidir.init_params("rnn", D, H, 0), xs, c0=c0)
    with pytest.raises(ValueError, match="unknown cell"):
        bidir.gradient_flow("transformer", params, xs)


def test_upstream_given_is_used_as_is():
    params, xs, _, _ = problem("gru")
    u = np.arange(B * 2 * H, dtype=float).reshape(B, 2 * H)
    bf = bidir.gradient_flow("gru", params, xs, 4, upstream=u)
    np.testing.assert_array_equal(bf.upstream[4], u)
    np.testing.assert_array_equal(bf.forward.dh[4], u[:, :H])
    np.testing.assert_array_equal(bf.backward.dh[4], u[:, H:])


# --------------------------------------------------------------------------
# Parity with PyTorch (skipped without torch)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["position", "sum"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_parity_with_torch(cell, mode):
    torch = pytest.importorskip("torch")
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        D, H, bidirectional=True, dtype=torch.float64)
    params, xs, h0, c0 = problem(cell, seed=7, T=6)
    sd = bidir.to_torch_state_dict(params)
    assert list(module.state_dict()) == list(sd)
    assert all(tuple(v.shape) == sd[k].shape for k, v in module.state_dict().items())
    module.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    p = 2 if mode == "position" else None
    bf = bidir.gradient_flow(cell, params, xs, p, mode=mode, rng=8, h0=h0, c0=c0, **TORCH_OPTS[cell])

    x = torch.from_numpy(xs.copy()).requires_grad_(True)
    state = (torch.from_numpy(h0), torch.from_numpy(c0)) if cell == "lstm" else torch.from_numpy(h0)
    out, final = module(x, state)
    up = torch.from_numpy(bf.upstream)
    loss = (out[p] * up[p]).sum() if mode == "position" else (out * up).sum()
    loss.backward()

    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bf.out, out.detach().numpy(), **tol)
    h_n = final[0] if cell == "lstm" else final
    np.testing.assert_allclose(bf.h_n, h_n.detach().numpy(), **tol)
    if cell == "lstm":
        np.testing.assert_allclose(bf.c_n, final[1].detach().numpy(), **tol)
    grads = {k: v.grad.numpy() for k, v in module.named_parameters()}
    assert grads.keys() == bf.grads.keys()
    for k in grads:
        np.testing.assert_allclose(bf.grads[k], grads[k], err_msg=k, **tol)
    np.testing.assert_allclose(bf.dx, x.grad.numpy(), **tol)


def test_parity_with_torch_relu_rnn():
    torch = pytest.importorskip("torch")
    module = torch.nn.RNN(D, H, nonlinearity="relu", bidirectional=True, dtype=torch.float64)
    params, xs, h0, _ = problem("rnn", seed=9)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in bidir.to_torch_state_dict(params).items()})
    bf = bidir.gradient_flow("rnn", params, xs, 3, rng=1, h0=h0, nonlinearity="relu")
    x = torch.from_numpy(xs.copy()).requires_grad_(True)
    out, _ = module(x, torch.from_numpy(h0))
    (out[3] * torch.from_numpy(bf.upstream[3])).sum().backward()
    for k, v in module.named_parameters():
        np.testing.assert_allclose(bf.grads[k], v.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(bf.dx, x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_overflow_is_marked_in_sequence_order():
    """The backward chain overflows from its second step on, which is sequence step T − 2."""
    params = bidir.init_params("rnn", D, H, 0)
    params["weight_ih_l0_reverse"] = np.abs(params["weight_ih_l0_reverse"]) * 1e200
    params["weight_hh_l0_reverse"] = params["weight_hh_l0_reverse"] * 1e200
    bf = bidir.gradient_flow("rnn", params, np.ones((6, 1, D)), 2, rng=0, nonlinearity="linear")
    assert not bf.finite and bf.forward.finite
    assert bf.backward_chain.first_nonfinite == 1 and bf.backward.first_nonfinite == 4
    assert np.isfinite(bf.backward.hs[5]).all() and not np.isfinite(bf.backward.hs[4]).all()
