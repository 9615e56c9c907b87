"""The widgets of every page: URL key, kind, range and default (what a page draws, what a link sets).

A page draws its widgets from its table here; a lecture preset (gradflow.presets)
is a link that sets every widget of its page, the ones it names to its values
and all others to these defaults, so that it opens the same view whatever was
open before. The keys are the public URL parameters: never rename one.
"""

from __future__ import annotations

from .checks import CELLS
from .experiments.clipping import CLIFF_B, CLIFF_W
from .experiments.depth import CONNECTIONS, LSTM_VARIANTS, MEMORY_NONLIN
from .experiments.depth import VIEWS as DEPTH_VIEWS
from .experiments.gates import SEARCH_LIMIT
from .experiments.training import COMPARE
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
    Param("view", "choice", "graph", options=VIEWS, widget="tabs"),
    # the graph's animation frame (−1: every step lit); a number input: its − and + step the wave back and forth
    Param("frame", "int", -1, lo=-1, hi=MAX_T - 1, widget="number"),
    # the graph's bidirectional option: two chains, the loss at position pos (−1: the middle, T // 2)
    Param("bidir", "toggle", False),
    Param("pos", "int", -1, lo=-1, hi=MAX_T - 1, widget="number", label="w.pos1", help="w.pos1.help"),
    Param("jcell", "choice", "rnn", options=CELLS, widget="segmented"),
    Param("jstep", "int", 99, lo=0, hi=MAX_T - 1),  # capped at T − 1: by default the last step
)

CLIPPING = (
    Param("view", "choice", "clip", options=("clip", "hist", "cliff"), widget="tabs"),
    Param("method", "choice", "norm", options=("norm", "value", "none"), widget="segmented"),
    Param("threshold", "slider", 1.0, lo=0.01, hi=20.0, step=0.01),
    Param("cell", "choice", "rnn", options=CELLS, widget="segmented"),
    Param("rho", "slider", 1.5, lo=0.0, hi=10.0, step=0.05, fmt="%.2f"),
    Param("nonlin", "choice", "tanh", options=("tanh", "relu", "linear"), widget="segmented"),
    Param("T", "int", 100, lo=2, hi=500),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number"),
    Param("w0", "slider", 5.0, lo=CLIFF_W[0], hi=CLIFF_W[1], step=0.1),
    Param("b0", "slider", -3.0, lo=CLIFF_B[0], hi=CLIFF_B[1], step=0.1),
    Param("lr", "slider", 0.5, lo=0.05, hi=2.0, step=0.05),
    Param("csteps", "int", 60, lo=1, hi=200),
    Param("cthr", "slider", 1.0, lo=0.05, hi=10.0, step=0.05),
)

GATES_SPLITS = ("train", "valid", "test")
GATES_SOURCES = ("ptb", "random", "search", "text")
GATES_MAX_INDEX = 42_067  # the train split has 42,068 sentences, the most of the three
GATES_T_MAX = 100  # tokens drawn: keeps the heatmaps readable and the page interactive
GATES_TEXT_MAX = 5_000  # characters of custom text that are encoded at all
GATES_TEXT = "the company said it expects to report higher earnings next year"
GATES = (
    Param("src", "choice", "ptb", options=GATES_SOURCES, widget="radio"),
    Param("split", "choice", "test", options=GATES_SPLITS, widget="segmented"),
    Param("idx", "int", 0, lo=0, hi=GATES_MAX_INDEX, widget="number"),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number", help="w.seed3.help"),
    Param("word", "text", "market", widget="text_input"),
    Param("hit", "int", 0, lo=0, hi=SEARCH_LIMIT - 1, widget="number"),
    Param("text", "text", GATES_TEXT, widget="text_area"),
    Param("model", "choice", "lstm", options=("lstm", "gru"), widget="segmented"),
    Param("weights", "choice", "trained", options=("trained", "random", "both"), widget="segmented",
          help="w.weights3.help"),
    Param("units", "choice", "top", options=("top", "index"), widget="segmented"),
    Param("k", "int", 16, lo=1, hi=64),
    Param("first", "int", 0, lo=0, hi=4095, widget="number"),
    Param("pos", "int", -1, lo=-1, hi=GATES_T_MAX - 1, widget="number"),
    Param("layer", "int", 0, lo=0, hi=3, widget="number"),
    Param("view", "choice", "gates", options=("gates", "sat", "pred"), widget="tabs"),
)

TRAINING = (
    Param("compare", "choice", "none", options=COMPARE, widget="radio"),
    Param("cell", "choice", "lstm", options=CELLS, widget="segmented", help="w.cell4.help"),
    Param("hidden", "int", 32, lo=4, hi=128),
    Param("tokens", "int", 20_000, lo=1_000, hi=200_000, step=1_000),
    Param("epochs", "int", 1, lo=1, hi=5),
    Param("batch", "int", 10, lo=1, hi=64),
    Param("bptt", "int", 20, lo=2, hi=70),
    Param("lr", "slider", 20.0, lo=0.1, hi=40.0, step=0.1, fmt="%.1f", help="w.lr4.help"),
    Param("clip", "toggle", True),
    Param("threshold", "slider", 0.25, lo=0.01, hi=10.0, step=0.01, help="w.threshold4.help"),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number", help="w.seed4.help"),
)

# Page 5: each tab's widgets (drawn in the open tab only); "seed" is shared by the four tabs.
DEPTH = (
    Param("view", "choice", "depth", options=DEPTH_VIEWS, widget="tabs"),
    Param("seed", "int", 0, lo=0, hi=99999, widget="number"),
    Param("cell", "choice", "rnn", options=CELLS, widget="segmented", help="w.cell5.help"),
    Param("conn", "choice", "residual", options=CONNECTIONS, widget="segmented"),
    Param("L", "int", 8, lo=1, hi=8),
    Param("H", "int", 64, lo=2, hi=128, label="w.H5", help="w.H5.help"),
    Param("T", "int", 50, lo=2, hi=200, help="w.T5.help"),
    Param("rho", "slider", 1.0, lo=0.0, hi=2.0, step=0.05, fmt="%.2f"),
    Param("ihs", "slider", 0.5, lo=0.05, hi=2.0, step=0.05, fmt="×%.2f"),
    Param("hbias", "slider", -2.0, lo=-5.0, hi=2.0, step=0.5),
    Param("vars", "multi", list(LSTM_VARIANTS), options=LSTM_VARIANTS, widget="pills"),
    Param("vT", "int", 100, lo=2, hi=300),
    Param("vH", "int", 32, lo=2, hi=128),
    Param("vrho", "slider", 1.0, lo=0.0, hi=2.0, step=0.05, fmt="%.2f"),
    Param("vfb", "slider", 1.0, lo=-3.0, hi=5.0, step=0.5),
    Param("peep0", "toggle", False),
    Param("erho", "slider", 0.9, lo=0.0, hi=1.5, step=0.01, fmt="%.2f"),
    Param("nonlin", "choice", "tanh", options=MEMORY_NONLIN, widget="segmented"),
    Param("eT", "int", 60, lo=2, hi=200),
    Param("eH", "int", 64, lo=2, hi=256),
    Param("escale", "slider", 0.2, lo=0.05, hi=5.0, step=0.05),
    Param("tsteps", "int", 500, lo=10, hi=500, step=10),
    Param("tT", "int", 12, lo=2, hi=30),
    Param("tH", "int", 16, lo=2, hi=64),
    Param("tlr", "slider", 0.1, lo=0.01, hi=1.0, step=0.01),
)
