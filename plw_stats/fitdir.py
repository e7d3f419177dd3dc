"""Rebuild fitted results from a folder written by ``plw-stats fit --out DIR``.

That folder holds one ``<dataset>.nc`` posterior per fine-tuning dataset (file names made safe by
:func:`plw_stats.output.safe_filename`) and ``summary.csv``.  The specification of each fit is
rebuilt from the score table, so the same table (and PLW power) as in the fit must be given;
the posterior's benchmark and model coordinates are checked against it.
"""

from __future__ import annotations

import json
from pathlib import Path

import arviz as az
import pandas as pd
import xarray as xr

from plw_stats.config import HDI_PROB, PLW_POWER
from plw_stats.errors import DataSchemaError
from plw_stats.models.beta_glmm import BetaMixedModel
from plw_stats.models.sampling import SamplerSettings
from plw_stats.output import safe_filename
from plw_stats.results import BetaFitResult, SweepResult


def load_fit_dir(
    path: str | Path,
    scores: pd.DataFrame,
    *,
    power: float = PLW_POWER,
    hdi_prob: float = HDI_PROB,
) -> SweepResult:
    """Load every saved posterior of a ``fit --out`` folder as fitted results.

    Parameters
    ----------
    path : str or Path
        The folder given to ``plw-stats fit --out``.
    scores : pandas.DataFrame
        The validated score table that was fitted (relative scores use all of its rows).
    power : float
        The ``--power`` of the fit.
    hdi_prob : float
        Mass of the intervals of the rebuilt summaries.

    Returns
    -------
    SweepResult
        One :class:`BetaFitResult` per dataset of ``scores`` with a saved posterior, in the
        table's order.  Sampler settings and seeds are read from the sampler's attributes
        where nutpie stored them.

    Raises
    ------
    DataSchemaError
        If the folder is missing or holds no posterior of any dataset in the table, or a
        posterior does not match the table (other benchmarks or models, missing variables).
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataSchemaError(f"{folder}: no such folder; give the --out folder of `plw-stats fit`")
    names = sorted(scores["dataset"].unique())
    found = {name: folder / f"{safe_filename(name)}.nc" for name in names}
    found = {name: file for name, file in found.items() if file.is_file()}
    if not found:
        expected = ", ".join(f"{safe_filename(n)}.nc" for n in names)
        raise DataSchemaError(
            f"{folder}: no saved posterior for any dataset of the table (expected {expected}); "
            "write them with `plw-stats fit DATA --out DIR` on the same table"
        )
    groups = {
        name: load_fit(file, scores, name, power=power, hdi_prob=hdi_prob)
        for name, file in found.items()
    }
    return SweepResult(groups=groups, power=power, settings={"fit_dir": str(folder)})


def load_fit(
    file: str | Path,
    scores: pd.DataFrame,
    dataset: str,
    *,
    power: float = PLW_POWER,
    hdi_prob: float = HDI_PROB,
) -> BetaFitResult:
    """Load one saved posterior (``<dataset>.nc``) as the fitted result of ``dataset``.

    Raises
    ------
    DataSchemaError
        If the file cannot be read or does not match ``dataset`` in ``scores``.
    """
    file = Path(file)
    idata = _read(file)
    spec = BetaMixedModel.from_table(scores, dataset, power=power)
    _check_matches(file, idata, spec)
    settings, seed = _sampler_settings(idata)
    return BetaFitResult.from_idata(
        spec, idata, settings=settings, random_seed=seed, hdi_prob=hdi_prob
    )


def _read(file: Path) -> xr.DataTree:
    try:
        idata = az.from_netcdf(file)
    except (OSError, ValueError) as err:
        raise DataSchemaError(
            f"{file}: cannot be read as a netCDF posterior ({type(err).__name__}); "
            "rewrite it with `plw-stats fit --out`"
        ) from err
    if "posterior" not in idata.children or "sample_stats" not in idata.children:
        raise DataSchemaError(
            f"{file}: has no posterior and sample_stats groups; is it a `plw-stats fit` output?"
        )
    return idata


def _check_matches(file: Path, idata: xr.DataTree, spec: BetaMixedModel) -> None:
    posterior = idata["posterior"]
    missing = [v for v in spec.parameter_names() if v not in posterior.data_vars]
    if missing:
        raise DataSchemaError(
            f"{file}: the posterior lacks {', '.join(missing)}; it was not fitted by this "
            f"version of plw-stats on dataset {spec.name!r}; refit with `plw-stats fit --out`"
        )
    for coord, expected in (("benchmark", spec.benchmarks), ("pretrained", spec.models)):
        if coord not in posterior.coords:
            continue
        saved = [str(v) for v in posterior.coords[coord].to_numpy()]
        if saved != list(expected):
            raise DataSchemaError(
                f"{file}: fitted on {coord}s {', '.join(saved)} but the table has "
                f"{', '.join(expected)} for dataset {spec.name!r}; give the table that was "
                "fitted, or refit"
            )


def _sampler_settings(idata: xr.DataTree) -> tuple[SamplerSettings, int]:
    posterior = idata["posterior"]
    chains, draws = int(posterior.sizes["chain"]), int(posterior.sizes["draw"])
    raw = idata["sample_stats"].attrs.get("inference_library_settings", "{}")
    try:
        stored = json.loads(raw).get("settings", {}) if isinstance(raw, str) else {}
    except json.JSONDecodeError:
        stored = {}
    options = {"chains": chains, "draws": draws, "tune": int(stored.get("num_tune", 0))}
    target = stored.get("adapt_options", {}).get("step_size_settings", {}).get("target_accept")
    if target is not None:
        options["target_accept"] = float(target)
    return SamplerSettings(**options), int(stored.get("seed", 0))
