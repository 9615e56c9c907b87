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


@functools.lru_cache(maxsize=1)
def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: only speed depends on it
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
