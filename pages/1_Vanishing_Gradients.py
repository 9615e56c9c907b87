"""Page 1: vanishing and exploding gradients through time (RNN, LSTM, GRU)."""

import numpy as np
import streamlit as st

from gradflow import cache, plots, scenario, ui
from gradflow.spectral import KINDS
from gradflow.urlstate import Param

CELLS = ("rnn", "lstm", "gru")
VIEWS = ("curves", "dw", "paths", "spectrum", "phase", "inputs", "jacobian")  # one figure a tab: a slider redraws one
PARAMS = (
    Param("cells", "multi", list(CELLS), options=CELLS, widget="pills"),
    Param("rho", "slider", 1.0, lo=0.0, hi=3.0, step=0.05, fmt="%.2f"),
    Param("kind", "choice", "orthogonal", options=KINDS),
    Param("T", "int", 100, lo=2, hi=500),
    Param("H", "int", 64, lo=2, hi=512),
    Param("nonlin", "choice", "tanh", options=("tanh", "relu", "linear"), widget="segmented"),
    Param("variant", "choice", "pytorch", options=("pytorch", "cho"), widget="segmented"),
    Param("fbias", "slider", 0.0, lo=-3.0, hi=5.0, step=0.5),
    Param("loss", "choice", "last", options=("last", "sum"), widget="segmented"),
    Param("scale", "slider", 1.0, lo=0.0, hi=10.0, step=0.1),
    Param("trunc", "int", 0, lo=0, hi=500),
    Param("inputs", "choice", "random", options=("random", "ptb", "text"), widget="radio"),
    Param("sent", "int", 0, lo=0, hi=3760, widget="number"),
    Param("text", "text", "the stock market fell sharply on monday", widget="text_input"),
    Param("weights", "choice", "random", options=("random", "trained"), widget="segmented"),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number"),
    Param("view", "choice", "curves", options=VIEWS, widget="tabs"),
    Param("jcell", "choice", "rnn", options=CELLS, widget="segmented"),
    Param("jstep", "int", 99, lo=0, hi=499),  # capped at T − 1: by default the last step
)

page = ui.start("page1", PARAMS)
t = page.t


def _model_radius(cells_now=None):
    # The first chosen cell that has a shipped model sets the starting radius.
    cells_now = cells_now or st.session_state.get("cells") or list(CELLS)
    shipped = [c for c in CELLS if c in cells_now and cache.model_path(c)] or [cache.embedding_cell("lstm")]
    return min(3.0, round(cache.own_radius(shipped[0]), 2))  # the slider ends at 3


def _on_weights_change():
    # Trained weights: the ρ slider starts at the model's own radius.
    if st.session_state.get("weights") == "trained":
        try:
            st.session_state["rho"] = _model_radius()
        except (FileNotFoundError, ValueError):
            pass


def _on_pick():
    # A click on the gradient curve opens that step's Jacobian.
    ev = st.session_state.get("fig_curves")
    pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
    if pts:
        x = pts[0].get("x")
        if isinstance(x, (int, float)) and np.isfinite(x):
            st.session_state["jstep"] = int(x)
            names = st.session_state.get("_gf_curve_cells", [])
            k = pts[0].get("curve_number")
            if isinstance(k, int) and 0 <= k < len(names):
                st.session_state["jcell"] = names[k]
            st.session_state["view"] = ui.option_label("view", "jacobian", st.session_state.get("lang", "en"))
            st.session_state["_gf_picked"] = True


# A link with weights=trained and no rho starts at the model's own radius.
if page.check.values.get("weights") == "trained" and "rho" not in page.check.values and "rho" not in st.session_state:
    try:
        st.session_state["rho"] = _model_radius(page.check.values.get("cells"))
    except (FileNotFoundError, ValueError):
        pass

# ---------------------------------------------------------------- controls
ws = {}
with st.sidebar:
    st.subheader(t("page1.controls"))
    ws["cells"] = page.widget("cells") or []
    ws["rho"] = page.widget("rho")
    ws["kind"] = page.widget("kind")
    st.markdown(f"**{t('page1.group.inputs')}**")
    ws["inputs"] = page.widget("inputs")
    ws["sent"] = page.widget("sent", disabled=ws["inputs"] != "ptb")
    ws["text"] = page.widget("text", disabled=ws["inputs"] != "text")
    ws["weights"] = page.widget("weights", on_change=_on_weights_change)
    st.markdown(f"**{t('page1.group.size')}**")
    # With a sentence, or with the trained model (which reads a sentence), T is the sentence's length.
    ws["T"] = page.widget("T", disabled=ws["inputs"] != "random" or ws["weights"] == "trained")
    ws["H"] = page.widget("H", disabled=ws["weights"] == "trained")
    ws["scale"] = page.widget("scale")
    st.markdown(f"**{t('page1.group.cells')}**")
    ws["nonlin"] = page.widget("nonlin")
    ws["variant"] = page.widget("variant")
    ws["fbias"] = page.widget("fbias", disabled=ws["weights"] == "trained")
    st.markdown(f"**{t('page1.group.loss')}**")
    ws["loss"] = page.widget("loss")
    ws["trunc"] = page.widget("trunc")
    ws["seed"] = page.widget("seed")

st.title(t("page1.title"))
st.markdown(t("page1.intro"))

cells = [c for c in CELLS if c in ws["cells"]]
if not cells:
    st.info(t("page1.no_cells"))

# ---------------------------------------------------------------- inputs
sentence, tokens = (), None
if ws["inputs"] != "random" or ws["weights"] == "trained":
    try:
        if ws["inputs"] == "text":
            if not ws["text"].strip():
                raise ValueError(t("page1.empty_text"))
            ids, tokens, notes = cache.encode(ws["text"][:5000])
            if len(ws["text"]) > 5000:
                st.info(t("page1.text_cut", n=5000))
            for n in notes:
                st.caption(ui.md_escape(n, 300))
        else:
            ids, tokens = cache.ptb_sentence(ws["sent"] if ws["inputs"] == "ptb" else 0)
        sentence = tuple(ids[:500])  # T is at most 500, like the slider
        if len(ids) > 500:
            st.info(t("page1.tokens_cut", n=f"{len(ids):,}", T=500))
        tokens = tokens[: len(sentence)]
        if ws["weights"] == "trained":
            missing = [c for c in cells if cache.model_path(c) is None]
            kept = [c for c in cells if c not in missing]
            if not kept:
                raise FileNotFoundError(t("page1.no_model", cells=", ".join(c.upper() for c in missing)))
            if missing:
                st.warning(t("page1.no_model", cells=", ".join(c.upper() for c in missing)))
            for c in kept:
                cache.ptb_model(c)
            cells = kept
        else:
            cache.ptb_model(cache.embedding_cell(cells[0] if cells else "lstm"))
    except (FileNotFoundError, ValueError) as e:
        page.error(e)
        st.info(t("page1.fallback_random"))
        sentence, tokens = (), None
        ws["weights"] = "random"

if ws["weights"] == "trained" and sentence:
    sizes = {c: cache.model_sizes(c) for c in cells}
    st.caption(t("page1.trained_note", sizes=", ".join(f"{c.upper()}: D={d}, H={h}" for c, (d, h) in sizes.items()),
                 radius=", ".join(f"{c.upper()} {cache.own_radius(c):.3f}" for c in cells)))
T_req = len(sentence) if sentence else ws["T"]
H_of = {c: (cache.model_sizes(c)[1] if ws["weights"] == "trained" and sentence else ws["H"]) for c in cells}
T_eff = min(scenario.capped_T(T_req, H_of[c], len(cells)) for c in cells) if cells else T_req
if T_eff < T_req:
    st.info(t("page1.limit", T=T_eff, budget=f"{scenario.BUDGET_MAIN:,}"))
    sentence = sentence[:T_eff]
    tokens = tokens[:T_eff] if tokens else tokens


def setup(cell):
    return scenario.Setup(cell=cell, T=T_eff, H=H_of[cell], rho=float(ws["rho"]), kind=ws["kind"],
                          nonlin=ws["nonlin"], variant=ws["variant"], fbias=float(ws["fbias"]), loss=ws["loss"],
                          scale=float(ws["scale"]), trunc=int(ws["trunc"]), seed=int(ws["seed"]))


summ = {}
try:
    for c in cells:
        summ[c] = cache.summary(setup(c), ws["weights"], sentence)
except (ValueError, FileNotFoundError) as e:
    page.error(e)
    summ = {}

for c, s in summ.items():
    if not s["finite"]:
        st.warning(t(f"page1.overflow_{s['where'] or 'backward'}", cell=c.upper(), t=s["first_nonfinite"]),
                   icon=":material/warning:")

trunc = int(ws["trunc"]) or None
steps = np.arange(T_eff)
labels_curve = page.labels("fig.curves", ("title", "x", "y", "overflow"))
tabs = page.tabs("view")

with tabs["curves"]:
    if tabs["curves"].open and summ:
        theory = {}
        first = summ[cells[0]]
        th = scenario.theory(first, float(ws["rho"]))
        if "rho" in th:
            theory[t("fig.curves.theory_rho")] = th["rho"]
        if "rnn" in summ:
            thr = scenario.theory(summ["rnn"], float(ws["rho"]), cache.sigma_max(setup("rnn"), ws["weights"], sentence))
            if "pascanu" in thr:
                theory[t("fig.curves.theory_pascanu")] = thr["pascanu"]
        st.session_state["_gf_curve_cells"] = list(summ)
        fig = plots.fig_gradient_norm(steps, {c: s["dh"] for c, s in summ.items()}, theory=theory, truncate=trunc,
                                      overflow={c: s["first_nonfinite"] for c, s in summ.items()},
                                      labels=labels_curve, present=page.present)
        page.chart(fig, "curves", csv="gradient_norm", on_select=_on_pick)
        page.caption("cap.curves", r"\left\|\frac{\partial L}{\partial h_t}\right\| \le "
                     r"\prod_{s=t+1}^{T-1}\left\|\operatorname{diag}(f'(a_s))\,W_h\right\| "
                     r"\le (\gamma\,\sigma_{\max})^{T-1-t},\qquad \|W_h^k\|\sim\rho^k")

with tabs["dw"]:
    if tabs["dw"].open and summ:
        fig = plots.fig_dw_contrib(steps, {c: s["dW"] for c, s in summ.items()}, truncate=trunc,
                                   labels=page.labels("fig.dw", ("title", "x", "y")), present=page.present)
        page.chart(fig, "dw", csv="dW_contrib")
        page.caption("cap.dw", r"\frac{\partial L}{\partial W_h} = \sum_t \delta_t\, h_{t-1}^{\top},"
                     r"\qquad \text{plotted: } \|\delta_t\, h_{t-1}^{\top}\|_F")

with tabs["paths"]:
    if tabs["paths"].open:
        if "lstm" in summ:
            s = summ["lstm"]
            fig = plots.fig_lstm_paths(steps, s["dc"], s["prodf"], s["via_cell"], s["via_hidden"], truncate=trunc,
                                       labels=page.labels("fig.paths", ("title", "x", "y", "dc", "prodf", "cell",
                                                                        "hidden")), present=page.present)
            page.chart(fig, "paths", csv="lstm_paths")
            page.caption("cap.paths", r"\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t)"
                         r"\;\Rightarrow\; \frac{\partial L}{\partial c_t} \approx "
                         r"\frac{\partial L}{\partial c_{T-1}} \odot \prod_{s=t+1}^{T-1} f_s")
        else:
            st.info(t("page1.need_lstm"))

with tabs["spectrum"]:
    if tabs["spectrum"].open and summ:
        spec = {c: cache.spectrum(setup(c), ws["weights"], sentence) for c in summ}
        eigs = {k: v for s in spec.values() for k, v in s["eig"].items()}
        fig = plots.fig_eigenvalues(eigs, float(ws["rho"]), labels=page.labels("fig.eig", ("title", "x", "y", "unit",
                                                                                           "rho")), present=page.present)
        page.chart(fig, "eig", csv="eigenvalues")
        for c, s in spec.items():
            c0, c1, c2, c3 = st.columns([1, 2, 2, 2])
            c0.markdown(f"**{c.upper()}**")
            c1.metric(t("readout.rho"), f"{s['rho_meas']:.3f}")
            c2.metric(t("readout.sigma"), f"{s['sigma_max']:.3f}")
            rate = summ[c]["rate"]
            c3.metric(t("readout.rate"), "—" if not np.isfinite(rate) else f"{rate:.3f}")
        page.caption("cap.eig", r"\rho(W_h) = \max_i |\lambda_i|,\qquad \sigma_{\max} = \|W_h\|_2 \ge \rho,"
                     r"\qquad \text{rate} = \exp\big(\text{slope of } \log\|\partial L/\partial h_{T-1-k}\|\big)")
        powers = {k: v for s in spec.values() for k, v in s["powers"].items()}
        if powers:
            K = len(next(iter(powers.values())))
            fig = plots.fig_power_norms(np.arange(K), powers, float(ws["rho"]),
                                        labels=page.labels("fig.pow", ("title", "x", "y", "rho")), present=page.present)
            page.chart(fig, "powers", csv="matrix_power_norms")
            page.caption("cap.pow", r"\|W^k\|_2 \le \sigma_{\max}^k,\qquad "
                         r"\lim_{k\to\infty}\|W^k\|^{1/k} = \rho")
        else:
            st.caption(t("page1.powers_limit", H=scenario.POWERS_MAX_H))

with tabs["phase"]:
    if tabs["phase"].open and cells:
        try:
            maps, info = {}, None
            for c in cells:
                rhos, ks, Z, info = cache.phase_map(setup(c))
                maps[c] = Z
            fig = plots.fig_phase_map(rhos, ks, maps, current=(float(ws["rho"]), min(T_eff, info["T"]) - 1),
                                      labels=page.labels("fig.phase", ("title", "x", "y", "z")), present=page.present)
            page.chart(fig, "phase", csv="phase_map")
            page.caption("cap.phase")
            st.caption(t("page1.phase_sizes", T=info["T"], H=info["H"]))
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
        else:
            st.info(t("page1.need_ptb"))

with tabs["jacobian"]:
    if tabs["jacobian"].open and summ:
        jc = page.widget("jcell")
        if jc not in summ:
            if jc != page.params["jcell"].default:  # a cell that was picked, not just the default
                st.info(t("page1.jcell_missing", cell=str(jc).upper(), shown=cells[0].upper()))
            jc = cells[0]
        jstep = page.widget("jstep")
        jt = min(jstep, T_eff - 1)
        if jt < jstep != page.params["jstep"].default:  # the default means "the last step"
            st.info(t("page1.jstep_capped", step=jstep, t=jt))
        if st.session_state.pop("_gf_picked", False):
            # Values set by a click reach the URL when assigned once more, on the next run (see ui).
            ui.sync_later({k: st.session_state[k] for k in ("view", "jcell", "jstep")})
        try:
            jp = cache.jacobian(setup(jc), jt, ws["weights"], sentence)
            lab = page.labels("fig.jac", ("title", "J", "sv", "factors", "product", "x", "unit", "step_norm",
                                          "running"))
            lab["title"] = t("fig.jac.title", cell=jc.upper(), t=jp["t"])
            per_step = jp["step_norms"] if jp["step_norms"] is not None else np.full(T_eff, np.nan)
            running = np.full(T_eff, np.nan)
            ks = jp["ks"]
            running[jp["t"] - ks + 1] = jp["running"]
            fig = plots.fig_step_jacobian(jp["J"], jp["sv"], jp["factors"], steps, running, per_step, jp["t"],
                                          labels=lab, present=page.present)
            page.chart(fig, "jacobian", csv="step_jacobian")
            if jp["step_norms"] is None:
                st.caption(t("page1.jac_limit"))
            page.caption("cap.jac", r"J_t = \frac{\partial h_t}{\partial h_{t-1}} = "
                         r"\operatorname{diag}\big(f'(a_t)\big)\,W_h \;\;(\text{RNN}),\qquad "
                         r"\Big\|\prod_{s=t-k+1}^{t} J_s\Big\|_2")
        except ValueError as e:
            page.error(e)

with st.sidebar:
    page.settings_download()
