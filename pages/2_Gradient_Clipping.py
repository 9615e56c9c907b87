"""Page 2: gradient clipping — per-parameter norms, PTB norm histogram, Pascanu's cliff.

Widgets -> ClipSettings / CliffSettings -> cached experiments -> figures.
"""

import numpy as np
import streamlit as st

from gradflow import cache, plots, ui
from gradflow.experiments.clipping import ClipSettings, CliffSettings, finite_or_dash, histogram_stats
from gradflow.page_params import CLIPPING as PARAMS


page = ui.start("page2", PARAMS)
tr = page.t

with st.sidebar:
    st.subheader(tr("page2.controls"))
    method = page.widget("method")
    threshold = page.widget("threshold", disabled=method == "none")

st.title(tr("page2.title"))
st.markdown(tr("page2.intro"))
tabs = page.tabs("view")

with tabs["clip"]:
    if tabs["clip"].open:
        c1, c2 = st.columns(2)  # segmented controls need the width of two columns
        c3, c4, c5 = st.columns(3)
        cell = page.widget("cell", container=c1)
        nonlin = page.widget("nonlin", container=c2, disabled=cell != "rnn")
        rho = page.widget("rho", container=c3)
        T = page.widget("T", container=c4)
        seed = page.widget("seed", container=c5)
        try:
            with st.spinner(tr("ui.computing")):
                r = cache.clip_case(ClipSettings(cell=cell, rho=float(rho), T=int(T), seed=int(seed), nonlinearity=nonlin,
                                                 method=method, threshold=float(threshold)))
        except ValueError as e:
            page.error(e)
            r = None
        if r is not None:
            m1, m2, m3 = st.columns(3)
            m1.metric(tr("page2.norm_before"), f"{r['norm_before']:.4g}")
            m2.metric(tr("page2.norm_after"), f"{r['norm_after']:.4g}")
            m3.metric(tr("page2.cosine"), finite_or_dash(r["cosine"], ".4f"))
            if r["skipped"]:
                st.error(tr("page2.skipped"), icon=":material/block:")
            elif r["clipped"]:
                st.info(tr("page2.clipped"))
            fig = plots.fig_param_norms(r["names"], r["before"], r["after"],
                                        labels=page.labels("fig.pnorm", ("title", "x", "y", "before", "after")),
                                        present=page.present)
            page.chart(fig, "pnorm", csv="param_grad_norms")
            page.caption("cap.pnorm", r"\text{norm: } g \leftarrow g\cdot\min\!\Big(1,\frac{c}{\|g\|}\Big),\quad "
                         r"\text{value: } g_i \leftarrow \operatorname{clip}(g_i,-c,c),\quad "
                         r"\cos\angle = \frac{\langle g, \tilde g\rangle}{\|g\|\,\|\tilde g\|}")
            page.how("pnorm")

with tabs["hist"]:
    if tabs["hist"].open:
        try:
            h = cache.ptb_grad_norms()
            norms = h["norms"]
            hs = histogram_stats(norms, float(threshold) if method == "norm" else None)
            fig = plots.fig_norm_histogram(norms, float(threshold) if method == "norm" else None, hs["band"],
                                           labels=page.labels("fig.hist", ("title", "x", "y", "threshold", "band")),
                                           present=page.present)
            page.chart(fig, "hist", csv="ptb_grad_norms")
            st.markdown(tr("page2.hist_stats", n=hs["n"], mean=f"{hs['mean']:.3g}",
                           p5=f"{hs['band'][0]:.3g}", p95=f"{hs['band'][1]:.3g}", rule_lo=f"{hs['rule'][0]:.3g}",
                           rule_hi=f"{hs['rule'][1]:.3g}", model=ui.md_escape(h.get("model", "?"), 60)))
            if method == "norm":  # the share only means something for norm clipping
                st.markdown(tr("page2.hist_clipped", c=f"{float(threshold):g}", frac=f"{100 * hs['frac']:.1f}"))
            page.caption("cap.hist")
            page.how("hist")
        except (FileNotFoundError, ValueError) as e:
            st.info(tr("page2.hist_missing", msg=ui.md_escape(e, 200)))

with tabs["cliff"]:
    if tabs["cliff"].open:
        c1, c2, c3, c4, c5 = st.columns(5)
        w0 = page.widget("w0", container=c1)
        b0 = page.widget("b0", container=c2)
        lr = page.widget("lr", container=c3)
        steps = page.widget("csteps", container=c4)
        cthr = page.widget("cthr", container=c5)
        try:
            ws_, bs_, L = cache.cliff_surface()
            plain, clipped = cache.cliff_paths(CliffSettings(w0=float(w0), b0=float(b0), lr=float(lr), steps=int(steps),
                                                             clip=float(cthr)))
            names = (tr("page2.path_plain"), tr("page2.path_clipped", c=f"{cthr:g}"))
            fig = plots.fig_cliff(ws_, bs_, L, {names[0]: plain.params, names[1]: clipped.params},
                                  {names[1]: clipped.clipped},
                                  labels=page.labels("fig.cliff", ("title", "x", "y", "z", "start", "clipmark")),
                                  present=page.present)
            page.chart(fig, "cliff", csv="pascanu_cliff")
            m1, m2, m3 = st.columns(3)
            m1.metric(tr("page2.final_plain"), f"{plain.loss[-1]:.3g}")
            m2.metric(tr("page2.final_clipped"), f"{clipped.loss[-1]:.3g}")
            m3.metric(tr("page2.max_grad"), f"{np.max(plain.grad_norm, initial=0):.3g}")
            page.caption("cap.cliff", r"x_t = w\,\sigma(x_{t-1}) + b,\quad x_0 = 0.5,\quad "
                         r"L = (\sigma(x_{50}) - 0.7)^2")
            page.how("cliff")
        except ValueError as e:
            page.error(e)

with st.sidebar:
    page.settings_download()
