"""The report's tables as numbers (DataFrames of floats, ints and bools), one row per dataset.

Numbers stay numbers here; :func:`formatted` turns a frame into a :class:`Table` block with
each column printed by its rule from :mod:`plw_stats.report.numbers`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from plw_stats.glmm.checks import ResidualCheck
from plw_stats.glmm.ml_result import MLFit
from plw_stats.glmm.sweep import SweepResult
from plw_stats.report.document import Table
from plw_stats.report.numbers import MISSING, format_cell


def data_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per fine-tuning dataset: rows, models, benchmarks, PLW levels and ratio.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dataset``; integer counts ``n_rows, n_models, n_benchmarks,
        n_plw_levels``, floats ``plw_min, plw_max`` and ``ratio`` (NaN without that column).
    """
    groups = scores.groupby("dataset")
    table = pd.DataFrame(
        {
            "n_rows": groups.size(),
            "n_models": groups["model"].nunique(),
            "n_benchmarks": groups["benchmark"].nunique(),
            "n_plw_levels": groups["plw"].nunique(),
            "plw_min": groups["plw"].min(),
            "plw_max": groups["plw"].max(),
        }
    )
    ratio = groups["ratio"].first() if "ratio" in scores.columns else float("nan")
    return table.assign(ratio=ratio)


def critical_table(fits: SweepResult) -> pd.DataFrame:
    """One row per dataset: the critical point and the fit's diagnostics.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dataset``; floats ``prob_b2_negative, prob_interior_max, plw_mean,
        plw_low, plw_high, wp_mean, rhat_max, ess_bulk_min``, int ``divergences`` and bool
        ``converged``.  The PLW and wp columns are NaN without interior-maximum draws.
    """
    rows = {}
    for name, fit in fits.groups.items():
        crit, diag = fit.critical, fit.diagnostics
        rows[name] = {
            "prob_b2_negative": crit.prob_b2_negative,
            "prob_interior_max": crit.prob_interior_max,
            "plw_mean": crit.plw.mean if crit.plw else np.nan,
            "plw_low": crit.plw.hdi_low if crit.plw else np.nan,
            "plw_high": crit.plw.hdi_high if crit.plw else np.nan,
            "wp_mean": crit.wp.mean if crit.wp else np.nan,
            "rhat_max": diag.rhat_max,
            "ess_bulk_min": diag.ess_bulk_min,
            "divergences": diag.divergences,
            "converged": diag.converged,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("dataset")


def evidence_table(fits: SweepResult, ml: Mapping[str, MLFit]) -> pd.DataFrame:
    """One row per dataset: PSIS-LOO comparison and the likelihood-ratio test.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dataset``; floats ``elpd_quadratic, elpd_null, elpd_diff, elpd_diff_se,
        lr_statistic, lr_p_value`` and float ``pareto_k_bad`` (NaN where not computed: LOO
        without stored evidence, the test without an ML fit).  The test is the ML fit's
        (Laplace GLMM) when there is one, else the evidence's own ML p-value.
    """
    rows = {}
    for name, fit in fits.groups.items():
        ev, fit_ml = fit.evidence, ml.get(name)
        loo = (
            (ev.elpd_quadratic, ev.elpd_null, ev.elpd_diff, ev.elpd_diff_se, ev.pareto_k_bad)
            if ev is not None
            else (np.nan,) * 5
        )
        if fit_ml is not None:
            test = (fit_ml.lrt.statistic, fit_ml.lrt.p_value)
        else:
            test = (ev.ml_statistic, ev.ml_p_value) if ev is not None else (np.nan, np.nan)
        keys = ("elpd_quadratic", "elpd_null", "elpd_diff", "elpd_diff_se", "pareto_k_bad")
        rows[name] = dict(zip(keys, map(float, loo), strict=True)) | {
            "lr_statistic": float(test[0]),
            "lr_p_value": float(test[1]),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("dataset")


def ml_table(ml: Mapping[str, MLFit]) -> pd.DataFrame:
    """One row per dataset: the ML estimates of b1, b2 and the critical PLW.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``dataset``; floats ``wp, wp_se, wp2, wp2_se, wp2_p, plw, plw_low,
        plw_high`` (NaN where not available) and bool ``converged``.
    """
    rows = {}
    for name, fit in ml.items():
        wp, wp2 = fit.coefficients["wp"], fit.coefficients["wp2"]
        crit = fit.critical_plw
        rows[name] = {
            "wp": wp.estimate,
            "wp_se": _float(wp.se),
            "wp2": wp2.estimate,
            "wp2_se": _float(wp2.se),
            "wp2_p": _float(wp2.p_value),
            "plw": crit.estimate if crit else np.nan,
            "plw_low": _float(crit.low) if crit else np.nan,
            "plw_high": _float(crit.high) if crit else np.nan,
            "converged": fit.converged,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("dataset")


def checks_table(checks: Mapping[str, ResidualCheck]) -> pd.DataFrame:
    """One row per dataset: the residual tests (:meth:`ResidualCheck.to_dict`)."""
    rows = {name: check.to_dict() for name, check in checks.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("dataset")


def level_by_dataset(frame: pd.DataFrame, column: str, caption: str) -> Table:
    """Mean of ``column`` per PLW level (rows) and dataset (columns), with the number of runs.

    For per-run tables (loss RSD, weight distances); a missing (level, dataset) pair is shown as
    missing, not zero.
    """
    means = frame.groupby(["plw", "dataset"])[column].agg(["mean", "size"]).reset_index()
    datasets = sorted(means["dataset"].astype(str).unique())
    cells = {
        (row.plw, str(row.dataset)): f"{format_cell(row.mean, 'number')} (n = {row.size})"
        for row in means.itertuples()
    }
    rows = tuple(
        (format_cell(level, "plw"), *(cells.get((level, d), MISSING) for d in datasets))
        for level in sorted(means["plw"].unique())
    )
    return Table(("PLW", *datasets), rows, caption=caption)


def _float(value) -> float:
    return np.nan if value is None else float(value)


def formatted(
    frame: pd.DataFrame,
    columns: Mapping[str, tuple[str, str]],
    *,
    index: str,
    caption: str = "",
) -> Table:
    """Format a numeric frame into a table block.

    Parameters
    ----------
    frame : pandas.DataFrame
        Numbers, one row per table row; the index names the rows.
    columns : mapping of str to (str, str)
        Column → (heading, rule) where the rule is a key of
        :data:`plw_stats.report.numbers.FORMATS`; a column may be a ``low|high`` pair, printed
        as an interval by the rule (``number`` or ``plw``).
    index : str
        Heading of the row-name column.
    caption : str
        Caption of the table.
    """
    header = (index, *(heading for heading, _ in columns.values()))
    rows = tuple(
        (str(name), *(_cell(row, column, rule) for column, (_, rule) in columns.items()))
        for name, row in frame.iterrows()
    )
    return Table(header=header, rows=rows, caption=caption)


def _cell(row: pd.Series, column: str, rule: str) -> str:
    if "|" in column:
        low, high = (row[c] for c in column.split("|"))
        if pd.isna(low) or pd.isna(high):
            return format_cell(np.nan, rule)
        return f"[{format_cell(low, rule)}, {format_cell(high, rule)}]"
    if "±" in column:
        value, error = (row[c] for c in column.split("±"))
        if pd.isna(value):
            return format_cell(np.nan, rule)
        return f"{format_cell(value, rule)} ± {format_cell(error, rule)}"
    return format_cell(row[column], rule)
