"""Helpers shared by the cells' time loops.

One BLAS thread inside the time loop.

Per-step matmuls of a few MFLOP run slower with two BLAS threads than with
one (thread wake-up costs more than the work), and far slower when another
process holds the second core. The time loops therefore run with one thread;
the big GEMMs before and after a loop keep every thread.

A `threadpoolctl.ThreadpoolController` is built once, on first use, and
reused: switching with it costs microseconds, building one costs far more.
Without threadpoolctl the loops simply run with the default threads.
"""

from __future__ import annotations

import contextlib
import functools
import threading

import numpy as np

try:  # a private NumPy module: absent or renamed in some versions, then np.tanh is kept
    from numpy._core._multiarray_umath import __cpu_features__ as _CPU_FEATURES
except ImportError:
    _CPU_FEATURES = None


@functools.lru_cache(maxsize=1)
def _controller():
    """The shared ThreadpoolController, or None without threadpoolctl (used by gradflow.softmax too)."""
    # Lazy on purpose: threadpoolctl is optional (only speed depends on it), and
    # importing it and building a controller inspects every loaded BLAS library,
    # which `import gradflow` should not pay for.
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


_depth = threading.local()  # how many single_thread() blocks this thread is inside
BIG_GEMM_FLOPS = 5e7  # above this a GEMM gains from a second thread (on an idle machine)


@contextlib.contextmanager
def single_thread():
    """Limit BLAS to one thread for the duration; nested uses cost nothing."""
    controller = _controller()
    if controller is None or getattr(_depth, "n", 0):
        yield
        return
    _depth.n = 1
    try:
        with controller.limit(limits=1, user_api="blas"):
            yield
    finally:
        _depth.n = 0


def threads_for(flops):
    """One BLAS thread for a whole small problem (a thread wake-up costs more
    than the work, and far more when another process holds the other core);
    the default threads when its GEMMs are big."""
    return single_thread() if flops < BIG_GEMM_FLOPS else contextlib.nullcontext()


def _exp_beats_tanh() -> bool:
    """Whether NumPy's float64 tanh runs one element at a time while its exp is vectorised.

    So it is on x86 CPUs with AVX2 but without AVX-512 (SKX): there np.tanh
    takes about 16 ns an entry and np.exp about 5. Elsewhere, or when NumPy
    does not say, np.tanh is kept.
    """
    if _CPU_FEATURES is None:
        return False
    return bool(_CPU_FEATURES.get("AVX2")) and not _CPU_FEATURES.get("AVX512_SKX")


_EXP_TANH = _exp_beats_tanh()
EXP_TANH_MIN = 1024  # entries per call from which the five exp-based calls beat one np.tanh


def tanh_for(shape, dtype):
    """A function tanh(x, out) for arrays of `shape` and `dtype`, writing into out.

    For float64 arrays of EXP_TANH_MIN entries and more on CPUs where it is
    faster (see _exp_beats_tanh; about 2× there), tanh(x) = 2 / (1 + exp(−2x)) − 1
    through a workspace of `shape`: within 4e-16 of np.tanh (absolute), exact at
    0 and ±inf, NaN kept. Otherwise np.tanh.
    """
    if not (_EXP_TANH and np.dtype(dtype) == np.float64 and np.prod(shape) >= EXP_TANH_MIN):
        return lambda x, out: np.tanh(x, out=out)
    work = np.empty(shape, np.float64)
    one, two, minus_two = (np.array(v) for v in (1.0, 2.0, -2.0))  # 0-d: no per-call float conversion

    def tanh(x, out):
        np.multiply(x, minus_two, out=work)
        with np.errstate(over="ignore", under="ignore"):  # exp(+big) = inf gives exactly −1, exp(−big) = 0 gives 1
            np.exp(work, out=work)
        np.add(work, one, out=work)
        np.divide(two, work, out=out)
        return np.subtract(out, one, out=out)

    return tanh


def input_projection(xs, w_x, bias, rows, dtype):
    """The input part of every step, xs @ w_xᵀ + bias, as (T, rows, G·H): one GEMM before the loop.

    xs (T, B, D), w_x (G·H, D), bias (G·H,). rows is the batch of the time
    loop: B, or R·B in the batched sweep, whose R blocks of rows share xs.
    Then the GEMM runs on the B shared rows and its result is repeated R
    times (a copy, not R times the FLOPs).
    """
    T, B, D = xs.shape
    if rows % B:
        raise ValueError(f"the loop's {rows} rows are not whole copies of the {B} input rows")
    Z = (xs.reshape(T * B, D).astype(dtype, copy=False) @ w_x.T.astype(dtype, copy=False) + bias)
    Z = Z.reshape(T, B, -1)  # (T, B, G·H)
    return Z if rows == B else np.tile(Z, (1, rows // B, 1))  # (T, rows, G·H)


def block_ends(T, truncate=None):
    """Boolean (T,): True at steps that receive no gradient from step t+1.

    The last step, and with truncated BPTT every `truncate`-th step: the
    sequence is cut into blocks of `truncate` steps, the state flows forward
    across blocks, and no gradient flows back across a block boundary.
    """
    ends = np.zeros(T, bool)
    ends[-1] = True
    if truncate:
        ends[truncate - 1::truncate] = True
    return ends
