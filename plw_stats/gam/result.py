"""Frozen result of the tensor-smooth GAM: the optimal-PLW table, fit summary, surface, JSON.

Numbers stay numbers: every method returns floats and booleans under documented column names;
the JSON structure is ``{"groups": {name: {"optimal": [{"ratio", "plw", "flat", "plw_low",
"plw_high"}, ...], "fit": {...}}}, "settings": {...}}`` with ``null`` where no bootstrap ran.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from plw_stats.errors import ModelSpecError
from plw_stats.gam.design import GamDesign, GroupFit, OptimumSettings
from plw_stats.gam.optimum import tensor_effect
from plw_stats.transforms import plw_to_wp, wp_to_plw

#: Columns of :meth:`GamResult.optimal_table`.
OPTIMAL_COLUMNS: tuple[str, ...] = (
    "group",
    "ratio",
    "plw",
    "wp",
    "flat",
    "spread",
    "spread_fraction",
    "extrapolated",
    "plw_low",
    "plw_high",
    "flat_share",
)
_INTERVAL_COLUMNS = ("plw_low", "plw_high", "flat_share")


@dataclass(frozen=True, eq=False)
class GamResult:
    """Fitted tensor-smooth GAMs of every benchmark group, with the optimal-PLW table.

    Attributes
    ----------
    spec : GamDesign
        The specification (it holds the validated data snapshot).
    fits : dict of str to GroupFit
        Each group's fitted pygam model and design.
    optimal : pandas.DataFrame
        Point estimates: group, ratio, plw, wp, flat, spread, spread_fraction, extrapolated.
    settings : OptimumSettings
        Ratio grid, flat threshold and search resolution.
    intervals : pandas.DataFrame or None
        Bootstrap intervals (group, ratio, plw_low, plw_high, flat_share) once
        :func:`plw_stats.gam.bootstrap.bootstrap_optimal` has run.
    bootstrap : dict or None
        ``n_boot``, ``seed``, ``ci_prob`` and ``n_failed`` of that bootstrap.
    """

    spec: GamDesign
    fits: dict[str, GroupFit]
    optimal: pd.DataFrame
    settings: OptimumSettings
    intervals: pd.DataFrame | None = None
    bootstrap: dict[str, Any] | None = None

    @property
    def groups(self) -> list[str]:
        """Names of the fitted groups, in fitting order."""
        return list(self.fits)

    def with_intervals(self, intervals: pd.DataFrame, **bootstrap: Any) -> GamResult:
        """Return a copy carrying bootstrap intervals (the original is unchanged)."""
        return replace(self, intervals=intervals.copy(), bootstrap=dict(bootstrap))

    def optimal_table(self, group: str | None = None) -> pd.DataFrame:
        """Return the optimal-PLW table, with bootstrap intervals when available.

        Parameters
        ----------
        group : str, optional
            Restrict to one group.

        Returns
        -------
        pandas.DataFrame
            Columns ``group`` (str), ``ratio``, ``plw``, ``wp`` (floats), ``flat`` (bool: the
            predicted max − min is below ``flat_fraction`` of the score range), ``spread`` and
            ``spread_fraction`` (that max − min, absolute and as a share of the range),
            ``extrapolated`` (bool: the ratio lies outside the fitted ratios), ``plw_low``,
            ``plw_high`` (bootstrap percentile interval, NaN without bootstrap) and
            ``flat_share`` (share of bootstrap fits flagged flat, NaN without bootstrap).
        """
        table = self.optimal
        if self.intervals is not None:
            table = table.merge(self.intervals, on=["group", "ratio"], how="left")
        else:
            table = table.assign(**dict.fromkeys(_INTERVAL_COLUMNS, np.nan))
        table = table[list(OPTIMAL_COLUMNS)]
        if group is not None:
            self._check_group(group)
            table = table[table["group"] == group].reset_index(drop=True)
        return table

    def to_frame(self) -> pd.DataFrame:
        """Return :meth:`optimal_table` for all groups."""
        return self.optimal_table()

    def summary(self) -> pd.DataFrame:
        """One row per group describing the fit.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``group``; columns ``n_obs``, ``n_benchmarks``, ``n_datasets``,
            ``n_plw_levels`` (ints), ``ratio_min``, ``ratio_max``, ``lam_plw``, ``lam_ratio``,
            ``edof``, ``gcv``, ``aic``, ``pseudo_r2`` (deviance-explained) and ``score_range``
            (floats).  pygam's p-values are not reported (they are known to be too small).
        """
        rows = [self._summary_row(name, fit) for name, fit in self.fits.items()]
        return pd.DataFrame(rows).set_index("group")

    def _summary_row(self, name: str, fit: GroupFit) -> dict[str, Any]:
        stats = fit.gam.statistics_
        rows = self.spec.group_rows(name)
        lam = fit.lam
        return {
            "group": name,
            "n_obs": int(fit.design.y.size),
            "n_benchmarks": len(fit.design.benchmarks),
            "n_datasets": int(rows["dataset"].nunique()),
            "n_plw_levels": int(rows["plw"].nunique()),
            "ratio_min": float(rows["ratio"].min()),
            "ratio_max": float(rows["ratio"].max()),
            "lam_plw": lam[0],
            "lam_ratio": lam[1],
            "edof": float(stats["edof"]),
            "gcv": float(stats["GCV"]),
            "aic": float(stats["AIC"]),
            "pseudo_r2": float(stats["pseudo_r2"]["explained_deviance"]),
            "score_range": fit.design.score_range,
        }

    def surface(
        self, group: str = "All", *, n_plw: int = 50, n_ratio: int = 50, width: float = 0.95
    ) -> pd.DataFrame:
        """Evaluate the fitted tensor surface on a grid, for contour plots (Appendix D fig. 10).

        The grid is equally spaced on the model's first axis (PLW, or wp with ``scale="wp"``)
        over [0, 1] and on the ratio over the fitted range.

        Returns
        -------
        pandas.DataFrame
            Long table with columns ``plw``, ``wp``, ``ratio``, ``effect`` (partial effect of
            the tensor term, centred by pygam) and ``lower``, ``upper`` (pointwise
            ``width`` confidence band of that effect).
        """
        self._check_group(group)
        fit = self.fits[group]
        lo, hi = self.spec.ratio_range
        x = np.linspace(0.0, 1.0, n_plw)
        ratios = np.linspace(lo, hi, n_ratio)
        grid = np.zeros((n_plw * n_ratio, fit.design.X.shape[1]))
        grid[:, 0] = np.tile(x, n_ratio)
        grid[:, 1] = np.repeat(ratios, n_plw)
        effect, band = fit.gam.partial_dependence(term=0, X=grid, width=width)
        plw = grid[:, 0] if self.spec.scale == "plw" else wp_to_plw(grid[:, 0], self.spec.power)
        return pd.DataFrame(
            {
                "plw": plw,
                "wp": plw_to_wp(plw, self.spec.power),
                "ratio": grid[:, 1],
                "effect": effect,
                "lower": band[:, 0],
                "upper": band[:, 1],
            }
        )

    def effect_at(self, group: str, ratio: float) -> pd.DataFrame:
        """Return the fitted PLW curve (tensor effect) at one ratio, on the search grid."""
        self._check_group(group)
        fit = self.fits[group]
        curve = tensor_effect(fit.gam, fit.design, [ratio], self.settings.n_points)[0]
        x = np.linspace(0.0, 1.0, self.settings.n_points)
        plw = x if self.spec.scale == "plw" else wp_to_plw(x, self.spec.power)
        return pd.DataFrame({"plw": plw, "effect": curve})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (NaN becomes ``None``)."""
        summary = self.summary()
        groups = {}
        for name in self.fits:
            table = self.optimal_table(name)
            groups[name] = {
                "optimal": [_optimal_item(row) for row in table.itertuples(index=False)],
                "fit": {k: _number(v) for k, v in summary.loc[name].items()},
                "benchmarks": list(self.fits[name].design.benchmarks),
            }
        return {"groups": groups, "settings": self._settings_dict()}

    def _settings_dict(self) -> dict[str, Any]:
        spec = self.spec
        return {
            "model": "score ~ te(x, ratio) + factor(benchmark)",
            "scale": spec.scale,
            "n_splines": list(spec.basis),
            "spline_order": int(spec.spline_order),
            "flat_fraction": self.settings.flat_fraction,
            "n_points": self.settings.n_points,
            "separate_lam": bool(spec.separate_lam),
            "bootstrap": self.bootstrap,
        }

    def _check_group(self, group: str) -> None:
        if group not in self.fits:
            raise ModelSpecError(f"no group {group!r}; the groups are {', '.join(self.fits)}")


def _number(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else value


def _optimal_item(row) -> dict[str, Any]:
    return {
        "ratio": float(row.ratio),
        "plw": float(row.plw),
        "flat": bool(row.flat),
        "plw_low": _number(row.plw_low),
        "plw_high": _number(row.plw_high),
    }
