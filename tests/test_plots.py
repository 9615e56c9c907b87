"""Figure functions: each returns a go.Figure with the traces, axes and labels expected."""

import ast
import csv
import importlib
import inspect
import io
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from gradflow import plots
from gradflow.experiments.clipping import histogram_stats
from test_plots_depth import LOG_CASES as DEPTH_LOG_CASES  # page 5's log figures, checked alike

T = 30
t = np.arange(T)
rng = np.random.default_rng(0)


def curve(rate):
    return rate ** np.arange(T - 1, -1, -1, dtype=float)


def test_gradient_norm_traces_axes_and_styles():
    curves = {"rnn": curve(0.8), "lstm": curve(0.95), "gru": curve(0.9)}
    curves["rnn"][3] = np.inf  # overflow must not be drawn as a point
    fig = plots.fig_gradient_norm(t, curves, theory={"ρ^k": curve(0.9)}, truncate=10,
                                  overflow={"rnn": 3, "lstm": None},
                                  labels={"title": "TT", "x": "XX", "y": "YY", "overflow": "OV"})
    assert isinstance(fig, go.Figure)
    names = [tr.name for tr in fig.data]
    assert names == ["RNN", "LSTM", "GRU", "ρ^k"]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "XX" and fig.layout.yaxis.title.text == "YY"
    assert fig.layout.title.text == "TT"
    dashes = {tr.line.dash for tr in fig.data[:3]}
    colors = {tr.line.color for tr in fig.data[:3]}
    assert len(dashes) == 3 and len(colors) == 3  # nothing depends on colour alone
    assert np.isnan(fig.data[0].y[3])  # inf becomes a gap
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2  # blocks 0-9 and 20-29 shaded out of three
    assert any(a.text == "OV" for a in fig.layout.annotations)


def test_presentation_mode_is_larger():
    small = plots.fig_gradient_norm(t, {"rnn": curve(0.9)})
    big = plots.fig_gradient_norm(t, {"rnn": curve(0.9)}, present=True)
    assert big.layout.font.size > small.layout.font.size
    assert big.data[0].line.width > small.data[0].line.width
    assert big.layout.height > small.layout.height


def test_lstm_paths_and_dw():
    fig = plots.fig_lstm_paths(t, curve(0.99), curve(0.98), curve(0.9), curve(0.7),
                               labels={"dc": "dc", "prodf": "pf", "cell": "c", "hidden": "h"})
    assert [tr.name for tr in fig.data] == ["dc", "pf", "c", "h"]
    assert fig.layout.yaxis.type == "log"
    fig = plots.fig_dw_contrib(t, {"rnn": curve(0.9), "gru": curve(0.95)})
    assert [tr.name for tr in fig.data] == ["RNN", "GRU"]


def test_eigenvalues_unit_circle_and_equal_aspect():
    ev = np.exp(1j * rng.uniform(0, 2 * np.pi, 16)) * 0.9
    fig = plots.fig_eigenvalues({"RNN W": ev}, 0.9, labels={"unit": "unit", "rho": "rho"})
    unit = fig.data[0]
    assert unit.name == "unit"
    np.testing.assert_allclose(np.hypot(unit.x, unit.y), 1.0, atol=1e-12)
    pts = fig.data[-1]
    np.testing.assert_allclose(pts.x + 1j * np.asarray(pts.y), ev)
    assert pts.marker.color == plots.CELL_COLOR["rnn"]
    assert fig.layout.yaxis.scaleanchor == "x"


def test_power_norms():
    fig = plots.fig_power_norms(np.arange(5), {"RNN W": np.array([1, 2, 1, .5, .2])}, 0.9)
    assert len(fig.data) == 2
    np.testing.assert_allclose(fig.data[1].y, 0.9 ** np.arange(5))


def test_phase_map_one_heatmap_per_cell_and_clipped_colours():
    rhos, ks = np.linspace(0, 3, 7), np.arange(12)
    Z = rng.normal(0, 20, (12, 7))
    Z[0, 0] = np.nan
    fig = plots.fig_phase_map(rhos, ks, {"rnn": Z, "lstm": Z}, current=(1.0, 5), zmax=10)
    heat = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heat) == 2
    z = np.asarray(heat[0].z)
    assert z.max() <= 10 and z.min() >= -10 and z[0, 0] == 10  # overflow (NaN) drawn at the top colour
    assert heat[0].zmid == 0
    assert [a.text for a in fig.layout.annotations] == ["RNN", "LSTM"]


def test_attribution_escapes_user_tokens():
    fig = plots.fig_attribution(["<script>", "a&b", "<unk>"], {"lstm": np.ones(3)})
    x = list(fig.data[0].x)
    assert x == ["0:&lt;script&gt;", "1:a&amp;b", "2:&lt;unk&gt;"]
    assert fig.layout.barmode == "group"


def test_step_jacobian_panels():
    H = 6
    J = rng.normal(size=(H, H))
    sv = np.linalg.svd(J, compute_uv=False)
    fig = plots.fig_step_jacobian(J, sv, {"f'(a)": np.ones(H), "g": np.zeros(H)}, t, curve(0.9), curve(0.95), 7)
    types = [tr.type for tr in fig.data]
    assert types[0] == "heatmap" and types.count("scatter") == 5
    assert fig.layout.yaxis2.type == "log" and fig.layout.yaxis4.type == "log"
    np.testing.assert_allclose(fig.data[1].y, sv)


def test_param_norms_and_histogram():
    fig = plots.fig_param_norms(["a", "b"], [10.0, np.inf], [1.0, 2.0], labels={"before": "B", "after": "A"})
    assert [tr.name for tr in fig.data] == ["B", "A"] and np.isnan(fig.data[0].y[1])
    norms = np.exp(rng.normal(0, 1, 500))
    fig = plots.fig_norm_histogram(np.append(norms, [np.inf, np.nan, 0.0]), 2.0, (0.5, 10.0), bins=20)
    bar = fig.data[0]
    assert sum(bar.y) == 500  # non-finite and zero norms are not counted
    assert fig.layout.xaxis.type == "log"
    assert any(s.type == "rect" for s in fig.layout.shapes) and any(s.type == "line" for s in fig.layout.shapes)
    empty = plots.fig_norm_histogram([], None)
    assert len(empty.data) == 0


def test_cliff_paths_and_clip_marks():
    ws, bs = np.linspace(0, 10, 5), np.linspace(-6, 2, 4)
    L = rng.uniform(1e-6, 1, (4, 5))
    p = np.array([[5, -3], [4.5, -2.5], [4.4, -2.4]])
    fig = plots.fig_cliff(ws, bs, L, {"plain": p, "clipped": p}, {"clipped": np.array([True, False])},
                          labels={"clipmark": "cm", "start": "st"})
    names = [tr.name for tr in fig.data]
    assert names[1:] == ["plain", "clipped", "cm", "st"]
    assert list(fig.data[3].x) == [5.0]  # the one clipped step starts at p[0]
    np.testing.assert_allclose(np.asarray(fig.data[0].z), np.log10(L))


def test_figure_to_csv_has_every_point():
    fig = plots.fig_gradient_norm(t, {"rnn": curve(0.9)}, theory={"th": curve(0.8)})
    fig.add_trace(go.Heatmap(z=[[1, 2], [3, 4]], x=[0, 1], y=[5, 6], name="hm"))
    rows = list(csv.reader(io.StringIO(plots.figure_to_csv(fig))))
    assert rows[0] == ["trace", "x", "y", "z"]
    body = rows[1:]
    assert sum(r[0] == "RNN" for r in body) == T and sum(r[0] == "th" for r in body) == T
    hm = [r for r in body if r[0] == "hm"]
    assert [(r[1], r[2], float(r[3])) for r in hm] == [("0", "5", 1.0), ("1", "5", 2.0), ("0", "6", 3.0),
                                                       ("1", "6", 4.0)]
    first = next(r for r in body if r[0] == "RNN")
    assert float(first[2]) == pytest.approx(curve(0.9)[0])


def test_plotly_config_exports_png_or_svg():
    for fmt in ("png", "svg"):
        cfg = plots.plotly_config("name", fmt, present=True)
        assert cfg["toImageButtonOptions"]["format"] == fmt
        assert cfg["toImageButtonOptions"]["filename"] == "name"
        assert cfg["displaylogo"] is False


def test_safe_text():
    assert plots.safe_text('<a href="x">&</a>') == '&lt;a href="x"&gt;&amp;&lt;/a&gt;'


def test_live_loss_one_line_per_run_from_plain_sequences():
    runs = {"LSTM, clipped at 0.25": [9.2, 8.7, float("inf"), 7.9], "LSTM, no clipping": (9.3, 9.0)}
    fig = plots.fig_live_loss(runs, start={"LSTM, clipped at 0.25": 96},
                              labels={"title": "TT", "x": "XX", "y": "YY"})
    assert isinstance(fig, go.Figure)
    assert [tr.name for tr in fig.data] == list(runs)
    assert all(tr.type == "scatter" and tr.mode == "lines" for tr in fig.data)
    assert list(fig.data[0].x) == [96, 97, 98, 99] and list(fig.data[1].x) == [0, 1]  # x: step index
    assert np.isnan(fig.data[0].y[2]) and fig.data[0].y[3] == pytest.approx(7.9)  # non-finite: a gap
    assert fig.layout.title.text == "TT"
    assert fig.layout.xaxis.title.text == "XX" and fig.layout.yaxis.title.text == "YY"
    assert fig.layout.yaxis.type is None  # linear, like the loss panel of fig_training_curves
    # Same colour and dash per run as the full training figure drawn after the run.
    full = plots.fig_training_curves({n: {"step": np.arange(len(v)), "loss": np.asarray(v)} for n, v in runs.items()})
    assert [tr.line.color for tr in fig.data] == [tr.line.color for tr in full.data[::2]]
    assert len({tr.line.dash for tr in fig.data}) == 2
    big = plots.fig_live_loss(runs, present=True)
    assert big.layout.font.size > fig.layout.font.size and big.data[0].line.width > fig.data[0].line.width
    assert len(plots.fig_live_loss({}).data) == 0
    assert plots.figure_to_csv(fig).count("LSTM, no clipping") == 2


def test_package_imports_plotly_and_numpy_only_and_exports_every_figure():
    allowed = {"__future__", "csv", "io", "collections.abc", "numpy", "plotly.graph_objects", "plotly.subplots"}
    for path in Path(plots.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert {a.name for a in node.names} <= allowed, (path.name, ast.dump(node))
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module in allowed, (path.name, node.module)
        if path.name != "__init__.py":
            mod = importlib.import_module(f"gradflow.plots.{path.stem}")
            for name in dir(mod):
                if name.startswith("fig_"):
                    assert getattr(plots, name) is getattr(mod, name), name
                    assert name in plots.__all__, name


# ---------------------------------------------------------------- log axes, bars, bands and styles that tell the truth


_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
PTB_LIKE = np.exp(rng.normal(np.log(0.25), 0.05, 100))  # like models/ptb_grad_norms.json: 0.22 … 0.30


def tick_value(text: str) -> float:
    """The number a tick label shows: "0.5", "20", "2×10⁻⁵", "10⁶"; ValueError for anything else."""
    m = re.fullmatch(r"(?:([0-9.]+)×)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", text)
    if m:
        return float(m.group(1) or 1) * 10.0 ** int(m.group(2).translate(_SUP))
    return float(text)


def log_axes(fig) -> dict:
    """name -> axis of every log axis in the layout."""
    out = {}
    for name in fig.layout:
        if re.fullmatch(r"[xy]axis[0-9]*", name) and fig.layout[name].type == "log":
            out[name] = fig.layout[name]
    return out


def assert_readable_log_axis(where: str, ax) -> None:
    """No bare minor digits: labelled decades only (an integer dtick), or ticks labelled with their full values."""
    if ax.tickmode == "array":
        assert ax.tickvals and len(ax.tickvals) == len(ax.ticktext), where
        for v, text in zip(ax.tickvals, ax.ticktext):
            assert tick_value(text) == pytest.approx(v, rel=1e-6), (where, v, text)
        if ax.range is not None:  # at least two labelled ticks are on screen
            lo, hi = ax.range
            assert sum(lo <= np.log10(v) <= hi for v in ax.tickvals) >= 2, (where, ax.range)
    else:
        assert isinstance(ax.dtick, (int, float)) and not isinstance(ax.dtick, bool), (where, ax.dtick)
        assert ax.dtick >= 1 and float(ax.dtick).is_integer(), (where, ax.dtick)  # never "D1"/"D2"
        assert ax.exponentformat == "power" or ax.tickformat, where
    if ax.range is not None:
        assert ax.range[1] - ax.range[0] >= 1.0 - 1e-9, (where, "less than a decade", ax.range)


def _heat_cols(grads):
    U, n = 4, 8
    def panels():
        return {g: rng.uniform(0, 1, (U, n)) for g in "ifgo"} | {"c": rng.normal(size=(U, n)),
                                                                 "h": rng.uniform(-1, 1, (U, n))}
    return {name: {"panels": panels(), "units": list(range(U)), "grad": g} for name, g in grads.items()}


# Every figure function on typical data (several cases where the data decide the axis). A new figure
# function with a log axis must be added here (test_every_log_figure_is_checked).
LOG_FIGURES = {**DEPTH_LOG_CASES,
    "fig_gradient_norm": [lambda: plots.fig_gradient_norm(t, {"rnn": curve(0.8), "lstm": curve(0.97)},
                                                          theory={"ρ^k": curve(0.8)}),
                          lambda: plots.fig_gradient_norm(t, {"lstm": curve(0.999), "gru": curve(0.998)}),
                          lambda: plots.fig_gradient_norm(t, {"rnn": curve(2.5)})],
    "fig_lstm_paths": [lambda: plots.fig_lstm_paths(t, curve(0.99), curve(0.98), curve(0.9), curve(0.7)),
                       lambda: plots.fig_lstm_paths(t, curve(0.999), curve(0.999), curve(0.995), curve(0.99))],
    "fig_power_norms": [lambda: plots.fig_power_norms(np.arange(30), {"LSTM i": 1.3 * 0.9 ** np.arange(30)}, 0.9),
                        lambda: plots.fig_power_norms(np.arange(5), {"RNN W": np.array([1, 1.5, 1.2, 1.1, 1.0])}, 1.0)],
    "fig_attribution": [lambda: plots.fig_attribution(list("abcdef"), {"lstm": curve(0.5)[:6], "rnn": curve(0.9)[:6]}),
                        lambda: plots.fig_attribution(list("abc"), {"gru": np.array([0.22, 0.25, 0.3])})],
    "fig_dw_contrib": [lambda: plots.fig_dw_contrib(t, {"rnn": curve(0.9)}),
                       lambda: plots.fig_dw_contrib(t, {"gru": 1 + 0.01 * np.arange(T)})],
    "fig_step_jacobian": [lambda: plots.fig_step_jacobian(np.eye(6) * 0.9, np.linspace(0.5, 1.4, 6), {"f": np.ones(6)},
                                                          t, curve(0.9), np.full(T, 0.9), 5),
                          lambda: plots.fig_step_jacobian(rng.normal(size=(6, 6)), np.geomspace(1e-4, 3, 6), {},
                                                          t, curve(0.5), curve(0.99), 5)],
    "fig_param_norms": [lambda: plots.fig_param_norms(["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
                                                      [12.1, 8.22, 1.9, 1.9], [0.813, 0.554, 0.128, 0.128]),
                        lambda: plots.fig_param_norms(["a", "b"], [3.71, 2.15], [3.71, 2.15])],
    "fig_norm_histogram": [lambda: plots.fig_norm_histogram(PTB_LIKE, 1.0, histogram_stats(PTB_LIKE, 1.0)["band"]),
                           lambda: plots.fig_norm_histogram(np.exp(rng.normal(0, 2, 500)), 20.0, (0.1, 10.0)),
                           lambda: plots.fig_norm_histogram(PTB_LIKE, None)],
    "fig_gate_heatmaps": [lambda: plots.fig_gate_heatmaps(list("abcdefgh"), _heat_cols({"trained": curve(0.5)[:8],
                                                                                        "random": curve(0.9)[:8]}), 3),
                          lambda: plots.fig_gate_heatmaps(list("abcdefgh"), _heat_cols({"m": np.full(8, 0.3)}), 3)],
    "fig_training_curves": [lambda: plots.fig_training_curves({"a": {"step": np.arange(50),
                                                                     "loss": np.linspace(9.2, 5.5, 50)}}),
                            lambda: plots.fig_training_curves({"a": {"step": np.arange(50),
                                                                     "loss": np.linspace(5.6, 5.2, 50)}})],
    "fig_train_grad_norm": [lambda: plots.fig_train_grad_norm({"a": {"step": np.arange(50),
                                                                     "grad_norm": np.linspace(0.2, 3.0, 50)}}),
                            lambda: plots.fig_train_grad_norm({"a": {"step": np.arange(50),
                                                                     "grad_norm": np.linspace(0.22, 0.3, 50)}}),
                            lambda: plots.fig_train_grad_norm({"a": {"step": np.arange(50),
                                                                     "grad_norm": np.geomspace(1e-3, 1e4, 50)}})],
    "fig_param_grad_norms": [lambda: plots.fig_param_grad_norms({"a": {"step": np.arange(9), "norms": {
        "w": np.linspace(0.1, 0.9, 9), "b": np.linspace(0.01, 0.05, 9)}}})],
}


def _uses_a_log_axis(fn) -> bool:
    src = inspect.getsource(fn)
    return bool(re.search(r"""type["']?\s*[=:]\s*["']log|_log_axis|_log_ticks|_at_least_one_decade""", src))


def test_every_log_figure_is_checked():
    for name in plots.__all__:
        fn = getattr(plots, name)
        if name.startswith("fig_") and _uses_a_log_axis(fn):
            assert name in LOG_FIGURES, f"{name} draws a log axis: add it to LOG_FIGURES"


@pytest.mark.parametrize("name,case", [(n, i) for n, cases in LOG_FIGURES.items() for i in range(len(cases))])
def test_log_axes_show_decades_or_full_values_never_bare_digits(name, case):
    fig = LOG_FIGURES[name][case]()
    axes = log_axes(fig)
    assert axes, f"{name}: no log axis"
    for axis_name, ax in axes.items():
        assert_readable_log_axis(f"{name}[{case}].{axis_name}", ax)


def test_tick_labels_are_full_values():
    from gradflow.plots.base import _log_ticks_for

    short = _log_ticks_for(np.log10(0.2), np.log10(0.31))  # less than a decade: finer steps, still ≥ 3 labels
    shown = [x for x, v in zip(short["ticktext"], short["tickvals"]) if 0.2 <= v <= 0.31]
    assert shown == ["0.2", "0.25", "0.3"]
    one = _log_ticks_for(-1.1, 0.1)
    assert [x for x, v in zip(one["ticktext"], one["tickvals"]) if 10 ** -1.1 <= v <= 10 ** 0.1] == ["0.1", "0.2",
                                                                                                   "0.5", "1"]
    tiny = _log_ticks_for(-6.2, -5.0)
    assert "2×10⁻⁶" in tiny["ticktext"] and "10⁻⁵" in tiny["ticktext"]
    assert _log_ticks_for(-30, 30)["dtick"] == 8 and _log_ticks_for(-1, 2)["dtick"] == 1


def test_param_norms_no_bar_reads_as_zero():
    before, after = [12.1, 8.22, 1.9, 0.0], [0.813, 0.554, 0.128, np.inf]
    fig = plots.fig_param_norms(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], before, after)
    ax = fig.layout.yaxis
    assert ax.type == "log"
    # The axis starts a decade (or more) below the smallest bar: the clipped bias bar is a decade tall.
    assert ax.range[0] <= np.log10(0.128) - 1
    assert list(fig.data[0].text) == ["12.1", "8.22", "1.9", "0"] and list(fig.data[1].text) == ["0.813", "0.554",
                                                                                               "0.128", "∞"]
    # A norm a log axis cannot draw is written at the bottom of its empty slot: 0 left (before), ∞ right (after).
    notes = {(a.x, a.text) for a in fig.layout.annotations}
    assert notes == {(3 - 0.2, "0"), (3 + 0.2, "∞")}
    assert fig.layout.bargap == 0.2 and fig.layout.barmode == "group"


def test_norm_histogram_band_is_the_data_s_own_middle_90_percent_and_is_in_the_legend():
    hs = histogram_stats(np.append(PTB_LIKE, np.inf), 1.0)
    assert hs["band"] == pytest.approx(tuple(np.percentile(PTB_LIKE, [5, 95])))
    assert hs["rule"] == pytest.approx((0.5 * PTB_LIKE.mean(), 10 * PTB_LIKE.mean()))
    assert hs["frac"] == 0.0 and hs["n"] == 101
    # Unlike the old 0.5–10× band, it covers part of the plotted range only.
    fig = plots.fig_norm_histogram(PTB_LIKE, 1.0, hs["band"], labels={"band": "BAND", "threshold": "THR"})
    rect = next(s for s in fig.layout.shapes if s.type == "rect")
    assert (rect.x0, rect.x1) == hs["band"] and rect.showlegend and rect.name == "BAND"
    line = next(s for s in fig.layout.shapes if s.type == "line")
    assert line.x0 == 1.0 and line.showlegend and line.name == "THR"
    lo, hi = fig.layout.xaxis.range
    assert lo < np.log10(PTB_LIKE.min()) and hi > np.log10(1.0)  # the data and the threshold are on screen
    assert (np.log10(rect.x1) - np.log10(rect.x0)) < 0.3 * (hi - lo)
    assert fig.layout.showlegend


def test_eigenvalue_blocks_each_have_their_own_colour_and_symbol():
    ev = np.exp(1j * rng.uniform(0, 2 * np.pi, 8)) * 0.9
    names = ["RNN W", "LSTM i", "LSTM f", "LSTM g", "LSTM o", "GRU r", "GRU z", "GRU n"]
    fig = plots.fig_eigenvalues({n: ev for n in names}, 0.9)
    pts = [tr for tr in fig.data if tr.mode == "markers"]
    assert [tr.name for tr in pts] == names
    colors, symbols = [tr.marker.color for tr in pts], [tr.marker.symbol for tr in pts]
    assert len(set(colors)) == len(names) and len(set(symbols)) == len(names)
    assert set(colors) <= set(plots.OKABE_ITO.values())
    assert pts[0].marker.color == plots.CELL_COLOR["rnn"]
    only_lstm = plots.fig_eigenvalues({n: ev for n in names[1:5]})
    pts = only_lstm.data[1:]
    assert len({tr.marker.color for tr in pts}) == 4 == len({tr.marker.symbol for tr in pts})


def test_gate_heatmap_gradient_rows_share_one_y_range():
    grads = {"trained": curve(0.5)[:8], "random": 0.01 * curve(0.9)[:8]}  # two decades apart
    fig = plots.fig_gate_heatmaps(list("abcdefgh"), _heat_cols(grads), 3)
    n_rows = 7  # i f g o c h grad
    first, second = fig.layout[f"yaxis{n_rows}"], fig.layout[f"yaxis{2 * n_rows}"]
    assert first.type == second.type == "log"
    assert second.matches == f"y{n_rows}"  # zooming one zooms both
    lo, hi = first.range
    grads = np.concatenate(list(grads.values()))
    assert lo < np.log10(grads.min()) and hi >= np.log10(grads.max())  # both columns' bars fit, none at zero height


def test_gate_heatmap_unit_labels_are_large_in_presentation_mode_and_never_overlap():
    cols = _heat_cols({"m": curve(0.5)[:8]})
    for c in cols.values():
        c["panels"] = {k: rng.uniform(0, 1, (16, 8)) for k in c["panels"]}
        c["units"] = list(range(16))
    for present in (False, True):
        fig = plots.fig_gate_heatmaps(list("abcdefgh"), cols, 3, present=present)
        ax = fig.layout.yaxis
        size = ax.tickfont.size
        assert size >= (20 if present else 10)
        rows_px = fig.layout.height * (ax.domain[1] - ax.domain[0])
        assert len(ax.tickvals) * size <= rows_px, (present, len(ax.tickvals), size, rows_px)
        assert list(ax.tickvals) == list(ax.ticktext) and ax.tickvals[0] == "#0"
