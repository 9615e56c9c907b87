"""Language model (gradflow.lm, gradflow.softmax): loss at init, overfitting, float64
finite-difference gradients, dropout, the float32 training kernel, config validation and
initialisation. The sentence analysis, trainer and checkpoints have their own test files."""

import math

import numpy as np
import pytest

from gradflow import checks
from gradflow.lm import (LanguageModel, LMConfig, Net, init_model, loss_and_grads, model_recurrent_params,
                         param_shapes, random_like, window_step, zero_state)
from gradflow.softmax import Workspace
from gradflow.trainer import TrainConfig, evaluate, train

CELLS = [("rnn", {}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {}), ("gru", {"variant": "cho"})]


def tiny(cell="lstm", V=13, layers=2, E=5, H=4, **kw):
    return LMConfig(cell=cell, vocab_size=V, layers=layers, embed=E, hidden=H, **kw)


def random_state(cfg, B, rng):
    return [(rng.standard_normal((B, cfg.hidden)) * 0.5,
             rng.standard_normal((B, cfg.hidden)) * 0.5 if cfg.cell == "lstm" else None)
            for _ in range(cfg.layers)]


def check_gradients(cfg, seed=0, dropout_seed=None, tol=1e-6):
    """Centered differences (eps 1e-6, float64) along a random direction of every parameter."""
    model = init_model(cfg, seed)
    rng = np.random.default_rng(seed + 1)
    B, T = 3, 4
    x, y = rng.integers(0, cfg.vocab_size, (B, T)), rng.integers(0, cfg.vocab_size, (B, T))
    state = random_state(cfg, B, rng)
    drop = (lambda: np.random.default_rng(dropout_seed)) if dropout_seed is not None else (lambda: None)
    _, grads, _ = loss_and_grads(model, x, y, state, rng=drop())
    assert set(grads) == set(model.params)

    def loss_at(name, v):
        p = dict(model.params)
        p[name] = v
        return loss_and_grads(LanguageModel(cfg, p), x, y, state, rng=drop())[0]

    for name, w in model.params.items():
        assert grads[name].shape == w.shape
        d = rng.standard_normal(w.shape)
        num = (loss_at(name, w + 1e-6 * d) - loss_at(name, w - 1e-6 * d)) / 2e-6
        ana = float(np.sum(grads[name] * d))
        assert abs(num - ana) <= tol * max(abs(num), 1e-3), (name, num, ana)


@pytest.mark.parametrize("cell,opts", CELLS)
def test_gradient_matches_finite_differences(cell, opts):
    check_gradients(tiny(cell, **opts))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradient_with_tied_weights(cell):
    check_gradients(tiny(cell, E=5, H=5, tie=True))


def test_gradient_with_a_fixed_dropout_mask():
    check_gradients(tiny("lstm", E=4, H=4, tie=True, dropout=0.4), dropout_seed=3)


def test_initial_loss_is_log_vocabulary_size():
    cfg = LMConfig(cell="lstm", vocab_size=10000, embed=8, hidden=8)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 10000, (4, 10)), rng.integers(0, 10000, (4, 10))
    loss, _, _ = loss_and_grads(init_model(cfg, 0), x, y)
    assert abs(loss - math.log(10000)) < 0.02


@pytest.mark.parametrize("cell,lr", [("rnn", 2.0), ("lstm", 5.0), ("gru", 5.0)])
def test_overfits_a_tiny_corpus(cell, lr):
    """A random 24-word sentence repeated: with the state carried, the loss goes to ~0."""
    ids = np.tile(np.random.default_rng(0).integers(0, 12, 24), 30)
    cfg = TrainConfig(model=tiny(cell, V=12, layers=1, E=16, H=32), epochs=25, batch=4, bptt=12,
                      lr=lr, clip=1.0, lr_decay=1.0, grad_norms_every=0)
    steps = [e["loss"] for e in train(cfg, ids, ids[:200], seed=0) if e["event"] == "step"]
    assert steps[0] > 2.0  # it started near log(12) = 2.48
    assert np.mean(steps[-5:]) < 0.05


def test_dropout_is_off_at_evaluation():
    cfg = tiny("lstm", V=20, dropout=0.5)
    model = init_model(cfg, 1)
    no_drop = LanguageModel(replace_dropout(cfg, 0.0), model.params)
    ids = np.random.default_rng(2).integers(0, 20, 300)
    a = evaluate(model, ids, batch=2, bptt=7, dtype="float64")
    b = evaluate(no_drop, ids, batch=2, bptt=7, dtype="float64")
    assert a["loss"] == b["loss"]
    # ... while training with an rng does drop units
    net, ws = Net(cfg, model.params, np.float64), Workspace(cfg, 14, np.float64)
    x, y = ids[:14].reshape(7, 2), ids[1:15].reshape(7, 2)
    off, _ = window_step(net, ws, x, y, zero_state(cfg, 2, np.float64))
    on, _ = window_step(net, ws, x, y, zero_state(cfg, 2, np.float64), rng=np.random.default_rng(0))
    assert not np.allclose(off, on)


def replace_dropout(cfg, p):
    from dataclasses import replace
    return replace(cfg, dropout=p)


def test_float32_kernel_matches_float64():
    cfg = tiny("gru", V=50, E=6, H=6, tie=True)
    model = init_model(cfg, 0)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 50, (5, 3)), rng.integers(0, 50, (5, 3))
    l64, g64, _ = loss_and_grads(model, x, y, dtype=np.float64)
    l32, g32, _ = loss_and_grads(model, x, y, dtype=np.float32)
    assert abs(l64 - l32) < 1e-5
    for k in g64:
        assert g32[k].dtype == np.float32
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-5)


def test_softmax_survives_float32_overflow():
    """Logits beyond float32's exp range take the max-shifted path and stay exact."""
    cfg = tiny("rnn", V=7, layers=1, E=3, H=3)
    model = init_model(cfg, 0)
    params = dict(model.params)
    params["decoder.bias"] = np.array([200.0, -150.0, 0, 0, 0, 0, 0])  # exp(200) overflows float32
    model = LanguageModel(cfg, params)
    x, y = np.array([[1, 2, 3]]), np.array([[0, 1, 2]])
    l64, g64, _ = loss_and_grads(model, x, y, dtype=np.float64)
    l32, g32, _ = loss_and_grads(model, x, y, dtype=np.float32)
    assert math.isfinite(l32) and abs(l32 - l64) < 1e-3 * l64
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-4)


def test_random_like_and_recurrent_params():
    model = init_model(tiny("gru", V=20, layers=2), 0)
    other = random_like(model, seed=1)
    assert other.config == model.config and set(other.params) == set(model.params)
    assert not np.allclose(other.params["rnn.weight_hh_l1"], model.params["rnn.weight_hh_l1"])
    p = model_recurrent_params(model, 1)
    assert set(p) == {"weight_ih", "weight_hh", "bias_ih", "bias_hh"} and p["weight_hh"].dtype == np.float64
    with pytest.raises(ValueError, match="layer"):
        model_recurrent_params(model, 2)


# --------------------------------------------------------------------------
# configuration and training-state validation
# --------------------------------------------------------------------------
@pytest.mark.parametrize("field,bad,match", [
    ("cell", ["lstm"], "unknown cell"), ("cell", "xlstm", "unknown cell"),
    ("vocab_size", 0, "vocab_size must be an integer in"), ("vocab_size", 10**7, "vocab_size"),
    ("layers", 0, r"layers must be an integer in \[1, 16\]"), ("layers", 17, "layers"), ("layers", 10**9, "layers"),
    ("layers", 2.0, "layers"), ("layers", True, "layers"), ("embed", 8193, "embed"), ("hidden", "8", "hidden"),
    ("dropout", "0.1", "dropout must be a finite real"), ("dropout", True, "dropout"), ("dropout", None, "dropout"),
    ("dropout", math.nan, "dropout"), ("dropout", 1.0, r"dropout must be in \[0, 1\)"), ("dropout", -0.1, "dropout"),
    ("forget_bias", "1", "forget_bias must be a finite real"), ("forget_bias", math.nan, "forget_bias"),
    ("forget_bias", math.inf, "forget_bias"), ("forget_bias", None, "forget_bias"), ("forget_bias", 10**400, "forget_bias"),
    ("tie", 1, "tie must be true or false"), ("tie", "yes", "tie"), ("tie", None, "tie"),
    ("nonlinearity", "gelu", "unknown nonlinearity"), ("nonlinearity", np.array(["tanh"]), "unknown nonlinearity"),
    ("nonlinearity", ["tanh", "relu"], "unknown nonlinearity"), ("variant", np.array(["cho"]), "unknown GRU variant"),
])
def test_lm_config_rejects_bad_fields(field, bad, match):
    """Strings, NaN, bools, unbounded sizes and arrays of a valid name used to be accepted (or to fail later)."""
    with pytest.raises(ValueError, match=match):
        LMConfig(**{field: bad})


def test_lm_config_stores_plain_values():
    """NumPy scalars are stored as int, float and bool, so the config still writes JSON."""
    cfg = LMConfig(layers=np.int64(2), embed=np.int32(4), hidden=4, dropout=np.float32(0.25), tie=np.True_,
                   forget_bias=np.int8(1))
    assert LMConfig.from_json(cfg.to_json()) == cfg
    assert [type(getattr(cfg, k)) for k in ("layers", "embed", "dropout", "tie", "forget_bias")] == [
        int, int, float, bool, float]


def test_lm_seeds_come_from_the_one_as_rng():
    """One as_rng (gradflow.checks) for the engine, the spectra and the LM; the LM refuses None
    (a run must be reproducible from its seed), the others draw fresh entropy."""
    import gradflow.lm
    from gradflow import spectral

    assert getattr(gradflow.lm, "as_rng", checks.as_rng) is checks.as_rng and not hasattr(spectral, "_as_rng")
    cfg = tiny("gru")
    for bad in (None, True, -1, 1.5, "3"):
        with pytest.raises(ValueError, match="seed must be a non-negative int or an np.random.Generator"):
            init_model(cfg, bad)
    with pytest.raises(ValueError, match="seed must be"):
        next(train(TrainConfig(model=cfg), np.arange(13), np.arange(13), seed=None))
    np.testing.assert_array_equal(init_model(cfg, np.int64(3)).params["rnn.weight_hh_l0"],
                                  init_model(cfg, 3).params["rnn.weight_hh_l0"])
    assert isinstance(checks.as_rng(None), np.random.Generator)
    assert spectral.base_recurrent_matrix(3, rng=None).shape == (3, 3)
    with pytest.raises(ValueError, match="seed must be a non-negative int, None or an np.random.Generator"):
        spectral.base_recurrent_matrix(3, rng=-1)


def test_dlfs2_initialisation_matches_its_rnnlm():
    """init="dlfs2": embedding N(0, 0.01²), weights N(0, 1/fan_in), zero biases (forget bias kept)."""
    model = init_model(LMConfig(cell="lstm", embed=100, hidden=50, init="dlfs2", forget_bias=1.0), seed=3)
    p = model.params
    assert p["embedding.weight"].std() == pytest.approx(0.01, rel=0.02)
    assert p["rnn.weight_ih_l0"].std() == pytest.approx(1 / np.sqrt(100), rel=0.03)
    assert p["rnn.weight_hh_l0"].std() == pytest.approx(1 / np.sqrt(50), rel=0.03)
    assert p["decoder.weight"].std() == pytest.approx(1 / np.sqrt(50), rel=0.03)
    bias = p["rnn.bias_ih_l0"]
    assert (bias[50:100] == 1.0).all() and not bias[:50].any() and not bias[100:].any()
    assert not p["rnn.bias_hh_l0"].any() and not p["decoder.bias"].any()
    assert LMConfig.from_json(model.config.to_json()).init == "dlfs2"
    with pytest.raises(ValueError, match="unknown init"):
        LMConfig(init="xavier")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_param_shapes_are_the_engine_table_per_layer(cell):
    """The LM's per-layer shapes come from gradflow.checks.param_shapes (layer 0 reads E inputs, the others H)."""
    cfg = tiny(cell, V=11, layers=3, E=5, H=4)
    shapes = param_shapes(cfg)
    for k, D in enumerate((5, 4, 4)):
        assert {n: shapes[f"rnn.{n}_l{k}"] for n in checks.PARAM_NAMES} == checks.param_shapes(cell, D, 4)
    assert shapes["embedding.weight"] == (11, 5) and shapes["decoder.weight"] == (11, 4)
    assert list(shapes)[0] == "embedding.weight" and list(shapes)[-1] == "decoder.bias"
    assert "decoder.weight" not in param_shapes(tiny(cell, E=4, H=4, tie=True))
    assert {k: v.shape for k, v in init_model(cfg, 0).params.items()} == shapes
