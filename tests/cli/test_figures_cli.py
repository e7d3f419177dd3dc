"""plw-stats figures and plw-stats report: files written, errors on one line, nothing half-done."""

import hashlib
import re
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import pytest

from plw_stats.cli.main import main
from plw_stats.datasets import data_path
from plw_stats.plots.gallery import CAPTIONS, FigureSpec

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_csv():
    return str(data_path("demo_scores.csv"))


def write_weight_table(path):
    """A weight-distance table as `plw-stats weight-distance -o` writes it (two runs a level)."""
    rows = ["dataset,model,plw,p,mean_tensor_distance,distance,relative_distance"]
    for dataset in ("AlpacaData", "AlpacaDataShort"):
        for model in ("llama1-7b", "llama2-7b"):
            for plw in (0.0, 0.01, 0.1, 1.0):
                rows.append(f"{dataset},{model},{plw},2,{0.1 + plw},{3 + plw},{0.01 + plw / 10}")
    path.write_text("\n".join(rows) + "\n")
    return path


def test_a_bad_weight_table_is_one_line_and_nothing_is_drawn(fit_dir, tmp_path, capsys):
    bad = tmp_path / "w.csv"
    bad.write_text("dataset,model,plw\nA,m,0.1\n")
    out = tmp_path / "o"
    assert main(["figures", "--fit", str(fit_dir), "--weights", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "w.csv: weight-distance table: missing column(s) mean_tensor_distance; "
        "build it with plw-stats weight-distance -o or "
        "plw_stats.describe.weights.weight_distances"
    )
    assert len(err.splitlines()) == 1 and not out.exists()


@pytest.mark.slow  # draws the whole report
def test_report_of_a_fit_saved_with_another_power_shows_its_own_critical_plw(
    demo_csv, demo_scores, tmp_path
):
    from helpers import PEAKED, synthetic_fit

    from plw_stats.glmm.model import BetaMixedModel
    from plw_stats.report import numbers

    spec = BetaMixedModel.from_table(demo_scores, "AlpacaDataShort", power=0.5)
    fit = synthetic_fit(spec, PEAKED, seed=4)
    fit.save(tmp_path / "fits")
    out = tmp_path / "report"
    assert (
        main(["report", demo_csv, "--fit", str(tmp_path / "fits"), "--out", str(out), "--quiet"])
        == 0
    )
    page = (out / "report.html").read_text(encoding="utf-8")
    own = numbers.plw(fit.critical.plw.mean)
    paper_power = numbers.plw(fit.critical.wp.mean ** (1 / 0.30103))
    assert f"the critical PLW is {own}" in page and own != paper_power
    assert (
        main(
            [
                "report",
                demo_csv,
                "--fit",
                str(tmp_path / "fits"),
                "--power",
                "0.30103",
                "--out",
                str(tmp_path / "r2"),
                "--quiet",
            ]
        )
        == 2
    )


@pytest.mark.slow  # draws and writes the whole figure set
def test_figures_from_saved_fits_writes_the_whole_set(
    demo_csv, fit_dir, trainer_manifest, tmp_path, capsys
):
    out = tmp_path / "figs"
    args = ["figures", demo_csv, "--fit", str(fit_dir), "--out", str(out), "--format", "svg"]
    weights = write_weight_table(tmp_path / "weights.csv")
    assert main([*args, "--trainer-logs", str(trainer_manifest), "--weights", str(weights)]) == 0
    written = sorted(p.name for p in out.iterdir())
    expected = [name for name in CAPTIONS if name != "surfaces"]  # no CLW grid in the demo
    assert written == sorted(f"{name}.svg" for name in expected)
    for path in out.iterdir():
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")
    assert "AlpacaDataShort" in (out / "fitted_curves.svg").read_text()
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [str(out / f"{name}.svg") for name in expected]
    assert "no saved posterior for AlpacaDataCleaned" in captured.err
    assert not list(out.glob(".*.tmp"))


@pytest.mark.slow  # draws and writes the whole figure set
def test_figures_png_without_trainer_logs(fit_dir, tmp_path, capsys):
    out = tmp_path / "png"
    code = main(
        [
            "figures",
            "--fit",
            str(fit_dir),
            "--out",
            str(out),
            "--format",
            "png",
            "--dpi",
            "40",
            "--quiet",
        ]
    )
    assert code == 0
    names = sorted(p.stem for p in out.iterdir())
    skipped = ("loss_rsd", "weight_distance", "surfaces")  # no logs, weights or CLW grid
    assert names == sorted(n for n in CAPTIONS if n not in skipped)
    assert all(p.read_bytes()[:8] == PNG_MAGIC for p in out.iterdir())
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--fit", "{tmp}/nowhere"],
            "nowhere: no such file or folder; give a saved fit or the --out folder",
        ),
        (["--trainer-logs", "{tmp}/logs.csv"], "logs.csv: no such manifest; give a CSV with path"),
    ],
)
def test_figures_bad_input_is_one_line_and_writes_nothing(
    demo_csv, fit_dir, tmp_path, capsys, extra, message
):
    out = tmp_path / "out"
    extra = [e.format(tmp=tmp_path) for e in extra]
    args = ["figures", demo_csv, "--out", str(out), "--quiet"]
    if "--fit" not in extra:
        args += ["--fit", str(fit_dir)]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("plw-stats figures: error: ") and message in err
    assert not out.exists()


def test_figures_refuses_an_out_path_that_is_a_file(fit_dir, tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("keep me")
    assert main(["figures", "--fit", str(fit_dir), "--out", str(target)]) == 2
    assert "exists and is not a folder; choose another --out" in capsys.readouterr().err
    assert target.read_text() == "keep me"


def test_figures_bad_data_names_the_file(tmp_path, capsys):
    bad = tmp_path / "scores.csv"
    bad.write_text("dataset,model,plw,benchmark,score\nA,m,zero,b,0.5\n")
    assert main(["figures", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "scores.csv: column 'plw' has non-numeric value 'zero'" in err


@pytest.mark.slow  # draws and writes the whole report
def test_report_from_saved_fits(demo_csv, fit_dir, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", demo_csv, "--fit", str(fit_dir), "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(out / "report.html")
    assert [p.name for p in out.iterdir()] == ["report.html"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    figures = re.findall(r'<figure id="fig-([^"]+)"><svg', page)
    assert figures == [
        "fitted_curves",
        "checks-AlpacaData",
        "checks-AlpacaDataShort",
        "gam_surface",
        "aggregates",
        "benchmarks",
        "critical_plw",
    ]
    assert "data:image" not in page
    assert "http" not in re.sub(r'xmlns(:xlink)?="http://www.w3.org/[^"]+"', "", page)
    assert "posteriors loaded from" in page
    assert "AlpacaDataShort</strong> — " in page.split('<section id="data">')[0]
    assert "PSIS-LOO was not computed for AlpacaData, AlpacaDataShort" in page
    assert "Not included: no trainer logs were given" in page


@pytest.mark.slow  # draws and writes the whole report
def test_report_markdown_with_png_figures_and_trainer_logs(
    demo_csv, fit_dir, trainer_manifest, tmp_path, capsys
):
    out = tmp_path / "md"
    args = ["report", demo_csv, "--fit", str(fit_dir), "--out", str(out), "--quiet"]
    args += ["--format", "md", "--image-format", "png", "--dpi", "30"]
    assert main([*args, "--trainer-logs", str(trainer_manifest)]) == 0
    assert capsys.readouterr().out.strip() == str(out / "report.md")
    text = (out / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+)\)", text)
    assert "figures/loss_rsd.png" in links and len(links) == 8
    assert all((out / link).read_bytes()[:8] == PNG_MAGIC for link in links)
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        link.removeprefix("figures/") for link in links
    )
    assert "*Mean training-loss RSD (runs).*" in text
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.parametrize("extra", [[], ["--no-evidence"]])
def test_report_samples_with_evidence_unless_told_not_to(
    demo_scores, sweep_fit, tmp_path, capsys, monkeypatch, extra
):
    import plw_stats.report.html as report_html
    from plw_stats.glmm.sweep import SweepResult

    fit = sweep_fit.groups["AlpacaDataShort"]
    recorded = {"seed": 7, "sampler": fit.settings.to_dict()}  # as fit_sweep records them
    short = SweepResult({"AlpacaDataShort": fit}, sweep_fit.power, recorded)
    calls = []

    def fake_fit_sweep(scores, **options):  # the session fit stands in for sampling
        calls.append(options)
        options["on_fit"](short.groups["AlpacaDataShort"])
        return short

    draw = report_html.draw_figures
    monkeypatch.setattr("plw_stats.analysis.fit_sweep", fake_fit_sweep)
    monkeypatch.setattr(  # drawing every figure is tested above
        report_html,
        "draw_figures",
        lambda analysis, only=None: draw(analysis, only={"critical_plw"}),
    )
    table = tmp_path / "short.csv"
    demo_scores[demo_scores["dataset"] == "AlpacaDataShort"].to_csv(table, index=False)
    out = tmp_path / "fitted"
    args = ["report", str(table), "--out", str(out), "--draws", "60", "--seed", "7", *extra]
    assert main(args) == 0
    ((options,),) = [calls]
    assert options["evidence"] is (extra == []) and options["seed"] == 7
    assert "AlpacaDataShort: fitted" in capsys.readouterr().err
    page = (out / "report.html").read_text(encoding="utf-8")
    digest = hashlib.sha256(table.read_bytes()).hexdigest()
    assert f"score file {table}: <code>{digest}</code>" in page
    assert f"<code>plw-stats fit {table} --seed 7 --chains 2 --draws 200" in page


def test_figures_without_saved_fits_samples_with_the_given_settings(
    demo_scores, sweep_fit, tmp_path, capsys, monkeypatch
):
    calls = []

    def fake_fit_sweep(scores, **options):  # the session fit stands in for sampling
        calls.append((sorted(scores["dataset"].unique()), options))
        options["on_fit"](sweep_fit.groups["AlpacaDataShort"])
        return sweep_fit

    def one_figure(scores, *, fits, gam, rsd, weights, surfaces, power):  # drawn elsewhere
        assert gam is None and rsd is None and weights is None and surfaces is None
        assert fits is sweep_fit
        return [FigureSpec("critical_plw", "", plt.figure())]

    monkeypatch.setattr("plw_stats.analysis.fit_sweep", fake_fit_sweep)
    monkeypatch.setattr("plw_stats.report.figures.figure_set", one_figure)
    table = tmp_path / "short.csv"
    demo_scores[demo_scores["dataset"] == "AlpacaDataShort"].to_csv(table, index=False)
    out = tmp_path / "fitted"
    args = [
        "figures",
        str(table),
        "--out",
        str(out),
        "--chains",
        "3",
        "--draws",
        "60",
        "--tune",
        "70",
        "--sampler",
        "pymc",
        "--seed",
        "7",
        "--dpi",
        "30",
    ]
    assert main(args) == 0
    ((datasets, options),) = calls
    assert datasets == ["AlpacaDataShort"] and options["seed"] == 7
    settings = options["settings"]
    assert (settings.chains, settings.draws, settings.tune, settings.sampler) == (3, 60, 70, "pymc")
    assert (out / "critical_plw.pdf").read_bytes()[:5] == b"%PDF-"
    err = capsys.readouterr().err
    assert "fitting 1 dataset(s): 3 chains x 60 draws" in err
    assert "AlpacaDataShort: fitted" in err
    assert "GAM skipped" in err  # a single ratio cannot support the surface


@pytest.mark.slow
def test_report_sampling_computes_the_evidence(demo_scores, tmp_path, capsys):
    table = tmp_path / "short.csv"
    demo_scores[demo_scores["dataset"] == "AlpacaDataShort"].to_csv(table, index=False)
    out = tmp_path / "report"
    args = ["report", str(table), "--out", str(out), "--format", "md", "--image-format", "png"]
    args += ["--chains", "2", "--draws", "300", "--tune", "300", "--dpi", "30", "--seed", "3"]
    assert main(args) == 0
    assert "and each null model, for the evidence" in capsys.readouterr().err
    text = (out / "report.md").read_text(encoding="utf-8")
    answer = text.split("## 2.")[0]
    # the demo's AlpacaDataShort: a strong quadratic effect with its peak near PLW 0.22
    match = re.search(r"\*\*AlpacaDataShort\*\* — PLW matters: .*ELPD difference (\d+)", answer)
    assert match and int(match.group(1)) > 20
    critical = re.search(r"the critical PLW is (0\.\d+)", answer)
    assert critical and 0.15 < float(critical.group(1)) < 0.3
    assert "PSIS-LOO was not computed" not in text
