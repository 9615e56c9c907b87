"""Regressions for the holes a hostile probe found in the CLI, checkpoints, the trainer and the data API.

A diverged run ends with a clear message and keeps the last good checkpoint; a forged checkpoint
(a zip bomb, a header claiming a huge shape) is refused before any array is read; output files are
checked, locked and never clobbered before the work starts; SIGTERM cleans up as Ctrl-C does; flow
refuses a run that cannot fit in memory; bad arguments of the data, evaluate and gradstats functions
raise ValueErrors naming them.
"""

import io
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import gradflow.__main__ as cli
from gradflow import checkpoint, data, outfiles
from gradflow.bptt import flow_memory_bytes
from gradflow.data import Vocab
from gradflow.experiments.flow import FlowSettings
from gradflow.experiments.flow import run as run_flow
from gradflow.gradstats import gradient_norm_histogram, gradient_norm_samples
from gradflow.lm import LMConfig, init_model
from gradflow.trainer import TrainConfig, TrainingDiverged, evaluate, train
from test_cli import ROOT, needs_ptb, run

TINY = ["--cell", "rnn", "--embed", "8", "--hidden", "8", "--tie", "--max-tokens", "1500", "--valid-tokens", "800"]
posix_only = pytest.mark.skipif(os.name == "nt", reason="sends SIGTERM")


def tiny_model(V=11):
    return init_model(LMConfig(cell="lstm", vocab_size=V, layers=1, embed=4, hidden=4), 0)


def forbid(monkeypatch, target, name):
    def called(*a, **k):
        raise AssertionError(f"{name} ran before the output path was checked")
    monkeypatch.setattr(target, name, called)


# ---------------------------------------------------------------- 1. divergence
def test_a_diverging_run_raises_after_its_last_good_epoch():
    """lr 1000 without clipping overflowed math.exp (OverflowError); the run must end with TrainingDiverged."""
    ids = np.random.default_rng(0).integers(0, 11, 400)
    cfg = TrainConfig(model=LMConfig(cell="rnn", vocab_size=11, layers=1, embed=5, hidden=4), epochs=3, batch=2,
                      bptt=5, lr=0.5, clip=None, lr_schedule=((2, 1e30),))
    events = []
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged, match=r"diverged at epoch 2 step \d+: the "):
        events.extend(train(cfg, ids, ids[:100], seed=0))
    epochs = [e for e in events if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == [1]  # the diverged epoch is never yielded: its weights are never kept
    assert all(np.isfinite(v).all() for v in epochs[0]["model"].params.values())
    cfg = TrainConfig(**{**cfg.__dict__, "epochs": 1, "lr": 1e30, "lr_schedule": ()})
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged, match="training loss of 10 steps in a row") as e:
        list(train(cfg, ids, ids[:100], seed=0))
    assert e.value.epoch == 1 and e.value.step < 39  # detected within the epoch (39 steps), not after it


def test_evaluate_reports_an_overflowing_perplexity_as_inf():
    model = tiny_model()
    big = {k: v * 1e4 for k, v in model.params.items()}
    ids = np.random.default_rng(0).integers(0, 11, 200)
    with np.errstate(all="ignore"):
        r = evaluate(type(model)(model.config, big, None), ids, batch=2, bptt=5, dtype="float64")
    assert r["loss"] > 709 and r["perplexity"] == float("inf")


@needs_ptb
def test_cli_train_divergence_keeps_the_last_good_checkpoint(tmp_path):
    out = tmp_path / "d.npz"
    r = run(["train", *TINY, "--epochs", "2", "--lr", "1", "--lr-schedule", "2:1e30", "--no-clip", "--out", str(out)],
            tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert "training diverged at epoch 2 step 4" in r.stderr and f"last good checkpoint is kept in {out}" in r.stderr
    _, state = checkpoint.load(out, with_resume=True)
    assert state["epoch"] == 1 and np.isfinite(state["best_valid_perplexity"])
    r = run(["train", *TINY, "--epochs", "1", "--lr", "1e30", "--no-clip", "--out", str(tmp_path / "e.npz")], tmp_path)
    assert r.returncode == 2 and "diverged at epoch 1" in r.stderr and "nothing was saved" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npz"]


# ---------------------------------------------------------------- 2. forged checkpoints
def guard_reads(monkeypatch, limit=2**20):
    """np.lib.format.read_array (np.load's reader too) refuses an entry declaring more than `limit` bytes."""
    real = np.lib.format.read_array

    def guarded(fp, *a, **k):
        version = np.lib.format.read_magic(fp)
        header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = header(fp)
        assert int(np.prod(shape, dtype=object)) * dtype.itemsize <= limit, f"read an entry of shape {shape}"
        fp.seek(0)
        return real(fp, *a, **k)
    monkeypatch.setattr(np.lib.format, "read_array", guarded)


def npy_header(shape, descr="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def write_zip(path, members):
    """A zip of (name, raw deflate data, crc, uncompressed size) members, written by hand."""
    out, central = bytearray(), bytearray()
    for name, raw, crc, size in members:
        n = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size, len(n),
                               0, 0, 0, 0, 0, len(out)) + n
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(n), 0) + n + raw
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                                 len(out), 0)
    path.write_bytes(bytes(out))


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


@pytest.fixture
def members(tmp_path):
    """The members of a real checkpoint (a tied GRU: decoder.bias is its last weight), as write_zip takes them."""
    model = init_model(LMConfig(cell="gru", vocab_size=17, embed=4, hidden=4, tie=True), 0,
                       Vocab(tuple(f"w{i}" for i in range(17))))
    checkpoint.save(tmp_path / "good.npz", model)
    with zipfile.ZipFile(tmp_path / "good.npz") as z:
        return {n: z.read(n) for n in z.namelist()}


def forge(path, members, name, header, zeros):
    """members with entry `name` replaced by `header` + `zeros` zero bytes, deflated 1 MB segment by segment."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    seg = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = seg.compress(bytes(2**20)) + seg.flush(zlib.Z_FULL_FLUSH)  # independent of what comes before it
    raw += block * (zeros // 2**20) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # + a final empty block
    crc = zlib.crc32(bytes(zeros), zlib.crc32(header)) if zeros <= 2**23 else 0  # a bomb's is never checked
    rest = [(n, deflate(d), zlib.crc32(d), len(d)) for n, d in members.items() if n != name]
    write_zip(path, [*rest, (name, raw, crc, len(header) + zeros)])


def test_a_zip_bomb_is_refused_before_any_array_is_read(members, tmp_path, monkeypatch):
    """2 MB that inflate to 2 GiB took 14.5 s and 2.1 GB before 'missing parameters'."""
    bomb = tmp_path / "bomb.npz"
    forge(bomb, members, "decoder.bias.npy", npy_header((2**28,)), 2**31)
    assert bomb.stat().st_size < 3 * 2**20
    guard_reads(monkeypatch)
    tracemalloc.start()
    with pytest.raises(ValueError, match=r"bomb.npz would inflate to 2,147,[\d,]+ bytes \(entry 'decoder.bias' "
                                         r"alone .*the limit is 536,870,912"):
        checkpoint.load(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 2**20


def test_entries_are_checked_against_the_config_before_they_are_read(members, tmp_path, monkeypatch):
    guard_reads(monkeypatch)
    huge = tmp_path / "huge.npz"  # a header claiming 2^40 numbers gave a raw _ArrayMemoryError
    forge(huge, members, "decoder.bias.npy", npy_header((2**40,)), 0)
    with pytest.raises(ValueError, match=r"huge.npz is corrupt.*decoder.bias.npy declares shape \(1099511627776,\)"):
        checkpoint.load(huge)
    wide = tmp_path / "wide.npz"  # 4 MB, within the size limit, but not the config's shape
    forge(wide, members, "decoder.bias.npy", npy_header((2**19,)), 2**22)
    with pytest.raises(ValueError, match=r"wide.npz: parameter decoder.bias has shape \(524288,\), expected \(17,\)"):
        checkpoint.load(wide)
    extra = tmp_path / "extra.npz"
    forge(extra, {**members, "junk.npy": b""}, "junk.npy", npy_header((2**19,)), 2**22)
    with pytest.raises(ValueError, match=r"extra.npz: unexpected parameters \['junk'\]"):
        checkpoint.load(extra)
    text = tmp_path / "text.npz"
    forge(text, members, "__config__.npy", npy_header((2**20,), "<U1"), 2**22)
    with pytest.raises(ValueError, match=r"text.npz: __config__ must be a short string"):
        checkpoint.load(text)
    monkeypatch.undo()
    assert checkpoint.is_checkpoint(tmp_path / "good.npz") and not checkpoint.is_checkpoint(huge.with_suffix(".x"))


# ---------------------------------------------------------------- 3. clobbering, locks, SIGTERM
def test_flow_csv_never_overwrites_another_kind_of_file(tmp_path, capsys):
    target = tmp_path / "lstm.npz"
    target.write_bytes(b"PK\x03\x04 a shipped model")
    assert cli.main(["flow", "-T", "5", "-H", "3", "--csv", str(target)]) == 2
    assert "is not a gradient-flow CSV" in capsys.readouterr().err and target.read_bytes().startswith(b"PK")
    assert cli.main(["flow", "-T", "5", "-H", "3", "--csv", str(target), "--force"]) == 0
    assert target.read_text().startswith("t,dh_norm,")
    assert cli.main(["flow", "-T", "6", "-H", "3", "--csv", str(target)]) == 0  # a flow CSV may be replaced
    assert len(target.read_text().splitlines()) == 7 and not list(tmp_path.glob("*.lock"))


def test_gradhist_and_train_never_overwrite_another_kind_of_file(tmp_path, monkeypatch, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    forbid(monkeypatch, cli.checkpoint, "load")
    forbid(monkeypatch, cli, "load_vocab")
    assert cli.main(["gradhist", "some.npz", "--out", str(notes)]) == 2
    assert "is not a gradient-norm JSON written by `gradhist`" in capsys.readouterr().err
    assert cli.main(["train", "--out", str(notes), "--resume"]) == 2
    assert "notes.txt exists and is not a gradflow checkpoint" in capsys.readouterr().err
    assert notes.read_text() == "my notes"


def test_a_second_run_on_the_same_output_is_refused_and_a_stale_lock_is_taken_over(tmp_path, capsys):
    csv_path = tmp_path / "f.csv"
    lock = tmp_path / "f.csv.lock"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock.write_text(f"{other.pid} {socket.gethostname()}\n")
        assert cli.main(["flow", "-T", "5", "-H", "3", "--csv", str(csv_path)]) == 2
        err = capsys.readouterr().err
        assert f"being written by another gradflow run (pid {other.pid} " in err and not csv_path.exists()
    finally:
        other.kill()
        other.wait()
    assert lock.read_text().startswith(str(other.pid))  # the other run's lock is left alone
    assert cli.main(["flow", "-T", "5", "-H", "3", "--csv", str(csv_path)]) == 0  # its process is gone: taken over
    assert csv_path.exists() and not lock.exists()


@needs_ptb
def test_two_trainings_on_one_out_cannot_both_save(tmp_path):
    out = tmp_path / "m.npz"
    with outfiles.OutputLock(out):  # a run holding --out, as a concurrent `train` does
        r = run(["train", *TINY, "--epochs", "1", "--out", str(out)], tmp_path)
    assert r.returncode == 2 and f"pid {os.getpid()} " in r.stderr and not out.exists()


SLOW_SAVE = """
import pathlib, sys, time
import numpy as np
marker = pathlib.Path(sys.argv[1])
real = np.savez
def slow(f, **arrays):
    real(f, **arrays)
    f.flush()
    marker.write_text("saving")
    time.sleep(60)
np.savez = slow
from gradflow.__main__ import main
sys.exit(main(sys.argv[2:]))
"""

SLOW_CSV = """
import csv, pathlib, sys, time
marker, real = pathlib.Path(sys.argv[1]), csv.writer
class Slow:
    def __init__(self, fh):
        self.fh, self.w = fh, real(fh)
    def writerow(self, row):
        self.w.writerow(row)
    def writerows(self, rows):
        self.w.writerows(rows)
        self.fh.flush()
        marker.write_text("writing")
        time.sleep(60)
csv.writer = Slow
from gradflow.__main__ import main
sys.exit(main(sys.argv[2:]))
"""


def terminate_during(script, args, folder):
    marker = folder / "marker"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    p = subprocess.Popen([sys.executable, "-c", script, str(marker), *args], cwd=folder, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not marker.exists() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), p.communicate()
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=15)
    marker.unlink()
    return p.returncode, err


@posix_only
def test_sigterm_during_a_csv_write_keeps_the_old_file(tmp_path):
    old = tmp_path / "f.csv"
    old.write_text("t,dh_norm,dc_norm\n0,1.0,1.0\n")
    code, err = terminate_during(SLOW_CSV, ["flow", "-T", "50", "-H", "4", "--csv", str(old)], tmp_path)
    assert code == 143 and "terminated" in err and "Traceback" not in err, err
    assert old.read_text() == "t,dh_norm,dc_norm\n0,1.0,1.0\n" and sorted(os.listdir(tmp_path)) == ["f.csv"]


@needs_ptb
@posix_only
def test_sigterm_during_a_checkpoint_save_leaves_no_temporary_file(tmp_path):
    code, err = terminate_during(SLOW_SAVE, ["train", *TINY, "--epochs", "1", "--out", "m.npz"], tmp_path)
    assert code == 143 and "terminated" in err and "Traceback" not in err, err
    assert os.listdir(tmp_path) == []  # no m.npz.*.tmp, no m.npz.lock


# ---------------------------------------------------------------- 4. output paths checked first
@pytest.mark.parametrize("args", [["train", "--out", "{missing}/m.npz"], ["gradhist", "x.npz", "--out", "{missing}/x.json"],
                                  ["flow", "--csv", "{missing}/f.csv"], ["train", "--out", "{file}/m.npz"],
                                  ["gradhist", "x.npz", "--out", "{folder}"]])
def test_output_paths_are_checked_before_any_work(args, tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("")
    for target, name in [(cli, "load_vocab"), (cli, "train"), (cli.checkpoint, "load"), (cli, "run")]:
        forbid(monkeypatch, target, name)
    paths = {"missing": tmp_path / "missing" / "dir", "file": tmp_path / "file", "folder": tmp_path}
    assert cli.main([a.format(**paths) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write --") and any(w in err for w in ("does not exist", "is a folder",
                                                                              "not a folder")), err


# ---------------------------------------------------------------- 5. flow memory
@pytest.mark.parametrize("opt,value", [("-T", "100000000000"), ("-H", "100000"), ("-B", "1000000000")])
def test_flow_refuses_a_run_that_cannot_fit_in_memory(opt, value, monkeypatch, capsys):
    forbid(monkeypatch, cli, "run")
    assert cli.main(["flow", opt, value]) == 2
    err = capsys.readouterr().err
    assert re.search(r"this run needs about [\d.]+ [TP]B; the limit is 4 GB \(--max-memory\)", err), err
    assert err.count("\n") == 1


@pytest.mark.parametrize("cell,T,B,D,H", [("rnn", 400, 8, 30, 40), ("lstm", 200, 4, 64, 64), ("gru", 1000, 1, 16, 32),
                                          ("lstm", 20, 2, 200, 256), ("rnn", 5000, 1, 2, 2)])
def test_the_flow_memory_estimate_is_within_2x_of_the_peak(cell, T, B, D, H):
    tracemalloc.start()
    run_flow(FlowSettings(cell=cell, T=T, B=B, D=D, H=H, forget_bias=0.0))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 0.5 < peak / flow_memory_bytes(cell, T, B, D, H) < 2
    with pytest.raises(ValueError, match="T must be an integer"):
        flow_memory_bytes(cell, 0, B, D, H)


# ---------------------------------------------------------------- 6, 7. API misuse
@pytest.mark.parametrize("kw,match", [({"start": 1.5}, "start must be an int ≥ 0, got 1.5"), ({"start": -1}, "start"),
                                      ({"start": True}, "start"), ({"start": "2"}, "start"), ({"n": 1.5}, "n must be"),
                                      ({"n": -1}, "n must be"), ({"n": True}, "n must be")])
def test_continuing_windows_names_a_bad_argument_when_called(kw, match):
    ids = np.arange(100) % 7
    with pytest.raises(ValueError, match=match):
        data.continuing_windows(ids, **{"batch_size": 2, "bptt": 5, "n": 2, **kw})  # at the call, not at next()


@pytest.mark.parametrize("kw,match", [({"bptt": 0}, "bptt must be a positive int"), ({"bptt": 1.5}, "bptt"),
                                      ({"dtype": "int8"}, "dtype must be"), ({"dtype": "float16"}, "dtype"),
                                      ({"progress": 5}, "progress must be a function"),
                                      ({"model": None}, "model must be a gradflow.lm.LanguageModel")])
def test_evaluate_names_a_bad_argument(kw, match):
    args = {"model": tiny_model(), "ids": np.arange(200) % 11, "batch": 2, "bptt": 5, **kw}
    with pytest.raises(ValueError, match=match):
        evaluate(args.pop("model"), args.pop("ids"), **args)


@pytest.mark.parametrize("fn,kw,match", [
    ("samples", {"batches": 0}, "batches must be a positive int"), ("samples", {"batches": 1.5}, "batches"),
    ("samples", {"batches": True}, "batches"), ("samples", {"dtype": "int8"}, "dtype must be"),
    ("histogram", {"bins": 0}, "bins must be a positive int"), ("histogram", {"bins": 1.5}, "bins"),
    ("histogram", {"clip": float("nan")}, "clip must be a finite number > 0"), ("histogram", {"clip": -1}, "clip"),
    ("histogram", {"clip": "x"}, "clip"), ("histogram", {"model": None}, "model must be"),
])
def test_gradient_statistics_name_a_bad_argument(fn, kw, match):
    f = gradient_norm_samples if fn == "samples" else gradient_norm_histogram
    args = {"model": tiny_model(), "ids": np.arange(2000) % 11, "batches": 2, "batch": 2, "bptt": 5, **kw}
    with pytest.raises(ValueError, match=match):
        f(args.pop("model"), args.pop("ids"), **args)
