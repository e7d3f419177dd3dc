"""One self-contained HTML report of a whole analysis: data, fits, critical PLW, GAM, figures.

:func:`render_html` turns an :class:`~plw_stats.analysis.Analysis` (gathered by
:func:`plw_stats.analysis.analyse`) and its figures into a single HTML page whose images are
embedded as base64 PNG, so the file can be mailed or archived on its own.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from plw_stats.analysis import Analysis
from plw_stats.config import __version__
from plw_stats.gam.result import GamResult
from plw_stats.glmm.result import BetaFitResult
from plw_stats.glmm.sweep import SweepResult
from plw_stats.output import OutputError, write_atomic
from plw_stats.plots.gallery import FigureSpec, close_all, figure_set
from plw_stats.plots.style import use_style

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.bad{color:#b00;font-weight:bold}.ok{color:#070}.note{color:#555;font-size:.9em}
figure{margin:1.2em 0}figure img{max-width:100%}figcaption{font-size:.85em;color:#444}
"""


def data_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per fine-tuning dataset: rows, models, benchmarks, PLW levels and ratio.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dataset``; integer counts ``n_rows, n_models, n_benchmarks,
        n_plw_levels``, floats ``plw_min, plw_max`` and ``ratio`` (NaN without that column).
    """
    groups = scores.groupby("dataset")
    table = pd.DataFrame(
        {
            "n_rows": groups.size(),
            "n_models": groups["model"].nunique(),
            "n_benchmarks": groups["benchmark"].nunique(),
            "n_plw_levels": groups["plw"].nunique(),
            "plw_min": groups["plw"].min(),
            "plw_max": groups["plw"].max(),
        }
    )
    ratio = groups["ratio"].first() if "ratio" in scores.columns else float("nan")
    return table.assign(ratio=ratio)


def critical_table(fits: SweepResult) -> pd.DataFrame:
    """One row per dataset: the critical point and the fit's diagnostics.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dataset``; floats ``prob_b2_negative, prob_interior_max, plw_mean,
        plw_low, plw_high, wp_mean, rhat_max, ess_bulk_min``, int ``divergences`` and bool
        ``converged``.  The PLW and wp columns are NaN without interior-maximum draws.
    """
    rows = {}
    for name, fit in fits.groups.items():
        crit, diag = fit.critical, fit.diagnostics
        rows[name] = {
            "prob_b2_negative": crit.prob_b2_negative,
            "prob_interior_max": crit.prob_interior_max,
            "plw_mean": crit.plw.mean if crit.plw else float("nan"),
            "plw_low": crit.plw.hdi_low if crit.plw else float("nan"),
            "plw_high": crit.plw.hdi_high if crit.plw else float("nan"),
            "wp_mean": crit.wp.mean if crit.wp else float("nan"),
            "rhat_max": diag.rhat_max,
            "ess_bulk_min": diag.ess_bulk_min,
            "divergences": diag.divergences,
            "converged": diag.converged,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("dataset")


@dataclass(frozen=True)
class EmbeddedImage:
    """A figure rendered to PNG, base64-encoded, with its name and caption."""

    name: str
    caption: str
    png_base64: str


def render_html(analysis: Analysis, figures: list[EmbeddedImage]) -> str:
    """Return the report as one HTML page with the figures embedded as base64 PNG."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>plw-stats report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>plw-stats report</h1>",
        _paragraph(
            f"Scores: {analysis.source}. Fits: {analysis.fit_source}. "
            f"plw-stats {__version__}; PLW power p = {analysis.fits.power:.5f}."
        ),
        *[f'<p class="note">{html.escape(note)}</p>' for note in analysis.notes],
        "<h2>Data</h2>",
        _table(data_summary(analysis.scores)),
        "<h2>Critical PLW</h2>",
        _paragraph(
            "Posterior of the vertex of the fitted quadratic; PLW* summarises only the "
            "draws with an interior maximum (b2 < 0 and wp* in (0, 1))."
        ),
        _table(critical_table(analysis.fits)),
        "<h2>Fits per dataset</h2>",
        *[_fit_section(fit) for fit in analysis.fits.groups.values()],
        _gam_section(analysis.gam),
        "<h2>Figures</h2>",
        *[_figure(entry) for entry in figures],
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(analysis: Analysis, path: str | Path, *, dpi: int = 150) -> Path:
    """Draw the figures, render the HTML and write it atomically to ``path``.

    Raises
    ------
    OutputError
        If the folder of ``path`` does not exist (checked before any drawing).
    """
    folder = Path(path).parent
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist; create it first")
    figures = figure_set(analysis.scores, fits=analysis.fits, gam=analysis.gam, rsd=analysis.rsd)
    try:
        page = render_html(analysis, [embed(f, dpi=dpi) for f in figures])
    finally:
        close_all(figures)
    return write_atomic(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))


def embed(entry: FigureSpec, *, dpi: int = 150) -> EmbeddedImage:
    """Render one figure of the set to an in-memory PNG for embedding."""
    buffer = io.BytesIO()
    with use_style():
        entry.figure.savefig(buffer, format="png", dpi=dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return EmbeddedImage(entry.name, entry.caption, data)


def _figure(entry: EmbeddedImage) -> str:
    return (
        f'<figure id="fig-{html.escape(entry.name)}">'
        f'<img alt="{html.escape(entry.name)}" src="data:image/png;base64,{entry.png_base64}">'
        f"<figcaption><b>{html.escape(entry.name)}.</b> {html.escape(entry.caption)}"
        "</figcaption></figure>"
    )


def _fit_section(fit: BetaFitResult) -> str:
    diag = fit.diagnostics
    status = (
        '<span class="ok">converged</span>'
        if diag.converged
        else f'<span class="bad">check: {html.escape("; ".join(diag.problems()))}</span>'
    )
    notes = "".join(f'<p class="note">{html.escape(n)}</p>' for n in fit.all_notes())
    return (
        f"<h3>{html.escape(fit.name)}</h3>"
        f"<p>{len(fit.spec.data)} rows, {len(fit.spec.benchmarks)} benchmarks, "
        f"{len(fit.spec.models)} models. Diagnostics: R-hat max {diag.rhat_max:.3f}, bulk ESS "
        f"min {diag.ess_bulk_min:.0f}, divergences {diag.divergences}: {status}.</p>"
        f"{notes}{_table(fit.summary())}"
    )


def _gam_section(gam: GamResult | None) -> str:
    if gam is None:
        return "<h2>GAM (Appendix D)</h2><p>Not fitted (see the note at the top).</p>"
    table = gam.optimal_table()
    table = table[~table["extrapolated"]]
    wide = table.assign(
        value=[
            f"{p:.3f}{'*' if flat else ''}"
            for p, flat in zip(table["plw"], table["flat"], strict=True)
        ]
    ).pivot(index="ratio", columns="group", values="value")
    wide = wide.sort_index(ascending=False)[gam.groups]
    return (
        "<h2>GAM (Appendix D)</h2>"
        + _paragraph(
            "Optimal PLW by completion/prompt ratio within the fitted range; * marks "
            "ratios where the predicted max - min is under 5% of the score range."
        )
        + wide.to_html(na_rep="")
        + _table(gam.summary())
    )


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(float_format=lambda v: f"{v:.4g}", na_rep="-")


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"
