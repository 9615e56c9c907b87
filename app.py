"""gradflow home: what the app shows, a live figure, the pages and the lecture presets."""

import numpy as np
import streamlit as st

from gradflow import cache, plots, ui
from gradflow.presets import PRESETS

page = ui.start("home")
t = page.t

st.title(t("home.title"))
st.markdown(t("home.intro"))

try:
    curves = cache.home_curves()
    fig = plots.fig_gradient_norm(np.arange(len(curves["rnn"])), curves,
                                  labels=page.labels("fig.home", ("title", "x", "y", "overflow")), present=page.present)
    page.chart(fig, "home", csv="rnn_lstm_gru_gradient_norm")
    page.caption("cap.home")
except ValueError as e:
    page.error(e)

left, right = st.columns(2)
with left:
    st.subheader(t("home.pages"))
    for f, key in (("pages/1_Vanishing_Gradients.py", "nav.1_Vanishing_Gradients"),
                   ("pages/2_Gradient_Clipping.py", "nav.2_Gradient_Clipping"),
                   ("pages/3_Gates_on_PTB.py", "nav.3_Gates_on_PTB"),
                   ("pages/4_Training.py", "nav.4_Training")):
        page.link(f, label=t(key))
        st.caption(t(key + ".desc"))
with right:
    st.subheader(t("home.presets"))
    for p in PRESETS:
        page.link(p.page, p.values, label=t(f"preset.{p.name}"))
        st.caption(t(f"preset.{p.name}.desc"))

st.caption(t("home.lecture_tip"))
with st.sidebar:
    page.settings_download()
