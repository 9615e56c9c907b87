"""The shared frame of every page: sidebar, URL state, warnings, charts, downloads.

Why this module exists (and imports streamlit): every page must behave the
same way for a lecturer — the same language and presentation toggles in the
sidebar, every widget bound to the URL, a visible warning for each query
value that could not be used, PNG/SVG export and a CSV download on every
chart, and a JSON download of the page's settings. Writing that once here
keeps the pages short ("widgets -> cached numerics -> figures"). The URL
side of a run (global settings, query warnings, aliases, syncing values into
the address bar) lives in `gradflow.ui_query` and is re-exported here. These
two modules and `gradflow.cache` are the only gradflow modules that import
streamlit; `import gradflow` never loads them.

Usage on a page (see pages/1_Vanishing_Gradients.py):

    from gradflow import ui
    from gradflow.urlstate import Param
    PARAMS = (Param("rho", "slider", 1.0, lo=0.0, hi=3.0, step=0.05), ...)
    page = ui.start("page1", PARAMS)        # first call: sidebar, lang, warnings
    with st.sidebar:
        rho = page.widget("rho")             # label w.rho, help w.rho.help, bound to ?rho=
    page.chart(fig, "curve", csv="gradient_norms")
    page.settings_download()

Text shown to users comes from `gradflow.i18n` through `page.t(key, **fmt)`;
user-typed text is shown with `md_escape` (Markdown) or `st.text`/`st.code`,
never as HTML.

The API for a page:
- `start(name, PARAMS) -> Page`: set_page_config, the raw-query check (a
  visible warning per unknown key, wrong type, out-of-range value or unknown
  option, naming the parameter and the default used), aliases (codes and the
  other language's labels) assigned before the widgets, the sidebar with
  language / presentation mode / image format and the translated page links.
- `Page.widget(key, disabled=, container=, on_change=, help_extra=)`: draws
  the Param's widget bound to ?key= and returns codes, never labels; text
  Params stay in the link only up to urlstate.TEXT_URL_LIMIT characters.
- `Page.tabs(key)`: bound tabs (a choice Param with widget="tabs"),
  code -> container; draw a tab's content only `if tab.open`.
- `Page.chart(fig, key, csv=, on_select=)`: the figure with PNG/SVG export
  and a CSV download of its traces; `Page.caption(key, latex)`;
  `Page.labels(prefix, names)` for a figure's `labels`.
- `Page.settings_download()`, `Page.error(exc)`, `Page.link(page, values)`.
- `sync_later(values)` / `sync_to_url(values)`: values a callback assigned to
  widgets that were not drawn reach the URL (next run / at once).
- Presets live in `gradflow.presets`; option labels in i18n ``opt.<key>.<code>``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas  # noqa: F401  (imported once here: sessions importing it at once raced, 'partially initialized')
import streamlit as st

from . import cache, i18n, plots, warmup
from .experiments.vanishing import picked_node, picked_point
from .presets import PAGES, open_preset
# GLOBAL_PARAMS, md_escape, sync_later and sync_to_url are part of this module's API (ui.md_escape, ...).
from .ui_query import (_DROPPED, _IGNORED_QUERY, _SAVED, GLOBAL_PARAMS, _apply_aliases, _drop_unusable,
                       _lang_guess, _raw_query, _restore_globals, _show_problems, md_escape, sync_later, sync_to_url)
from .urlstate import TEXT_URL_LIMIT, Param, QueryCheck, check_query, option_label, query_for

_APP_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _never_empty(key: str, default, then: Callable | None) -> Callable:
    """on_change of a single choice: None (nothing chosen) becomes the default, then `then` runs."""
    def callback():
        if st.session_state.get(key) is None:
            st.session_state[key] = default
        if then is not None:
            then()
    return callback


class Page:
    """One page's run: its language, presentation flag, widgets and values."""

    def __init__(self, name: str, params: Sequence[Param], check: QueryCheck):
        self.name = name
        self.params = {p.key: p for p in (*GLOBAL_PARAMS, *params)}
        self.check = check
        self.values: dict[str, Any] = {}
        self.lang = "en"
        self.present = False
        self.img = "png"

    # -- text ---------------------------------------------------------------
    def t(self, key: str, /, **fmt) -> str:
        return i18n.t(key, self.lang, **fmt)

    def labels(self, prefix: str, names: Sequence[str]) -> dict:
        """{name: t(prefix.name)} for a figure's `labels` argument."""
        return {n: self.t(f"{prefix}.{n}") for n in names}

    def caption(self, key: str, latex: str | None = None) -> None:
        """A figure's caption (what to look at), with its equation under it."""
        st.caption(self.t(key))
        if latex:
            st.latex(latex)

    def how(self, key: str) -> None:
        """The collapsed derivation of what a chart shows (i18n key how.<key>)."""
        with st.expander(self.t("ui.how"), icon=":material/function:"):
            st.markdown(self.t(f"how.{key}"))

    # -- widgets ------------------------------------------------------------
    def widget(self, key: str, *, disabled: bool = False, help_extra: str | None = None,
               container=None, on_change: Callable | None = None) -> Any:
        """Draw the widget of Param `key` (bound to ?key=) and return its value (codes for options).

        on_change: a callback run before the next rerun (it may assign other
        widgets' values in st.session_state).
        """
        p = self.params[key]
        where = container if container is not None else st
        label = self.t(p.label_key)
        hk = p.help_key
        help_ = (self.t(hk) if i18n.has(hk) else None)
        if help_extra:
            help_ = f"{help_}\n\n{help_extra}" if help_ else help_extra
        common = {"key": key, "help": help_, "disabled": disabled, "bind": "query-params"}
        if on_change is not None:
            common["on_change"] = on_change
        if key in ("lang", "present", "img"):
            common["persist_state"] = "session"
        fmt = lambda code: option_label(key, code, self.lang)  # noqa: E731
        w = p.widget
        _clamp_kept_value(p)
        if p.kind == "slider":
            v = where.slider(label, float(p.lo), float(p.hi), float(p.default),
                             step=None if p.step is None else float(p.step), format=p.fmt, **common)
        elif p.kind == "int":
            if w == "number":
                v = where.number_input(label, int(p.lo), int(p.hi), int(p.default), step=1, **common)
            else:
                v = where.slider(label, int(p.lo), int(p.hi), int(p.default),
                                 step=int(p.step or 1), **common)
            v = int(v)
        elif p.kind == "toggle":
            v = bool((where.checkbox if w == "checkbox" else where.toggle)(label, bool(p.default), **common))
        elif p.kind == "choice":
            # A single choice is never empty. An empty link value (?cell=) or a click on the chosen
            # option of a segmented control (required=True prevents that in the browser; a scripted
            # client does not) leaves None: the default goes back into the widget before it is drawn
            # (in the callback when the user emptied it, so it shows the default at once).
            if st.session_state.get(key, p.default) is None:
                st.session_state[key] = p.default
            common["on_change"] = _never_empty(key, p.default, on_change)
            idx = list(p.options).index(p.default)
            if w == "radio":
                v = where.radio(label, p.options, index=idx, format_func=fmt, horizontal=True, **common)
            elif w == "segmented":
                v = where.segmented_control(label, p.options, default=p.default, format_func=fmt,
                                            required=True, **common)
            else:
                v = where.selectbox(label, p.options, index=idx, format_func=fmt, **common)
            if v is None:
                v = p.default
        elif p.kind == "multi":
            if w == "pills":
                v = where.pills(label, p.options, default=list(p.default), format_func=fmt,
                                selection_mode="multi", **common)
            else:
                v = where.multiselect(label, p.options, default=list(p.default), format_func=fmt, **common)
            v = [o for o in p.options if o in (v or [])]
        else:  # text: kept in the link only while short enough
            current = st.session_state.get(key, self.check.values.get(key, p.default)) or ""
            if len(current) > TEXT_URL_LIMIT:
                common["bind"] = None
            maker = where.text_area if w == "text_area" else where.text_input
            v = maker(label, value=p.default, **common)
            if len(v or "") > TEXT_URL_LIMIT:
                where.caption(self.t("ui.text_not_in_link", n=TEXT_URL_LIMIT))
        self.values[key] = v
        return v

    def tabs(self, key: str) -> dict:
        """Bound tabs of Param `key` (a choice): code -> container; only the open one has .open True."""
        p = self.params[key]
        labels = [option_label(key, c, self.lang) for c in p.options]
        cur = st.session_state.get(key)
        if cur is not None and cur not in labels:  # label of the other language, or a code
            for c in p.options:
                if cur == c or cur in (option_label(key, c, lg) for lg in i18n.LANGS):
                    st.session_state[key] = option_label(key, c, self.lang)
        conts = st.tabs(labels, default=option_label(key, p.default, self.lang), key=key, bind="query-params")
        out = dict(zip(p.options, conts))
        opened = [c for c, tab in out.items() if tab.open]
        self.values[key] = opened[0] if opened else p.default
        return out

    # -- output -------------------------------------------------------------
    def chart(self, fig, key: str, *, csv: str, on_select: Callable | None = None):
        """st.plotly_chart with PNG/SVG export, then a CSV download of the figure's data."""
        kw = {}
        if on_select is not None:
            kw = {"on_select": on_select, "selection_mode": "points"}
        ev = st.plotly_chart(fig, key=f"fig_{key}", theme=None,
                             config=plots.plotly_config(csv, self.img, self.present), **kw)
        st.download_button(self.t("ui.csv"), data=lambda: plots.figure_to_csv(fig), file_name=f"{csv}.csv",
                           mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/download:")
        return ev

    def settings_download(self, where=None) -> None:
        """JSON download of every widget value on this page (codes, not labels)."""
        data = json.dumps({"page": self.name, "settings": self.values}, ensure_ascii=False, indent=2,
                          default=str)
        # Made on click, like the CSVs: a file stored with the run is released by a later rerun, and a
        # slow browser then asked the server for it in vain (404 in the load test).
        (where or st).download_button(self.t("ui.json"), data=lambda: data, file_name=f"gradflow_{self.name}.json",
                                      mime="application/json", key="settings_json", on_click="ignore",
                                      icon=":material/settings:")

    def error(self, exc: BaseException) -> None:
        """A core ValueError/FileNotFoundError shown as a message (never a traceback)."""
        st.error(self.t("ui.error", msg=md_escape(exc, 300)))

    def link(self, page_file: str, values: dict | None = None, label: str | None = None,
             where=None) -> None:
        """st.page_link to page_file with the query for `values` (codes -> labels of this language)."""
        if not os.path.exists(os.path.join(_APP_DIR, page_file)):
            (where or st).caption(f"{label or page_file} — {self.t('ui.page_missing')}")
            return
        q = {**self.global_query(), **query_for(values or {}, None, self.lang)}
        (where or st).page_link(page_file, label=label, query_params=q or None)

    def global_query(self) -> dict:
        """Query of the non-default global settings: every link carries them."""
        return query_for({"lang": self.lang, "present": self.present, "img": self.img}, GLOBAL_PARAMS, self.lang)


# The sidebar shows translated page links (sidebar()); Streamlit's own file-name
# navigation is hidden (kept in the DOM).
_CSS_BASE = """
<style>[data-testid="stSidebarNav"], [data-testid="stSidebarNavSeparator"] { display: none; }</style>
"""
# Presentation mode: everything a class must read is at least 20 px (1rem = 16 px): text, widget
# labels and values, inputs, slider values and ticks, segmented controls, tabs, the sentence box,
# captions, metrics and equations. Figures grow through plots' `present` (_sizes).
_CSS_PRESENT = """
<style>
[data-testid="stAppViewContainer"] { font-size: 1.35rem; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stWidgetLabel"] p, [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stButtonGroup"] button p, [data-testid="stTab"] p, [data-testid="stRadioOption"] p,
[data-testid="stPageLink-NavLink"] span, [data-testid="stMetricLabel"] p { font-size: 1.35rem !important; }
[data-testid="stAppViewContainer"] input, [data-testid="stAppViewContainer"] textarea,
[data-testid="stSelectbox"] [data-baseweb="select"] div, [data-baseweb="popover"] li {
  font-size: 1.35rem !important; line-height: 1.4 !important; }
[data-testid="stNumberInputContainer"], [data-testid="stTextInputRootElement"],
[data-testid="stSelectbox"] [data-baseweb="select"] > div { height: auto !important; min-height: 3rem; }
[data-testid="stSliderThumbValue"], [data-testid="stSliderThumbValue"] *,
[data-testid="stSliderTickBar"], [data-testid="stSliderTickBar"] * { font-size: 1.3rem !important; }
[data-testid="stCode"] pre, [data-testid="stCode"] code, [data-testid="stCode"] span {
  font-size: 1.6rem !important; line-height: 1.5 !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div,
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p { font-size: 2.4rem !important; }
[data-testid="stMarkdownContainer"] .katex { font-size: 1.8em !important; }
[data-testid="stMarkdownContainer"] code { font-size: 1.25rem !important; }
[data-testid="stExpander"] summary p { font-size: 1.35rem !important; }
h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; }
h3, h3 span { font-size: 1.8rem !important; } h4, h5, h6 { font-size: 1.5rem !important; }
</style>
"""


def _clamp_kept_value(p: Param) -> None:
    """Pull a kept value into this widget's range before it is drawn.

    Pages share widget keys with different ranges (ρ ends at 10 on the clipping page,
    at 3 on page 1): the value kept from another page would make Streamlit raise
    "above max" on a page switch.
    """
    if p.kind not in ("slider", "int") or p.key not in st.session_state:
        return
    v = st.session_state[p.key]
    if isinstance(v, (int, float)) and not isinstance(v, bool) and not p.lo <= v <= p.hi:
        st.session_state[p.key] = type(p.default)(min(max(v, p.lo), p.hi))


def new_seed(key: str = "seed") -> None:
    """Button callback: a fresh random seed in st.session_state[key].

    Callbacks live in gradflow, never on a page: Streamlit keeps a session's last
    callback, and a page function would keep all of that page's globals (a 21 MB
    model) alive in every session.
    """
    st.session_state[key] = int(np.random.default_rng().integers(0, 100_000))


def _open_jacobian(step: int, cell: str | None = None) -> None:
    """Switch page 1 to the Jacobian tab at `step` (and `cell`); the values reach the URL on the next run."""
    st.session_state["jstep"] = step
    if cell is not None:
        st.session_state["jcell"] = cell
    st.session_state["view"] = option_label("view", "jacobian", st.session_state.get("lang", "en"))
    st.session_state["_gf_picked"] = True


def open_picked_node() -> None:
    """Page 1's graph-click callback: the clicked node's step opens its Jacobian (the graph's cell is jcell)."""
    t = picked_node(st.session_state.get("fig_graph"), st.session_state.get("_gf_curve_T", 1))
    if t is not None:
        _open_jacobian(t)


def open_picked_jacobian() -> None:
    """Page 1's chart-click callback: open the clicked step's Jacobian (drawn steps only, see picked_point)."""
    picked = picked_point(st.session_state.get("fig_curves"), st.session_state.get("_gf_curve_T", 1))
    if picked:
        names = st.session_state.get("_gf_curve_cells", [])
        k = picked[1]
        _open_jacobian(picked[0], names[k] if k is not None and 0 <= k < len(names) else None)


def sidebar(page: Page) -> None:
    """Language, presentation mode, image format, and the translated page links."""
    with st.sidebar:
        page.lang = page.widget("lang")
        page.present = page.widget("present")
        page.img = page.widget("img")
        st.session_state[_SAVED] = {"lang": page.lang, "present": page.present, "img": page.img}
        st.divider()
        for f in PAGES:
            if os.path.exists(os.path.join(_APP_DIR, f)):
                key = "nav." + os.path.splitext(os.path.basename(f))[0]
                st.page_link(f, label=page.t(key) if i18n.has(key) else f, query_params=page.global_query() or None,
                             icon=":material/home:" if f == "app.py" else ":material/show_chart:")
        st.divider()
    st.html(_CSS_BASE + (_CSS_PRESENT if page.present else ""))  # static CSS only, never user text


def start(name: str, params: Sequence[Param] = ()) -> Page:
    """Begin a page: check the raw query, draw the shared sidebar, show warnings.

    name: page id (title key "<name>.title"); params: the page's own widgets.
    Call before any other Streamlit element of the page.
    """
    open_preset(st.session_state, st.query_params, params)  # a preset link: its view, whatever was open before
    raw = _raw_query()
    allp = {p.key: p for p in (*GLOBAL_PARAMS, *params)}
    check = check_query(list(allp.values()), raw, _lang_guess(raw), ignore=_IGNORED_QUERY)
    check.problems[:0] = st.session_state.pop(_DROPPED, [])
    _drop_unusable(check, allp)
    restored = _restore_globals(name, check)
    _apply_aliases(check, allp)
    page = Page(name, params, check)
    # Presentation mode hides the sidebar (its arrow opens it again): the room sees the page only.
    # Known before the toggle is drawn: its state (a click, a page switch) or else the link.
    present = st.session_state.get("present", check.values.get("present", False))
    st.set_page_config(page_title=f"gradflow · {i18n.t(name + '.title', _lang_guess(raw))}",
                       layout="wide", initial_sidebar_state="collapsed" if present else "expanded")
    sidebar(page)
    warmup.start()  # once per server, in the background: the PTB splits, every page's default view and preset
    restored = {k: v for k, v in restored.items() if k not in st.query_params}
    if restored:
        # Rerun now, before the page computes anything, so that links copied
        # from the address bar keep the language and presentation mode.
        sync_to_url(restored)
    _show_problems(page)
    return page
