"""Word-level language model: embedding -> L recurrent layers -> dropout -> affine -> softmax.

This module holds the model: its config (`LMConfig`), parameters
(`param_shapes`, `init_model`, `check_params`) and the training kernel (`Net`,
`window_step`: one window forward and backward). The recurrent layers are the
engine's cells, so the LM and the gradient-flow pages run one implementation of
each cell. The fused output softmax is in `gradflow.softmax`; the per-sentence
analysis for the app (states, gates, ∂L/∂h_t) in `gradflow.analysis`; training
and evaluation in `gradflow.trainer`.

Parameters are a plain dict with PyTorch's names (nn.Embedding + nn.LSTM/GRU/RNN
+ nn.Linear, as in PyTorch's word_language_model example):

    embedding.weight   (V, E)
    rnn.weight_ih_l{k} (G*H, D_k)   D_0 = E, D_k = H for k > 0
    rnn.weight_hh_l{k} (G*H, H)
    rnn.bias_ih_l{k}   (G*H,)
    rnn.bias_hh_l{k}   (G*H,)
    decoder.weight     (V, H)       absent when tied (embedding.weight is used)
    decoder.bias       (V,)

Layout inside the training kernel (private, see `Net`): the decoder weight
and bias live side by side in one (V, H+1) array and the top hidden states
carry a column of ones, so the output layer and its gradient are one GEMM
each, bias included. The softmax never divides the (N, V) matrix: the row
normalisers are folded into the small (N, H+1) operands of the backward
GEMMs (see `gradflow.softmax.softmax_xent`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from gradflow import cells, checks
from gradflow.checks import PARAM_NAMES, as_rng, check_cell, finite_float
from gradflow.softmax import Workspace, softmax_xent

# U(-r, r) for the embedding and decoder, as in PyTorch's word_language_model.
INIT_RANGE = 0.1
INITS = ("pytorch", "dlfs2")  # LMConfig.init: see init_model
# Upper bounds of LMConfig's sizes: far above any model this NumPy trainer can fit in
# memory or time (PTB: V = 10,000), low enough that a corrupt checkpoint config is
# refused at once instead of building a per-layer parameter table first.
MAX_VOCAB = 1_000_000
MAX_LAYERS = 16
MAX_WIDTH = 8192  # embed E and hidden H


@dataclass(frozen=True)
class LMConfig:
    """Shape and regularisation of a language model."""

    cell: str = "lstm"  # "rnn", "lstm" or "gru" (gradflow.checks.CELLS)
    vocab_size: int = 10000  # V: PTB's Mikolov vocabulary
    layers: int = 1  # stacked recurrent layers
    embed: int = 100  # E: DLFS2's word-vector size
    hidden: int = 100  # H: DLFS2's hidden size
    dropout: float = 0.0  # Zaremba 2014: on each layer's input and the top output, never on h_{t-1} -> h_t
    tie: bool = False  # decoder.weight = embedding.weight (Press & Wolf 2017); needs embed == hidden
    nonlinearity: str = "tanh"  # RNN only: "tanh", "relu" or "linear"
    variant: str = "pytorch"  # GRU only: "pytorch" or "cho"
    forget_bias: float = 0.0  # LSTM only: added to the forget-gate bias at init
    init: str = "pytorch"  # "pytorch" (PyTorch's word_language_model) or "dlfs2" (DLFS2 ch06's Rnnlm)

    def __post_init__(self):
        """ValueError naming the first bad field; numbers are stored as plain int, float and bool
        (NumPy scalars included), so that to_json always works."""
        check_cell(self.cell)
        for name, hi in (("vocab_size", MAX_VOCAB), ("layers", MAX_LAYERS), ("embed", MAX_WIDTH),
                         ("hidden", MAX_WIDTH)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= hi:
                raise ValueError(f"LMConfig.{name} must be an integer in [1, {hi}], got {v!r}")
            object.__setattr__(self, name, int(v))
        for name in ("dropout", "forget_bias"):
            v = getattr(self, name)
            x = finite_float(v)
            if x is None:
                raise ValueError(f"LMConfig.{name} must be a finite real number, got {v!r}")
            object.__setattr__(self, name, x)
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"LMConfig.dropout must be in [0, 1), got {self.dropout!r}")
        if not isinstance(self.tie, (bool, np.bool_)):
            raise ValueError(f"LMConfig.tie must be true or false, got {self.tie!r}")
        object.__setattr__(self, "tie", bool(self.tie))
        if self.tie and self.embed != self.hidden:
            raise ValueError(f"weight tying needs embed == hidden, got embed={self.embed}, hidden={self.hidden}")
        if not isinstance(self.nonlinearity, str) or self.nonlinearity not in cells.rnn.NONLINEARITIES:
            raise ValueError(f"unknown nonlinearity {self.nonlinearity!r}; expected one of "
                             f"{', '.join(cells.rnn.NONLINEARITIES)}")
        if not isinstance(self.variant, str) or self.variant not in cells.gru.VARIANTS:
            raise ValueError(f"unknown GRU variant {self.variant!r}; expected one of {', '.join(cells.gru.VARIANTS)}")
        if not isinstance(self.init, str) or self.init not in INITS:
            raise ValueError(f"unknown init {self.init!r}; expected one of {', '.join(INITS)}")

    @property
    def cell_options(self) -> dict:
        """Keyword options for gradflow.cells.forward."""
        if self.cell == "rnn":
            return {"nonlinearity": self.nonlinearity}
        if self.cell == "gru":
            return {"variant": self.variant}
        return {}

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "LMConfig":
        d = json.loads(text)
        if not isinstance(d, dict):
            raise ValueError("model config must be a JSON object")
        unknown = set(d) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown model config keys {sorted(unknown)}")
        return cls(**d)


@dataclass(frozen=True)
class LanguageModel:
    """A trained or initialised model: config, params (PyTorch names) and, optionally, its vocabulary.

    `vocab` is a gradflow.data.Vocab (or None for synthetic corpora). The
    object is never mutated; training returns new models.
    """

    config: LMConfig
    params: dict = field(repr=False)
    vocab: object = field(default=None, repr=False)


def param_shapes(config: LMConfig) -> dict:
    """Name -> shape of every parameter, in a fixed order."""
    V, E, H = config.vocab_size, config.embed, config.hidden
    shapes = {"embedding.weight": (V, E)}
    for k in range(config.layers):  # layer k reads D_k = E (k = 0) or H inputs
        layer = checks.param_shapes(config.cell, E if k == 0 else H, H)
        shapes.update({f"rnn.{name}_l{k}": shape for name, shape in layer.items()})
    if not config.tie:
        shapes["decoder.weight"] = (V, H)
    shapes["decoder.bias"] = (V,)
    return shapes


def init_model(config: LMConfig, seed=0, vocab=None, dtype=np.float64) -> LanguageModel:
    """A freshly initialised model.

    init "pytorch": U(-0.1, 0.1) embedding and decoder, zero decoder bias,
    PyTorch's cell init U(±1/√H). init "dlfs2", DLFS2 ch06's Rnnlm: embedding
    N(0, 0.01²), every weight matrix N(0, 1/fan_in), every bias zero (the
    LSTM forget bias still added).
    """
    rng = as_rng(seed, allow_none=False)
    V, E, H = config.vocab_size, config.embed, config.hidden
    dlfs2 = config.init == "dlfs2"
    params = {"embedding.weight": rng.standard_normal((V, E)) / 100 if dlfs2
              else rng.uniform(-INIT_RANGE, INIT_RANGE, (V, E))}
    for k in range(config.layers):
        fb = config.forget_bias if config.cell == "lstm" else 0.0
        D = E if k == 0 else H
        if dlfs2:
            shape = checks.param_shapes(config.cell, D, H)
            p = {"weight_ih": rng.standard_normal(shape["weight_ih"]) / np.sqrt(D),
                 "weight_hh": rng.standard_normal(shape["weight_hh"]) / np.sqrt(H),
                 "bias_ih": np.zeros(shape["bias_ih"]), "bias_hh": np.zeros(shape["bias_hh"])}
            if config.cell == "lstm":
                p["bias_ih"][H:2 * H] = fb  # gate order i, f, g, o
        else:
            p = cells.init_params(config.cell, D, H, rng, forget_bias=fb)
        params.update({f"rnn.{name}_l{k}": a for name, a in p.items()})
    if not config.tie:
        params["decoder.weight"] = (rng.standard_normal((V, H)) / np.sqrt(H) if dlfs2
                                    else rng.uniform(-INIT_RANGE, INIT_RANGE, (V, H)))
    params["decoder.bias"] = np.zeros(V)
    return LanguageModel(config, {k: v.astype(dtype) for k, v in params.items()}, vocab)


def random_like(model: LanguageModel, seed=0) -> LanguageModel:
    """An untrained model of the same shape and vocabulary, for before/after comparisons."""
    return init_model(model.config, seed, model.vocab)


def check_params(config: LMConfig, params) -> None:
    """ValueError naming the first missing, unexpected, mis-shaped or non-finite parameter."""
    shapes = param_shapes(config)
    missing = [k for k in shapes if k not in params]
    if missing:
        raise ValueError(f"missing parameters {missing}; expected {list(shapes)}")
    extra = [k for k in params if k not in shapes]
    if extra:
        raise ValueError(f"unexpected parameters {extra}; expected {list(shapes)}")
    for k, shape in shapes.items():
        a = np.asarray(params[k])
        if a.shape != shape:
            raise ValueError(f"parameter {k} has shape {a.shape}, expected {shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"parameter {k} has non-finite values")


def layer_params(params, k: int) -> dict:
    """The cell params dict (weight_ih, weight_hh, bias_ih, bias_hh) of layer k (no copy)."""
    return {name: params[f"rnn.{name}_l{k}"] for name in PARAM_NAMES}


def model_recurrent_params(model: LanguageModel, layer: int = 0) -> dict:
    """Layer `layer`'s cell params as float64 copies, ready for gradflow.gradient_flow."""
    if not 0 <= layer < model.config.layers:
        raise ValueError(f"layer {layer} out of range; the model has {model.config.layers} layer(s)")
    return {k: np.array(v, dtype=np.float64) for k, v in layer_params(model.params, layer).items()}


def embed(model: LanguageModel, ids) -> np.ndarray:
    """The float64 embeddings (T, E) of token ids (T,): the inputs that layer 0 sees."""
    ids = check_ids(ids, model.config.vocab_size)
    return np.asarray(model.params["embedding.weight"], dtype=np.float64)[ids]


def check_ids(ids, V: int, name: str = "ids") -> np.ndarray:
    """Validate token ids: a non-empty integer array with values in [0, V)."""
    a = np.asarray(ids)
    if a.size == 0:
        raise ValueError(f"{name} is empty; expected at least one token id")
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must be integer token ids, got dtype {a.dtype}")
    lo, hi = int(a.min()), int(a.max())
    if lo < 0 or hi >= V:
        raise ValueError(f"{name} must be in [0, {V}), got values in [{lo}, {hi}]")
    return a.astype(np.intp, copy=False)


# --------------------------------------------------------------------------
# The kernel: packed parameters, one window forward/backward
# --------------------------------------------------------------------------
class Net:
    """Private packed storage of one model's parameters in one dtype (also used for gradients).

    out (V, H+1): [decoder.weight | decoder.bias]; with tying, decoder.weight
    is embedding.weight, so `emb` is the view out[:, :H]. `views` maps every
    PyTorch name to a view into this storage, so updating the storage updates
    the dict and vice versa.
    """

    def __init__(self, config: LMConfig, params=None, dtype=np.float32, *, sparse_embedding: bool = False):
        V, E, H = config.vocab_size, config.embed, config.hidden
        self.config, self.dtype = config, np.dtype(dtype)
        # As a gradient of an untied model: keep only the embedding rows a window
        # touched (emb_rows (U,), emb_vals (U, E)), not a dense (V, E) array.
        self.sparse_embedding = sparse_embedding and not config.tie
        self.emb_rows = self.emb_vals = None
        self.out = np.zeros((V, H + 1), self.dtype)
        self.emb = self.out[:, :H] if config.tie else np.zeros((V, E), self.dtype)
        shapes = param_shapes(config)
        self.layers = [{name: np.zeros(shapes[f"rnn.{name}_l{k}"], self.dtype)
                        for name in PARAM_NAMES}
                       for k in range(config.layers)]
        self.views = {"embedding.weight": self.emb}
        for k, lp in enumerate(self.layers):
            self.views.update({f"rnn.{name}_l{k}": a for name, a in lp.items()})
        if not config.tie:
            self.views["decoder.weight"] = self.out[:, :H]
        self.views["decoder.bias"] = self.out[:, H]
        if params is not None:
            for k, v in self.views.items():
                v[...] = params[k]

    def arrays(self):
        """The distinct storage arrays (each parameter exactly once), for optimisers and norms."""
        tied = self.config.tie
        return [self.out] + ([] if tied else [self.emb]) + [a for lp in self.layers for a in lp.values()]

    def grad_arrays(self):
        """As `arrays`, for a gradient: the embedding's touched rows only when it is sparse."""
        if not self.sparse_embedding:
            return self.arrays()
        return [self.out, self.emb_vals] + [a for lp in self.layers for a in lp.values()]

    def export(self, dtype=None) -> dict:
        """Contiguous copies under PyTorch names."""
        return {k: np.array(v, dtype=dtype or self.dtype) for k, v in self.views.items()}


def zero_state(config: LMConfig, B: int, dtype=np.float32) -> list:
    """Initial recurrent state: per layer (h0, c0) with c0 None unless LSTM; zeros (B, H)."""
    z = lambda: np.zeros((B, config.hidden), dtype)  # noqa: E731
    return [(z(), z() if config.cell == "lstm" else None) for _ in range(config.layers)]


def _dropout(a, p, rng):
    """Inverted dropout: returns (a * mask, mask) with mask in {0, 1/(1-p)}, or (a, None)."""
    if p <= 0.0 or rng is None:
        return a, None
    mask = rng.random(a.shape, dtype=np.float32 if a.dtype == np.float32 else np.float64) >= p
    mask = mask.astype(a.dtype) * a.dtype.type(1.0 / (1.0 - p))
    return a * mask, mask


def window_step(net: Net, ws: Workspace, x, y, state, *, grads: Net | None = None, rng=None):
    """Forward (and backward) over one window of time-major token ids.

    x, y (T, B) int: inputs and next-word targets. state: per layer (h, c)
    from `zero_state` or a previous call (carried across windows, no gradient
    flows into it: truncated BPTT). rng: a Generator turns dropout on
    (training); None is evaluation. With `grads` (a Net of the same config
    and dtype) the gradient of the mean loss is written into it.
    Returns (per-token loss (T*B,) float64, new state).

    The layers call the cells' time loops (cells.forward/backward) directly,
    not the engine's bptt.unroll/backprop, for speed: this is the training
    hot path, and those wrappers would switch the BLAS thread count for every
    layer of every window; here BLAS keeps the threads the caller chose.
    """
    cfg = net.config
    T, B = x.shape
    N = T * B
    p = float(cfg.dropout) if rng is not None else 0.0
    inp, mask = _dropout(net.emb[x], p, rng)  # (T, B, E)
    masks, caches, state_out = [mask], [], []
    for k, lp in enumerate(net.layers):
        h0, c0 = state[k]
        hs, cs, cache = cells.forward(cfg.cell, lp, inp, h0, c0, **cfg.cell_options)  # (T, B, H)
        caches.append(cache)
        state_out.append((hs[-1].copy(), None if cs is None else cs[-1].copy()))
        inp, mask = _dropout(hs, p, rng)
        masks.append(mask)
    ws.h_aug[:N, :-1] = inp.reshape(N, -1)
    loss, dh = softmax_xent(net, ws, N, y.reshape(N), grads)
    if grads is None:
        return loss, state_out
    d = dh.reshape(T, B, -1)  # (T, B, H)
    for k in range(cfg.layers - 1, -1, -1):
        if masks[k + 1] is not None:
            d = d * masks[k + 1]
        res = cells.backward(cfg.cell, d, caches[k])
        for name, g in res["grads"].items():
            grads.layers[k][name][...] = g
        d = res["dx"]  # (T, B, D_k)
    if masks[0] is not None:
        d = d * masks[0]
    ids, d = x.reshape(N), d.reshape(N, -1)  # (N,), (N, E)
    if grads.sparse_embedding:  # saves zeroing and updating all V rows every step
        grads.emb_rows, inverse = np.unique(ids, return_inverse=True)
        grads.emb_vals = np.zeros((grads.emb_rows.size, d.shape[1]), d.dtype)  # (U, E)
        np.add.at(grads.emb_vals, inverse, d)
        return loss, state_out
    if not cfg.tie:
        grads.emb[...] = 0
    np.add.at(grads.emb, ids, d)  # tied: adds to the decoder gradient
    return loss, state_out


def loss_and_grads(model: LanguageModel, x, y, state=None, *, rng=None, dtype=np.float64):
    """Mean cross-entropy of one window and its gradient, in `dtype` (float64 by default).

    x, y (B, T) int token ids and targets (batch-major, as gradflow.data.iter_windows
    yields them). rng: a Generator turns dropout on. Returns (loss, grads
    dict with the keys of model.params, new state).
    """
    cfg = model.config
    x = check_ids(x, cfg.vocab_size, "x")
    y = check_ids(y, cfg.vocab_size, "y")
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"x and y must both have shape (B, T), got {x.shape} and {y.shape}")
    net, grads = Net(cfg, model.params, dtype), Net(cfg, None, dtype)
    B, T = x.shape
    state = zero_state(cfg, B, dtype) if state is None else state
    loss, state = window_step(net, Workspace(cfg, T * B, dtype), x.T, y.T, state,
                              grads=grads, rng=rng)
    return float(loss.mean()), grads.export(), state
