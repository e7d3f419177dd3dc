"""``plw-stats surface``: errors in one line, the ML route, and (slow) the Bayesian run's files."""

import json
import re

import pytest

from plw_stats.cli.main import main
from plw_stats.datasets import load_surface_demo_scores

TINY = ["--chains", "2", "--draws", "150", "--tune", "150", "--quiet"]


@pytest.fixture(scope="module")
def one_dataset(tmp_path_factory):
    """The demo's Interior dataset as a CSV (with its (0, 0) base-model rows)."""
    scores = load_surface_demo_scores()
    path = tmp_path_factory.mktemp("scores") / "interior.csv"
    scores[scores["dataset"] == "Interior"].to_csv(path, index=False)
    return path


def table(tmp_path, frame):
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("change", "extra", "message"),
    [
        (
            lambda f: f[f["clw"] == 1].drop(columns="clw"),
            [],
            "has no clw column, so every run has completion",
        ),
        (lambda f: f[f["clw"] == 0.6], [], r"a single completion loss weight \(clw = 0.6\)"),
        (lambda f: f, ["--baseline", "zero,one"], "--baseline must be PLW,CLW such as 0,1"),
        (lambda f: f, ["--baseline", "0,0"], r"baseline \(0, 0\) is no training"),
        (lambda f: f, ["--dataset", "Nope"], "no dataset 'Nope' in the table; available"),
        (lambda f: f, ["--clw-power", "-1"], "clw_power must be a positive number, got -1"),
        (
            lambda f: f,
            ["--scale", "unit"],
            r"scores.csv: benchmark 'alpaca_eval' has score \S+ outside \[0, 1\]",
        ),
    ],
    ids=[
        "no-clw",
        "single-clw",
        "bad-baseline",
        "untrained-baseline",
        "unknown",
        "bad-power",
        "percent-on-unit-scale",
    ],
)
def test_bad_input_errors_in_one_line_and_writes_nothing(tmp_path, capsys, change, extra, message):
    path = table(tmp_path, change(load_surface_demo_scores()))
    out = tmp_path / "result.json"
    args = ["surface", str(path), "--json", str(out), "--out", str(tmp_path / "dir"), *extra]
    code = main([*args, *TINY])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("plw-stats surface: error: ") and err.count("\n") == 1
    assert re.search(message, err)
    assert not out.exists() and not (tmp_path / "dir").exists()


def test_ml_method_prints_and_writes_the_ml_contract(one_dataset, tmp_path, capsys):
    out = tmp_path / "ml.json"
    assert main(["surface", str(one_dataset), "--method", "ml", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "== Interior: 700 rows, 4 benchmarks, 5 models (ml)" in text
    assert "likelihood-ratio test vs the null model: chi2 =" in text
    payload = json.loads(out.read_text())
    assert payload["method"] == "ml" and "sampler" not in payload["settings"]
    group = payload["groups"]["Interior"]
    assert set(group) == {"n_rows", "n_benchmarks", "n_models", "notes", "problems", "ml"}
    assert group["notes"][0].startswith("(plw, clw) = (0, 0) is no training")
    ml = group["ml"]
    assert set(ml) == {"coefficients", "argmax", "lrt", "converged", "problems"}
    assert ml["argmax"]["plw"] == pytest.approx(0.05, abs=0.02)
    assert ml["argmax"]["clw"] == pytest.approx(0.8, abs=0.05)


@pytest.fixture(scope="module")
def bayes_run(one_dataset, tmp_path_factory):
    folder = tmp_path_factory.mktemp("surface")
    args = ["surface", str(one_dataset), "--seed", "3", *TINY, "--per-model"]
    code = main([*args, "--json", str(folder / "a.json"), "--out", str(folder / "out")])
    return folder, code


@pytest.mark.slow
def test_unit_scale_fits_proportions_by_ml(tmp_path, capsys):
    scores = load_surface_demo_scores()
    proportions = scores[scores["benchmark"] != "alpaca_eval"]
    out = tmp_path / "unit.json"
    args = ["surface", str(table(tmp_path, proportions)), "--dataset", "Interior"]
    assert main([*args, "--method", "ml", "--scale", "unit", "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert payload["settings"]["scale"] == "unit"
    assert payload["settings"]["relative_scores"].startswith("none: scores fitted as proportions")
    group = payload["groups"]["Interior"]
    assert any(n.startswith("scores fitted on their own [0, 1] scale") for n in group["notes"])
    assert group["ml"]["converged"] and group["n_benchmarks"] == 3
    assert "on their own [0, 1] scale" in capsys.readouterr().out


def test_bayes_run_writes_the_contract_fits_and_figures(bayes_run):
    folder, code = bayes_run
    assert code == 0
    payload = json.loads((folder / "a.json").read_text())
    assert payload["settings"]["sampler"]["draws"] == 150
    group = payload["groups"]["Interior"]
    expected = {"optimum", "prob_beats_baseline", "baseline", "cell_probabilities", "evidence"}
    assert expected | {"diagnostics", "ml"} <= set(group)
    assert group["baseline"] == {"plw": 0.0, "clw": 1.0}
    assert group["evidence"]["flat"] is False and group["prob_beats_baseline"] > 0.95
    names = {p.name for p in (folder / "out").iterdir()}
    files = {"Interior.nc", "summary.csv", "surface.json", "surface_Interior.png"}
    assert files | {"surfaces.png", "surfaces_by_model.png"} <= names


@pytest.mark.slow
def test_same_seed_gives_identical_json(bayes_run, one_dataset, tmp_path):
    folder, _ = bayes_run
    args = ["surface", str(one_dataset), "--seed", "3", *TINY, "--json", str(tmp_path / "b.json")]
    assert main(args) == 0
    assert (tmp_path / "b.json").read_text() == (folder / "a.json").read_text()


@pytest.mark.slow  # fits the PLW slice and the surface of one dataset
def test_figures_on_a_two_knob_table_draws_the_surfaces(one_dataset, tmp_path, capsys):
    out = tmp_path / "figs"
    args = ["figures", str(one_dataset), "--out", str(out), "--format", "png", "--dpi", "30"]
    code = main([*args, *TINY[:-1]])  # not --quiet: the notes say how the surfaces were sampled
    assert code == 0
    names = {p.stem for p in out.iterdir()}
    assert {"surfaces", "aggregates", "fitted_curves"} <= names
    assert "two-knob surfaces sampled at `plw-stats surface`'s defaults" in capsys.readouterr().err


def test_the_surface_parser_loads_no_sampler():
    import subprocess
    import sys

    code = (
        "import sys; from plw_stats.cli.main import build_parser; "
        "args = build_parser(['surface']).parse_args(['surface']); "
        "print(args.draws, args.tune, args.target_accept, "
        "any(m in sys.modules for m in ('numba', 'xarray', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["500", "500", "0.95", "False"]
