"""The captions of pages 2–4 (and every chart's derivation), asserted on the charts' own data.

See tests/test_claims.py for page 1, the home page and the presets.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from gradflow import checkpoint, clipping, data, i18n, trainer
from gradflow.experiments import clipping as exp_clip
from gradflow.experiments import gates as exp_gates
from gradflow.experiments import sentences, shipped, training
from gradflow.page_params import CLIPPING, TRAINING

ROOT = Path(__file__).resolve().parent.parent
HAS_PTB = data.ptb_status()[0]
needs_ptb_models = pytest.mark.skipif(not HAS_PTB or not all(shipped.model_path(c) for c in ("lstm", "gru")),
                                      reason="needs the PTB data and the shipped LSTM and GRU")


@pytest.mark.parametrize("page", [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))], ids=lambda p: p.name)
def test_every_chart_has_its_derivation(page):
    src = page.read_text(encoding="utf-8")
    charts = len(re.findall(r"page\.chart\(", src))
    hows = re.findall(r'page\.how\("([a-z_]+)"\)', src)
    assert len(hows) >= charts > 0 or charts == 0
    for key in hows:
        assert i18n.has(f"how.{key}")


def test_cap_pnorm_norm_clipping_scales_every_bar_alike_value_clipping_turns_the_direction():
    d = {p.key: p.default for p in CLIPPING}
    base = dict(cell=d["cell"], rho=d["rho"], T=d["T"], seed=d["seed"], nonlinearity=d["nonlin"])
    norm = exp_clip.clip_case(exp_clip.ClipSettings(**base, method="norm", threshold=0.01))
    ratios = np.array(norm["after"]) / np.array(norm["before"])
    assert norm["clipped"] and np.allclose(ratios, ratios[0], rtol=1e-12) and ratios[0] < 1
    assert norm["cosine"] == pytest.approx(1.0, abs=1e-12)
    value = exp_clip.clip_case(exp_clip.ClipSettings(**base, method="value", threshold=0.01))
    assert value["clipped"] and value["cosine"] < 1 - 1e-6


def test_cap_cliff_at_the_page_defaults():
    d = {p.key: p.default for p in CLIPPING}
    s = exp_clip.CliffSettings(w0=d["w0"], b0=d["b0"], lr=d["lr"], steps=d["csteps"], clip=d["cthr"])
    plain, clipped = exp_clip.cliff_paths(s)
    jp = np.linalg.norm(np.diff(plain.params, axis=0), axis=1)
    jc = np.linalg.norm(np.diff(clipped.params, axis=0), axis=1)
    np.testing.assert_allclose(jp, s.lr * plain.grad_norm, rtol=1e-9)  # "a plain step is lr·‖g‖ long"
    assert jp.max() >= 3 * jc.max()  # "several times farther than any clipped step"
    assert np.all(jc <= s.lr * s.clip * (1 + 1e-9))  # "at most lr·c"
    assert clipped.loss[-1] < clipped.loss[0]  # "ends lower than it starts"


@needs_ptb_models
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_cap_sat_cap_pred_and_cap_gates_grad_on_a_ptb_sentence(cell):
    vocab = data.load_vocab()
    ids, _ = sentences.sentence_ids("test", 3)  # the preset's sentence
    ids = np.asarray(ids)
    model = checkpoint.load(shipped.model_path(cell))
    found = {}
    for w in ("trained", "random"):
        m, _ = exp_gates.model_for(cell, w, 0, model, vocab)
        found[w] = exp_gates.analyze(m, ids, len(ids) // 2, vocab.eos_id)
    share = {w: np.mean([lo + hi for lo, hi in exp_gates.saturation(a.layers[0]["gates"]).values()])
             for w, a in found.items()}
    assert share["trained"] >= 10 * share["random"] and share["trained"] > 0.1  # "many more saturated values"
    assert found["random"].topk_probs.max() < 1e-3  # "almost evenly … about 0.0001 each"
    for a in found.values():  # "entries after p are zero"
        assert np.all(a.layers[0]["dh_norm"][a.position + 1:] == 0) and a.layers[0]["dh_norm"][a.position] > 0


@needs_ptb_models
def test_cap_train_perplexity_starts_near_the_vocabulary_size_and_falls():
    d = {p.key: p.default for p in TRAINING}
    s = training.TrainingSettings.from_widgets({**d, "tokens": 6_000, "epochs": 1})
    losses = [ev["perplexity"] for ev in trainer.train(training.to_train_config(s), seed=0)
              if ev["event"] == "step"]
    assert 10_000 / 1.5 <= losses[0] <= 10_000 * 1.5
    assert np.mean(losses[-5:]) < 0.5 * losses[0]


def test_cap_tgnorm_a_clipped_step_has_length_lr_times_c():
    c = next(p.default for p in TRAINING if p.key == "threshold")
    rng = np.random.default_rng(0)
    for scale in (1.0, 1e3, 1e9):  # whatever ‖g‖ was
        g = {"a": scale * rng.standard_normal((5, 4)), "b": scale * rng.standard_normal(7)}
        clipped, total = clipping.clip_by_norm(g, c)
        assert total > c
        assert clipping.global_norm(clipped) == pytest.approx(c, rel=1e-5)


@needs_ptb_models
def test_cap_pgnorm_the_decoder_and_the_embedding_usually_dominate():
    d = {p.key: p.default for p in TRAINING}
    s = training.TrainingSettings.from_widgets({**d, "tokens": 6_000, "epochs": 1})
    cfg = training.to_train_config(s)
    wins = [max(v for k, v in ev["grad_norms"].items() if k.startswith(("decoder", "embedding")))
            > ev["grad_norms"]["rnn.weight_hh_l0"]
            for ev in trainer.train(cfg, seed=0) if ev["event"] == "step" and "grad_norms" in ev]
    assert wins and np.mean(wins) > 0.5
