"""Figures as SVG that can sit inside an HTML page (several per page) or stand alone as files.

Matplotlib writes each SVG with its own element ids (glyphs, markers, clip paths).  Inlined side
by side those ids would collide, so :func:`inline_svg` prefixes every id of one figure and every
reference to it.  Text is drawn as paths, so a figure looks the same on every machine without
any font installed, and the RDF metadata (which names matplotlib's web site) is dropped, so the
page holds no external address at all.  Output is deterministic: no date, salted ids.
"""

from __future__ import annotations

import io
import re

from matplotlib.figure import Figure

from plw_stats.plots.style import use_style

#: rcParams applied on top of the paper style when writing SVG for the report.
SVG_STYLE = {"svg.fonttype": "path", "svg.hashsalt": "plw-stats-report"}

_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\b((?:xlink:)?href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")


def svg_text(figure: Figure) -> str:
    """Write a figure as a standalone SVG document (text as paths, no metadata, no date)."""
    buffer = io.BytesIO()
    with use_style(SVG_STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _METADATA.sub("", buffer.getvalue().decode("utf-8"))


def inline_svg(figure: Figure, *, prefix: str, label: str = "") -> str:
    """Return the figure as an ``<svg>`` element for an HTML page, its ids made unique.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure to write.
    prefix : str
        Prepended to every id of this figure (and every reference to one); must differ
        between the figures of one page.
    label : str
        Accessible name of the image (``aria-label``).
    """
    text = svg_text(figure)
    element = text[text.index("<svg") :].strip()
    element = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', element)
    element = _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', element)
    element = _URL.sub(lambda m: f"url(#{prefix}{m.group(1)})", element)
    attributes = ' role="img"' + (f' aria-label="{_attribute(label)}"' if label else "")
    return element.replace("<svg", f"<svg{attributes}", 1)


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
