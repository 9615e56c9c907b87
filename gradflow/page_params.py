"""The widgets of every page: URL key, kind, range and default (what a page draws, what a link sets).

A page draws its widgets from its table here; a lecture preset (gradflow.presets)
is a link that sets every widget of its page, the ones it names to its values
and all others to these defaults, so that it opens the same view whatever was
open before. The keys are the public URL parameters: never rename one.
"""

from __future__ import annotations

from .checks import CELLS
from .experiments.vanishing import MAX_T, VIEWS
from .spectral import KINDS
from .urlstate import Param

VANISHING = (
    Param("cells", "multi", list(CELLS), options=CELLS, widget="pills"),
    Param("rho", "slider", 1.0, lo=0.0, hi=3.0, step=0.05, fmt="%.2f"),
    Param("kind", "choice", "orthogonal", options=KINDS),
    Param("T", "int", 100, lo=2, hi=MAX_T),
    Param("H", "int", 64, lo=2, hi=512),
    Param("nonlin", "choice", "tanh", options=("tanh", "relu", "linear"), widget="segmented"),
    Param("variant", "choice", "pytorch", options=("pytorch", "cho"), widget="segmented"),
    Param("fbias", "slider", 1.0, lo=-3.0, hi=5.0, step=0.5),
    Param("loss", "choice", "last", options=("last", "sum"), widget="segmented"),
    Param("up", "choice", "random", options=("random", "top"), widget="segmented"),
    Param("scale", "slider", 1.0, lo=0.0, hi=10.0, step=0.1),
    Param("trunc", "int", 0, lo=0, hi=MAX_T),
    Param("inputs", "choice", "random", options=("random", "ptb", "text"), widget="radio"),
    Param("sent", "int", 0, lo=0, hi=3760, widget="number"),
    Param("text", "text", "the stock market fell sharply on monday", widget="text_input"),
    Param("weights", "choice", "random", options=("random", "trained"), widget="segmented"),
    Param("wscale", "slider", 1.0, lo=0.25, hi=2.0, step=0.05, fmt="×%.2f"),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number"),
    Param("view", "choice", "curves", options=VIEWS, widget="tabs"),
    Param("jcell", "choice", "rnn", options=CELLS, widget="segmented"),
    Param("jstep", "int", 99, lo=0, hi=MAX_T - 1),  # capped at T − 1: by default the last step
)
