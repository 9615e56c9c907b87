"""The one Korean/English table: every key has both languages; the app uses only existing keys."""

import ast
import re
from pathlib import Path

import pytest

from gradflow import i18n
from gradflow.presets import PRESETS

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), ROOT / "gradflow" / "ui.py"]
FIELD = re.compile(r"{(\w+)}")


def test_every_key_has_both_languages_with_the_same_fields():
    assert i18n.LANGS == ("en", "ko")
    for key, entry in i18n.TEXT.items():
        assert set(entry) == set(i18n.LANGS), key
        for lang in i18n.LANGS:
            assert isinstance(entry[lang], str) and entry[lang].strip(), (key, lang)
        assert set(FIELD.findall(entry["en"])) == set(FIELD.findall(entry["ko"])), key


def test_korean_is_korean():
    # Labels that differ by language must really be translated (Hangul present),
    # except option names that are the same in both (RNN, PNG, tanh ...).
    same = [k for k, e in i18n.TEXT.items() if e["en"] == e["ko"]]
    assert all(k.startswith(("opt.", "fig.eig.", "fig.cliff.", "fig.paths.dc", "fig.phase.z", "fig.pow."))
               or k.endswith((".J",)) for k in same), same
    assert all(re.search("[\uac00-\ud7a3]", e["ko"]) for k, e in i18n.TEXT.items() if k not in same)


def test_t_formats_and_never_raises():
    assert i18n.t("page1.limit", "ko", T=7, budget="1") .count("7") == 1
    assert i18n.t("no.such.key", "en") == "no.such.key"
    assert i18n.t("w.rho", "xx") == i18n.t("w.rho", "en")


def _literal_keys(path):
    """Literal first arguments of t(...), page.t(...), caption(...), labels(prefix, names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    keys = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        args = node.args
        if name in ("t", "caption") and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            keys.add(args[0].value)
        if name == "labels" and len(args) == 2 and isinstance(args[0], ast.Constant):
            keys |= {f"{args[0].value}.{e.value}" for e in args[1].elts if isinstance(e, ast.Constant)}
        if name == "Param":
            key = args[0].value
            kw = {k.arg: k.value for k in node.keywords}
            keys.add(kw["label"].value if "label" in kw else f"w.{key}")
            if "options" in kw and isinstance(kw["options"], ast.Tuple):
                keys |= {f"opt.{key}.{e.value}" for e in kw["options"].elts}
    return keys


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: p.name)
def test_pages_use_only_existing_keys(path):
    keys = _literal_keys(path)
    assert keys, "no key found: the scan is broken"
    missing = sorted(k for k in keys if not i18n.has(k))
    assert not missing, missing


def test_dynamic_keys_exist():
    for p in PRESETS:
        assert i18n.has(f"preset.{p.name}") and i18n.has(f"preset.{p.name}.desc"), p.name
    for where in ("forward", "backward"):
        assert i18n.has(f"page1.overflow_{where}")
    for reason in ("unknown", "type", "range", "option", "option_dropped"):
        assert i18n.has(f"qp.{reason}")
    for page in ("home", "page1", "page2", "page3", "page4"):
        assert i18n.has(f"{page}.title")


def test_module_is_pure_python():
    src = (ROOT / "gradflow" / "i18n.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(import|from)\s", src, re.M)
