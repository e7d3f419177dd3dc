"""The notebook API in one import (``import plw_stats as plw``)."""

import subprocess
import sys

import numpy as np
import pytest
from helpers import synthetic_fit

import plw_stats as plw
from plw_stats.errors import ModelSpecError


def test_every_public_name_resolves():
    for name in plw.__all__:
        assert getattr(plw, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = plw.nope


def test_importing_the_package_loads_no_statistics_stack():
    heavy = "('pymc', 'numba', 'matplotlib', 'pandas')"
    code = f"import sys, plw_stats; print(any(m in sys.modules for m in {heavy}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sampler_options_as_keywords_and_numpy_integers():
    settings = plw.SamplerSettings.from_options(draws=np.int64(500), chains=np.int32(2))
    assert settings.draws == 500 and isinstance(settings.draws, int)
    assert settings.chains == 2 and settings.tune == 500
    base = plw.SamplerSettings(tune=300)
    assert plw.SamplerSettings.from_options(base, draws=10).tune == 300
    with pytest.raises(ModelSpecError, match="unknown sampler option 'drawz'; the options are"):
        plw.SamplerSettings.from_options(drawz=10)
    with pytest.raises(ModelSpecError, match=r"draws must be an integer >= 1, got 2\.5"):
        plw.SamplerSettings(draws=2.5)


def test_specs_and_results_compare_by_identity(demo_scores):
    a = plw.BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    b = plw.BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    assert a == a and a != b and len({a, b}) == 2
    fit = synthetic_fit(a)
    assert fit == fit and fit != synthetic_fit(a)


def test_a_fit_displays_itself(demo_scores):
    fit = synthetic_fit(plw.BetaMixedModel.from_table(demo_scores, "AlpacaDataShort"))
    text = repr(fit)
    assert text.startswith("<BetaFitResult 'AlpacaDataShort': 260 rows, 13 benchmarks, 2 models")
    assert "PLW* 0.2" in text and "converged>" in text
    page = fit._repr_html_()
    assert page.startswith("<div>") and "critical_plw" in page and "R-hat max" in page
    ax = fit.plot()
    assert ax.get_title(loc="left") == "AlpacaDataShort"


def test_one_name_per_parameter_everywhere(demo_scores):
    fit = synthetic_fit(plw.BetaMixedModel.from_table(demo_scores, "AlpacaDataShort"))
    names = ["intercept", "wp", "wp2"]
    assert list(fit.summary().index[:3]) == names
    assert set(names) <= set(fit.to_frame().columns)
    assert list(fit.to_dict()["coefficients"]) == names
    assert set(names) <= set(fit.idata["posterior"].data_vars)


def test_seeds_must_be_non_negative_integers(demo_scores):
    spec = plw.BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")
    for bad in (-1, 1.5, "1", True):
        with pytest.raises(ModelSpecError, match="random_seed must be a non-negative integer"):
            spec.fit(random_seed=bad)


@pytest.mark.slow
def test_the_notebook_snippet_runs_as_written(tmp_path):
    scores = plw.load_demo_scores()
    fit = plw.fit(scores, dataset="AlpacaDataShort", draws=300, tune=300, seed=np.int64(1))
    assert isinstance(fit, plw.BetaFitResult) and fit.problems() == []
    fit.plot()
    fit.save(tmp_path / "fits")
    back = plw.load_fit(tmp_path / "fits")
    assert back.critical == fit.critical
    sweep = plw.fit(scores, seed=1, draws=200, tune=300)
    assert isinstance(sweep, plw.SweepResult) and len(sweep.groups) == 3
    assert sweep.groups["AlpacaDataShort"].critical.plw.mean == pytest.approx(
        fit.critical.plw.mean, abs=0.02
    )
