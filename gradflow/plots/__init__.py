"""Figure functions of the app: one `fig_*` per figure, each returning a go.Figure.

Why this package exists: pages only pick settings and call cached numerics;
every plot is built here from plain arrays, so figures are tested without
Streamlit and rebuilt cheaply on every rerun. Text is never hard-coded: each
function takes `labels`, a mapping of the names it documents to already
translated strings (a missing name shows the name itself). `present=True`
(presentation mode) means larger fonts and thicker lines for a lecture hall.
Only plotly and numpy are imported, never streamlit.

Modules: `base` (palette, template, layout and log-axis helpers, chart
config, CSV export), `vanishing` (page 1 and the home page), `graph` (page
1's unrolled graph), `clipping` (page 2), `gates` (page 3), `training`
(page 4). Pages use the names re-exported here (`plots.fig_gradient_norm`,
`plots.plotly_config`, ...).

Shape legend: T time steps, R radii, H hidden units, N points.
"""

from .base import (CELL_COLOR, CELL_DASH, CELL_NAME, CELL_SYMBOL, OKABE_ITO, THEORY_COLOR, figure_to_csv,
                   plotly_config, safe_text)
from .clipping import fig_cliff, fig_norm_histogram, fig_param_norms
from .depth import fig_cross_step, fig_depth_time, fig_memory, fig_teacher_loss, fig_variant_norms
from .gates import fig_gate_heatmaps, fig_gate_saturation
from .graph import fig_unrolled_graph
from .training import (RUN_COLORS, RUN_DASH, fig_flow_over_training, fig_live_loss, fig_param_grad_norms,
                       fig_train_grad_norm, fig_training_curves)
from .vanishing import (fig_attribution, fig_dw_contrib, fig_eigenvalues, fig_gradient_norm, fig_lstm_paths,
                        fig_phase_map, fig_power_norms, fig_step_jacobian)

__all__ = [
    "CELL_COLOR", "CELL_DASH", "CELL_NAME", "CELL_SYMBOL", "OKABE_ITO", "RUN_COLORS", "RUN_DASH", "THEORY_COLOR",
    "fig_cross_step", "fig_depth_time", "fig_memory", "fig_teacher_loss", "fig_variant_norms",
    "fig_attribution", "fig_cliff", "fig_dw_contrib", "fig_eigenvalues", "fig_gate_heatmaps", "fig_gate_saturation",
    "fig_gradient_norm", "fig_flow_over_training", "fig_live_loss", "fig_lstm_paths", "fig_norm_histogram", "fig_param_grad_norms",
    "fig_param_norms", "fig_phase_map", "fig_power_norms", "fig_step_jacobian", "fig_train_grad_norm",
    "fig_training_curves", "fig_unrolled_graph", "figure_to_csv", "plotly_config", "safe_text",
]
