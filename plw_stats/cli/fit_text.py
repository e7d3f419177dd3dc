"""Text summaries printed by ``plw-stats fit``: Bayesian fits and maximum-likelihood fits."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plw_stats.glmm.result import BetaFitResult
    from plw_stats.glmm.sweep import SweepResult


def format_sweep(result: SweepResult) -> str:
    """Return the readable summary of every dataset's fit."""
    return "\n\n".join(format_fit(fit) for fit in result.groups.values())


def format_fit(fit: BetaFitResult) -> str:
    """Return the readable summary of one dataset's fit."""
    pct = round(fit.hdi_prob * 100)
    spec, crit, diag = fit.spec, fit.critical, fit.diagnostics
    lines = [
        f"== {fit.name}: {len(spec.data)} rows, {len(spec.benchmarks)} benchmarks, "
        f"{len(spec.models)} models",
        f"   {'':<10}{'mean':>9}{'sd':>8}   {pct}% HDI",
    ]
    for key, interval in fit.coefficients.items():
        lines.append(
            f"   {key:<10}{interval.mean:9.3f}{interval.sd:8.3f}   "
            f"[{interval.hdi_low:.3f}, {interval.hdi_high:.3f}]"
        )
    lines.append(
        f"   P(b2 < 0) = {crit.prob_b2_negative:.3f}   "
        f"P(interior maximum) = {crit.prob_interior_max:.3f}"
    )
    for label, interval in (("critical wp ", crit.wp), ("critical PLW", crit.plw)):
        text = (
            f"{interval.mean:.3f}  [{interval.hdi_low:.3f}, {interval.hdi_high:.3f}]"
            if interval
            else "none (too few draws with an interior maximum)"
        )
        lines.append(f"   {label} = {text}")
    status = "converged" if diag.converged else "NOT converged: " + "; ".join(diag.problems())
    lines.append(
        f"   diagnostics: R-hat max {diag.rhat_max:.3f}, bulk ESS min "
        f"{diag.ess_bulk_min:.0f}, divergences {diag.divergences} ({status})"
    )
    if fit.evidence is not None:
        lines.append(format_evidence(fit.evidence))
    if fit.ml is not None:
        lines.append(format_ml_line(fit.ml))
    lines.extend(f"   note: {note}" for note in fit.all_notes())
    return "\n".join(lines)


def format_evidence(evidence) -> str:
    """Return one summary line of the Bayesian evidence for the wp terms."""
    null = "" if evidence.null_converged else " (null model NOT converged)"
    return (
        f"   evidence: ELPD(quadratic) - ELPD(null) = {evidence.elpd_diff:.1f} "
        f"(SE {evidence.elpd_diff_se:.1f}), Pareto k > 0.7: {evidence.pareto_k_bad}{null}"
    )


def format_ml_line(ml) -> str:
    """Return the ML route in one line: the likelihood-ratio test and the critical PLW."""
    b = ml.coefficients
    crit = ml.critical_plw
    plw = f"PLW* {crit.estimate:.3f} [{_num(crit.low)}, {_num(crit.high)}]" if crit else "no PLW*"
    status = "" if ml.converged else f"; PROBLEMS: {'; '.join(ml.problems)}"
    return (
        f"   ML (Laplace, as glmmTMB): b1 {b['wp'].estimate:.3f}, b2 {b['wp2'].estimate:.3f}; "
        f"LRT chi2({ml.lrt.df}) = {ml.lrt.statistic:.1f}, p = {format_p(ml.lrt.p_value)}; "
        f"{plw}{status}"
    )


def format_ml_sweep(result) -> str:
    """Return the readable summary of every dataset's maximum-likelihood fit."""
    return "\n\n".join(format_ml_group(group) for group in result.groups.values())


def format_ml_group(group) -> str:
    """Return the readable summary of one dataset's maximum-likelihood fit."""
    spec, ml = group.spec, group.ml
    lines = [
        f"== {group.name}: {len(spec.data)} rows, {len(spec.benchmarks)} benchmarks, "
        f"{len(spec.models)} models (maximum likelihood, Laplace)",
        f"   {'':<10}{'estimate':>10}{'se':>9}{'z':>9}   p",
    ]
    for key, coef in ml.coefficients.items():
        lines.append(
            f"   {key:<10}{coef.estimate:10.3f}{_num(coef.se):>9}{_num(coef.z, 2):>9}   "
            f"{format_p(coef.p_value)}"
        )
    sds = ", ".join(
        f"{name} {value:.3f}"
        for name, value in (("sd_slope", ml.sd_slope), ("sd_model", ml.sd_model))
        if value is not None
    )
    lines.append(
        f"   {sds + ', ' if sds else ''}kappa {ml.kappa:.2f}; log-likelihood {ml.loglik:.2f}"
    )
    lines.append(
        f"   likelihood-ratio test of the wp terms: chi2({ml.lrt.df}) = {ml.lrt.statistic:.2f}, "
        f"p = {format_p(ml.lrt.p_value)}"
    )
    crit = ml.critical_plw
    lines.append(
        f"   critical PLW = {crit.estimate:.3f}  [{_num(crit.low)}, {_num(crit.high)}] "
        "(95% delta-method interval)"
        if crit
        else "   critical PLW = none (no interior maximum of the ML curve)"
    )
    status = "converged" if ml.converged else "NOT converged: " + "; ".join(ml.problems)
    lines.append(f"   diagnostics: {status}")
    lines.extend(f"   note: {note}" for note in spec.notes())
    return "\n".join(lines)


def format_p(p: float | None) -> str:
    """Return a p-value as people read it: 0.0312, 0.0008, 3.1e-09, < 1e-300."""
    if p is None or p != p:
        return "n/a"
    if p == 0:
        return "< 1e-300"
    return f"{p:.4f}" if p >= 1e-4 else f"{p:.1e}"


def _num(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
