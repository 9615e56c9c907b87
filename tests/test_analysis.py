"""gradflow.analysis: one sentence through a language model (states, gates, predictions, ∂L/∂h_t),
checked against finite differences and the engine's gradient_flow."""

import math

import numpy as np
import pytest

from gradflow import gradient_flow
from gradflow.analysis import analyze_sentence
from gradflow.data import Vocab
from gradflow.lm import LanguageModel, LMConfig, init_model, model_recurrent_params


def tiny(cell="lstm", V=13, layers=2, E=5, H=4, **kw):
    return LMConfig(cell=cell, vocab_size=V, layers=layers, embed=E, hidden=H, **kw)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_analyze_sentence_layout(cell):
    cfg = tiny(cell, V=30, E=5, H=5, tie=True)
    words = Vocab(tuple(f"w{i}" for i in range(30)))
    model = init_model(cfg, 4, words)
    ids = np.array([3, 7, 1, 9, 4, 12])
    r = analyze_sentence(model, ids, position=3, top_k=4)
    T, H = len(ids), cfg.hidden
    assert r.tokens == [f"w{i}" for i in ids] and r.target == 4 and r.target_word == "w4"
    assert len(r.layers) == 2
    for layer in r.layers:
        assert layer["hs"].shape == layer["dh"].shape == (T, H)
        assert set(layer["gates"]) == set("ifgo" if cell == "lstm" else "rzn")
        assert all(g.shape == (T, H) for g in layer["gates"].values())
        assert np.all(layer["dh"][4:] == 0)  # later states do not affect the loss at 3
        assert (layer["cs"] is not None) == (cell == "lstm")
    assert r.topk_ids.shape == r.topk_probs.shape == (T, 4) and len(r.topk_words) == T
    assert np.all(np.diff(r.topk_probs, axis=1) <= 0)
    assert r.loss == pytest.approx(r.token_loss[3]) and math.isnan(r.token_loss[-1])



@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_analyze_sentence_dx_and_dh_against_finite_differences_and_engine(cell):
    cfg = tiny(cell, V=25, layers=1, E=4, H=6)
    model = init_model(cfg, 5)
    ids = np.array([2, 11, 5, 19, 8, 3, 0])  # distinct: dx[t] is the gradient of embedding row ids[t]
    r = analyze_sentence(model, ids)  # default position: T-2, target ids[-1]
    assert r.position == len(ids) - 2 and r.target == 0
    emb = model.params["embedding.weight"]
    rng = np.random.default_rng(1)
    for t in range(len(ids)):
        d = rng.standard_normal(cfg.embed)

        def loss(eps):
            p = dict(model.params)
            p["embedding.weight"] = emb.copy()
            p["embedding.weight"][ids[t]] += eps * d
            return analyze_sentence(LanguageModel(cfg, p), ids).loss

        num = (loss(1e-6) - loss(-1e-6)) / 2e-6
        assert abs(num - r.dx[t] @ d) < 1e-7 + 1e-6 * abs(num)
    # one layer: dh is the engine's BPTT with the position's loss gradient as upstream
    up = np.zeros((len(ids), 1, cfg.hidden))
    probs = np.exp(-r.token_loss[r.position])
    assert 0 < probs < 1
    W = model.params["decoder.weight"]
    h = r.layers[0]["hs"][r.position]
    z = W @ h + model.params["decoder.bias"]
    p = np.exp(z - z.max())
    p /= p.sum()
    p[r.target] -= 1
    up[r.position, 0] = p @ W
    fl = gradient_flow(cell, model_recurrent_params(model, 0), r.embeddings[:, None, :], up)
    np.testing.assert_allclose(r.layers[0]["dh"], fl.dh[:, 0], atol=1e-12)
    np.testing.assert_allclose(r.dx, fl.dx[:, 0], atol=1e-12)


def test_analyze_sentence_bad_input():
    model = init_model(tiny("lstm", V=10), 0)
    for bad in ([], [1, 10], [[1, 2]], [1.5, 2.0]):
        with pytest.raises(ValueError):
            analyze_sentence(model, bad)
    with pytest.raises(ValueError, match="no next word"):
        analyze_sentence(model, [1, 2, 3], position=2)
    assert analyze_sentence(model, [4], target=2).position == 0
    with pytest.raises(ValueError, match="position"):
        analyze_sentence(model, [1, 2, 3], position=5)
