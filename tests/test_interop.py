"""Tests for gradflow.interop: PyTorch state dicts and DLFS2 layouts."""

import re

import numpy as np
import pytest

from gradflow import interop
from gradflow.bptt import unroll
from gradflow.cells import gru, init_params, lstm, rnn

D, H, B = 3, 4, 2
G = {"rnn": 1, "lstm": 4, "gru": 3}


# --------------------------------------------------------------------------- #
# DLFS2's equations, written out from its common/time_layers.py (x @ W form)
# --------------------------------------------------------------------------- #

def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def dlfs2_rnn(x, h, p):
    return np.tanh(h @ p["Wh"] + x @ p["Wx"] + p["b"])


def dlfs2_lstm(x, h, c, p):
    A = x @ p["Wx"] + h @ p["Wh"] + p["b"]
    f, g, i, o = _sigmoid(A[:, :H]), np.tanh(A[:, H:2 * H]), _sigmoid(A[:, 2 * H:3 * H]), _sigmoid(A[:, 3 * H:])
    c = f * c + g * i
    return o * np.tanh(c), c


def dlfs2_gru(x, h, p):  # the course notes' GRU: no biases
    Wx, Wh = p["Wx"], p["Wh"]
    z = _sigmoid(x @ Wx[:, :H] + h @ Wh[:, :H])
    r = _sigmoid(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H])
    h_hat = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:])
    return (1 - z) * h + z * h_hat


def _dlfs2_params(cell, rng):
    p = {"Wx": rng.standard_normal((D, G[cell] * H)), "Wh": rng.standard_normal((H, G[cell] * H))}
    if cell != "gru":
        p["b"] = rng.standard_normal(G[cell] * H)
    return p


def _params(cell, rng, zero_bias=False):
    p = init_params(cell, D, H, rng)
    if zero_bias:
        p["bias_ih"][:] = 0
        p["bias_hh"][:] = 0
    return p


def _run_gradflow(cell, params, xs, h, c):
    """A few steps of gradflow's reference cells -> stacked h (and c)."""
    out = []
    for x in xs:
        if cell == "lstm":
            h, c, _ = lstm.step_forward(x, h, c, params)
        elif cell == "gru":
            h, _ = gru.step_forward(x, h, params, variant="cho")
        else:
            h, _ = rnn.step_forward(x, h, params)
        out.append((h, c))
    return out


def _run_dlfs2(cell, p, xs, h, c):
    out = []
    for x in xs:
        if cell == "lstm":
            h, c = dlfs2_lstm(x, h, c, p)
        elif cell == "gru":
            h = dlfs2_gru(x, h, p)
        else:
            h = dlfs2_rnn(x, h, p)
        out.append((h, c))
    return out


def _inputs(rng, T=3):
    return rng.standard_normal((T, B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))


def _assert_runs_close(a, b):
    for (h1, c1), (h2, c2) in zip(a, b):
        np.testing.assert_allclose(h1, h2, rtol=1e-12, atol=1e-14)
        if c1 is not None:
            np.testing.assert_allclose(c1, c2, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------- #
# DLFS2 layouts
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dlfs2_to_torch_to_dlfs2_is_identity(cell):
    d = _dlfs2_params(cell, np.random.default_rng(0))
    before = {k: v.copy() for k, v in d.items()}
    params = interop.from_dlfs2(cell, d)
    assert {k: v.shape for k, v in params.items()} == {
        "weight_ih": (G[cell] * H, D), "weight_hh": (G[cell] * H, H),
        "bias_ih": (G[cell] * H,), "bias_hh": (G[cell] * H,)}
    np.testing.assert_array_equal(params["bias_hh"], 0.0)
    back = interop.to_dlfs2(cell, params)
    assert back.keys() == d.keys()
    for k in d:
        np.testing.assert_array_equal(back[k], d[k])
        np.testing.assert_array_equal(d[k], before[k])  # input untouched


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dlfs2_params_give_dlfs2_outputs(cell):
    rng = np.random.default_rng(1)
    d = _dlfs2_params(cell, rng)
    xs, h0, c0 = _inputs(rng)
    c0 = c0 if cell == "lstm" else None
    _assert_runs_close(_run_gradflow(cell, interop.from_dlfs2(cell, d), xs, h0, c0),
                       _run_dlfs2(cell, d, xs, h0, c0))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_torch_to_dlfs2_keeps_outputs(cell):
    rng = np.random.default_rng(2)
    params = _params(cell, rng, zero_bias=cell == "gru")
    if cell != "gru":  # make the two biases differ so that only their sum survives
        params["bias_hh"] = rng.standard_normal(G[cell] * H)
    before = {k: v.copy() for k, v in params.items()}
    xs, h0, c0 = _inputs(rng)
    c0 = c0 if cell == "lstm" else None
    d = interop.to_dlfs2(cell, params)
    ref = _run_gradflow(cell, params, xs, h0, c0)
    _assert_runs_close(_run_dlfs2(cell, d, xs, h0, c0), ref)
    back = interop.from_dlfs2(cell, d)  # PyTorch -> DLFS2 -> PyTorch: equal outputs
    _assert_runs_close(_run_gradflow(cell, back, xs, h0, c0), ref)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    if cell != "gru":
        np.testing.assert_allclose(back["bias_ih"], params["bias_ih"] + params["bias_hh"], rtol=1e-15)


def test_lstm_gate_order_f_g_i_o():
    # PyTorch blocks i, f, g, o filled with 0, 1, 2, 3 -> DLFS2 blocks f, g, i, o
    marks = np.repeat(np.arange(4.0), H)  # (4H,)
    params = {"weight_ih": np.tile(marks[:, None], (1, D)), "weight_hh": np.tile(marks[:, None], (1, H)),
              "bias_ih": marks, "bias_hh": 10 * marks}
    d = interop.to_dlfs2("lstm", params)
    expected = np.repeat([1.0, 2.0, 0.0, 3.0], H)
    np.testing.assert_array_equal(d["Wx"], np.tile(expected, (D, 1)))
    np.testing.assert_array_equal(d["Wh"], np.tile(expected, (H, 1)))
    np.testing.assert_array_equal(d["b"], 11 * expected)


def test_gru_z_block_negated_and_order_z_r_h():
    marks = np.repeat([1.0, 2.0, 3.0], H)  # PyTorch r, z, n
    params = {"weight_ih": np.tile(marks[:, None], (1, D)), "weight_hh": np.tile(marks[:, None], (1, H)),
              "bias_ih": np.zeros(3 * H), "bias_hh": np.zeros(3 * H)}
    d = interop.to_dlfs2("gru", params)
    assert d.keys() == {"Wx", "Wh"}
    np.testing.assert_array_equal(d["Wh"], np.tile(np.repeat([-2.0, 1.0, 3.0], H), (H, 1)))


@pytest.mark.parametrize("which", ["bias_ih", "bias_hh"])
def test_gru_with_bias_cannot_become_dlfs2(which):
    params = _params("gru", np.random.default_rng(3), zero_bias=True)
    params[which][5] = 0.1
    with pytest.raises(ValueError, match=which):
        interop.to_dlfs2("gru", params)


def test_dlfs2_bad_inputs():
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="rnn, lstm, gru"):
        interop.to_dlfs2("transformer", _params("rnn", rng))
    with pytest.raises(ValueError):
        interop.to_dlfs2("lstm", _params("gru", rng))  # 3 gate blocks, not 4
    d = _dlfs2_params("lstm", rng)
    with pytest.raises(ValueError, match="b"):
        interop.from_dlfs2("lstm", {"Wx": d["Wx"], "Wh": d["Wh"]})
    with pytest.raises(ValueError, match="unknown keys"):
        interop.from_dlfs2("gru", dict(_dlfs2_params("gru", rng), b=np.zeros(3 * H)))
    with pytest.raises(ValueError, match="Wh"):
        interop.from_dlfs2("lstm", dict(d, Wh=d["Wh"][:, :3 * H]))
    with pytest.raises(ValueError, match="Wx"):
        interop.from_dlfs2("lstm", dict(d, Wx=d["Wx"][:, 1:]))
    with pytest.raises(ValueError, match="b"):
        interop.from_dlfs2("lstm", dict(d, b=d["b"][1:]))


# --------------------------------------------------------------------------- #
# PyTorch state dicts
# --------------------------------------------------------------------------- #

def _layers(cell, n, rng):
    first = init_params(cell, D, H, rng)
    return [first] + [init_params(cell, H, H, rng) for _ in range(n - 1)]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_state_dict_round_trip(cell):
    layers = _layers(cell, 3, np.random.default_rng(5))
    sd = interop.to_torch_state_dict(layers, prefix="rnn.")
    assert sorted(sd) == sorted(f"rnn.{k}_l{l}" for l in range(3) for k in interop.PARAM_NAMES)
    np.testing.assert_array_equal(sd["rnn.weight_hh_l2"], layers[2]["weight_hh"])
    assert not np.shares_memory(sd["rnn.weight_hh_l0"], layers[0]["weight_hh"])
    back = interop.from_torch_state_dict(sd, prefix="rnn.")
    assert len(back) == 3
    for a, b in zip(layers, back):
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_state_dict_bad_keys_and_shapes():
    rng = np.random.default_rng(6)
    sd = interop.to_torch_state_dict(_layers("lstm", 2, rng))
    with pytest.raises(ValueError, match="weight_hr_l0"):
        interop.from_torch_state_dict(dict(sd, weight_hr_l0=np.zeros((4, 4))))
    with pytest.raises(ValueError, match="weight_ih_l0_reverse"):
        interop.from_torch_state_dict(dict(sd, weight_ih_l0_reverse=sd["weight_ih_l0"]))
    missing = {k: v for k, v in sd.items() if k != "bias_hh_l1"}
    with pytest.raises(ValueError, match="bias_hh_l1"):
        interop.from_torch_state_dict(missing)
    gap = {k.replace("_l1", "_l2"): v for k, v in sd.items()}
    with pytest.raises(ValueError, match="weight_ih_l1"):
        interop.from_torch_state_dict(gap)
    with pytest.raises(ValueError, match="bias_ih"):
        interop.from_torch_state_dict(dict(sd, bias_ih_l0=np.zeros(5)))
    with pytest.raises(ValueError):  # layer 1 must take H inputs
        interop.from_torch_state_dict(dict(sd, weight_ih_l1=np.zeros((4 * H, H + 1))))
    with pytest.raises(ValueError):  # mixed cells
        interop.to_torch_state_dict([init_params("lstm", D, H, rng), init_params("gru", H, H, rng)])
    with pytest.raises(ValueError):
        interop.to_torch_state_dict(init_params("rnn", D, H, rng))  # a dict, not a list
    with pytest.raises(ValueError):
        interop.from_torch_state_dict({})


@pytest.mark.parametrize("alias", ["weight_ih_l00", "weight_ih_l01", "weight_ih_l+0", "weight_ih_l\u0660",
                                   "weight_ih_l 0"])
def test_state_dict_refuses_non_canonical_layer_numbers(alias):
    """"weight_ih_l00" parsed as layer 0 and silently overwrote "weight_ih_l0" (dict order decides)."""
    rng = np.random.default_rng(0)
    sd = interop.to_torch_state_dict([init_params("rnn", 3, 4, rng)])
    other = np.full_like(sd["weight_ih_l0"], 7.0)
    for bad in (dict(sd, **{alias: other}), {alias: other, **sd}):  # either order
        want = re.escape(f"unknown state-dict keys [{alias!r}]") + ".*without leading zeros"
        with pytest.raises(ValueError, match=want):
            interop.from_torch_state_dict(bad)
    np.testing.assert_array_equal(interop.from_torch_state_dict(sd)[0]["weight_ih"], sd["weight_ih_l0"])


# --------------------------------------------------------------------------- #
# optional parity with PyTorch itself
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_parity_with_torch(cell):
    torch = pytest.importorskip("torch")

    torch.manual_seed(0)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](
        D, H, num_layers=2).double()
    layers = interop.from_torch_state_dict({k: v.detach().numpy() for k, v in module.state_dict().items()})
    rng = np.random.default_rng(7)
    xs = rng.standard_normal((5, B, D))
    h0 = rng.standard_normal((2, B, H))
    c0 = rng.standard_normal((2, B, H))
    state = (torch.from_numpy(h0), torch.from_numpy(c0)) if cell == "lstm" else torch.from_numpy(h0)
    ref = module(torch.from_numpy(xs), state)[0].detach().numpy()
    out = xs
    for l, params in enumerate(layers):
        out = unroll(cell, params, out, h0[l], c0[l] if cell == "lstm" else None)[0]
    np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12)
    sd = interop.to_torch_state_dict(layers)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
