"""``plw-stats fit --method ml``: the paper's GLMM by maximum likelihood, no sampling."""

import json

import pandas as pd
import pytest

from plw_stats.cli.main import main
from plw_stats.datasets import load_demo_scores


@pytest.fixture(scope="module")
def ml_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("ml") / "ml.json"
    assert main(["fit", "--method", "ml", "--json", str(path), "--quiet"]) == 0
    return json.loads(path.read_text())


def test_ml_json_contract(ml_json):
    assert set(ml_json["groups"]) == {"AlpacaData", "AlpacaDataCleaned", "AlpacaDataShort"}
    group = ml_json["groups"]["AlpacaDataShort"]
    assert set(group) == {"n_rows", "n_benchmarks", "n_models", "notes", "problems", "ml"}
    ml = group["ml"]
    for name in ("intercept", "wp", "wp2"):
        assert set(ml["coefficients"][name]) == {"estimate", "se", "z", "p_value"}
    assert ml["lrt"]["df"] == 2 and ml["lrt"]["p_value"] < 1e-3
    assert set(ml["critical_plw"]) == {"estimate", "low", "high"}
    assert ml["critical_plw"]["low"] < ml["critical_plw"]["estimate"] < ml["critical_plw"]["high"]
    assert ml["converged"] is True and ml["problems"] == []
    assert ml_json["settings"]["method"] == "ml"


def test_ml_agrees_with_the_recorded_glmmtmb_fit_of_the_demo(ml_json):
    """tests/reference/glmmtmb/demo_AlpacaDataShort.json was written by glmmTMB 1.1.5."""
    from pathlib import Path

    reference = Path(__file__).parents[1] / "reference" / "glmmtmb" / "demo_AlpacaDataShort.json"
    recorded = json.loads(reference.read_text())
    ml = ml_json["groups"]["AlpacaDataShort"]["ml"]
    assert ml["lrt"]["p_value"] == pytest.approx(recorded["lrt"]["p_value"], rel=0.05)


def test_ml_prints_the_wald_table_and_the_test(capsys):
    assert main(["fit", "--method", "ml", "--dataset", "AlpacaDataShort", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "AlpacaDataShort: 260 rows, 13 benchmarks, 2 models (maximum likelihood" in out
    assert "likelihood-ratio test of the wp terms: chi2(2) =" in out
    assert "critical PLW = 0.2" in out


def test_ml_refuses_out_folder(tmp_path, capsys):
    assert main(["fit", "--method", "ml", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "--method ml" in capsys.readouterr().err


def test_two_seeds_per_cell_use_every_row(tmp_path, capsys):
    scores = load_demo_scores()
    short = scores[scores["dataset"] == "AlpacaDataShort"]
    second = short.assign(seed="b", score=short["score"] * 1.002)
    table = tmp_path / "seeds.csv"
    pd.concat([short.assign(seed="a"), second]).to_csv(table, index=False)
    path = tmp_path / "ml.json"
    assert main(["fit", str(table), "--method", "ml", "--json", str(path), "--quiet"]) == 0
    group = json.loads(path.read_text())["groups"]["AlpacaDataShort"]
    assert group["n_rows"] == 520 and group["ml"]["converged"]
