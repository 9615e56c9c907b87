"""The step Jacobian of the whole state ((h, c) for the LSTM) and the exact split of the LSTM's ∂L/∂c_t.

Every check is against something computed independently: centered finite
differences of the one-step reference (`step_forward`), or the engine's own
per-step gradients (`Flow.dh`, `Flow.dc`) from the fast backward loop.
"""

import numpy as np
import pytest

import gradflow as gf
from gradflow import cells, jacobians
from gradflow.cells import lstm

CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}),
           ("gru", {"variant": "pytorch"}), ("gru", {"variant": "cho"})]
IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru-pytorch", "gru-cho"]
EPS = 1e-6


def run(cell, opts, T=10, B=2, D=3, H=4, seed=0, loss="last", truncate=None):
    rng = np.random.default_rng(seed)
    params = {k: 1.5 * v for k, v in cells.init_params(cell, D, H, rng).items()}
    h0 = 0.5 * rng.standard_normal((B, H))
    c0 = 0.5 * rng.standard_normal((B, H)) if cell == "lstm" else None
    up = gf.make_upstream(T, B, H, loss, rng)
    flow = gf.gradient_flow(cell, params, rng.standard_normal((T, B, D)), up, h0, c0, truncate=truncate, **opts)
    return params, flow, up


def step(cell, opts, params, x, state):
    """One reference step of the state (S,) -> (S,): h, or h then c for the LSTM."""
    H = params["weight_hh"].shape[1]
    if cell == "lstm":
        h, c, _ = lstm.step_forward(x[None], state[None, :H], state[None, H:], params)
        return np.concatenate([h[0], c[0]])
    return cells.MODULES[cell].step_forward(x[None], state[None], params, **opts)[0][0]


def state_before(flow, t, b):
    """(h_{t−1}, c_{t−1}) of batch row b as one vector (S,)."""
    h = flow.h0 if t == 0 else flow.hs[t - 1]
    if flow.cs is None:
        return h[b].copy()
    return np.concatenate([h[b], (flow.c0 if t == 0 else flow.cs[t - 1])[b]])


def rel(a, b):
    """‖a − b‖ / ‖b‖ (0 when both are 0)."""
    scale = np.linalg.norm(b)
    return np.linalg.norm(a - b) / scale if scale else np.linalg.norm(a)


def injection(flow):
    """∂L/∂h_t ⊙ o_t ⊙ tanh'(c_t), (T, B, H): the part of the Flow's ∂L/∂c_t that h_t = o_t ⊙ tanh(c_t) adds."""
    return flow.dh * flow.gates["o"] * (1 - np.tanh(flow.cs) ** 2)


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_state_jacobian_matches_finite_differences(cell, opts):
    """Perturb every entry of (h_{t−1}, c_{t−1}) and rerun one step by the reference."""
    params, flow, _ = run(cell, opts)
    H = flow.hs.shape[2]
    S = 2 * H if cell == "lstm" else H
    for t, b in ((0, 0), (6, 1)):
        s = state_before(flow, t, b)
        x = flow.xs[t, b]
        f = lambda v: step(cell, opts, params, x, v)  # noqa: E731
        # (S, S): column j is ∂state_t/∂state_{t−1}[j]
        numeric = np.stack([(f(s + EPS * e) - f(s - EPS * e)) / (2 * EPS) for e in np.eye(S)], axis=1)
        J = jacobians.state_jacobian(flow, params, t, b)
        assert J.shape == (S, S)
        np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)
        # The h block is the old step Jacobian (c_{t−1} held fixed), for every cell.
        np.testing.assert_allclose(J[:H, :H], jacobians.step_jacobian(flow, params, t, b), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_transposed_product_of_state_jacobians_gives_the_engines_gradients(cell, opts):
    """Loss at the last step only: (J_{t+1}ᵀ ⋯ J_{T−1}ᵀ) λ_{T−1} against the Flow's dh[t], dc[t].

    λ_{T−1} = (∂L/∂h_{T−1}, 0): with h_{T−1} held, c_{T−1} does not reach the loss.
    λ_t's h half is the Flow's dh[t]. Its c half is what reaches c_t through c_{t+1};
    the Flow's dc[t] also lets h_t follow c_t, so dc[t] = λ_t[H:] + dh[t] ⊙ o_t ⊙ tanh'(c_t).
    """
    params, flow, up = run(cell, opts, T=12, H=5)
    T, B, H = flow.hs.shape
    S = 2 * H if cell == "lstm" else H
    for b in range(B):
        start = np.zeros(S)
        start[:H] = up[T - 1, b]
        product = np.eye(S)  # J_{t+1}ᵀ ⋯ J_{T−1}ᵀ, built from the right
        for t in range(T - 1, -1, -1):
            if t < T - 1:
                product = jacobians.state_jacobian(flow, params, t + 1, b).T @ product
            lam = product @ start  # (S,)
            assert rel(lam[:H], flow.dh[t, b]) < 1e-10, t
            if cell == "lstm":
                assert rel(lam[H:] + injection(flow)[t, b], flow.dc[t, b]) < 1e-10, t
            np.testing.assert_allclose(jacobians.state_gradients(flow)[t, b], lam, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_summed_loss_obeys_the_state_recurrence(cell, opts, truncate):
    """λ_t = (upstream_t, 0) + J_{t+1}ᵀ λ_{t+1}, no J term where truncated BPTT cuts (t+1 a block start)."""
    params, flow, up = run(cell, opts, loss="sum", truncate=truncate)
    T, B, H = flow.hs.shape
    S = 2 * H if cell == "lstm" else H
    for b in range(B):
        lam = np.zeros(S)
        for t in range(T - 1, -1, -1):
            direct = np.zeros(S)
            direct[:H] = up[t, b]
            cut = t == T - 1 or (t + 1) in flow.block_starts
            lam = direct + (0 if cut else jacobians.state_jacobian(flow, params, t + 1, b).T @ lam)
            assert rel(lam[:H], flow.dh[t, b]) < 1e-10, t
            if cell == "lstm":
                assert rel(lam[H:] + injection(flow)[t, b], flow.dc[t, b]) < 1e-10, t
            np.testing.assert_allclose(jacobians.state_gradients(flow)[t, b], lam, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_state_norms_and_products(cell, opts):
    params, flow, _ = run(cell, opts, T=8, H=6, seed=1)
    T, B, _ = flow.hs.shape
    exact = np.array([[np.linalg.norm(jacobians.state_jacobian(flow, params, t, b), 2) for b in range(B)]
                      for t in range(T)])
    np.testing.assert_allclose(jacobians.state_jacobian_norms(flow, params), exact, rtol=1e-12)
    approx = jacobians.state_jacobian_norms(flow, params, exact_max_H=0, iterations=400, chunk=3)
    np.testing.assert_allclose(approx, exact, rtol=1e-4)
    assert np.all(approx <= exact * (1 + 1e-12))
    t, b = 7, 1
    product = np.eye(jacobians.state_jacobian(flow, params, t, b).shape[0])  # (S, S)
    want = []
    for k in range(5):
        product = product @ jacobians.state_jacobian(flow, params, t - k, b)
        want.append(np.linalg.norm(product, 2))
    np.testing.assert_allclose(jacobians.state_product_norms(flow, params, t, b, k_max=5), want, rtol=1e-12)
    if cell != "lstm":  # the state is h: nothing changes
        np.testing.assert_array_equal(jacobians.state_jacobian_norms(flow, params),
                                      jacobians.jacobian_norms(flow, params))
        np.testing.assert_array_equal(jacobians.state_product_norms(flow, params, t, b),
                                      jacobians.jacobian_product_norms(flow, params, t, b))


def test_lstm_state_product_is_the_k_step_derivative():
    """‖∂(h_t, c_t)/∂(h_{t−k}, c_{t−k})‖₂ by finite differences of k reference steps."""
    params, flow, _ = run("lstm", {}, T=10, H=4, seed=2)
    t, b, k = 8, 0, 4
    start = state_before(flow, t - k + 1, b)  # (h_{t−k}, c_{t−k})

    def forward(s):
        for r in range(t - k + 1, t + 1):
            s = step("lstm", {}, params, flow.xs[r, b], s)
        return s

    numeric = np.stack([(forward(start + EPS * e) - forward(start - EPS * e)) / (2 * EPS) for e in np.eye(8)], axis=1)
    norms = jacobians.state_product_norms(flow, params, t, b, k_max=k)
    assert norms.shape == (k,)
    assert np.isclose(norms[-1], np.linalg.norm(numeric, 2), rtol=1e-6)
    # The c-held product of h blocks is a different number: the LSTM's h alone is not its state.
    assert not np.isclose(jacobians.jacobian_product_norms(flow, params, t, b, k_max=k)[-1], norms[-1], rtol=1e-3)


# --------------------------------------------------------------------------
# The LSTM's ∂L/∂c_t: carried from the last step by ∏f, plus injected on the way
# --------------------------------------------------------------------------
@pytest.mark.parametrize("truncate", [None, 4])
@pytest.mark.parametrize("loss", ["last", "sum"])
def test_cell_path_split_adds_up_to_the_engines_dc(loss, truncate):
    params, flow, _ = run("lstm", {}, T=11, H=5, loss=loss, truncate=truncate)
    split = jacobians.lstm_cell_path_split(flow)
    T, B, H = flow.hs.shape
    for key in ("injection", "forget", "carried", "injected"):
        assert split[key].shape == (T, B, H), key
    for t in range(T):
        for b in range(B):
            assert rel(split["carried"][t, b] + split["injected"][t, b], flow.dc[t, b]) < 1e-10, (t, b)
    np.testing.assert_allclose(split["carried_norm"], np.linalg.norm(split["carried"], axis=2), rtol=1e-12)
    np.testing.assert_allclose(split["injected_norm"], np.linalg.norm(split["injected"], axis=2), rtol=1e-12)
    np.testing.assert_allclose(split["injection"], injection(flow), rtol=1e-12, atol=1e-300)
    # The last step's ∂L/∂c is all direct: nothing comes after it.
    np.testing.assert_array_equal(split["carried"][-1], flow.dc[-1])
    np.testing.assert_array_equal(split["injected"][-1], 0)


@pytest.mark.parametrize("truncate", [None, 4])
def test_carried_is_the_forget_product_times_the_last_injection(truncate):
    """carried_t = (∏_{r=t+1}^{T−1} f_r) ⊙ ∂L/∂c_{T−1}^{direct}, elementwise; 0 across a block start."""
    params, flow, _ = run("lstm", {}, T=11, H=5, loss="sum", truncate=truncate)
    split = jacobians.lstm_cell_path_split(flow)
    f = flow.gates["f"]
    T = flow.T
    last_block = flow.block_starts[-1]
    for t in range(T):
        want = np.prod(f[t + 1:], axis=0) * flow.dc[-1] if t >= last_block else np.zeros_like(flow.dc[-1])
        np.testing.assert_allclose(split["carried"][t], want, rtol=1e-13, atol=0, err_msg=str(t))
    if truncate is None:  # the unit-mean of this split's ∏f is forget_product
        np.testing.assert_allclose(split["forget"].mean(axis=2), jacobians.forget_product(flow), rtol=1e-13)


def test_forget_product_alone_is_not_dc():
    """With a loss at every step, h injects gradient into c at every step: ∏f misses it."""
    params, flow, _ = run("lstm", {}, T=11, H=5, loss="sum")
    split = jacobians.lstm_cell_path_split(flow)
    assert (split["injected_norm"][:-1] > 1e-3 * flow.dc_norm[:-1]).all()
    assert rel(split["carried"][0], flow.dc[0]) > 1e-2


def test_cell_path_split_refuses_other_cells_and_non_flows():
    _, flow, _ = run("gru", {"variant": "pytorch"})
    with pytest.raises(ValueError, match="for the LSTM"):
        jacobians.lstm_cell_path_split(flow)
    with pytest.raises(ValueError, match="flow must be a Flow"):
        jacobians.lstm_cell_path_split({"cell": "lstm"})
