"""The report as a document: sections made of paragraphs, tables and figures.

The sections (:mod:`plw_stats.report.sections`) build this structure from an analysis; the
HTML page (:mod:`plw_stats.report.page`) and the Markdown file (:mod:`plw_stats.report.markdown`)
render the same structure, so both carry the same content.  Text uses two inline marks only,
``**bold**`` and ```code```, which both renderers understand.  Every number in it has already
been formatted by :mod:`plw_stats.report.numbers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure as MplFigure


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``kind`` is ``"text"``, ``"lead"`` (emphasised) or ``"note"``."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class BulletList:
    """A list of short items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells.

    Attributes
    ----------
    header : tuple of str
        Column headings.
    rows : tuple of tuple of str
        Cells, row by row; the first column names the row.
    caption : str
        What the table shows (may be empty).
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A drawn figure with its name (anchor and file stem) and caption."""

    name: str
    caption: str
    figure: MplFigure = field(repr=False)


@dataclass(frozen=True)
class Subsection:
    """A titled group of blocks inside a section (one dataset, say)."""

    title: str
    blocks: tuple = ()


@dataclass(frozen=True)
class Section:
    """One section of the report: an anchor id, a title, a plain explanation and its blocks."""

    id: str
    title: str
    explanation: str
    blocks: tuple = ()


@dataclass(frozen=True)
class Document:
    """The whole report: title, a line about its inputs, and the sections in order."""

    title: str
    byline: str
    sections: tuple[Section, ...]

    def figures(self) -> list[Figure]:
        """Every figure of the document, in order."""
        found: list[Figure] = []
        for section in self.sections:
            for block in section.blocks:
                inner = block.blocks if isinstance(block, Subsection) else (block,)
                found += [b for b in inner if isinstance(b, Figure)]
        return found
