"""Section: two-knob (PLW × CLW) response surfaces, when the table has a completion-loss grid."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report import numbers as fmt
from plw_stats.report.document import Figure, Paragraph, Section, Table

EXPLANATION = (
    "When runs vary the completion-loss weight (CLW) as well as the prompt-loss weight, each "
    "dataset's mean relative score is modelled as a full quadratic surface in (wp, wc) with "
    "the same random effects as the one-knob model. The optimum is the argmax of the surface "
    "over [0, 1]² per posterior draw; the recommended setting is the argmax of the posterior "
    "mean surface, compared draw by draw with the baseline cell (conventional instruction "
    "tuning, PLW 0 and CLW 1, unless another was chosen). A surface is called flat when "
    "neither PSIS-LOO nor the likelihood-ratio test (with LOO agreeing) favours it over the "
    "model without the weight terms."
)
HEADER = (
    "dataset",
    "flat?",
    "optimal PLW (HDI)",
    "optimal CLW (HDI)",
    "recommended (PLW, CLW)",
    "P(beats baseline)",
    "gain over baseline (HDI)",
)


def surface_row(name: str, fit) -> tuple[str, ...]:
    """One dataset's answer in words and numbers."""
    opt, base = fit.optimum, fit.baseline
    flat = fmt.MISSING if fit.evidence is None else ("yes" if fit.evidence.flat else "no")
    return (
        name,
        flat,
        f"{fmt.plw(opt.plw.mean)} {fmt.interval(opt.plw.hdi_low, opt.plw.hdi_high, kind='plw')}",
        f"{fmt.plw(opt.clw.mean)} {fmt.interval(opt.clw.hdi_low, opt.clw.hdi_high, kind='plw')}",
        f"({fmt.plw(base.recommended_plw)}, {fmt.plw(base.recommended_clw)})",
        fmt.probability(base.prob_beats),
        f"{fmt.number(base.gain.mean)} {fmt.interval(base.gain.hdi_low, base.gain.hdi_high)}",
    )


def surfaces_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build the surfaces section (or say that the table has no clw grid)."""
    title = "Two knobs: prompt and completion loss weights"
    if analysis.surfaces is None:
        text = (
            "Not included: the score table has no grid of completion-loss weights (a clw "
            "column with at least two values)."
        )
        return Section("surfaces", title, EXPLANATION, (Paragraph(text, kind="note"),))
    fits = {name: fit for name, fit in analysis.surfaces.groups.items() if hasattr(fit, "optimum")}
    rows = tuple(surface_row(name, fit) for name, fit in fits.items())
    blocks: list = [Table(HEADER, rows, caption="Optimum of each dataset's surface.")]
    if "surfaces" in figures:
        spec = figures["surfaces"]
        blocks.append(Figure(spec.name, spec.caption, spec.figure))
    return Section("surfaces", title, EXPLANATION, tuple(blocks))
