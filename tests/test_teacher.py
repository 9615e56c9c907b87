"""Teacher forcing against free running (output-to-hidden recurrence): both backward passes
against finite differences of an independent forward, the exact zero of the cross-step
gradient under teacher forcing, and training on the toy task."""

import numpy as np
import pytest
from fd_support import fd

from gradflow import teacher

EPS = 1e-6
TOL = dict(rtol=1e-6, atol=1e-9)


def ref_losses(p, xs, ys, mode, inject=None):
    """Per-step losses L_t (T,), written independently; inject=(s, delta) adds delta to h_s."""
    T, B, _ = xs.shape
    prev, out = np.zeros((B, ys.shape[2])), []
    for t in range(T):
        h = np.tanh(xs[t] @ p["weight_ih"].T + prev @ p["weight_oh"].T + p["bias_h"])
        if inject is not None and inject[0] == t:
            h = h + inject[1]
        o = h @ p["weight_ho"].T + p["bias_o"]
        out.append(np.sum((o - ys[t]) ** 2) / (2 * T * B))
        prev = ys[t] if mode == "teacher" else o
    return np.array(out)




def problem(T=6, B=3, H=5, seed=0):
    rng = np.random.default_rng(seed)
    params = {k: 2.0 * v for k, v in teacher.init_params(2, H, 2, rng).items()}  # weights that bend tanh
    xs, ys = teacher.make_task(T, B, rng)
    xs = xs + 0.3 * rng.standard_normal(xs.shape)  # inputs at every step, so that dxs is tested everywhere
    return params, xs, ys


@pytest.mark.parametrize("mode", teacher.MODES)
def test_backward_matches_finite_differences(mode):
    params, xs, ys = problem()
    loss, grads = teacher.loss_and_grads(params, xs, ys, mode)
    assert np.isclose(loss, ref_losses(params, xs, ys, mode).sum(), rtol=1e-13)
    for name in teacher.NAMES:
        f = lambda v: ref_losses({**params, name: v}, xs, ys, mode).sum()
        np.testing.assert_allclose(grads[name], fd(f, params[name]), err_msg=name, **TOL)
    os, cache = teacher.forward(params, xs, ys, mode)
    back = teacher.backward(params, cache, teacher.loss_grad(os, ys)[1])
    np.testing.assert_allclose(back["dxs"], fd(lambda v: ref_losses(params, v, ys, mode).sum(), xs), **TOL)
    view = teacher.gradient_view(params, xs, ys, mode)
    zero = np.zeros((3, 5))
    for s in range(6):  # total ∂L/∂h_s, and ‖∂L_t/∂h_s‖ for every t: a perturbation injected into h_s
        np.testing.assert_allclose(view["dh"][s], fd(lambda d: ref_losses(params, xs, ys, mode, (s, d)).sum(), zero),
                                   **TOL)
        for t in range(6):
            numeric = fd(lambda d: ref_losses(params, xs, ys, mode, (s, d))[t], zero)
            assert np.isclose(view["cross"][t, s], np.linalg.norm(numeric), rtol=1e-6, atol=1e-9), (t, s)
            if s < t and mode == "teacher":
                assert np.all(numeric == 0)  # the forward itself: h_s never reaches a later step
    direct = np.einsum("tbk,kh->tbh", os - ys, params["weight_ho"]) / (6 * 3)  # ∂L_t/∂h_t
    np.testing.assert_allclose(view["dh_later"], view["dh"] - direct, atol=1e-15)
    np.testing.assert_allclose(view["dh_norm"], np.linalg.norm(view["dh"], axis=2), rtol=1e-12)


def test_no_gradient_crosses_a_step_under_teacher_forcing_but_does_when_free():
    params, xs, ys = problem(T=8)
    tf = teacher.gradient_view(params, xs, ys, "teacher")
    free = teacher.gradient_view(params, xs, ys, "free")
    below = np.tril_indices(8, -1)  # (t, s) with s < t
    assert np.all(tf["cross"][below] == 0)
    assert np.all(tf["dh_later"] == 0)
    assert np.all(free["cross"][below] > 0)
    assert np.all(free["dh_later_norm"][:-1] > 0) and np.all(free["dh_later"][-1] == 0)
    above = np.triu_indices(8, 1)
    assert np.all(tf["cross"][above] == 0) and np.all(free["cross"][above] == 0)  # causality
    assert tf["cross"][0, 0] == free["cross"][0, 0]  # step 0 is fed ô_{−1} = 0 in both modes...
    assert not np.allclose(np.diag(tf["cross"])[1:], np.diag(free["cross"])[1:])  # ...later steps differ


@pytest.mark.parametrize("train", [teacher.train_teacher_forcing, teacher.train_free_running])
def test_training_lowers_the_loss(train):
    """A fact of the toy task with a generous threshold: 500 steps cut the loss below a third."""
    params = teacher.init_params(2, 16, 2, 0)
    before = {k: v.copy() for k, v in params.items()}
    events = list(train(params, 10))
    steps = [e for e in events if e["event"] == "step"]
    assert len(steps) == 500 and events[-1]["event"] == "done"
    first = np.mean([e["loss"] for e in steps[:10]])
    last = np.mean([e["loss"] for e in steps[-10:]])
    assert last < first / 3, (first, last)
    assert np.mean([e["free_loss"] for e in steps[-10:]]) < np.mean([e["free_loss"] for e in steps[:10]]) / 3
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])  # not mutated
    assert not np.allclose(events[-1]["params"]["weight_ho"], params["weight_ho"])


def test_task_and_bad_mode():
    xs, ys = teacher.make_task(5, 4, 0)
    assert xs.shape == ys.shape == (5, 4, 2)
    np.testing.assert_allclose(np.linalg.norm(ys, axis=2), 1.0)
    assert np.all(xs[1:] == 0) and np.allclose(np.linalg.norm(xs[0], axis=1), 1.0)
    a = 2 * np.pi / 12  # y_t is x_0 moved (t + 1) steps of a along the circle
    rot = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])  # (sin θ, cos θ) -> (sin(θ+a), cos(θ+a))
    point = xs[0]
    for t in range(5):
        point = point @ rot.T
        np.testing.assert_allclose(ys[t], point, atol=1e-12)
    with pytest.raises(ValueError, match="unknown mode"):
        teacher.forward(teacher.init_params(2, 3, 2, 0), xs, ys, "professor")
