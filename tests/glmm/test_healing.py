"""Fits retry with the remedy their diagnostics point to (tested without a sampler)."""

import dataclasses
import warnings

import numpy as np
import pytest
from helpers import synthetic_idata

from plw_stats.errors import ConvergenceWarning
from plw_stats.glmm import healing
from plw_stats.glmm.backends.dispatch import Draws
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.glmm.posterior import Diagnostics

MEANS = {"intercept": -1.0, "wp": 5.0, "wp2": -4.0, "kappa": 10.0, "sd_slope": 1, "sd_model": 0.5}


@pytest.fixture
def spec(demo_scores):
    return BetaMixedModel.from_table(demo_scores, "AlpacaDataShort")


def scripted_sampler(spec, divergences: list[int]):
    """A stand-in for the dispatch that returns synthetic draws with the given divergences."""
    calls = []

    def sample(design, settings, seed, *, progress=False):
        idata = synthetic_idata(
            design, MEANS, seed=len(calls), draws=settings.draws, chains=settings.chains
        )
        stats = idata["sample_stats"].to_dataset()
        flags = np.zeros(stats["diverging"].shape, dtype=bool)
        flags.flat[: divergences[len(calls)]] = True
        idata["sample_stats"] = stats.assign(diverging=(("chain", "draw"), flags))
        calls.append((settings, seed))
        return Draws(idata=idata, backend="native")

    return sample, calls


def test_divergences_raise_the_target_acceptance_then_the_warm_up():
    settings = SamplerSettings(target_accept=0.95)
    bad = Diagnostics(rhat_max=1.0, ess_bulk_min=1000, divergences=3)
    step1, text1 = healing.next_settings(settings, bad)
    assert step1.target_accept == 0.99 and "0.95 -> 0.99" in text1
    step2, _ = healing.next_settings(step1, bad)
    assert step2.target_accept == 0.995
    step3, text3 = healing.next_settings(step2, bad)
    assert step3.tune == 2 * settings.tune and "warm-up" in text3


def test_poor_mixing_doubles_warm_up_and_draws():
    slow = Diagnostics(rhat_max=1.05, ess_bulk_min=100, divergences=0)
    remedy, text = healing.next_settings(SamplerSettings(draws=500, tune=700), slow)
    assert (remedy.draws, remedy.tune) == (1000, 1400)
    assert "doubled" in text


def test_a_fit_that_heals_reports_no_problem_but_notes_the_retry(spec, monkeypatch):
    sample, calls = scripted_sampler(spec, [4, 0])
    monkeypatch.setattr(healing, "sample_posterior", sample)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = spec.fit(draws=500, chains=4, random_seed=5)
    assert [c[0].target_accept for c in calls] == [0.9, 0.95]
    assert calls[1][1] == healing.retry_seed(5, 1) != 5
    assert fit.problems() == [] and fit.diagnostics.divergences == 0
    assert fit.settings.target_accept == 0.9  # the request, reproducible with the seed
    (note,) = fit.to_dict()["notes"]
    assert note.startswith("attempt 1: 4 divergent transitions; retried with target_accept")


def test_a_fit_that_stays_sick_warns_and_reports(spec, monkeypatch):
    sample, calls = scripted_sampler(spec, [5, 3, 2])
    monkeypatch.setattr(healing, "sample_posterior", sample)
    with pytest.warns(ConvergenceWarning, match="'AlpacaDataShort': 2 divergent transitions"):
        fit = spec.fit(draws=500, chains=4)
    assert len(calls) == 1 + healing.MAX_RETRIES
    assert fit.problems() == ["2 divergent transitions"]
    assert len(fit.notes) == 2


def test_heal_false_samples_once(spec, monkeypatch):
    sample, calls = scripted_sampler(spec, [5])
    monkeypatch.setattr(healing, "sample_posterior", sample)
    with pytest.warns(ConvergenceWarning):
        spec.fit(dataclasses.replace(SamplerSettings(), draws=500, chains=4), retries=0)
    assert len(calls) == 1


def test_low_ess_alone_is_reported_not_retried():
    assert not healing.needs_retry(Diagnostics(rhat_max=1.0, ess_bulk_min=50, divergences=0))
    assert healing.needs_retry(Diagnostics(rhat_max=1.02, ess_bulk_min=900, divergences=0))
    assert healing.needs_retry(Diagnostics(rhat_max=1.0, ess_bulk_min=900, divergences=1))
