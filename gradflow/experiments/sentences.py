"""Sentences for the pages: a PTB sentence or custom text as token ids in the PTB vocabulary."""

from __future__ import annotations

from .. import data, tokenize


def sentence_ids(split: str, index: int) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(ids, words) of sentence `index` of a PTB split (ValueError when out of range)."""
    sents = data.load_sentences(split)
    if not 0 <= int(index) < len(sents):
        raise ValueError(f"sentence index {index} is outside 0 … {len(sents) - 1} of the {split} split")
    words = tuple(sents[int(index)])
    return tuple(int(i) for i in data.load_vocab().encode_tokens(words)), words


def text_ids(text: str) -> tuple[tuple[int, ...], tuple[str, ...], tuple[str, ...]]:
    """(ids, tokens, notes) of custom text in the PTB vocabulary (ValueError if nothing is left)."""
    enc = tokenize.encode(text, data.load_vocab())
    ids = tuple(int(i) for i in enc.ids)
    if not ids:
        raise ValueError("the text has no word left after PTB's normalisation")
    return ids, tuple(enc.tokens), tuple(str(n) for n in enc.notes)
