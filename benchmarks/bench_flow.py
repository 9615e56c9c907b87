"""Speed of the engine: `gradient_flow` against its GEMM floor, PyTorch, and the sweep.

    python benchmarks/bench_flow.py [--repeats 30] [--quick] [--sweep-only]

For every cell and (T, B, D, H) it prints the median time of one full
`gradient_flow` (forward, backward, norms), the "GEMM floor" (the same
matmuls timed alone, in the same run), their ratio, and, when torch is
installed, PyTorch float64 autograd unrolled with retain_grad on every h_t.
Then a 64-radius sweep against one single run, against its own GEMM floor
(the input GEMM and the 2·T recurrent matmuls of 64 rows: what the sweep
cannot avoid) and against a Python loop over the radii.
Ratios are measured in one run: the machine is shared, absolute times drift.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gradflow as gf  # noqa: E402
from gradflow import cells  # noqa: E402
from gradflow.cells._loop import single_thread  # noqa: E402
from gradflow.experiments.flow import FlowSettings, build  # noqa: E402

CONFIGS = [(100, 1, 64, 64), (200, 1, 256, 256), (100, 32, 128, 128), (1000, 1, 64, 64)]
CELLS = [("rnn", {}), ("lstm", {}), ("gru", {}), ("gru", {"variant": "cho"})]


def median_time(fn, repeats):
    fn()  # warm up: caches, page faults, BLAS threads
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def gemm_floor(cell, opts, T, B, D, H, repeats):
    """Only the matmuls gradient_flow must do: input GEMM, 2·T recurrent matmuls, weight GEMMs."""
    G = cells.NUM_GATES[cell]
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T * B, D))
    w_ih, w_hh = rng.standard_normal((G * H, D)), rng.standard_normal((G * H, H))
    w_hhT = np.ascontiguousarray(w_hh.T)
    h = rng.standard_normal((B, H))
    dz = rng.standard_normal((T * B, G * H))
    out_f, out_b = np.empty((B, G * H)), np.empty((B, H))
    per_step = 2 if opts.get("variant") == "cho" else 1  # Cho's GRU: r before its candidate matmul
    dzs = dz.reshape(T, B, G * H)

    def run():
        xs @ w_ih.T
        for t in range(T * per_step):
            np.matmul(h, w_hhT, out=out_f)
        for t in range(T * per_step):
            np.matmul(dzs[t % T], w_hh, out=out_b)
        dz.T @ xs
        dz.T @ xs[:, :H] if D >= H else None
        dz @ w_ih

    def run_single_thread_loops():
        with single_thread():
            run()

    return min(median_time(run, repeats), median_time(run_single_thread_loops, repeats))


def sweep_floor(cell, opts, T, R, D, H, repeats):
    """Only the matmuls a sweep over R radii must do: the input GEMM and 2·T recurrent matmuls of R rows."""
    G = cells.NUM_GATES[cell]
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T * R, D))
    w_ih, w_hhT = rng.standard_normal((G * H, D)), rng.standard_normal((H, G * H))
    w_hh = np.ascontiguousarray(w_hhT.T)
    h, dz = rng.standard_normal((R, H)), rng.standard_normal((R, G * H))
    out_f, out_b = np.empty((R, G * H)), np.empty((R, H))
    per_step = 2 if opts.get("variant") == "cho" else 1

    def run():
        xs @ w_ih.T
        with single_thread():  # as in the cells' time loops
            for _ in range(T * per_step):
                np.matmul(h, w_hhT, out=out_f)
            for _ in range(T * per_step):
                np.matmul(dz, w_hh, out=out_b)

    return median_time(run, repeats)


def torch_time(cell, T, B, D, H, repeats):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    mod = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[cell](D, H).double()
    xs = torch.randn(T, B, D, dtype=torch.float64)
    up = torch.randn(B, H, dtype=torch.float64)

    def run():
        h = torch.zeros(B, H, dtype=torch.float64)
        c = torch.zeros(B, H, dtype=torch.float64)
        hs = []
        for t in range(T):
            if cell == "lstm":
                h, c = mod(xs[t], (h, c))
            else:
                h = mod(xs[t], h)
            h.retain_grad()
            hs.append(h)
        (hs[-1] * up).sum().backward()
        mod.zero_grad()

    return median_time(run, repeats)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="first config only")
    ap.add_argument("--sweep-only", action="store_true", help="only the sweep table")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'cell':<9} {'T,B,D,H':<17} {'flow ms':>9} {'floor ms':>9} {'ratio':>6} {'torch ms':>9} {'speed-up':>8}")
    for T, B, D, H in [] if args.sweep_only else CONFIGS[:1] if args.quick else CONFIGS:
        reps = max(3, args.repeats if T * B * H <= 100 * 64 else args.repeats // 5)
        for cell, opts in CELLS:
            params = cells.init_params(cell, D, H, rng)
            xs = rng.standard_normal((T, B, D))
            up = gf.make_upstream(T, B, H, "last", rng)
            flow_t = median_time(lambda: gf.gradient_flow(cell, params, xs, up, **opts), reps)
            floor = gemm_floor(cell, opts, T, B, D, H, reps)
            tt = torch_time(cell, T, B, D, H, reps) if not opts else None
            name = cell + ("-cho" if opts else "")
            torch_cols = f"{tt * 1e3:9.2f} {tt / flow_t:7.1f}x" if tt else f"{'-':>9} {'-':>8}"
            print(f"{name:<9} {str((T, B, D, H)):<17} {flow_t * 1e3:9.2f} {floor * 1e3:9.2f} "
                  f"{flow_t / floor:6.2f} {torch_cols}", flush=True)

    print("\nsweep: 64 radii, T=100, H=64, B=1")
    print(f"{'cell':<9} {'single ms':>9} {'sweep ms':>9} {'x single':>8} {'floor ms':>9} {'x floor':>7} "
          f"{'floor x single':>14} {'loop ms':>9} {'loop/sweep':>10}")
    rhos = np.linspace(0, 3, 64)
    for cell, opts in CELLS:
        base = build(FlowSettings(cell=cell, T=100, H=64, **opts))  # the app's phase-map problem at ρ = 1
        params, xs, up = {**base.params, "weight_hh": base.unit_hh}, base.xs, base.upstream
        single = median_time(lambda: gf.gradient_flow(cell, params, xs, up, **opts), args.repeats)
        swept = median_time(lambda: gf.sweep(cell, params, xs, up, rhos, **opts), max(3, args.repeats // 5))

        def loop():
            for rho in rhos:
                gf.gradient_flow(cell, {**params, "weight_hh": rho * params["weight_hh"]}, xs, up, **opts)

        looped = median_time(loop, 3)
        floor = sweep_floor(cell, opts, 100, rhos.size, 64, 64, max(3, args.repeats // 5))
        name = cell + ("-cho" if opts else "")
        print(f"{name:<9} {single * 1e3:9.2f} {swept * 1e3:9.2f} {swept / single:7.1f}x {floor * 1e3:9.2f} "
              f"{swept / floor:6.1f}x {floor / single:13.1f}x {looped * 1e3:9.1f} {looped / swept:9.1f}x", flush=True)


if __name__ == "__main__":
    main()
