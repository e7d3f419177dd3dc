import numpy as np
import pytest

from plw_stats.cli.main import main
from plw_stats.critical import critical_point, critical_wp, interior_maximum
from plw_stats.errors import ModelSpecError


def test_paper_alpacadatashort_coefficients_give_plw_0242():
    point = critical_point(5.590, -4.284)
    assert point.interior_max
    assert point.wp == pytest.approx(0.652, abs=5e-4)
    assert round(point.plw, 3) == 0.242


def test_vertex_outside_unit_interval_is_not_an_interior_maximum():
    point = critical_point(5.0, -1.0)  # vertex at wp = 2.5
    assert point.wp == pytest.approx(2.5)
    assert not point.interior_max and point.plw is None


def test_convex_curve_has_no_maximum():
    assert not critical_point(-2.0, 2.0).interior_max


def test_zero_quadratic_term_is_rejected():
    with pytest.raises(ModelSpecError, match="b2 = 0"):
        critical_point(1.0, 0.0)


def test_vectorised_vertex_handles_zero_b2():
    vertex = critical_wp(np.array([1.0, 2.0]), np.array([-1.0, 0.0]))
    assert vertex[0] == pytest.approx(0.5) and np.isnan(vertex[1])
    assert interior_maximum(np.array([1.0, 2.0]), np.array([-1.0, 0.0])).tolist() == [True, False]


def test_cli_critical_prints_paper_value(capsys):
    assert main(["critical", "--b1", "5.590", "--b2", "-4.284"]) == 0
    out = capsys.readouterr().out
    assert "critical PLW = 0.242" in out and "critical wp  = 0.652" in out


def test_cli_critical_without_interior_maximum_exits_1(capsys):
    assert main(["critical", "--b1", "1", "--b2", "1"]) == 1
    assert "none" in capsys.readouterr().out


def test_cli_critical_error_is_one_line(capsys):
    assert main(["critical", "--b1", "1", "--b2", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "b2 = 0" in err
