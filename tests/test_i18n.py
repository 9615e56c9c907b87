"""The Korean/English tables: every key has both languages, is defined once, and the app uses only existing keys."""

import ast
import re
from pathlib import Path

import pytest

from gradflow import i18n
from gradflow.presets import PRESETS

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), ROOT / "gradflow" / "ui.py",
             ROOT / "gradflow" / "ui_query.py"]
I18N_DIR = ROOT / "gradflow" / "i18n"
# The table each file draws its own texts from (besides "common").
OWN_TABLE = {"app.py": "home", "1_Vanishing_Gradients.py": "vanishing+graph", "2_Gradient_Clipping.py": "clipping",
             "3_Gates_on_PTB.py": "gates", "4_Training.py": "training", "5_Depth_and_Memory.py": "depth", "ui.py": "common", "ui_query.py": "common"}
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
    tuples = {t.id: n.value.elts for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Tuple)
              for t in n.targets if isinstance(t, ast.Name)}  # module-level name tuples, e.g. a figure's labels
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        args = node.args
        if name in ("t", "tr", "caption", "how") and args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            keys.add(("how." if name == "how" else "") + args[0].value)
        if name == "labels" and len(args) == 2 and isinstance(args[0], ast.Constant):
            elts = tuples.get(args[1].id, []) if isinstance(args[1], ast.Name) else args[1].elts
            keys |= {f"{args[0].value}.{e.value}" for e in elts if isinstance(e, ast.Constant)}
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


def test_tables_are_pure_python_and_the_package_imports_only_them():
    tables = sorted(p for p in I18N_DIR.glob("*.py") if p.name != "__init__.py")
    assert {p.stem for p in tables} == set(i18n.TABLES)
    for p in tables:
        assert not re.search(r"^\s*(import|from)\s", p.read_text(encoding="utf-8"), re.M), p.name
    init = (I18N_DIR / "__init__.py").read_text(encoding="utf-8")
    imports = re.findall(r"^[ \t]*(?:import|from)[ \t].*$", init, re.M)
    assert imports == ["from . import " + ", ".join(sorted(i18n.TABLES))], imports


def _table_keys(path):
    """Literal keys of the TEXT dict of one table module, in order, duplicates kept."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (node,) = [n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "TEXT"]
    return [k.value for k in node.keys]


def test_every_key_is_defined_once_across_the_page_tables():
    seen = {}
    for path in sorted(I18N_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for key in _table_keys(path):
            assert key not in seen, f"{key} in {seen.get(key)} and {path.name}"
            seen[key] = path.name
    assert set(seen) == set(i18n.TEXT)
    assert sum(len(tb) for tb in i18n.TABLES.values()) == len(i18n.TEXT)


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: p.name)
def test_each_page_uses_its_own_table_and_common(path):
    own = {k for name in OWN_TABLE[path.name].split("+") for k in i18n.TABLES[name]}
    elsewhere = sorted(k for k in _literal_keys(path) if k not in own and k not in i18n.TABLES["common"])
    assert not elsewhere, f"{path.name} uses keys of another page's table (move them to common): {elsewhere}"
