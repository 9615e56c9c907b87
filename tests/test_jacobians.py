"""Per-step Jacobians of a Flow: the right states, exact closed forms, power iteration vs SVD."""

import ast
import inspect

import numpy as np
import pytest

import gradflow as gf
from gradflow import bptt, cells, checks, clipping, interop, jacobians, spectral
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
    np.testing.assert_allclose(jacobians.step_jacobian(flow, params, t, b), numeric, rtol=1e-6, atol=1e-9)


def test_running_product_matches_finite_differences_for_rnn():
    """Without a cell state, ∂h_t/∂h_{t−k} is exactly the product of step Jacobians."""
    cell, opts = "rnn", {"nonlinearity": "tanh"}
    params, flow = run(cell, opts)
    t, b, k, eps = 9, 0, 4, 1e-6
    h_start = flow.hs[t - k, b]
    numeric = np.stack([(unroll(cell, params, flow, opts, t - k + 1, t, b, h_start + eps * e)
                         - unroll(cell, params, flow, opts, t - k + 1, t, b, h_start - eps * e)) / (2 * eps)
                        for e in np.eye(5)], axis=1)
    norms = jacobians.jacobian_product_norms(flow, params, t, b, k_max=k)
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
    np.testing.assert_allclose(jacobians.jacobian_norms(flow, params), rho, rtol=1e-12)
    np.testing.assert_allclose(jacobians.jacobian_product_norms(flow, params, 19, k_max=10),
                               rho ** np.arange(1, 11), rtol=1e-12)


@pytest.mark.parametrize("cell,opts", CONFIGS)
def test_power_iteration_agrees_with_svd(cell, opts):
    params, flow = run(cell, opts, H=12, seed=2)
    exact = jacobians.jacobian_norms(flow, params)
    approx = jacobians.jacobian_norms(flow, params, exact_max_H=0, iterations=300)
    np.testing.assert_allclose(approx, exact, rtol=1e-4)
    assert np.all(approx <= exact * (1 + 1e-12))  # power iteration never overshoots


def test_forget_product():
    params, flow = run("lstm", {}, T=6)
    f = flow.gates["f"]
    got = jacobians.forget_product(flow)
    np.testing.assert_allclose(got[2], np.prod(f[3:], axis=0).mean(axis=1))
    np.testing.assert_allclose(got[-1], 1.0)
    with pytest.raises(ValueError, match="for the LSTM"):
        jacobians.forget_product(run("gru", {})[1])


def test_step_out_of_range():
    params, flow = run("rnn", {})
    with pytest.raises(ValueError, match="outside 0..11"):
        jacobians.step_jacobian(flow, params, 12)


@pytest.mark.parametrize("kwargs,word", [({"chunk": 0}, "chunk"), ({"chunk": -1}, "chunk"), ({"chunk": 2.0}, "chunk"),
                                         ({"iterations": 0, "exact_max_H": 0}, "iterations"),
                                         ({"iterations": -3}, "iterations")])
def test_jacobian_norms_refuses_empty_chunks_and_iterations(kwargs, word):
    """chunk 0 raised range()'s message, a negative chunk returned uninitialised memory, and
    iterations ≤ 0 returned ‖J v‖ of a random, unnormalised start vector."""
    params, flow = run("rnn", {})
    with pytest.raises(ValueError, match=f"{word} must be an integer ≥ 1"):
        jacobians.jacobian_norms(flow, params, **kwargs)


def test_spectral_holds_no_jacobians_of_a_flow():
    assert not any(hasattr(spectral, n) for n in ("step_jacobian", "jacobian_norms", "forget_product"))
    assert not hasattr(cells, "step_jacobian")  # the per-cell formula: cells.state_jacobian_batch


def _imports(module):
    """Names of the modules `module` imports anywhere in its source (relative ones resolved in gradflow)."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = "gradflow" + ("." + base if base else "")
            found |= {base} | {f"{base}.{a.name}" for a in node.names}
    return found


def test_engine_import_graph_has_no_cycle():
    """checks is a leaf; the engine does not reach up to the Jacobians or the spectra; the spectra,
    clipping and interop use the shared checks, not the cells."""
    assert {m.split(".")[0] for m in _imports(checks)} <= {"__future__", "numpy"}
    assert not {"gradflow.spectral", "gradflow.jacobians"} & _imports(bptt)
    for module in (spectral, clipping, interop):
        assert not {"gradflow.bptt", "gradflow.cells", "gradflow.jacobians"} & _imports(module), module.__name__
    assert "gradflow.bptt" in _imports(jacobians)


@pytest.mark.parametrize("not_a_flow", [None, {"cell": "rnn"}, "flow"])
def test_every_function_of_a_flow_refuses_a_non_flow(not_a_flow):
    """step_jacobian(None, ...) raised AttributeError: 'NoneType' object has no attribute 'T'."""
    params, _ = run("rnn", {})
    calls = [lambda f: jacobians.step_jacobian(f, params, 0), lambda f: jacobians.state_jacobian(f, params, 0),
             lambda f: jacobians.jacobian_norms(f, params), lambda f: jacobians.state_jacobian_norms(f, params),
             lambda f: jacobians.jacobian_product_norms(f, params, 0),
             lambda f: jacobians.state_product_norms(f, params, 0), jacobians.forget_product,
             jacobians.state_gradients, jacobians.lstm_cell_path_split]
    for call in calls:
        with pytest.raises(ValueError, match=f"flow must be a Flow .*got {type(not_a_flow).__name__}"):
            call(not_a_flow)
