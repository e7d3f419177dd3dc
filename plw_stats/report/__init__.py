"""The HTML report of a whole analysis."""

from plw_stats.report.html import render_html, write_report

__all__ = ["render_html", "write_report"]
