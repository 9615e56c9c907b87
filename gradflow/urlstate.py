"""Widget specs and validation of raw URL query values (pure Python).

Why this module exists: every widget of the app is bound to a URL query
parameter (its key), so a link reproduces a view. Streamlit silently drops a
bound value that it cannot use; the app must instead tell the user which
parameter was wrong and which default it used. Streamlit also stores a
selection widget's value in the URL as its *displayed* label, which differs
between Korean and English; links typed by hand or made in the other
language use codes or the other language's labels. This module declares each
widget once (`Param`) and checks a raw query against the declarations:

- `check_query(params, raw, lang)` -> `QueryCheck` with the problems to show
  (unknown key, wrong type, out of range, unknown option, an empty choice;
  each distinct problem once) and the values that
  Streamlit would reject but that are valid aliases (a code, the label of the
  other language, another letter case); the UI assigns those to
  ``st.session_state`` before the widgets are drawn.

Option labels come from the i18n table under ``opt.<key>.<code>`` (falling
back to the code itself), widget labels under ``w.<key>`` and help texts under
``w.<key>.help`` unless a Param names other keys.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import i18n

KINDS = ("slider", "int", "choice", "multi", "toggle", "text")

# Longest custom text that is kept in a link; longer text is left out of it.
TEXT_URL_LIMIT = 300

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


@dataclass(frozen=True)
class Param:
    """One widget, bound to the URL query parameter `key`.

    kind: "slider" (float), "int" (integer slider or number input), "choice"
    (one code of `options`), "multi" (a subset of `options`, in their order),
    "toggle" (bool) or "text" (free text). lo/hi bound numbers (inclusive).
    label/help: i18n keys; default "w.<key>" and "w.<key>.help".
    widget: how the UI draws it ("slider", "number", "selectbox", "radio",
    "segmented", "multiselect", "pills", "toggle", "checkbox", "text_input",
    "text_area", "tabs"); None picks a default for the kind.
    """

    key: str
    kind: str
    default: Any  # the value used when the URL has none (left out of the URL)
    lo: float | None = None  # smallest allowed number (slider/int)
    hi: float | None = None  # largest allowed number (slider/int)
    step: float | None = None  # slider step; None lets Streamlit choose
    options: tuple = ()  # codes for choice/multi
    label: str | None = None  # i18n key of the label
    help: str | None = None  # i18n key of the help text
    widget: str | None = None  # drawing style, see above
    fmt: str | None = None  # printf format of a slider's number, e.g. "%.2f"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Param {self.key!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind in ("choice", "multi"):
            if not self.options:
                raise ValueError(f"Param {self.key!r}: options are required for {self.kind}")
            defaults = self.default if self.kind == "multi" else (self.default,)
            bad = [d for d in defaults if d not in self.options]
            if bad:
                raise ValueError(f"Param {self.key!r}: default {bad} not among options {self.options}")
        if self.kind in ("slider", "int"):
            if self.lo is None or self.hi is None or not self.lo <= self.default <= self.hi:
                raise ValueError(f"Param {self.key!r}: need lo <= default <= hi")

    @property
    def label_key(self) -> str:
        return self.label or f"w.{self.key}"

    @property
    def help_key(self) -> str:
        return self.help or f"w.{self.key}.help"


def option_label(key: str, code: str, lang: str) -> str:
    """Displayed label of option `code` of widget `key` (also its URL value)."""
    k = f"opt.{key}.{code}"
    return i18n.t(k, lang) if i18n.has(k) else str(code)


def _aliases(p: Param) -> dict[str, str]:
    """lower-cased alias -> code: the code and its label in every language."""
    out = {}
    for code in p.options:
        out[str(code).lower()] = code
        for lang in i18n.LANGS:
            out[option_label(p.key, code, lang).lower()] = code
    return out


@dataclass(frozen=True)
class Problem:
    """A raw query value that could not be used. reason: unknown | type | range | option | empty."""

    key: str
    value: str
    reason: str
    default: Any = None  # the value used instead (None for unknown keys)
    lo: Any = None
    hi: Any = None
    allowed: tuple = ()


@dataclass
class QueryCheck:
    problems: list = field(default_factory=list)  # Problem, in query order
    fixes: dict = field(default_factory=dict)  # key -> value to assign before the widget
    values: dict = field(default_factory=dict)  # key -> value the page will use (parsed from the URL)
    long_text: list = field(default_factory=list)  # text keys whose value is too long for a link


def _as_list(v) -> list[str]:
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]


def _number(s: str):
    try:
        x = float(s)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _check_one(p: Param, raw, lang: str, out: QueryCheck) -> None:
    vals = _as_list(raw)
    last = vals[-1] if vals else ""
    if p.kind in ("slider", "int"):
        x = _number(last)
        if x is None:
            out.problems.append(Problem(p.key, last, "type", p.default))
            return
        if x < p.lo or x > p.hi:
            out.problems.append(Problem(p.key, last, "range", p.default, p.lo, p.hi))
            return
        if p.kind == "int" and x != int(x):
            # Streamlit truncates a non-integer to int(x) and keeps it.
            out.problems.append(Problem(p.key, last, "type", int(x)))
            out.values[p.key] = int(x)
            return
        out.values[p.key] = int(x) if p.kind == "int" else x
    elif p.kind == "toggle":
        s = last.strip().lower()
        if s in _TRUE or s in _FALSE:
            v = s in _TRUE
            out.values[p.key] = v
            if s not in ("true", "false") or last not in ("true", "false"):
                out.fixes[p.key] = v
        else:
            out.problems.append(Problem(p.key, last, "type", p.default))
    elif p.kind == "choice":
        if not last.strip():
            # Streamlit reads an empty value as "nothing chosen" (None), which no page can use:
            # the default is assigned before the widget is drawn.
            out.problems.append(Problem(p.key, last, "empty", p.default))
            if p.widget != "tabs":
                out.fixes[p.key] = p.default
            return
        code = _aliases(p).get(last.strip().lower())
        if code is None:
            out.problems.append(Problem(p.key, last, "option", p.default,
                                        allowed=tuple(option_label(p.key, c, lang) for c in p.options)))
            return
        out.values[p.key] = code
        if last != option_label(p.key, code, lang):
            out.fixes[p.key] = code
    elif p.kind == "multi":
        aliases, codes, need_fix = _aliases(p), [], False
        allowed = tuple(option_label(p.key, c, lang) for c in p.options)
        # Streamlit keeps the exact labels of a list and drops the rest; only a
        # list without any exact label falls through to the aliases.
        exact = any(v in allowed for v in vals)
        for v in dict.fromkeys(vals):  # a value repeated in the link counts once
            if v == "":
                continue  # Streamlit reads an empty value as "nothing selected"
            code = aliases.get(v.strip().lower())
            if code is None or (exact and v not in allowed):
                out.problems.append(Problem(p.key, v, "option", None, allowed=allowed))
                continue
            need_fix |= v != option_label(p.key, code, lang)
            if code not in codes:
                codes.append(code)
        if codes:
            out.values[p.key] = codes
            if need_fix:
                out.fixes[p.key] = codes
        elif vals and any(v != "" for v in vals):
            out.problems[-1] = Problem(p.key, out.problems[-1].value, "option", list(p.default), allowed=allowed)
    else:  # text
        out.values[p.key] = last
        if len(last) > TEXT_URL_LIMIT:
            out.long_text.append(p.key)


def check_query(params: Sequence[Param], raw: Mapping[str, Any], lang: str,
                ignore: Sequence[str] = ()) -> QueryCheck:
    """Check raw query values (str or list of str) against widget specs.

    Inputs:
    - params: the Params of the page (global ones included).
    - raw: query parameter name -> raw value(s), as the browser sent them.
    - lang: language of the labels that Streamlit expects in the URL now.
    - ignore: names that are never reported (e.g. Streamlit's own "embed").

    Returns a QueryCheck; never raises on any raw input.
    """
    by_key = {p.key: p for p in params}
    out = QueryCheck()
    for name, value in raw.items():
        if name in ignore:
            continue
        p = by_key.get(name)
        if p is None:
            out.problems.append(Problem(str(name), _as_list(value)[-1] if _as_list(value) else "", "unknown"))
            continue
        _check_one(p, value, lang, out)
    seen, problems = set(), []
    for pr in out.problems:  # each distinct problem once, however often the link repeats it
        k = (pr.key, pr.value, pr.reason)
        if k not in seen:
            seen.add(k)
            problems.append(pr)
    out.problems = problems
    return out


def encode_value(p: Param, value, lang: str):
    """Value of widget `p` as Streamlit writes it into the URL (str or list of str)."""
    if p.kind == "choice":
        return option_label(p.key, value, lang)
    if p.kind == "multi":
        return [option_label(p.key, v, lang) for v in value]
    if p.kind == "toggle":
        return "true" if value else "false"
    if p.kind == "slider":
        v = float(value)
        return str(int(v)) if v == int(v) else repr(v)
    return str(value)


def _encode_by_convention(key: str, value, lang: str):
    """Encode without a Param: a code with an i18n option label becomes that label."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return [_encode_by_convention(key, v, lang) for v in value]
    if isinstance(value, str) and i18n.has(f"opt.{key}.{value}"):
        return option_label(key, value, lang)
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def query_for(values: Mapping[str, Any], params: Sequence[Param] | None, lang: str) -> dict:
    """Query dict for a link: codes become the labels of `lang` where a Param says so.

    Values equal to a Param's default are left out (as Streamlit does). Keys
    without a Param are encoded by convention: a string code that has an
    ``opt.<key>.<code>`` entry in the i18n table becomes its label, booleans
    become true/false and numbers their shortest text.
    """
    by_key = {p.key: p for p in params or ()}
    q = {}
    for k, v in values.items():
        p = by_key.get(k)
        if p is None:
            q[k] = _encode_by_convention(k, v, lang)
        elif v != p.default and not (p.kind == "multi" and list(v) == list(p.default)):
            q[k] = encode_value(p, v, lang)
    return q
