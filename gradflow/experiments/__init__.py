"""The experiment layer: settings dataclasses -> engine arguments -> small results, for the app and the CLI.

Layers point one way: engine (cells, bptt, spectral, jacobians, clipping,
lm, trainer) -> experiments -> cache (Streamlit's caches) -> pages. Nothing
here imports streamlit or plotly, so every experiment is tested without them.

- `flow`: one BPTT experiment (`FlowSettings`, `build`, `run`, summaries,
  the phase map, the Jacobian panel): page 1, the home chart, the CLI's `flow`.
- `vanishing`: page 1's settings (`VanishingSettings.from_widgets`) and sizes.
- `clipping`: page 2 (clipping one gradient, PTB's norm histogram, the cliff).
- `gates`: page 3 (which model, which units, gate saturation).
- `training`: page 4 (settings -> TrainConfig, run records).
- `shipped`: which shipped PTB model serves an experiment.
"""

from . import clipping, flow, gates, sentences, shipped, training, vanishing
from .flow import FlowSettings, Problem, build, run

__all__ = ["FlowSettings", "Problem", "build", "clipping", "flow", "gates", "run", "shipped", "vanishing"]
