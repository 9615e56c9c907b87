"""Two LSTM variants of the course notes: peephole connections and the coupled input–forget gate.

"peephole" (Gers & Schmidhuber 2000): the gates also see the cell state, through
diagonal weights (vectors) w_ci, w_cf, w_co of shape (H,):

    i = σ(W_i x + b_i + U_i h + w_ci ⊙ c),    f = σ(W_f x + b_f + U_f h + w_cf ⊙ c)
    g = tanh(W_g x + b_g + U_g h),           c' = f ⊙ c + i ⊙ g
    o = σ(W_o x + b_o + U_o h + w_co ⊙ c'),  h' = o ⊙ tanh(c')      (o sees the new c')

  params: the LSTM's weight_ih (4H, D), weight_hh (4H, H), bias_ih, bias_hh (4H,),
  rows i, f, g, o as in PyTorch, plus weight_ci, weight_cf, weight_co (H,).
  With zero peephole weights it is the standard LSTM.

"coupled" (CIFG; Greff et al. 2017, "LSTM: a search space odyssey"): one gate
decides both what to forget and what to write, i = 1 − f:

    c' = f ⊙ c + (1 − f) ⊙ g,  h' = o ⊙ tanh(c')

  params: weight_ih (3H, D), weight_hh (3H, H), bias_ih, bias_hh (3H,), rows f, g, o
  (PyTorch's order without i): an input gate's rows would be parameters that no
  loss reads, so there are none. A standard LSTM whose i rows are minus its f
  rows (σ(−a) = 1 − σ(a)) computes the same function.

`step_forward` / `step_backward` are one step (cs231n style); `forward` /
`backward` loop over a sequence in plain Python, one step at a time: clarity
over speed. `gradflow.variants.gradient_flow_variant` builds a `bptt.Flow` from them.
"""

from __future__ import annotations

import numpy as np

VARIANTS = ("peephole", "coupled")
PEEPHOLES = ("weight_ci", "weight_cf", "weight_co")


def _sigmoid(z):
    return 0.5 * np.tanh(0.5 * z) + 0.5  # never overflows, unlike 1/(1+exp(-z))


def check_variant(variant):
    """The variant's name, or ValueError naming the allowed ones."""
    if not isinstance(variant, str) or variant not in VARIANTS:
        raise ValueError(f"unknown LSTM variant {variant!r}: expected one of {', '.join(VARIANTS)}")
    return variant


def param_shapes(variant, D, H):
    """{name: shape} of a variant's parameters for input size D and hidden size H."""
    G = 4 if check_variant(variant) == "peephole" else 3
    shapes = {"weight_ih": (G * H, D), "weight_hh": (G * H, H), "bias_ih": (G * H,), "bias_hh": (G * H,)}
    if variant == "peephole":
        shapes.update({name: (H,) for name in PEEPHOLES})
    return shapes


def cell_rows(variant, H):
    """Rows of weight_hh whose gates write c_t (i, f, g; coupled: f, g); the rest is o."""
    return slice(0, 3 * H) if variant == "peephole" else slice(0, 2 * H)


# --------------------------------------------------------------------------
# One step
# --------------------------------------------------------------------------
def step_forward(x, h_prev, c_prev, params, variant):
    """One step. x (B, D), h_prev (B, H), c_prev (B, H) -> h (B, H), c (B, H), cache."""
    H = h_prev.shape[1]
    z = (x @ params["weight_ih"].T + params["bias_ih"]
         + h_prev @ params["weight_hh"].T + params["bias_hh"])  # (B, G·H)
    if variant == "peephole":
        i = _sigmoid(z[:, :H] + params["weight_ci"] * c_prev)
        f = _sigmoid(z[:, H:2 * H] + params["weight_cf"] * c_prev)
        g = np.tanh(z[:, 2 * H:3 * H])
        c = f * c_prev + i * g
        o = _sigmoid(z[:, 3 * H:] + params["weight_co"] * c)
    else:  # coupled: rows f, g, o
        f, g, o = _sigmoid(z[:, :H]), np.tanh(z[:, H:2 * H]), _sigmoid(z[:, 2 * H:])
        i = 1 - f
        c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    return h, c, (x, h_prev, c_prev, i, f, g, o, c, tc, params, variant)


def _gate_grads(dh, dc, cache):
    """The backward of one step up to the gates.

    Returns dz (B, G·H) ∂L/∂(gate pre-activations) in the rows' order, dc_t
    (B, H) the total ∂L/∂c_t (through h_t, and for peepholes through o), and
    dc_prev (B, H) ∂L/∂c_{t−1}.
    """
    _, _, c_prev, i, f, g, o, _, tc, params, variant = cache
    dz_o = dh * tc * o * (1 - o)
    dc_t = dc + dh * o * (1 - tc ** 2)
    if variant == "peephole":
        dc_t = dc_t + dz_o * params["weight_co"]  # o reads c_t
        dz_i = dc_t * g * i * (1 - i)
        dz_f = dc_t * c_prev * f * (1 - f)
        dz_g = dc_t * i * (1 - g ** 2)
        dc_prev = dc_t * f + dz_i * params["weight_ci"] + dz_f * params["weight_cf"]
        return np.concatenate([dz_i, dz_f, dz_g, dz_o], axis=1), dc_t, dc_prev  # (B, 4H)
    dz_f = dc_t * (c_prev - g) * f * (1 - f)  # f appears twice: f ⊙ c + (1 − f) ⊙ g
    dz_g = dc_t * i * (1 - g ** 2)
    return np.concatenate([dz_f, dz_g, dz_o], axis=1), dc_t, dc_t * f  # (B, 3H)


def step_backward(dh, dc, cache):
    """Backward of `step_forward`.

    dh (B, H), dc (B, H): upstream gradients of h and c.
    Returns dx (B, D), dh_prev (B, H), dc_prev (B, H), grads (dict like params).
    """
    x, h_prev, c_prev, _, _, _, _, c, _, params, variant = cache
    dz, dc_t, dc_prev = _gate_grads(dh, dc, cache)
    grads = {"weight_ih": dz.T @ x, "weight_hh": dz.T @ h_prev,
             "bias_ih": dz.sum(0), "bias_hh": dz.sum(0)}
    if variant == "peephole":
        H = h_prev.shape[1]
        grads.update(weight_ci=np.sum(dz[:, :H] * c_prev, 0), weight_cf=np.sum(dz[:, H:2 * H] * c_prev, 0),
                     weight_co=np.sum(dz[:, 3 * H:] * c, 0))
    return dz @ params["weight_ih"], dz @ params["weight_hh"], dc_prev, grads


# --------------------------------------------------------------------------
# A sequence: plain loops over the steps
# --------------------------------------------------------------------------
def forward(params, xs, h0, c0, variant):
    """xs (T, B, D), h0 (B, H), c0 (B, H) -> hs (T, B, H), cs (T, B, H), cache.

    cache["gates"] maps i, f, g, o to (T, B, H) activations (coupled: i = 1 − f).
    """
    h, c, hs, cs, steps = h0, c0, [], [], []
    for x in xs:
        h, c, step = step_forward(x, h, c, params, variant)
        hs.append(h)
        cs.append(c)
        steps.append(step)
    gates = {name: np.stack([s[k] for s in steps]) for k, name in zip((3, 4, 5, 6), ("i", "f", "g", "o"))}
    cache = {"steps": steps, "gates": gates, "xs": xs, "h0": h0, "c0": c0, "params": params, "variant": variant}
    return np.stack(hs), np.stack(cs), cache


def backward(dhs, cache):
    """BPTT through `forward`. dhs (T, B, H): the direct terms ∂L/∂h_t.

    Returns a dict: dx (T, B, D), dh0, dc0 (B, H), grads (like params), dh and
    dc (T, B, H) the total ∂L/∂h_t and ∂L/∂c_t, dz (T, B, G·H) the gates'
    pre-activation gradients (rows' order) and h_prev (T, B, H) = h_{t−1}.
    """
    params, steps, variant = cache["params"], cache["steps"], cache["variant"]
    T, B, H = dhs.shape
    dh, dc, dz = np.empty((T, B, H)), np.empty((T, B, H)), np.empty((T, B, params["weight_hh"].shape[0]))
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))  # ∂L/∂h_t, ∂L/∂c_t through step t+1
    for t in reversed(range(T)):
        dh[t] = dhs[t] + dh_next
        dz[t], dc[t], dc_next = _gate_grads(dh[t], dc_next, steps[t])
        dh_next = dz[t] @ params["weight_hh"]  # (B, H)
    xs = cache["xs"]
    h_prev, c_prev, cs = (np.stack([s[k] for s in steps]) for k in (1, 2, 7))  # (T, B, H) h_{t−1}, c_{t−1}, c_t
    flat = lambda a: a.reshape(T * B, -1)  # noqa: E731
    grads = {"weight_ih": flat(dz).T @ flat(xs), "weight_hh": flat(dz).T @ flat(h_prev),
             "bias_ih": dz.sum((0, 1)), "bias_hh": dz.sum((0, 1))}
    if variant == "peephole":
        grads.update(weight_ci=np.sum(dz[:, :, :H] * c_prev, (0, 1)),
                     weight_cf=np.sum(dz[:, :, H:2 * H] * c_prev, (0, 1)),
                     weight_co=np.sum(dz[:, :, 3 * H:] * cs, (0, 1)))
    return {"dx": dz @ params["weight_ih"], "dh0": dh_next, "dc0": dc_next, "grads": grads,
            "dh": dh, "dc": dc, "dz": dz, "h_prev": h_prev}
