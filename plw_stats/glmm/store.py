"""Read saved fits back: a ``<dataset>.nc`` file or a folder of them (``fit --out DIR``).

Each file carries its own meaning (see :mod:`plw_stats.glmm.record`): the fitted rows, PLW power,
priors, squeeze, parameterisation, sampler settings, seed and evidence.  The specification is
rebuilt from those, never from what the caller assumes; a caller's value that contradicts the
stored one (another ``--power``, a score table whose rows differ) is refused with a one-line
error naming both.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from plw_stats.errors import DataSchemaError
from plw_stats.glmm import record
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.evidence import Evidence
from plw_stats.glmm.ml_result import MLFit
from plw_stats.glmm.model import BetaMixedModel
from plw_stats.glmm.priors import BetaPriors
from plw_stats.glmm.result import BetaFitResult
from plw_stats.glmm.sweep import SWEEP_FILE, SweepResult
from plw_stats.transforms import relative_scores

#: Relative tolerance when comparing a given PLW power with the stored one.
POWER_RTOL = 1e-9
#: Groups every saved fit holds, one-knob or surface.
SAVED_GROUPS = ("posterior", "sample_stats", "fit_data")


def load_fit(
    path: str | Path,
    dataset: str | None = None,
    *,
    scores: pd.DataFrame | None = None,
    power: float | None = None,
    hdi_prob: float | None = None,
) -> BetaFitResult | SweepResult:
    """Load a saved fit (a ``.nc`` file) or the fits of a folder.

    Parameters
    ----------
    path : str or Path
        A file written by ``BetaFitResult.save`` or a folder of them (``plw-stats fit --out``).
    dataset : str, optional
        With a folder: load only this dataset's fit.
    scores : pandas.DataFrame, optional
        A raw score table to check against: each fit's stored rows must equal that dataset's
        relative scores in this table.
    power : float, optional
        A PLW power to check against the stored one (refused when they differ).
    hdi_prob : float, optional
        Re-summarise with this interval mass instead of the stored one.

    Returns
    -------
    BetaFitResult or SweepResult
        A file, a folder holding one fit, or ``dataset`` → one result; otherwise a sweep of
        every saved fit in the folder, in name order.

    Raises
    ------
    DataSchemaError
        If nothing readable is there, a file is not a plw-stats fit, or a given value
        contradicts the stored one.
    """
    path = Path(path)
    if path.is_file():
        return read_fit(path, scores=scores, power=power, hdi_prob=hdi_prob)
    files = fit_files(path)
    if scores is not None:
        files = _in_table(path, files, scores)
    if dataset is not None:
        files = {name: file for name, file in files.items() if name == dataset}
        if not files:
            raise DataSchemaError(f"{path}: no saved fit of dataset {dataset!r}")
    fits = {
        name: read_fit(file, scores=scores, power=power, hdi_prob=hdi_prob)
        for name, file in files.items()
    }
    if len(fits) == 1:
        return next(iter(fits.values()))
    return sweep_of(path, fits)


def load_sweep(path: str | Path, **checks) -> SweepResult:
    """Like :func:`load_fit` on a folder, but always a :class:`SweepResult`."""
    loaded = load_fit(path, **checks)
    if isinstance(loaded, SweepResult):
        return loaded
    return sweep_of(Path(path), {loaded.name: loaded})


def sweep_of(folder: Path, fits: dict[str, BetaFitResult]) -> SweepResult:
    """Make a sweep of loaded fits with the folder's stored run settings (when saved)."""
    first = next(iter(fits.values()))
    settings: dict = {"fit_dir": str(folder)}
    stored = folder / SWEEP_FILE if folder.is_dir() else None
    if stored is not None and stored.is_file():
        settings = json.loads(stored.read_text(encoding="utf-8")).get("settings", {}) | settings
    return SweepResult(groups=fits, power=first.spec.power, settings=settings)


def fit_files(folder: Path) -> dict[str, Path]:
    """Find the saved fits of a folder by dataset name (read from each file's record)."""
    if not folder.is_dir():
        raise DataSchemaError(
            f"{folder}: no such file or folder; give a saved fit or the --out folder of "
            "`plw-stats fit`"
        )
    found = {}
    for file in sorted(folder.glob("*.nc")):
        found[_record_of(file)["dataset"]] = file
    if not found:
        raise DataSchemaError(
            f"{folder}: holds no saved fit (*.nc); write them with `plw-stats fit DATA --out DIR`"
        )
    return dict(sorted(found.items()))


def _in_table(folder: Path, files: dict[str, Path], scores: pd.DataFrame) -> dict[str, Path]:
    """Keep the saved fits of datasets the score table has (others in the folder are left alone)."""
    kept = {name: file for name, file in files.items() if name in set(scores["dataset"])}
    if not kept:
        raise DataSchemaError(
            f"{folder}: no saved fit of any dataset of the score table (saved: "
            f"{', '.join(files)}); give the table that was fitted"
        )
    return kept


def read_fit(
    file: Path,
    *,
    scores: pd.DataFrame | None = None,
    power: float | None = None,
    hdi_prob: float | None = None,
) -> BetaFitResult:
    """Rebuild one fitted result from its file, checking any given values against it."""
    tree = open_saved(file, rewrite="`plw-stats fit --out`")
    rec = _record_of(file, tree)
    spec = _spec(file, tree, rec)
    _check_power(file, spec, power)
    if scores is not None:
        _check_scores(file, spec, rec, scores)
    result = BetaFitResult.from_idata(
        spec,
        sampled_tree(tree),
        settings=SamplerSettings(**rec["sampler"]),
        random_seed=int(rec["random_seed"]),
        hdi_prob=float(hdi_prob if hdi_prob is not None else rec["hdi_prob"]),
        notes=tuple(rec["notes"]),
    )
    if rec.get("ml") is not None:
        result = replace(result, ml=MLFit.from_dict(rec["ml"]))
    evidence = rec.get("evidence")
    if evidence is None:
        return result
    evidence = evidence | {"null_notes": tuple(evidence.get("null_notes", ()))}
    return replace(result, evidence=Evidence(**_floats(evidence)))


def _floats(values: dict) -> dict:
    """JSON null back to NaN for the float fields of a record."""
    return {k: (np.nan if v is None else v) for k, v in values.items()}


def _record_of(file: Path, tree: xr.DataTree | None = None) -> dict:
    if tree is None:
        tree = open_saved(file, rewrite="`plw-stats fit --out`")
    rec = saved_record(
        file,
        tree,
        hint="files from plw-stats before 0.2 did not carry their settings: refit with "
        "`plw-stats fit DATA --out DIR`",
    )
    if rec.get("kind") == "surface":  # plw_stats.surface reads these; glmm must not import it
        raise DataSchemaError(
            f"{file} is a two-knob surface fit; load it with plw.load_surface('{file}')"
        )
    return rec


def open_saved(file: Path, *, rewrite: str) -> xr.DataTree:
    """Open a saved fit (one-knob or surface); ``rewrite`` names the command that writes one."""
    try:
        return az.from_netcdf(file)
    except (OSError, ValueError) as err:
        raise DataSchemaError(
            f"{file}: cannot be read as a netCDF posterior ({type(err).__name__}); "
            f"rewrite it with {rewrite}"
        ) from err


def saved_record(file: Path, tree: xr.DataTree, *, hint: str) -> dict:
    """Return the decoded record of a saved fit, or a one-line error ending with ``hint``.

    Checks only what every saved fit holds (the record and :data:`SAVED_GROUPS`); the callers
    check the record's kind.
    """
    missing = [g for g in SAVED_GROUPS if g not in tree.children]
    if record.RECORD_ATTR not in tree.attrs or missing:
        raise DataSchemaError(
            f"{file}: not a plw-stats saved fit (no fit record or no "
            f"{', '.join(missing) or 'record'}); {hint}"
        )
    try:
        return record.decode(tree.attrs[record.RECORD_ATTR], source=str(file))
    except ValueError as err:
        raise DataSchemaError(str(err)) from err


def sampled_tree(tree: xr.DataTree) -> xr.DataTree:
    """Return the posterior and sample stats of a saved fit as the fit held them."""
    return xr.DataTree.from_dict(
        {
            "posterior": tree["posterior"].to_dataset(),
            "sample_stats": tree["sample_stats"].to_dataset(),
        }
    )


def _spec(file: Path, tree: xr.DataTree, rec: dict) -> BetaMixedModel:
    model = rec["model"]
    squeeze = model["squeeze"]
    return BetaMixedModel(
        record.data_frame(tree["fit_data"].to_dataset()),
        name=rec["dataset"],
        power=float(model["power"]),
        priors=BetaPriors(**model["priors"]),
        squeeze_epsilon=None if squeeze == "smithson-verkuilen" else float(squeeze),
        model_intercept=model["model_intercept"],
        benchmark_slope=model["benchmark_slope"],
        selection=tuple(model.get("selection", ())),
        quadratic=bool(rec["quadratic"]),
    )


def _check_power(file: Path, spec: BetaMixedModel, power: float | None) -> None:
    if power is not None and not np.isclose(power, spec.power, rtol=POWER_RTOL, atol=0):
        raise DataSchemaError(
            f"{file}: fitted with PLW power {spec.power:g} but power {power:g} was given; "
            "leave --power out to use the stored value, or refit with the new power"
        )


def _check_scores(file: Path, spec: BetaMixedModel, rec: dict, scores: pd.DataFrame) -> None:
    relative = relative_scores(scores)
    rows = relative[relative["dataset"] == spec.name]
    if rows.empty:
        raise DataSchemaError(
            f"{file}: saved fit of dataset {spec.name!r}, which the given score table lacks"
        )
    given = record.data_checksum(rows)
    if given != rec["data_checksum"]:
        raise DataSchemaError(
            f"{file}: fitted on other rows of dataset {spec.name!r} than the given score table "
            f"holds (checksum {rec['data_checksum'][:12]} saved, {given[:12]} given); give the "
            "table that was fitted, or refit"
        )
