"""Section 4, the evidence for a PLW effect: PSIS-LOO and the maximum-likelihood test."""

from __future__ import annotations

from plw_stats.analysis import Analysis
from plw_stats.glmm.evidence import PARETO_K_BAD
from plw_stats.glmm.ml import CI_LEVEL, LRT_DF
from plw_stats.report import numbers as fmt
from plw_stats.report.document import BulletList, Paragraph, Section
from plw_stats.report.tables import evidence_table, formatted, ml_table

EXPLANATION = (
    "Two ways to ask whether the wp terms (b1, b2) are needed. PSIS-LOO estimates how well "
    "the model with them and the model without them (same random effects) predict each "
    "observation left out in turn; the ELPD difference is positive when PLW helps, and a "
    "difference of more than about two standard errors counts. Observations with Pareto k "
    f"above {PARETO_K_BAD:g} make that estimate rough. The likelihood-ratio test fits both "
    "models by maximum likelihood (the random effects integrated out by the Laplace "
    "approximation, as glmmTMB does) and refers twice the gain in log-likelihood to a "
    f"chi-squared distribution with {LRT_DF} degrees of freedom. The maximum-likelihood "
    "estimates below are a cross-check of the Bayesian ones."
)

EVIDENCE_COLUMNS = {
    "elpd_quadratic": ("ELPD with PLW", "number"),
    "elpd_null": ("ELPD without", "number"),
    "elpd_diff±elpd_diff_se": ("difference ± SE", "number"),
    "pareto_k_bad": (f"Pareto k > {PARETO_K_BAD:g}", "integer"),
    "lr_statistic": (f"LR statistic (χ², {LRT_DF} df)", "number"),
    "lr_p_value": ("LR test p", "p_value"),
}

ML_COLUMNS = {
    "wp±wp_se": ("b1 ± SE", "number"),
    "wp2±wp2_se": ("b2 ± SE", "number"),
    "wp2_p": ("Wald p of b2", "p_value"),
    "plw": ("critical PLW", "plw"),
    "plw_low|plw_high": (f"{fmt.percent(CI_LEVEL)} CI", "plw"),
    "converged": ("converged", "bool"),
}


def missing_loo(analysis: Analysis) -> list[str]:
    """Datasets whose fit carries no PSIS-LOO evidence."""
    return [name for name, fit in analysis.fits.groups.items() if fit.evidence is None]


def evidence_notes(analysis: Analysis) -> list[str]:
    """List what the reader must know about the evidence: what is missing, model trouble."""
    notes = []
    absent = missing_loo(analysis)
    if absent:
        notes.append(
            f"PSIS-LOO was not computed for {', '.join(absent)}: the fits were saved without "
            "evidence (`plw-stats fit --no-evidence`). Refit without that flag, or run the "
            "report without `--fit`, to add it."
        )
    for name, fit in analysis.fits.groups.items():
        ev = fit.evidence
        if ev is not None and not ev.null_converged:
            notes.append(f"{name}: the model without PLW did not converge; LOO is rough.")
        if ev is not None and ev.null_notes:
            notes.append(f"{name}, model without PLW: {'; '.join(ev.null_notes)}.")
    for name, fit in analysis.ml.items():
        if fit.problems:
            notes.append(f"{name}, maximum likelihood: {'; '.join(fit.problems)}.")
    without_ml = sorted(set(analysis.fits.groups) - set(analysis.ml))
    if without_ml:
        notes.append(
            f"No maximum-likelihood fit for {', '.join(without_ml)}; the test shown is the "
            "one stored with the evidence, if any."
        )
    return notes


def evidence_section(analysis: Analysis) -> Section:
    """Build the evidence section."""
    frame = evidence_table(analysis.fits, analysis.ml)
    blocks: list = [
        formatted(
            frame,
            EVIDENCE_COLUMNS,
            index="dataset",
            caption="Out-of-sample comparison (PSIS-LOO) and likelihood-ratio test.",
        )
    ]
    if analysis.ml:
        blocks.append(
            formatted(
                ml_table(analysis.ml),
                ML_COLUMNS,
                index="dataset",
                caption="Maximum-likelihood (Laplace) estimates, Wald standard errors.",
            )
        )
    notes = evidence_notes(analysis)
    if notes:
        blocks += [Paragraph("Notes on the evidence:", kind="note"), BulletList(tuple(notes))]
    return Section("evidence", "Evidence for a PLW effect", EXPLANATION, tuple(blocks))
