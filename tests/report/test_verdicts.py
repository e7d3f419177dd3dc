"""Statistics to words: each kind of dataset gets the sentence a co-author should read."""

import pytest

from plw_stats.report.verdicts import (
    Findings,
    loo_favours,
    ml_rejects,
    strength,
    table_cell_critical,
    verdict,
)


def findings(**changes) -> Findings:
    """A dataset with a clear interior maximum and strong evidence, changed as given."""
    base = {
        "dataset": "Short",
        "prob_b2_negative": 1.0,
        "prob_interior_max": 0.998,
        "plw_mean": 0.2261,
        "plw_low": 0.1612,
        "plw_high": 0.2961,
        "end_change": 1.8,
        "hdi_prob": 0.94,
        "elpd_diff": 61.0986,
        "elpd_diff_se": 9.1728,
        "pareto_k_bad": 0,
        "ml_p_value": 1.2e-47,
    }
    return Findings(**(base | changes))


def test_clear_effect_with_an_interior_maximum():
    answer = verdict(findings())
    assert (answer.strength, answer.shape) == ("yes", "interior")
    assert answer.sentence == (
        "**Short** — PLW matters: the model with PLW predicts held-out scores better "
        "(ELPD difference 61.1 ± 9.17) and the likelihood-ratio test finds an effect "
        "(p < 1e-6); the critical PLW is 0.226, 94% HDI [0.161, 0.296]."
    )
    assert table_cell_critical(answer, findings()) == "0.226 [0.161, 0.296]"


def test_flat_curve_has_no_critical_plw():
    flat = findings(elpd_diff=0.0692, elpd_diff_se=1.5035, ml_p_value=0.2844)
    answer = verdict(flat)
    assert (answer.strength, answer.shape) == ("none", "flat")
    assert "no clear evidence that PLW matters" in answer.evidence
    assert "predicts held-out scores no better (ELPD difference 0.0692 ± 1.5)" in answer.evidence
    assert "the likelihood-ratio test finds none (p = 0.284)" in answer.evidence
    assert answer.critical == "the scores are flat in PLW, so there is no critical PLW"
    assert table_cell_critical(answer, flat) == "none: flat"


def test_tests_that_disagree_are_some_evidence_and_say_why():
    mixed = findings(elpd_diff=2.5364, elpd_diff_se=3.3213, pareto_k_bad=2, ml_p_value=0.0103)
    answer = verdict(mixed)
    assert answer.strength == "some"
    # what speaks for the effect comes first, then "but"
    assert answer.evidence == (
        "some evidence that PLW matters: the likelihood-ratio test finds an effect "
        "(p = 0.0103) but the model with PLW predicts held-out scores no better "
        "(ELPD difference 2.54 ± 3.32, 2 scores with Pareto k > 0.7)"
    )
    other_way = verdict(findings(ml_p_value=0.31))
    assert other_way.evidence.startswith(
        "some evidence that PLW matters: the model with PLW predicts held-out scores better"
    )
    assert "but the likelihood-ratio test finds none (p = 0.31)" in other_way.evidence


def test_maximum_at_the_end_of_the_range():
    rising = findings(prob_b2_negative=0.97, prob_interior_max=0.12, end_change=2.0)
    answer = verdict(rising)
    assert answer.shape == "end"
    assert answer.critical == (
        "there is no critical PLW: the curve's maximum lies at an end of the range, best at "
        "PLW 1 (P(interior max) = 0.12, P(b2 < 0) = 0.97)"
    )
    assert table_cell_critical(answer, rising) == "none: best at PLW 1"
    falling = findings(prob_b2_negative=0.2, prob_interior_max=0.01, end_change=-1.0)
    assert verdict(falling).critical == (
        "there is no critical PLW: the curve is not concave (P(b2 < 0) = 0.2, "
        "P(interior max) = 0.01), best at PLW 0"
    )


def test_a_probable_maximum_is_hedged():
    answer = verdict(findings(prob_interior_max=0.8225))
    assert answer.shape == "probable"
    assert "the critical PLW is probably 0.226, 94% HDI [0.161, 0.296]" in answer.critical
    assert "(P(interior max) = 0.823)" in answer.critical


def test_missing_tests_are_named():
    no_loo = findings(elpd_diff=None, elpd_diff_se=None)
    assert loo_favours(no_loo) is None
    assert strength(no_loo) == "yes"  # the one test available decides
    assert "PSIS-LOO was not computed" in verdict(no_loo).evidence
    none = findings(elpd_diff=None, elpd_diff_se=None, ml_p_value=None)
    assert ml_rejects(none) is None
    assert verdict(none).evidence.startswith("whether PLW matters was not tested")


def test_worse_prediction_and_non_convergence():
    worse = verdict(findings(elpd_diff=-30.0, elpd_diff_se=5.0, ml_p_value=0.5))
    assert "predicts held-out scores worse (ELPD difference -30 ± 5)" in worse.evidence
    stuck = verdict(findings(problems=("R-hat 1.050 > 1.01",)))
    assert stuck.sentence.endswith("(caution: the fit did not converge: R-hat 1.050 > 1.01).")


@pytest.mark.parametrize(
    ("elpd", "se", "expected"), [(4.1, 2.0, True), (3.9, 2.0, False), (-5.0, 1.0, False)]
)
def test_loo_needs_two_standard_errors(elpd, se, expected):
    assert loo_favours(findings(elpd_diff=elpd, elpd_diff_se=se)) is expected
