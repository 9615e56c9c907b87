"""Page speed of the Streamlit app in headless Chromium.

For every page (app.py and pages/*.py): the cold load, from navigation in a
fresh browser (empty cache) until the app is idle with its charts drawn; and,
on pages with a slider, the time from an arrow-key press on the first slider
until the last chart mutation of the redraw, as median and p95 over --presses
presses. The server is started once on 127.0.0.1 and warmed up by one visit of
the home page first (its Python imports are reported separately).

Unless --no-floor is given, the same measurements are taken in the same run
on a minimal Streamlit app (one slider, one plotly line chart, nothing else):
the "Streamlit floor" of this machine. The ratios page / floor are what to
compare across machines; the absolute times depend on the CPU and its load
(Chromium renders in software here).

Usage (from the project root, after pip install -r requirements-dev.txt and
with Debian's chromium installed):
    python benchmarks/bench_app.py [--presses 20] [--pages main,Vanishing_Gradients]
                                   [--app-dir DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

# One copy of the browser code: the tests' helper module.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import browser_support as bs  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gradflow, when not installed
from gradflow.presets import PAGE_PARAMS, PRESETS, link_values  # noqa: E402
from gradflow.urlstate import option_label, query_for  # noqa: E402


def p95(xs: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def measure_page(browser, base_url: str, page: bs.PageInfo, presses: int) -> dict:
    ctx = bs.new_context(browser)  # fresh cache: a cold load
    try:
        tab = bs.AppPage(ctx.new_page(), base_url)
        load = tab.open(page.url_path)
        row = {"page": page.name, "load_s": load["rendered_ms"] / 1000, "redraw_ms": [],
               "no_chart_change": 0, "problems": tab.problems()}
        state = tab.state()
        if not state["sliders"]:
            return row
        for _ in range(presses):
            r = tab.press_slider()
            if r["chart_ms"] is None or not r["charts_changed"]:
                row["no_chart_change"] += 1
            else:
                row["redraw_ms"].append(r["chart_ms"])
        row["problems"] += [p for p in tab.problems() if p not in row["problems"]]
        return row
    finally:
        ctx.close()


FLOOR_APP = """\
import numpy as np
import plotly.graph_objects as go
import streamlit as st

rho = st.slider("rho", 0.0, 3.0, 1.0, 0.05)
t = np.arange(100)
fig = go.Figure(go.Scatter(x=t, y=rho ** (99.0 - t)))
fig.update_yaxes(type="log")
st.plotly_chart(fig)
"""


def measure_floor(browser, presses: int) -> dict:
    """Load and redraw of the minimal app (FLOOR_APP) on its own server."""
    folder = Path(tempfile.mkdtemp(prefix="bench_app_floor_"))
    (folder / "app.py").write_text(FLOOR_APP)
    server = bs.StreamlitServer(folder, folder / "server.log")
    try:
        server.start()
        page = bs.PageInfo("streamlit floor", "/", folder / "app.py")
        measure_page(browser, server.base_url, page, presses=0)  # server imports
        return measure_page(browser, server.base_url, page, presses)
    finally:
        server.stop()


def print_table(rows: list[dict], floor: dict | None = None) -> None:
    everything = rows + ([floor] if floor else [])
    width = max(len("page"), *(len(r["page"]) for r in everything))
    fmed = statistics.median(floor["redraw_ms"]) if floor and floor["redraw_ms"] else None
    print(f"{'page':<{width}}  {'load s':>7}  {'redraw median ms':>16}  {'p95 ms':>7}  {'presses':>7}"
          + ("  load/floor  redraw/floor" if floor else ""))
    for r in everything:
        d = r["redraw_ms"]
        med = f"{statistics.median(d):.0f}" if d else "-"
        top = f"{p95(d):.0f}" if d else "-"
        n = len(d) + r["no_chart_change"]
        line = f"{r['page']:<{width}}  {r['load_s']:>7.2f}  {med:>16}  {top:>7}  {n:>7}"
        if floor:
            rl = f"{r['load_s'] / floor['load_s']:.2f}"
            rr = f"{statistics.median(d) / fmed:.2f}" if d and fmed else "-"
            line += f"  {rl:>10}  {rr:>12}"
        print(line)
    for r in rows:
        if r["no_chart_change"]:
            print(f"note: {r['page']}: {r['no_chart_change']} press(es) changed no chart")
        for p in r["problems"]:
            print(f"PROBLEM: {r['page']}: {p}")


def every_view(pages: list) -> list:
    """Every tab of every page and every preset, as PageInfo entries whose URL opens them (English labels)."""
    by_file = {p.source.name: p for p in pages}
    out = []
    for page_file, params in PAGE_PARAMS.items():
        page = by_file.get(Path(page_file).name)
        view = next((q for q in params if q.key == "view"), None)
        if page is None or view is None:
            continue
        for code in view.options:
            if code != view.default:
                q = urlencode({"view": option_label("view", code, "en")})
                out.append(bs.PageInfo(f"{page.name}?view={code}", f"{page.url_path}?{q}", page.source))
    for preset in PRESETS:
        page = by_file.get(Path(preset.page).name)
        if page is not None:
            q = urlencode(query_for(link_values(preset), None, "en"), doseq=True)
            out.append(bs.PageInfo(f"preset {preset.name}", f"{page.url_path}?{q}", page.source))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app-dir", type=Path, default=bs.default_app_dir(),
                    help="folder holding app.py (default: $GRADFLOW_APP_DIR or the project root)")
    ap.add_argument("--presses", type=int, default=20, help="slider presses per page")
    ap.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    ap.add_argument("--views", action="store_true",
                    help="also every tab of every page and every lecture preset (each opened by its link)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--no-floor", action="store_true", help="skip the minimal-app baseline")
    args = ap.parse_args(argv)

    if not (args.app_dir / "app.py").is_file():
        print(f"no app.py in {args.app_dir}", file=sys.stderr)
        return 2
    pages = bs.discover_pages(args.app_dir)
    if args.pages:
        wanted = {w.strip() for w in args.pages.split(",") if w.strip()}
        pages = [p for p in pages if p.name in wanted]
    if args.views:
        pages += every_view(pages or bs.discover_pages(args.app_dir))
    exe = bs.find_chromium()
    if exe is None:
        print("Chromium not found: install Debian's chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp(prefix="bench_app_")) / "server.log"
    server = bs.StreamlitServer(args.app_dir, log)
    t0 = time.monotonic()
    try:
        server.start()
        print(f"server healthy after {time.monotonic() - t0:.1f} s ({server.base_url})",
              file=sys.stderr)
        with sync_playwright() as pw:
            browser = bs.launch_chromium(pw, exe)
            print(f"chromium {browser.version}; warming up the server", file=sys.stderr)
            home = bs.discover_pages(args.app_dir)[0]
            warm = measure_page(browser, server.base_url, home, presses=0)
            print(f"first visit (server imports + cold browser): {warm['load_s']:.2f} s",
                  file=sys.stderr)
            rows = []
            for page in pages:
                print(f"measuring {page.url_path}", file=sys.stderr)
                rows.append(measure_page(browser, server.base_url, page, args.presses))
            server.stop()  # one server at a time: they share the CPU
            floor = None
            if not args.no_floor:
                print("measuring the minimal app (streamlit floor)", file=sys.stderr)
                floor = measure_floor(browser, args.presses)
            browser.close()
    finally:
        server.stop()
    print_table(rows, floor)
    if args.json:
        args.json.write_text(json.dumps({"first_visit_s": warm["load_s"], "pages": rows, "floor": floor},
                                        indent=2) + "\n")
    return 1 if any(r["problems"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
