"""Section 1, the answer: one sentence per dataset, then the same in a compact table."""

from __future__ import annotations

from collections.abc import Mapping

from plw_stats.analysis import Analysis
from plw_stats.glmm.ml_result import MLFit
from plw_stats.glmm.result import BetaFitResult
from plw_stats.plots.gallery import FigureSpec
from plw_stats.report import numbers as fmt
from plw_stats.report.document import BulletList, Figure, Paragraph, Section, Table
from plw_stats.report.verdicts import (
    ALPHA,
    INTERIOR_SURE,
    LOO_SE_MULTIPLE,
    STRENGTH_WORDS,
    Findings,
    Verdict,
    table_cell_critical,
    verdict,
)

EXPLANATION = (
    "For each fine-tuning dataset: does the prompt-loss weight (PLW) change benchmark "
    "performance, and which PLW is best? PLW matters when both tests agree: the model with "
    f"the PLW terms predicts held-out scores better (PSIS-LOO, by more than {LOO_SE_MULTIPLE:g} "
    "standard errors of the ELPD difference) and the likelihood-ratio test rejects no effect "
    f"(p < {ALPHA:g}); one of the two alone is some evidence. The critical PLW is where the "
    "fitted quadratic curve peaks: its posterior mean and highest-density interval (HDI) over "
    "the draws whose peak lies inside the PLW range; it is stated plainly when at least "
    f"{fmt.percent(INTERIOR_SURE)} of the draws put it there."
)


def findings_of(fit: BetaFitResult, ml: MLFit | None) -> Findings:
    """Collect the numbers of one dataset's verdict from its fit and its ML fit."""
    crit, ev = fit.critical, fit.evidence
    p_value = ml.lrt.p_value if ml is not None else (ev.ml_p_value if ev is not None else None)
    return Findings(
        dataset=fit.name,
        prob_b2_negative=crit.prob_b2_negative,
        prob_interior_max=crit.prob_interior_max,
        plw_mean=crit.plw.mean if crit.plw else None,
        plw_low=crit.plw.hdi_low if crit.plw else None,
        plw_high=crit.plw.hdi_high if crit.plw else None,
        end_change=fit.coefficients["wp"].mean + fit.coefficients["wp2"].mean,
        hdi_prob=fit.hdi_prob,
        elpd_diff=ev.elpd_diff if ev is not None else None,
        elpd_diff_se=ev.elpd_diff_se if ev is not None else None,
        pareto_k_bad=ev.pareto_k_bad if ev is not None else 0,
        ml_p_value=p_value,
        problems=tuple(fit.problems()),
    )


def verdicts(analysis: Analysis) -> list[tuple[Verdict, Findings]]:
    """Return the verdict of every fitted dataset, in the fits' order, with its findings."""
    found = []
    for name, fit in analysis.fits.groups.items():
        findings = findings_of(fit, analysis.ml.get(name))
        found.append((verdict(findings), findings))
    return found


def answer_table(pairs: list[tuple[Verdict, Findings]]) -> Table:
    """Build the compact table of the answer: one row per dataset."""
    rows = []
    for item, f in pairs:
        elpd = (
            fmt.plus_minus(f.elpd_diff, f.elpd_diff_se)
            if f.elpd_diff is not None
            else "not computed"
        )
        rows.append(
            (
                item.dataset,
                STRENGTH_WORDS[item.strength],
                elpd,
                fmt.p_value(f.ml_p_value).removeprefix("p = ").removeprefix("p "),
                fmt.probability(f.prob_b2_negative),
                fmt.probability(f.prob_interior_max),
                table_cell_critical(item, f),
            )
        )
    hdi = fmt.percent(pairs[0][1].hdi_prob) if pairs else ""
    header = (
        "dataset",
        "PLW matters?",
        "ELPD difference ± SE",
        "LR test p",
        "P(b2\u00a0<\u00a00)",  # no-break spaces keep it on one line
        "P(interior max)",
        f"critical PLW [{hdi} HDI]",
    )
    return Table(header, tuple(rows), caption="The answer in numbers.")


def answer_section(analysis: Analysis, figures: Mapping[str, FigureSpec]) -> Section:
    """Build section 1."""
    pairs = verdicts(analysis)
    blocks: list = [BulletList(tuple(item.sentence for item, _ in pairs)), answer_table(pairs)]
    if "fitted_curves" in figures:
        spec = figures["fitted_curves"]
        blocks.append(Figure(spec.name, spec.caption, spec.figure))
    if analysis.notes:
        blocks.append(Paragraph("Left out of this report:", kind="note"))
        blocks.append(BulletList(analysis.notes))
    return Section("answer", "The answer", EXPLANATION, tuple(blocks))
