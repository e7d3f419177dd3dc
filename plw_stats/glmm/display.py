"""How a fit shows itself: a one-line ``repr`` in a terminal, a small HTML card in Jupyter.

Formatting happens only here, at display time; results keep their numbers as numbers.
"""

from __future__ import annotations

import html


def short_repr(fit) -> str:
    """One line: dataset, size, critical PLW and convergence of a fitted result."""
    spec, crit = fit.spec, fit.critical
    plw = (
        f"PLW* {crit.plw.mean:.3f} [{crit.plw.hdi_low:.3f}, {crit.plw.hdi_high:.3f}]"
        if crit.plw
        else "no interior maximum"
    )
    status = "converged" if fit.diagnostics.converged else "NOT converged"
    return (
        f"<BetaFitResult {fit.name!r}: {len(spec.data)} rows, {len(spec.benchmarks)} benchmarks, "
        f"{len(spec.models)} models; {plw}, P(interior max) {crit.prob_interior_max:.2f}; "
        f"{status}>"
    )


def html_card(fit) -> str:
    """Render a heading, the posterior summary table and the diagnostics of a fitted result."""
    pct = round(fit.hdi_prob * 100)
    table = fit.summary().rename(
        columns={"hdi_low": f"{pct}% HDI low", "hdi_high": f"{pct}% HDI high"}
    )
    rows = table.to_html(float_format=lambda v: f"{v:.3f}", na_rep="-", border=0)
    diag = fit.diagnostics
    status = "converged" if diag.converged else "NOT converged: " + "; ".join(diag.problems())
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in fit.all_notes())
    crit = fit.critical
    return (
        f"<div><strong>Beta mixed model — {html.escape(fit.name)}</strong> "
        f"({len(fit.spec.data)} rows, {len(fit.spec.benchmarks)} benchmarks, "
        f"{len(fit.spec.models)} models)<br>"
        f"P(b2 &lt; 0) = {crit.prob_b2_negative:.3f}, "
        f"P(interior maximum) = {crit.prob_interior_max:.3f}{rows}"
        f"<p>R-hat max {diag.rhat_max:.3f}, bulk ESS min {diag.ess_bulk_min:.0f}, "
        f"divergences {diag.divergences} ({html.escape(status)})</p>"
        f"{f'<ul>{notes}</ul>' if notes else ''}</div>"
    )


def sweep_repr(sweep) -> str:
    """One line per dataset of a sweep."""
    lines = [f"<SweepResult: {len(sweep.groups)} dataset(s)>"]
    lines += [f"  {short_repr(fit)}" for fit in sweep.groups.values()]
    return "\n".join(lines)


def sweep_html(sweep) -> str:
    """Every dataset's card, one after the other."""
    return "".join(html_card(fit) for fit in sweep.groups.values())
