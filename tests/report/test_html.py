"""The HTML report stands alone and shows every section."""

import base64
import re

import pytest

from plw_stats.analysis import analyse
from plw_stats.output import OutputError
from plw_stats.report.html import critical_table, data_summary, render_html, write_report


def test_summaries_keep_numbers_as_numbers(demo_scores, sweep_fit):
    data = data_summary(demo_scores)
    assert list(data.index) == ["AlpacaData", "AlpacaDataCleaned", "AlpacaDataShort"]
    assert data.loc["AlpacaDataShort", "n_rows"] == 260
    assert data.loc["AlpacaDataShort", "ratio"] == pytest.approx(0.08)
    critical = critical_table(sweep_fit)
    assert critical["plw_mean"].dtype == float
    assert critical.loc["AlpacaDataShort", "plw_low"] < critical.loc["AlpacaDataShort", "plw_high"]
    assert critical["converged"].dtype == bool


@pytest.fixture(scope="module")
def report_html(fit_dir, demo_scores, rsd_table, tmp_path_factory):
    analysis = analyse(demo_scores, source="demo", fit_dir=fit_dir, rsd=rsd_table)
    path = write_report(analysis, tmp_path_factory.mktemp("report") / "report.html", dpi=60)
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained_with_every_section(report_html):
    for heading in ("Data", "Critical PLW", "Fits per dataset", "GAM (Appendix D)", "Figures"):
        assert f"<h2>{heading}</h2>" in report_html
    assert "<h3>AlpacaDataShort</h3>" in report_html
    assert "no saved posterior for AlpacaDataCleaned" in report_html
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', report_html)
    assert len(images) == 6
    assert all(base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n" for img in images)
    assert not re.search(r'(src|href)="(http|file|/)', report_html)  # nothing external
    assert "R-hat max" in report_html and "divergences" in report_html


def test_report_gam_table_lists_ratios_in_the_fitted_range(report_html):
    gam = report_html.split("<h2>GAM (Appendix D)</h2>")[1].split("<h2>")[0]
    assert "<th>All</th>" in gam and "<th>MC</th>" in gam and "<th>Gen</th>" in gam
    assert "<th>8.0</th>" not in gam  # 8.0 lies outside the fitted ratios 0.08 - 7.83
    assert "<th>7.5</th>" in gam and "<th>0.5</th>" in gam


def test_report_notes_a_skipped_gam(fit_dir, demo_scores):
    no_ratio = demo_scores.drop(columns="ratio")
    analysis = analyse(no_ratio, fit_dir=fit_dir)
    assert analysis.gam is None
    assert any(n.startswith("GAM skipped: the score table has no 'ratio'") for n in analysis.notes)
    page = render_html(analysis, [])
    assert "Not fitted (see the note at the top)" in page
    assert "GAM skipped: the score table has no &#x27;ratio&#x27; column" in page


def test_report_write_failure_leaves_no_file(fit_dir, demo_scores, tmp_path):
    analysis = analyse(demo_scores, fit_dir=fit_dir)
    target = tmp_path / "gone" / "report.html"
    with pytest.raises(OutputError, match="does not exist; create it first"):
        write_report(analysis, target)
    assert not target.parent.exists()
