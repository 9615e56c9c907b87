"""Free text -> PTB tokens and ids, following the PTB's own conventions (`encode`).

The Penn Treebank's language-model text (gradflow.data) is lowercase, has
numbers replaced by `N`, contractions split (do n't, it 's), $ # & as tokens
and most punctuation removed. `encode` turns whatever a user types (curly
quotes, full-width characters, emoji, markup, numbers, contractions ...) into
tokens of a given vocabulary, words it lacks becoming <unk>, and explains
every change it made in plain-English notes.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from gradflow.data import EOS, NUM, UNK, Vocab

MAX_TOKENS = 2_000  # encode() is for prompts and example sentences, not books
MAX_CHARS = 50 * MAX_TOKENS  # bounds the work done before tokens can be counted


@dataclass(frozen=True, eq=False)  # eq=False: == on arrays is not a bool
class Encoded:
    """Free text turned into PTB tokens (see encode)."""

    ids: np.ndarray  # (N,) int32 read-only; ids[i] is the id of tokens[i]
    tokens: tuple[str, ...]  # the PTB tokens used; unknown words appear as <unk>
    unknown: tuple[str, ...]  # the words, as typed, that became <unk>, in order
    dropped: tuple[str, ...]  # punctuation removed, in order
    notes: tuple[str, ...]  # plain-English notes on every kind of change made


# Characters found inside PTB tokens (u.s., at&t, o'brien, hydro-quebec, mgm\/ua,
# \*) or kept as tokens ($ # &); other punctuation is cut out and dropped.
# < and > stay inside words so that pasted PTB text keeps its <unk> and an html
# tag stays one (unknown) word.
_INNER = frozenset("'-.&#$*/\\<>")
_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2212": "-", "\u2013": "-",  # en dash: 1988\u201389 is a number
    "\u2014": " -- ", "\u2015": " -- ",
    "\u2044": "/", "\u200b": " ",  # fraction slash; zero-width space separates words
    "\u00a3": "#",  # the PTB writes pounds sterling as '#'
})
# 3, 1,000, 3.5, .5, -2, 10:30, 1/2, 1988-89: tokens of digits and separators were N in the PTB
_NUMBER = re.compile(r"[-+]?(?:\d+|[.,]\d+)(?:[.,:/-]\d+)*")
_NT = re.compile(r"(.+)(n't)", re.IGNORECASE)  # don't -> do n't, can't -> ca n't, won't -> wo n't
_CLITIC = re.compile(r"(.+?)('s|'re|'ve|'ll|'d|'m)", re.IGNORECASE)  # it's -> it 's
_PEEL = "'.-*/\\<>"  # dropped from the edges of a word that is not a PTB token as it stands
_SYMBOLS = "$#&"  # split from the edges of a word and kept: $5 -> $ N
_MAX_WORD = 64  # longer chunks are never PTB tokens; skipping lookups keeps peeling linear

_NOTES = {  # kind -> note; {} receives examples
    "lower": "Lowercased the text: the PTB is all lowercase.",
    "unicode": "Replaced typographic or full-width characters (curly quotes, dashes, ligatures ...) "
               "with plain ones.",
    "pound": "'\u00a3' became '#', the PTB's sign for pounds sterling.",
    "control": "Treated control characters as spaces.",
    "format": "Removed invisible formatting characters (zero-width or text-direction marks).",
    "number": "Numbers became N, as everywhere in the PTB: {}",
    "percent": "'%' became N: the PTB writes '50%' as 'N N'.",
    "contraction": "Split contractions the PTB way: {}",
    "split": "Split $, #, & and the plural possessive ' off words, as the PTB does: {}",
    "dropped": "Dropped punctuation, which the PTB language-model text leaves out: {}",
    "unknown": "{} word(s) are not among the PTB's {:,} words and became <unk>: {}",
}


def _examples(items: list[str], sep: str = "; ", most: int = 5) -> str:
    unique = [w if len(w) <= 30 else w[:29] + "\u2026" for w in dict.fromkeys(items)]
    more = f" and {len(unique) - most} more" if len(unique) > most else ""
    return sep.join(unique[:most]) + more


class _Out:
    """Tokens being built, with what was dropped and why."""

    def __init__(self, vocab: Vocab):
        self.vocab = vocab
        self.tokens: list[str] = []
        self.unknown: list[str] = []
        self.dropped: list[str] = []
        self.events: dict[str, list[str]] = {}

    def note(self, kind: str, example: str | None = None):
        self.events.setdefault(kind, [])
        if example is not None:
            self.events[kind].append(example)

    def token(self, tok: str, original: str):
        if tok == UNK or tok not in self.vocab:
            self.tokens.append(UNK)
            self.unknown.append(original)
        else:
            self.tokens.append(tok)
            if original != tok and original.lower() == tok:
                self.note("lower")
        if len(self.tokens) > MAX_TOKENS:
            raise ValueError(f"text is too long: more than {MAX_TOKENS:,} PTB tokens; shorten it")

    def drop(self, text: str):
        self.dropped.append(text)

    def shown(self, start: int) -> str:
        return " ".join(self.tokens[start:])


def _lookup(word: str, vocab: Vocab) -> str | None:
    """The PTB token `word` stands for as a whole, or None."""
    if word in (UNK, NUM):  # pasted PTB text
        return word
    low = word.lower()
    if low in (EOS, UNK):  # never let typed text inject a special token
        return None
    if low in vocab:
        return low
    escaped = low.replace("/", "\\/").replace("*", "\\*")  # the PTB escapes / and *
    return escaped if "\\" not in low and escaped in vocab else None


def _settled(word: str, vocab: Vocab) -> bool:
    return len(word) <= _MAX_WORD and (_lookup(word, vocab) is not None or bool(_NUMBER.fullmatch(word)))


def _emit_word(word: str, out: _Out) -> bool:
    """Emit `word` if it is a PTB token or a number as it stands."""
    tok = _lookup(word, out.vocab)
    if tok is None and len(word) <= _MAX_WORD and _NUMBER.fullmatch(word):
        out.token(NUM, word)
        out.note("number", f"{word} \u2192 N")
        return True
    if tok is not None:
        out.token(tok, word)
        return True
    return False


def _emit_core(word: str, out: _Out):
    """A word with nothing left to peel: token, number, contraction or <unk>."""
    if _emit_word(word, out):
        return
    start = len(out.tokens)
    m = _NT.fullmatch(word) or _CLITIC.fullmatch(word)
    parts = m.groups() if m else (word[:3], word[3:]) if word.lower() == "cannot" else None
    if parts is None:
        out.token(UNK, word)
        return
    if not _emit_word(parts[0], out):
        out.token(UNK, parts[0])
    out.token(parts[1].lower(), parts[1])
    out.note("contraction", f"{word} \u2192 {out.shown(start)}")


def _is_punct(chunk: str) -> bool:
    return all(ch not in _SYMBOLS and not ch.isalnum() and (ch < "\x80" or unicodedata.category(ch)[0] == "P")
               for ch in chunk)


def _emit_chunk(chunk: str, out: _Out):
    """One whitespace-free piece of normalised text."""
    if chunk == "%":
        out.token(NUM, chunk)
        out.note("percent")
        return
    if _emit_word(chunk, out):
        return
    if _is_punct(chunk):
        out.drop(chunk)
        return
    start, split = len(out.tokens), False
    i, j, tail = 0, len(chunk), []  # tail: (keep?, text) peeled from the end, last first
    while i < j and not _settled(chunk[i:j], out.vocab) and chunk[i] in _SYMBOLS + _PEEL:
        if chunk[i] in _SYMBOLS:
            out.token(chunk[i], chunk[i])
            split = True
        else:
            out.drop(chunk[i])
        i += 1
    while i < j and not _settled(chunk[i:j], out.vocab) and chunk[j - 1] in _SYMBOLS + _PEEL:
        possessive = chunk[j - 1] == "'" and j - i > 1 and chunk[j - 2] in "sS"  # workers' -> workers '
        tail.append((chunk[j - 1] in _SYMBOLS or possessive, chunk[j - 1]))
        j -= 1
    if i < j:
        _emit_core(chunk[i:j], out)
    for keep, text in reversed(tail):
        if keep:
            out.token(text, text)
            split = True
        else:
            out.drop(text)
    if split:
        out.note("split", f"{chunk} \u2192 {out.shown(start)}")


def _normalise(text: str, out: _Out) -> list[str]:
    """NFKC, plain quotes and dashes, punctuation cut out; returns whitespace-free chunks."""
    nfkc = unicodedata.normalize("NFKC", text)
    if nfkc != text or any(ord(ch) in _TRANSLATE and ch not in "\u00a3`\u200b" for ch in nfkc):
        out.note("unicode")
    if "\u00a3" in nfkc:
        out.note("pound")
    plain = nfkc.translate(_TRANSLATE)
    pieces, in_other = [], False
    for k, ch in enumerate(plain):
        cat = unicodedata.category(ch)
        other = False  # emoji, symbols and unassigned code points: unknown words of their own
        if ch in ",:" and plain[k - 1:k].isdigit() and plain[k + 1:k + 2].isdigit():
            piece = ch  # inside a number: 1,000 and 10:30
        elif ch.isspace() or cat[0] == "Z" or cat == "Cc":
            if not ch.isspace():
                out.note("control")
            piece = " "
        elif cat == "Cf":
            out.note("format")
            continue
        elif cat[0] == "M":  # combining mark: stays with the character before it
            piece, other = ch, in_other
        elif cat[0] in "LN" or ch in _INNER:
            piece = ch
        elif ch == "%" or cat[0] == "P" or ch < "\x80":
            piece = f" {ch} "  # cut out: dropped later, or N for %
        else:
            piece, other = ("\ufffd" if cat == "Cs" else ch), True  # lone surrogates cannot be printed
        if other != in_other:
            pieces.append(" ")
        pieces.append(piece)
        in_other = other
    joined = re.sub(r"\.{2,}", " ... ", re.sub(r"-{2,}", " -- ", "".join(pieces)))
    return joined.split()


def encode(text: str, vocab: Vocab) -> Encoded:
    """Turn free text into PTB tokens and ids, following the PTB's own conventions.

    Lowercase; numbers become N ('50%' -> N N); contractions split as in the PTB
    (don't -> do n't, can't -> ca n't, it's -> it 's); $, # and & are tokens; other
    punctuation is dropped; words outside `vocab` become <unk>. No <eos> is added.
    Every change is explained in `notes`. Raises ValueError for empty text, text
    with no word left, or more than MAX_TOKENS tokens.
    """
    if not isinstance(vocab, Vocab):
        raise ValueError(f"vocab must be a Vocab (see load_vocab()), got {type(vocab).__name__}")
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ValueError(f"text is too long: {len(text):,} characters, at most {MAX_CHARS:,} "
                         f"(and {MAX_TOKENS:,} tokens) are accepted")
    out = _Out(vocab)
    chunks = _normalise(text, out)
    if not chunks:
        raise ValueError("text is empty (or only whitespace and invisible characters); type a sentence")
    for chunk in chunks:
        _emit_chunk(chunk, out)
    if not out.tokens:
        raise ValueError(f"no word left after dropping punctuation ({_examples(out.dropped, ' ')}); "
                         "type at least one word")
    if out.dropped:
        out.note("dropped", _examples(out.dropped, " ", most=len(out.dropped)))
    notes = []
    for kind, template in _NOTES.items():
        if kind == "unknown" and out.unknown:
            notes.append(template.format(len(out.unknown), len(vocab), _examples(out.unknown, ", ")))
        elif kind in out.events and kind != "unknown":
            notes.append(template.format(_examples(out.events[kind])) if "{}" in template else template)
    ids = vocab.encode_tokens(out.tokens)  # (N,)
    ids.setflags(write=False)
    return Encoded(ids, tuple(out.tokens), tuple(out.unknown), tuple(out.dropped), tuple(notes))
