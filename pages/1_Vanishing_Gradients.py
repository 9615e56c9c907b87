"""Page 1: vanishing and exploding gradients through time (RNN, LSTM, GRU).

Widgets -> VanishingSettings -> one FlowSettings per cell -> cached runs -> figures.
"""

import numpy as np
import streamlit as st

from gradflow import cache, plots, ui
from gradflow.experiments import shipped
from gradflow.experiments.flow import POWERS_MAX_H
from gradflow.experiments.vanishing import BUDGET_MAIN, MAX_T, TEXT_MAX, VanishingSettings, run_sizes
from gradflow.page_params import VANISHING as PARAMS

PARAMS_BY_KEY = {p.key: p for p in PARAMS}
GRAPH_LABELS = ("title", "x", "x_hidden", "z", "z_c", "lane_x", "lane_h", "lane_c", "lane_loss", "edge", "edge_state",
                "edge_c", "edge_none", "cut", "zero", "hidden", "readout", "readout_noprod", "readout_c", "play",
                "pause", "step")

page = ui.start("page1", PARAMS)
tr = page.t


# ---------------------------------------------------------------- controls
ws = {}
with st.sidebar:
    st.subheader(tr("page1.controls"))
    ws["cells"] = page.widget("cells") or []
    ws["rho"] = page.widget("rho", disabled=st.session_state.get("weights") == "trained")
    ws["kind"] = page.widget("kind")
    st.markdown(f"**{tr('page1.group.inputs')}**")
    ws["inputs"] = page.widget("inputs")
    ws["sent"] = page.widget("sent", disabled=ws["inputs"] != "ptb")
    ws["text"] = page.widget("text", disabled=ws["inputs"] != "text")
    ws["weights"] = page.widget("weights")
    ws["wscale"] = page.widget("wscale", disabled=ws["weights"] != "trained")
    st.markdown(f"**{tr('page1.group.size')}**")
    # With a sentence, or with the trained model (which reads a sentence), T is the sentence's length.
    ws["T"] = page.widget("T", disabled=ws["inputs"] != "random" or ws["weights"] == "trained")
    ws["H"] = page.widget("H", disabled=ws["weights"] == "trained")
    ws["scale"] = page.widget("scale")
    st.markdown(f"**{tr('page1.group.cells')}**")
    ws["nonlin"] = page.widget("nonlin")
    ws["variant"] = page.widget("variant")
    ws["fbias"] = page.widget("fbias", disabled=ws["weights"] == "trained" or ws["cells"] == ["rnn"])
    st.markdown(f"**{tr('page1.group.loss')}**")
    ws["loss"] = page.widget("loss")
    ws["up"] = page.widget("up")
    ws["trunc"] = page.widget("trunc")
    ws["seed"] = page.widget("seed")

st.title(tr("page1.title"))
st.markdown(tr("page1.intro"))

settings = VanishingSettings.from_widgets(ws)
cells = settings.cells
if not cells:
    st.info(tr("page1.no_cells"))

# ---------------------------------------------------------------- inputs
sentence, tokens, weights = (), None, settings.weights
if settings.reads_sentence:
    try:
        if settings.inputs == "text":
            if not settings.text.strip():
                raise ValueError(tr("page1.empty_text"))
            ids, tokens, notes = cache.encode(settings.text[:TEXT_MAX])
            if len(settings.text) > TEXT_MAX:
                st.info(tr("page1.text_cut", n=TEXT_MAX))
            for n in notes:
                st.caption(ui.md_escape(n, 300))
        else:
            ids, tokens = cache.ptb_sentence(settings.sentence_index if settings.inputs == "ptb" else 0)
        sentence = tuple(ids[:MAX_T])
        if len(ids) > MAX_T:
            st.info(tr("page1.tokens_cut", n=f"{len(ids):,}", T=MAX_T))
        tokens = tokens[: len(sentence)]
        if weights == "trained":
            missing = [c for c in cells if shipped.model_path(c) is None]
            kept = tuple(c for c in cells if c not in missing)
            if not kept:
                raise FileNotFoundError(tr("page1.no_model", cells=", ".join(c.upper() for c in missing)))
            if missing:
                st.warning(tr("page1.no_model", cells=", ".join(c.upper() for c in missing)))
            cells = kept
        for c in cells:
            cache.ptb_model(shipped.model_cell(c, weights))  # FileNotFoundError/ValueError here, not mid-page
    except (FileNotFoundError, ValueError) as e:
        page.error(e)
        st.info(tr("page1.fallback_random"))
        sentence, tokens, weights = (), None, "random"

trained = weights == "trained" and bool(sentence)
own = {c: cache.own_radius(c) for c in cells} if trained else {}
if trained:
    sizes = {c: cache.model_sizes(c) for c in cells}
    st.caption(tr("page1.trained_note", sizes=", ".join(f"{c.upper()}: D={d}, H={h}" for c, (d, h) in sizes.items()),
                  radius=", ".join(f"{c.upper()} {own[c]:.3f}" for c in cells), scale=f"{settings.weight_scale:.2f}"))
T_eff, H_of = run_sizes(settings, cells, len(sentence), {c: cache.model_sizes(c)[1] for c in cells} if trained else {})
if T_eff < (len(sentence) or settings.T):
    st.info(tr("page1.limit", T=T_eff, budget=f"{BUDGET_MAIN:,}"))
sentence, tokens = sentence[:T_eff], (tokens[:T_eff] if tokens else tokens)
runs = {c: settings.for_cell(c, T_eff, H_of[c], sentence, own.get(c)) for c in cells}  # cell -> FlowSettings

summ = {}
try:
    with st.spinner(tr("ui.computing")):  # shown when a run is not cached yet
        summ = {c: cache.summary(r) for c, r in runs.items()}
except (ValueError, FileNotFoundError) as e:
    page.error(e)

for c, s in summ.items():
    if not s["finite"]:
        st.warning(tr(f"page1.overflow_{s['where'] or 'backward'}", cell=c.upper(), t=s["first_nonfinite"]),
                   icon=":material/warning:")

trunc = settings.truncate
steps = np.arange(T_eff)
labels_curve = page.labels("fig.curves", ("title", "x", "y", "overflow"))
# The step in focus (a click on the graph or the curve; jstep is in the URL) is marked on the curves too.
kept_step = st.session_state.get("jstep", PARAMS_BY_KEY["jstep"].default)
focus_step = kept_step if kept_step != PARAMS_BY_KEY["jstep"].default and 0 <= kept_step < T_eff else None
tabs = page.tabs("view")

with tabs["graph"]:
    if tabs["graph"].open and summ:
        gc = st.session_state.get("jcell", "rnn")
        gc = gc if gc in summ else cells[0]  # the graph shows the cell in focus (jcell), else the first drawn
        st.session_state["_gf_curve_T"] = T_eff
        # drawn below the chart, so read first: its kept value, else the link's, else the default
        kept = {k: st.session_state.get(k, page.check.values.get(k, PARAMS_BY_KEY[k].default))
                for k in ("frame", "bidir", "pos")}
        frame, bidir = kept["frame"], bool(kept["bidir"])
        if bidir and runs[gc].weights != "random":
            st.info(tr("cap.graph_bidir_trained"))
            bidir = False
        with st.spinner(tr("ui.computing")):
            gd = (cache.graph_bidir(runs[gc], -1 if kept["pos"] < 0 else min(kept["pos"], T_eff - 1)) if bidir
                  else cache.graph(runs[gc]))
        labels = {**page.labels("fig.graph", GRAPH_LABELS),
                  **page.labels("fig.graph", ("title_bidir", "lane_f", "lane_b", "lane_loss_p", "edge_bidir",
                                              "edge_bidir_state", "readout_bidir", "step_bidir"))}
        labels["title"] = f"{gc.upper()} · {labels['title']}"
        labels["title_bidir"] = f"{gc.upper()} · {labels['title_bidir']}"
        fig = plots.fig_unrolled_graph(gd, frame=None if frame < 0 else min(frame, len(gd["steps"]) - 1),
                                       labels=labels, present=page.present)
        # a click opens a step's Jacobian of the one-directional run: not offered for the two chains
        page.chart(fig, "graph_bidir" if bidir else "graph", csv="unrolled_graph" + ("_bidirectional" if bidir else ""),
                   on_select=None if bidir else ui.open_picked_node)
        col_frame, col_bidir, col_pos = st.columns([2, 1, 1], vertical_alignment="bottom")
        page.widget("frame", container=col_frame)  # below the chart: where the animation opens (a link keeps it)
        page.widget("bidir", container=col_bidir)
        page.widget("pos", container=col_pos, disabled=not bidir)
        if bidir:
            page.caption("cap.graph_bidir")
        else:
            page.caption("cap.graph")
        page.how("graph")

with tabs["curves"]:
    if tabs["curves"].open and summ:
        theory = {tr(f"fig.curves.theory_{k}", cell=c.upper()): v for c in summ for k, v in cache.theory(runs[c]).items()}
        st.session_state["_gf_curve_cells"], st.session_state["_gf_curve_T"] = list(summ), T_eff
        fig = plots.fig_gradient_norm(steps, {c: s["dh"] for c, s in summ.items()}, theory=theory, truncate=trunc,
                                      overflow={c: s["first_nonfinite"] for c, s in summ.items()},
                                      selected=focus_step, labels=labels_curve, present=page.present)
        page.chart(fig, "curves", csv="gradient_norm", on_select=ui.open_picked_jacobian)
        page.caption("cap.curves", r"\left\|\frac{\partial L}{\partial h_t}\right\| \le "
                     r"\prod_{s=t+1}^{T-1}\left\|\operatorname{diag}(f'(a_s))\,W_h\right\| "
                     r"\le (\gamma\,\sigma_{\max})^{T-1-t},\qquad \|W_h^k\|\sim\rho^k")
        page.how("curves")

with tabs["dw"]:
    if tabs["dw"].open and summ:
        fig = plots.fig_dw_contrib(steps, {c: s["dW"] for c, s in summ.items()}, truncate=trunc, selected=focus_step,
                                   labels=page.labels("fig.dw", ("title", "x", "y")), present=page.present)
        page.chart(fig, "dw", csv="dW_contrib")
        page.caption("cap.dw", r"\frac{\partial L}{\partial W_h} = \sum_t \delta_t\, h_{t-1}^{\top},"
                     r"\qquad \text{plotted: } \|\delta_t\, h_{t-1}^{\top}\|_F")
        page.how("dw")

with tabs["paths"]:
    if tabs["paths"].open:
        if "lstm" in summ:
            s = summ["lstm"]
            lab = page.labels("fig.paths", ("title", "x", "y", "dc", "prodf"))
            lab.update(cell=tr("fig.paths.carried"), hidden=tr("fig.paths.injected"))
            fig = plots.fig_lstm_paths(steps, s["dc"], s["prodf"], s["carried"], s["injected"], truncate=trunc,
                                       labels=lab, present=page.present)
            page.chart(fig, "paths", csv="lstm_paths")
            page.caption("cap.paths", r"\frac{\partial L}{\partial c_t} = f_{t+1}\odot\frac{\partial L}{\partial c_{t+1}}"
                         r" + \underbrace{\frac{\partial L}{\partial h_t}\odot o_t\odot\tanh'(c_t)}_{\text{injected at } t}"
                         r"\;=\; \underbrace{\Big(\prod_{s=t+1}^{T-1} f_s\Big)\odot\frac{\partial L}{\partial c_{T-1}}}"
                         r"_{\text{carried}} + \text{injected}")
            page.how("paths")
        else:
            st.info(tr("page1.need_lstm"))

with tabs["spectrum"]:
    if tabs["spectrum"].open and summ:
        with st.spinner(tr("ui.computing")):
            spec = {c: cache.spectrum(runs[c]) for c in summ}
        eigs = {k: v for s in spec.values() for k, v in s["eig"].items()}
        fig = plots.fig_eigenvalues(eigs, settings.rho, labels=page.labels("fig.eig", ("title", "x", "y", "unit",
                                                                                           "rho")), present=page.present)
        page.chart(fig, "eig", csv="eigenvalues")
        for c, s in spec.items():
            c0, c1, c2, c3 = st.columns([1, 2, 2, 2])
            c0.markdown(f"**{c.upper()}**")
            c1.metric(tr("readout.rho"), f"{s['rho_meas']:.3f}")
            c2.metric(tr("readout.sigma"), f"{s['sigma_max']:.3f}")
            rate = summ[c]["rate"]
            c3.metric(tr("readout.rate"), "—" if not np.isfinite(rate) else f"{rate:.3f}")
        page.caption("cap.eig", r"\rho(W_h) = \max_i |\lambda_i|,\qquad \sigma_{\max} = \|W_h\|_2 \ge \rho,"
                     r"\qquad \text{rate} = \exp\big(\text{slope of } \log\|\partial L/\partial h_{T-1-k}\|\big)")
        page.how("eig")
        powers = {k: v for s in spec.values() for k, v in s["powers"].items()}
        if powers:
            K = len(next(iter(powers.values())))
            fig = plots.fig_power_norms(np.arange(K), powers, settings.rho,
                                        labels=page.labels("fig.pow", ("title", "x", "y", "rho")), present=page.present)
            page.chart(fig, "powers", csv="matrix_power_norms")
            page.caption("cap.pow", r"\|W^k\|_2 \le \sigma_{\max}^k,\qquad "
                         r"\lim_{k\to\infty}\|W^k\|^{1/k} = \rho")
            page.how("pow")
        else:
            st.caption(tr("page1.powers_limit", H=POWERS_MAX_H))

with tabs["phase"]:
    if tabs["phase"].open and cells:
        try:
            maps, info = {}, None
            for c in cells:
                with st.spinner(tr("ui.computing")):
                    rhos, ks, Z, info = cache.phase_map(runs[c])
                maps[c] = Z
            fig = plots.fig_phase_map(rhos, ks, maps, current=(settings.rho, min(T_eff, info["T"]) - 1),
                                      labels=page.labels("fig.phase", ("title", "x", "y", "z")), present=page.present)
            page.chart(fig, "phase", csv="phase_map")
            page.caption("cap.phase")
            page.how("phase")
            st.caption(tr("page1.phase_sizes", T=info["T"], H=info["H"]))
        except ValueError as e:
            page.error(e)

with tabs["inputs"]:
    if tabs["inputs"].open:
        if tokens and summ:
            fig = plots.fig_attribution(tokens, {c: s["dx"] for c, s in summ.items()},
                                        labels=page.labels("fig.attr", ("title", "x", "y")), present=page.present)
            page.chart(fig, "attr", csv="input_attribution")
            page.caption("cap.attr", r"\left\|\frac{\partial L}{\partial x_t}\right\| = "
                         r"\left\|W_{ih}^{\top}\,\delta_t\right\|")
            page.how("attr")
        else:
            st.info(tr("page1.need_ptb"))

with tabs["jacobian"]:
    if tabs["jacobian"].open and summ:
        jc = page.widget("jcell")
        if jc not in summ:
            if jc != page.params["jcell"].default:  # a cell that was picked, not just the default
                st.info(tr("page1.jcell_missing", cell=str(jc).upper(), shown=cells[0].upper()))
            jc = cells[0]
        jstep = page.widget("jstep")
        jt = min(jstep, T_eff - 1)
        if jt < jstep != page.params["jstep"].default:  # the default means "the last step"
            st.info(tr("page1.jstep_capped", step=jstep, t=jt))
        if st.session_state.pop("_gf_picked", False):
            # Values set by a click reach the URL when assigned once more, on the next run (see ui).
            ui.sync_later({k: st.session_state[k] for k in ("view", "jcell", "jstep")})
        try:
            with st.spinner(tr("ui.computing")):
                jp = cache.jacobian(runs[jc], jt)
            lab = page.labels("fig.jac", ("title", "J", "sv", "factors", "product", "x", "unit", "step_norm",
                                          "running"))
            lab["title"] = tr("fig.jac.title_lstm" if jc == "lstm" else "fig.jac.title", cell=jc.upper(), t=jp["t"])
            if jc == "lstm":
                lab["J"] = tr("fig.jac.J_lstm")
            fig = plots.fig_step_jacobian(jp["J"], jp["sv"], jp["factors"], steps, jp["running"], jp["step_norms"],
                                          jp["t"], labels=lab, present=page.present)
            page.chart(fig, "jacobian", csv="step_jacobian")
            if not jp["all_steps"]:
                st.caption(tr("page1.jac_limit"))
            page.caption("cap.jac", r"J_t = \frac{\partial h_t}{\partial h_{t-1}} = "
                         r"\operatorname{diag}\big(f'(a_t)\big)\,W_h \;(\text{RNN}),\quad "
                         r"J_t = \frac{\partial (h_t, c_t)}{\partial (h_{t-1}, c_{t-1})} \;(\text{LSTM}),\quad "
                         r"\lambda_{t-1} = J_t^{\top}\lambda_t")
            page.how("jac")
        except ValueError as e:
            page.error(e)

with st.sidebar:
    page.settings_download()
