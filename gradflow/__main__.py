"""Command line: `python -m gradflow {train,eval,flow,gradhist} ...` (see --help of each).

train: a PTB language model (`--recipe NAME` gives a shipped model's settings),
checkpointed after every epoch; eval: its perplexity on a PTB split; flow: the
per-step gradient norms of one BPTT run; gradhist: the gradient-norm
histograms the app's clipping page reads. train, eval and gradhist show a
progress bar (`Progress`). Errors print one line to stderr and exit with
status 2; there is no traceback. Output paths are checked and locked before any
work, and a file of another kind is never overwritten (gradflow.outfiles).
Ctrl-C exits with 130, SIGTERM with 143, both after removing temporary files.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time

import numpy as np

from gradflow import checkpoint, outfiles
from gradflow.bptt import flow_memory_bytes
from gradflow.checks import CELLS
from gradflow.data import load_ids, load_vocab
from gradflow.experiments.flow import UPSTREAMS, FlowSettings, run
from gradflow.gradstats import gradient_norm_histogram
from gradflow.lm import LMConfig
from gradflow.trainer import TrainConfig, TrainingDiverged, evaluate, train

MAX_MEMORY_GB = 4.0  # flow's default --max-memory


def _positive_int(text):
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return v


def _schedule(text):
    """'6:5,10:0.3125' -> ((6, 5.0), (10, 0.3125))."""
    try:
        pairs = [item.split(":") for item in text.split(",") if item.strip()]
        out = tuple((int(e), float(lr)) for e, lr in pairs)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected EPOCH:LR pairs separated by commas, got {text!r}") from None
    if any(e < 1 or not math.isfinite(lr) or lr <= 0 for e, lr in out):
        raise argparse.ArgumentTypeError(f"epochs must be ≥ 1 and learning rates finite and > 0, got {text!r}")
    return out


# The shipped models' training runs (models/README.md), each as one command:
# python -m gradflow train --recipe NAME --out models/NAME.npz
_BIG = {"layers": 2, "embed": 200, "hidden": 200, "tie": True, "dropout": 0.2, "seed": 0, "store": "float16"}
RECIPES = {
    "lstm": {**_BIG, "cell": "lstm", "epochs": 7, "lr": 20.0, "lr_schedule": ((6, 5.0), (7, 1.25))},
    "gru": {**_BIG, "cell": "gru", "epochs": 7, "lr": 20.0},
    "rnn": {"cell": "rnn", "layers": 1, "embed": 200, "hidden": 200, "tie": True, "dropout": 0.0, "seed": 0,
            "store": "float16", "epochs": 12, "lr": 2.0, "lr_schedule": ((6, 5.0), (10, 0.3125))},
}


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2, as for every other error)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m gradflow", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="{train,eval,flow,gradhist}")

    t = sub.add_parser("train", help="train a PTB language model; checkpoint after every epoch")
    p.train_parser = t  # parse_args() sets a --recipe's values as this parser's defaults
    t.add_argument("--cell", choices=CELLS, default="lstm")
    t.add_argument("--layers", type=_positive_int, default=1)
    t.add_argument("--embed", type=_positive_int, default=100, help="embedding size E")
    t.add_argument("--hidden", type=_positive_int, default=100, help="hidden size H")
    t.add_argument("--epochs", type=_positive_int, default=4)
    t.add_argument("--batch", type=_positive_int, default=20, help="parallel streams B")
    t.add_argument("--bptt", type=_positive_int, default=35, help="window length T")
    t.add_argument("--lr", type=_float, default=None,
                   help="learning rate (default 20); with --resume, replaces the saved one")
    t.add_argument("--lr-decay", type=_float, default=4.0, help="lr divisor when valid perplexity does not improve")
    clip = t.add_mutually_exclusive_group()
    clip.add_argument("--clip", type=_float, default=0.25, help="global-norm clipping threshold")
    clip.add_argument("--no-clip", action="store_true", help="switch clipping off")
    t.add_argument("--dropout", type=_float, default=0.0)
    t.add_argument("--tie", action="store_true", help="tie embedding and decoder weights (needs embed = hidden)")
    t.add_argument("--forget-bias", type=_float, default=0.0, help="LSTM forget-gate bias at init")
    t.add_argument("--init", choices=("pytorch", "dlfs2"), default="pytorch",
                   help="initialisation: PyTorch's word_language_model, or DLFS2 ch06's Rnnlm")
    t.add_argument("--carry-state", action="store_true",
                   help="streams and recurrent state run on across epochs, as in DLFS2's trainer "
                        "(default: every epoch restarts both)")
    t.add_argument("--single-bias", action="store_true",
                   help="train bias_ih + bias_hh as one bias, as DLFS2 does (default: both, as PyTorch)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--max-tokens", type=_positive_int, default=None, help="train on the first N tokens only")
    t.add_argument("--valid-tokens", type=_positive_int, default=None, help="validate on the first N tokens only")
    t.add_argument("--dtype", choices=("float32", "float64"), default="float32", help="training precision")
    t.add_argument("--store", choices=("float16", "float32"), default="float32", help="checkpoint precision")
    t.add_argument("--log-every", type=_positive_int, default=100, help="steps between progress lines (not a TTY)")
    t.add_argument("--lr-schedule", type=_schedule, default=(), metavar="EPOCH:LR,...",
                   help="set lr at the start of these epochs, e.g. 6:5,10:0.3125 (the ÷lr-decay rule still applies)")
    t.add_argument("--recipe", choices=sorted(RECIPES), default=None,
                   help="the settings of a shipped model (models/README.md); other options still override them")
    t.add_argument("--out", required=True, help="checkpoint file (.npz)")
    t.add_argument("--resume", action="store_true", help="continue the run saved in --out")

    e = sub.add_parser("eval", help="perplexity of a checkpoint on a PTB split")
    e.add_argument("checkpoint")
    e.add_argument("--split", choices=("train", "valid", "test"), default="test")
    e.add_argument("--batch", type=_positive_int, default=10)
    e.add_argument("--bptt", type=_positive_int, default=35)
    e.add_argument("--max-tokens", type=_positive_int, default=None, help="score the first N tokens only")

    f = sub.add_parser("flow", help="per-step gradient norms of one BPTT run (table, optional CSV)")
    f.add_argument("--cell", choices=CELLS, default="lstm")
    f.add_argument("-T", type=_positive_int, default=100, help="time steps")
    f.add_argument("-H", type=_positive_int, default=64, help="hidden size")
    f.add_argument("-D", type=_positive_int, default=None, help="input size (default H)")
    f.add_argument("-B", type=_positive_int, default=1, help="batch rows (norms are averaged over them)")
    f.add_argument("--rho", type=_float, default=1.0, help="spectral radius of each recurrent gate block")
    f.add_argument("--kind", choices=("orthogonal", "gaussian", "symmetric", "nonnormal"), default="orthogonal")
    f.add_argument("--loss", choices=("last", "sum"), default="last", help="loss at the last step or summed")
    f.add_argument("--truncate", type=_positive_int, default=None, help="truncated BPTT block length")
    f.add_argument("--nonlinearity", choices=("tanh", "relu", "linear"), default="tanh", help="RNN only")
    f.add_argument("--variant", choices=("pytorch", "cho"), default="pytorch", help="GRU only")
    f.add_argument("--input-scale", type=_float, default=1.0, help="std of the random inputs")
    f.add_argument("--forget-bias", type=_float, default=1.0,
                   help="gate bias at init: the LSTM's forget gate, the GRU's update gate (as the app)")
    f.add_argument("--upstream", choices=UPSTREAMS, default="random",
                   help="the loss gradient's direction at the last step: random, or W_h's most amplified one")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--csv", default=None, help="also write the table to this CSV file")
    f.add_argument("--max-memory", type=_float, default=MAX_MEMORY_GB, metavar="GB",
                   help="refuse a run that needs more memory than this (estimated before it starts)")
    f.add_argument("--force", action="store_true", help="let --csv replace a file that is not a flow CSV")

    g = sub.add_parser("gradhist", help="histogram of global gradient norms over PTB batches (for the app)")
    g.add_argument("checkpoint")
    g.add_argument("--out", required=True, help="JSON file to write")
    g.add_argument("--batches", type=_positive_int, default=200)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--force", action="store_true", help="let --out replace a file that is not a gradhist JSON")
    return p


# --------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------
class Progress:
    """Plain-text progress: one \\r-updated line on a TTY, else a line every `every` steps
    (`step`, training) or at every tenth of the work (`count`, eval and gradhist)."""

    def __init__(self, stream, every: int = 1):
        self.stream, self.every = stream, every
        self.tty = stream.isatty()
        self.started = time.perf_counter()

    def step(self, ev, steps: int, epochs: int):
        b = ev["batch"]
        if not self.tty and b % self.every and b != steps:
            return
        width = 24
        done = int(width * b / steps)
        line = (f"epoch {ev['epoch']}/{epochs} [{'#' * done}{'.' * (width - done)}] {b}/{steps} "
                f"loss {ev['loss']:.3f} ppl {ev['perplexity']:.1f} |g| {ev['grad_norm']:.2f} "
                f"lr {ev['lr']:g} {ev['tokens_per_s']:,.0f} tok/s")
        self.stream.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        self.stream.flush()

    def count(self, label: str, done: int, total: int, unit: str = "windows"):
        """Progress of `done` out of `total` units of work (a callback for evaluate and gradstats)."""
        if not self.tty and done != total and done * 10 // total == (done - 1) * 10 // total:
            return
        width = 24
        filled = int(width * done / total)
        line = (f"{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {unit} "
                f"{time.perf_counter() - self.started:.0f} s")
        self.stream.write(("\r" + line + "\033[K") if self.tty else line + "\n")
        self.stream.flush()

    def line(self, text: str):
        self.stream.write(("\r\033[K" if self.tty else "") + text + "\n")
        self.stream.flush()


def train_config(a) -> TrainConfig:
    """The TrainConfig of `train` options (parsed by parse_args, a recipe's values included)."""
    model_cfg = LMConfig(cell=a.cell, layers=a.layers, embed=a.embed, hidden=a.hidden, dropout=a.dropout,
                         tie=a.tie, forget_bias=a.forget_bias, init=a.init)
    lr0 = a.lr if a.lr is not None else RECIPES[a.recipe]["lr"] if a.recipe else 20.0
    return TrainConfig(model=model_cfg, epochs=a.epochs, batch=a.batch, bptt=a.bptt, lr=lr0,
                       lr_decay=a.lr_decay, clip=None if a.no_clip else a.clip, dtype=a.dtype,
                       max_tokens=a.max_tokens, valid_tokens=a.valid_tokens, carry_state=a.carry_state,
                       single_bias=a.single_bias, lr_schedule=a.lr_schedule)


def cmd_train(a) -> int:
    cfg = train_config(a)
    with outfiles.guarded(a.out, "checkpoint", "--out"), np.errstate(all="ignore"):  # divergence is reported below
        try:
            return _train(a, cfg)
        except TrainingDiverged as err:
            kept = (f"the last good checkpoint is kept in {a.out}" if os.path.exists(a.out) else
                    f"nothing was saved to {a.out} (no epoch ended before it)")
            raise ValueError(f"{err}; {kept}. Lower --lr" + (" or drop --no-clip" if a.no_clip else "")) from None


def _train(a, cfg) -> int:
    vocab = load_vocab()
    resume = None
    if os.path.exists(a.out):
        if not a.resume:
            raise ValueError(f"{a.out} exists; pass --resume to continue that run or choose another --out")
        model, state = checkpoint.load(a.out, vocab=vocab, with_resume=True)
        if state is None:
            raise ValueError(f"{a.out} holds no training state to resume (it was saved without one)")
        if model.config != cfg.model:
            print(f"note: resuming with the model shape stored in {a.out}: {model.config}", file=sys.stderr)
        cfg = TrainConfig.from_dict({**cfg.to_dict(), "model": model.config})
        if a.lr is not None and a.lr != state["lr"]:
            print(f"note: lr {state['lr']:g} saved in {a.out} replaced by --lr {a.lr:g}", file=sys.stderr)
            state = {**state, "lr": a.lr}
        resume = (model, state)
        if state["epoch"] >= cfg.epochs:
            print(f"{a.out} already has {state['epoch']} epoch(s); nothing to do (raise --epochs)")
    elif a.resume:
        print(f"note: {a.out} does not exist yet; starting a new run", file=sys.stderr)
    bar = Progress(sys.stdout, a.log_every)
    steps, last = 0, None
    started = time.perf_counter()
    for ev in train(cfg, vocab=vocab, seed=a.seed, resume=resume):
        kind = ev["event"]
        if kind == "start":
            steps = ev["steps_per_epoch"]
            bar.line(f"{cfg.model.cell} x{cfg.model.layers} E={cfg.model.embed} H={cfg.model.hidden} "
                     f"dropout={cfg.model.dropout} tie={cfg.model.tie}: {steps} steps/epoch of "
                     f"{ev['tokens_per_step']} tokens, from epoch {ev['epoch'] + 1} to {cfg.epochs}, lr {ev['lr']:g}")
        elif kind == "step":
            bar.step(ev, steps, cfg.epochs)
        elif kind == "epoch":
            checkpoint.save(a.out, ev["model"], dtype=a.store, resume=ev["resume"])
            bar.line(f"epoch {ev['epoch']}: train ppl {ev['train_perplexity']:.2f} valid ppl "
                     f"{ev['valid_perplexity']:.2f} (best {ev['best_valid_perplexity']:.2f}) "
                     f"{ev['tokens_per_s']:,.0f} tok/s {ev['seconds']:.0f} s, next lr {ev['lr']:g}; "
                     f"saved {a.out}")
        elif kind == "done":
            last = ev
    bar.line(f"wall time {time.perf_counter() - started:.0f} s")
    ppl = last["best_valid_perplexity"]
    print(f"tokens/s {last['tokens_per_s']:.0f} valid_perplexity {float('nan') if ppl is None else ppl:.2f}")
    return 0


def cmd_eval(a) -> int:
    model = checkpoint.load(a.checkpoint)
    checkpoint.check_vocab(model, load_vocab(), a.checkpoint)
    ids = load_ids(a.split)
    bar = Progress(sys.stdout)
    r = evaluate(model, ids if a.max_tokens is None else ids[:a.max_tokens], batch=a.batch, bptt=a.bptt,
                 progress=lambda done, total: bar.count(f"eval {a.split}", done, total))
    bar.line(f"{a.checkpoint}: {model.config.cell} x{model.config.layers} H={model.config.hidden}, "
             f"{a.split} split, {r['tokens']:,} tokens, {r['tokens_per_s']:,.0f} tokens/s, loss {r['loss']:.4f}")
    print(f"perplexity {r['perplexity']:.2f}")
    return 0


# --------------------------------------------------------------------------
# flow
# --------------------------------------------------------------------------
def flow_settings(a) -> FlowSettings:
    """The CLI options as the experiment the app would build (experiments.flow.build)."""
    return FlowSettings(cell=a.cell, T=a.T, H=a.H, D=a.D, B=a.B, rho=a.rho, kind=a.kind, loss=a.loss,
                        truncate=a.truncate, nonlinearity=a.nonlinearity, variant=a.variant, seed=a.seed,
                        input_scale=a.input_scale, forget_bias=0.0 if a.cell == "rnn" else a.forget_bias,
                        upstream=a.upstream)


def flow_table(a):
    """Run one experiment from the CLI options; returns (header, rows, flow)."""
    _, fl = run(flow_settings(a))
    cols = {"dh_norm": fl.dh_norm.mean(axis=1)}
    if fl.dc_norm is not None:
        cols["dc_norm"] = fl.dc_norm.mean(axis=1)
        cols["dh_prev_cell_norm"] = fl.dh_prev_cell_norm.mean(axis=1)
        cols["dh_prev_hidden_norm"] = fl.dh_prev_hidden_norm.mean(axis=1)
    cols["dx_norm"] = fl.dx_norm.mean(axis=1)
    cols["dW_contrib"] = fl.dW_contrib
    header = ["t", *cols]
    rows = [[t, *(float(c[t]) for c in cols.values())] for t in range(a.T)]
    return header, rows, fl


def cmd_flow(a) -> int:
    if not a.max_memory > 0:
        raise ValueError(f"--max-memory must be a number of GB > 0, got {a.max_memory:g}")
    need = flow_memory_bytes(a.cell, a.T, a.B, a.D or a.H, a.H) + 400 * a.T  # + the table's Python rows
    if need > a.max_memory * 1e9:
        raise ValueError(f"this run needs about {outfiles.human_bytes(need)}; the limit is {a.max_memory:g} GB (--max-memory): "
                         "make -T, -B, -H or -D smaller")
    if not a.csv:
        return _flow(a)
    with outfiles.guarded(a.csv, "csv", "--csv", a.force):
        return _flow(a)


def _flow(a) -> int:
    header, rows, fl = flow_table(a)
    print(f"{a.cell} T={a.T} H={a.H} D={a.D or a.H} B={a.B} rho={a.rho:g} kind={a.kind} loss={a.loss} "
          f"seed={a.seed}" + (f" truncate={a.truncate}" if a.truncate else "")
          + (" (norms are means over the batch)" if a.B > 1 else ""))
    print("  ".join(f"{h:>5}" if h == "t" else f"{h:>19}" for h in header))
    for r in rows:
        print("  ".join([f"{r[0]:>5d}", *(f"{v:>19.6e}" for v in r[1:])]))
    if not fl.finite:
        print(f"non-finite values from step {fl.first_nonfinite} ({fl.nonfinite_where} pass)")
    first, last = rows[0][1], rows[-1][1]
    if last > 0 and math.isfinite(first) and math.isfinite(last):
        print(f"||dL/dh_0|| / ||dL/dh_{a.T - 1}|| = {first / last:.6e}")
    if a.csv:
        def write(fh):
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows([r[0], *(repr(v) for v in r[1:])] for r in rows)
        outfiles.write_text_atomic(a.csv, write)
        print(f"wrote {a.csv}")
    return 0


def cmd_gradhist(a) -> int:
    with outfiles.guarded(a.out, "json", "--out", a.force):  # before the work, not after it
        return _gradhist(a)


def _gradhist(a) -> int:
    model = checkpoint.load(a.checkpoint)
    checkpoint.check_vocab(model, load_vocab(), a.checkpoint)
    bar = Progress(sys.stdout)
    hist = gradient_norm_histogram(model, load_ids("train"), batches=a.batches, seed=a.seed,
                                   progress=lambda done, total: bar.count("gradhist (trained, then random init)",
                                                                          done, total))
    hist["checkpoint"] = os.path.basename(a.checkpoint)
    outfiles.write_text_atomic(a.out, lambda fh: json.dump(hist, fh, indent=1))
    t, r = hist["trained"], hist["random_init"]
    bar.line(f"wrote {a.out}: {a.batches} batches, median norm {t['median']:.3g} trained, "
             f"{r['median']:.3g} at init; clipped at {hist['clip']}: {t['fraction_clipped']:.0%} trained")
    return 0


COMMANDS = {"train": cmd_train, "eval": cmd_eval, "flow": cmd_flow, "gradhist": cmd_gradhist}


def parse_args(argv=None) -> argparse.Namespace:
    """The parsed command line; with `train --recipe NAME`, the recipe's values are the defaults,
    so options given explicitly still win (lr included: see train_config)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "recipe", None):
        parser.train_parser.set_defaults(**{k: v for k, v in RECIPES[args.recipe].items() if k != "lr"})
        args = parser.parse_args(argv)
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        with outfiles.terminate_as_interrupt():  # SIGTERM unwinds as Ctrl-C does: temporary files go
            return COMMANDS[args.command](args)
    except (ValueError, OSError) as err:  # FileNotFoundError is an OSError
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        stopped = "terminated" if isinstance(err, outfiles.Terminated) else "interrupted"
        print(f"\n{stopped}; the last saved checkpoint is kept", file=sys.stderr)
        return 143 if isinstance(err, outfiles.Terminated) else 130


if __name__ == "__main__":
    sys.exit(main())
