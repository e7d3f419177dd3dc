"""The report of a whole analysis: one self-contained HTML page, or Markdown with image files.

:func:`write_report` draws the figures of an :class:`~plw_stats.analysis.Analysis` (gathered by
:func:`plw_stats.analysis.analyse`), builds the document — the answer first, then data, fits,
evidence, model checks, GAM, loss RSD, the figure set and how to reproduce it — and writes it
atomically.  :func:`render_html` returns the page as text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from plw_stats.analysis import Analysis
from plw_stats.errors import ModelSpecError
from plw_stats.output import OutputError, write_atomic
from plw_stats.plots.gallery import FigureSpec, close_all
from plw_stats.report.figures import draw_figures
from plw_stats.report.markdown import IMAGE_FORMATS, write_markdown
from plw_stats.report.page import render_page
from plw_stats.report.sections import build_document
from plw_stats.report.tables import critical_table, data_summary

#: Formats of :func:`write_report`.
FORMATS = ("html", "md")


def render_html(
    analysis: Analysis, figures: Mapping[str, FigureSpec] | Iterable[FigureSpec] = ()
) -> str:
    """Return the report as one HTML page.

    Parameters
    ----------
    analysis : Analysis
        What to report.
    figures : mapping or iterable of FigureSpec
        Drawn figures (:func:`plw_stats.report.figures.draw_figures`), by name or as a list;
        each appears in its section, and sections without theirs simply show no figure.
    """
    return render_page(build_document(analysis, _by_name(figures)))


def write_report(
    analysis: Analysis,
    path: str | Path,
    *,
    format: str = "html",
    dpi: int = 150,
    image_format: str = "svg",
    only_figures: Collection[str] | None = None,
) -> Path:
    """Draw the figures, build the report and write it atomically to ``path``.

    Parameters
    ----------
    analysis : Analysis
        What to report.
    path : str or Path
        The HTML (``format="html"``) or Markdown (``format="md"``) file; with Markdown the
        figures go to ``figures/`` beside it.
    format : {"html", "md"}
        Self-contained HTML page, or Markdown plus image files.
    dpi : int
        Resolution of PNG images (Markdown with ``image_format="png"`` only).
    image_format : {"svg", "png"}
        Image files of the Markdown report.
    only_figures : collection of str, optional
        Draw only these of the paper's figures and no model-check figures (quick previews).

    Raises
    ------
    OutputError
        If the folder of ``path`` does not exist (checked before any drawing).
    ModelSpecError
        If ``format`` or ``image_format`` is not one of the choices.
    """
    if format not in FORMATS:
        raise ModelSpecError(
            f"report format {format!r} is unknown; use one of {', '.join(FORMATS)}"
        )
    if image_format not in IMAGE_FORMATS:
        raise ModelSpecError(
            f"image format {image_format!r} is unknown; use one of {', '.join(IMAGE_FORMATS)}"
        )
    path = Path(path)
    if not path.parent.is_dir():
        raise OutputError(f"{path}: folder {path.parent} does not exist; create it first")
    figures = draw_figures(analysis, only=None if only_figures is None else set(only_figures))
    try:
        document = build_document(analysis, figures)
        if format == "md":
            return write_markdown(
                document, path.parent, name=path.name, image_format=image_format, dpi=dpi
            )
        page = render_page(document)
    finally:
        close_all(list(figures.values()))
    return write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def _by_name(figures: Mapping[str, FigureSpec] | Iterable[FigureSpec]) -> dict[str, FigureSpec]:
    if isinstance(figures, Mapping):
        return dict(figures)
    return {entry.name: entry for entry in figures}


__all__ = ["critical_table", "data_summary", "render_html", "write_report"]
