"""Property-based fuzzing of gradient_flow, make_upstream, sweep and the Jacobians of a Flow.

Properties: a Flow or a clear ValueError, never another exception; no input
mutated; overflow marked, never silent (finite=False, first_nonfinite and
nonfinite_where set, per-step norms consistent with the vectors); the batched
sweep equals a loop of gradient_flow over the radii; step Jacobians equal
finite differences, and their norms and running products equal direct SVDs.
"""

import numpy as np
from fuzz_support import (ANY_DTYPES, CELLS, LENGTHS, OPTIONS, Problem, assert_directional, assert_unchanged, fill,
                          has_nonfinite, names, outcome, problems, ref_step, rng_from, robust_norm,
                          same_finiteness_and_close, seeds, snapshot, sometimes, sweep_base_problem, unit)
from hypothesis import example, given
from hypothesis import strategies as st

import gradflow as gf
from gradflow import cells, jacobians
from gradflow.cells import gru, rnn


# --------------------------------------------------------------------------
# gradient_flow on anything: a Flow or a clear ValueError, inputs untouched
# --------------------------------------------------------------------------
TRUNCATES = st.one_of(st.none(), st.integers(-2, 14), st.sampled_from([2.0, 2.5, "2", True, np.int64(3)]))
REAL_DTYPES = tuple(d for d in ANY_DTYPES if d is not np.complex128)  # complex: a clear ValueError (tested in test_fuzz_engine)


@st.composite
def engine_inputs(draw, dtypes=REAL_DTYPES, truncates=TRUNCATES):
    """(args, kwargs, valid): every option, shape, magnitude and dtype, sometimes wrong."""
    bad = []  # why the inputs are invalid, if they are
    cell = draw(names(CELLS))
    if cell not in CELLS:
        bad.append("cell")
    nonlinearity, variant = draw(names(rnn.NONLINEARITIES)), draw(names(gru.VARIANTS))
    bad += [n for n, v, ok in (("nonlinearity", nonlinearity, rnn.NONLINEARITIES), ("variant", variant, gru.VARIANTS))
            if v not in ok]
    T = draw(LENGTHS)
    B, D, H = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    truncate = draw(truncates)
    if truncate is not None and (isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer))
                                 or truncate < 1):  # an int ≥ 1 (2.0 too is refused, like every size)
        bad.append("truncate")
    G = cells.NUM_GATES.get(cell, 1)
    rng = rng_from(draw)
    rho = draw(st.floats(0.0, 10.0))  # ≈ spectral radius of each weight_hh block
    shapes = {"weight_ih": (G * H, D), "weight_hh": (G * H, H), "bias_ih": (G * H,), "bias_hh": (G * H,),
              "xs": (T, B, D), "upstream": (T, B, H), "h0": (B, H), "c0": (B, H)}
    wrong = draw(sometimes(st.none(), st.sampled_from(sorted(shapes)), odds=6))
    if wrong:  # one array gets a wrong shape: one more or one fewer along a random axis, or a lost axis
        shape = list(shapes[wrong])
        how = draw(st.sampled_from(["grow", "shrink", "drop"]))
        if how == "drop" or shape[-1] == 1 and how == "shrink":
            shape = shape[:-1]
        else:
            shape[draw(st.integers(0, len(shape) - 1))] += 1 if how == "grow" else -1
        shapes[wrong] = tuple(shape)
    special = draw(sometimes(st.just(0.0), st.sampled_from([0.01, 0.3, 1.0]), odds=5))
    arrays = {}
    for name, shape in shapes.items():
        dtype = draw(sometimes(st.just(np.float64), st.sampled_from(dtypes), odds=6))
        scale = {"weight_hh": rho / np.sqrt(H)}.get(name, draw(st.sampled_from([0.0, 1.0, 1.0, 3.0, 1e8, 1e300])))
        arrays[name] = fill(rng, shape, scale, dtype, special if draw(st.booleans()) else 0.0)
    if wrong != "upstream" and not draw(st.booleans()):  # a loss made by make_upstream
        arrays["upstream"] = gf.make_upstream(T, B, H, draw(st.sampled_from(["last", "sum"])), rng)
    h0 = draw(st.sampled_from(["none", "given"]))
    c0 = draw(st.sampled_from(["none", "given"]))
    arrays["h0"] = None if h0 == "none" else arrays["h0"]
    arrays["c0"] = None if c0 == "none" else arrays["c0"]
    if wrong and arrays.get(wrong) is not None:
        bad.append(f"shape of {wrong}")
    if arrays["c0"] is not None and cell in CELLS and cell != "lstm":
        bad.append("c0 for a cell without c")
    if has_nonfinite(*arrays.values()):
        bad.append("non-finite input")
    params = {k: arrays.pop(k) for k in cells.PARAM_NAMES}
    args = (cell, params, arrays["xs"], arrays["upstream"], arrays["h0"], arrays["c0"])
    return args, {"truncate": truncate, "nonlinearity": nonlinearity, "variant": variant}, bad


@given(engine_inputs())
def test_gradient_flow_gives_a_flow_or_a_clear_error(inputs):
    args, kwargs, bad = inputs
    before = snapshot((args, kwargs))
    flow, err = outcome(gf.gradient_flow, *args, **kwargs)
    assert_unchanged(before, (args, kwargs))
    assert (err is not None) == bool(bad), f"invalid because {bad}, yet no ValueError" if bad else f"raised {err}"
    if flow is not None:
        assert_flow_consistent(flow, args, kwargs)
        assert_overflow_marked(flow)


def assert_flow_consistent(flow, args, kwargs):
    cell, params, xs = args[:3]
    T, B, D = np.shape(xs)
    H = np.shape(params["weight_hh"])[1]
    lstm = cell == "lstm"
    for name in ("hs", "dh", "dx", "dh_norm", "dx_norm", "dW_contrib", "h0", "dh0"):
        a = getattr(flow, name)
        want = {"dx": (T, B, D), "dh_norm": (T, B), "dx_norm": (T, B), "dW_contrib": (T,), "h0": (B, H),
                "dh0": (B, H)}.get(name, (T, B, H))
        assert a.dtype == np.float64 and a.shape == want, name
    for name in ("cs", "dc", "c0", "dc0", "dc_norm", "dh_prev_cell", "dh_prev_hidden"):
        assert (getattr(flow, name) is not None) == lstm, name
    assert set(flow.gates) == set(cells.GATES[cell]) and all(g.shape == (T, B, H) for g in flow.gates.values())
    assert {k: v.shape for k, v in flow.grads.items()} == {k: np.shape(v) for k, v in params.items()}
    truncate = flow.options["truncate"]
    assert truncate is None or 1 <= truncate < T
    assert flow.block_starts == tuple(range(0, T, truncate or T))
    for vec, norm in (("dh", "dh_norm"), ("dc", "dc_norm"), ("dx", "dx_norm"),
                      ("dh_prev_cell", "dh_prev_cell_norm"), ("dh_prev_hidden", "dh_prev_hidden_norm")):
        if getattr(flow, vec) is not None:
            same_finiteness_and_close(getattr(flow, norm), robust_norm(getattr(flow, vec)), 1e-12, norm)


def assert_overflow_marked(flow):
    """Every state and gradient that holds inf/NaN is marked: finite False, where, and the step."""
    steps = lambda *arrays: sorted({int(t) for a in arrays if a is not None
                                    for t in np.flatnonzero(~np.isfinite(a.reshape(a.shape[0], -1)).all(1))})
    fwd = steps(flow.hs, flow.cs, *flow.gates.values())
    # the split's entry t is a gradient of h_{t-1}: a step earlier in the backward pass
    bwd = sorted(set(steps(flow.dh, flow.dc, flow.dx, flow.dW_contrib))
                 | {t - 1 for t in steps(flow.dh_prev_cell, flow.dh_prev_hidden)})
    totals_ok = all(a is None or np.isfinite(a).all() for a in (*flow.grads.values(), flow.dh0, flow.dc0))
    assert flow.finite == (not fwd and not bwd and totals_ok)
    if fwd:
        assert (flow.nonfinite_where, flow.first_nonfinite) == ("forward", fwd[0])
    elif bwd:
        # the latest step, where the backward pass met it first; one later when it is the gate
        # gradient at step t+1 that overflowed (it feeds dL/dh_t)
        assert flow.nonfinite_where == "backward" and flow.first_nonfinite in (bwd[-1], bwd[-1] + 1)
    elif not totals_ok:  # only sums over steps (grads) or step 0's dL/dh0, dL/dc0 overflowed
        assert (flow.nonfinite_where, flow.first_nonfinite) == ("backward", 0)
    else:
        assert flow.nonfinite_where is None and flow.first_nonfinite is None


@st.composite
def overflowing_inputs(draw):
    """Valid inputs pushed towards overflow: ρ up to 10, T up to 1000, huge inputs and losses."""
    cell = draw(st.sampled_from(CELLS))
    opts = draw(st.sampled_from(OPTIONS[cell]))
    T = draw(st.one_of(st.integers(1, 30), st.sampled_from([100, 400, 1000])))
    B, D, H = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    rng = rng_from(draw)
    params = cells.init_params(cell, D, H, rng)
    params["weight_hh"] *= draw(st.floats(0.0, 10.0)) * np.sqrt(3.0)  # U(-1/√H, 1/√H) has σ = 1/√(3H)
    scale = lambda: draw(st.sampled_from([0.0, 1.0, 1e100, 1e200, 1e300, 1e307]))
    xs = scale() * rng.standard_normal((T, B, D))
    up = scale() * gf.make_upstream(T, B, H, draw(st.sampled_from(["last", "sum"])), rng)
    h0 = scale() * rng.standard_normal((B, H))
    c0 = scale() * rng.standard_normal((B, H)) if cell == "lstm" else None
    return Problem(cell, opts, params, xs, up, h0, c0, draw(st.one_of(st.none(), st.integers(1, T))))


def _linear_rnn(w_hh, T, x=0.0, w_ih=0.0, up_last=1.0, h0=0.0):
    p = {"weight_ih": np.array([[w_ih]]), "weight_hh": np.array([[w_hh]]), "bias_ih": np.zeros(1),
         "bias_hh": np.zeros(1)}
    up = np.zeros((T, 1, 1))
    up[-1] = up_last
    return Problem("rnn", {"nonlinearity": "linear"}, p, np.full((T, 1, 1), x), up, np.full((1, 1), h0), None, None)


@given(overflowing_inputs())
@example(_linear_rnn(10.0, 309))  # dh[0] = 1e308 finite, dh0 = 1e309 = inf: was finite=True
@example(_linear_rnn(1.0, 1, up_last=1e100, h0=1e100))  # dW_contrib true 1e200: was inf with finite=True
@example(_linear_rnn(1.0, 1, x=1e200, w_ih=1e-200, up_last=1e200))  # grads inf: first_nonfinite was None
def test_overflow_is_marked_never_silent(prob):
    inputs = snapshot(prob)
    flow = prob.flow()
    assert_unchanged(vars(inputs), vars(prob))
    assert_overflow_marked(flow)
    assert_flow_consistent(flow, (prob.cell, prob.params, prob.xs), {})


# --------------------------------------------------------------------------
# make_upstream and sweep
# --------------------------------------------------------------------------
@given(st.integers(-1, 6), st.integers(-1, 4), st.integers(-1, 5), names(["last", "sum"]),
       st.one_of(seeds(), st.builds(np.random.default_rng, seeds())))
def test_make_upstream(T, B, H, mode, rng):
    up, err = outcome(gf.make_upstream, T, B, H, mode, rng)
    assert (err is not None) == (min(T, B, H) < 1 or mode not in ("last", "sum"))
    if up is None:
        return
    assert up.shape == (T, B, H) and up.dtype == np.float64
    steps = T if mode == "sum" else 1
    np.testing.assert_allclose(np.linalg.norm(up[T - steps:], axis=2), 1.0, rtol=1e-12)
    assert not up[:T - steps].any()
    if isinstance(rng, int):
        np.testing.assert_array_equal(up, gf.make_upstream(T, B, H, mode, rng))  # no hidden global state


@st.composite
def sweep_inputs(draw):
    """A base problem (always a valid one: building it is not the sweep's job) and sweep arguments,
    sometimes wrong: a cell that does not match the params, bad radii, options or shapes."""
    pcell = draw(st.sampled_from(CELLS))
    kind = draw(st.sampled_from(["orthogonal", "gaussian", "symmetric", "nonnormal"]))
    T = draw(LENGTHS)
    H, B, D = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    input_scale = draw(st.sampled_from([0.0, 1.0, 3.0, 1e300]))
    forget_bias = draw(st.sampled_from([0.0, 0.0, 1.0])) if pcell == "lstm" else 0.0
    params, xs, up = sweep_base_problem(pcell, T, H, D, B, kind, draw(seeds()), draw(st.sampled_from(["last", "sum"])),
                                        input_scale, forget_bias)
    cell = draw(sometimes(st.just(pcell), names(CELLS)))
    rhos = draw(sometimes(st.lists(st.floats(0.0, 10.0), min_size=1, max_size=4),
                          st.sampled_from([[], [-1.0], [np.nan], [np.inf], [[1.0, 2.0]], [1.0, 1e300]])))
    wrong_up = draw(sometimes(st.just(False), st.just(True), odds=8))
    if wrong_up:
        up = np.zeros((T, B, H + 1))
    kw = {"truncate": draw(st.one_of(st.none(), st.integers(0, T + 1))),
          "nonlinearity": draw(names(rnn.NONLINEARITIES)), "variant": draw(names(gru.VARIANTS)),
          "state": draw(names(["h", "c"]))}
    bad = [n for n, ok in (("cell", cell == pcell), ("upstream", not wrong_up),
                           ("nonlinearity", kw["nonlinearity"] in rnn.NONLINEARITIES),
                           ("variant", kw["variant"] in gru.VARIANTS), ("truncate", kw["truncate"] != 0),
                           ("rhos", np.ndim(rhos) == 1 and len(rhos) > 0 and np.isfinite(rhos).all()
                            and (np.asarray(rhos) >= 0).all()),
                           ("state", kw["state"] == "h" or (kw["state"] == "c" and cell == "lstm"))) if not ok]
    return cell, (params, xs, up), rhos, kw, bad


@given(sweep_inputs())
def test_sweep_equals_a_loop_of_gradient_flow(inputs):
    cell, (params, xs, up), rhos, kw, bad = inputs
    before = snapshot((rhos, params, xs, up))
    out, err = outcome(gf.sweep, cell, params, xs, up, rhos, **kw)
    assert_unchanged(before, (rhos, params, xs, up))
    assert (err is not None) == bool(bad), f"invalid because {bad}, yet no ValueError" if bad else f"raised {err}"
    if out is None:
        return
    T = xs.shape[0]
    assert out.shape == (len(rhos), T) and out.dtype == np.float64
    if T > 200:
        return  # the loop below is the slow part; long runs are compared in the shorter cases' shape
    opts = {k: kw[k] for k in ("truncate", "nonlinearity", "variant")}
    for r, rho in enumerate(rhos):
        def loop(scale):
            flow = gf.gradient_flow(cell, {**params, "weight_hh": scale * params["weight_hh"]}, xs, up, **opts)
            g = flow.dh if kw["state"] == "h" else flow.dc
            return robust_norm(g.reshape(T, -1)), flow
        want, flow = loop(rho)
        wobble, _ = loop(rho * (1 + 4e-16))  # a few ulps of ρ: how much rounding alone can move the result
        with np.errstate(all="ignore"):
            tol = 1e-9 * np.abs(want) + 100 * np.abs(wobble - want)
        fin = np.isfinite(want) & np.isfinite(wobble)
        assert (np.isfinite(out[r][fin])).all(), f"ρ={rho}: sweep non-finite where the loop is finite"
        assert (np.abs(out[r][fin] - want[fin]) <= tol[fin]).all(), f"ρ={rho}: sweep differs from the loop"
        if not flow.finite:
            assert not np.isfinite(out[r]).all() or not fin.all(), f"ρ={rho}: loop overflowed, sweep silent"


# --------------------------------------------------------------------------
# Jacobians of a Flow (gradflow.jacobians)
# --------------------------------------------------------------------------
STEP_INDICES = st.sampled_from([-1, 1.5, "0", None, True])


@given(problems(T_max=8), st.data())
def test_flow_jacobians(prob, data):
    flow = prob.flow()
    T, B, H = flow.hs.shape
    D = prob.xs.shape[2]
    draw = data.draw
    t = draw(st.one_of(st.integers(0, T - 1), st.integers(0, T - 1), st.just(T), STEP_INDICES), label="t")
    b = draw(st.one_of(st.integers(0, B - 1), st.integers(0, B - 1), st.just(B), STEP_INDICES), label="b")
    params = prob.params
    wrong_params = draw(st.sampled_from([False] * 4 + [True]), label="wrong params")
    if wrong_params:
        params = cells.init_params(prob.cell, D + 1, H, 0)  # a model that did not make this Flow
    before = snapshot((params, vars(flow)))
    ok = lambda i, n: type(i) in (int, np.int64) and 0 <= i < n

    J, err = outcome(jacobians.step_jacobian, flow, params, t, b)
    assert (err is None) == (ok(t, T) and ok(b, B) and not wrong_params), err
    if J is not None:  # ∂h_t/∂h_{t-1} (c_{t-1} held) against finite differences of the independent unroll
        h_prev = (flow.h0 if t == 0 else flow.hs[t - 1])[b:b + 1]
        c_prev = None if flow.cs is None else (flow.c0 if t == 0 else flow.cs[t - 1])[b:b + 1]
        state = lambda h: ref_step(prob.cell, prob.opts, prob.xs[t, b:b + 1], h, c_prev, params)[0][0]
        v = unit(rng_from(draw), (1, H))
        for j in range(H):
            assert_directional(f"J[{j}]", (J @ v[0])[j], lambda s: state(h_prev + s * v)[j], state(h_prev)[j])

    norms, err = outcome(jacobians.jacobian_norms, flow, params, chunk=draw(st.integers(1, 5)))
    assert (err is None) == (not wrong_params), err
    if norms is not None:
        exact = np.array([[np.linalg.norm(jacobians.step_jacobian(flow, params, s, r), 2) for r in range(B)]
                          for s in range(T)])
        np.testing.assert_allclose(norms, exact, rtol=1e-9, atol=1e-300)
        lower = jacobians.jacobian_norms(flow, params, exact_max_H=0, iterations=draw(st.integers(1, 50)))
        assert (lower <= exact * (1 + 1e-9) + 1e-300).all(), "power iteration exceeded the spectral norm"

    k_max = draw(st.integers(-1, T + 2), label="k_max")
    prods, err = outcome(jacobians.jacobian_product_norms, flow, params, t, b, k_max)
    if k_max < 1:  # nothing to multiply: an empty curve or a ValueError
        assert err is not None or prods.size == 0
    else:
        assert (err is None) == (ok(t, T) and ok(b, B) and not wrong_params), err
    if prods is not None and k_max >= 1:
        assert prods.shape == (min(k_max, t + 1),)
        product = np.eye(H)
        for k in range(len(prods)):
            product = product @ jacobians.step_jacobian(flow, params, t - k, b)
            np.testing.assert_allclose(prods[k], np.linalg.norm(product, 2), rtol=1e-9, atol=1e-300)

    fp, err = outcome(jacobians.forget_product, flow)
    assert (err is None) == (prob.cell == "lstm")
    if fp is not None:
        f = flow.gates["f"]
        want = np.stack([np.prod(f[s + 1:], axis=0).mean(axis=-1) for s in range(T)])
        np.testing.assert_allclose(fp, want, rtol=1e-12, atol=1e-300)
    assert_unchanged(before, (params, vars(flow)))
