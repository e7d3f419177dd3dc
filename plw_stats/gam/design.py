"""The tensor-smooth GAM of the paper's Appendix D: from a dataset's ratio R_g to an optimal PLW.

The paper fits, with R's mgcv, on relative scores pooled over several fine-tuning datasets::

    score ~ te(w, r, k=3) + factor(b)

(``w`` the untransformed PLW, ``r`` the completion/prompt ratio R_g, ``b`` the benchmark) and
reads off, at each ratio, the PLW that maximises the fitted surface.  Here the same model is
fitted with pygam as ``LinearGAM(te(s(0), s(1)) + f(2))``.

Correspondence with mgcv ``k=3``
--------------------------------
mgcv's ``te(w, r, k=3)`` takes, for each margin, a cubic regression spline (``bs="cr"``) with 3
knots, i.e. a 3-function basis whose second-derivative penalty leaves straight lines
unpenalised, and forms the 3 × 3 = 9-coefficient tensor product with one smoothing parameter
per margin chosen by GCV.  pygam cannot build a cubic basis with 3 functions (``n_splines`` must
exceed ``spline_order``), so the default here is ``n_splines=3, spline_order=2``: 3 quadratic
B-splines per margin, whose span on the data range is exactly the quadratic polynomials, with
pygam's second-order difference penalty, whose null space is again the straight lines.  The
tensor product has the same 9 coefficients and the same unpenalised (bilinear) part; the fitted
curve in PLW at a fixed ratio is therefore a parabola (mgcv's is a natural cubic spline with a
knot at the median PLW), so its maximum is either an interior vertex or an end point, which is
why both tables mostly read 0, 1 or one interior value.  Other differences: pygam adds a
separate intercept and does not absorb mgcv's sum-to-zero constraint (this shifts the surface by
a constant, which leaves argmax and max − min unchanged); λ is chosen by pygam's
``gridsearch`` on GCV, by default one λ shared by both margins (``separate_lam=True`` searches
them separately, like mgcv); and the benchmark factor, unpenalised in mgcv, gets a fixed
negligible ridge ``factor_lam`` because pygam penalises every term.

Scores are first min-max scaled within each benchmark over the whole table (the paper's
relative scores).  With ``scale="wp"`` the first margin is ``wp = plw ** p`` instead of PLW,
which spreads the paper's PLW levels evenly; the optimum is reported on both scales.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pygam import LinearGAM, f, s, te

from plw_stats.config import PLW_POWER
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.gam.groups import TRANSLATION_PATTERN, resolve_groups
from plw_stats.io.tables import validate_scores
from plw_stats.transforms import plw_to_wp, relative_scores

#: The paper's ratio grid 0.5, 1.0, …, 8.0.
DEFAULT_RATIO_GRID: tuple[float, ...] = tuple(float(r) for r in np.arange(1, 17) * 0.5)
#: A ratio is flagged flat when the predicted max − min is below this share of the score range.
FLAT_FRACTION: float = 0.05
#: Candidate smoothing parameters searched by GCV.
DEFAULT_LAM_GRID: tuple[float, ...] = tuple(float(v) for v in np.logspace(-3, 3, 13))
#: Fixed ridge on the benchmark factor (negligible next to ~60 scores per benchmark).
FACTOR_LAM: float = 1e-3
#: Points of the PLW (or wp) grid on which the maximum is searched.
N_POINTS: int = 1001
SCALES: tuple[str, ...] = ("plw", "wp")


@dataclass(frozen=True)
class GroupDesign:
    """Model matrix inputs of one benchmark group.

    Attributes
    ----------
    name : str
        Group name (``All``, ``MC``, ``Gen`` or a user group).
    X : numpy.ndarray
        Columns: PLW (or wp), ratio and, with several benchmarks, the benchmark code.
    y : numpy.ndarray
        Relative scores.
    benchmarks : tuple of str
        Benchmark of each code.
    runs : numpy.ndarray
        Integer id of the run (dataset, model, plw) of each row, for resampling.
    strata : numpy.ndarray
        Integer id of the dataset of each run id, for stratified resampling.
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    benchmarks: tuple[str, ...]
    runs: np.ndarray
    strata: np.ndarray

    @property
    def score_range(self) -> float:
        """Range of the modelled scores, the reference of the flat flag."""
        return float(np.ptp(self.y))


@dataclass(frozen=True, eq=False)
class GamDesign:
    """Data and settings of ``score ~ te(PLW, ratio) + factor(benchmark)`` per benchmark group.

    Parameters
    ----------
    scores : pandas.DataFrame
        Score table with a ``ratio`` column (and ``task_type`` for the MC / Gen groups); it is
        validated and copied, never modified.
    n_splines : int or (int, int)
        Basis functions per margin (PLW, ratio); 3 matches mgcv's ``k=3`` (see module notes).
    spline_order : int
        B-spline order of both margins; must be below ``n_splines``.
    scale : {"plw", "wp"}
        Axis of the first margin.
    groups : mapping of str to benchmark names, optional
        Overrides the default All / MC / Gen groups (see :mod:`plw_stats.gam.groups`).
    translation_pattern : str
        Regular expression of the translation benchmarks left out of the default Gen group.
    lam_grid : sequence of float
        Candidate smoothing parameters for pygam's GCV grid search.
    separate_lam : bool
        Search one λ per margin (grid squared) instead of one shared λ.
    factor_lam : float
        Fixed ridge penalty of the benchmark factor.
    power : float
        Exponent of ``wp = plw ** power``.

    Raises
    ------
    DataSchemaError
        If ``ratio`` is missing, or a group has fewer distinct ratios or PLW levels than basis
        functions.
    ModelSpecError
        On an invalid basis, scale, λ grid or group.
    """

    scores: pd.DataFrame
    n_splines: int | tuple[int, int] = 3
    spline_order: int = 2
    scale: str = "plw"
    groups: Mapping[str, Iterable[str]] | None = None
    translation_pattern: str = TRANSLATION_PATTERN
    lam_grid: Sequence[float] = DEFAULT_LAM_GRID
    separate_lam: bool = False
    factor_lam: float = FACTOR_LAM
    power: float = PLW_POWER
    group_members: dict[str, tuple[str, ...]] = field(init=False, repr=False)
    relative: pd.DataFrame = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_options(self)
        if "ratio" not in self.scores.columns:
            raise DataSchemaError(
                "the score table has no 'ratio' column; the GAM needs each dataset's "
                "completion/prompt ratio R_g (compute it with `plw-stats describe` or "
                "plw_stats.io.instructions.describe_instructions and add it per dataset)"
            )
        clean = validate_scores(self.scores, source="score table")
        members = resolve_groups(clean, self.groups, translation_pattern=self.translation_pattern)
        object.__setattr__(self, "scores", clean)
        object.__setattr__(self, "group_members", members)
        object.__setattr__(self, "relative", relative_scores(clean))
        for name in members:
            _check_support(self, name)

    @property
    def basis(self) -> tuple[int, int]:
        """Basis functions of the (PLW, ratio) margins."""
        k = self.n_splines
        return (k, k) if isinstance(k, int | np.integer) else (int(k[0]), int(k[1]))

    @property
    def ratio_range(self) -> tuple[float, float]:
        """Smallest and largest ratio in the table."""
        return float(self.scores["ratio"].min()), float(self.scores["ratio"].max())

    def group_rows(self, name: str) -> pd.DataFrame:
        """Relative scores of one group's benchmarks."""
        if name not in self.group_members:
            raise ModelSpecError(
                f"no group {name!r}; the groups are {', '.join(self.group_members)}"
            )
        rows = self.relative[self.relative["benchmark"].isin(self.group_members[name])]
        return rows.reset_index(drop=True)

    def design(self, name: str) -> GroupDesign:
        """Model matrix inputs of one group."""
        rows = self.group_rows(name)
        x = rows["plw"].to_numpy(float)
        if self.scale == "wp":
            x = plw_to_wp(x, self.power)
        bench = pd.Categorical(rows["benchmark"])
        columns = [x, rows["ratio"].to_numpy(float)]
        if len(bench.categories) > 1:
            columns.append(bench.codes.astype(float))
        runs = rows.groupby(["dataset", "model", "plw"], sort=False).ngroup().to_numpy()
        first = rows.groupby(runs)["dataset"].first()
        return GroupDesign(
            name=name,
            X=np.column_stack(columns),
            y=rows["score"].to_numpy(float),
            benchmarks=tuple(str(c) for c in bench.categories),
            runs=runs,
            strata=pd.factorize(first)[0],
        )

    def terms(self, design: GroupDesign):
        """Build the pygam terms: tensor smooth, plus the benchmark factor if there are several."""
        k_x, k_r = self.basis
        order = self.spline_order
        lo, hi = self.ratio_range
        smooth = te(
            s(0, n_splines=k_x, spline_order=order, edge_knots=[0.0, 1.0]),
            s(1, n_splines=k_r, spline_order=order, edge_knots=[lo, hi]),
        )
        if design.X.shape[1] == 3:
            return smooth + f(2, lam=self.factor_lam)
        return smooth

    def lam_candidates(self, design: GroupDesign) -> np.ndarray:
        """Rows of λ (one column per penalty) for the grid search."""
        grid = np.asarray(self.lam_grid, dtype=float)
        if self.separate_lam:
            pairs = np.array(np.meshgrid(grid, grid)).reshape(2, -1).T
        else:
            pairs = np.column_stack([grid, grid])
        if design.X.shape[1] == 3:
            pairs = np.column_stack([pairs, np.full(len(pairs), self.factor_lam)])
        return pairs


@dataclass(frozen=True)
class OptimumSettings:
    """How the optimal-PLW table is read off a fitted surface."""

    ratio_grid: tuple[float, ...]
    flat_fraction: float
    n_points: int

    @classmethod
    def make(cls, ratio_grid, flat_fraction, n_points) -> OptimumSettings:
        """Check and freeze the settings.

        Raises
        ------
        ModelSpecError
            On an empty or non-positive ratio grid, a fraction outside (0, 1) or fewer than
            3 grid points.
        """
        grid = tuple(float(r) for r in np.atleast_1d(np.asarray(ratio_grid, dtype=float)))
        if not grid or not all(np.isfinite(r) and r > 0 for r in grid):
            raise ModelSpecError(f"ratio_grid must be positive numbers, got {list(grid)}")
        if not 0 < flat_fraction < 1:
            raise ModelSpecError(f"flat_fraction must lie in (0, 1), got {flat_fraction!r}")
        if int(n_points) < 3:
            raise ModelSpecError(f"n_points must be at least 3, got {n_points!r}")
        return cls(grid, float(flat_fraction), int(n_points))


@dataclass(frozen=True, eq=False)
class GroupFit:
    """One group's fitted pygam model with its design."""

    design: GroupDesign
    gam: LinearGAM

    @property
    def lam(self) -> list[float]:
        """Chosen smoothing parameters, one per penalty (PLW margin, ratio margin, factor)."""
        return [float(v) for term in self.gam.lam for v in np.ravel(np.asarray(term, float))]


def _check_options(spec: GamDesign) -> None:
    if spec.scale not in SCALES:
        raise ModelSpecError(f"scale must be 'plw' or 'wp', got {spec.scale!r}")
    order = spec.spline_order
    if not isinstance(order, int | np.integer) or order < 1:
        raise ModelSpecError(f"spline_order must be an integer >= 1, got {order!r}")
    for k in spec.basis:
        if k <= order:
            raise ModelSpecError(
                f"n_splines={k} must exceed spline_order={order} (pygam); for mgcv's k=3 use "
                "n_splines=3 with spline_order=2, or n_splines=4 for cubic splines"
            )
    grid = np.asarray(spec.lam_grid, dtype=float)
    if grid.size == 0 or not np.all(np.isfinite(grid) & (grid > 0)):
        raise ModelSpecError(f"lam_grid must be positive numbers, got {list(grid)}")
    if not spec.factor_lam > 0:
        raise ModelSpecError(f"factor_lam must be positive, got {spec.factor_lam!r}")


def _check_support(spec: GamDesign, name: str) -> None:
    rows = spec.group_rows(name)
    k_x, k_r = spec.basis
    ratios = np.unique(rows["ratio"].to_numpy(float))
    if ratios.size < k_r:
        shown = ", ".join(f"{r:g}" for r in ratios)
        raise DataSchemaError(
            f"group {name!r}: column 'ratio' has {ratios.size} distinct value(s) ({shown}) but "
            f"the ratio margin has {k_r} basis functions, so the surface over ratio is not "
            f"identified; add sweeps on datasets with at least {k_r} different ratios (a "
            "prompt-inverted variant from plw_stats.describe.inversion gives a short-completion "
            "one)"
        )
    levels = np.unique(rows["plw"].to_numpy(float))
    if levels.size < k_x:
        shown = ", ".join(f"{v:g}" for v in levels)
        raise DataSchemaError(
            f"group {name!r}: column 'plw' has {levels.size} distinct level(s) ({shown}) but "
            f"the PLW margin has {k_x} basis functions; add runs at {k_x - levels.size} more "
            "PLW level(s) or lower n_splines"
        )
