"""The figures of page 5 (gradflow.plots.depth): traces, shared colour axes, log axes, labels, sizes."""

import numpy as np
import pytest

from gradflow import plots
from gradflow.plots.depth import ZERO_COLOR

LAB = {"title": "T", "x": "X", "y": "Y", "z": "Z", "zero": "zero", "dh": "DH", "dc": "DC", "forward": "F",
       "backward": "B", "rho_exact": "RE", "rho_bound": "RB"}


def depth_maps(L=4, T=6):
    plain = -np.add.outer(np.arange(L)[::-1], np.arange(T)[::-1]) * 0.5  # (L, T): 0 at the top right
    res = plain / 4
    res[0, 0] = np.nan  # an exact zero
    return {"plain": plain, "residual": res}


def test_depth_time_two_heatmaps_share_one_colour_axis_layer_1_at_the_bottom():
    maps = depth_maps()
    fig = plots.fig_depth_time(maps, labels=LAB)
    heat = [tr for tr in fig.data if tr.type == "heatmap"]
    assert [tr.name for tr in heat] == ["plain", "residual"]
    assert {tr.coloraxis for tr in heat} == {"coloraxis"}
    ca = fig.layout.coloraxis
    assert ca.cmin == pytest.approx(np.nanmin(maps["plain"])) and ca.cmax == pytest.approx(0.0)
    assert list(ca.colorbar.tickvals) == [-4, -3, -2, -1, 0] and ca.colorbar.ticktext[0] == "10⁻⁴"
    assert list(heat[0].y) == [1, 2, 3, 4] and list(heat[0].x) == list(range(6))  # row 0 = layer 1, y increases up
    assert fig.layout.yaxis.range == (0.5, 4.5)
    np.testing.assert_array_equal(np.asarray(heat[1].z), maps["residual"])
    assert fig.layout.plot_bgcolor == ZERO_COLOR  # NaN cells show the background: "exactly 0"
    assert len(fig.data) == 2 and not fig.layout.showlegend  # data traces only (the CSV holds data)
    texts = [a.text for a in fig.layout.annotations]
    assert texts[:2] == ["plain", "residual"] and texts[2].endswith("■</span> zero") and ZERO_COLOR in texts[2]
    assert fig.layout.title.text == "T"
    boxes = [(sh.xref, sh.y0, sh.x0) for sh in fig.layout.shapes]  # the ratio's two cells, in each panel
    assert sorted(boxes) == [("x", 0.5, 4.5), ("x", 3.5, 4.5), ("x2", 0.5, 4.5), ("x2", 3.5, 4.5)]


def test_depth_time_one_panel_no_zero_entry_when_nothing_is_zero():
    fig = plots.fig_depth_time({"plain": depth_maps()["plain"]}, labels=LAB)
    assert [tr.type for tr in fig.data] == ["heatmap"] and [a.text for a in fig.layout.annotations] == ["plain"]


def test_depth_time_flat_map_gets_a_decade_of_colour():
    fig = plots.fig_depth_time({"a": np.full((2, 3), -2.0)}, labels=LAB)
    assert fig.layout.coloraxis.cmax - fig.layout.coloraxis.cmin == pytest.approx(1.0)


def test_variant_norms_one_line_per_variant_in_each_panel_log_axes():
    t = np.arange(10)
    dh = {"standard": 0.9 ** t[::-1], "coupled": 0.5 ** t[::-1]}
    dc = {"standard": 0.95 ** t[::-1], "coupled": 0.6 ** t[::-1]}
    fig = plots.fig_variant_norms(t, dh, dc, {"standard": "std", "coupled": "cpl"}, labels=LAB)
    assert [(tr.name, tr.xaxis) for tr in fig.data] == [("std", "x"), ("cpl", "x"), ("std", "x2"), ("cpl", "x2")]
    assert [tr.showlegend for tr in fig.data] == [True, True, False, False]  # one legend entry a variant
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert fig.data[0].line.dash == "solid" and fig.data[1].line.dash == "dot"
    assert fig.data[0].line.width > fig.data[1].line.width  # the standard LSTM under the others stays visible
    assert [a.text for a in fig.layout.annotations] == ["DH", "DC"]


@pytest.mark.parametrize("exact", [True, False])
def test_memory_three_lines_on_one_log_axis_rho_named_exact_or_bound(exact):
    k = np.arange(20)
    fig = plots.fig_memory(k, 0.8 ** k * 0.9, 0.7 ** k, 0.9 ** k, exact=exact, labels=LAB)
    assert [tr.name for tr in fig.data] == ["RE" if exact else "RB", "F", "B"]
    assert fig.layout.yaxis.type == "log"
    np.testing.assert_allclose(fig.data[0].y, 0.9 ** k)


def test_memory_zero_radius_leaves_gaps_not_errors():
    k = np.arange(5)
    fig = plots.fig_memory(k, np.r_[1.0, np.zeros(4)], np.r_[1.0, np.zeros(4)], 0.0 ** k, exact=True, labels=LAB)
    assert np.isnan(fig.data[1].y[1:]).all()


def test_cross_step_zeros_are_nan_log10_elsewhere_shared_axis():
    tf = np.diag([1e-3, 2e-3, 4e-3])
    free = np.tril(np.full((3, 3), 1e-2))
    fig = plots.fig_cross_step({"teacher": tf, "free": free}, labels=LAB)
    heat = [tr for tr in fig.data if tr.type == "heatmap"]
    z = np.asarray(heat[0].z, dtype=float)
    assert np.isnan(z[np.tril_indices(3, -1)]).all() and np.isnan(z[np.triu_indices(3, 1)]).all()
    np.testing.assert_allclose(np.diag(z), np.log10([1e-3, 2e-3, 4e-3]))
    assert {tr.coloraxis for tr in heat} == {"coloraxis"}
    assert fig.layout.coloraxis.cmax == pytest.approx(-2.0) and fig.layout.coloraxis.cmin == pytest.approx(-3.0)
    assert len(fig.data) == 2 and fig.layout.annotations[-1].text.endswith("zero")  # under the colour bar
    assert fig.layout.xaxis.title.text == "X" and fig.layout.yaxis.title.text == "Y"


def test_teacher_loss_lines_with_their_colours_and_dashes_on_a_log_axis():
    step = np.arange(1, 6)
    fig = plots.fig_teacher_loss(step, {"a": (np.ones(5), "blue", "solid"), "b": (np.full(5, 0.1), "sky", "dot")},
                                 labels=LAB)
    assert [(tr.name, tr.line.dash) for tr in fig.data] == [("a", "solid"), ("b", "dot")]
    assert fig.data[0].line.color == plots.OKABE_ITO["blue"]
    assert fig.layout.yaxis.type == "log"


def test_presentation_mode_is_larger():
    maps = depth_maps()
    small, big = plots.fig_depth_time(maps, labels=LAB), plots.fig_depth_time(maps, labels=LAB, present=True)
    assert big.layout.font.size > small.layout.font.size and big.layout.height > small.layout.height
    k = np.arange(5)
    small = plots.fig_memory(k, 0.5 ** k, 0.5 ** k, 0.5 ** k, exact=True, labels=LAB)
    big = plots.fig_memory(k, 0.5 ** k, 0.5 ** k, 0.5 ** k, exact=True, labels=LAB, present=True)
    assert big.data[1].line.width > small.data[1].line.width


def test_csv_export_has_every_cell():
    csv = plots.figure_to_csv(plots.fig_depth_time(depth_maps(2, 3), labels=LAB))
    rows = csv.strip().splitlines()
    assert rows[0] == "trace,x,y,z" and len(rows) == 1 + 2 * 6  # one row a cell of both panels


# The figures of this page that draw log axes, with short and long ranges (the same rule as
# tests/test_plots.py's LOG_FIGURES: decades or full values, never bare digits).
LOG_CASES = {
    "fig_variant_norms": [
        lambda: plots.fig_variant_norms(np.arange(9), {"standard": np.linspace(0.5, 0.9, 9)},
                                        {"standard": np.linspace(0.6, 0.7, 9)}, {}),
        lambda: plots.fig_variant_norms(np.arange(9), {"standard": np.geomspace(1e-8, 1, 9)},
                                        {"standard": np.geomspace(1e-9, 0.5, 9)}, {})],
    "fig_memory": [lambda: plots.fig_memory(np.arange(9), 0.99 ** np.arange(9), 0.98 ** np.arange(9),
                                            0.995 ** np.arange(9), exact=False),
                   lambda: plots.fig_memory(np.arange(60), 0.7 ** np.arange(60), 0.6 ** np.arange(60),
                                            0.9 ** np.arange(60), exact=False)],
    "fig_teacher_loss": [
        lambda: plots.fig_teacher_loss(np.arange(5), {"a": (np.linspace(0.4, 0.5, 5), "blue", "solid")}),
        lambda: plots.fig_teacher_loss(np.arange(5), {"a": (np.geomspace(1e-4, 1, 5), "blue", "solid")})],
}


@pytest.mark.parametrize("name,case", [(n, i) for n, cases in LOG_CASES.items() for i in range(len(cases))])
def test_log_axes_show_decades_or_full_values(name, case):
    from test_plots import assert_readable_log_axis, log_axes

    axes = log_axes(LOG_CASES[name][case]())
    assert axes, name
    for axis_name, ax in axes.items():
        assert_readable_log_axis(f"{name}[{case}].{axis_name}", ax)
