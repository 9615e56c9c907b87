"""`python -m gradflow`: train/eval/gradhist end to end on a tiny PTB slice (progress bars included),
recipes and the lr schedule, the flow table, and errors."""

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gradflow
from gradflow.__main__ import RECIPES, main, parse_args, train_config
from gradflow.data import ptb_status

PTB_OK, PTB_REASON = ptb_status()
ROOT = Path(gradflow.__file__).resolve().parents[1]


def run(args, cwd):
    """`python -m gradflow ARGS` in a subprocess, from `cwd`, with this checkout importable."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "gradflow", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env=env)
needs_ptb = pytest.mark.skipif(not PTB_OK, reason=f"Penn Treebank not available: {PTB_REASON}")


@needs_ptb
def test_train_two_steps_then_eval_and_resume(tmp_path, capsys):
    out = tmp_path / "tiny.npz"
    # 1,500 tokens in 20 streams of 75 give two windows of 35: a two-step epoch
    args = ["train", "--cell", "gru", "--embed", "8", "--hidden", "8", "--tie", "--epochs", "1",
            "--max-tokens", "1500", "--valid-tokens", "800", "--out", str(out)]
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "2 steps/epoch" in lines[0]
    m = re.fullmatch(r"tokens/s (\d+) valid_perplexity ([\d.]+)", lines[-1])
    assert m and float(m.group(2)) > 1
    assert out.exists()

    assert main(["eval", str(out), "--split", "valid", "--max-tokens", "800"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # 800 tokens in 10 streams of 80: windows of 35, 35 and 9, one progress line each (not a TTY)
    assert [ln.split("]")[1].split()[0] for ln in lines if ln.startswith("eval valid [")] == ["1/3", "2/3", "3/3"]
    m2 = re.fullmatch(r"perplexity ([\d.]+)", lines[-1])
    assert m2 and float(m2.group(1)) == pytest.approx(float(m.group(2)), rel=1e-3)  # same weights, same tokens

    assert main(args) == 2  # refuses to overwrite without --resume
    assert "--resume" in capsys.readouterr().err
    args[args.index("--epochs") + 1] = "2"
    assert main([*args, "--resume", "--lr", "3"]) == 0
    captured = capsys.readouterr()
    assert "from epoch 2 to 2" in captured.out and "epoch 2:" in captured.out
    assert " lr 3 " in captured.out and "replaced by --lr 3" in captured.err


@needs_ptb
def test_gradhist_shows_progress_and_writes_json(tmp_path, capsys):
    ckpt, hist = tmp_path / "tiny.npz", tmp_path / "norms.json"
    assert main(["train", "--cell", "rnn", "--embed", "8", "--hidden", "8", "--tie", "--epochs", "1",
                 "--max-tokens", "1500", "--valid-tokens", "800", "--out", str(ckpt)]) == 0
    capsys.readouterr()
    assert main(["gradhist", str(ckpt), "--out", str(hist), "--batches", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    # (3 + 5 warm-up) windows for the trained model, then as many for a random init: a line a tenth
    done = [int(ln.split("]")[1].split("/")[0]) for ln in lines if ln.startswith("gradhist")]
    assert len(done) == 10 and done == sorted(done) and done[-1] == 16 and "/16 windows" in lines[0]
    assert lines[-1].startswith(f"wrote {hist}")
    with open(hist) as fh:
        data = json.load(fh)
    assert len(data["trained"]["norms"]) == len(data["random_init"]["norms"]) == 3


def test_a_recipe_gives_defaults_that_explicit_options_override():
    a = parse_args(["train", "--recipe", "lstm", "--out", "x.npz"])
    cfg, r = train_config(a), RECIPES["lstm"]
    assert (cfg.model.cell, cfg.model.layers, cfg.model.embed, cfg.model.hidden) == ("lstm", 2, 200, 200)
    assert cfg.model.tie and cfg.model.dropout == r["dropout"] and cfg.epochs == r["epochs"]
    assert cfg.lr == r["lr"] and cfg.lr_schedule == r["lr_schedule"] and (a.store, a.seed) == ("float16", 0)
    a = parse_args(["train", "--recipe", "lstm", "--layers", "1", "--epochs", "2", "--lr", "3", "--dropout", "0",
                    "--lr-schedule", "2:0.5", "--store", "float32", "--seed", "5", "--out", "x.npz"])
    cfg = train_config(a)
    assert (cfg.model.layers, cfg.epochs, cfg.lr, cfg.model.dropout, cfg.lr_schedule) == (1, 2, 3.0, 0.0, ((2, 0.5),))
    assert cfg.model.embed == 200 and cfg.model.tie and (a.store, a.seed) == ("float32", 5)  # the rest still the recipe's
    rnn = train_config(parse_args(["train", "--recipe", "rnn", "--out", "x.npz"]))
    assert (rnn.model.cell, rnn.model.layers, rnn.lr, rnn.epochs) == ("rnn", 1, 2.0, 12)
    plain = train_config(parse_args(["train", "--out", "x.npz"]))  # no recipe: the documented defaults
    assert (plain.model.layers, plain.model.hidden, plain.lr, plain.epochs, plain.lr_schedule) == (1, 100, 20.0, 4, ())


@needs_ptb
def test_lr_schedule_sets_the_lr_at_the_start_of_the_given_epochs(tmp_path, capsys):
    """A recipe shrunk to a tiny model and slice: epochs 2 and 3 run at the scheduled rates."""
    args = ["train", "--recipe", "rnn", "--embed", "8", "--hidden", "8", "--epochs", "3", "--lr", "1",
            "--lr-schedule", "2:0.5,3:0.25", "--max-tokens", "1500", "--valid-tokens", "800",
            "--out", str(tmp_path / "s.npz")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "lr 1" in out.splitlines()[0]
    for epoch, lr in [(1, "1"), (2, "0.5"), (3, "0.25")]:  # the last step of every epoch is printed
        steps = [ln for ln in out.splitlines() if ln.startswith(f"epoch {epoch}/3 [")]
        assert steps and all(f" lr {lr} " in ln for ln in steps), (epoch, steps)
    assert [ln for ln in out.splitlines() if ln.startswith("epoch 3:")]


@pytest.mark.parametrize("text,message", [("6", "EPOCH:LR"), ("0:5", "epochs must be"), ("2:-1", "finite and > 0")])
def test_bad_lr_schedules_are_usage_errors(text, message, capsys):
    with pytest.raises(SystemExit) as e:
        parse_args(["train", "--lr-schedule", text, "--out", "x.npz"])
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_flow_prints_a_table_and_writes_csv(tmp_path, capsys):
    path = tmp_path / "flow.csv"
    assert main(["flow", "--cell", "lstm", "-T", "12", "-H", "6", "--rho", "1.2", "--kind", "orthogonal",
                 "--seed", "0", "--csv", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:3] == ["t", "dh_norm", "dc_norm"]
    assert len([ln for ln in out if re.match(r"\s+\d+\s", ln)]) == 12
    with open(path) as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and int(rows[-1]["t"]) == 11
    dh = np.array([float(r["dh_norm"]) for r in rows])
    assert dh[-1] == pytest.approx(1.0)  # the loss at the last step has a unit upstream vector
    assert np.all(np.isfinite(dh)) and np.all(dh > 0)


def test_flow_linear_rnn_follows_rho_to_the_k(capsys, tmp_path):
    """Orthogonal W_hh scaled by rho, linear RNN: ||dL/dh_{T-1-k}|| = rho^k exactly."""
    path = tmp_path / "lin.csv"
    assert main(["flow", "--cell", "rnn", "--nonlinearity", "linear", "-T", "10", "-H", "5",
                 "--rho", "0.8", "--csv", str(path)]) == 0
    with open(path) as fh:
        dh = np.array([float(r["dh_norm"]) for r in csv.DictReader(fh)])
    np.testing.assert_allclose(dh, 0.8 ** np.arange(9, -1, -1), rtol=1e-12)
    assert gradflow.CELLS == ("rnn", "lstm", "gru")


@pytest.mark.parametrize("args,needle", [
    (["eval", "missing.npz"], "missing.npz not found"),
    (["flow", "-T", "0"], "-T"),
    (["flow", "--kind", "spiral"], "spiral"),
    (["train", "--embed", "10", "--hidden", "20", "--tie", "--out", "x.npz"], "embed == hidden"),
])
def test_errors_are_one_line_without_traceback(args, needle, tmp_path):
    r = run(args, tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    r = run(["eval", str(bad)], tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "bad.npz" in r.stderr and "corrupt or truncated" in r.stderr
