"""The report's two-knob section, from synthetic surface fits (no sampler)."""

import pytest
from surface.synthetic import FLAT, PEAK, synthetic_surface

from plw_stats.analysis import Analysis
from plw_stats.datasets import load_surface_demo_scores
from plw_stats.plots.gallery import close_all
from plw_stats.report.figures import draw_figures
from plw_stats.report.sections.surfaces import surfaces_section
from plw_stats.surface.sweep import SurfaceSweep, specify_surfaces


@pytest.fixture(scope="module")
def surfaces():
    specs = {s.name: s for s in specify_surfaces(load_surface_demo_scores())}
    groups = {
        "Interior": synthetic_surface(specs["Interior"], PEAK, seed=1),
        "Flat": synthetic_surface(specs["Flat"], FLAT, seed=2),
    }
    return SurfaceSweep(groups, "bayes", specs["Interior"].power, specs["Interior"].clw_power, {})


def test_the_section_says_where_the_optimum_is(sweep_fit, demo_scores, surfaces):
    analysis = Analysis(demo_scores, "demo", sweep_fit, "synthetic", surfaces=surfaces)
    figures = draw_figures(analysis, only={"surfaces"})
    try:
        section = surfaces_section(analysis, figures)
    finally:
        close_all(list(figures.values()))
    table, figure = section.blocks
    assert [row[0] for row in table.rows] == ["Interior", "Flat"]
    interior = dict(zip(table.header, table.rows[0], strict=True))
    opt = surfaces.groups["Interior"].optimum
    assert interior["optimal CLW (HDI)"].startswith(f"{opt.clw.mean:.2f}"[:3])
    assert figure.name == "surfaces"


def test_without_a_clw_grid_the_section_says_so(sweep_fit, demo_scores):
    section = surfaces_section(Analysis(demo_scores, "demo", sweep_fit, "synthetic"), {})
    assert "no grid of completion-loss weights" in section.blocks[0].text
