"""Read saved surface fits back: a ``<dataset>.nc`` file or a folder of them (``surface --out``).

Each file written by :meth:`~plw_stats.surface.result.SurfaceFitResult.save` carries its own
meaning: the posterior, the sample stats, the fitted rows (``fit_data``, with ``clw``) and a JSON
record of kind ``"surface"`` (the layout of :mod:`plw_stats.glmm.record`) holding the dataset
name, PLW and CLW powers, priors, squeeze, left-out base rows, sampler settings, seed, interval
mass, baseline cell, notes, evidence, the maximum-likelihood fit and a checksum of the rows.  The
design is rebuilt from those alone; rows that contradict their stored checksum are refused.  As
in :mod:`plw_stats.glmm.store`, every error is one line naming the file and the fix.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import xarray as xr

from plw_stats.errors import DataSchemaError
from plw_stats.glmm import record
from plw_stats.glmm.backends.settings import SamplerSettings
from plw_stats.glmm.model import check_prob
from plw_stats.glmm.store import open_saved, sampled_tree, saved_record
from plw_stats.surface.evidence import SurfaceEvidence
from plw_stats.surface.ml import SurfaceMLFit
from plw_stats.surface.model import SurfaceModel
from plw_stats.surface.priors import SurfacePriors
from plw_stats.surface.result import SurfaceFitResult, data_checksum
from plw_stats.surface.sweep import SWEEP_FILE, SurfaceSweep

#: The record's ``kind`` of a saved surface fit (one-knob fits have none).
KIND = "surface"
_SAVE_HINT = "save surface fits with `plw-stats surface DATA --out DIR`"
#: The command that writes a readable surface fit (named when a file cannot be opened).
REWRITE = "`plw-stats surface --out`"


def load_surface(
    path: str | Path, dataset: str | None = None, *, hdi_prob: float | None = None
) -> SurfaceFitResult | SurfaceSweep:
    """Load a saved surface fit (a ``.nc`` file) or the surface fits of a folder.

    Parameters
    ----------
    path : str or Path
        A file written by ``SurfaceFitResult.save`` or a folder of them (``plw-stats surface
        DATA --out DIR``, ``SurfaceSweep.save``).
    dataset : str, optional
        With a folder: load only this dataset's fit.
    hdi_prob : float, optional
        Re-summarise with this interval mass instead of the stored one.

    Returns
    -------
    SurfaceFitResult or SurfaceSweep
        A file, a folder holding one fit, or ``dataset`` → one result; otherwise a sweep of
        every saved surface fit in the folder, in name order, with the folder's stored run
        settings (``surface.json``) and ``fit_dir``.

    Raises
    ------
    DataSchemaError
        If nothing readable is there, a file is not a plw-stats surface fit (a one-knob fit is
        named as such), ``dataset`` has no saved fit, or a file's rows contradict its checksum.
    """
    if hdi_prob is not None:
        check_prob(hdi_prob)
    path = Path(path)
    if path.is_file():
        return read_surface(path, hdi_prob=hdi_prob)
    files = surface_files(path)
    if dataset is not None:
        if dataset not in files:
            raise DataSchemaError(
                f"{path}: no saved surface fit of dataset {dataset!r}; saved: {', '.join(files)}"
            )
        files = {dataset: files[dataset]}
    fits = {name: read_surface(file, hdi_prob=hdi_prob) for name, file in files.items()}
    if len(fits) == 1:
        return next(iter(fits.values()))
    return sweep_of(path, fits, hdi_prob=hdi_prob)


def sweep_of(
    folder: Path, fits: dict[str, SurfaceFitResult], *, hdi_prob: float | None = None
) -> SurfaceSweep:
    """Make a sweep of loaded fits with the folder's stored run settings (when saved)."""
    powers = {(fit.design.power, fit.design.clw_power) for fit in fits.values()}
    if len(powers) > 1:
        shown = ", ".join(
            f"{name} ({f.design.power:g}, {f.design.clw_power:g})" for name, f in fits.items()
        )
        raise DataSchemaError(
            f"{folder}: its surface fits have different (PLW, CLW) powers ({shown}); load "
            "them one at a time with dataset=NAME"
        )
    settings = _stored(folder).get("settings", {}) | {"fit_dir": str(folder)}
    if hdi_prob is not None:
        settings["hdi_prob"] = hdi_prob
    power, clw_power = powers.pop()
    return SurfaceSweep(fits, "bayes", power, clw_power, settings)


def surface_files(folder: Path) -> dict[str, Path]:
    """Find the saved surface fits of a folder by dataset name (read from each file's record)."""
    if not folder.is_dir():
        raise DataSchemaError(
            f"{folder}: no such file or folder; give a saved surface fit or the --out folder of "
            "`plw-stats surface`"
        )
    found = {_record_of(file)["dataset"]: file for file in sorted(folder.glob("*.nc"))}
    if not found:
        ml_only = _stored(folder).get("method") == "ml"
        why = " (its surface.json is of a --method ml run, which saves no posterior)"
        raise DataSchemaError(
            f"{folder}: holds no saved surface fit (*.nc){why if ml_only else ''}; {_SAVE_HINT}"
        )
    return dict(sorted(found.items()))


def read_surface(file: Path, *, hdi_prob: float | None = None) -> SurfaceFitResult:
    """Rebuild one fitted surface from its file, with nothing but what the file stores."""
    tree = open_saved(file, rewrite=REWRITE)
    rec = _record_of(file, tree)
    design = _design(file, tree, rec)
    result = SurfaceFitResult.from_idata(
        design,
        sampled_tree(tree),
        settings=SamplerSettings(**rec["sampler"]),
        random_seed=int(rec["random_seed"]),
        hdi_prob=float(hdi_prob if hdi_prob is not None else rec["hdi_prob"]),
        baseline=(float(rec["baseline"][0]), float(rec["baseline"][1])),
        notes=tuple(rec["notes"]),
    )
    evidence, ml = rec.get("evidence"), rec.get("ml")
    return replace(
        result,
        evidence=SurfaceEvidence.from_record(evidence) if evidence is not None else None,
        ml=SurfaceMLFit.from_record(ml) if ml is not None else None,
    )


def _design(file: Path, tree: xr.DataTree, rec: dict) -> SurfaceModel:
    model, rows = rec["model"], tree["fit_data"].to_dataset()
    if "clw" not in rows:
        raise DataSchemaError(f"{file}: its fitted rows have no clw column; {_SAVE_HINT}")
    data = record.data_frame(rows.drop_vars("clw")).assign(clw=rows["clw"].to_numpy().astype(float))
    squeeze = model["squeeze"]
    design = SurfaceModel(
        data,
        name=rec["dataset"],
        power=float(model["power"]),
        clw_power=float(model["clw_power"]),
        priors=SurfacePriors(**model["priors"]),
        squeeze_epsilon=None if squeeze == "smithson-verkuilen" else float(squeeze),
        scale=str(model.get("scale", "relative")),
        base_rows=int(rec.get("base_rows", 0)),
    )
    if data_checksum(design.data) != rec["data_checksum"]:
        raise DataSchemaError(
            f"{file}: its fitted rows do not match the checksum saved with them (the file was "
            "changed after saving); save the fit again"
        )
    return design


def _record_of(file: Path, tree: xr.DataTree | None = None) -> dict:
    """Return the record of a saved surface fit, or raise a one-line error naming the file."""
    tree = open_saved(file, rewrite=REWRITE) if tree is None else tree
    rec = saved_record(file, tree, hint=_SAVE_HINT)
    kind = rec.get("kind")
    if kind is None:
        raise DataSchemaError(f"{file} is a one-knob fit; load it with plw.load_fit('{file}')")
    if kind != KIND:
        raise DataSchemaError(f"{file}: a saved fit of kind {kind!r}, not a surface; {_SAVE_HINT}")
    return rec


def _stored(folder: Path) -> dict:
    """Return the folder's saved ``surface.json`` (empty when absent)."""
    stored = folder / SWEEP_FILE
    if not stored.is_file():
        return {}
    try:
        return json.loads(stored.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataSchemaError(
            f"{stored}: not valid JSON ({err.msg}, line {err.lineno}); save the sweep again or "
            "remove the file (the fits themselves are in the .nc files)"
        ) from err
