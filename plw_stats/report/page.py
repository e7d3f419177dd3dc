"""Render a report document as one self-contained HTML page.

The page needs nothing else: the style sheet is inline, the figures are inline SVG, and there
is no script, font or image from elsewhere, so it opens offline and can be mailed or archived
as one file.  A table of contents links to every section; tables use the page's width and wrap
their headings; a print style sheet lays it out for paper or PDF.
"""

from __future__ import annotations

import html
import re

from plw_stats.report.document import (
    BulletList,
    Document,
    Figure,
    Paragraph,
    Section,
    Subsection,
    Table,
)
from plw_stats.report.svg import inline_svg

CSS = """
:root{--ink:#1f2328;--muted:#57606a;--rule:#d0d7de;--accent:#0072B2;--soft:#f6f8fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,
sans-serif;color:var(--ink);max-width:62rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}
h1{font-size:1.75rem;line-height:1.25;margin:.2rem 0 .3rem}
.byline{color:var(--muted);font-size:.9rem;margin:0 0 1rem}
nav.toc{border:1px solid var(--rule);border-radius:6px;padding:.4rem 1rem .5rem;
margin:0 0 1.5rem;font-size:.92rem;background:var(--soft)}
nav.toc h2{font-size:.95rem;border:0;margin:.2rem 0;padding:0}
nav.toc ol{margin:.2rem 0;padding-left:1.4rem;columns:3 12rem;column-gap:2rem}
a{color:var(--accent)}
h2{font-size:1.35rem;border-bottom:2px solid var(--rule);padding-bottom:.2rem;
margin:2.4rem 0 .6rem}
h3{font-size:1.08rem;margin:1.6rem 0 .4rem}
p{margin:.5rem 0}
p.explain{background:var(--soft);border-left:3px solid var(--accent);padding:.5rem .8rem;
margin:.4rem 0 1rem;font-size:.94rem}
p.note{color:var(--muted);font-size:.92rem}
ul{margin:.4rem 0 .8rem;padding-left:1.4rem}
li{margin:.3rem 0}
section#answer ul.lead li{font-size:1.05rem;margin:.55rem 0}
.table-wrap{max-width:100%;overflow-x:auto;margin:.6rem 0 1.1rem}
table{border-collapse:collapse;width:100%;font-size:.86rem;font-variant-numeric:tabular-nums}
caption{caption-side:top;text-align:left;color:var(--muted);font-size:.86rem;
padding:0 0 .3rem}
th,td{border-bottom:1px solid var(--rule);padding:.3rem .5rem;text-align:left;
vertical-align:top;overflow-wrap:break-word}
thead th{border-bottom:2px solid #8c959f;background:var(--soft);font-weight:600}
tbody th{font-weight:600}
th.num,td.num{text-align:right}
td.num{white-space:nowrap}
tbody th{white-space:nowrap}
code{font:.84em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
overflow-wrap:anywhere;background:var(--soft);padding:0 .2em;border-radius:3px}
figure{margin:1.2rem 0 1.8rem}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{font-size:.86rem;color:var(--muted);margin-top:.5rem}
@media print{
body{max-width:none;padding:0;font-size:10pt;color:#000}
nav.toc{background:none}
a{color:inherit;text-decoration:none}
h2,h3,caption,p.explain{break-after:avoid}
tr,figure,p.explain,.table-wrap{break-inside:avoid}
.table-wrap{overflow:visible}
p.explain{background:none}
table{font-size:8.5pt}
figure svg{max-height:24cm}
}
@page{size:A4;margin:15mm 13mm}
"""

#: A cell that starts like a number (a digit, a sign, a bound or an interval), or is missing.
_NUMERIC = re.compile(r"^([-+<>\[\d]|\u2013$)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> str:
    """Escape text for HTML and turn ``**bold**`` and ```code``` into elements."""
    escaped = html.escape(text, quote=False)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    return _BOLD.sub(lambda m: f"<strong>{m.group(1)}</strong>", escaped)


def render_page(document: Document) -> str:
    """Return the whole HTML page of a document."""
    toc = "".join(f'<li><a href="#{s.id}">{inline(s.title)}</a></li>' for s in document.sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="plw-stats">',
        f"<title>{inline(document.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{inline(document.title)}</h1>",
        f'<p class="byline">{inline(document.byline)}</p>',
        "</header>",
        f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{toc}</ol></nav>',
        "<main>",
        *(render_section(s, n) for n, s in enumerate(document.sections, start=1)),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def render_section(section: Section, number: int) -> str:
    """One ``<section>`` with its numbered heading, explanation and blocks."""
    body = "\n".join(render_block(b, section.id) for b in section.blocks)
    return (
        f'<section id="{section.id}">\n<h2>{number}. {inline(section.title)}</h2>\n'
        f'<p class="explain">{inline(section.explanation)}</p>\n{body}\n</section>'
    )


def render_block(block, section_id: str) -> str:
    """One block of a section as HTML."""
    if isinstance(block, Paragraph):
        css = {"note": ' class="note"', "lead": ' class="lead"'}.get(block.kind, "")
        return f"<p{css}>{inline(block.text)}</p>"
    if isinstance(block, BulletList):
        css = ' class="lead"' if section_id == "answer" and "**" in "".join(block.items) else ""
        return f"<ul{css}>" + "".join(f"<li>{inline(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        return render_table(block)
    if isinstance(block, Figure):
        return render_figure(block)
    if isinstance(block, Subsection):
        inner = "\n".join(render_block(b, section_id) for b in block.blocks)
        return f"<h3>{inline(block.title)}</h3>\n{inner}"
    raise TypeError(f"cannot render a {type(block).__name__} block")


def render_table(table: Table) -> str:
    """Render a table inside a wrapper that scrolls rather than overflow a narrow screen.

    A column whose cells all start like numbers is aligned right, heading included.
    """
    right = [
        i > 0 and all(_NUMERIC.match(row[i]) for row in table.rows)
        for i in range(len(table.header))
    ]
    caption = f"<caption>{inline(table.caption)}</caption>" if table.caption else ""
    head = "".join(
        f'<th scope="col"{_css(r)}>{inline(h)}</th>'
        for h, r in zip(table.header, right, strict=True)
    )
    rows = "".join(
        f'<tr><th scope="row">{inline(row[0])}</th>'
        + "".join(f"<td{_css(r)}>{inline(c)}</td>" for c, r in zip(row[1:], right[1:], strict=True))
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<div class="table-wrap"><table>{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def _css(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def render_figure(figure: Figure) -> str:
    """Render a figure as inline SVG with its caption, its ids prefixed by its name."""
    anchor = f"fig-{figure.name}"
    svg = inline_svg(figure.figure, prefix=f"{anchor}-", label=figure.caption)
    return f'<figure id="{anchor}">{svg}<figcaption>{inline(figure.caption)}</figcaption></figure>'
