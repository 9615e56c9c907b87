"""gradflow.trainer: SGD with clipping, the train generator (schedule, events, resume, carried
state, single bias), evaluate and its progress reports, and TrainConfig validation."""

import math

import numpy as np
import pytest

from gradflow import clipping, trainer
from gradflow.lm import LMConfig, Net, init_model, loss_and_grads, window_step, zero_state
from gradflow.softmax import Workspace
from gradflow.trainer import TrainConfig, evaluate, next_lr, sgd_step, train


def tiny(cell="lstm", V=13, layers=2, E=5, H=4, **kw):
    return LMConfig(cell=cell, vocab_size=V, layers=layers, embed=E, hidden=H, **kw)


def test_sgd_step_equals_pure_clip_then_update():
    cfg = tiny("lstm", V=15, E=4, H=4, tie=True)
    model = init_model(cfg, 0)
    rng = np.random.default_rng(3)
    x, y = rng.integers(0, 15, (2, 5)), rng.integers(0, 15, (2, 5))
    _, g, _ = loss_and_grads(model, x, y)
    for max_norm in (1e-3, 1e3, None):
        net, grads = Net(cfg, model.params, np.float64), Net(cfg, g, np.float64)
        norm, clipped, skipped = sgd_step(net, grads, lr=2.0, clip=max_norm)
        ref, ref_norm = clipping.clip_by_norm(g, math.inf if max_norm is None else max_norm)
        assert norm == pytest.approx(ref_norm, rel=1e-12) and not skipped
        assert clipped == (max_norm == 1e-3)
        for k, w in net.export().items():
            np.testing.assert_allclose(w, model.params[k] - 2.0 * ref[k], rtol=1e-12, atol=1e-15)
    bad = dict(g)
    bad["decoder.bias"] = g["decoder.bias"].copy()
    bad["decoder.bias"][0] = np.inf
    net = Net(cfg, model.params, np.float64)
    norm, clipped, skipped = sgd_step(net, Net(cfg, bad, np.float64), lr=2.0, clip=0.25)
    assert skipped and math.isinf(norm)
    for k, w in net.export().items():
        np.testing.assert_array_equal(w, model.params[k])  # the step was skipped


def test_sparse_embedding_gradient_gives_the_same_step():
    """The trainer keeps only the touched embedding rows; the update equals the dense one."""
    cfg = tiny("lstm", V=40, E=3, H=4)
    model = init_model(cfg, 0)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 10, (6, 3)), rng.integers(0, 40, (6, 3))  # repeats among 10 ids
    results = []
    for sparse in (False, True):
        net, grads = Net(cfg, model.params, np.float64), Net(cfg, None, np.float64, sparse_embedding=sparse)
        window_step(net, Workspace(cfg, 18, np.float64), x, y, zero_state(cfg, 3, np.float64), grads=grads)
        results.append((sgd_step(net, grads, lr=3.0, clip=0.1), net.export()))
    (dense_out, dense), (sparse_out, sparse) = results
    assert sparse_out[0] == pytest.approx(dense_out[0], rel=1e-12) and sparse_out[1:] == dense_out[1:]
    for k in dense:
        np.testing.assert_allclose(sparse[k], dense[k], rtol=1e-12, atol=1e-15)
    untouched = np.setdiff1d(np.arange(40), x)
    np.testing.assert_array_equal(sparse["embedding.weight"][untouched], model.params["embedding.weight"][untouched])


def test_lr_schedule_and_events():
    assert next_lr(20.0, True, 4.0) == 20.0 and next_lr(20.0, False, 4.0) == 5.0
    ids = np.random.default_rng(0).integers(0, 11, 400)
    cfg = TrainConfig(model=tiny("rnn", V=11, layers=1), epochs=2, batch=2, bptt=5, grad_norms_every=7)
    events = list(train(cfg, ids, ids[:100], seed=0))
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and kinds.count("epoch") == 2
    steps = [e for e in events if e["event"] == "step"]
    assert [e["step"] for e in steps] == list(range(1, len(steps) + 1))
    for e in steps:
        assert {"epoch", "loss", "perplexity", "grad_norm", "clipped", "skipped", "lr", "tokens_per_s"} <= set(e)
        assert e["clipped"] == (e["grad_norm"] > 0.25 + 1e-6)
        assert ("grad_norms" in e) == ((e["step"] - 1) % 7 == 0)
    epochs = [e for e in events if e["event"] == "epoch"]
    for prev, e in zip(epochs, epochs[1:]):
        assert e["lr"] == (prev["lr"] if e["improved"] else prev["lr"] / 4)


def test_training_is_reproducible_and_resumable():
    ids = np.random.default_rng(0).integers(0, 11, 400)
    cfg = TrainConfig(model=tiny("lstm", V=11, layers=1, dropout=0.3), epochs=2, batch=2, bptt=5)
    full = [e for e in train(cfg, ids, ids[:100], seed=7) if e["event"] == "epoch"]
    first = [e for e in train(TrainConfig(**{**cfg.__dict__, "epochs": 1}), ids, ids[:100], seed=7)
             if e["event"] == "epoch"]
    resumed = [e for e in train(cfg, ids, ids[:100], resume=(first[0]["model"], first[0]["resume"]))
               if e["event"] == "epoch"]
    assert len(resumed) == 1
    assert resumed[0]["valid_perplexity"] == pytest.approx(full[1]["valid_perplexity"], rel=1e-5)


def test_carry_state_keeps_the_recurrent_state_across_epochs(monkeypatch):
    """DLFS2's trainer never resets its LSTM between epochs; carry_state=True does the same."""
    ids = np.random.default_rng(0).integers(0, 11, 401)  # (N-1)//B == N//B: epoch 1 reads the same windows
    zeroed = []
    real_zero_state = trainer.zero_state
    monkeypatch.setattr(trainer, "zero_state", lambda *a: zeroed.append(a) or real_zero_state(*a))
    runs = {}
    for carry in (False, True):
        zeroed.clear()
        cfg = TrainConfig(model=tiny("lstm", V=11, layers=1), epochs=2, batch=2, bptt=5, carry_state=carry)
        runs[carry] = [e for e in train(cfg, ids, ids[:100], seed=3) if e["event"] == "step"]
        calls = len(zeroed) - 2  # evaluate() zeroes its own state once per epoch
        assert calls == (1 if carry else 3)
    first = [e for e in runs[True] if e["epoch"] == 1]
    assert [e["loss"] for e in first] == [e["loss"] for e in runs[False][:len(first)]]
    second = len(first)  # the first step of epoch 2 starts from a different state
    assert runs[True][second]["loss"] != runs[False][second]["loss"]


def test_single_bias_trains_the_sum_of_the_two_biases_once():
    """single_bias: bias_hh stays put and its duplicate gradient leaves the clipping norm (DLFS2's one b)."""
    ids = np.random.default_rng(0).integers(0, 11, 401)
    runs = {}
    for single in (False, True):
        cfg = TrainConfig(model=tiny("lstm", V=11, layers=2), epochs=1, batch=2, bptt=5, single_bias=single)
        runs[single] = [e for e in train(cfg, ids, ids[:100], seed=3) if e["event"] in ("step", "done")]
    first = {k: v[0] for k, v in runs.items()}  # the same weights and window: the same gradients
    model = init_model(tiny("lstm", V=11, layers=2), 3)
    x, y = np.stack([ids[0:5], ids[200:205]]), np.stack([ids[1:6], ids[201:206]])  # window 1 of 2 streams
    _, grads, _ = loss_and_grads(model, x, y, dtype=np.float32)
    db2 = sum(float(np.sum(grads[f"rnn.bias_hh_l{k}"].astype(np.float64) ** 2)) for k in range(2))
    assert first[True]["grad_norm"] == pytest.approx(math.sqrt(first[False]["grad_norm"] ** 2 - db2), rel=1e-4)
    end = runs[True][-1]["model"].params
    for k in range(2):
        np.testing.assert_array_equal(end[f"rnn.bias_hh_l{k}"], model.params[f"rnn.bias_hh_l{k}"].astype(np.float32))
        assert not np.array_equal(end[f"rnn.bias_ih_l{k}"], model.params[f"rnn.bias_ih_l{k}"].astype(np.float32))
    with pytest.raises(ValueError, match="single_bias"):
        next(train(TrainConfig(model=tiny("gru", V=11, layers=1), single_bias=True), ids, ids, seed=0))


@pytest.mark.parametrize("field,bad,match", [
    ("lr", "5", "lr must be a positive number"), ("lr", 0, "lr"), ("lr", math.nan, "lr"), ("lr", True, "lr"),
    ("lr_decay", "4", "lr_decay must be a number >= 1"), ("lr_decay", 0.5, "lr_decay"),
    ("clip", "0.25", "clip must be a positive number or None"), ("clip", -1.0, "clip"), ("clip", math.inf, "clip"),
    ("grad_norms_every", -1, "grad_norms_every"), ("grad_norms_every", 2.5, "grad_norms_every"),
    ("model", {"cell": "lstm"}, "model must be an LMConfig"),
    ("carry_state", 1, "carry_state"), ("single_bias", "yes", "single_bias"),
])
def test_train_config_rejects_bad_fields(field, bad, match):
    """A string lr or clip used to raise TypeError from a comparison."""
    with pytest.raises(ValueError, match=match):
        TrainConfig(**{field: bad})


def test_evaluate_reports_progress_and_its_result_is_unchanged():
    cfg = tiny("gru", V=11, layers=1)
    model = init_model(cfg, 0)
    ids = np.random.default_rng(0).integers(0, 11, 203)  # 2 streams of 101: windows of 7, the last one of 2
    calls = []
    with_bar = evaluate(model, ids, batch=2, bptt=7, progress=lambda d, n: calls.append((d, n)))
    assert calls == [(k, 15) for k in range(1, 16)]
    assert with_bar["loss"] == evaluate(model, ids, batch=2, bptt=7)["loss"] and with_bar["tokens"] == 200


def test_gradient_norm_statistics_report_progress_over_both_models():
    from gradflow.gradstats import gradient_norm_histogram

    model = init_model(tiny("lstm", V=11, layers=1, dropout=0.2), 0)
    ids = np.random.default_rng(1).integers(0, 11, 2_000)
    calls = []
    hist = gradient_norm_histogram(model, ids, batches=4, batch=2, bptt=5, bins=5,
                                   progress=lambda d, n: calls.append((d, n)))
    assert calls == [(k, 18) for k in range(1, 19)]  # (4 + 5 warm-up windows) × (trained, random init)
    assert hist == gradient_norm_histogram(model, ids, batches=4, batch=2, bptt=5, bins=5)
    assert len(hist["trained"]["norms"]) == 4 and sum(hist["random_init"]["counts"]) == 4
