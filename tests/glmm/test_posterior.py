"""Post-processing on synthetic draws: no sampler involved."""

import numpy as np
import pytest
import xarray as xr

from plw_stats.glmm.posterior import Diagnostics, diagnose, summarize, summarize_critical


def test_summarize_normal_draws():
    draws = np.random.default_rng(1).normal(2.0, 0.5, 40_000)
    s = summarize(draws, prob=0.94)
    assert s.mean == pytest.approx(2.0, abs=0.01)
    assert s.sd == pytest.approx(0.5, abs=0.01)
    # 94% HDI of a normal is mean ± 1.881 sd
    assert s.hdi_low == pytest.approx(2.0 - 1.881 * 0.5, abs=0.02)
    assert s.hdi_high == pytest.approx(2.0 + 1.881 * 0.5, abs=0.02)


def test_critical_summary_uses_only_interior_draws():
    rng = np.random.default_rng(2)
    b1 = rng.normal(5.59, 0.1, 4000)
    b2 = rng.normal(-4.284, 0.1, 4000)
    b2[:1000] = 1.0  # a quarter of the draws are convex: no maximum
    crit = summarize_critical(b1, b2)
    assert crit.prob_b2_negative == pytest.approx(0.75)
    assert crit.prob_interior_max == pytest.approx(0.75)
    assert crit.wp.mean == pytest.approx(0.652, abs=0.01)
    assert crit.plw.mean == pytest.approx(0.242, abs=0.01)


def test_critical_summary_without_interior_draws():
    crit = summarize_critical(np.ones(100), np.ones(100))
    assert crit.prob_interior_max == 0 and crit.wp is None and crit.plw is None


def _tree(values, diverging):
    posterior = xr.Dataset({"a": (("chain", "draw"), values)})
    stats = xr.Dataset({"diverging": (("chain", "draw"), diverging)})
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats})


def test_diagnose_good_chains():
    rng = np.random.default_rng(3)
    tree = _tree(rng.normal(size=(4, 1000)), np.zeros((4, 1000), bool))
    diag = diagnose(tree, ["a"])
    assert diag.rhat_max < 1.01 and diag.ess_bulk_min > 2000 and diag.divergences == 0
    assert diag.converged and diag.problems() == []


def test_diagnose_flags_stuck_chains_and_divergences():
    rng = np.random.default_rng(4)
    values = rng.normal(size=(4, 200)) + np.array([[0], [0], [0], [5]])
    diverging = np.zeros((4, 200), bool)
    diverging[0, :3] = True
    diag = diagnose(_tree(values, diverging), ["a"])
    assert diag.divergences == 3 and diag.rhat_max > 1.1 and not diag.converged
    assert any("divergent" in p for p in diag.problems())
    assert any("R-hat" in p for p in diag.problems())


def test_diagnostics_dict_contract():
    d = Diagnostics(rhat_max=1.0, ess_bulk_min=500.0, divergences=0).to_dict()
    assert d == {"rhat_max": 1.0, "ess_bulk_min": 500.0, "divergences": 0, "converged": True}
