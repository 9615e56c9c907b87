"""Page 1 (vanishing and exploding gradients): its settings and the arithmetic between widgets and runs.

`VanishingSettings.from_widgets` turns the page's widget values (keyed by
their URL names) into one frozen object with the engine's field names;
`for_cell` gives each chosen cell's `FlowSettings`, the input of every
cached computation (see gradflow.experiments.flow).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..checks import CELLS
from .flow import FlowSettings

BUDGET_MAIN = 16_000_000  # T × H² × number of cells for the gradient curves (≈13× the defaults)
MAX_T = 500  # the T slider's end; a sentence is cut to it
TEXT_MAX = 5_000  # characters of custom text that are encoded at all
VIEWS = ("graph", "curves", "dw", "paths", "spectrum", "phase", "inputs", "jacobian")  # one figure a tab
INPUTS = ("random", "ptb", "text")

# widget key (the URL parameter) -> field name, where they differ: the URL names are public and kept.
WIDGET_FIELDS = {"nonlin": "nonlinearity", "fbias": "forget_bias", "scale": "input_scale", "trunc": "truncate",
                 "sent": "sentence_index", "wscale": "weight_scale", "up": "upstream"}


@dataclass(frozen=True)
class VanishingSettings:
    """Everything page 1's widgets choose. Field names are the engine's."""

    cells: tuple = CELLS  # the cells drawn side by side
    T: int = 100  # sequence length of random inputs
    H: int = 64  # hidden size of random weights
    rho: float = 1.0  # spectral radius of every gate block of weight_hh
    kind: str = "orthogonal"  # spectrum kind of random weights (spectral.KINDS)
    nonlinearity: str = "tanh"  # RNN
    variant: str = "pytorch"  # GRU
    forget_bias: float = 1.0  # gate bias: LSTM forget gate, GRU update gate (FlowSettings)
    loss: str = "last"  # "last" or "sum"
    input_scale: float = 1.0  # inputs × this
    upstream: str = "random"  # the loss gradient's direction: "random" or "top" (FlowSettings)
    truncate: int | None = None  # truncated BPTT window; None = full
    seed: int = 0
    inputs: str = "random"  # "random" Gaussian inputs, a "ptb" sentence, or your "text"
    sentence_index: int = 0  # PTB test sentence
    text: str = ""  # custom text
    weights: str = "random"  # "random" or "trained" (the shipped PTB models)
    weight_scale: float = 1.0  # trained weights: weight_hh × this (each cell keeps its own W_hh and radius)

    @classmethod
    def from_widgets(cls, values: dict) -> "VanishingSettings":
        """From widget values keyed by widget key; keys that are not settings (view, jcell, ...) are ignored."""
        names = {f.name for f in fields(cls)}
        kw = {WIDGET_FIELDS.get(k, k): v for k, v in values.items() if WIDGET_FIELDS.get(k, k) in names}
        kw["cells"] = tuple(c for c in CELLS if c in (kw.get("cells") or ()))
        kw["truncate"] = int(kw.get("truncate") or 0) or None
        for k in ("rho", "forget_bias", "input_scale", "weight_scale"):
            if k in kw:
                kw[k] = float(kw[k])
        for k in ("T", "H", "seed", "sentence_index"):
            if k in kw:
                kw[k] = int(kw[k])
        return cls(**kw)

    @property
    def reads_sentence(self) -> bool:
        """Trained weights always read a sentence (PTB sentence 0 when the inputs are random)."""
        return self.inputs != "random" or self.weights == "trained"

    def for_cell(self, cell: str, T: int, H: int, sentence: tuple = (), own_radius: float | None = None
                 ) -> FlowSettings:
        """The run of one cell. Trained weights (with a sentence) need the model's own radius:
        their ρ is own_radius × weight_scale, so each cell keeps its own W_hh up to that factor."""
        trained = self.weights == "trained" and bool(sentence)
        if trained and own_radius is None:
            raise ValueError("trained weights need the model's own radius")
        return FlowSettings(cell=cell, T=T, H=H, rho=own_radius * self.weight_scale if trained else self.rho,
                            kind=self.kind, nonlinearity=self.nonlinearity, variant=self.variant,
                            forget_bias=0.0 if cell == "rnn" else self.forget_bias, loss=self.loss,
                            input_scale=self.input_scale, upstream=self.upstream, truncate=self.truncate,
                            seed=self.seed, weights="trained" if trained else "random", sentence=tuple(sentence))


def capped_T(T: int, H: int, n_cells: int, budget: int = BUDGET_MAIN) -> int:
    """Largest T' <= T with T' × H² × n_cells <= budget (at least 2).

    A run costs one (H × G·H) matmul per step forward and backward, so it
    grows like T·H²; the limit keeps a slider drag interactive.
    """
    return max(2, min(int(T), budget // max(1, int(H) ** 2 * max(1, int(n_cells)))))


def run_sizes(s: VanishingSettings, cells: tuple, sentence_len: int, model_H: dict) -> tuple[int, dict]:
    """(T for every cell, H per cell): the sentence's length or s.T, capped to BUDGET_MAIN.

    model_H: cell -> hidden size of its shipped model (used with trained weights and a sentence).
    """
    trained = s.weights == "trained" and sentence_len > 0
    H_of = {c: (model_H[c] if trained else s.H) for c in cells}
    T_req = sentence_len or s.T
    T = min(capped_T(T_req, H_of[c], len(cells)) for c in cells) if cells else T_req
    return T, H_of


def _first_point(event) -> dict | None:
    """The first selected point of Streamlit's plotly selection state ({"selection": {"points": [...]}})."""
    if not isinstance(event, dict) or not isinstance(event.get("selection"), dict):
        return None
    pts = event["selection"].get("points") or []
    return pts[0] if pts and isinstance(pts[0], dict) else None


def _step(x, T: int) -> int | None:
    """x as a drawn step 0 … T−1, or None (a forged event may carry anything)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x <= T - 1 or x != int(x):
        return None
    return int(x)


def picked_point(event, T: int) -> tuple[int, int | None] | None:
    """(step, curve number) of a click on the gradient chart, or None."""
    pt = _first_point(event)
    t = None if pt is None else _step(pt.get("x"), T)
    if t is None:
        return None
    k = pt.get("curve_number")
    return t, (k if isinstance(k, int) and not isinstance(k, bool) else None)


def picked_node(event, T: int) -> int | None:
    """The step of a click on the unrolled graph (its node traces carry customdata [t, norm]), or None."""
    pt = _first_point(event)
    cd = None if pt is None else pt.get("customdata")
    return _step(cd[0], T) if isinstance(cd, (list, tuple)) and cd else None
