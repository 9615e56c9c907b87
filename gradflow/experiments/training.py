"""Page 4 (training a small language model live): its settings, its plan, and the run records.

`TrainingSettings.from_widgets` turns the page's widget values (keyed by
their URL names) into one frozen object with the engine's field names.
`plan` does the step arithmetic before anything is trained: it fits the
token slice to the step limit, sizes the validation slice so that it holds a
window, and says when the training slice holds none. `runs` lists the runs
one Train press starts (one, or two to compare), each with its own settings;
`to_train_config` makes their `gradflow.trainer.TrainConfig`. `new_run`,
`record` and `curves` keep each run's curves as plain lists (cheap to keep
in the session) and hand them to the figures as arrays.

No streamlit and no plotly here: the page draws, this module decides.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from .. import data
from ..analysis import analyze_sentence
from ..cells._loop import single_thread
from ..checks import CELLS
from ..lm import LanguageModel, LMConfig
from ..trainer import TrainConfig

COMPARE = ("none", "clip", "cell")  # one run; clipping on vs off; RNN vs LSTM
MAX_STEPS = 3_000  # per run: keeps a run (and the curves kept in the session) bounded
VALID_TOKENS = 5_000  # at most this many validation tokens are scored after every epoch
MIN_VALID_TOKENS = 500
EVAL_BATCH = TrainConfig.eval_batch  # streams of the validation pass (the trainer's default)
PNORM_POINTS = 150  # per-parameter norms are recorded at about this many steps per run
PROFILE_POINTS = 30  # the gradient-flow profile is taken at about this many steps per run

# widget key (the URL parameter) -> field name, where they differ: the URL names are public and kept.
WIDGET_FIELDS = {"tokens": "max_tokens"}


@dataclass(frozen=True)
class TrainingSettings:
    """Everything page 4's widgets choose. Field names are the engine's (TrainConfig, LMConfig)."""

    cell: str = "lstm"  # recurrent cell (LMConfig.cell); embed = hidden
    hidden: int = 32  # H, and the embedding size E
    max_tokens: int = 20_000  # train on the first K PTB train tokens
    epochs: int = 1
    batch: int = 10  # B parallel streams
    bptt: int = 20  # T steps per window
    lr: float = 20.0
    clip: float | None = 0.25  # global-norm threshold, None: no clipping
    threshold: float = 0.25  # the threshold slider: what "clipping on" means when clip is None or compared
    seed: int = 0
    compare: str = "none"  # COMPARE: which runs one Train press starts

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; expected one of {', '.join(CELLS)}")
        if self.compare not in COMPARE:
            raise ValueError(f"unknown comparison {self.compare!r}; expected one of {', '.join(COMPARE)}")
        for name in ("hidden", "max_tokens", "epochs", "batch", "bptt"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")

    @classmethod
    def from_widgets(cls, values: dict) -> "TrainingSettings":
        """From widget values keyed by widget key. The clip toggle and the threshold slider become
        clip (the threshold, or None when the toggle is off); other keys (lang, ...) are ignored."""
        names = {f.name for f in fields(cls)}
        kw = {WIDGET_FIELDS.get(k, k): v for k, v in values.items()
              if WIDGET_FIELDS.get(k, k) in names and k != "clip"}
        for k in ("hidden", "max_tokens", "epochs", "batch", "bptt", "seed"):
            if k in kw:
                kw[k] = int(kw[k])
        for k in ("lr", "threshold"):
            if k in kw:
                kw[k] = float(kw[k])
        threshold = kw.get("threshold", cls.threshold)
        kw["clip"] = threshold if values.get("clip", True) else None
        return cls(**kw)

    def describe(self) -> str:
        """The settings of one run, as `name=value, ...` (the page's run facts)."""
        d = asdict(self)
        for k in ("threshold", "compare"):  # folded into clip and the run's label
            d.pop(k)
        return ", ".join(f"{k}={v}" for k, v in d.items())


# ----------------------------------------------------------------------------- plan

def steps_per_epoch(tokens: int, batch: int, bptt: int) -> int:
    """Windows of one epoch: B streams of tokens // B ids, windows of bptt inputs plus their targets."""
    return max(0, (tokens // batch - 1) // bptt)


@dataclass(frozen=True)
class Plan:
    """What a Train press will do, worked out before the first step."""

    tokens: int  # training tokens used (the chosen slice, or less to stay within MAX_STEPS)
    steps_per_epoch: int
    steps: int  # per run
    valid_tokens: int  # validation tokens scored after every epoch
    limited: bool  # tokens were cut to stay within MAX_STEPS
    problem: tuple | None  # (i18n key, format dict) when nothing can be trained, else None

    @property
    def ok(self) -> bool:
        return self.problem is None


def valid_tokens_for(tokens: int, bptt: int) -> int:
    """Validation tokens for a run on `tokens` training tokens with windows of `bptt`.

    A quarter of the training slice, between MIN_VALID_TOKENS and VALID_TOKENS,
    and never fewer than EVAL_BATCH streams of bptt + 1 ids: the evaluator
    needs one full window per stream ("streams of length 50 hold no full
    window" was raised after a whole run's training steps otherwise).
    """
    return min(VALID_TOKENS, max(MIN_VALID_TOKENS, tokens // 4, EVAL_BATCH * (bptt + 1)))


def plan(s: TrainingSettings) -> Plan:
    """The step arithmetic of a run, checked before training (see Plan)."""
    tokens, limited = s.max_tokens, False
    per_epoch = steps_per_epoch(tokens, s.batch, s.bptt)
    if per_epoch * s.epochs > MAX_STEPS:
        tokens = (MAX_STEPS // s.epochs * s.bptt + 1) * s.batch
        per_epoch, limited = steps_per_epoch(tokens, s.batch, s.bptt), True
    problem = None
    if per_epoch < 1:
        problem = ("page4.too_few", {"tokens": f"{tokens:,}", "batch": s.batch, "bptt": s.bptt})
    return Plan(tokens, per_epoch, per_epoch * s.epochs, valid_tokens_for(tokens, s.bptt), limited, problem)


# ----------------------------------------------------------------------------- runs

@dataclass(frozen=True)
class RunSpec:
    """One run of a Train press: its label (i18n key and format fields) and its own settings."""

    label: str
    fmt: dict
    settings: TrainingSettings


def runs(s: TrainingSettings) -> list[RunSpec]:
    """The runs one Train press starts: one run, clipping on vs off, or an RNN vs an LSTM.

    Each run's settings hold the tokens it trains on (the plan's, within MAX_STEPS).
    """
    c = float(s.threshold)
    one = replace(s, compare="none", max_tokens=plan(s).tokens)
    if s.compare == "clip":
        return [RunSpec("run.clip_on", {"cell": s.cell.upper(), "c": f"{c:g}"}, replace(one, clip=c)),
                RunSpec("run.clip_off", {"cell": s.cell.upper()}, replace(one, clip=None))]
    if s.compare == "cell":
        return [RunSpec("run.cell", {"cell": x.upper()}, replace(one, cell=x)) for x in ("rnn", "lstm")]
    return [RunSpec("run.one", {"cell": s.cell.upper()}, one)]


def to_train_config(s: TrainingSettings) -> TrainConfig:
    """The TrainConfig of one run (see `plan` for the slices; the plan must be ok)."""
    p = plan(s)
    if not p.ok:
        raise ValueError(f"{p.tokens:,} tokens in {s.batch} streams hold no window of bptt={s.bptt}: "
                         "use more tokens or a smaller batch")
    return TrainConfig(model=LMConfig(cell=s.cell, embed=s.hidden, hidden=s.hidden), epochs=s.epochs,
                       batch=s.batch, bptt=s.bptt, lr=s.lr, clip=s.clip, max_tokens=p.tokens,
                       valid_tokens=p.valid_tokens, eval_batch=EVAL_BATCH,
                       grad_norms_every=max(1, p.steps // PNORM_POINTS))


def new_run(spec: RunSpec) -> dict:
    """An empty run record: its label, settings, status, and the curves `record` fills."""
    return {"label": spec.label, "fmt": spec.fmt, "settings": spec.settings, "cell": spec.settings.cell,
            "clip": spec.settings.clip, "status": "pending", "error": None, "step": [], "loss": [], "gnorm": [],
            "clipped": [], "skipped": [], "pstep": [], "pnorms": {}, "vstep": [], "vppl": [],
            "total": plan(spec.settings).steps, "seconds": 0.0, "tokens_per_s": float("nan"),
            "fstep": [], "flow": [], "profile_every": max(1, plan(spec.settings).steps // PROFILE_POINTS)}


def probe_window(bptt: int) -> np.ndarray:
    """The fixed validation window every profile reads: the first bptt + 1 ids of PTB's valid split."""
    return np.asarray(data.load_ids("valid")[: bptt + 1], dtype=np.int64)


def flow_profile(model: LanguageModel, window: np.ndarray) -> np.ndarray:
    """‖∂L/∂h_t‖ of the first layer over the window's T = len(window) − 1 tokens, the loss at its last step
    (predicting window[-1]): (T,). Exact BPTT in float64 (gradflow.analysis), no dropout."""
    with single_thread():
        an = analyze_sentence(model, window[:-1], len(window) - 2, top_k=1, target=int(window[-1]))
    return np.asarray(an.layers[0]["dh_norm"], dtype=np.float64)


def record(run: dict, ev: dict, window: np.ndarray | None = None) -> None:
    """Append one training event to the run's curves (plain lists: cheap to keep in the session).

    window: the probe window; with it, every run["profile_every"]-th step (and the first) also
    records the gradient-flow profile of the weights at that step (see `flow_profile`).
    """
    if ev["event"] == "step" and window is not None and "weights" in ev \
            and (ev["step"] == 1 or ev["step"] % run["profile_every"] == 0):
        run["fstep"].append(ev["step"])
        run["flow"].append(flow_profile(ev["weights"](), window).tolist())
    if ev["event"] == "step":
        run["step"].append(ev["step"])
        run["loss"].append(ev["loss"])
        run["gnorm"].append(ev["grad_norm"])
        run["clipped"].append(bool(ev["clipped"]))
        run["skipped"].append(bool(ev["skipped"]))
        run["tokens_per_s"] = ev["tokens_per_s"]
        if "grad_norms" in ev:
            run["pstep"].append(ev["step"])
            for k, v in ev["grad_norms"].items():
                run["pnorms"].setdefault(k, []).append(v)
    elif ev["event"] == "epoch":
        run["vstep"].append(ev["step"])
        run["vppl"].append(ev["valid_perplexity"])
    elif ev["event"] == "done":
        run["seconds"] = ev["seconds"]


def curves(records: list, label) -> dict:
    """label(run) -> the arrays of plots.fig_training_curves / fig_train_grad_norm, for runs with steps."""
    return {label(r): {"step": np.asarray(r["step"]), "loss": np.asarray(r["loss"], dtype=np.float64),
                       "grad_norm": np.asarray(r["gnorm"], dtype=np.float64),
                       "clipped": np.asarray(r["clipped"], dtype=bool),
                       "skipped": np.asarray(r["skipped"], dtype=bool),
                       "valid_step": np.asarray(r["vstep"]), "valid_ppl": np.asarray(r["vppl"], dtype=np.float64)}
            for r in records if r["step"]}


def param_norm_curves(records: list, label) -> dict:
    """label(run) -> {"step", "norms": name -> array} for plots.fig_param_grad_norms."""
    return {label(r): {"step": np.asarray(r["pstep"]),
                       "norms": {k: np.asarray(v, dtype=np.float64) for k, v in r["pnorms"].items()}}
            for r in records if r["pstep"]}


def flow_over_training(records: list, label) -> dict:
    """label(run) -> {"step" (P,), "log_dh" (P, T)}: log10‖∂L/∂h_t‖ of each profile, for runs that have some."""
    out = {}
    for r in records:
        if r["flow"]:
            with np.errstate(divide="ignore"):
                out[label(r)] = {"step": np.asarray(r["fstep"]), "log_dh": np.log10(np.asarray(r["flow"]))}
    return out


def live_losses(records: list, label, points: int) -> tuple[dict, dict]:
    """(label -> its latest `points` losses, label -> step index of the first of them) for plots.fig_live_loss."""
    shown = [r for r in records if r["step"]]
    return ({label(r): r["loss"][-points:] for r in shown},
            {label(r): r["step"][-points:][0] for r in shown})


def train_perplexity(run: dict) -> float:
    """exp of the mean loss of the run's last 10 % of steps (NaN when none of them is finite)."""
    loss = np.asarray(run["loss"], dtype=np.float64)
    tail = loss[-max(1, len(loss) // 10):]
    if not np.isfinite(tail).any():
        return float("nan")
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.exp(np.nanmean(tail)))


def clipped_fraction(run: dict) -> float:
    return float(np.mean(run["clipped"])) if run["clipped"] else 0.0
