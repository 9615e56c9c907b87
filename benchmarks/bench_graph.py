"""Cost of the unrolled graph: `graph_data`, the figure, and the JSON the browser receives.

    python benchmarks/bench_graph.py [--repeats 5] [--H 64]

For every cell and T = 100, 500 (loss summed over steps, truncation at T/4,
so cut edges and loss nodes are all drawn) it prints the median time of
`graph_data` (mostly the T step-Jacobian norms), of `fig_unrolled_graph`
with its frames, of `fig.to_json()`, and the JSON's size: what one page
view sends to the browser. The Flow itself is built once, outside the timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from gradflow import i18n  # noqa: E402
from gradflow.experiments.flow import FlowSettings, run  # noqa: E402
from gradflow.experiments.graph import graph_data  # noqa: E402
from gradflow.plots import fig_unrolled_graph  # noqa: E402

LABELS = {k[len("fig.graph."):]: i18n.t(k, "en") for k in i18n.TABLES["graph"] if k.startswith("fig.graph.")}


def median_time(fn, repeats):
    out = fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--H", type=int, default=64)
    args = ap.parse_args(argv)
    print(f"H = {args.H}, median of {args.repeats}; loss = sum, truncate = T/4")
    print(f"{'cell':<5} {'T':>4} {'nodes':>5} {'frames':>6} {'data ms':>8} {'figure ms':>9} {'to_json ms':>10} "
          f"{'JSON kB':>8}")
    for T in (100, 500):
        for cell in ("rnn", "lstm", "gru"):
            s = FlowSettings(cell=cell, T=T, H=args.H, loss="sum", truncate=T // 4)
            params, flow = run(s)
            t_data, d = median_time(lambda: graph_data(flow, params, s.loss), args.repeats)
            t_fig, fig = median_time(lambda: fig_unrolled_graph(d, labels=LABELS), args.repeats)
            t_json, js = median_time(fig.to_json, args.repeats)
            print(f"{cell:<5} {T:>4} {len(d['steps']):>5} {len(fig.frames):>6} {1e3 * t_data:>8.1f} "
                  f"{1e3 * t_fig:>9.1f} {1e3 * t_json:>10.1f} {len(js) / 1e3:>8.0f}")


if __name__ == "__main__":
    main()
