"""Property-based fuzzing of the cells: the fast sequence path against the one-step
reference (float64 and float32, extreme values), every gradient of gradient_flow
against centered finite differences of an independent float64 unroll, the
one-step backward and Jacobian against finite differences, init_params.
"""

import numpy as np
import pytest
from fuzz_support import (CELLS, OPTIONS, Problem, assert_clear, assert_directional, assert_unchanged, fill, names,
                          outcome, problems, ref_step, relu_kink_nearby, rng_from, robust_norm, snapshot, unit)
from hypothesis import assume, example, given
from hypothesis import strategies as st

import gradflow as gf
from gradflow import cells


@given(problems(), st.data())
def test_gradients_match_finite_differences(prob, data):
    flow = prob.flow()
    assert flow.finite
    assume(not relu_kink_nearby(prob.opts, prob.params, prob.xs, np.concatenate([flow.h0[None], flow.hs[:-1]])))
    rng = rng_from(data.draw)
    starts = {t: (flow.hs[t - 1], None if flow.cs is None else flow.cs[t - 1]) for t in range(1, flow.T)}
    L0 = prob.loss(starts=starts)
    T, B, D = prob.xs.shape
    H = flow.hs.shape[2]

    for k, g in flow.grads.items():
        v = unit(rng, g.shape)
        assert_directional(f"grads[{k}]", np.sum(g * v),
                           lambda s: prob.loss(params={**prob.params, k: prob.params[k] + s * v}, starts=starts), L0)
    v = unit(rng, prob.xs.shape)
    assert_directional("dx", np.sum(flow.dx * v), lambda s: prob.loss(xs=prob.xs + s * v, starts=starts), L0)
    v, h0 = unit(rng, (B, H)), flow.h0
    assert_directional("dh0", np.sum(flow.dh0 * v), lambda s: prob.loss(h0=h0 + s * v, starts=starts), L0)
    t = data.draw(st.integers(0, T - 1), label="t")
    v = unit(rng, (B, H))
    assert_directional(f"dh[{t}]", np.sum(flow.dh[t] * v),
                       lambda s: prob.loss(starts=starts, inject={t: {"dh": s * v}}), L0)
    if prob.cell == "lstm":
        v, c0 = unit(rng, (B, H)), flow.c0
        assert_directional("dc0", np.sum(flow.dc0 * v), lambda s: prob.loss(c0=c0 + s * v, starts=starts), L0)
        assert_directional(f"dc[{t}]", np.sum(flow.dc[t] * v),
                           lambda s: prob.loss(starts=starts, inject={t: {"dc": s * v}}), L0)
        k = prob.truncate or T
        if t == 0 or t % k:  # at a block start no gradient reaches h_{t-1}: the split is 0 there
            for part, key in (("dh_prev_cell", "dh_ifg"), ("dh_prev_hidden", "dh_o")):
                assert_directional(f"{part}[{t}]", np.sum(getattr(flow, part)[t] * v),
                                   lambda s: prob.loss(starts=starts, inject={t: {key: s * v}}), L0)
        else:
            assert not flow.dh_prev_cell[t].any() and not flow.dh_prev_hidden[t].any()
    assert_dW_contrib_is_per_step_term(prob, flow)


def per_step_terms(prob, flow):
    """Step t's term in ∂L/∂weight_hh, by the one-step reference backward from the Flow's total
    dL/dh_t (and dL/dc_t), for the batch and for each row: (terms (T, G·H, H), row_sizes (T,)),
    row_sizes[t] = Σ_b ‖row b's term‖_F, the size of what the term sums."""
    T, B = flow.hs.shape[:2]
    k = prob.truncate or T
    module = cells.MODULES[prob.cell]
    h_prev = np.concatenate([flow.h0[None], flow.hs[:-1]])
    c_prev = None if flow.cs is None else np.concatenate([flow.c0[None], flow.cs[:-1]])

    def term(t, rows):
        if prob.cell == "lstm":
            _, _, cache = module.step_forward(prob.xs[t, rows], h_prev[t, rows], c_prev[t, rows], prob.params)
            dc_next = flow.dc[t + 1, rows] * flow.gates["f"][t + 1, rows] if (t + 1) % k and t + 1 < T else 0.0
            return module.step_backward(flow.dh[t, rows], dc_next, cache)[3]["weight_hh"]
        _, cache = module.step_forward(prob.xs[t, rows], h_prev[t, rows], prob.params, **prob.opts)
        return module.step_backward(flow.dh[t, rows], cache)[2]["weight_hh"]

    terms = np.stack([term(t, slice(None)) for t in range(T)])
    sizes = np.array([sum(robust_norm(term(t, slice(b, b + 1)).ravel(), axis=0) for b in range(B)) for t in range(T)])
    return terms, sizes


def dW_contrib_errors(prob, flow):
    """(|dW_contrib − ‖term‖|, allowed) per step: a norm of a sum is good to rounding of the summed
    sizes, 1e-13·Σ_b‖row term‖, plus 1e-9 relative. None where ‖term‖ leaves 1e-150..1e150
    (see test_dW_contrib_at_any_scale)."""
    terms, sizes = per_step_terms(prob, flow)
    norms = np.array([robust_norm(m.ravel(), axis=0) for m in terms])
    if not ((sizes == 0) | ((sizes > 1e-150) & (sizes < 1e150))).all():
        return None
    return np.abs(flow.dW_contrib - norms), 1e-9 * norms + 1e-13 * sizes, norms, sizes


def assert_dW_contrib_is_per_step_term(prob, flow):
    """dW_contrib[t] = ‖step t's term in ∂L/∂weight_hh‖_F, and the terms sum to grads, also where
    batch rows cancel each other (test_dW_contrib_when_batch_rows_cancel)."""
    terms, _ = per_step_terms(prob, flow)
    total = terms.sum(axis=0)
    np.testing.assert_allclose(flow.grads["weight_hh"], total, rtol=1e-9, atol=1e-12 * np.abs(total).max())
    errors = dW_contrib_errors(prob, flow)
    if errors is not None:
        err, allowed, norms, _ = errors
        assert (err <= allowed).all(), f"dW_contrib {flow.dW_contrib} vs terms {norms}"


_TINY_LSTM = Problem("lstm", {}, {"weight_ih": np.zeros((4, 1)), "weight_hh": np.full((4, 1), 0.5),
                                   "bias_ih": np.zeros(4), "bias_hh": np.zeros(4)},
                     np.zeros((2, 1, 1)), np.array([[[0.0]], [[1.0]]]), np.full((1, 1), 0.7), np.full((1, 1), 0.3), None)
_CANCELLING_RNN = Problem(  # two batch rows whose losses have opposite signs: step 7's row terms cancel to 1e-8
    "rnn", {"nonlinearity": "tanh"}, {"weight_ih": np.array([[0.27392337]]), "weight_hh": np.array([[-0.46042657]]),
                                      "bias_ih": np.array([-0.91805295]), "bias_hh": np.array([-0.96694473])},
    np.zeros((8, 2, 1)), np.concatenate([np.zeros((7, 2, 1)), [[[-1.0], [1.0]]]]),
    np.array([[-0.33259734], [0.17575504]]), None, None)


@given(problems(), st.sampled_from([1e-200, 1e-170, 1e170, 1e200]))
@example(_TINY_LSTM, 1e-160)
def test_dW_contrib_at_any_scale(prob, scale):
    """The loss is linear in upstream, so every gradient, dW_contrib included, scales with it."""
    flow = prob.flow()
    scaled = gf.gradient_flow(prob.cell, prob.params, prob.xs, scale * prob.up, prob.h0, prob.c0,
                              truncate=prob.truncate, **prob.opts)
    # batch rows may cancel: rounding is relative to the rows' sizes (the same run with |upstream|)
    sizes = gf.gradient_flow(prob.cell, prob.params, prob.xs, np.abs(prob.up), prob.h0, prob.c0,
                             truncate=prob.truncate, **prob.opts)
    for name, a, b, size in (("grads[weight_hh]", scaled.grads["weight_hh"], flow.grads["weight_hh"],
                              sizes.grads["weight_hh"]), ("dW_contrib", scaled.dW_contrib, flow.dW_contrib,
                                                          sizes.dW_contrib)):
        atol = 1e-12 * scale * np.abs(size).max() + 1e-290 * max(1.0, scale)  # subnormals carry no precision
        np.testing.assert_allclose(a, scale * b, rtol=1e-9, atol=atol, err_msg=name)


@given(problems())
@example(_CANCELLING_RNN)
def test_dW_contrib_when_batch_rows_cancel(prob):
    flow = prob.flow()
    errors = dW_contrib_errors(prob, flow)
    if errors is not None:
        err, allowed, norms, _ = errors
        assert (err <= allowed).all(), f"dW_contrib {flow.dW_contrib} vs terms {norms}"


# --------------------------------------------------------------------------
# Fast path against the one-step reference, float32 and float64, extreme values
# --------------------------------------------------------------------------
@given(problems(T_max=8, gain_max=10.0), st.sampled_from([np.float64, np.float32]),
       st.sampled_from([0.0, 1.0, 1e4, 1e150, 1e300]), st.sampled_from([0.0, 0.0, 0.3]), st.data())
def test_fast_path_matches_reference_steps(prob, dtype, x_scale, special_fraction, data):
    rng = rng_from(data.draw)
    params = {k: v.astype(dtype) for k, v in prob.params.items()}
    xs = fill(rng, prob.xs.shape, x_scale, dtype, special_fraction) if x_scale else prob.xs.astype(dtype)
    T, B, _ = xs.shape
    H = params["weight_hh"].shape[1]
    h0 = np.zeros((B, H), dtype) if prob.h0 is None else prob.h0.astype(dtype)
    c0 = (np.zeros((B, H), dtype) if prob.c0 is None else prob.c0.astype(dtype)) if prob.cell == "lstm" else None
    dhs = prob.up.astype(dtype)
    inputs = snapshot((params, xs, h0, c0, dhs))
    with np.errstate(all="ignore"):
        hs, cs, cache = cells.forward(prob.cell, params, xs, h0, c0, **prob.opts)
        back = cells.backward(prob.cell, dhs, cache, truncate=prob.truncate)
        ref = reference_sequence(prob, params, xs, h0, c0, dhs)
    assert_unchanged(inputs, (params, xs, h0, c0, dhs))
    got = {"hs": hs, "cs": cs, "dh": back["dh"], "dc": back["dc"], "dx": back["dx"], "dh0": back["dh0"],
           "dc0": back["dc0"], **{f"grads[{k}]": v for k, v in back["grads"].items()},
           **{f"gates[{k}]": v for k, v in cache["gates"].items()}}
    assert set(got) == set(ref)
    if not np.isfinite(xs.astype(np.float64)).all():
        return  # inf/NaN inputs: only "no exception, no mutation, dtype kept" is defined
    rtol = 1e-9 if dtype == np.float64 else 2e-3
    # Gradients summed over batch rows can cancel to rounding noise (rows with opposite
    # loss terms): measure their scale on the same run with |dhs|, where rows add up.
    with np.errstate(all="ignore"):
        ref_abs = reference_sequence(prob, params, xs, h0, c0, np.abs(dhs))
    for name, want in ref.items():
        if want is None:
            assert got[name] is None, name
            continue
        assert got[name].dtype == dtype and got[name].shape == want.shape, name
        ok = np.isfinite(want) & np.isfinite(got[name])
        scale = np.abs(want[ok]).max(initial=0.0)
        if name.startswith("grads["):
            scale = max(scale, np.abs(ref_abs[name][np.isfinite(ref_abs[name])]).max(initial=0.0))
        np.testing.assert_allclose(got[name][ok], want[ok], rtol=rtol, atol=rtol * scale, err_msg=name)


def reference_sequence(prob, params, xs, h0, c0, dhs):
    """The library's one-step reference functions, looped forward and backward."""
    module, lstm = cells.MODULES[prob.cell], prob.cell == "lstm"
    T = xs.shape[0]
    k = prob.truncate or T
    h, c, caches, hs, cs = h0, c0, [], [], []
    for t in range(T):
        if lstm:
            h, c, cache = module.step_forward(xs[t], h, c, params)
        else:
            h, cache = module.step_forward(xs[t], h, params, **prob.opts)
        caches.append(cache)
        hs.append(h)
        cs.append(c)
    gates = {g: np.stack([_gate(prob, cache, g) for cache in caches]) for g in cells.GATES[prob.cell]}
    out = {"dh": [None] * T, "dc": [None] * T, "dx": [None] * T}
    grads, dh_next, dc_next = None, 0.0, 0.0
    for t in range(T - 1, -1, -1):
        if (t + 1) % k == 0:
            dh_next, dc_next = 0.0, 0.0  # a block end: nothing flows back from step t+1
        dh = dhs[t] + dh_next
        if lstm:
            i, f, g, o, tc = (caches[t][j] for j in (3, 4, 5, 6, 7))
            out["dc"][t] = dc_next + dh * o * (1 - tc ** 2)
            out["dx"][t], dh_next, dc_next, step_grads = module.step_backward(dh, dc_next, caches[t])
        else:
            out["dx"][t], dh_next, step_grads = module.step_backward(dh, caches[t])
        out["dh"][t] = dh
        grads = step_grads if grads is None else {n: grads[n] + step_grads[n] for n in grads}
    ref = {"hs": np.stack(hs), "cs": np.stack(cs) if lstm else None, "dh": np.stack(out["dh"]),
           "dc": np.stack(out["dc"]) if lstm else None, "dx": np.stack(out["dx"]), "dh0": dh_next,
           "dc0": dc_next if lstm else None}
    ref.update({f"grads[{n}]": v for n, v in grads.items()})
    ref.update({f"gates[{n}]": v for n, v in gates.items()})
    return ref


def _gate(prob, cache, name):
    if prob.cell == "lstm":
        return cache[("i", "f", "g", "o").index(name) + 3]
    return cache[("r", "z", "n").index(name) + 2]


@given(st.sampled_from([(c, o) for c in CELLS for o in OPTIONS[c]]), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 4), st.floats(0.0, 10.0), st.data())
def test_step_jacobian_and_backward_match_finite_differences(cell_opts, B, D, H, gain, data):
    cell, opts = cell_opts
    rng = rng_from(data.draw)
    module = cells.MODULES[cell]
    p = {k: gain * v for k, v in cells.init_params(cell, D, H, rng).items()}
    x, h, c = rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    c = c if cell == "lstm" else None
    assume(not relu_kink_nearby(opts, p, x, h))
    J = cells.state_jacobian_batch(cell, x, h, c, p, **opts)  # (B, H, H)
    assert J.shape == (B, H, H)
    state = lambda hh: ref_step(cell, opts, x, hh, c, p)[0]
    v = unit(rng, (B, H))
    for b in range(B):
        e = np.zeros((B, H))
        e[b] = v[b]
        jv = J[b] @ v[b]
        for j in range(H):
            assert_directional(f"J[{b}] row {j}", jv[j], lambda s: state(h + s * e)[b, j], state(h)[b, j])
    dh, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    loss = lambda xx, hh, cc, pp: float(np.sum(dh * ref_step(cell, opts, xx, hh, cc, pp)[0])
                                        + (np.sum(dc * ref_step(cell, opts, xx, hh, cc, pp)[1]) if cell == "lstm" else 0))
    if cell == "lstm":
        _, _, cache = module.step_forward(x, h, c, p)
        dx, dh_prev, dc_prev, grads = module.step_backward(dh, dc, cache)
    else:
        _, cache = module.step_forward(x, h, p, **opts)
        (dx, dh_prev, grads), dc_prev = module.step_backward(dh, cache), None
    L0 = loss(x, h, c, p)
    for name, g, f in [("dx", dx, lambda s, v: loss(x + s * v, h, c, p)),
                       ("dh_prev", dh_prev, lambda s, v: loss(x, h + s * v, c, p)),
                       *([("dc_prev", dc_prev, lambda s, v: loss(x, h, c + s * v, p))] if c is not None else []),
                       *[(f"grads[{k}]", grads[k], lambda s, v, k=k: loss(x, h, c, {**p, k: p[k] + s * v}))
                         for k in p]]:
        v = unit(rng, g.shape)
        assert_directional(name, np.sum(g * v), lambda s: f(s, v), L0)


# --------------------------------------------------------------------------
# init_params
# --------------------------------------------------------------------------
@given(names(CELLS), st.integers(-1, 6), st.integers(-1, 6), st.floats(-5, 5), st.sampled_from([np.float64, np.float32]),
       st.one_of(st.integers(0, 2**63), st.builds(np.random.default_rng, st.integers(0, 2**32 - 1))))
def test_init_params(cell, D, H, forget_bias, dtype, rng):
    params, err = outcome(cells.init_params, cell, D, H, rng, forget_bias=forget_bias, dtype=dtype)
    bad = cell not in CELLS or D < 1 or H < 1 or (forget_bias != 0 and cell != "lstm")
    assert (err is not None) == bad, err
    if params is None:
        return
    G = cells.NUM_GATES[cell]
    assert {k: (v.shape, v.dtype) for k, v in params.items()} == {
        "weight_ih": ((G * H, D), dtype), "weight_hh": ((G * H, H), dtype), "bias_ih": ((G * H,), dtype),
        "bias_hh": ((G * H,), dtype)}
    k = 1 / np.sqrt(H) * (1 + 1e-6)  # U(-1/√H, 1/√H), with room for float32 rounding
    forget = np.zeros(G * H)
    if cell == "lstm":
        forget[H:2 * H] = forget_bias
    assert all(np.abs(params[n]).max() <= k for n in ("weight_ih", "weight_hh", "bias_hh"))
    assert np.abs(params["bias_ih"] - forget).max() <= k + 1e-6 * abs(forget_bias)
    if isinstance(rng, int):  # an int seed is the whole random state: same seed, same params
        again = cells.init_params(cell, D, H, rng, forget_bias=forget_bias, dtype=dtype)
        assert all(np.array_equal(params[k], again[k]) for k in params)


# --------------------------------------------------------------------------
# Defects found in the engine's input checks (fixed; kept as regression tests)
# --------------------------------------------------------------------------
def _small(cell="rnn", T=3, dtype=np.float64):
    p = cells.init_params(cell, 2, 3, 0)
    return cell, p, np.ones((T, 1, 2), dtype), gf.make_upstream(T, 1, 3, "last", 0)


def _defect(call, word, reason, id):
    """A case that once failed; `reason` says how."""
    return pytest.param(call, word, id=id)


@pytest.mark.parametrize("call, word", [
    _defect(lambda: gf.gradient_flow(*_small(), truncate=float("inf")), "truncate",
            "bptt._options: int(inf) raises OverflowError", "truncate=inf"),
    _defect(lambda: gf.gradient_flow(*_small(), truncate=float("nan")), "truncate",
            "bptt._options: int(nan) raises 'cannot convert float NaN to integer', which does not name truncate",
            "truncate=nan"),
    _defect(lambda: gf.gradient_flow(*_small(dtype=np.complex128)), "xs",
            "bptt._array: complex xs are cast to float64 with a ComplexWarning, the imaginary part silently "
            "dropped", "complex-xs"),
    _defect(lambda: cells.init_params("rnn", 2.0, 3, 0), "D",
            "cells.init_params: a float D raises TypeError from rng.uniform", "init_params-D=2.0"),
    _defect(lambda: cells.init_params("lstm", 2, 3, 0, forget_bias=float("nan")), "forget_bias",
            "cells.init_params: forget_bias=nan gives NaN biases silently", "init_params-forget_bias=nan"),
    _defect(lambda: cells.init_params("rnn", 2, 3, -1), "seed",
            "cells.init_params: a negative seed raises NumPy's 'expected non-negative integer', which does not "
            "name the seed", "init_params-seed=-1"),
    _defect(lambda: gf.make_upstream(3.0, 1, 2), "T",
            "bptt.make_upstream: a float T raises TypeError", "make_upstream-T=3.0"),
])
def test_bad_engine_arguments_give_a_clear_value_error(call, word):
    with pytest.raises(ValueError) as info:
        call()
    assert_clear(info.value)
    assert word in str(info.value), f"the message does not name {word}: {info.value}"
