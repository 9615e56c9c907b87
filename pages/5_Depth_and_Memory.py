"""Page 5: depth and memory — the gradient through stacked layers, LSTM variants, an echo-state
reservoir's memory, teacher forcing.

Widgets -> DepthSettings / VariantSettings / MemorySettings / TeacherSettings -> cached experiments -> figures.
"""

import streamlit as st

from gradflow import cache, plots, ui
from gradflow.experiments.depth import (DepthSettings, MemorySettings, TeacherSettings, VariantSettings,
                                        format_ratio)
from gradflow.page_params import DEPTH as PARAMS
from gradflow.urlstate import option_label

page = ui.start("page5", PARAMS)
tr = page.t

st.title(tr("page5.title"))
st.markdown(tr("page5.intro"))
tabs = page.tabs("view")


# The chosen connection's equation beside the ratio, language-neutral (no words inside KaTeX).
SKIP_LATEX = {"none": "", "residual": r",\qquad y^{(l)} = h^{(l)} + y^{(l-1)}",
              "dense": r",\qquad u^{(l)} = [x, h^{(1)}, \dots, h^{(l-1)}]",
              "highway": r",\qquad y^{(l)} = g \odot h^{(l)} + (1 - g) \odot y^{(l-1)}"}


def widgets(keys, **disabled) -> dict:
    """Draw the widgets `keys` in one row of columns (disabled: key -> bool); returns {key: value}."""
    cols = st.columns(len(keys))
    return {k: page.widget(k, container=c, disabled=disabled.get(k, False)) for k, c in zip(keys, cols)}


def computed(settings_type, values: dict, fn, wait: str = "ui.computing"):
    """(settings, result) of a tab's cached experiment, or (None, None) with the error shown."""
    try:
        s = settings_type.from_widgets(values)
        with st.spinner(tr(wait)):
            return s, fn(s)
    except ValueError as e:
        page.error(e)
        return None, None


with tabs["depth"]:
    if tabs["depth"].open:
        v = widgets(("cell", "conn"))
        v |= widgets(("L", "H", "T", "rho"))
        v |= widgets(("ihs", "hbias", "seed"), hbias=v["conn"] != "highway")
        s, r = computed(DepthSettings, v, cache.depth_maps)
        if r is not None:
            conn = option_label("conn", s.connection, page.lang)
            m1, m2 = st.columns(2)
            m1.metric(tr("page5.ratio_plain"), format_ratio(r["ratio"]["plain"]))
            if r["with"] is not None:
                m2.metric(tr("page5.ratio_with", conn=conn), format_ratio(r["ratio"]["with"]))
            if not all(r["finite"].values()):
                st.warning(tr("page5.nonfinite"))
            maps = {tr("page5.panel_plain"): r["plain"]}
            if r["with"] is not None:
                maps[tr("page5.panel_with", conn=conn)] = r["with"]
            fig = plots.fig_depth_time(maps, labels=page.labels("fig.depth", ("title", "x", "y", "z", "zero")),
                                       present=page.present)
            page.chart(fig, "depth", csv="depth_time_gradient")
            page.caption("cap.depth", r"\frac{\|\partial L/\partial h_{T-1}^{(1)}\|}"
                                      r"{\|\partial L/\partial h_{T-1}^{(L)}\|}" + SKIP_LATEX[s.connection])
            page.how("depth")

with tabs["variants"]:
    if tabs["variants"].open:
        chosen = page.widget("vars")
        v = {"vars": chosen} | widgets(("vT", "vH", "vrho"))
        v |= widgets(("vfb", "seed", "peep0"))
        if not chosen:
            st.info(tr("page5.pick_variant"))
        else:
            s, r = computed(VariantSettings, v, cache.variant_curves)
            if r is not None:
                names = {c: option_label("vars", c, page.lang) for c in s.variants}
                bad = [names[c] for c in s.variants if not r["finite"][c]]
                if bad:
                    st.warning(tr("page5.variant_nonfinite", names=", ".join(bad)))
                fig = plots.fig_variant_norms(r["t"], {c: r["dh"][c] for c in s.variants},
                                              {c: r["dc"][c] for c in s.variants}, names,
                                              labels=page.labels("fig.variants", ("title", "x", "dh", "dc")),
                                              present=page.present)
                page.chart(fig, "variants", csv="lstm_variants_gradient")
                page.caption("cap.variants", r"i_t = \sigma(\dots + w_{ci}\odot c_{t-1}),\qquad "
                                             r"i_t = 1 - f_t:\ c_t = f_t\odot c_{t-1} + (1-f_t)\odot g_t")
                page.how("variants")

with tabs["memory"]:
    if tabs["memory"].open:
        v = widgets(("erho", "nonlin"))
        v |= widgets(("eT", "eH", "escale", "seed"))
        s, r = computed(MemorySettings, v, cache.memory_curves)
        if r is not None:
            if s.rho >= 1:
                st.info(tr("page5.rho_ge1"))
            if not r["finite"]:
                st.warning(tr("page5.memory_nonfinite"))
            fig = plots.fig_memory(r["k"], r["forward"], r["backward"], r["rho_k"], exact=r["exact"],
                                   labels=page.labels("fig.memory", ("title", "x", "y", "forward", "backward",
                                                                     "rho_exact", "rho_bound")),
                                   present=page.present)
            page.chart(fig, "memory", csv="echo_state_memory")
            page.caption("cap.memory", r"\frac{\partial h_t}{\partial x_{t-k}} = D_t W \cdots D_{t-k+1} W\, "
                                       r"D_{t-k} W_{in},\qquad \frac{\partial L}{\partial h_{t-1}} = "
                                       r"W^\top D_t \frac{\partial L}{\partial h_t},\qquad \|W\|_2 = \rho")
            page.how("memory")

with tabs["teacher"]:
    if tabs["teacher"].open:
        v = widgets(("tsteps", "tT", "tH", "tlr", "seed"))
        st.markdown(tr("page5.model"))
        s, r = computed(TeacherSettings, v, cache.teacher_runs, wait="page5.training")
        if r is not None:
            st.markdown(tr("page5.edges"))
            modes = {m: tr(f"page5.mode.{m}") for m in ("teacher", "free")}
            fig = plots.fig_cross_step({modes[m]: r["cross"][m] for m in modes},
                                       labels=page.labels("fig.cross", ("title", "x", "y", "z", "zero")),
                                       present=page.present)
            page.chart(fig, "cross", csv="teacher_forcing_cross_step")
            page.caption("cap.cross", r"\hat o_{t-1} = o_{t-1}:\ \frac{\partial L}{\partial o_{t-1}} = "
                                      r"\frac{\partial L_{t-1}}{\partial o_{t-1}} + U^\top \delta_t,\qquad "
                                      r"\hat o_{t-1} = y_{t-1}:\ \frac{\partial L}{\partial h_s} = "
                                      r"V^\top \frac{\partial L_s}{\partial o_s}")
            page.how("cross")
            curves = {tr("page5.curve.teacher"): (r["loss"]["teacher"], "blue", "solid"),
                      tr("page5.curve.teacher_free"): (r["free_loss"]["teacher"], "sky", "dot"),
                      tr("page5.curve.free"): (r["loss"]["free"], "vermillion", "solid")}
            fig = plots.fig_teacher_loss(r["step"], curves, labels=page.labels("fig.tloss", ("title", "x", "y")),
                                         present=page.present)
            page.chart(fig, "tloss", csv="teacher_forcing_loss")
            page.caption("cap.tloss")
            page.how("tloss")

with st.sidebar:
    page.settings_download()
