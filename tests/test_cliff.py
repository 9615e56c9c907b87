"""Pascanu's one-unit RNN: exact gradient against finite differences, descent with clipping."""

import numpy as np
import pytest

from gradflow import cliff, clipping


@pytest.mark.parametrize("w,b", [(5.0, -3.0), (1.0, 0.5), (8.0, -4.5), (4.3, -2.2), (-2.0, 1.0)])
def test_gradient_matches_centered_finite_differences(w, b):
    L, dw, db = cliff.loss_and_grad(w, b)
    h = 1e-6
    fd_w = (cliff.loss(w + h, b) - cliff.loss(w - h, b)) / (2 * h)
    fd_b = (cliff.loss(w, b + h) - cliff.loss(w, b - h)) / (2 * h)
    assert L == pytest.approx(float(cliff.loss(w, b)))
    np.testing.assert_allclose([dw, db], [fd_w, fd_b], rtol=1e-5, atol=1e-9)


def test_vectorised_equals_pointwise():
    ws, bs = np.array([[1.0, 5.0], [3.0, 7.0]]), np.array([[0.0, -3.0], [-1.0, -4.0]])
    L, dw, db = cliff.loss_and_grad(ws, bs, T=20)
    for i in range(2):
        for j in range(2):
            Lij, dwij, dbij = cliff.loss_and_grad(ws[i, j], bs[i, j], T=20)
            np.testing.assert_allclose([L[i, j], dw[i, j], db[i, j]], [Lij, dwij, dbij], rtol=1e-13)


def test_surface_shape_and_cliff_exists():
    ws, bs, L = cliff.surface((0, 10), (-6, 2), n=41)
    assert L.shape == (41, 41) and np.all((L >= 0) & (L <= 0.49))
    _, dw, db = cliff.loss_and_grad(ws[None, :], bs[:, None])
    g = np.hypot(dw, db)
    assert g.max() > 100 * np.median(g)  # a wall of huge gradients among flat ground


def test_clipping_bounds_every_step_and_plain_descent_jumps():
    plain = cliff.descend(5.0, -3.0, 0.5, 60)
    clipped = cliff.descend(5.0, -3.0, 0.5, 60, clip=1.0)
    steps = np.linalg.norm(np.diff(clipped.params, axis=0), axis=1)
    assert np.all(steps <= 0.5 * 1.0 + 1e-12)
    assert clipped.clipped.any() and not plain.clipped.any()
    assert np.linalg.norm(np.diff(plain.params, axis=0), axis=1).max() > 1.0
    assert clipped.loss[-1] < plain.loss[-1]
    assert plain.params.shape == (61, 2) and plain.loss.shape == (61,) and plain.grad_norm.shape == (60,)


@pytest.mark.parametrize("kw", [{"lr": 0.0}, {"lr": np.nan}, {"steps": -1}, {"clip": 0.0}, {"w0": np.inf}])
def test_bad_input_raises_value_error(kw):
    args = {"w0": 5.0, "b0": -3.0, "lr": 0.5, "steps": 3} | kw
    with pytest.raises(ValueError):
        cliff.descend(**args)
    with pytest.raises(ValueError):
        cliff.loss(1.0, 1.0, T=0)


def test_clipped_descent_uses_the_trainers_clip_coef():
    """A clipped step is lr · clip_coef(‖g‖, c) · g: c·g/‖g‖ up to the 1e-6 of DLFS2's EPS."""
    from_path = cliff.descend(5.0, -3.0, 0.5, 5, clip=1.0)
    p = np.array([5.0, -3.0])
    for k in range(5):
        _, dw, db = cliff.loss_and_grad(p[0], p[1])
        g = np.array([float(dw), float(db)])
        n = float(np.hypot(*g))
        p = p - 0.5 * clipping.clip_coef(n, 1.0) * g
        np.testing.assert_array_equal(from_path.params[k + 1], p)
        assert from_path.clipped[k] == (n > 1.0 - 1e-6)
        np.testing.assert_allclose(np.linalg.norm(from_path.params[k + 1] - from_path.params[k]),
                                   0.5 * min(1.0, n), rtol=2e-6)
