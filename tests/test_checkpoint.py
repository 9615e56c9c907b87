"""gradflow.checkpoint: round trip, clear errors for every kind of bad file, atomic saves,
validated configs and training states, and the shipped models' paths."""

import json
import math
import zipfile

import numpy as np
import pytest

from gradflow import checkpoint
from gradflow.data import Vocab
from gradflow.lm import LanguageModel, LMConfig, init_model
from gradflow.trainer import TrainConfig


def tiny(cell="lstm", V=13, layers=2, E=5, H=4, **kw):
    return LMConfig(cell=cell, vocab_size=V, layers=layers, embed=E, hidden=H, **kw)


# A training state as train's epoch events give it (see trainer.check_resume).
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
