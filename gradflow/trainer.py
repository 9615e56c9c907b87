"""Training and evaluation of the language model: SGD with global-norm clipping, as in DLFS2.

This module holds `TrainConfig`, the `train` generator, `evaluate`
(perplexity), `sgd_step` and `check_resume` (the training state kept in a
checkpoint). The gradient-norm statistics of a trained model (for the app's
clipping page) are in `gradflow.gradstats`.

`train(config, seed=...)` is a generator. It yields one event dict per step
and one at the end of every epoch, so a CLI progress bar and the app's live
page consume the same loop and can stop it at any time:

    {"event": "start", "epoch", "step", "steps_per_epoch", "tokens_per_step", "lr",
     "model_config", "train_config"}
    {"event": "step", "step", "epoch", "batch", "loss", "perplexity",
     "grad_norm" (global norm before clipping), "clipped", "skipped", "lr",
     "tokens_per_s" (running, this epoch), "weights" (a callable: the LanguageModel now),
     and every `grad_norms_every` steps "grad_norms": {param name: norm before clipping}}
    {"event": "epoch", "epoch", "step", "train_loss", "train_perplexity", "valid_loss",
     "valid_perplexity", "best_valid_perplexity", "improved", "lr" (for the next
     epoch), "seconds", "tokens_per_s", "model" (LanguageModel, the weights to
     keep), "resume" (JSON-able dict for checkpoint.save(..., resume=...))}
    {"event": "done", "epoch", "step", "valid_perplexity", "best_valid_perplexity",
     "tokens_per_s" (over all training steps), "seconds", "model"}

Learning rate: DLFS2's schedule (lr ÷ 4 when the validation perplexity does not improve, and
training continues from the best weights so far: the weights kept at every epoch are the best).

Divergence: a training loss that is inf/NaN or above MAX_LOSS for DIVERGED_STEPS steps in a
row, or such a validation loss, raises `TrainingDiverged` (a ValueError) and ends the
generator; the epoch events yielded before it hold the last good weights.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from gradflow import data as ptb
from gradflow.checks import as_rng, finite_float
from gradflow.clipping import clip_coef, global_norm
from gradflow.lm import LanguageModel, LMConfig, Net, check_ids, init_model, window_step, zero_state
from gradflow.softmax import Workspace

MAX_LOSS = math.log(np.finfo(np.float64).max)  # ≈ 709.78 nats: exp() of a larger mean loss overflows
DIVERGED_STEPS = 10  # this many training losses in a row that are inf/NaN or > MAX_LOSS end the run


class TrainingDiverged(ValueError):
    """The loss became inf/NaN or its perplexity overflows; .epoch, .step (optimizer steps so far), .loss."""

    def __init__(self, epoch: int, step: int, what: str, loss: float):
        self.epoch, self.step, self.loss = epoch, step, loss
        shown = "inf/NaN" if not math.isfinite(loss) else f"{loss:.4g} nats a token (its perplexity overflows)"
        super().__init__(f"training diverged at epoch {epoch} step {step}: {what} is {shown}")


def perplexity(loss: float) -> float:
    """exp(mean loss): inf where it overflows, NaN for NaN."""
    return math.exp(loss) if loss <= MAX_LOSS else math.inf if loss > MAX_LOSS else math.nan


@dataclass(frozen=True)
class TrainConfig:
    """How to train. The defaults are DLFS2 ch06's Rnnlm setup."""

    model: LMConfig = field(default_factory=LMConfig)  # shape of a new model (a resumed one keeps its own)
    epochs: int = 4  # DLFS2 trains its 100-unit LSTM for 4 epochs
    batch: int = 20  # B parallel streams (DLFS2, Zaremba's small model)
    bptt: int = 35  # T steps per window of truncated BPTT
    lr: float = 20.0  # SGD learning rate (DLFS2, PyTorch's word_language_model)
    lr_decay: float = 4.0  # lr is divided by this when valid perplexity does not improve
    clip: float | None = 0.25  # global-norm clipping threshold; None switches clipping off
    dtype: str = "float32"  # training precision; gradients shown in the app are float64
    grad_norms_every: int = 50  # per-parameter grad norms every N steps (0: never)
    max_tokens: int | None = None  # train on the first K train tokens only (small-slice mode)
    valid_tokens: int | None = None  # validate on the first K valid tokens only (None: all)
    eval_batch: int = 10  # B for evaluation (DLFS2's eval_perplexity, PyTorch's example)
    carry_state: bool = False  # streams and state run on across epochs (DLFS2's trainer); else each epoch restarts
    single_bias: bool = False  # train bias_ih + bias_hh as one bias (DLFS2); PyTorch trains both, doubling its step
    # ((epoch, lr), ...): lr set at the start of that epoch (1-based), before the ÷lr_decay rule
    lr_schedule: tuple = ()

    def __post_init__(self):
        for name in ("epochs", "batch", "bptt", "eval_batch"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        if not isinstance(self.model, LMConfig):
            raise ValueError(f"model must be an LMConfig, got {type(self.model).__name__}")
        lr, lr_decay = finite_float(self.lr), finite_float(self.lr_decay)
        if lr is None or not lr > 0:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if lr_decay is None or not lr_decay >= 1:
            raise ValueError(f"lr_decay must be a number >= 1, got {self.lr_decay!r}")
        clip = None if self.clip is None else finite_float(self.clip)
        if self.clip is not None and (clip is None or not clip > 0):
            raise ValueError(f"clip must be a positive number or None (no clipping), got {self.clip!r}")
        if isinstance(self.grad_norms_every, bool) or not isinstance(self.grad_norms_every, (int, np.integer)) \
                or self.grad_norms_every < 0:
            raise ValueError(f"grad_norms_every must be an int >= 0, got {self.grad_norms_every!r}")
        for name in ("carry_state", "single_bias"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        object.__setattr__(self, "lr_schedule", tuple(tuple(e) for e in self.lr_schedule))
        for item in self.lr_schedule:
            ok = len(item) == 2 and isinstance(item[0], (int, np.integer)) and not isinstance(item[0], bool)
            lr_e = finite_float(item[1]) if ok else None
            if not ok or item[0] < 1 or lr_e is None or not lr_e > 0:
                raise ValueError(f"lr_schedule must hold (epoch ≥ 1, lr > 0) pairs, got {item!r}")
        if not isinstance(self.dtype, str) or self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        for name in ("max_tokens", "valid_tokens"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 2):
                raise ValueError(f"{name} must be None or an int >= 2, got {v!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        d = dict(d)
        d["model"] = LMConfig(**d["model"]) if isinstance(d.get("model"), dict) else d.get("model", LMConfig())
        return cls(**d)


# --------------------------------------------------------------------------
# SGD on the packed training buffers
# --------------------------------------------------------------------------
def grad_norm(grads: Net) -> float:
    """Global L2 norm of a packed gradient (each parameter once; tied weights counted once)."""
    arrays = grads.grad_arrays()
    sq = sum(float(np.dot(a.ravel(), a.ravel())) for a in arrays)
    if not math.isfinite(sq):  # float32 squares overflow: redo it safely in float64
        return global_norm({str(i): a for i, a in enumerate(arrays)})
    return math.sqrt(sq)


def sgd_step(net: Net, grads: Net, lr: float, clip: float | None):
    """In-place SGD update of the private buffers, with DLFS2 global-norm clipping.

    rate = clip / (norm + 1e-6), applied when < 1 (clipping.clip_coef). A non-finite norm skips
    the step (the weights are left unchanged). grads is scratch and is
    overwritten. Returns (norm before clipping, clipped, skipped).
    """
    norm = grad_norm(grads)
    if not math.isfinite(norm):
        return norm, False, True
    rate = clip_coef(norm, clip)  # 1.0 when clip is None or the norm is within it
    clipped = rate < 1.0
    scale = -lr * rate
    for w, g in zip(net.arrays(), grads.grad_arrays()):
        g *= g.dtype.type(scale)
        if g is grads.emb_vals:
            w[grads.emb_rows] += g  # the rows are unique, so fancy-index += is exact
        else:
            w += g
    return norm, clipped, False


def next_lr(lr: float, improved: bool, decay: float) -> float:
    """DLFS2's schedule: keep lr while valid perplexity improves, else divide it by `decay`."""
    return lr if improved else lr / decay


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------
def _eval_windows(streams, bptt):
    """iter_windows plus the final shorter window, so every target is counted once."""
    yield from ptb.iter_windows(streams, bptt)
    L, done = streams.shape[1], ptb.num_windows(streams, bptt) * bptt
    if done < L - 1:
        yield streams[:, done:L - 1], streams[:, done + 1:L]


def check_eval_args(model, batch, bptt, dtype, progress=None) -> None:
    """ValueError naming the first bad argument of evaluate / the gradient statistics (ids are check_ids')."""
    if not isinstance(model, LanguageModel):
        raise ValueError(f"model must be a gradflow.lm.LanguageModel, got {type(model).__name__}")
    for name, v in (("batch", batch), ("bptt", bptt)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    name = dtype.__name__ if isinstance(dtype, type) else dtype  # "float32", np.float32 or np.dtype("float32")
    if not isinstance(name, (str, np.dtype)) or str(name) not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be a function or None, got {type(progress).__name__}")


def evaluate(model: LanguageModel, ids, *, batch: int = 10, bptt: int = 35, dtype="float32", net=None,
             progress=None) -> dict:
    """Perplexity of `model` on token ids (N,): B streams, state carried across windows, no dropout.

    Returns {"loss", "perplexity", "tokens", "seconds", "tokens_per_s"}; the
    N % batch ids that do not fill a stream are not scored (as in DLFS2).
    `net`: an existing packed copy of the weights to evaluate instead of model.params.
    `progress`: called as progress(windows done, windows in all) after every window.
    A mean loss whose exp overflows gives perplexity inf (never an OverflowError).
    """
    check_eval_args(model, batch, bptt, dtype, progress)
    cfg = model.config
    ids = check_ids(ids, cfg.vocab_size)
    streams = ptb.batchify(ids, batch)  # (B, L)
    net = net if net is not None else Net(cfg, model.params, dtype)
    ws = Workspace(cfg, batch * min(bptt, streams.shape[1] - 1), net.dtype)  # no window is longer than L - 1
    state = zero_state(cfg, batch, net.dtype)
    n_windows = -(-(streams.shape[1] - 1) // bptt)  # the full windows and a final shorter one
    total, count, t0 = 0.0, 0, time.perf_counter()
    for w, (x, y) in enumerate(_eval_windows(streams, bptt)):
        loss, state = window_step(net, ws, x.T, y.T, state)
        total += float(loss.sum())
        count += loss.size
        if progress is not None:
            progress(w + 1, n_windows)
    dt = time.perf_counter() - t0
    mean = total / count
    return {"loss": mean, "perplexity": perplexity(mean), "tokens": count, "seconds": dt,
            "tokens_per_s": count / dt if dt > 0 else float("inf")}


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------
def param_norms(grads: Net) -> dict:
    """L2 norm of the gradient of every parameter (PyTorch names)."""
    norms = {k: float(np.linalg.norm(v)) for k, v in grads.views.items()}
    if grads.sparse_embedding:
        norms["embedding.weight"] = float(np.linalg.norm(grads.emb_vals))
    return norms


_RESUME_KEYS = ("epoch", "step", "lr", "best_valid_perplexity", "history", "train_seconds", "train_tokens", "rng")


def check_resume(state) -> dict:
    """`state` if `train(resume=...)` can continue from it, else ValueError naming the bad field.

    The "resume" dict of an epoch event: epoch, step, train_tokens (ints ≥ 0), lr (finite > 0),
    best_valid_perplexity (None or finite > 0), train_seconds (finite ≥ 0), history (one record
    per epoch, each with a finite valid_perplexity > 0) and rng (a PCG64 bit-generator state).
    """
    if not isinstance(state, dict):
        raise ValueError(f"the training state must be a JSON object, got {type(state).__name__}")
    missing = [k for k in _RESUME_KEYS if k not in state]
    if missing:
        raise ValueError(f"the training state has no {', '.join(missing)}")
    for k in ("epoch", "step", "train_tokens"):
        v = state[k]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ValueError(f"the training state's {k} must be an integer ≥ 0, got {v!r}")
    lr, seconds, best = (finite_float(state[k]) for k in ("lr", "train_seconds", "best_valid_perplexity"))
    if lr is None or lr <= 0:
        raise ValueError(f"the training state's lr must be a finite number > 0, got {state['lr']!r}")
    if seconds is None or seconds < 0:
        raise ValueError(f"the training state's train_seconds must be a finite number ≥ 0, "
                         f"got {state['train_seconds']!r}")
    if state["best_valid_perplexity"] is not None and (best is None or best <= 0):
        raise ValueError(f"the training state's best_valid_perplexity must be null or a finite number > 0, "
                         f"got {state['best_valid_perplexity']!r}")
    history = state["history"]
    n = len(history) if isinstance(history, list) else None
    if n != state["epoch"]:  # train appends one record per epoch
        raise ValueError(f"the training state's history must be a list of {state['epoch']} epoch record(s), "
                         f"got {type(history).__name__ if n is None else f'{n} record(s)'}")
    for i, r in enumerate(history):
        ppl = finite_float(r.get("valid_perplexity")) if isinstance(r, dict) else None
        if ppl is None or ppl <= 0:
            raise ValueError(f"the training state's history[{i}] must be a record with a finite "
                             f"valid_perplexity > 0, got {r!r}")
    try:
        np.random.PCG64().state = state["rng"]
    except (TypeError, ValueError, KeyError, OverflowError) as err:
        raise ValueError(f"the training state's rng is not a PCG64 generator state: {err}") from None
    return state


def train(config: TrainConfig = TrainConfig(), train_ids=None, valid_ids=None, *, vocab=None,
          seed=0, resume=None):
    """Train a language model; a generator of event dicts (see the module docstring).

    train_ids, valid_ids: (N,) token ids; default PTB train and valid (cut to
    config.max_tokens / config.valid_tokens). vocab: stored in the returned
    models (default the PTB vocabulary when the PTB ids are used).
    seed: int or np.random.Generator for initialisation and dropout.
    resume: (LanguageModel, resume dict) from checkpoint.load, to continue a run.
    """
    if train_ids is None:
        train_ids, vocab = ptb.load_ids("train"), vocab if vocab is not None else ptb.load_vocab()
    if valid_ids is None:
        valid_ids = ptb.load_ids("valid")
    train_ids, valid_ids = np.asarray(train_ids), np.asarray(valid_ids)
    if train_ids.ndim == 1 and valid_ids.ndim == 1:  # else check_ids / batchify say what is wrong
        train_ids, valid_ids = train_ids[:config.max_tokens], valid_ids[:config.valid_tokens]  # [:None]: all
    dtype = np.dtype(config.dtype)
    if resume is None:
        rng = as_rng(seed, allow_none=False)
        model = init_model(config.model, rng, vocab)
        st = {"epoch": 0, "step": 0, "lr": config.lr, "best_valid_perplexity": None, "history": [],
              "train_seconds": 0.0, "train_tokens": 0}
    else:
        model, st = resume
        st = json.loads(json.dumps(check_resume(st)))  # private copy
        rng = np.random.default_rng()
        rng.bit_generator.state = st["rng"]
        vocab = model.vocab if model.vocab is not None else vocab
    cfg = model.config
    if config.single_bias and cfg.cell == "gru" and cfg.variant != "cho":
        raise ValueError("single_bias needs bias_ih + bias_hh to act as one bias; the PyTorch GRU's b_hn sits "
                         "inside r ⊙ (W_hn h + b_hn): use it with the rnn, the lstm or the GRU variant 'cho'")
    check_ids(train_ids, cfg.vocab_size, "train_ids")
    check_ids(valid_ids, cfg.vocab_size, "valid_ids")
    streams = ptb.batchify(train_ids, config.batch)  # (B, L)
    steps = ptb.num_windows(streams, config.bptt)
    if steps == 0:
        raise ValueError(f"{len(train_ids)} training tokens in {config.batch} streams hold no window of "
                         f"bptt={config.bptt}; use more tokens or a smaller batch/bptt")
    if ptb.num_windows(ptb.batchify(valid_ids, config.eval_batch), config.bptt) == 0:  # refused before any step
        raise ValueError(f"{len(valid_ids)} validation tokens in {config.eval_batch} streams hold no window of "
                         f"bptt={config.bptt}; use at least {config.eval_batch * (config.bptt + 1)} validation "
                         "tokens or a smaller bptt")
    net, grads = Net(cfg, model.params, dtype), Net(cfg, None, dtype, sparse_embedding=True)
    best = Net(cfg, model.params, dtype) if st["best_valid_perplexity"] is not None else None
    ws = Workspace(cfg, config.batch * config.bptt, dtype)
    drop_rng = rng if cfg.dropout > 0 else None
    lr, step = st["lr"], st["step"]
    tok_per_step = config.batch * config.bptt
    yield {"event": "start", "epoch": st["epoch"], "step": step, "steps_per_epoch": steps,
           "tokens_per_step": tok_per_step, "lr": lr, "model_config": asdict(cfg),
           "train_config": config.to_dict()}
    valid_ppl = st["history"][-1]["valid_perplexity"] if st["history"] else None
    state = zero_state(cfg, config.batch, dtype)  # a resumed run starts from zeros: states are not checkpointed
    schedule = dict(config.lr_schedule)
    for epoch in range(st["epoch"] + 1, config.epochs + 1):
        lr = schedule.get(epoch, lr)
        if config.carry_state:  # DLFS2: epoch e reads on where epoch e-1 stopped, with its state
            start = (epoch - 1) * steps * config.bptt
            windows = ptb.continuing_windows(train_ids, config.batch, config.bptt, steps, start)
        else:  # every epoch restarts the streams and the state
            state = zero_state(cfg, config.batch, dtype)
            windows = ptb.iter_windows(streams, config.bptt)
        t0, loss_sum, bad_run = time.perf_counter(), 0.0, 0
        for b, (x, y) in enumerate(windows):
            loss, state = window_step(net, ws, x.T, y.T, state, grads=grads, rng=drop_rng)
            if config.single_bias:  # only the sum of the two biases matters: move it once, count it once
                for layer in grads.layers:
                    layer["bias_hh"][...] = 0
            loss = float(loss.mean())
            report = config.grad_norms_every and step % config.grad_norms_every == 0
            norms = param_norms(grads) if report else None
            norm, clipped, skipped = sgd_step(net, grads, lr, config.clip)
            step += 1
            loss_sum += loss
            bad_run = 0 if loss <= MAX_LOSS else bad_run + 1  # inf and NaN count too
            event = {"event": "step", "step": step, "epoch": epoch, "batch": b + 1, "loss": loss,
                     "perplexity": math.exp(min(loss, 700.0)), "grad_norm": norm, "clipped": clipped,
                     "skipped": skipped, "lr": lr,
                     "tokens_per_s": (b + 1) * tok_per_step / (time.perf_counter() - t0),
                     "weights": lambda: LanguageModel(cfg, net.export(), vocab)}  # the weights now, on demand
            if norms is not None:
                event["grad_norms"] = norms
            yield event
            if bad_run >= DIVERGED_STEPS:
                raise TrainingDiverged(epoch, step, f"the training loss of {bad_run} steps in a row", loss)
        seconds = time.perf_counter() - t0
        st["train_seconds"] += seconds
        st["train_tokens"] += steps * tok_per_step
        current = LanguageModel(cfg, net.export(), vocab)
        ev = evaluate(current, valid_ids, batch=config.eval_batch, bptt=config.bptt, net=net)
        if not ev["loss"] <= MAX_LOSS:  # never kept nor compared: the best weights so far stay the last good ones
            raise TrainingDiverged(epoch, step, "the validation loss", ev["loss"])
        valid_ppl = ev["perplexity"]
        prev = st["best_valid_perplexity"]
        improved = prev is None or valid_ppl < prev
        if improved:
            best = Net(cfg, current.params, dtype) if best is None else best
            for b_arr, n_arr in zip(best.arrays(), net.arrays()):
                b_arr[...] = n_arr
            st["best_valid_perplexity"] = valid_ppl
        else:  # continue from the best weights with a smaller step
            for b_arr, n_arr in zip(best.arrays(), net.arrays()):
                n_arr[...] = b_arr
        lr = next_lr(lr, improved, config.lr_decay)
        record = {"epoch": epoch, "train_loss": loss_sum / steps, "valid_loss": ev["loss"],
                  "valid_perplexity": valid_ppl, "lr": lr, "seconds": seconds,
                  "tokens_per_s": steps * tok_per_step / seconds}
        st.update(epoch=epoch, step=step, lr=lr, rng=rng.bit_generator.state)
        st["history"].append(record)
        kept = LanguageModel(cfg, best.export(), vocab)
        yield {"event": "epoch", **record, "step": step, "train_perplexity": math.exp(min(record["train_loss"], 700)),
               "best_valid_perplexity": st["best_valid_perplexity"], "improved": improved,
               "model": kept, "resume": json.loads(json.dumps(st))}
    tps = st["train_tokens"] / st["train_seconds"] if st["train_seconds"] else float("nan")
    yield {"event": "done", "epoch": st["epoch"], "step": step, "valid_perplexity": valid_ppl,
           "best_valid_perplexity": st["best_valid_perplexity"], "tokens_per_s": tps,
           "seconds": st["train_seconds"], "model": LanguageModel(cfg, (best or net).export(), vocab)}
