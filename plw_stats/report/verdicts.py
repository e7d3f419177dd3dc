"""From statistics to words: the one-sentence answer for each fine-tuning dataset.

Two questions are answered per dataset.

**Does PLW matter?**  Two tests of the wp terms speak (see :mod:`plw_stats.glmm.evidence`): the
PSIS-LOO difference in expected log predictive density between the model with and without
them (it favours PLW when the difference exceeds :data:`LOO_SE_MULTIPLE` standard errors), and
the maximum-likelihood likelihood-ratio test (it rejects "no effect" when ``p <``
:data:`ALPHA`).  Both agreeing is *yes*; one of them is *some evidence*; neither is *no clear
evidence*.  With only one test available, it decides alone.

**Which PLW is best?**  When PLW does not matter the curve is flat and no critical PLW is
reported.  Otherwise the share of posterior draws whose maximum lies inside the PLW range
decides: from :data:`INTERIOR_SURE` the critical PLW is stated with its interval, from
:data:`INTERIOR_LIKELY` it is stated as probable, below that the best score lies at an end
of the range (PLW 0 or 1, from the sign of the posterior mean of ``b1 + b2``).
"""

from __future__ import annotations

from dataclasses import dataclass

from plw_stats.report import numbers as fmt

#: Significance level of the likelihood-ratio test.
ALPHA = 0.05
#: ELPD difference, in standard errors, that counts as a better prediction.
LOO_SE_MULTIPLE = 2.0
#: P(interior maximum) from which the critical PLW is stated plainly.
INTERIOR_SURE = 0.9
#: P(interior maximum) from which the critical PLW is stated as probable.
INTERIOR_LIKELY = 0.5

#: The answer to "does PLW matter?" in the table, by strength.
STRENGTH_WORDS = {
    "yes": "yes",
    "some": "some evidence",
    "none": "no clear evidence",
    "unknown": "not tested",
}


@dataclass(frozen=True)
class Findings:
    """The numbers one dataset's verdict is made of.

    Attributes
    ----------
    dataset : str
        Name of the fine-tuning dataset.
    prob_b2_negative, prob_interior_max : float
        Posterior probabilities of a concave curve and of a maximum inside the PLW range.
    plw_mean, plw_low, plw_high : float or None
        Critical PLW over the draws with an interior maximum, and its HDI (None without).
    end_change : float
        Posterior mean of ``b1 + b2``: the fitted change on the logit scale from PLW 0 to 1.
    hdi_prob : float
        Mass of the HDI.
    elpd_diff, elpd_diff_se : float or None
        PSIS-LOO ELPD(with PLW) − ELPD(without) and its standard error; None if not computed.
    pareto_k_bad : int
        Observations with Pareto k > 0.7 (LOO unreliable there).
    ml_p_value : float or None
        Likelihood-ratio p-value of the wp terms; None if not computed.
    problems : tuple of str
        Convergence problems of the Bayesian fit.
    """

    dataset: str
    prob_b2_negative: float
    prob_interior_max: float
    plw_mean: float | None
    plw_low: float | None
    plw_high: float | None
    end_change: float
    hdi_prob: float = 0.94
    elpd_diff: float | None = None
    elpd_diff_se: float | None = None
    pareto_k_bad: int = 0
    ml_p_value: float | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The answer for one dataset, in categories and in words.

    Attributes
    ----------
    dataset : str
        Name of the dataset.
    strength : str
        ``"yes"``, ``"some"``, ``"none"`` or ``"unknown"``: does PLW matter.
    shape : str
        ``"interior"``, ``"probable"``, ``"flat"``, ``"end"`` (best at PLW 0 or 1) or
        ``"unknown"``.
    evidence : str
        The evidence in words with its numbers.
    critical : str
        The critical PLW with its interval, or why there is none.
    """

    dataset: str
    strength: str
    shape: str
    evidence: str
    critical: str

    @property
    def sentence(self) -> str:
        """One sentence: ``**dataset** — evidence; critical PLW.`` (light Markdown emphasis)."""
        return f"**{self.dataset}** \u2014 {self.evidence}; {self.critical}."


def loo_favours(findings: Findings) -> bool | None:
    """Whether PSIS-LOO favours the model with PLW (None when not computed)."""
    if findings.elpd_diff is None or findings.elpd_diff_se is None:
        return None
    return findings.elpd_diff > LOO_SE_MULTIPLE * findings.elpd_diff_se


def ml_rejects(findings: Findings) -> bool | None:
    """Whether the likelihood-ratio test rejects "no PLW effect" (None when not computed)."""
    if findings.ml_p_value is None or findings.ml_p_value != findings.ml_p_value:
        return None
    return findings.ml_p_value < ALPHA


def strength(findings: Findings) -> str:
    """Say whether PLW matters: ``yes``, ``some``, ``none`` or ``unknown`` (no test computed)."""
    votes = [v for v in (loo_favours(findings), ml_rejects(findings)) if v is not None]
    if not votes:
        return "unknown"
    if all(votes):
        return "yes"
    return "some" if any(votes) else "none"


def shape(findings: Findings, how_strong: str) -> str:
    """Where the maximum lies: ``flat``, ``interior``, ``probable``, ``end`` or ``unknown``."""
    if how_strong == "none":
        return "flat"
    interior = findings.prob_interior_max
    if findings.plw_mean is not None and interior >= INTERIOR_SURE:
        return "interior"
    if findings.plw_mean is not None and interior >= INTERIOR_LIKELY:
        return "probable"
    return "end"


def verdict(findings: Findings) -> Verdict:
    """Turn one dataset's findings into its verdict."""
    how_strong = strength(findings)
    where = shape(findings, how_strong)
    return Verdict(
        dataset=findings.dataset,
        strength=how_strong,
        shape=where,
        evidence=evidence_words(findings, how_strong),
        critical=critical_words(findings, where) + caution_words(findings),
    )


def evidence_words(findings: Findings, how_strong: str) -> str:
    """Word the evidence clause: the strength, then what each test found, with its numbers."""
    opening = {
        "yes": "PLW matters",
        "some": "some evidence that PLW matters",
        "none": "no clear evidence that PLW matters",
        "unknown": "whether PLW matters was not tested",
    }[how_strong]
    parts = [p for p in (_loo_words(findings), _ml_words(findings)) if p]
    if how_strong == "some" and len(parts) == 2 and loo_favours(findings) is False:
        parts.reverse()  # say first what speaks for the effect
    joiner = " but " if how_strong == "some" and len(parts) == 2 else " and "
    return f"{opening}: {joiner.join(parts)}" if parts else opening


def _loo_words(findings: Findings) -> str:
    favours = loo_favours(findings)
    if favours is None:
        return "PSIS-LOO was not computed"
    diff = fmt.plus_minus(findings.elpd_diff, findings.elpd_diff_se)
    bad = findings.pareto_k_bad
    rough = f", {bad} {'score' if bad == 1 else 'scores'} with Pareto k > 0.7" if bad else ""
    if favours:
        how = "better"
    elif findings.elpd_diff < -LOO_SE_MULTIPLE * findings.elpd_diff_se:
        how = "worse"
    else:
        how = "no better"
    return f"the model with PLW predicts held-out scores {how} (ELPD difference {diff}{rough})"


def _ml_words(findings: Findings) -> str:
    rejects = ml_rejects(findings)
    if rejects is None:
        return "the likelihood-ratio test was not computed"
    p = fmt.p_value(findings.ml_p_value)
    if rejects:
        return f"the likelihood-ratio test finds an effect ({p})"
    return f"the likelihood-ratio test finds none ({p})"


def critical_words(findings: Findings, where: str) -> str:
    """Word the critical-PLW clause: the PLW with its interval, or why there is none."""
    hdi = f"{fmt.percent(findings.hdi_prob)} HDI"
    interior = f"P(interior max) = {fmt.probability(findings.prob_interior_max)}"
    if where == "flat":
        return "the scores are flat in PLW, so there is no critical PLW"
    if where in ("interior", "probable"):
        value = fmt.plw(findings.plw_mean)
        span = fmt.interval(findings.plw_low, findings.plw_high, kind="plw")
        if where == "interior":
            return f"the critical PLW is {value}, {hdi} {span}"
        return (
            f"the critical PLW is probably {value}, {hdi} {span}, though the maximum lies "
            f"inside the PLW range in only part of the posterior ({interior})"
        )
    end = "PLW 1" if findings.end_change > 0 else "PLW 0"
    concave = f"P(b2 < 0) = {fmt.probability(findings.prob_b2_negative)}"
    if findings.prob_b2_negative >= INTERIOR_LIKELY:
        return (
            f"there is no critical PLW: the curve's maximum lies at an end of the range, "
            f"best at {end} ({interior}, {concave})"
        )
    return (
        f"there is no critical PLW: the curve is not concave ({concave}, {interior}), best at {end}"
    )


def caution_words(findings: Findings) -> str:
    """Word a warning to append when the Bayesian fit did not converge (else empty)."""
    if not findings.problems:
        return ""
    return f" (caution: the fit did not converge: {'; '.join(findings.problems)})"


def table_cell_critical(verdict_: Verdict, findings: Findings) -> str:
    """Word the answer table's critical-PLW cell: ``0.226 [0.161, 0.296]`` or why there is none."""
    if verdict_.shape in ("interior", "probable"):
        value = fmt.plw(findings.plw_mean)
        span = fmt.interval(findings.plw_low, findings.plw_high, kind="plw")
        return f"{value} {span}" + (" (probable)" if verdict_.shape == "probable" else "")
    if verdict_.shape == "flat":
        return "none: flat"
    return f"none: best at PLW {'1' if findings.end_change > 0 else '0'}"
