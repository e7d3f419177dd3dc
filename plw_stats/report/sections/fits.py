"""Section 3, the fits: convergence diagnostics, what was retried, posterior summaries."""

from __future__ import annotations

from plw_stats.analysis import Analysis
from plw_stats.config import ESS_BULK_MIN, RHAT_MAX
from plw_stats.glmm.result import BetaFitResult
from plw_stats.report import numbers as fmt
from plw_stats.report.document import BulletList, Paragraph, Section, Subsection, Table
from plw_stats.report.tables import critical_table, formatted

EXPLANATION = (
    "The beta mixed model of each dataset, logit(mu) = b0 + (b1 + u[benchmark])·wp + b2·wp² "
    "+ v[model] with wp = PLW^p, sampled by NUTS. A fit can be trusted when its chains agree "
    f"(R-hat at most {RHAT_MAX:g}), they hold enough independent draws (bulk ESS at least "
    f"{ESS_BULK_MIN:.0f}) and the sampler reports no divergent transitions. A fit that missed "
    "these was retried with remedies (more tuning, a higher target acceptance, another "
    "backend); what was done is listed under each dataset. The critical wp and PLW rows "
    "summarise only the draws with an interior maximum, so they have no ESS or R-hat."
)

DIAGNOSTIC_COLUMNS = {
    "rhat_max": ("R-hat (max)", "rhat"),
    "ess_bulk_min": ("bulk ESS (min)", "number"),
    "divergences": ("divergences", "integer"),
    "converged": ("converged", "bool"),
    "retries": ("retries and notes", "integer"),
}

#: Row labels of the posterior summary, by parameter name.
PARAMETER_LABELS = {
    "intercept": "b0 (intercept at wp = 0)",
    "wp": "b1 (wp)",
    "wp2": "b2 (wp²)",
    "kappa": "kappa (beta precision)",
    "sd_slope": "sd of benchmark slopes",
    "sd_model": "sd of model intercepts",
    "critical_wp": "critical wp",
    "critical_plw": "critical PLW",
}


def diagnostics_table(analysis: Analysis) -> Table:
    """One row per dataset: R-hat, ESS, divergences, converged, count of retries and notes."""
    frame = critical_table(analysis.fits)
    frame["retries"] = [len(fit.notes) for fit in analysis.fits.groups.values()]
    return formatted(frame, DIAGNOSTIC_COLUMNS, index="dataset")


def summary_table(fit: BetaFitResult) -> Table:
    """Posterior summary of one fit: mean, sd, HDI, bulk ESS and R-hat of every parameter."""
    summary = fit.summary()
    hdi = f"{fmt.percent(fit.hdi_prob)} HDI"
    rows = []
    for name, row in summary.iterrows():
        value = fmt.plw if name == "critical_plw" else fmt.number
        span = (
            fmt.interval(row["hdi_low"], row["hdi_high"], kind="plw")
            if name == "critical_plw"
            else fmt.interval(row["hdi_low"], row["hdi_high"])
        )
        rows.append(
            (
                PARAMETER_LABELS.get(str(name), str(name)),
                value(row["mean"]),
                fmt.number(row["sd"]),
                span,
                fmt.number(row["ess_bulk"]),
                fmt.rhat(row["r_hat"]),
            )
        )
    header = ("parameter", "mean", "sd", hdi, "bulk ESS", "R-hat")
    return Table(header, tuple(rows))


def fit_subsection(fit: BetaFitResult) -> Subsection:
    """One dataset's fit: size, status, retries and notes, posterior summary."""
    diag = fit.diagnostics
    status = "converged" if diag.converged else f"did not converge: {'; '.join(diag.problems())}"
    size = (
        f"{len(fit.spec.data)} rows, {len(fit.spec.benchmarks)} benchmarks, "
        f"{len(fit.spec.models)} pretrained models; {fit.settings.chains} chains x "
        f"{fit.settings.draws} draws ({fit.settings.tune} tuning), sampler "
        f"`{fit.settings.sampler}`, seed {fit.random_seed}: {status}."
    )
    notes = fit.all_notes()
    blocks: list = [Paragraph(size)]
    if notes:
        blocks += [Paragraph("Retries, fallbacks and simplifications:"), BulletList(tuple(notes))]
    else:
        blocks.append(Paragraph("Nothing was retried; no backend fallback.", kind="note"))
    blocks.append(summary_table(fit))
    return Subsection(fit.name, tuple(blocks))


def fits_section(analysis: Analysis) -> Section:
    """Build the fits section."""
    blocks = [
        Paragraph(f"Fits: {analysis.fit_source}.", kind="note"),
        diagnostics_table(analysis),
        *(fit_subsection(fit) for fit in analysis.fits.groups.values()),
    ]
    return Section("fits", "Fits and convergence", EXPLANATION, tuple(blocks))
