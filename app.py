"""gradflow home: what the app shows, a live figure, the pages and the lecture presets."""

import os

import numpy as np
import streamlit as st

from gradflow import cache, plots, ui
from gradflow.presets import PAGES, PRESETS, link_values

page = ui.start("home")
tr = page.t

st.title(tr("home.title"))
st.markdown(tr("home.intro"))

try:
    curves = cache.home_curves()
    fig = plots.fig_gradient_norm(np.arange(len(curves["rnn"])), curves,
                                  labels=page.labels("fig.home", ("title", "x", "y", "overflow")), present=page.present)
    page.chart(fig, "home", csv="rnn_lstm_gru_gradient_norm")
    page.caption("cap.home")
    page.how("home")
except ValueError as e:
    page.error(e)

left, right = st.columns(2)
with left:
    st.subheader(tr("home.pages"))
    for f in PAGES[1:]:
        key = "nav." + os.path.splitext(os.path.basename(f))[0]
        page.link(f, label=tr(key))
        st.caption(tr(key + ".desc"))
with right:
    st.subheader(tr("home.presets"))
    for p in PRESETS:
        page.link(p.page, link_values(p), label=tr(f"preset.{p.name}"))
        st.caption(tr(f"preset.{p.name}.desc"))

st.caption(tr("home.lecture_tip"))
with st.sidebar:
    page.settings_download()
