"""Page 4: train a small language model on a slice of PTB, live, and compare two runs.

The page draws; gradflow.experiments.training decides (settings, step
arithmetic, run records) and gradflow.trainer trains.
"""

import time

import numpy as np
import streamlit as st

from gradflow import cache, plots, trainer, ui
from gradflow.experiments import training
from gradflow.page_params import TRAINING as PARAMS

RUNS = "_gf_p4_runs"  # session key: the runs of the last Train press
LIVE_POINTS = 500  # steps shown by the live chart during a run

page = ui.start("page4", PARAMS)
tr = page.t

# ---------------------------------------------------------------- controls
with st.sidebar:
    st.subheader(tr("page4.group.run"))
    compare = page.widget("compare")
    page.widget("cell", disabled=compare == "cell")
    clip_on = page.widget("clip", disabled=compare == "clip")
    page.widget("threshold", disabled=not clip_on and compare != "clip")
    page.widget("lr")
    st.subheader(tr("page4.group.size"))
    for key in ("hidden", "tokens", "epochs", "batch", "bptt", "seed"):
        page.widget(key)

settings = training.TrainingSettings.from_widgets(page.values)
plan = training.plan(settings)
specs = training.runs(settings)

st.title(tr("page4.title"))
st.markdown(tr("page4.intro"))


def run_label(run: dict) -> str:
    return tr(run["label"], **run["fmt"])


if plan.limited:
    st.info(tr("page4.limit", steps=f"{training.MAX_STEPS:,}", tokens=f"{plan.tokens:,}"))
if not plan.ok:  # refused here, before any step: nothing would be trained
    key, fmt = plan.problem
    st.warning(tr(key, **fmt), icon=":material/warning:")
st.caption(tr("page4.plan", runs=len(specs), steps=f"{plan.steps:,}", tokens=f"{plan.tokens:,}",
             B=settings.batch, T=settings.bptt))

ok_data, why = cache.ptb_status()
if not ok_data:
    st.warning(tr("page4.no_data", msg=ui.md_escape(why, 300)), icon=":material/folder_off:")

b1, b2, b3, _ = st.columns([1, 1, 1.3, 3])
train = b1.button(tr("page4.train"), key="train", type="primary", icon=":material/play_arrow:",
                  disabled=not ok_data or not plan.ok)
# Pressing Stop (or changing any setting) makes Streamlit rerun the page, which ends the loop below
# at its next progress update; the `finally` marks the run as stopped and its curves stay.
stop_slot = b2.empty()
stop_slot.button(tr("page4.stop"), key="stop", icon=":material/stop:", disabled=not train)
if b3.button(tr("page4.clear"), key="clear", icon=":material/delete:", disabled=train):
    st.session_state.pop(RUNS, None)


def draw_live(live, runs: list, n: int) -> None:
    """The live loss chart: the latest LIVE_POINTS losses of every run (redrawn every few seconds)."""
    losses, start = training.live_losses(runs, run_label, LIVE_POINTS)
    fig = plots.fig_live_loss(losses, start=start, labels=page.labels("fig.live", ("title", "x", "y")),
                              present=page.present)
    live.plotly_chart(fig, key=f"live_{n}", theme=None, config=plots.plotly_config("live_loss", page.img,
                                                                                     page.present))


def train_all(runs: list) -> None:
    """Run each training generator to its end, updating the progress bar and a live loss chart."""
    bar = st.progress(0.0, text=tr("page4.progress", run=run_label(runs[0]), step=0, total=runs[0]["total"]))
    live = st.empty()
    done, total, redraws = 0, sum(r["total"] for r in runs), 0
    last_bar = last_chart = time.perf_counter()
    try:
        for run in runs:
            s = run["settings"]
            cfg = training.to_train_config(s)
            run["status"] = "running"
            window = cache.probe_window(s.bptt)
            for ev in trainer.train(cfg, seed=s.seed):
                training.record(run, ev, window)
                if ev["event"] != "step":
                    continue
                done += 1
                now = time.perf_counter()
                if now - last_bar > 0.2:  # each update is also where a Stop press takes effect
                    bar.progress(min(1.0, done / total), text=tr("page4.progress", run=run_label(run),
                                                                 step=ev["step"], total=run["total"]))
                    last_bar = now
                if now - last_chart > 1.5:  # a light live view; the full figures follow the run
                    redraws += 1
                    draw_live(live, runs, redraws)
                    last_chart = now
            run["status"] = "done"
        bar.progress(1.0, text=tr("page4.finished"))
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
    runs = [training.new_run(s) for s in specs]
    st.session_state[RUNS] = runs
    train_all(runs)
    stop_slot.button(tr("page4.stop"), key="stop_done", icon=":material/stop:", disabled=True)  # nothing to stop

# ---------------------------------------------------------------- results
runs = st.session_state.get(RUNS) or []
if not runs:
    st.info(tr("page4.press_train"))
for r in runs:
    n = len(r["step"])
    if r["status"] == "stopped":
        st.warning(tr("page4.stopped", run=run_label(r), step=n, total=r["total"]), icon=":material/stop_circle:")
    elif r["status"] == "pending":
        st.caption(tr("page4.not_started", run=run_label(r)))
    skipped = int(np.sum(r["skipped"]))
    if skipped:
        st.warning(tr("page4.skipped", run=run_label(r), n=skipped), icon=":material/block:")

cur = training.curves(runs, run_label)
if cur:
    started = [r for r in runs if r["step"]]
    for col, r in zip(st.columns(len(started)), started):
        with col:
            st.markdown(f"**{run_label(r)}**")
            ppl = training.train_perplexity(r)
            st.metric(tr("page4.train_ppl"), "—" if np.isnan(ppl) else f"{ppl:.4g}")
            st.metric(tr("page4.valid_ppl"), f"{r['vppl'][-1]:.4g}" if r["vppl"] else "—")
            st.caption(tr("page4.run_facts", steps=len(r["step"]), clipped=f"{100 * training.clipped_fraction(r):.0f}",
                         tps=f"{r['tokens_per_s']:,.0f}" if np.isfinite(r["tokens_per_s"]) else "—",
                         s=ui.md_escape(r["settings"].describe(), 300)))

    fig = plots.fig_training_curves(cur, labels=page.labels("fig.train", ("title", "x", "loss", "ppl", "valid")),
                                    present=page.present)
    page.chart(fig, "train", csv="training_curves")
    page.caption("cap.train", r"L = -\frac{1}{N}\sum_{n}\log p(w_{n+1}\mid w_{\le n}),\qquad "
                 r"\text{perplexity} = e^{L}")
    page.how("train")

    clips = [r["clip"] for r in runs if r["clip"] is not None]
    fig = plots.fig_train_grad_norm(cur, threshold=clips[0] if clips else None,
                                    labels=page.labels("fig.tgnorm", ("title", "x", "y", "clipped", "skipped",
                                                                      "threshold")), present=page.present)
    page.chart(fig, "gnorm", csv="global_grad_norm")
    page.caption("cap.tgnorm", r"\|g\| = \sqrt{\textstyle\sum_{p}\|\nabla_p L\|^2},\qquad "
                 r"g \leftarrow g\cdot\frac{c}{\|g\|}\ \text{ if } \|g\| > c")
    page.how("tgnorm")
    for r in runs:  # the share of clipped steps of each run, computed from that run (the caption claims none)
        if r["clip"] is not None and r["step"]:
            st.caption(tr("page4.clipped_share", label=run_label(r), n=len(r["step"]), c=f"{r['clip']:g}",
                          pct=f"{100 * training.clipped_fraction(r):.0f}"))

    flows = training.flow_over_training(runs, run_label)
    if flows:
        fig = plots.fig_flow_over_training(flows, labels=page.labels("fig.flowtrain", ("title", "x", "y", "z")),
                                           present=page.present)
        page.chart(fig, "flowtrain", csv="gradient_flow_over_training")
        page.caption("cap.flowtrain", r"\log_{10}\Big\|\frac{\partial L_{T}}{\partial h_{T-1-k}}\Big\|"
                     r"\ \text{at training step } n")
        page.how("flowtrain")

    pn = training.param_norm_curves(runs, run_label)
    if pn:
        fig = plots.fig_param_grad_norms(pn, labels=page.labels("fig.pgnorm", ("title", "x", "y")),
                                         present=page.present)
        page.chart(fig, "pgnorm", csv="param_grad_norms")
        page.caption("cap.pgnorm", r"\|\nabla_{W_{hh}} L\| = \Big\|\sum_t \delta_t\, h_{t-1}^{\top}\Big\|_F")
        page.how("pgnorm")

with st.sidebar:
    page.settings_download()
