"""Page 4: train a small language model on a slice of PTB, live, and compare two runs."""

import time

import numpy as np
import pandas as pd
import streamlit as st

from gradflow import cache, plots, ui
from gradflow.urlstate import Param

CELLS = ("rnn", "lstm", "gru")
COMPARE = ("none", "clip", "cell")
MAX_STEPS = 3_000  # per run: keeps a run (and the curves kept in the session) bounded
VALID_TOKENS = 5_000  # at most this many validation tokens are scored after every epoch
PNORM_POINTS = 150  # per-parameter norms are recorded at about this many steps per run
RUNS = "_gf_p4_runs"  # session key: the runs of the last Train press
LIVE_POINTS = 500  # steps shown by the live chart during a run
PARAMS = (
    Param("compare", "choice", "none", options=COMPARE, widget="radio"),
    Param("cell", "choice", "lstm", options=CELLS, widget="segmented", help="w.cell4.help"),
    Param("hidden", "int", 32, lo=4, hi=128),
    Param("tokens", "int", 20_000, lo=1_000, hi=200_000, step=1_000),
    Param("epochs", "int", 1, lo=1, hi=5),
    Param("batch", "int", 10, lo=1, hi=64),
    Param("bptt", "int", 20, lo=2, hi=70),
    Param("lr", "slider", 20.0, lo=0.1, hi=40.0, step=0.1, fmt="%.1f", help="w.lr4.help"),
    Param("clip", "toggle", True),
    Param("threshold", "slider", 0.25, lo=0.01, hi=10.0, step=0.01, help="w.threshold4.help"),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number", help="w.seed4.help"),
)

page = ui.start("page4", PARAMS)
t = page.t

# ---------------------------------------------------------------- controls
with st.sidebar:
    st.subheader(t("page4.group.run"))
    compare = page.widget("compare")
    cell = page.widget("cell", disabled=compare == "cell")
    clip_on = page.widget("clip", disabled=compare == "clip")
    threshold = page.widget("threshold", disabled=not clip_on and compare != "clip")
    lr = page.widget("lr")
    st.subheader(t("page4.group.size"))
    hidden = page.widget("hidden")
    tokens = page.widget("tokens")
    epochs = page.widget("epochs")
    batch = page.widget("batch")
    bptt = page.widget("bptt")
    seed = page.widget("seed")

st.title(t("page4.title"))
st.markdown(t("page4.intro"))


def run_specs() -> list[dict]:
    """The runs one Train press starts: (label key, format fields, cell, clip threshold or None)."""
    c = float(threshold)
    if compare == "clip":
        return [{"label": "run.clip_on", "fmt": {"cell": cell.upper(), "c": f"{c:g}"}, "cell": cell, "clip": c},
                {"label": "run.clip_off", "fmt": {"cell": cell.upper()}, "cell": cell, "clip": None}]
    if compare == "cell":
        clip = c if clip_on else None
        return [{"label": "run.cell", "fmt": {"cell": x.upper()}, "cell": x, "clip": clip} for x in ("rnn", "lstm")]
    return [{"label": "run.one", "fmt": {"cell": cell.upper()}, "cell": cell, "clip": c if clip_on else None}]


def run_label(run: dict) -> str:
    return t(run["label"], **run["fmt"])


# Steps per run: each epoch walks B streams of tokens/B ids in windows of bptt.
n_tokens = int(tokens)
steps_per_epoch = (n_tokens // batch - 1) // bptt
if steps_per_epoch * epochs > MAX_STEPS:
    n_tokens = (MAX_STEPS // epochs * bptt + 1) * batch
    steps_per_epoch = (n_tokens // batch - 1) // bptt
    st.info(t("page4.limit", steps=f"{MAX_STEPS:,}", tokens=f"{n_tokens:,}"))
specs = run_specs()
if steps_per_epoch < 1:
    st.warning(t("page4.too_few", tokens=f"{n_tokens:,}", batch=batch, bptt=bptt), icon=":material/warning:")
st.caption(t("page4.plan", runs=len(specs), steps=f"{steps_per_epoch * epochs:,}", tokens=f"{n_tokens:,}",
             B=batch, T=bptt))

ok_data, why = cache.ptb_status()
if not ok_data:
    st.warning(t("page4.no_data", msg=ui.md_escape(why, 300)), icon=":material/folder_off:")

b1, b2, b3, _ = st.columns([1, 1, 1.3, 3])
train = b1.button(t("page4.train"), key="train", type="primary", icon=":material/play_arrow:",
                  disabled=not ok_data or steps_per_epoch < 1)
# Pressing Stop (or changing any setting) makes Streamlit rerun the page, which ends the loop below
# at its next progress update; the `finally` marks the run as stopped and its curves stay.
stop_slot = b2.empty()
stop_slot.button(t("page4.stop"), key="stop", icon=":material/stop:", disabled=not train)
if b3.button(t("page4.clear"), key="clear", icon=":material/delete:", disabled=train):
    st.session_state.pop(RUNS, None)


def new_run(spec: dict) -> dict:
    return {**spec, "status": "pending", "error": None, "step": [], "loss": [], "gnorm": [], "clipped": [],
            "skipped": [], "pstep": [], "pnorms": {}, "vstep": [], "vppl": [], "total": steps_per_epoch * epochs,
            "seconds": 0.0, "tokens_per_s": float("nan"),
            "settings": {"cell": spec["cell"], "hidden": hidden, "tokens": n_tokens, "epochs": epochs,
                         "batch": batch, "bptt": bptt, "lr": float(lr), "clip": spec["clip"], "seed": seed}}


def record(run: dict, ev: dict) -> None:
    """Append one training event to the run's curves (plain lists: cheap to keep in the session)."""
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


def curves(runs: list) -> dict:
    return {run_label(r): {"step": np.asarray(r["step"]), "loss": np.asarray(r["loss"], dtype=np.float64),
                           "grad_norm": np.asarray(r["gnorm"], dtype=np.float64),
                           "clipped": np.asarray(r["clipped"], dtype=bool),
                           "skipped": np.asarray(r["skipped"], dtype=bool),
                           "valid_step": np.asarray(r["vstep"]), "valid_ppl": np.asarray(r["vppl"], dtype=np.float64)}
            for r in runs if r["step"]}


def train_all(runs: list) -> None:
    """Run each training generator to its end, updating the progress bar and a live loss chart."""
    from gradflow import lm, optim

    bar = st.progress(0.0, text=t("page4.progress", run=run_label(runs[0]), step=0, total=runs[0]["total"]))
    live = st.empty()
    done, total = 0, sum(r["total"] for r in runs)
    last_bar = last_chart = time.perf_counter()
    try:
        for run in runs:
            s = run["settings"]
            cfg = optim.TrainConfig(
                model=lm.LMConfig(cell=s["cell"], embed=s["hidden"], hidden=s["hidden"]),
                epochs=s["epochs"], batch=s["batch"], bptt=s["bptt"], lr=s["lr"], clip=s["clip"],
                max_tokens=s["tokens"], valid_tokens=min(VALID_TOKENS, max(500, s["tokens"] // 4)),
                grad_norms_every=max(1, run["total"] // PNORM_POINTS))
            run["status"] = "running"
            for ev in optim.train(cfg, seed=s["seed"]):
                record(run, ev)
                if ev["event"] != "step":
                    continue
                done += 1
                now = time.perf_counter()
                if now - last_bar > 0.2:  # each update is also where a Stop press takes effect
                    bar.progress(min(1.0, done / total), text=t("page4.progress", run=run_label(run),
                                                                 step=ev["step"], total=run["total"]))
                    last_bar = now
                if now - last_chart > 1.5:  # a light live view; the plotly figures follow the run
                    live.line_chart(pd.DataFrame({run_label(r): pd.Series(r["loss"][-LIVE_POINTS:])
                                                  for r in runs if r["step"]}),
                                    x_label=t("fig.train.x"), y_label=t("fig.train.loss"), height=260)
                    last_chart = now
            run["status"] = "done"
        bar.progress(1.0, text=t("page4.finished"))
    except (ValueError, FileNotFoundError) as e:
        for run in runs:
            if run["status"] == "running":
                run["status"], run["error"] = "error", str(e)
        page.error(e)
    finally:
        for run in runs:  # reached on Stop too: the run keeps its curves so far
            if run["status"] == "running":
                run["status"] = "stopped"
        live.empty()


if train:
    runs = [new_run(s) for s in specs]
    st.session_state[RUNS] = runs
    train_all(runs)
    stop_slot.button(t("page4.stop"), key="stop_done", icon=":material/stop:", disabled=True)  # nothing to stop

# ---------------------------------------------------------------- results
runs = st.session_state.get(RUNS) or []
if not runs:
    st.info(t("page4.press_train"))
for r in runs:
    n = len(r["step"])
    if r["status"] == "stopped":
        st.warning(t("page4.stopped", run=run_label(r), step=n, total=r["total"]), icon=":material/stop_circle:")
    elif r["status"] == "pending":
        st.caption(t("page4.not_started", run=run_label(r)))
    skipped = int(np.sum(r["skipped"]))
    if skipped:
        st.warning(t("page4.skipped", run=run_label(r), n=skipped), icon=":material/block:")

cur = curves(runs)
if cur:
    started = [r for r in runs if r["step"]]
    for col, r in zip(st.columns(len(started)), started):
        with col:
            st.markdown(f"**{run_label(r)}**")
            loss = np.asarray(r["loss"], dtype=np.float64)
            tail = loss[-max(1, len(loss) // 10):]
            with np.errstate(over="ignore", invalid="ignore"):
                st.metric(t("page4.train_ppl"), f"{np.exp(np.nanmean(tail)):.4g}" if np.isfinite(tail).any() else "—")
            st.metric(t("page4.valid_ppl"), f"{r['vppl'][-1]:.4g}" if r["vppl"] else "—")
            frac = float(np.mean(r["clipped"])) if r["clipped"] else 0.0
            st.caption(t("page4.run_facts", steps=len(r["step"]), clipped=f"{100 * frac:.0f}",
                         tps=f"{r['tokens_per_s']:,.0f}" if np.isfinite(r["tokens_per_s"]) else "—",
                         s=ui.md_escape(", ".join(f"{k}={v}" for k, v in r["settings"].items()), 300)))

    fig = plots.fig_training_curves(cur, labels=page.labels("fig.train", ("title", "x", "loss", "ppl", "valid")),
                                    present=page.present)
    page.chart(fig, "train", csv="training_curves")
    page.caption("cap.train", r"L = -\frac{1}{N}\sum_{n}\log p(w_{n+1}\mid w_{\le n}),\qquad "
                 r"\text{perplexity} = e^{L}")

    clips = [r["clip"] for r in runs if r["clip"] is not None]
    fig = plots.fig_train_grad_norm(cur, threshold=clips[0] if clips else None,
                                    labels=page.labels("fig.tgnorm", ("title", "x", "y", "clipped", "skipped",
                                                                      "threshold")), present=page.present)
    page.chart(fig, "gnorm", csv="global_grad_norm")
    page.caption("cap.tgnorm", r"\|g\| = \sqrt{\textstyle\sum_{p}\|\nabla_p L\|^2},\qquad "
                 r"g \leftarrow g\cdot\frac{c}{\|g\|}\ \text{ if } \|g\| > c")

    pn = {run_label(r): {"step": np.asarray(r["pstep"]), "norms": {k: np.asarray(v, dtype=np.float64)
                                                                    for k, v in r["pnorms"].items()}}
          for r in runs if r["pstep"]}
    if pn:
        fig = plots.fig_param_grad_norms(pn, labels=page.labels("fig.pgnorm", ("title", "x", "y")),
                                         present=page.present)
        page.chart(fig, "pgnorm", csv="param_grad_norms")
        page.caption("cap.pgnorm", r"\|\nabla_{W_{hh}} L\| = \Big\|\sum_t \delta_t\, h_{t-1}^{\top}\Big\|_F")

with st.sidebar:
    page.settings_download()
