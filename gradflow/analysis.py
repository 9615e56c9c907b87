"""One sentence through a language model, for the app: states, gates, predictions, ∂L/∂h_t.

`analyze_sentence` runs a `gradflow.lm.LanguageModel` on one sentence in
float64 from a zero state, without dropout, and backpropagates the loss of one
token's next-word prediction through every layer and every earlier step. Each
layer goes through the engine's sequence forward and backward
(`gradflow.bptt.unroll` / `backprop`), the ones the gradient-flow pages use.
The result, a `SentenceAnalysis`, is what the gates page draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradflow import bptt
from gradflow.lm import LanguageModel, check_ids, layer_params


@dataclass(frozen=True)
class SentenceAnalysis:
    """States, gates, predictions and the gradient of one token's loss, for one sentence.

    T tokens in, position p: the loss is L = -log p(target | tokens[:p+1]),
    with target = ids[p+1] unless given. Every array is float64.

    tokens: T words; ids (T,); position p; target (id) and target_word.
    loss: L. token_loss (T,): -log p(ids[t+1] | ids[:t+1]), NaN at the last token.
    next_prob (T,): p(ids[t+1] | ids[:t+1]), NaN at the last token.
    topk_ids (T, k), topk_words (T lists of k words), topk_probs (T, k): the
        most likely next words after each token.
    embeddings (T, E): the inputs of layer 0. dx (T, E): dL/d embedding_t
        (input attribution), dx_norm (T,).
    layers: one dict per layer (bottom first) with
        hs (T, H) h_t; cs (T, H) c_t (LSTM) or None;
        gates: gate name -> (T, H) activations (LSTM i, f, g, o; GRU r, z, n; RNN none);
        dh (T, H) total dL/dh_t (through time and through the layers above);
        dc (T, H) total dL/dc_t (LSTM) or None; dh_norm, dc_norm (T,) (dc_norm None unless LSTM).
        Entries after p are zero: L does not depend on them.
    """

    tokens: list
    ids: np.ndarray
    position: int
    target: int
    target_word: str
    loss: float
    token_loss: np.ndarray
    next_prob: np.ndarray
    topk_ids: np.ndarray
    topk_words: list
    topk_probs: np.ndarray
    embeddings: np.ndarray
    dx: np.ndarray
    dx_norm: np.ndarray
    layers: list


def _words(vocab, ids) -> list:
    if vocab is None:
        return [f"#{int(i)}" for i in ids]
    return [vocab.id_to_word[int(i)] for i in ids]


def analyze_sentence(model: LanguageModel, ids, position=None, top_k: int = 5, target=None) -> SentenceAnalysis:
    """Run `model` on one sentence (ids (T,)) in float64 from a zero state, without dropout.

    position: the token whose next-word loss is differentiated (default: the
    last one that has a next token, T-2; or T-1 when `target` is given).
    Returns a SentenceAnalysis (see its docstring for the layout).
    """
    cfg = model.config
    ids = check_ids(ids, cfg.vocab_size)
    if ids.ndim != 1:
        raise ValueError(f"ids must have shape (T,), got {ids.shape}")
    T = ids.shape[0]
    if position is None:
        position = T - 1 if target is not None else T - 2
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)) or not 0 <= position < T:
        raise ValueError(f"position must be an int in [0, {T}), got {position!r}"
                         + (" (a one-token sentence has no next word: pass target)" if T == 1 else ""))
    if target is None:
        if position == T - 1:
            raise ValueError(f"position {position} is the last token and has no next word; pass target")
        target = int(ids[position + 1])
    target = int(check_ids([target], cfg.vocab_size, "target")[0])
    if not isinstance(top_k, (int, np.integer)) or not 1 <= top_k <= cfg.vocab_size:
        raise ValueError(f"top_k must be an int in [1, {cfg.vocab_size}], got {top_k!r}")

    P = {k: np.asarray(v, dtype=np.float64) for k, v in model.params.items()}
    W = P["embedding.weight"] if cfg.tie else P["decoder.weight"]  # (V, H)
    emb = P["embedding.weight"][ids]  # (T, E)
    inp, caches, layers = emb[:, None, :], [], []  # (T, 1, E)
    for k in range(cfg.layers):
        h0 = np.zeros((1, cfg.hidden))
        c0 = np.zeros((1, cfg.hidden)) if cfg.cell == "lstm" else None
        hs, cs, cache = bptt.unroll(cfg.cell, layer_params(P, k), inp, h0, c0, **cfg.cell_options)
        caches.append(cache)
        layers.append({"hs": hs[:, 0].copy(), "cs": None if cs is None else cs[:, 0].copy(),
                       "gates": {g: np.array(a[:, 0]) for g, a in cache["gates"].items()}})
        inp = hs
    logits = inp[:, 0] @ W.T + P["decoder.bias"]  # (T, V)
    logp = logits - logits.max(axis=1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))  # (T, V) log-softmax
    top = np.argsort(-logp, axis=1, kind="stable")[:, :top_k]  # (T, k)
    token_loss = np.full(T, np.nan)
    token_loss[:-1] = -logp[np.arange(T - 1), ids[1:]]

    dlogits = np.exp(logp[position])  # (V,) softmax - onehot: dL/dlogits at p
    dlogits[target] -= 1.0
    d = np.zeros((T, 1, cfg.hidden))
    d[position, 0] = dlogits @ W
    for k in range(cfg.layers - 1, -1, -1):
        res = bptt.backprop(cfg.cell, d, caches[k])
        layers[k]["dh"] = res["dh"][:, 0].copy()
        layers[k]["dc"] = None if res["dc"] is None else res["dc"][:, 0].copy()
        layers[k]["dh_norm"] = np.linalg.norm(layers[k]["dh"], axis=1)
        layers[k]["dc_norm"] = None if res["dc"] is None else np.linalg.norm(layers[k]["dc"], axis=1)
        d = res["dx"]
    dx = d[:, 0].copy()  # (T, E)
    return SentenceAnalysis(
        tokens=_words(model.vocab, ids), ids=ids.copy(), position=int(position), target=target,
        target_word=_words(model.vocab, [target])[0], loss=float(-logp[position, target]),
        token_loss=token_loss, next_prob=np.exp(-token_loss), topk_ids=top,
        topk_words=[_words(model.vocab, row) for row in top],
        topk_probs=np.exp(np.take_along_axis(logp, top, axis=1)),
        embeddings=emb, dx=dx, dx_norm=np.linalg.norm(dx, axis=1), layers=layers)
