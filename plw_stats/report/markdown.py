"""Render a report document as Markdown with its figures as image files beside it.

For pasting into a paper's draft, a wiki or an issue: GitHub-flavoured Markdown (pipe tables),
figures written as SVG (or PNG) files into ``figures/`` and linked relatively.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from plw_stats.errors import ModelSpecError
from plw_stats.output import write_atomic
from plw_stats.plots.style import use_style
from plw_stats.report.document import (
    BulletList,
    Document,
    Figure,
    Paragraph,
    Section,
    Subsection,
    Table,
)
from plw_stats.report.svg import SVG_STYLE, svg_text

#: Folder of the image files, relative to the Markdown file.
FIGURE_FOLDER = "figures"
IMAGE_FORMATS = ("svg", "png")


def slug(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", title.lower())
    return text.replace(" ", "-")


def render_markdown(document: Document, *, image_format: str = "svg") -> str:
    """Return the Markdown text of a document; figures link to ``figures/<name>.<format>``."""
    headings = [f"{n}. {s.title}" for n, s in enumerate(document.sections, start=1)]
    toc = [
        f"{n}. [{s.title}](#{slug(h)})"
        for n, (s, h) in enumerate(zip(document.sections, headings, strict=True), start=1)
    ]
    parts = [f"# {document.title}", f"*{document.byline}*", "**Contents**", "\n".join(toc)]
    for heading, section in zip(headings, document.sections, strict=True):
        parts.append(render_section(section, heading, image_format))
    return "\n\n".join(parts) + "\n"


def render_section(section: Section, heading: str, image_format: str) -> str:
    """One section: heading, explanation as a quote, blocks."""
    blocks = [render_block(b, image_format) for b in section.blocks]
    return "\n\n".join([f"## {heading}", f"> {section.explanation}", *blocks])


def render_block(block, image_format: str) -> str:
    """One block as Markdown."""
    if isinstance(block, Paragraph):
        return f"*{block.text}*" if block.kind == "note" else block.text
    if isinstance(block, BulletList):
        return "\n".join(f"- {item}" for item in block.items)
    if isinstance(block, Table):
        return render_table(block)
    if isinstance(block, Figure):
        path = f"{FIGURE_FOLDER}/{block.name}.{image_format}"
        return f"![{block.name}]({path})\n\n*Figure {block.name}.* {block.caption}"
    if isinstance(block, Subsection):
        inner = [render_block(b, image_format) for b in block.blocks]
        return "\n\n".join([f"### {block.title}", *inner])
    raise TypeError(f"cannot render a {type(block).__name__} block")


def render_table(table: Table) -> str:
    """Write a pipe table (``|`` in cells escaped) with its caption in italics above."""

    def row(cells) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    lines = [row(table.header), "|" + "|".join("---" for _ in table.header) + "|"]
    lines += [row(r) for r in table.rows]
    caption = f"*{table.caption}*\n\n" if table.caption else ""
    return caption + "\n".join(lines)


def write_markdown(
    document: Document, folder: Path, *, name: str, image_format: str = "svg", dpi: int = 150
) -> Path:
    """Write ``folder/name`` and its figures into ``folder/figures/`` (each file atomically).

    Everything is rendered in memory before the first file is written, and the Markdown file is
    written last, so a failure leaves no Markdown pointing at missing figures.

    Returns
    -------
    Path
        The Markdown file.
    """
    if image_format not in IMAGE_FORMATS:
        raise ModelSpecError(
            f"image format {image_format!r} is not supported; use one of {', '.join(IMAGE_FORMATS)}"
        )
    images = {
        f"{figure.name}.{image_format}": _image(figure, image_format, dpi)
        for figure in document.figures()
    }
    text = render_markdown(document, image_format=image_format).encode("utf-8")
    (folder / FIGURE_FOLDER).mkdir(exist_ok=True)
    for file_name, content in images.items():
        write_atomic(folder / FIGURE_FOLDER / file_name, lambda tmp, c=content: tmp.write_bytes(c))
    return write_atomic(folder / name, lambda tmp: tmp.write_bytes(text))


def _image(figure: Figure, image_format: str, dpi: int) -> bytes:
    if image_format == "svg":
        return svg_text(figure.figure).encode("utf-8")
    buffer = io.BytesIO()
    with use_style(SVG_STYLE):
        figure.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
