"""Bounded memory: every Streamlit cache has a size or age limit, and reruns do not leak.

The full soak (500 reruns, RSS growth after warm-up) is `python benchmarks/soak_app.py`.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE_DECORATORS = ("cache_data", "cache_resource")


def _decorators(tree: ast.AST):
    """(function name, decorator node) of every st.cache_data / st.cache_resource use."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                f = d.func if isinstance(d, ast.Call) else d
                if isinstance(f, ast.Attribute) and f.attr in CACHE_DECORATORS:
                    yield node.name, d


def test_every_cache_has_max_entries_or_a_ttl():
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "gradflow").glob("*.py"))]
    found = {}
    for f in files:
        for name, d in _decorators(ast.parse(f.read_text(encoding="utf-8"))):
            found[f"{f.name}:{name}"] = d
    assert sum(k.startswith("cache.py:") for k in found) >= 10  # the app's caches live in gradflow/cache.py
    for where, d in found.items():
        assert isinstance(d, ast.Call), f"{where}: a bare cache decorator has neither max_entries nor ttl"
        limits = {kw.arg: kw.value for kw in d.keywords if kw.arg in ("max_entries", "ttl")}
        assert limits, f"{where}: no max_entries or ttl"
        for arg, v in limits.items():
            assert not (isinstance(v, ast.Constant) and v.value is None), f"{where}: {arg}=None is no limit"


def _soak_module():
    spec = importlib.util.spec_from_file_location("soak_app", ROOT / "benchmarks" / "soak_app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_50_random_reruns_do_not_leak():
    soak = _soak_module()
    r = soak.soak(reruns=50, warmup=15, seed=1, new_session_every=25, clear_at_warmup=True)
    print(f"\nsoak: {r['reruns']} reruns, RSS after warm-up {r['rss_warm_mb']:.0f} MB, end {r['rss_end_mb']:.0f} MB, "
          f"caches emptied: {r['rss_warm_cleared_mb']:.0f} → {r['rss_caches_cleared_mb']:.0f} MB")
    assert not r["problems"], r["problems"][:5]
    # Caches may fill up to their limits; what they do not account for must not grow.
    assert r["rss_caches_cleared_mb"] - r["rss_warm_cleared_mb"] < 100, r
    assert r["growth_mb"] < 300, r  # the caches' own bound (a few large flows at H = 512)
