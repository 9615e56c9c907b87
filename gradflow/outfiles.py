"""The command line's output files: checked before the work, never clobbered, locked while written.

- `check_writable(path, option)`: before any work, the folder exists and a file can be created
  in it (tried, not guessed from permission bits), and `path` is not a folder.
- `refuse_foreign(path, kind, option, force)`: an existing file at `path` must be the command's
  own kind (KINDS: a gradflow checkpoint, a `flow` CSV, a `gradhist` JSON) or empty, unless force.
- `OutputLock(path, option)`: `PATH.lock`, created with O_CREAT | O_EXCL, holds "pid host". A
  second run refuses, naming that pid; a lock whose process is gone (same host) is taken over; the
  lock is removed when the run ends. Liveness: os.kill(pid, 0) on POSIX; on Windows, where
  os.kill(pid, 0) would send CTRL_C_EVENT, OpenProcess and GetExitCodeProcess. A lock written on
  another host cannot be checked and counts as held (delete it by hand if that run is gone).
- `guarded(path, kind, option, force)`: all three, in that order, for the run of a command.
- `write_text_atomic(path, write)`: a temporary file in the same folder, then os.replace; the
  temporary file is removed on any exception, SIGTERM included.
- `human_bytes(n)`: a size as the messages show it ("3.2 TB").
- `terminate_as_interrupt()`: while it is active, SIGTERM (and SIGHUP where it exists) raise
  `Terminated`, a KeyboardInterrupt, so the cleanup that runs on Ctrl-C runs on them too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import socket
import tempfile
import threading
import time

from gradflow import checkpoint

STALE_EMPTY_SECONDS = 10.0  # an empty or garbled lock older than this is left over from a crash


def check_writable(path, option: str) -> str:
    """`path` (str) if a file can be written there, else ValueError/FileNotFoundError naming the problem."""
    path = os.fspath(path)
    if not path or path.endswith(("/", os.sep)):
        raise ValueError(f"{option} must name a file, got {path!r}")
    if os.path.isdir(path):
        raise ValueError(f"cannot write {option} {path}: it is a folder")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {option} {path}: folder {folder} "
                                + ("is a file, not a folder" if os.path.exists(folder) else "does not exist"))
    try:
        fd, probe = tempfile.mkstemp(prefix=".gradflow-probe-", dir=folder)
    except OSError as err:
        raise PermissionError(f"cannot write {option} {path}: folder {folder} is not writable "
                              f"({err.strerror or err})") from None
    os.close(fd)
    os.remove(probe)
    return path


@contextlib.contextmanager
def guarded(path, kind: str, option: str, force: bool = False):
    """check_writable, then OutputLock held while the block runs, refuse_foreign once it is held."""
    check_writable(path, option)
    with OutputLock(path, option):
        refuse_foreign(path, kind, option, force)
        yield


def human_bytes(n: float) -> str:
    """3.2e12 -> '3.2 TB' (powers of 1000)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 999.5:
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} EB"


def _flow_csv(head: bytes) -> bool:
    return head.startswith(b"t,dh_norm,")


def _gradhist_json(head: bytes) -> bool:
    return re.match(rb'\s*\{\s*"format"\s*:\s*"gradflow-gradnorms-1"', head) is not None


# kind -> (description, test of the file's first 4 KB or of its path)
KINDS = {"checkpoint": ("a gradflow checkpoint", None), "csv": ("a gradient-flow CSV written by `flow`", _flow_csv),
         "json": ("a gradient-norm JSON written by `gradhist`", _gradhist_json)}


def refuse_foreign(path, kind: str, option: str, force: bool = False) -> None:
    """ValueError if `path` exists, is not empty and is not of `kind` (see KINDS), unless `force`."""
    path = os.fspath(path)
    if force or not os.path.isfile(path) or os.path.getsize(path) == 0:
        return
    what, test = KINDS[kind]
    if test is None:
        ok = checkpoint.is_checkpoint(path)
    else:
        with open(path, "rb") as fh:
            ok = test(fh.read(4096))
    if not ok:
        raise ValueError(f"{path} exists and is not {what}; not overwriting it: choose another {option}"
                         + ("" if kind == "checkpoint" else ", or pass --force to replace it"))


def write_text_atomic(path, write) -> None:
    """Call write(text file) on a temporary file next to `path`, then move it over `path`."""
    checkpoint.write_atomic(path, write)


# --------------------------------------------------------------------------
# The lock
# --------------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether process `pid` of this host is running (True when that cannot be told)."""
    if pid <= 0:
        return False
    if os.name == "nt":
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # ERROR_ACCESS_DENIED: it exists
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return not ok or code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, under another user
        return True
    return True


def _read(lock: str) -> str | None:
    try:
        with open(lock, encoding="utf-8", errors="replace") as fh:
            return fh.read(200)
    except FileNotFoundError:
        return None


def _owner(text: str) -> tuple[int, str] | None:
    m = re.fullmatch(r"(\d+) (\S+)\s*", text)
    return (int(m.group(1)), m.group(2)) if m else None


class OutputLock:
    """`with OutputLock(path, "--out"):` holds PATH.lock for the run (see the module docstring)."""

    def __init__(self, path, option: str = "--out"):
        self.path, self.option = os.fspath(path), option
        self.lock = self.path + ".lock"
        self.mine = f"{os.getpid()} {socket.gethostname()}\n"
        self.held = False

    def _stale(self, text: str) -> bool:
        owner = _owner(text)
        if owner is None:  # being written right now, or left over from a crash
            try:
                return time.time() - os.path.getmtime(self.lock) > STALE_EMPTY_SECONDS
            except FileNotFoundError:
                return True
        return owner[1] == socket.gethostname() and not pid_alive(owner[0])

    def __enter__(self):
        for _ in range(3):
            try:
                fd = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                text = _read(self.lock)
                if text is None:  # released meanwhile: try again
                    continue
                if not self._stale(text):
                    owner = _owner(text)
                    who = f"pid {owner[0]} on {owner[1]}" if owner else "a run that is starting"
                    raise ValueError(f"{self.path} is being written by another gradflow run ({who}); wait for "
                                     f"it to end or choose another {self.option} (if no such run exists, delete "
                                     f"{self.lock})") from None
                if _read(self.lock) == text:  # still the stale one: take it over
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(self.lock)
                continue
            except OSError as err:
                raise PermissionError(f"cannot create the lock file {self.lock} for {self.option} "
                                      f"({err.strerror or err})") from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self.mine)
            self.held = True
            return self
        raise ValueError(f"cannot take the lock {self.lock}: other runs keep taking it; try again")

    def __exit__(self, *exc):
        if self.held and _read(self.lock) == self.mine:  # never remove another run's lock
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.lock)
        self.held = False
        return False


# --------------------------------------------------------------------------
# SIGTERM
# --------------------------------------------------------------------------
class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) arrived: unwinds like Ctrl-C, so temporary files are removed."""


@contextlib.contextmanager
def terminate_as_interrupt():
    """While active (main thread only), SIGTERM and SIGHUP raise Terminated; a second one is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    sigs = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]

    def handler(signum, frame):
        for s in sigs:  # the cleanup that follows must not be cut short by a second signal
            signal.signal(s, signal.SIG_IGN)
        raise Terminated(signal.Signals(signum).name)

    old = {s: signal.signal(s, handler) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
