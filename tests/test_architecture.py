"""The layer rules of docs/architecture.md, enforced by reading every module's imports.

engine -> experiments -> cache -> pages; the CLI sits beside the pages.
- The engine and the experiment layer import neither streamlit nor plotly.
- plots import plotly (and numpy), never streamlit or the engine.
- Pages and app.py never import the cells or bptt directly.
- No module imports a layer above its own, and gradflow has no import cycle.
- Imports sit at module top; one inside a function carries a comment saying why.
- No module is longer than MAX_LINES unless its docstring says why.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "gradflow"
MAX_LINES = 400
EDGE = {"cache", "ui", "ui_query", "urlstate", "presets", "page_params", "warmup"}  # the Streamlit edge (urlstate/presets: pure, app-only)
UI_ONLY = ("streamlit", "plotly")


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def layer(mod: str) -> str:
    """'engine', 'experiments', 'plots', 'i18n', 'edge' or 'cli' for a gradflow module."""
    parts = mod.split(".")
    if len(parts) == 1:
        return "engine"  # gradflow/__init__: the public API
    head = parts[1]
    if head in ("experiments", "plots", "i18n"):
        return head
    if head in EDGE:
        return "edge"
    if head == "__main__":
        return "cli"
    return "engine"


def imports(path: Path, mod: str, *, top_only: bool = False) -> list[tuple[str, int, bool]]:
    """(imported module, line, at module level) for every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                continue  # annotations only: never imported at run time
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                out.extend((a.name, child.lineno, top) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = package.split(".")
                    pkg = pkg[: len(pkg) - child.level + 1]
                    base = ".".join(pkg + ([base] if base else []))
                for a in child.names:  # `from . import x` imports the submodule x when there is one
                    full = f"{base}.{a.name}"
                    out.append((full if full in MODULES else base, child.lineno, top))
            visit(child, inner)

    visit(tree, True)
    return [x for x in out if x[2]] if top_only else out


def test_the_engine_and_experiments_import_neither_streamlit_nor_plotly():
    for mod, path in MODULES.items():
        if layer(mod) in ("engine", "experiments", "cli", "i18n"):
            bad = [(m, line) for m, line, _ in imports(path, mod) if m.split(".")[0] in UI_ONLY]
            assert not bad, f"{mod} imports {bad}: the core and the experiments never import streamlit or plotly"


def test_plots_import_plotly_numpy_and_nothing_of_the_engine():
    for mod, path in MODULES.items():
        if layer(mod) == "plots":
            for m, line, _ in imports(path, mod):
                root = m.split(".")[0]
                assert root != "streamlit", f"{mod}:{line} imports streamlit"
                assert not (root == "gradflow" and not m.startswith("gradflow.plots")), f"{mod}:{line} imports {m}"


def test_layers_point_one_way():
    allowed = {  # a layer may import these layers
        "engine": {"engine"},
        "experiments": {"engine", "experiments"},
        "plots": {"plots"},
        "i18n": {"i18n"},
        "edge": {"engine", "experiments", "plots", "i18n", "edge"},
        "cli": {"engine", "experiments"},
    }
    for mod, path in MODULES.items():
        for m, line, _ in imports(path, mod):
            if m.startswith("gradflow") and m in MODULES | {"gradflow": None}:
                assert layer(m) in allowed[layer(mod)], (
                    f"{mod} ({layer(mod)}) imports {m} ({layer(m)}) at line {line}: layers point one way, "
                    "engine -> experiments -> cache -> pages")


def test_pages_never_import_the_cells_or_bptt():
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [f"{node.module}.{a.name}" for a in node.names] + [node.module or ""]
                     if isinstance(node, ast.ImportFrom) else [])
            for n in names:
                assert not n.startswith(("gradflow.cells", "gradflow.bptt")), \
                    f"{path.name} imports {n}: pages go through gradflow.experiments and gradflow.cache"


def test_no_import_cycles():
    graph = {mod: {m for m, _, _ in imports(p, mod, top_only=True) if m in MODULES} - {mod}
             for mod, p in MODULES.items()}
    # A package's __init__ re-exporting its own submodules is not a cycle of concepts: drop parent <- child edges.
    graph = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}
    state, stack = {}, []

    def dfs(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if d not in state:
                dfs(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            dfs(m)


def test_imports_inside_functions_say_why():
    for mod, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for m, line, top in imports(path, mod):
            if not top:
                here, above = lines[line - 1], lines[max(0, line - 4):line - 1]
                assert "#" in here or any(a.strip().startswith("#") for a in above), (
                    f"{mod}:{line} imports {m} inside a function without a comment saying why "
                    "(imports belong at module top)")


def test_files_fit_on_a_few_screens():
    for path in [*MODULES.values(), ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        n = text.count("\n")
        if n > MAX_LINES:
            doc = ast.get_docstring(ast.parse(text)) or ""
            assert "longer than" in doc.lower(), (
                f"{path.relative_to(ROOT)} has {n} lines: split it, or say in its docstring why it is longer than "
                f"{MAX_LINES}")


def test_importing_gradflow_loads_no_ui_library():
    code = "import sys, gradflow, gradflow.experiments; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "streamlit" not in out and "plotly" not in out


def test_the_package_is_installed_and_imports_from_any_folder(tmp_path):
    try:
        importlib.metadata.distribution("gradflow")
    except importlib.metadata.PackageNotFoundError:
        if os.environ.get("CI") == "true":
            raise AssertionError("gradflow is not installed: requirements-dev.txt installs it with `-e .`") from None
        pytest.skip("gradflow is not installed (pip install -e .)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", "import gradflow; print(gradflow.__file__)"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, check=True).stdout
    assert Path(out.strip()).resolve().parent == PKG
