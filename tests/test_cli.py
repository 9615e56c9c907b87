"""`python -m gradflow`: train/eval end to end on a tiny PTB slice, the flow table, and errors."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gradflow
from gradflow.__main__ import main
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
    last = capsys.readouterr().out.strip().splitlines()[-1]
    m2 = re.fullmatch(r"perplexity ([\d.]+)", last)
    assert m2 and float(m2.group(1)) == pytest.approx(float(m.group(2)), rel=1e-3)  # same weights, same tokens

    assert main(args) == 2  # refuses to overwrite without --resume
    assert "--resume" in capsys.readouterr().err
    args[args.index("--epochs") + 1] = "2"
    assert main([*args, "--resume", "--lr", "3"]) == 0
    captured = capsys.readouterr()
    assert "from epoch 2 to 2" in captured.out and "epoch 2:" in captured.out
    assert " lr 3 " in captured.out and "replaced by --lr 3" in captured.err


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
