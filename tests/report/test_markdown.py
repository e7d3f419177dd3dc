"""The Markdown report: the same content, pipe tables, figures as files beside it."""

import re
import xml.etree.ElementTree as ET

import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.report.document import Table
from plw_stats.report.html import write_report
from plw_stats.report.markdown import render_table, slug

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def markdown_report(report_analysis, tmp_path_factory):
    folder = tmp_path_factory.mktemp("md")
    figures = {"critical_plw", "checks-AlpacaData"}
    path = write_report(report_analysis, folder / "report.md", format="md", only_figures=figures)
    return path


def test_markdown_has_the_answer_and_every_section(markdown_report):
    text = markdown_report.read_text(encoding="utf-8")
    assert text.startswith("# Does the prompt-loss weight matter?")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings[0] == "1. The answer" and headings[-1] == "11. Reproduce"
    assert len(headings) == 11
    toc = re.findall(r"\]\(#([^)]+)\)", text)
    assert toc == [slug(h) for h in headings]
    first = text.split("## 2.")[0]
    assert "- **AlpacaDataShort** — PLW matters:" in first
    assert "| dataset | PLW matters? | ELPD difference ± SE |" in first
    assert "e-10" not in text and "7.256" not in text


def test_markdown_figures_are_files_it_links_to(markdown_report):
    text = markdown_report.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == ["figures/checks-AlpacaData.svg", "figures/critical_plw.svg"]
    for link in links:
        root = ET.parse(markdown_report.parent / link).getroot()
        assert root.tag.endswith("svg")
    assert sorted(p.name for p in markdown_report.parent.iterdir()) == ["figures", "report.md"]


def test_markdown_with_png_images(report_analysis, tmp_path):
    path = write_report(
        report_analysis,
        tmp_path / "r.md",
        format="md",
        image_format="png",
        dpi=30,
        only_figures={"critical_plw"},
    )
    assert "![critical_plw](figures/critical_plw.png)" in path.read_text(encoding="utf-8")
    assert (tmp_path / "figures" / "critical_plw.png").read_bytes()[:8] == PNG_MAGIC


def test_pipe_tables_escape_bars_and_headings_slug_like_github():
    table = Table(("a", "b|c"), (("x", "1 | 2"),), caption="cap")
    assert render_table(table) == "*cap*\n\n| a | b\\|c |\n|---|---|\n| x | 1 \\| 2 |"
    assert slug("6. GAM: optimal PLW by length ratio") == "6-gam-optimal-plw-by-length-ratio"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"format": "pdf"}, "report format 'pdf' is unknown; use one of html, md"),
        ({"format": "md", "image_format": "gif"}, "image format 'gif' is unknown; use one of svg"),
    ],
)
def test_unknown_formats_are_refused_before_drawing(report_analysis, tmp_path, options, message):
    with pytest.raises(ModelSpecError, match=re.escape(message)):
        write_report(report_analysis, tmp_path / "r", **options)
    assert list(tmp_path.iterdir()) == []
