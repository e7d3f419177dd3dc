"""The report's sections, each built from an analysis and the drawn figures."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.config import __version__
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report.document import Document
from plw_stats.report.sections.answer import answer_section
from plw_stats.report.sections.checks import checks_section
from plw_stats.report.sections.data import data_section
from plw_stats.report.sections.evidence import evidence_section
from plw_stats.report.sections.fits import fits_section
from plw_stats.report.sections.gallery import gallery_section
from plw_stats.report.sections.gam import gam_section
from plw_stats.report.sections.reproduce import reproduce_section
from plw_stats.report.sections.rsd import rsd_section
from plw_stats.report.sections.surfaces import surfaces_section
from plw_stats.report.sections.weights import weights_section

TITLE = "Does the prompt-loss weight matter?"


def build_document(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Document:
    """Assemble the report: the answer first, then every section a reviewer asks for."""
    byline = f"plw-stats {__version__} report on {analysis.source}; fits: {analysis.fit_source}."
    sections = (
        answer_section(analysis, figures),
        data_section(analysis),
        fits_section(analysis),
        evidence_section(analysis),
        checks_section(analysis, figures),
        gam_section(analysis, figures),
        surfaces_section(analysis, figures),
        rsd_section(analysis, figures),
        weights_section(analysis, figures),
        gallery_section(figures),
        reproduce_section(analysis),
    )
    return Document(TITLE, byline, sections)


__all__ = ["TITLE", "build_document"]
