"""Language-model speed in DLFS2's configuration, against a GEMM floor and DLFS2's own loop.

Configuration (DLFS2 ch06 Rnnlm): one LSTM layer, D = H = 100, V = 10,000,
T = 35, B = 20, float32, SGD lr 20 with global-norm clipping at 0.25, no
dropout, untied weights, on PTB train windows.

Reported, each as the median over --repeats runs:
- train: tokens/s of gradflow.trainer.train (the generator the CLI and the app use);
- eval: tokens/s of gradflow.trainer.evaluate on PTB valid;
- GEMM floor: the same embedding gather/scatter, LSTM matmuls (input
  projection, every per-step recurrent matmul forward and backward, weight
  gradients) and output-layer matmuls timed alone in this run, with the
  same BLAS threading as the real code; the ratio train / floor;
- the fused softmax's remaining pass (exp and row sums) timed alone;
- DLFS2's own training loop (python ../shared/tools/dlfs2_speed.py), when the
  folder ../shared exists beside the project root; otherwise that column is skipped.

Run it on an otherwise idle machine: python benchmarks/bench_lm.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench_flow import median_time  # noqa: E402  (this folder is on sys.path when run as a script)
from gradflow.cells._loop import single_thread  # noqa: E402
from gradflow.data import load_ids  # noqa: E402
from gradflow.lm import LMConfig, init_model  # noqa: E402
from gradflow.softmax import Workspace, default_threads  # noqa: E402
from gradflow.trainer import TrainConfig, evaluate, train  # noqa: E402

V, D, H, T, B = 10_000, 100, 100, 35, 20
N = T * B


def time_train(steps: int, warmup: int = 5) -> float:
    """tokens/s of `train` over `steps` steps after `warmup` ones (the epoch-end validation is not timed)."""
    cfg = TrainConfig(model=LMConfig(cell="lstm", vocab_size=V, embed=D, hidden=H), epochs=1, batch=B,
                      bptt=T, max_tokens=B * (T * (steps + warmup) + 1), valid_tokens=2000,
                      grad_norms_every=0)
    stamps = []
    for ev in train(cfg, seed=0):
        if ev["event"] == "step":
            stamps.append(time.perf_counter())
    assert len(stamps) == steps + warmup, len(stamps)
    return steps * N / (stamps[-1] - stamps[warmup - 1])


def time_eval(tokens: int) -> float:
    model = init_model(LMConfig(cell="lstm", vocab_size=V, embed=D, hidden=H), 0)
    return evaluate(model, load_ids("valid")[:tokens], batch=B, bptt=T)["tokens_per_s"]


def gemm_floor(reps: int) -> dict:
    """Seconds per step of the matmuls (and the embedding gather/scatter) alone."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    emb, ids = rng.standard_normal((V, D)).astype(f32), rng.integers(0, V, N)
    g_emb, d_x = np.zeros((V, D), f32), rng.standard_normal((N, D)).astype(f32)
    w_x, w_h = rng.standard_normal((4 * H, D)).astype(f32), rng.standard_normal((H, 4 * H)).astype(f32)
    w_hb = np.ascontiguousarray(w_h.T)  # (4H, H) for the backward step
    xs, hs = rng.standard_normal((N, D)).astype(f32), rng.standard_normal((N, H)).astype(f32)
    dz, rec, rec_b = rng.standard_normal((T, B, 4 * H)).astype(f32), np.empty((B, 4 * H), f32), np.empty((B, H), f32)
    h_aug, W = rng.standard_normal((N, H + 1)).astype(f32), rng.standard_normal((V, H + 1)).astype(f32)
    E, gW, dh = np.empty((N, V), f32), np.empty((V, H + 1), f32), np.empty((N, H), f32)

    def recurrent(fwd):
        with single_thread():  # as in the cells' time loops
            for t in range(T):
                if fwd:
                    np.matmul(hs[t * B:(t + 1) * B], w_h, out=rec)
                else:
                    np.matmul(dz[t], w_hb, out=rec_b)

    parts = {
        "embedding gather": lambda: emb[ids],
        "embedding scatter-add": lambda: np.add.at(g_emb, ids, d_x),
        "LSTM input GEMM": lambda: xs @ w_x.T,
        "LSTM recurrent fwd (T steps)": lambda: recurrent(True),
        "LSTM recurrent bwd (T steps)": lambda: recurrent(False),
        "LSTM weight grads + dx": lambda: (dz.reshape(N, 4 * H).T @ xs, dz.reshape(N, 4 * H).T @ hs,
                                           dz.reshape(N, 4 * H) @ w_x),
        "output fwd GEMM": lambda: np.matmul(h_aug, W.T, out=E),
        "output dW GEMM": lambda: np.matmul(E.T, h_aug, out=gW),
        "output dh GEMM": lambda: np.matmul(E, W[:, :H], out=dh),
    }
    out = {k: median_time(f, reps) for k, f in parts.items()}
    E[...] = rng.standard_normal(E.shape).astype(f32) * 0.1
    ws = Workspace(LMConfig(cell="lstm", vocab_size=V, embed=D, hidden=H), N, f32)
    out["(softmax exp + row sums, not in the floor)"] = median_time(lambda: ws.exp_rowsum(E), reps)
    return out


def dlfs2(shared: str) -> float | None:
    script = os.path.join(shared, "tools", "dlfs2_speed.py")
    r = subprocess.run([sys.executable, script], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        print(f"dlfs2_speed.py failed: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return float(r.stdout.strip().splitlines()[-1].split()[1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=100, help="timed training steps per repeat")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--eval-tokens", type=int, default=30_000)
    p.add_argument("--no-dlfs2", action="store_true", help="skip DLFS2's loop even if ../shared exists")
    a = p.parse_args(argv)

    shared = os.path.join(os.path.dirname(ROOT), "shared")
    run_dlfs2 = os.path.isdir(shared) and not a.no_dlfs2
    print(f"LSTM LM, V={V} D=H={H} T={T} B={B}, float32, SGD + clipping; BLAS threads {default_threads()}, "
          f"median of {a.repeats}")
    train_tps = statistics.median(time_train(a.steps) for _ in range(a.repeats))
    eval_tps = statistics.median(time_eval(a.eval_tokens) for _ in range(a.repeats))
    parts = gemm_floor(reps=max(5, 3 * a.repeats))
    floor = sum(v for k, v in parts.items() if not k.startswith("("))
    eval_keys = ("embedding gather", "LSTM input GEMM", "LSTM recurrent fwd (T steps)", "output fwd GEMM")
    eval_floor = sum(parts[k] for k in eval_keys)
    ref = dlfs2(shared) if run_dlfs2 else None

    print("\nGEMM floor parts (ms per window of T*B tokens)")
    for k, v in parts.items():
        print(f"  {k:<42} {v * 1e3:8.2f}")
    rows = [("train (gradflow)", train_tps, floor), ("eval (gradflow)", eval_tps, eval_floor)]
    head = f"\n{'':<20} {'tokens/s':>10} {'ms/step':>8} {'floor ms':>9} {'x floor':>8}"
    print(head + (f" {'x DLFS2':>8}" if ref else ""))
    for name, tps, fl in rows:
        ms = N / tps * 1e3
        line = f"{name:<20} {tps:>10,.0f} {ms:>8.1f} {fl * 1e3:>9.1f} {ms / (fl * 1e3):>8.2f}"
        if ref:
            line += f" {tps / ref:>8.2f}" if name.startswith("train") else f" {'':>8}"
        print(line)
    if ref:
        print(f"{'train (DLFS2 own)':<20} {ref:>10,.0f} {N / ref * 1e3:>8.1f}")
    elif not a.no_dlfs2:
        print("(DLFS2 column skipped: no ../shared folder beside the project)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
