"""Language-model checkpoints: one `.npz` file, loadable with allow_pickle=False.

Keys:
    <PyTorch parameter names>   float16, float32 or float64 arrays (see gradflow.lm)
    __format__                  "gradflow-lm-1"
    __config__                  (1,) str: the LMConfig as JSON
    __vocab__                   (V,) str: the vocabulary, id order (absent for a model without one)
    __vocab_sha256__            str: sha256 of the vocabulary (gradflow.data.Vocab.digest)
    __resume__                  (1,) str, optional: JSON training state for `train --resume`
                                (gradflow.trainer.check_resume)

A write goes to a temporary file in the same folder, which then replaces the
target with os.replace, so an interrupted save never destroys a good file.
Every problem on load (missing, truncated or corrupt file, unknown format,
bad config, vocabulary hash mismatch, missing or mis-shaped weights, invalid
training state) raises FileNotFoundError or ValueError naming the file and
the problem.

Before any array is read, `load` checks the zip directory and every entry's
.npy header: the names, the uncompressed sizes (MAX_BYTES in all, MAX_TEXT_BYTES
for a text entry), the declared shapes and dtypes (each weight's shape must be
the one its config gives). So a small file that would inflate to gigabytes, or
a header claiming an enormous shape, is refused at once, naming the entry.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
import zlib

import numpy as np

from gradflow.data import Vocab
from gradflow.lm import LanguageModel, LMConfig, check_params, param_shapes
from gradflow.trainer import check_resume

FORMAT = "gradflow-lm-1"
# The repository's models/ folder: the trained PTB models shipped with it (see models/README.md)
# and the gradient-norm statistics the app reads. The one definition of where they are.
MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models")
SHIPPED = ("lstm", "gru", "rnn")
STORAGE = ("float16", "float32", "float64")
_META = ("__format__", "__config__", "__vocab__", "__vocab_sha256__", "__resume__")
# The most a checkpoint may hold uncompressed, all entries together (the shipped models hold
# under 20 MB); and the most one text entry (format, config, hash, training state) may hold.
MAX_BYTES = 512 * 2**20
MAX_TEXT_BYTES = 2**20


def save(path, model: LanguageModel, *, dtype: str = "float32", resume: dict | None = None) -> None:
    """Write `model` (and an optional JSON-able training state) to `path` atomically.

    dtype: storage precision of the weights, "float16" (half the size; what
    the shipped models use), "float32" or "float64". resume: see trainer.check_resume.
    """
    if not isinstance(dtype, str) or dtype not in STORAGE:
        raise ValueError(f"storage dtype must be one of {STORAGE}, got {dtype!r}")
    path = os.fspath(path)
    check_params(model.config, model.params)
    if resume is not None:
        check_resume(resume)  # a state that load would refuse is not written
    arrays = {k: np.asarray(model.params[k], dtype=dtype) for k in param_shapes(model.config)}
    if dtype == "float16":
        over = [k for k, a in arrays.items() if not np.all(np.isfinite(a))]
        if over:
            raise ValueError(f"parameters {over} overflow float16; save with dtype='float32'")
    arrays["__format__"] = np.array(FORMAT)
    arrays["__config__"] = np.array([model.config.to_json()])
    if model.vocab is not None:
        arrays["__vocab__"] = model.vocab.to_array()
        arrays["__vocab_sha256__"] = np.array(model.vocab.digest())
    if resume is not None:
        arrays["__resume__"] = np.array([json.dumps(resume)])
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save {path}: folder {folder} does not exist")
    write_atomic(path, lambda f: np.savez(f, **arrays), binary=True, fsync=True)



def write_atomic(path, write, *, binary: bool = False, fsync: bool = False) -> None:
    """Call write(file) on a temporary file next to `path`, then move it over `path` in one step.

    A crash, Ctrl-C or SIGTERM midway leaves the old file as it was and no temporary file behind.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", newline="", encoding="utf-8")) as f:
            write(f)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

_CORRUPT = (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError, RuntimeError, NotImplementedError,
            zlib.error, zipfile.LargeZipFile)  # zipfile reports a damaged header as "encrypted" (RuntimeError)
# or as an unknown compression method (NotImplementedError): all mean a corrupt file


def _corrupt(path, err) -> ValueError:
    return ValueError(f"checkpoint {path} is corrupt or truncated: not a readable .npz file ({err})")


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """(shape, dtype) from the .npy header of one member, reading nothing of its data."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version not in ((1, 0), (2, 0)):
            raise ValueError(f"entry {info.filename}: unsupported .npy version {version}")
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read(f)
        room = info.file_size - f.tell()
    if dtype.hasobject:
        raise ValueError(f"entry {info.filename} holds Python objects, not numbers or text")
    declared = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if declared > room:
        raise ValueError(f"entry {info.filename} declares shape {shape} of {dtype} ({declared:,} bytes) but holds "
                         f"{room:,} bytes")
    return shape, dtype


def _directory(path: str, zf: zipfile.ZipFile) -> dict:
    """name -> (ZipInfo, shape, dtype) of every entry, from the zip directory and the .npy headers only."""
    infos = zf.infolist()
    names = [i.filename for i in infos]
    odd = [n for n in names if not n.endswith(".npy")]
    if odd or len(set(names)) != len(names):
        raise ValueError(f"checkpoint {path}: entry {(odd or names)[0]!r} is "
                         f"{'not a .npy array' if odd else 'there more than once'}; it is not a gradflow checkpoint")
    total = sum(i.file_size for i in infos)
    if total > MAX_BYTES:
        big = max(infos, key=lambda i: i.file_size)
        raise ValueError(f"checkpoint {path} would inflate to {total:,} bytes (entry {big.filename[:-4]!r} alone "
                         f"{big.file_size:,}); the limit is {MAX_BYTES:,} (gradflow.checkpoint.MAX_BYTES)")
    try:
        entries = {i.filename[:-4]: (i, *_header(zf, i)) for i in infos}
    except _CORRUPT as err:
        raise _corrupt(path, err) from None
    for k, (info, shape, dtype) in entries.items():
        if k in _META and k != "__vocab__" and (info.file_size > MAX_TEXT_BYTES or dtype.kind != "U"):
            raise ValueError(f"checkpoint {path}: {k} must be a short string, got {dtype} {shape} "
                             f"({info.file_size:,} bytes; at most {MAX_TEXT_BYTES:,})")
    return entries


def _read_entry(path, zf, entries, key):
    try:
        with zf.open(entries[key][0]) as f:
            return np.lib.format.read_array(f, allow_pickle=False)
    except _CORRUPT as err:
        raise _corrupt(path, err) from None


def _check_weights(path: str, config: LMConfig, entries: dict) -> None:
    """Names, dtypes and shapes of the weight entries against the config, before reading them."""
    shapes = param_shapes(config)
    params = {k: v for k, v in entries.items() if k not in _META}
    missing, extra = [k for k in shapes if k not in params], [k for k in params if k not in shapes]
    if missing or extra:
        raise ValueError(f"checkpoint {path}: {'missing' if missing else 'unexpected'} parameters "
                         f"{missing or extra}; expected {list(shapes)}")
    bad = [k for k, (_, _, dtype) in params.items() if dtype.name not in STORAGE]
    if bad:
        raise ValueError(f"checkpoint {path}: weights {bad} have dtype {params[bad[0]][2]}; expected one of {STORAGE}")
    for k, (_, shape, _) in params.items():
        if shape != shapes[k]:
            raise ValueError(f"checkpoint {path}: parameter {k} has shape {shape}, expected {shapes[k]}")
    if "__vocab__" in entries:
        _, shape, dtype = entries["__vocab__"]
        if dtype.kind != "U" or shape != (config.vocab_size,):
            raise ValueError(f"checkpoint {path}: __vocab__ must be {config.vocab_size} words (the config's "
                             f"vocab_size), got {dtype} {shape}")


def _read(path: str) -> dict:
    """All arrays of the file, or a ValueError that says it is not a readable checkpoint.

    Everything is checked against the zip directory, the .npy headers and the config before the
    weights are read (see the module docstring).
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"checkpoint {path} not found")
    if os.path.isdir(path):
        raise ValueError(f"checkpoint {path} is a folder, expected a .npz file")
    try:
        zf = zipfile.ZipFile(path)
    except _CORRUPT as err:
        raise _corrupt(path, err) from None
    with zf:
        entries = _directory(path, zf)
        arrays = {k: _read_entry(path, zf, entries, k) for k in ("__format__", "__config__") if k in entries}
        fmt = _text(arrays, "__format__", path)
        if fmt != FORMAT:
            raise ValueError(f"checkpoint {path} has format {fmt!r}; this version reads {FORMAT!r}")
        arrays["config"] = _config(path, arrays)
        _check_weights(path, arrays["config"], entries)
        arrays.update({k: _read_entry(path, zf, entries, k) for k in entries if k not in arrays})
    return arrays


def _config(path: str, arrays: dict) -> LMConfig:
    try:
        return LMConfig.from_json(_text(arrays, "__config__", path))
    except (ValueError, TypeError, RecursionError) as err:
        raise ValueError(f"checkpoint {path} has an invalid model config: {err}") from None


def _text(arrays: dict, key: str, path: str) -> str:
    if key not in arrays:
        raise ValueError(f"checkpoint {path} has no {key} entry; it is not a gradflow language-model checkpoint")
    a = arrays[key]
    if a.dtype.kind != "U" or a.size != 1:
        raise ValueError(f"checkpoint {path}: {key} must be a single string, got {a.dtype} {a.shape}")
    return str(a.reshape(-1)[0])


def check_vocab(model: LanguageModel, vocab: Vocab, path="the model") -> None:
    """ValueError unless `model` was trained with `vocab` (compared by sha256)."""
    if model.vocab is None:
        raise ValueError(f"checkpoint {path} stores no vocabulary; expected one with sha256 {vocab.digest()[:12]}…")
    if model.vocab.digest() != vocab.digest():
        raise ValueError(f"checkpoint {path} was trained with a different vocabulary (sha256 "
                         f"{model.vocab.digest()[:12]}…) than the one expected ({vocab.digest()[:12]}…)")


def load(path, *, vocab: Vocab | None = None, with_resume: bool = False):
    """Read a checkpoint. Returns a LanguageModel, or (model, resume dict or None) with `with_resume`.

    vocab: when given, the checkpoint's vocabulary must be this one (same
    sha256), e.g. the PTB vocabulary before evaluating on PTB ids.
    float16 weights are returned as float32 (exactly); others as stored.
    """
    path = os.fspath(path)
    arrays = _read(path)
    config = arrays.pop("config")
    model_vocab = None
    if "__vocab__" in arrays:
        try:
            model_vocab = Vocab.from_array(arrays["__vocab__"])
        except ValueError as err:
            raise ValueError(f"checkpoint {path} has an invalid vocabulary: {err}") from None
        digest = _text(arrays, "__vocab_sha256__", path)
        if model_vocab.digest() != digest:
            raise ValueError(f"checkpoint {path}: the stored vocabulary does not match its sha256 "
                             f"{digest[:12]}… (the file is corrupt)")
        if len(model_vocab) != config.vocab_size:
            raise ValueError(f"checkpoint {path}: vocabulary has {len(model_vocab)} words but the "
                             f"config says vocab_size={config.vocab_size}")
    params = {k: a for k, a in arrays.items() if k not in _META}
    bad = [k for k, a in params.items() if a.dtype.name not in STORAGE]
    if bad:
        raise ValueError(f"checkpoint {path}: weights {bad} have dtype {params[bad[0]].dtype}; "
                         f"expected one of {STORAGE}")
    try:
        check_params(config, params)
    except ValueError as err:
        raise ValueError(f"checkpoint {path}: {err}") from None
    params = {k: (a.astype(np.float32) if a.dtype == np.float16 else a) for k, a in params.items()}
    model = LanguageModel(config, params, model_vocab)
    if vocab is not None:
        check_vocab(model, vocab, path)
    if not with_resume:
        return model
    resume = None
    if "__resume__" in arrays:
        try:
            resume = json.loads(_text(arrays, "__resume__", path))
        except (json.JSONDecodeError, RecursionError) as err:
            raise ValueError(f"checkpoint {path} has an unreadable training state: {err}") from None
        try:
            check_resume(resume)
        except ValueError as err:
            raise ValueError(f"checkpoint {path} has an invalid training state: {err}") from None
    return model, resume


def is_checkpoint(path) -> bool:
    """True if `path` is a gradflow checkpoint (a zip whose __format__ entry is FORMAT); reads that entry only."""
    try:
        with zipfile.ZipFile(os.fspath(path)) as zf:
            info = zf.getinfo("__format__.npy")
            if info.file_size > MAX_TEXT_BYTES:
                return False
            with zf.open(info) as f:
                a = np.lib.format.read_array(f, allow_pickle=False)
        return a.dtype.kind == "U" and a.size == 1 and str(a.reshape(-1)[0]) == FORMAT
    except _CORRUPT:
        return False


def shipped_path(name: str) -> str | None:
    """Path of the shipped PTB model `name` (one of SHIPPED): models/<name>.npz, or None if it is missing."""
    if not isinstance(name, str) or name not in SHIPPED:
        raise ValueError(f"unknown shipped model {name!r}; expected one of {SHIPPED}")
    path = os.path.join(MODELS_DIR, f"{name}.npz")
    return path if os.path.exists(path) else None
