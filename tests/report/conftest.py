"""Report fixtures: saved fits with and without stored evidence, an analysis, a rendered page.

No sampler runs: the fits are the session's synthetic posteriors (``sweep_fit``); one of them
carries an :class:`Evidence` built directly, as ``plw-stats fit`` stores it after sampling the
null model.
"""

from dataclasses import replace

import pytest

from plw_stats.analysis import analyse
from plw_stats.glmm.evidence import Evidence
from plw_stats.report.figures import draw_figures
from plw_stats.report.html import render_html

#: Evidence as a fit with a clear PLW effect stores it (one rough Pareto k).
STRONG_EVIDENCE = Evidence(
    elpd_diff=48.25,
    elpd_diff_se=8.125,
    pareto_k_bad=1,
    ml_p_value=7.256e-10,
    elpd_quadratic=150.3,
    elpd_null=102.05,
    ml_statistic=42.0,
)

#: Figures drawn for the page tests (a few, to stay fast).
PAGE_FIGURES = {"fitted_curves", "critical_plw", "checks-AlpacaDataShort"}


@pytest.fixture(scope="session")
def evidence_fit_dir(sweep_fit, tmp_path_factory):
    """Saved fits where AlpacaDataShort carries evidence and AlpacaData does not."""
    short = replace(sweep_fit.groups["AlpacaDataShort"], evidence=STRONG_EVIDENCE)
    sweep = replace(sweep_fit, groups=dict(sweep_fit.groups) | {"AlpacaDataShort": short})
    return sweep.save(tmp_path_factory.mktemp("fit-evidence"))


@pytest.fixture(scope="session")
def report_analysis(demo_scores, evidence_fit_dir, rsd_table):
    return analyse(demo_scores, source="demo", fit_dir=evidence_fit_dir, rsd=rsd_table)


@pytest.fixture(scope="session")
def report_page(report_analysis):
    """The HTML page of the analysis, with a few figures."""
    figures = draw_figures(report_analysis, only=PAGE_FIGURES)
    return render_html(report_analysis, figures)
