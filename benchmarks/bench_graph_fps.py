"""Frame rate of the unrolled graph's animation in a headless Chromium, with its build time and payload.

    python benchmarks/bench_graph_fps.py [--H 64] [--seconds 3] [--repeats 3] [--T 100 500]

For every cell and T (loss summed over steps, truncation at T/4, as in
bench_graph.py: every node, loss node and cut is drawn) it builds the figure
(`graph_data` + `fig_unrolled_graph`, median time), writes it to an HTML page
that holds only that figure (plotly.io.to_html; the plotly.js bundled in the
plotly package, loaded from a file next to the page: offline), opens the page
in an installed Chromium (Playwright, never a downloaded browser), clicks
▶ Play and counts `plotly_animatingframe` events:

  fps       frames per second at the app's frame time (FRAME_MS = 80 ms: at most 12.5)
  max fps   the same figure with 1-ms frames: how fast the browser can redraw a frame (plotly.js
            steps its animation on requestAnimationFrame: at most the display rate, about 60)

each over at most `--seconds` seconds after the first frame (or until the
animation ends), the median over `--repeats` page loads. The payload is the
figure's JSON, what a page view sends to the browser. Timings depend on the
machine and its load: compare rows, not absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import plotly.io as pio
from plotly.offline import get_plotlyjs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import browser_support as bs  # noqa: E402
from gradflow import i18n  # noqa: E402
from gradflow.experiments.flow import FlowSettings, run  # noqa: E402
from gradflow.experiments.graph import graph_data  # noqa: E402
from gradflow.plots import fig_unrolled_graph  # noqa: E402
from gradflow.plots.graph import FRAME_MS  # noqa: E402

LABELS = {k[len("fig.graph."):]: i18n.t(k, "en") for k in i18n.TABLES["graph"] if k.startswith("fig.graph.")}

# Records the time (ms) of every animation frame and whether the animation ended.
LISTEN_JS = r"""
() => {
  const gd = document.querySelector('.plotly-graph-div');
  window.__frames = [];
  window.__ended = false;
  gd.on('plotly_animatingframe', () => window.__frames.push(performance.now()));
  gd.on('plotly_animated', () => { window.__ended = true; });
}
"""
DONE_JS = r"""
([seconds]) => window.__ended || (window.__frames.length > 1
                                   && window.__frames[window.__frames.length - 1] - window.__frames[0] >= seconds * 1000)
"""


def median_time(fn, repeats):
    out = fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def fps_of(page, html_path: Path, seconds: float) -> tuple[float, int]:
    """(frames per second, frames counted) of one playback of the figure in html_path."""
    page.goto(html_path.as_uri())
    page.wait_for_selector(".plotly-graph-div .main-svg")
    page.wait_for_function("() => document.querySelectorAll('.updatemenu-button').length >= 2")
    page.evaluate(LISTEN_JS)
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(DONE_JS, arg=[seconds], timeout=(seconds + 30) * 1000)
    times = page.evaluate("() => window.__frames")
    if len(times) < 2:
        return float("nan"), len(times)
    return (len(times) - 1) / ((times[-1] - times[0]) / 1000), len(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--H", type=int, default=64)
    ap.add_argument("--T", type=int, nargs="+", default=[100, 500])
    ap.add_argument("--seconds", type=float, default=3.0, help="counting window after the first frame")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    exe = bs.find_chromium()
    if exe is None:
        sys.exit("no installed Chromium found (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # only here: the timing part above needs no browser

    print(f"H = {args.H}; loss = sum, truncate = T/4; build: median of {args.repeats}; fps: median of "
          f"{args.repeats} page loads, ≤ {args.seconds:g} s each; frame time {FRAME_MS} ms "
          f"(at most {1000 / FRAME_MS:.1f} fps)")
    print(f"{'cell':<5} {'T':>4} {'frames':>6} {'build ms':>9} {'JSON kB':>8} {'fps':>6} {'max fps':>8}")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        tmp = Path(tmp)
        (tmp / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")  # the package's own bundle
        browser = bs.launch_chromium(pw, exe)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for T in args.T:
            for cell in ("rnn", "lstm", "gru"):
                s = FlowSettings(cell=cell, T=T, H=args.H, loss="sum", truncate=T // 4)
                params, flow = run(s)
                t_build, fig = median_time(
                    lambda: fig_unrolled_graph(graph_data(flow, params, s.loss), labels=LABELS), args.repeats)
                payload = len(fig.to_json())
                rates = {}
                for key, ms in (("fps", FRAME_MS), ("max", 1)):
                    f = fig_unrolled_graph(graph_data(flow, params, s.loss), labels=LABELS, frame=0, frame_ms=ms)
                    path = tmp / f"{cell}_{T}_{key}.html"
                    path.write_text(pio.to_html(f, include_plotlyjs="plotly.min.js", full_html=True,
                                                auto_play=False, default_width="1000px"), encoding="utf-8")
                    rates[key] = statistics.median(fps_of(page, path, args.seconds)[0] for _ in range(args.repeats))
                print(f"{cell:<5} {T:>4} {len(fig.frames):>6} {1e3 * t_build:>9.1f} {payload / 1e3:>8.0f} "
                      f"{rates['fps']:>6.1f} {rates['max']:>8.1f}", flush=True)
        browser.close()


if __name__ == "__main__":
    main()
