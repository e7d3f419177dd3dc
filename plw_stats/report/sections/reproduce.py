"""Section 9, reproduce: the exact settings, the versions and the data checksums."""

from __future__ import annotations

import math
import shlex

from plw_stats.analysis import Analysis, package_versions, table_checksum
from plw_stats.config import PLW_POWER
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.record import data_checksum
from plw_stats.report import numbers as fmt
from plw_stats.report.document import BulletList, Paragraph, Section, Table

EXPLANATION = (
    "Everything needed to get these numbers again: the settings of the fits, the versions of "
    "the software that computed this report, and sha256 checksums of the data. The same "
    "seed, settings and data give the same posterior draws."
)


def sampler_of(analysis: Analysis) -> SamplerSettings:
    """Sampler settings of the run: those stored with the sweep, else the first fit's."""
    stored = analysis.fits.settings.get("sampler")
    if stored:
        return SamplerSettings(**stored)
    return next(iter(analysis.fits.groups.values())).settings


def run_seed(analysis: Analysis) -> int | None:
    """Return the run's seed when the sweep recorded it (each dataset's seed is derived from it)."""
    seed = analysis.fits.settings.get("seed")
    return None if seed is None else int(seed)


def settings_table(analysis: Analysis) -> Table:
    """Build the table of settings, as the fits were run."""
    sampler = sampler_of(analysis)
    first = next(iter(analysis.fits.groups.values()))
    power = analysis.fits.power
    paper = " (the paper's, log 0.5 / log 0.1)" if math.isclose(power, PLW_POWER) else ""
    seed = run_seed(analysis)
    priors = ", ".join(f"{k} {fmt.number(v)}" for k, v in vars(first.spec.priors).items())
    squeeze = analysis.fits.settings.get("squeeze", "smithson-verkuilen")
    rows = (
        ("run seed", "not recorded" if seed is None else str(seed)),
        ("seed per dataset", ", ".join(f"{n} {f.random_seed}" for n, f in _fits(analysis))),
        ("chains x draws (tuning)", f"{sampler.chains} x {sampler.draws} ({sampler.tune})"),
        ("target acceptance", fmt.number(sampler.target_accept)),
        ("sampler, mass-matrix adaptation", f"{sampler.sampler}, {sampler.adaptation}"),
        ("HDI mass", fmt.percent(first.hdi_prob)),
        ("PLW power p in wp = PLW^p", fmt.number(power) + paper),
        ("priors", priors),
        ("squeeze into (0, 1)", str(squeeze)),
        ("relative scores", "min-max within benchmark over all rows"),
    )
    return Table(("setting", "value"), rows, caption="Settings of the fits.")


def _fits(analysis: Analysis):
    return analysis.fits.groups.items()


def versions_table(analysis: Analysis) -> Table:
    """Package → version of the environment that computed the report."""
    versions = analysis.versions or package_versions()  # an Analysis built by hand has none
    rows = tuple((name, value) for name, value in versions.items())
    return Table(("software", "version"), rows, caption="Versions.")


def checksums(analysis: Analysis) -> BulletList:
    """List the sha256 of the score table, of its file, and of each dataset's fitted rows."""
    digest = analysis.data_checksum or table_checksum(analysis.scores)
    items = [f"score table (as read, canonical CSV): `{digest}`"]
    if analysis.file_checksum:
        items.append(f"score file {analysis.source}: `{analysis.file_checksum}`")
    items += [
        f"fitted rows of {name} (as stored with a saved fit): `{data_checksum(fit.spec.data)}`"
        for name, fit in _fits(analysis)
    ]
    return BulletList(tuple(items))


def commands(analysis: Analysis) -> BulletList:
    """Give the two commands that redo the fits and this report."""
    sampler = sampler_of(analysis)
    data = analysis.source if analysis.file_checksum else None
    seed = run_seed(analysis)
    fit = ["plw-stats", "fit", *([data] if data else [])]
    fit += [] if seed is None else ["--seed", str(seed)]
    fit += ["--chains", str(sampler.chains), "--draws", str(sampler.draws)]
    fit += ["--tune", str(sampler.tune), "--target-accept", repr(sampler.target_accept)]
    fit += ["--sampler", sampler.sampler, "--adaptation", sampler.adaptation]
    first = next(iter(analysis.fits.groups.values()))
    fit += ["--hdi-prob", repr(first.hdi_prob)]
    if not math.isclose(analysis.fits.power, PLW_POWER):
        fit += ["--power", repr(analysis.fits.power)]
    fit += ["--out", "fits/"]
    report = ["plw-stats", "report", *([data] if data else []), "--fit", "fits/"]
    report += ["--out", "report/"]
    return BulletList((f"`{shlex.join(fit)}`", f"`{shlex.join(report)}`"))


def reproduce_section(analysis: Analysis) -> Section:
    """Build the reproduce section."""
    blocks = (
        settings_table(analysis),
        versions_table(analysis),
        Paragraph("Checksums (sha256):"),
        checksums(analysis),
        Paragraph(
            "Commands (add `--trainer-logs MANIFEST` if the report showed loss RSD"
            + ("" if run_seed(analysis) is not None else "; the run seed was not recorded")
            + "):"
        ),
        commands(analysis),
    )
    return Section("reproduce", "Reproduce", EXPLANATION, blocks)
