"""The URL side of every page's run: global settings, the raw-query check's warnings, aliases, syncing.

Why this module exists: `gradflow.ui` draws the shared frame; everything
that works around Streamlit's binding of widgets to the URL (values a link
holds that Streamlit would reject or lose, warnings that name a link
parameter that could not be used, values a callback assigned that must
reach the address bar) is kept here, apart from the drawing. Like `ui`, it
imports streamlit; `import gradflow` never loads it. Pages use it through
`gradflow.ui` (`ui.sync_later`, `ui.md_escape`, `ui.GLOBAL_PARAMS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from . import i18n
from .urlstate import Param, QueryCheck, option_label

if TYPE_CHECKING:  # only for the annotation: ui imports this module
    from .ui import Page


# Global settings, rendered on every page by the sidebar with the same keys.
GLOBAL_PARAMS = (
    Param("lang", "choice", "en", options=i18n.LANGS, widget="segmented"),
    Param("present", "toggle", False),
    Param("img", "choice", "png", options=("png", "svg"), widget="segmented"),
)
_PENDING = "_gf_pending_url"  # session key: aliases assigned on the last run
_SAVED = "_gf_globals"  # session key: the global settings of the last run
_LAST_PAGE = "_gf_last_page"  # session key: the page of the last run
_DROPPED = "_gf_dropped"  # session key: problems of URL values removed before a rerun
_IGNORED_QUERY = ("embed", "embed_options")

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>$~:=^\"'&@%")


def md_escape(text: Any, limit: int = 80) -> str:
    """User text made literal for st.markdown/st.warning (Markdown, LaTeX, HTML, links).

    Long text is cut to `limit` characters with an ellipsis; newlines become spaces.
    """
    s = str(text).replace("\n", " ").replace("\r", " ")
    if len(s) > limit:
        s = s[:limit] + "…"
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)



def sync_later(values: dict) -> None:
    """Assign these widget values again on the next run (Streamlit then writes them into the URL)."""
    st.session_state[_PENDING] = {**st.session_state.get(_PENDING, {}), **values}


def sync_to_url(values: dict) -> None:
    """Put values that a callback assigned to widgets not drawn on the last run into the URL.

    Streamlit writes such an assignment into the URL only when it is made
    again once the widget exists; this reruns at once (call it right after
    the widgets are drawn, before heavy work) and repeats the assignment.
    """
    sync_later(values)
    st.rerun()


def _raw_query() -> dict:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _lang_guess(raw: dict) -> str:
    saved = st.session_state.get(_SAVED, {}).get("lang")
    if saved in i18n.LANGS:
        return saved
    v = (raw.get("lang") or [""])[-1].strip().lower()
    for code in i18n.LANGS:
        if v in (code, option_label("lang", code, "en").lower()):
            return code
    return GLOBAL_PARAMS[0].default


def _restore_globals(name: str, check: QueryCheck) -> dict:
    """Carry language, presentation mode and image format over a page switch.

    On the first run after a page switch Streamlit 1.67 hands a bound,
    session-persisted widget its default instead of its kept value (the kept
    value only comes back one run later) and drops its URL parameter, so the
    page would show the default language and reject the option labels of a
    link made in the other one. The values of the previous page's run are
    assigned before the widgets are drawn (a value in the link itself wins).
    Returns the non-default values restored, which must also go back into
    the URL (see start()).
    """
    saved = st.session_state.get(_SAVED)
    restored = {}
    if saved and st.session_state.get(_LAST_PAGE) != name:
        defaults = {p.key: p.default for p in GLOBAL_PARAMS}
        for k, v in saved.items():
            v = check.values.get(k, v)
            st.session_state[k] = v
            if v != defaults.get(k):
                restored[k] = v
    st.session_state[_LAST_PAGE] = name
    return restored


def _drop_unusable(check: QueryCheck, params: dict) -> None:
    """Remove URL values that a widget would take in a form no page can use, then rerun at once.

    - A number widget's value that is no finite number: Streamlit 1.67 turns a
      bound integer widget's URL value into int(float(v)), which raises
      OverflowError for "inf" or "1e999" (a 10 kB run of digits).
    - An empty single choice (?cell=): Streamlit 1.67 seeds a bound segmented
      control from it as None (nothing chosen), even with required=True, and
      the URL value wins over a value assigned in st.session_state.
    The page would show an exception, or use None, instead of the warning
    that names the value and the default. The rerun seeds the widgets from
    the cleaned URL; the warnings are kept for it.
    """
    bad = [pr for pr in check.problems
           if pr.key not in check.values and pr.key in st.query_params
           and ((pr.reason == "type" and getattr(params.get(pr.key), "kind", None) in ("slider", "int"))
                or pr.reason == "empty")]
    if bad:
        for pr in bad:
            del st.query_params[pr.key]
        st.session_state[_DROPPED] = bad
        st.rerun()


def _apply_aliases(check: QueryCheck, params: dict) -> None:
    """Assign valid aliases that Streamlit would reject (codes, other-language labels).

    Only for widgets that have no state yet (the first run with this link).
    Streamlit writes a value assigned this way into the URL only when it is
    assigned again on a later run, so the assignment is repeated once.
    """
    pending = st.session_state.pop(_PENDING, {})
    for k, v in pending.items():
        if st.session_state.get(k) == v:
            st.session_state[k] = v
    new = {}
    for k, v in check.fixes.items():
        if k in st.session_state:
            continue
        p = params.get(k)
        if p is not None and p.widget == "tabs":
            continue  # tabs hold their label; Page.tabs maps it
        st.session_state[k] = v
        new[k] = v
    if new:
        st.session_state[_PENDING] = new


def _show_problems(page: Page) -> None:
    """A visible warning per query value that could not be used, naming the parameter and the default.

    Each distinct message once (check_query already drops repeated problems;
    two raw values may still read alike once escaped and cut).
    """
    shown = set()
    for pr in page.check.problems:
        p = page.params.get(pr.key)
        default = pr.default
        if p is not None and p.kind == "choice" and default is not None:
            default = option_label(p.key, default, page.lang)
        elif p is not None and p.kind == "multi" and default is not None:
            default = ", ".join(option_label(p.key, d, page.lang) for d in default)
        elif p is not None and p.kind == "toggle":
            default = page.t("ui.on" if default else "ui.off")
        fmt = {"key": md_escape(pr.key, 40), "value": md_escape(pr.value, 60), "default": md_escape(default),
               "lo": pr.lo, "hi": pr.hi, "allowed": md_escape(", ".join(pr.allowed), 200)}
        msg = page.t("qp.option_dropped" if pr.reason == "option" and pr.default is None else f"qp.{pr.reason}",
                     **fmt)
        if msg not in shown:
            shown.add(msg)
            st.warning(msg, icon=":material/link_off:")
