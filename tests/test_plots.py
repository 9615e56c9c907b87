"""Figure functions: each returns a go.Figure with the traces, axes and labels expected."""

import ast
import csv
import importlib
import io
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from gradflow import plots

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
