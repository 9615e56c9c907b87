"""Jacobians of a Flow: the step Jacobians of a run, their norms and products.

Why this module exists: the gradient reaching the state at step t−k is the
transposed product of the k step Jacobians J_t ⋯ J_{t−k+1} applied to the
gradient at step t. `gradflow.spectral` gives the theory (the recurrent
matrix alone); this module measures the actual Jacobians along a `Flow` from
`gradflow.bptt.gradient_flow`.

The state of the RNN and the GRU is h: their step Jacobian is ∂h_t/∂h_{t−1}
(H × H). The state of the LSTM is (h, c): its step Jacobian is the 2H × 2H
matrix ∂(h_t, c_t)/∂(h_{t−1}, c_{t−1}), h first (`state_jacobian`,
`state_jacobian_norms`, `state_product_norms`). `step_jacobian` and its
norms keep the h block alone (c_{t−1} held fixed) for every cell.
`lstm_cell_path_split` splits the LSTM's ∂L/∂c_t exactly into what the
cell path carried back from the last step and what h injected on the way.

The formula of each cell lives in its cell module (`gradflow.cells.<cell>.step_jacobian`,
`gradflow.cells.lstm.state_jacobian`), reached through
`cells.state_jacobian_batch` for many states at once.
Shape legend: T steps, B batch, H hidden, D input, S state size (H; 2H for the LSTM).
"""

from __future__ import annotations

import numpy as np

from . import cells
from .bptt import Flow, _norm, check_params
from .checks import as_rng, check_size


def _check_flow(flow):
    """`flow` itself, or ValueError: every public function here reads a Flow's fields."""
    if not isinstance(flow, Flow):
        raise ValueError(f"flow must be a Flow (from gradflow.gradient_flow), got {type(flow).__name__}")
    return flow


def _step_inputs(flow, steps, b=None):
    """x_t, h_{t-1}, c_{t-1} of a Flow for the given steps, flattened to (N, ·)."""
    h_prev = np.concatenate([flow.h0[None], flow.hs[:-1]])[steps]  # (n, B, H)
    c_prev = None if flow.cs is None else np.concatenate([flow.c0[None], flow.cs[:-1]])[steps]
    x = flow.xs[steps]
    if b is not None:
        x, h_prev = x[:, b], h_prev[:, b]
        c_prev = None if c_prev is None else c_prev[:, b]
    flat = lambda a: None if a is None else a.reshape(-1, a.shape[-1])
    return flat(x), flat(h_prev), flat(c_prev)


def _index(name, value, n):
    """An int in [0, n), or ValueError (a bool or float would index the wrong rows)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= value < n:
        raise ValueError(f"{name}={value!r} is outside 0..{n - 1}: expected an int in that range")
    return int(value)


def _flow_params(flow, params):
    """params checked against the Flow (keys, shapes, finite) as float64, once per public call."""
    params, _, H = check_params(_check_flow(flow).cell, params, flow.xs.shape[2])
    if H != flow.hs.shape[2]:
        raise ValueError(f"params have H={H}, but the Flow has H={flow.hs.shape[2]}: pass the params that made "
                         "the Flow")
    return params


def _jacobians(flow, params, steps, b=None, full=False):
    """(N, S, S) step Jacobians at `steps` (all batch rows, or row b), from checked params.

    full=False: ∂h_t/∂h_{t−1} (S = H); full=True: the whole state's (S = 2H for the LSTM).
    """
    opt = {"rnn": "nonlinearity", "gru": "variant"}.get(flow.cell)
    kwargs = {opt: flow.options[opt]} if opt else {}
    x, h_prev, c_prev = _step_inputs(flow, steps, b)
    with np.errstate(all="ignore"):
        return cells.state_jacobian_batch(flow.cell, x, h_prev, c_prev, params, full=full, **kwargs)


def step_jacobian(flow, params, t, b=0):
    """∂h_t/∂h_{t−1} at step t of a Flow, for batch row b: (H, H).

    Its factors: the activation derivatives (diagonal) times the gate blocks of
    weight_hh; for the LSTM c_{t−1} is held fixed (∂c_t/∂c_{t−1} = diag(f_t)),
    so this is the top-left block of `state_jacobian`, not the LSTM's whole step.
    params: the dict that made the Flow.
    """
    _check_flow(flow)
    t, b = _index("t", t, flow.T), _index("b", b, flow.hs.shape[1])
    return _jacobians(flow, _flow_params(flow, params), [t], b)[0]


def state_jacobian(flow, params, t, b=0):
    """The step Jacobian of the whole state at step t, batch row b: (S, S).

    RNN, GRU: the state is h, S = H, and this is `step_jacobian`.
    LSTM: the state is (h, c), S = 2H, h first (indices 0..H−1 are h, H..2H−1 are c):
        [[∂h_t/∂h_{t−1}, ∂h_t/∂c_{t−1}],
         [∂c_t/∂h_{t−1}, ∂c_t/∂c_{t−1}]]        (each block H × H)
    The gradient of the state obeys λ_{t−1} = upstream_{t−1} + J_tᵀ λ_t (see `state_gradients`).
    params: the dict that made the Flow.
    """
    _check_flow(flow)
    t, b = _index("t", t, flow.T), _index("b", b, flow.hs.shape[1])
    return _jacobians(flow, _flow_params(flow, params), [t], b, full=True)[0]


def state_gradients(flow):
    """∂L/∂(state_t) with the state's entries independent: (T, B, S), h first.

    λ_t = (upstream_t, 0) + J_{t+1}ᵀ λ_{t+1}, the adjoint of `state_jacobian`.
    RNN, GRU: λ_t = flow.dh[t]. LSTM: λ_t = (flow.dh[t], f_{t+1} ⊙ flow.dc[t+1]):
    with h_t held, c_t reaches the loss only through c_{t+1}. The Flow's dc[t]
    also lets h_t = o_t ⊙ tanh(c_t) follow c_t, so
        flow.dc[t] = λ_t[H:] + flow.dh[t] ⊙ o_t ⊙ tanh'(c_t)     (the injection, see `lstm_cell_path_split`).
    With truncated BPTT, λ_t[H:] is 0 at the last step of every block.
    """
    _check_flow(flow)
    if flow.cell != "lstm":
        return flow.dh.copy()
    T, B, H = flow.hs.shape
    carry = np.zeros((T, B, H))  # f_{t+1} ⊙ dc_{t+1}, 0 where the gradient is cut
    with np.errstate(all="ignore"):
        carry[:-1] = flow.gates["f"][1:] * flow.dc[1:]
    carry[[s - 1 for s in flow.block_starts[1:]]] = 0
    return np.concatenate([flow.dh, carry], axis=2)  # (T, B, 2H)


def _spectral_norms(flow, params, full, exact_max_H, iterations, chunk, rng):
    """‖J‖₂ of every step's Jacobian (see `jacobian_norms`): (T, B)."""
    chunk, iterations = check_size("chunk", chunk), check_size("iterations", iterations)
    params = _flow_params(flow, params)
    T, B, _ = flow.hs.shape
    out = np.empty((T, B))
    rng = as_rng(rng)
    for start in range(0, T, chunk):
        steps = np.arange(start, min(start + chunk, T))
        J = _jacobians(flow, params, steps, full=full)  # (n·B, S, S)
        S = J.shape[1]
        ok = np.isfinite(J).all(axis=(1, 2))
        norms = np.full(J.shape[0], np.inf)
        with np.errstate(all="ignore"):
            if S <= exact_max_H:
                if ok.any():  # the largest singular value; SVD without vectors, about 2× norm(·, 2)
                    norms[ok] = np.linalg.svd(J[ok], compute_uv=False)[:, 0]
            else:
                # Iterate on J / max|J|: JᵀJ v of a tiny or huge J would underflow or overflow.
                s = np.max(np.abs(J[ok]), axis=(1, 2), keepdims=True, initial=0.0)
                Js = J[ok] / np.where(s > 0, s, 1.0)
                v = rng.standard_normal((Js.shape[0], S, 1))
                for _ in range(iterations):
                    v = np.swapaxes(Js, 1, 2) @ (Js @ v)
                    v /= np.linalg.norm(v, axis=1, keepdims=True) + 1e-300
                norms[ok] = np.linalg.norm(Js @ v, axis=(1, 2)) * s.ravel()
        out[steps] = norms.reshape(len(steps), B)
    return out


def jacobian_norms(flow, params, *, exact_max_H=128, iterations=40, chunk=32, rng=0):
    """‖∂h_t/∂h_{t−1}‖₂ for every step: (T, B).

    Exact (SVD) for H ≤ exact_max_H; above, `iterations` (≥ 1) steps of
    batched power iteration on JᵀJ, a lower bound that is tight to a few
    digits. Built in chunks of `chunk` (≥ 1) steps, so memory stays at
    chunk·B·H² numbers, never T·H². rng: seed or Generator of the start vectors.
    """
    return _spectral_norms(_check_flow(flow), params, False, exact_max_H, iterations, chunk, rng)


def state_jacobian_norms(flow, params, *, exact_max_H=128, iterations=40, chunk=32, rng=0):
    """‖∂state_t/∂state_{t−1}‖₂ for every step: (T, B), from `state_jacobian`.

    RNN, GRU: equal to `jacobian_norms`. LSTM: the norm of the 2H × 2H
    Jacobian of (h, c); exact when 2H ≤ exact_max_H. Options as in `jacobian_norms`.
    """
    return _spectral_norms(_check_flow(flow), params, True, exact_max_H, iterations, chunk, rng)


def _product_norms(flow, params, t, b, k_max, full):
    """‖J_t ⋯ J_{t−k+1}‖₂ for k = 1..min(k_max, t+1): (k,); full as in `_jacobians`."""
    _check_flow(flow)
    t, b = _index("t", t, flow.T), _index("b", b, flow.hs.shape[1])
    if isinstance(k_max, bool) or not isinstance(k_max, (int, np.integer)) or k_max < 1:
        raise ValueError(f"k_max must be an int >= 1, got {k_max!r}")
    steps = np.arange(t, max(t - k_max, -1), -1)
    J = _jacobians(flow, _flow_params(flow, params), steps, b, full=full)  # (k, S, S), newest first
    products = np.empty_like(J)  # (k, S, S): J_t, J_t J_{t−1}, …
    with np.errstate(all="ignore"):
        products[0] = J[0]
        for k in range(1, len(J)):
            np.matmul(products[k - 1], J[k], out=products[k])
        ok = np.isfinite(products).all(axis=(1, 2))
        norms = np.full(len(steps), np.inf)
        if ok.any():  # one batched SVD without vectors
            norms[ok] = np.linalg.svd(products[ok], compute_uv=False)[:, 0]
    return norms


def jacobian_product_norms(flow, params, t, b=0, k_max=50):
    """‖J_t J_{t−1} ⋯ J_{t−k+1}‖₂ of the h blocks for k = 1..min(k_max, t+1): (k,), the running product.

    RNN, GRU: ‖∂h_t/∂h_{t−k}‖₂. LSTM: a product of `step_jacobian`s, which hold
    c fixed, so not ∂h_t/∂h_{t−k}: use `state_product_norms` for that.
    """
    return _product_norms(flow, params, t, b, k_max, False)


def state_product_norms(flow, params, t, b=0, k_max=50):
    """‖∂state_t/∂state_{t−k}‖₂ = ‖J_t ⋯ J_{t−k+1}‖₂ for k = 1..min(k_max, t+1): (k,).

    The running product of `state_jacobian`s: for the LSTM of 2H × 2H
    Jacobians of (h, c); for the RNN and the GRU equal to `jacobian_product_norms`.
    """
    return _product_norms(flow, params, t, b, k_max, True)


def forget_product(flow):
    """LSTM: ∏_{s=t+1}^{T−1} f_s averaged over units, (T, B).

    The factor by which ∂L/∂c_{T−1} reaches c_t along the cell path alone
    (the "constant error carousel"); 1 at the last step. It ignores
    truncation; `lstm_cell_path_split` has the elementwise product with cuts.
    """
    if _check_flow(flow).cell != "lstm":
        raise ValueError(f"forget_product is for the LSTM, not the {flow.cell}")
    f = flow.gates["f"]  # (T, B, H)
    prod = np.ones_like(f)
    prod[:-1] = np.cumprod(f[:0:-1], axis=0)[::-1]  # prod[t] = f_{t+1} ⋯ f_{T-1}
    return prod.mean(axis=2)


def lstm_cell_path_split(flow):
    """∂L/∂c_t split exactly into what the cell path carried from the last step and the rest.

    h_s = o_s ⊙ tanh(c_s) reads c_s at every step, so every step injects
        inj_s = ∂L/∂h_s ⊙ o_s ⊙ tanh'(c_s)
    into ∂L/∂c_s, and ∂L/∂c_t = inj_t + f_{t+1} ⊙ ∂L/∂c_{t+1}. Unrolled,
        ∂L/∂c_t = Σ_{s ≥ t} (∏_{r=t+1}^{s} f_r) ⊙ inj_s.
    This is why ∏f alone is not ∂L/∂c_t: the carousel ∏f carries back one
    injection, the last step's, but c receives gradient from h at every step
    (and ∂L/∂h_s itself came back through the gates and weight_hh). The split:

        carried_t  = (∏_{r=t+1}^{T−1} f_r) ⊙ inj_{T−1}     the last step's injection, carried by ∏f
        injected_t = Σ_{t ≤ s < T−1} (∏_{r=t+1}^{s} f_r) ⊙ inj_s   the injections on the way
        carried_t + injected_t = flow.dc[t]

    inj_{T−1} = flow.dc[T−1] (∂L/∂c_{T−1}^{direct}: nothing comes after it).
    With truncated BPTT no gradient crosses a block start, so the products
    are 0 across one: carried is 0 before the last block.

    Returns a dict of float64 arrays:
      "injection" (T, B, H): inj_t;  "forget" (T, B, H): ∏_{r=t+1}^{T−1} f_r (0 across a cut; 1 at T−1);
      "carried", "injected" (T, B, H); "carried_norm", "injected_norm" (T, B): norms over H.
    """
    if _check_flow(flow).cell != "lstm":
        raise ValueError(f"lstm_cell_path_split is for the LSTM, not the {flow.cell}")
    T, B, H = flow.hs.shape
    f, o = flow.gates["f"], flow.gates["o"]  # (T, B, H)
    cut = np.zeros(T, bool)  # cut[t]: no gradient from step t+1 into step t
    cut[[s - 1 for s in flow.block_starts[1:]]] = True
    with np.errstate(all="ignore"):  # a non-finite Flow gives non-finite parts, as its dc
        tc = np.tanh(flow.cs)
        injection = flow.dh * (o * (1 - tc * tc))  # (T, B, H)
        injection[-1] = flow.dc[-1]
        forget = np.ones((T, B, H))
        injected = np.zeros((T, B, H))
        for t in range(T - 2, -1, -1):  # the recurrence of dc, with the two sources kept apart
            if cut[t]:
                forget[t] = 0.0
                injected[t] = injection[t]
            else:
                forget[t] = f[t + 1] * forget[t + 1]
                injected[t] = injection[t] + f[t + 1] * injected[t + 1]
        carried = forget * injection[-1]  # (T, B, H)
        return {"injection": injection, "forget": forget, "carried": carried, "injected": injected,
                "carried_norm": _norm(carried), "injected_norm": _norm(injected)}
