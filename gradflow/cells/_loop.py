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

import numpy as np


@functools.lru_cache(maxsize=1)
def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # optional: only speed depends on it
        return None
    return ThreadpoolController()


def single_thread():
    """Context manager: limit BLAS to one thread for the duration."""
    controller = _controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


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
