"""Language model: loss at init, overfitting, float64 finite-difference gradients, dropout,
the float32 training kernel, analyze_sentence, SGD/clipping and checkpoints."""

import json
import math
import zipfile

import numpy as np
import pytest

from gradflow import checkpoint, clipping, gradient_flow, optim
from gradflow.data import Vocab
from gradflow.lm import (LanguageModel, LMConfig, Net, Workspace, analyze_sentence, init_model,
                         loss_and_grads, model_recurrent_params, random_like, window_step, zero_state)
from gradflow.optim import TrainConfig, evaluate, next_lr, sgd_step, train

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


# --------------------------------------------------------------------------
# analyze_sentence
# --------------------------------------------------------------------------
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
# optimiser
# --------------------------------------------------------------------------
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
    real_zero_state = optim.zero_state
    monkeypatch.setattr(optim, "zero_state", lambda *a: zeroed.append(a) or real_zero_state(*a))
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


# --------------------------------------------------------------------------
# checkpoints
# --------------------------------------------------------------------------
# A training state as train's epoch events give it (see optim.check_resume).
RESUME = {"epoch": 1, "step": 9, "lr": 5.0, "best_valid_perplexity": 12.5, "train_seconds": 0.5, "train_tokens": 630,
          "history": [{"epoch": 1, "valid_perplexity": 12.5}], "rng": np.random.default_rng(0).bit_generator.state}


@pytest.fixture
def saved(tmp_path):
    words = Vocab(tuple(f"w{i}" for i in range(17)))
    model = init_model(tiny("gru", V=17, E=4, H=4, tie=True), 0, words)
    path = tmp_path / "m.npz"
    checkpoint.save(path, model, resume=RESUME)
    return model, path, words


def test_checkpoint_round_trip(saved, tmp_path):
    model, path, words = saved
    loaded, resume = checkpoint.load(path, vocab=words, with_resume=True)
    assert loaded.config == model.config and resume == RESUME
    assert loaded.vocab == words and set(loaded.params) == set(model.params) and "decoder.weight" not in loaded.params
    for k, v in model.params.items():
        np.testing.assert_array_equal(loaded.params[k], v.astype(np.float32))
    with np.load(path, allow_pickle=False) as z:
        assert "embedding.weight" in z.files and "rnn.weight_hh_l1" in z.files
        assert json.loads(str(z["__config__"][0]))["cell"] == "gru"
    half = tmp_path / "half.npz"
    checkpoint.save(half, model, dtype="float16")
    h = checkpoint.load(half)
    assert h.params["embedding.weight"].dtype == np.float32
    np.testing.assert_allclose(h.params["embedding.weight"], model.params["embedding.weight"], rtol=1e-3, atol=1e-4)
    assert half.stat().st_size < path.stat().st_size
    assert not list(tmp_path.glob("*.tmp"))


def rewrite(path, change):
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    change(arrays)
    np.savez(path, **arrays)


def test_bad_checkpoints_get_clear_errors(saved, tmp_path):
    model, path, words = saved
    raw = path.read_bytes()
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        checkpoint.load(tmp_path / "nope.npz")

    trunc = tmp_path / "trunc.npz"
    trunc.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="trunc.npz.*corrupt or truncated"):
        checkpoint.load(trunc)

    corrupt = tmp_path / "corrupt.npz"
    data = bytearray(raw)
    mid = len(data) // 3
    data[mid:mid + 64] = bytes(64)
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="corrupt.npz"):
        checkpoint.load(corrupt)

    notzip = tmp_path / "text.npz"
    notzip.write_text("hello")
    with pytest.raises(ValueError, match="text.npz.*corrupt or truncated"):
        checkpoint.load(notzip)

    for name, change, message in [
        ("hash", lambda a: a.__setitem__("__vocab_sha256__", np.array("0" * 64)), "does not match its sha256"),
        ("missing", lambda a: a.pop("rnn.bias_hh_l1"), "missing parameters.*rnn.bias_hh_l1"),
        ("shape", lambda a: a.__setitem__("decoder.bias", np.zeros(5, np.float32)), r"decoder.bias.*\(17,\)"),
        ("noconfig", lambda a: a.pop("__config__"), "__config__"),
        ("badconfig", lambda a: a.__setitem__("__config__", np.array(['{"cell": "xlstm"}'])), "invalid model config"),
    ]:
        p = tmp_path / f"{name}.npz"
        p.write_bytes(raw)
        rewrite(p, change)
        with pytest.raises(ValueError, match=f"{name}.npz.*{message}"):
            checkpoint.load(p)

    other = Vocab(tuple(f"v{i}" for i in range(17)))
    with pytest.raises(ValueError, match="different vocabulary"):
        checkpoint.load(path, vocab=other)


def test_interrupted_save_keeps_the_old_file(saved, monkeypatch):
    model, path, _ = saved
    before = path.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(path, model)
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.tmp"))
    assert zipfile.is_zipfile(path)


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


def test_lm_config_stores_plain_values():
    """NumPy scalars are stored as int, float and bool, so the config still writes JSON."""
    cfg = LMConfig(layers=np.int64(2), embed=np.int32(4), hidden=4, dropout=np.float32(0.25), tie=np.True_,
                   forget_bias=np.int8(1))
    assert LMConfig.from_json(cfg.to_json()) == cfg
    assert [type(getattr(cfg, k)) for k in ("layers", "embed", "dropout", "tie", "forget_bias")] == [
        int, int, float, bool, float]


def test_lm_seeds_come_from_the_one_as_rng():
    """One as_rng (gradflow.cells) for the engine, the spectra and the LM; the LM refuses None
    (a run must be reproducible from its seed), the others draw fresh entropy."""
    import gradflow.lm
    from gradflow import cells, spectral

    assert not hasattr(gradflow.lm, "as_rng") and not hasattr(spectral, "_as_rng")
    cfg = tiny("gru")
    for bad in (None, True, -1, 1.5, "3"):
        with pytest.raises(ValueError, match="seed must be a non-negative int or an np.random.Generator"):
            init_model(cfg, bad)
    with pytest.raises(ValueError, match="seed must be"):
        next(train(TrainConfig(model=cfg), np.arange(13), np.arange(13), seed=None))
    np.testing.assert_array_equal(init_model(cfg, np.int64(3)).params["rnn.weight_hh_l0"],
                                  init_model(cfg, 3).params["rnn.weight_hh_l0"])
    assert isinstance(cells.as_rng(None), np.random.Generator)
    assert spectral.base_recurrent_matrix(3, rng=None).shape == (3, 3)
    with pytest.raises(ValueError, match="seed must be a non-negative int, None or an np.random.Generator"):
        spectral.base_recurrent_matrix(3, rng=-1)


def test_checkpoint_with_a_bad_config_is_refused_quickly(saved, tmp_path):
    """layers = 10**9 used to reach param_shapes, which builds a dict entry per layer."""
    import time

    _, path, _ = saved
    for name, change, message in [("deep", {"layers": 10**9}, "layers"), ("wide", {"hidden": 10**12}, "hidden"),
                                  ("fbias", {"forget_bias": "1"}, "forget_bias"), ("nan", {"dropout": math.nan}, "dropout")]:
        p = tmp_path / f"{name}.npz"
        p.write_bytes(path.read_bytes())
        rewrite(p, lambda a: a.__setitem__("__config__", np.array(
            [json.dumps({**json.loads(str(a["__config__"][0])), **change})])))
        started = time.perf_counter()
        with pytest.raises(ValueError, match=f"{name}.npz has an invalid model config.*{message}"):
            checkpoint.load(p)
        assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("name,resume,message", [
    ("list", [RESUME], "must be a JSON object, got list"), ("number", 3, "JSON object, got int"),
    ("null", None, "JSON object, got NoneType"), ("nostep", {k: v for k, v in RESUME.items() if k != "step"}, "no step"),
    ("epoch", {**RESUME, "epoch": -1}, "epoch must be an integer ≥ 0"), ("float", {**RESUME, "epoch": 1.0}, "epoch"),
    ("bool", {**RESUME, "step": True}, "step"), ("tokens", {**RESUME, "train_tokens": "630"}, "train_tokens"),
    ("lr0", {**RESUME, "lr": 0}, "lr must be a finite number > 0"), ("lrstr", {**RESUME, "lr": "5"}, "lr"),
    ("lrnan", {**RESUME, "lr": math.nan}, "lr"), ("lrinf", {**RESUME, "lr": math.inf}, "lr"),
    ("secs", {**RESUME, "train_seconds": -1}, "train_seconds"), ("best", {**RESUME, "best_valid_perplexity": 0}, "best"),
    ("history", {**RESUME, "history": []}, "history must be a list of 1 epoch record"),
    ("record", {**RESUME, "history": [{"epoch": 1}]}, r"history\[0\] must be a record"),
    ("rng", {**RESUME, "rng": {}}, "rng is not a PCG64"), ("mt", {**RESUME, "rng": {"bit_generator": "MT19937"}}, "rng"),
])
def test_checkpoint_training_state_is_validated(saved, tmp_path, name, resume, message):
    """A __resume__ that is not a training state train can continue was returned as is."""
    _, path, _ = saved
    p = tmp_path / f"{name}.npz"
    p.write_bytes(path.read_bytes())
    rewrite(p, lambda a: a.__setitem__("__resume__", np.array([json.dumps(resume)])))
    with pytest.raises(ValueError, match=f"{name}.npz has an invalid training state: .*{message}"):
        checkpoint.load(p, with_resume=True)
    assert isinstance(checkpoint.load(p), LanguageModel)  # the weights alone are fine
    if resume is not None:
        with pytest.raises(ValueError, match=message):  # and such a state is never written
            checkpoint.save(tmp_path / "new.npz", checkpoint.load(p), resume=resume)
        assert not (tmp_path / "new.npz").exists()


def test_names_of_any_type_raise_value_error(saved, tmp_path):
    """An array holding one valid name passed the tuple's `in` and failed later with another error."""
    model, _, _ = saved
    with pytest.raises(ValueError, match="storage dtype"):
        checkpoint.save(tmp_path / "x.npz", model, dtype=np.array(["float32"]))
    with pytest.raises(ValueError, match="unknown shipped model"):
        checkpoint.shipped_path(["lstm"])
    with pytest.raises(ValueError, match="dtype must be"):
        TrainConfig(dtype=np.array(["float32"]))


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
