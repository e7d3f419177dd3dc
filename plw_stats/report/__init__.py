"""The report of a whole analysis: HTML page or Markdown, the answer first.

Modules: :mod:`~plw_stats.report.numbers` (the one number-formatting rule),
:mod:`~plw_stats.report.verdicts` (statistics to words), :mod:`~plw_stats.report.tables`
(numeric tables), :mod:`~plw_stats.report.sections` (the document's sections),
:mod:`~plw_stats.report.page` and :mod:`~plw_stats.report.markdown` (renderers),
:mod:`~plw_stats.report.svg` (inline vector figures), :mod:`~plw_stats.report.html` (entry).
"""

from plw_stats.report.html import critical_table, data_summary, render_html, write_report

__all__ = ["critical_table", "data_summary", "render_html", "write_report"]
