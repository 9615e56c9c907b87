"""The engine against finite differences of an independent one-step unroll,
against the linear-RNN closed form, and on bad input."""

import numpy as np
import pytest
from fd_support import fd
from fuzz_support import sweep_base_problem

import gradflow as gf
from gradflow import cells
from gradflow.bptt import _norm, _outer_norms
from gradflow.cells import lstm

EPS = 1e-6
CONFIGS = [("rnn", {"nonlinearity": "tanh"}), ("rnn", {"nonlinearity": "relu"}),
           ("rnn", {"nonlinearity": "linear"}), ("lstm", {}),
           ("gru", {"variant": "pytorch"}), ("gru", {"variant": "cho"})]
IDS = [f"{c}-{next(iter(o.values()), '')}" for c, o in CONFIGS]


def reference_loss(cell, params, xs, up, h0, c0, opts, truncate=None, starts=None, inject=None):
    """Σ_t ⟨up_t, h_t⟩ by the one-step reference, as truncated BPTT sees it.

    With truncation, every block starts from a fixed state (`starts`, taken from
    an unperturbed run): the surrogate whose exact gradient truncated BPTT is.
    inject=(name, t, delta) adds delta to h_t or c_t right after step t.
    """
    T = xs.shape[0]
    k = truncate or T
    h, c, loss = h0, c0, 0.0
    for t in range(T):
        if t and t % k == 0:
            h, c = starts[t]
        here = inject is not None and inject[1] == t
        if cell == "lstm":  # c_t is perturbed before h_t = o ⊙ tanh(c_t) reads it
            h, c, _ = _lstm_step(xs[t], h, c, params, c_extra=inject[2] if here and inject[0] == "c" else 0)
        else:
            h, _ = cells.MODULES[cell].step_forward(xs[t], h, params, **opts)
        if here and inject[0] == "h":
            h = h + inject[2]
        loss += np.sum(up[t] * h)
    return loss


def problem(cell, T=7, B=2, D=3, H=4, seed=0, loss="sum"):
    rng = np.random.default_rng(seed)
    params = {k: 1.5 * v for k, v in cells.init_params(cell, D, H, rng).items()}
    xs = rng.standard_normal((T, B, D)) + 0.2
    up = gf.make_upstream(T, B, H, loss, rng)
    h0 = 0.5 * rng.standard_normal((B, H))
    c0 = 0.5 * rng.standard_normal((B, H)) if cell == "lstm" else None
    return params, xs, up, h0, c0


def block_starts(flow):
    starts = {}
    for t in range(flow.T):
        starts[t] = (flow.hs[t - 1], None if flow.cs is None else flow.cs[t - 1])
    return starts




@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_full_bptt_matches_finite_differences(cell, opts, truncate):
    params, xs, up, h0, c0 = problem(cell)
    flow = gf.gradient_flow(cell, params, xs, up, h0, c0, truncate=truncate, **opts)
    starts = block_starts(flow)
    L = lambda **kw: reference_loss(cell, kw.get("params", params), kw.get("xs", xs), up,
                                    kw.get("h0", h0), kw.get("c0", c0), opts, truncate, starts,
                                    kw.get("inject"))
    tol = dict(rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(flow.dx, fd(lambda v: L(xs=v), xs), **tol)
    np.testing.assert_allclose(flow.dh0, fd(lambda v: L(h0=v), h0), **tol)
    if cell == "lstm":
        np.testing.assert_allclose(flow.dc0, fd(lambda v: L(c0=v), c0), **tol)
    for name in params:
        f = lambda v: L(params={**params, name: v})
        np.testing.assert_allclose(flow.grads[name], fd(f, params[name]), err_msg=name, **tol)
    zero = np.zeros_like(h0)
    for t in range(flow.T):  # total ∂L/∂h_t and ∂L/∂c_t: inject a perturbation after step t
        np.testing.assert_allclose(flow.dh[t], fd(lambda d: L(inject=("h", t, d)), zero), **tol)
        if cell == "lstm":
            np.testing.assert_allclose(flow.dc[t], fd(lambda d: L(inject=("c", t, d)), zero), **tol)
    np.testing.assert_allclose(flow.dh_norm, np.linalg.norm(flow.dh, axis=2), rtol=1e-12)
    assert flow.finite and flow.first_nonfinite is None


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_larger_run_random_directions(cell, opts):
    """T = 60, H = 32: directional derivatives along random directions."""
    params, xs, up, h0, c0 = problem(cell, T=60, B=3, D=8, H=32, seed=3, loss="last")
    flow = gf.gradient_flow(cell, params, xs, up, h0, c0, **opts)
    rng = np.random.default_rng(4)
    L = lambda **kw: reference_loss(cell, kw.get("params", params), kw.get("xs", xs), up,
                                    kw.get("h0", h0), c0, opts)
    for _ in range(2):
        v = rng.standard_normal(xs.shape)
        assert np.isclose(np.sum(flow.dx * v), fd(lambda a: L(xs=a), xs, v), rtol=1e-6, atol=1e-9)
        v = rng.standard_normal(h0.shape)
        assert np.isclose(np.sum(flow.dh0 * v), fd(lambda a: L(h0=a), h0, v), rtol=1e-6, atol=1e-9)
        for name in params:
            v = rng.standard_normal(params[name].shape)
            numeric = fd(lambda a: L(params={**params, name: a}), params[name], v)
            assert np.isclose(np.sum(flow.grads[name] * v), numeric, rtol=1e-6, atol=1e-9), name


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.1])
def test_linear_rnn_closed_form(rho):
    """Wh = ρQ, Q orthogonal, loss at T: ‖∂L/∂h_{T−1−k}‖ = ρ^k ‖∂L/∂h_{T−1}‖ to 1e-12."""
    T, H = 60, 16
    rng = np.random.default_rng(5)
    params = cells.init_params("rnn", H, H, rng)
    Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
    params["weight_hh"] = rho * Q
    flow = gf.gradient_flow("rnn", params, rng.standard_normal((T, 1, H)),
                            gf.make_upstream(T, 1, H, "last", rng), nonlinearity="linear")
    k = np.arange(T)
    expected = rho ** k * flow.dh_norm[-1, 0]
    np.testing.assert_allclose(flow.dh_norm[::-1, 0], expected, rtol=1e-12)


def test_lstm_path_split_matches_finite_differences():
    """dh_prev_cell / dh_prev_hidden: ∂L/∂h_{t−1} through the i, f, g gates and through o alone."""
    T, B, D, H = 6, 2, 3, 4
    params, xs, up, h0, c0 = problem("lstm", T, B, D, H)
    flow = gf.gradient_flow("lstm", params, xs, up, h0, c0)
    w = params["weight_hh"]
    for t in range(T):
        for path, rows in (("cell", slice(0, 3 * H)), ("hidden", slice(3 * H, 4 * H))):
            def loss(delta):
                """Perturb h_{t-1} only where it enters the chosen gates of step t."""
                h, c, total = h0, c0, 0.0
                for s in range(T):
                    if s == t:
                        shift = np.zeros((B, 4 * H))
                        shift[:, rows] = (delta @ w.T)[:, rows]
                        h, c, _ = _lstm_step(xs[s], h, c, params, z_extra=shift)
                    else:
                        h, c, _ = lstm.step_forward(xs[s], h, c, params)
                    total += np.sum(up[s] * h)
                return total
            got = getattr(flow, f"dh_prev_{path}")[t]
            np.testing.assert_allclose(got, fd(loss, np.zeros((B, H))), rtol=1e-6, atol=1e-8)
    recurrent = flow.dh_prev_cell + flow.dh_prev_hidden
    np.testing.assert_allclose(recurrent[1:], flow.dh[:-1] - up[:-1], atol=1e-12)
    np.testing.assert_allclose(recurrent[0], flow.dh0, atol=1e-12)


def _lstm_step(x, h, c, params, z_extra=0, c_extra=0):
    """An independent LSTM step; z_extra and c_extra are added to the pre-activations and to c_t."""
    H = h.shape[1]
    z = x @ params["weight_ih"].T + params["bias_ih"] + h @ params["weight_hh"].T + params["bias_hh"] + z_extra
    sig = lambda a: 1 / (1 + np.exp(-a))
    i, f, g, o = sig(z[:, :H]), sig(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
    c = f * c + i * g + c_extra
    return o * np.tanh(c), c, None


@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
def test_dW_contrib_is_the_norm_of_each_steps_term(cell, opts):
    """Σ of the per-step terms is ∂L/∂weight_hh; each term's norm is dW_contrib[t]."""
    params, xs, up, h0, c0 = problem(cell, T=5, B=2)
    flow = gf.gradient_flow(cell, params, xs, up, h0, c0, **opts)
    terms = []
    for t in range(5):  # step t's term: the gradient with every other step's weight_hh frozen
        def loss(w):
            h, c, total = h0, c0, 0.0
            for s in range(5):
                p = {**params, "weight_hh": w} if s == t else params
                if cell == "lstm":
                    h, c, _ = lstm.step_forward(xs[s], h, c, p)
                else:
                    h, _ = cells.MODULES[cell].step_forward(xs[s], h, p, **opts)
                total += np.sum(up[s] * h)
            return total
        terms.append(fd(loss, params["weight_hh"]))
    np.testing.assert_allclose(sum(terms), flow.grads["weight_hh"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(flow.dW_contrib, [np.linalg.norm(m) for m in terms], rtol=1e-6, atol=1e-8)


def test_dW_contrib_exact_where_batch_rows_cancel_or_underflow():
    """‖Σ_b L_b ⊗ R_b‖_F from Gram matrices squares the condition: rows that cancel to 1e-7
    of their size were 0.5% off, and rows whose large entries sit in different
    rows of L and R (Gram products of 1e-400) gave 0."""
    rng = np.random.default_rng(0)
    l, r = rng.standard_normal(5), rng.standard_normal(3)
    L = np.stack([l, -l * (1 + 1e-7)])[None]  # (T=1, B=2, 5): rows cancel to 1e-7
    R = np.stack([r, r])[None]
    want = np.linalg.norm(L[0, 0] + L[0, 1]) * np.linalg.norm(r)  # L[0,0] + L[0,1] is exact
    np.testing.assert_allclose(_outer_norms(L, R), [want], rtol=1e-8)
    L = np.array([[[1.0, 0.0], [1e-200, 0.0]], [[1.0, 2.0], [3.0, 4.0]]])  # step 1: no cancelling
    R = np.array([[[1e-200, 0.0, 0.0], [1.0, 0.0, 0.0]], [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]])
    want = [2e-200, np.linalg.norm(L[1].T @ R[1])]
    np.testing.assert_allclose(_outer_norms(L, R), want, rtol=1e-12)


def test_overflow_is_marked_not_raised():
    T, H = 800, 8
    rng = np.random.default_rng(0)
    params = cells.init_params("rnn", H, H, rng)
    params["weight_hh"] = 3.0 * np.linalg.qr(rng.standard_normal((H, H)))[0]
    flow = gf.gradient_flow("rnn", params, rng.standard_normal((T, 1, H)),
                            gf.make_upstream(T, 1, H, "last", rng), nonlinearity="linear")
    assert not flow.finite
    assert flow.nonfinite_where == "forward"  # 3^800 overflows in the forward pass already
    assert flow.first_nonfinite == int(np.flatnonzero(~np.isfinite(flow.hs).all(axis=(1, 2)))[0])
    assert 600 < flow.first_nonfinite < 700  # 3^k passes 1.8e308 near k = 646

    params = {**params, "bias_ih": np.zeros(H), "bias_hh": np.zeros(H)}
    flow = gf.gradient_flow("rnn", params, np.zeros((T, 1, H)), gf.make_upstream(T, 1, H, "last", rng),
                            nonlinearity="tanh")
    assert not flow.finite and flow.nonfinite_where == "backward"  # zero input: the state stays 0
    assert not np.isfinite(flow.dh_norm[0, 0]) and np.isfinite(flow.dh_norm[-1, 0])
    assert flow.first_nonfinite == int(np.flatnonzero(~np.isfinite(flow.dh_norm[:, 0]))[-1])


def test_truncation_blocks_cut_the_gradient():
    params, xs, up, h0, c0 = problem("lstm", T=10, loss="last")
    flow = gf.gradient_flow("lstm", params, xs, up, h0, c0, truncate=4)
    assert flow.block_starts == (0, 4, 8)
    assert np.all(flow.dh_norm[:8] == 0) and np.all(flow.dh_norm[8:] > 0)
    assert np.all(flow.dh_prev_cell_norm[8] == 0)


def test_make_upstream_modes():
    up = gf.make_upstream(5, 2, 3, "last", 0)
    np.testing.assert_allclose(np.linalg.norm(up[-1], axis=1), 1.0)
    assert np.all(up[:-1] == 0)
    up = gf.make_upstream(5, 2, 3, "sum", 0)
    np.testing.assert_allclose(np.linalg.norm(up, axis=2), 1.0)


def test_inputs_are_not_mutated():
    params, xs, up, h0, c0 = problem("lstm")
    copies = [a.copy() for a in (*params.values(), xs, up, h0, c0)]
    gf.gradient_flow("lstm", params, xs, up, h0, c0, truncate=2)
    for a, b in zip((*params.values(), xs, up, h0, c0), copies):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- sweep
@pytest.mark.parametrize("cell,opts", CONFIGS, ids=IDS)
@pytest.mark.parametrize("B,truncate,loss", [(1, None, "last"), (2, 4, "sum")])
def test_sweep_equals_loop(cell, opts, B, truncate, loss):
    rhos = np.array([0.0, 0.5, 0.95, 1.3, 2.0])
    T, H, D = 25, 6, 4
    params, xs, up = sweep_base_problem(cell, T, H, D, B, seed=3, loss=loss)
    batched = gf.sweep(cell, params, xs, up, rhos, truncate=truncate, **opts)
    assert batched.shape == (5, T)
    for r, rho in enumerate(rhos):
        flow = gf.gradient_flow(cell, {**params, "weight_hh": rho * params["weight_hh"]}, xs, up,
                                truncate=truncate, **opts)
        loop = np.sqrt(np.sum(flow.dh_norm ** 2, axis=1))
        chaotic = cell == "rnn" and rho > 1.5  # one ulp of input moves dh by ~1e-10 there
        np.testing.assert_allclose(batched[r], loop, rtol=1e-9 if chaotic else 1e-12, atol=1e-300)


def test_sweep_cell_state():
    rhos = [0.5, 1.0]
    params, xs, up = sweep_base_problem("lstm", 12, 5, seed=1)
    got = gf.sweep("lstm", params, xs, up, rhos, state="c")
    flow = gf.gradient_flow("lstm", {**params, "weight_hh": 1.0 * params["weight_hh"]}, xs, up)
    np.testing.assert_allclose(got[1], flow.dc_norm[:, 0], rtol=1e-12)


# ---------------------------------------------------------------- bad input
def _good():
    params, xs, up, h0, c0 = problem("lstm", T=4, B=2, D=3, H=4)
    return {"cell": "lstm", "params": params, "xs": xs, "upstream": up, "h0": h0, "c0": c0}


def _with_params(**change):
    good = _good()
    return {**good, "params": {**good["params"], **change}}


@pytest.mark.parametrize("change,match", [
    ({"cell": "transformer"}, r"unknown cell 'transformer': expected one of rnn, lstm, gru"),
    ({"xs": np.zeros((0, 2, 3))}, r"T = 0"),
    ({"xs": np.zeros((4, 3))}, r"xs has shape \(4, 3\), expected \(\?, \?, \?\)"),
    ({"upstream": np.zeros((4, 2, 5))}, r"upstream has shape \(4, 2, 5\), expected \(4, 2, 4\)"),
    ({"h0": np.zeros((3, 4))}, r"h0 has shape \(3, 4\), expected \(2, 4\)"),
    ({"xs": np.full((4, 2, 3), np.nan)}, r"xs contains non-finite values"),
    ({"upstream": np.full((4, 2, 4), np.inf)}, r"upstream contains non-finite"),
    ({"xs": [["a"]]}, r"xs must be a numeric array"),
])
def test_bad_inputs_raise_clear_errors(change, match):
    args = _good() | change
    with pytest.raises(ValueError, match=match):
        gf.gradient_flow(args["cell"], args["params"], args["xs"], args["upstream"], args["h0"], args["c0"])


@pytest.mark.parametrize("kwargs,match", [
    ({"params": {"weight_ih": 0}}, r"params must be a dict with keys"),
    ({"params": _with_params(weight_hh=np.zeros((12, 4)))["params"]}, r"weight_hh has shape \(12, 4\), expected \(4·H, H\)"),
    ({"params": _with_params(weight_ih=np.zeros((16, 5)))["params"]}, r"weight_ih has shape \(16, 5\), expected \(16, 3\)"),
    ({"params": _with_params(bias_hh=np.full(16, np.nan))["params"]}, r"bias_hh contains non-finite"),
    ({"truncate": 0}, r"truncate must be None or an integer ≥ 1"),
    ({"variant": "keras"}, r"unknown variant 'keras'"),
    ({"nonlinearity": "gelu"}, r"unknown nonlinearity 'gelu'"),
])
def test_bad_options_raise_clear_errors(kwargs, match):
    args = _good()
    params = kwargs.pop("params", args["params"])
    with pytest.raises(ValueError, match=match):
        gf.gradient_flow("lstm", params, args["xs"], args["upstream"], **kwargs)


def test_c0_for_a_cell_without_cell_state():
    params, xs, up, h0, _ = problem("gru", T=3)
    with pytest.raises(ValueError, match="c0 is for the LSTM only"):
        gf.gradient_flow("gru", params, xs, up, h0, np.zeros_like(h0))


def _sweep_args(**change):
    params, xs, up = sweep_base_problem("gru", 5, 3, B=2)
    return {"cell": "gru", "params": params, "xs": xs, "upstream": up, "rhos": [1.0]} | change


@pytest.mark.parametrize("kwargs,match", [
    ({"rhos": []}, "rhos must be a non-empty"), ({"rhos": [-1.0]}, "rhos must be"),
    ({"rhos": [np.nan]}, "rhos must be"), ({"xs": np.zeros((0, 2, 3))}, r"T = 0"),
    ({"cell": "lstm"}, r"weight_hh has shape \(9, 3\), expected \(4·H, H\)"),
    ({"upstream": np.zeros((5, 2, 4))}, r"upstream has shape \(5, 2, 4\), expected \(5, 2, 3\)"),
    ({"xs": np.full((5, 2, 3), np.inf)}, "xs contains non-finite"),
    ({"truncate": 0}, "truncate must be None"), ({"variant": "keras"}, "unknown variant"),
    ({"state": "c"}, "state must be 'h'"),
])
def test_sweep_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        gf.sweep(**_sweep_args(**kwargs))


def test_sweep_leaves_its_inputs_alone():
    args = _sweep_args(rhos=np.array([0.5, 2.0]))
    copies = {k: v.copy() for k, v in args["params"].items()}, args["xs"].copy(), args["upstream"].copy()
    gf.sweep(**args)
    for k, v in copies[0].items():
        np.testing.assert_array_equal(args["params"][k], v)
    np.testing.assert_array_equal(args["xs"], copies[1])
    np.testing.assert_array_equal(args["upstream"], copies[2])


def test_unroll_and_backprop_are_the_cells_fast_path():
    params, xs, up, h0, c0 = problem("lstm")
    hs, cs, cache = gf.unroll("lstm", params, xs, h0, c0)
    back = gf.backprop("lstm", up, cache, truncate=2)
    flow = gf.gradient_flow("lstm", params, xs, up, h0, c0, truncate=2)
    np.testing.assert_array_equal(hs, flow.hs)
    np.testing.assert_array_equal(cs, flow.cs)
    np.testing.assert_array_equal(back["dh"], flow.dh)
    for k, g in back["grads"].items():
        np.testing.assert_array_equal(g, flow.grads[k])


def test_make_upstream_bad_mode():
    with pytest.raises(ValueError, match="unknown loss mode"):
        gf.make_upstream(3, 1, 2, "mean", 0)


@pytest.mark.parametrize("bad", [["tanh"], {"a": 1}, np.array(["tanh"]), np.array(["tanh", "relu"]), None])
def test_option_names_of_any_type_raise_value_error(bad):
    """Names are strings: a list or dict, or an array (['tanh'] passed `in`, two entries raised
    NumPy's truth-value error) must give the same clear error as an unknown string."""
    args = _good()
    for kwargs, match in (({"nonlinearity": bad}, "unknown nonlinearity"), ({"variant": bad}, "unknown variant")):
        with pytest.raises(ValueError, match=match):
            gf.gradient_flow("lstm", args["params"], args["xs"], args["upstream"], **kwargs)
    with pytest.raises(ValueError, match="unknown cell"):
        gf.gradient_flow(bad, args["params"], args["xs"], args["upstream"])
    with pytest.raises(ValueError, match="unknown loss mode"):
        gf.make_upstream(3, 1, 2, bad, 0)
    with pytest.raises(ValueError, match="state must be 'h'"):
        gf.sweep(**_sweep_args(cell="lstm", params=sweep_base_problem("lstm", 5, 3, B=2)[0], state=bad))


def test_norm_is_exact_for_huge_tiny_zero_and_nonfinite_rows():
    """The one-dot-product norm falls back to scaling wherever squares overflow or underflow."""
    rows = np.array([[3.0, 4.0], [0.0, 0.0], [3e-200, 4e-200], [3e200, 4e200], [1e-170, 0.0],
                     [3e-160, 4e-160], [np.inf, 1.0], [np.nan, 1.0], [-np.inf, np.nan]])
    want = [5.0, 0.0, 5e-200, 5e200, 1e-170, 5e-160, np.inf, np.nan, np.nan]
    np.testing.assert_allclose(_norm(rows), want, rtol=1e-15)
    stacked = np.stack([rows, rows[::-1]])  # (2, 9, 2): any leading shape
    np.testing.assert_allclose(_norm(stacked), [want, want[::-1]], rtol=1e-15)
