"""Memory soak: many reruns of the app with random settings; does the process's RSS stay flat?

The pages run in this process through Streamlit's AppTest (the same script
runner and the same st.cache_data / st.cache_resource as the server), so the
RSS of this process (VmRSS in /proc/self/status) is the server's memory for
one shared app. Each rerun picks a page's session, sets one to three of the
widgets it shows (found by walking the element tree) to random allowed
values, and reruns it; every --new-session-every reruns every session is
replaced by a new one (new students arrive, old sessions are dropped).
Buttons are never pressed (no training runs).

Reported: RSS after the warm-up reruns, its peak, at the end, and the growth
end − warm-up (issue 6 target: under 50 MB after 500 reruns).

Usage (from the project root):
    python benchmarks/soak_app.py [--reruns 500] [--warmup 50] [--seed 0] [--json out.json]
Exit status 1 if a rerun raised or showed an exception, or the growth is 50 MB or more.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PAGES = ("app.py", "pages/1_Vanishing_Gradients.py", "pages/2_Gradient_Clipping.py", "pages/3_Gates_on_PTB.py",
         "pages/4_Training.py")
TARGET_MB = 50.0
SKIP_KEYS = ("text", "word")  # free text: the AppTest grid fuzzes it; here it would only add cache keys of one kind


def rss_mb() -> float:
    """This process's resident set size in MB (Linux /proc)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise OSError("no VmRSS in /proc/self/status")


def _cleared_rss() -> float:
    """RSS after emptying every st.cache_data / st.cache_resource (they refill on the next reruns)."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    gc.collect()
    return rss_mb()


def new_session(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if page != "app.py":
        at.switch_page(page)
    return at.run()


def _widgets(at) -> list:
    out = []
    for kind in ("slider", "number_input", "selectbox", "radio", "segmented_control", "pills", "multiselect",
                 "toggle", "checkbox"):
        out += [w for w in at.get(kind) if getattr(w, "key", None) and w.key not in SKIP_KEYS
                and not getattr(w, "disabled", False)]
    return out


def random_value(w, rng: random.Random):
    """A random allowed value of an AppTest widget (None if it has no choice to make)."""
    kind = type(w).__name__
    if kind in ("Slider", "NumberInput"):
        lo, hi = w.min, w.max
        if isinstance(lo, int) and isinstance(hi, int):
            return rng.randint(lo, hi)
        step = getattr(w, "step", None) or (hi - lo) / 100
        return round(lo + step * rng.randint(0, int(round((hi - lo) / step))), 10)
    if kind in ("Toggle", "Checkbox"):
        return rng.random() < 0.5
    opts = list(getattr(w, "options", []) or [])
    if not opts:
        return None
    if kind in ("Multiselect", "ButtonGroup") and isinstance(w.value, list):
        return rng.sample(opts, rng.randint(1, len(opts)))
    return rng.choice(opts)


def soak(reruns: int = 500, warmup: int = 50, seed: int = 0, new_session_every: int = 100,
         log=None, clear_at_warmup: bool = False) -> dict:
    """Run `reruns` random reruns; returns RSS figures (MB), counts and the exceptions seen.

    rss_caches_cleared_mb: RSS with the Streamlit caches emptied at the end;
    with clear_at_warmup also rss_warm_cleared_mb, the same after the warm-up
    (the caches then refill): their difference is memory that no cache
    accounts for (a leak), whatever the caches held.
    """
    rng = random.Random(seed)
    sessions: dict = {}
    problems: list[str] = []
    rss_warm = peak = rss_warm_cleared = None
    t0 = time.perf_counter()
    for i in range(reruns):
        if i % new_session_every == 0:
            sessions.clear()
        page = rng.choice(PAGES)
        at = sessions.get(page)
        if at is None:
            at = sessions[page] = new_session(page)
        widgets = _widgets(at)
        for w in rng.sample(widgets, min(len(widgets), rng.randint(1, 3))):
            v = random_value(w, rng)
            if v is not None:
                # the value is an option object (code) for choice widgets: set it as the user would pick it
                w.set_value(v)
        try:
            at.run()
        except Exception as e:  # a rerun that raises in the runner itself is a finding, not a crash of the soak
            problems.append(f"rerun {i} {page}: {type(e).__name__}: {e}")
            sessions.pop(page, None)
            continue
        problems += [f"rerun {i} {page}: {x.message[:300]}" for x in at.exception]
        if i + 1 == warmup:
            gc.collect()
            rss_warm = rss_mb()
            if clear_at_warmup:
                rss_warm_cleared = _cleared_rss()
        if rss_warm is not None:
            peak = max(peak or 0.0, rss_mb())
        if log is not None and (i + 1) % 50 == 0:
            print(f"{i + 1:>4} reruns  RSS {rss_mb():7.1f} MB  {time.perf_counter() - t0:6.0f} s", file=log)
    sessions.clear()
    gc.collect()
    rss_end = rss_mb()
    rss_cleared = _cleared_rss()  # what the caches held is returned; a leak would stay
    return {"rss_caches_cleared_mb": rss_cleared, "rss_warm_cleared_mb": rss_warm_cleared,
            "reruns": reruns, "warmup": warmup, "seed": seed, "seconds": round(time.perf_counter() - t0, 1),
            "rss_warm_mb": rss_warm, "rss_peak_mb": peak, "rss_end_mb": rss_end,
            "growth_mb": None if rss_warm is None else rss_end - rss_warm, "problems": problems}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reruns", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=50, help="reruns before the reference RSS is taken")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--new-session-every", type=int, default=100)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    r = soak(args.reruns, args.warmup, args.seed, args.new_session_every, log=sys.stderr)
    print(f"{'reruns':>6}  {'warm-up':>7}  {'RSS after warm-up MB':>20}  {'peak MB':>7}  {'end MB':>6}  "
          f"{'growth MB':>9}  {'caches cleared MB':>17}  {'exceptions':>10}  {'s':>5}")
    print(f"{r['reruns']:>6}  {r['warmup']:>7}  {r['rss_warm_mb']:>20.1f}  {r['rss_peak_mb']:>7.1f}  "
          f"{r['rss_end_mb']:>6.1f}  {r['growth_mb']:>9.1f}  {r['rss_caches_cleared_mb']:>17.1f}  "
          f"{len(r['problems']):>10}  {r['seconds']:>5.0f}")
    for p in r["problems"][:20]:
        print(f"PROBLEM: {p}")
    if args.json:
        args.json.write_text(json.dumps(r, indent=2) + "\n")
    return 1 if r["problems"] or r["growth_mb"] >= TARGET_MB else 0


if __name__ == "__main__":
    sys.exit(main())
