import json
import re

import arviz as az
import pandas as pd
import pytest

from plw_stats.cli.main import main

TINY = ["--chains", "2", "--draws", "100", "--tune", "100", "--retries", "0", "--quiet"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The same fit twice with the same seed; the second with --strict and --out."""
    folder = tmp_path_factory.mktemp("fit")
    args = ["fit", "--dataset", "AlpacaDataShort", "--seed", "7", *TINY]
    first = main([*args, "--json", str(folder / "a.json")])
    second = main(
        [*args, "--json", str(folder / "b.json"), "--out", str(folder / "out"), "--strict"]
    )
    return folder, first, second


@pytest.mark.slow
def test_same_seed_gives_identical_json(two_runs):
    folder, first, _ = two_runs
    assert first == 0
    assert (folder / "a.json").read_text() == (folder / "b.json").read_text()


@pytest.mark.slow
def test_json_contract(two_runs):
    folder, _, _ = two_runs
    payload = json.loads((folder / "a.json").read_text())
    assert payload["plw_power"] == pytest.approx(0.30103, abs=1e-5)
    assert set(payload["settings"]) >= {"seed", "hdi_prob", "sampler", "priors"}
    group = payload["groups"]["AlpacaDataShort"]
    assert (group["n_rows"], group["n_benchmarks"], group["n_models"]) == (260, 13, 2)
    for key in ("intercept", "wp", "wp2"):
        assert set(group["coefficients"][key]) == {"mean", "sd", "hdi_low", "hdi_high"}
    assert 0 <= group["prob_interior_max"] <= group["prob_b2_negative"] <= 1
    crit = group["critical_plw"]
    assert crit["hdi_low"] <= crit["mean"] <= crit["hdi_high"]
    diagnostics = group["diagnostics"]
    assert set(diagnostics) == {"rhat_max", "ess_bulk_min", "divergences", "converged"}
    assert isinstance(diagnostics["divergences"], int)
    # 200 draws cannot reach a bulk ESS of 400: recorded as not converged
    assert diagnostics["converged"] is False and group["problems"]
    # the same model by maximum likelihood sits beside the posterior, and gives the test
    assert group["ml"]["lrt"]["df"] == 2 and group["ml"]["lrt"]["p_value"] < 1e-3
    assert group["evidence"]["ml_p_value"] == group["ml"]["lrt"]["p_value"]
    assert group["evidence"]["null_converged"] in (True, False)


@pytest.mark.slow
def test_strict_exits_nonzero_and_out_folder_is_written(two_runs):
    folder, _, second = two_runs
    assert second == 3
    tree = az.from_netcdf(folder / "out" / "AlpacaDataShort.nc")
    assert tree["posterior"]["wp"].shape == (2, 100)
    assert "critical_plw" in tree["posterior"]
    summary = pd.read_csv(folder / "out" / "summary.csv")
    assert set(summary["parameter"]) >= {"intercept", "wp", "wp2", "critical_plw"}
    assert summary["mean"].dtype == float


@pytest.mark.slow
def test_printed_summary(capsys):
    args = ["fit", "--dataset", "AlpacaDataShort", "--seed", "7", *TINY]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "== AlpacaDataShort: 260 rows, 13 benchmarks, 2 models" in captured.out
    assert "critical PLW =" in captured.out and "diagnostics:" in captured.out
    assert "ML (Laplace, as glmmTMB): b1" in captured.out and "LRT chi2(2) =" in captured.out
    assert re.search(r"warning: AlpacaDataShort: .*bulk ESS \d+ < 400", captured.err)


@pytest.mark.slow
def test_two_seeds_per_cell_fit_by_both_routes_with_every_row(tmp_path):
    from plw_stats.datasets import load_demo_scores

    scores = load_demo_scores()
    short = scores[scores["dataset"] == "AlpacaDataShort"]
    second = short.assign(seed="b", score=short["score"] * 1.002)
    table = tmp_path / "seeds.csv"
    pd.concat([short.assign(seed="a"), second]).to_csv(table, index=False)
    path = tmp_path / "fit.json"
    assert main(["fit", str(table), "--json", str(path), "--no-evidence", *TINY]) == 0
    group = json.loads(path.read_text())["groups"]["AlpacaDataShort"]
    assert group["n_rows"] == 520
    assert group["ml"]["converged"] and group["critical_plw"]["mean"] > 0


GOOD = "dataset,model,plw,benchmark,score\n" + "".join(
    f"d,m,{plw},{bench},{score}\n"
    for bench, scores in (("a", (0.1, 0.5, 0.3)), ("b", (10, 30, 20)))
    for plw, score in zip((0.0, 0.1, 1.0), scores, strict=True)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        (GOOD.replace("score\n", "scor\n", 1), r"'score' \(found 'scor'"),
        (GOOD.replace("0.5", "high"), "non-numeric value 'high'"),
        (GOOD.replace("0.5", ""), r"missing \(NaN\)"),
        (GOOD.replace("d,m,1.0,a", "d,m,2.0,a"), "must lie in"),
        (GOOD + "d,m,0.1,a,0.2\n", "more than one score"),
        (GOOD.replace(",10\n", ",20\n").replace(",30\n", ",20\n"), "benchmark 'b' has the same"),
        (
            "dataset,model,plw,benchmark,score\nd,m1,0.5,a,0.1\nd,m2,0.5,a,0.9\n",
            r"dataset 'd' has 1 PLW level\(s\) \(0.5\)",
        ),
    ],
    ids=[
        "empty",
        "misspelt",
        "non-numeric",
        "nan",
        "plw-range",
        "duplicate",
        "constant-benchmark",
        "single-plw",
    ],
)
def test_bad_tables_error_in_one_line_and_write_nothing(tmp_path, capsys, text, message):
    path = tmp_path / "scores.csv"
    path.write_text(text)
    out = tmp_path / "result.json"
    code = main(["fit", str(path), "--json", str(out), "--out", str(tmp_path / "dir"), *TINY])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("plw-stats fit: error: ") and err.count("\n") == 1
    assert re.search(message, err)
    assert not out.exists() and not (tmp_path / "dir").exists()


def test_unknown_dataset_is_named(capsys):
    assert main(["fit", "--dataset", "Nope", *TINY]) == 2
    assert "no dataset 'Nope' in the table; available: AlpacaData" in capsys.readouterr().err
