"""Calibration studies: the per-simulation table, its summaries, and where it is computed."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.simulation.calibration import (
    TIMING_COLUMNS,
    StudySetup,
    coverage_table,
    healing_summary,
    rank_summary,
    run_study,
)
from plw_stats.simulation.sweeps import PAPER_BENCHMARKS, Design

SMALL_DESIGN = Design(plw_levels=(0.0, 0.01, 0.1, 0.5, 1.0), benchmarks=PAPER_BENCHMARKS[:4])
FAKE = SamplerSettings(chains=2, draws=60, tune=10)


def without_timings(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=list(TIMING_COLUMNS))


def test_run_study_validates():
    with pytest.raises(ModelSpecError, match="n_sims must be a positive integer"):
        run_study(StudySetup(), 0)
    setup = StudySetup(settings=SamplerSettings(chains=1, draws=50), rank_draws=99)
    with pytest.raises(ModelSpecError, match=r"rank_draws \(99\) exceeds the draws of a fit"):
        run_study(setup, 2)


def test_coverage_table_counts_misses_and_missing_intervals():
    table = pd.DataFrame(
        {
            "true_b1": [1.0] * 4,
            "b1_mean": [1.0, 1.2, 0.9, 3.0],
            "b1_low": [0.5, 0.9, 0.2, 2.0],
            "b1_high": [1.5, 1.4, 1.1, 4.0],
            "true_b2": [-1.0] * 4,
            "b2_mean": [-1.0] * 4,
            "b2_low": [-2.0] * 4,
            "b2_high": [0.0] * 4,
            "true_plw": [0.2, 0.2, 0.2, np.nan],
            "plw_mean": [0.2, np.nan, 0.3, 0.2],
            "plw_low": [0.1, np.nan, 0.25, 0.1],
            "plw_high": [0.3, np.nan, 0.35, 0.3],
            "true_kappa": [np.nan] * 4,
        }
    )
    coverage = coverage_table(table)
    assert list(coverage.index) == ["b1", "b2", "plw"]  # kappa: no truth, no row
    assert coverage.loc["b1", "coverage"] == 0.75 and coverage.loc["b2", "coverage"] == 1.0
    assert coverage.loc["plw", "n"] == 3 and coverage.loc["plw", "coverage"] == pytest.approx(1 / 3)
    assert coverage.loc["b1", "mc_se"] == pytest.approx(np.sqrt(0.75 * 0.25 / 4))
    assert coverage.loc["b1", "bias"] == pytest.approx((0.2 - 0.1 + 2.0) / 4)


def test_study_table_with_retries_and_ranks(fake_sampler):
    setup = StudySetup(design=SMALL_DESIGN, source="prior", settings=FAKE, rank_draws=19)
    table = run_study(setup, 6, seed=3)
    assert table["simulation"].tolist() == list(range(6))
    for name in ("b1", "b2", "intercept", "kappa", "sd_slope", "sd_model"):
        assert table[f"rank_{name}"].between(0, 19).all()
        assert (table[f"{name}_low"] < table[f"{name}_high"]).all()
    assert table["ml_p_value"].isna().all()  # ml_test is off by default
    (sampler,) = fake_sampler.values()
    assert sampler.settings.cores == 1  # chains run one after another in each worker
    summary = healing_summary(table)
    assert summary["fits"] == 6 and summary["retries"] == int((table["attempts"] - 1).sum())
    assert summary["fits_with_divergences_first"] >= summary["fits_with_divergences"]
    diverged = table[table["divergences_first"] > 0]
    assert len(diverged) > 0 and (diverged["attempts"] > 1).all()
    assert list(rank_summary(table, 19).index) == [
        "intercept",
        "b1",
        "b2",
        "kappa",
        "sd_slope",
        "sd_model",
    ]


def test_same_seed_same_table_and_other_seed_another(fake_sampler):
    setup = StudySetup(design=SMALL_DESIGN, settings=FAKE, rank_draws=19)
    one = without_timings(run_study(setup, 4, seed=8))
    again = without_timings(run_study(setup, 4, seed=8))
    pd.testing.assert_frame_equal(one, again)
    other = without_timings(run_study(setup, 4, seed=9))
    assert not np.allclose(one["b1_mean"], other["b1_mean"])


def test_a_local_dask_cluster_gives_the_same_table(fake_sampler):
    distributed = pytest.importorskip("distributed")
    setup = StudySetup(design=SMALL_DESIGN, source="prior", settings=FAKE, rank_draws=19)
    serial = without_timings(run_study(setup, 5, seed=12))
    options = dict(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.LocalCluster(**options) as cluster, distributed.Client(cluster) as client:
        clustered = without_timings(run_study(setup, 5, seed=12, scheduler=client))
    pd.testing.assert_frame_equal(serial, clustered)


# ---------------------------------------------------------------- real fits (slow)


@pytest.mark.slow
def test_small_study_is_the_same_on_one_core_local_workers_and_a_cluster():
    distributed = pytest.importorskip("distributed")
    setup = StudySetup(design=SMALL_DESIGN, settings=SamplerSettings(chains=2, draws=150, tune=150))
    one = run_study(setup, 3, seed=5, n_jobs=1)
    two = run_study(setup, 3, seed=5, n_jobs=2)
    options = dict(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.LocalCluster(**options) as cluster, distributed.Client(cluster) as client:
        clustered = run_study(setup, 3, seed=5, scheduler=client)
    pd.testing.assert_frame_equal(without_timings(one), without_timings(two))
    pd.testing.assert_frame_equal(without_timings(one), without_timings(clustered))
    assert (one["true_b1"] == 5.590).all() and one["true_plw"].notna().all()
    coverage = coverage_table(one)
    assert list(coverage.index)[:3] == ["b1", "b2", "plw"]
    assert coverage["coverage"].between(0, 1).all() and (coverage["n"] == 3).all()


@pytest.mark.slow
def test_small_sbc_run_from_the_priors():
    setup = StudySetup(
        design=SMALL_DESIGN,
        source="prior",
        settings=SamplerSettings(chains=2, draws=200, tune=200),
        rank_draws=39,
        ml_test=True,
    )
    table = run_study(setup, 4, seed=21, n_jobs=2)
    ranks = table[[f"rank_{n}" for n in ("b1", "b2", "kappa")]]
    assert ranks.notna().all().all() and ranks.isin(range(40)).all().all()
    assert table["true_b1"].nunique() == 4  # every simulation drew its own parameters
    assert table["ml_p_value"].between(0, 1).all()
    summary = healing_summary(table)
    assert summary["fits"] == 4 and summary["rhat_max"] < 1.1


@pytest.mark.slow
def test_pipeline_study_recovers_the_critical_plw():
    setup = StudySetup(
        design=SMALL_DESIGN,
        source="pipeline",
        settings=SamplerSettings(chains=2, draws=200, tune=200),
        rank_draws=39,
    )
    table = run_study(setup, 2, seed=2)
    assert table["true_kappa"].isna().all() and table["rank_kappa"].isna().all()
    assert (abs(table["plw_mean"] - table["true_plw"]) < 0.2).all()
    assert list(coverage_table(table).index) == ["b1", "b2", "plw"]


def test_setup_is_hashable_for_the_per_process_sampler_cache():
    setup = StudySetup(design=SMALL_DESIGN)
    assert hash((setup.design, setup.priors, setup.settings)) == hash(
        (dataclasses.replace(setup).design, setup.priors, setup.settings)
    )
