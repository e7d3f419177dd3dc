"""A general beta GLMM, ``eta = X·b + Z·r``, as the general sampler backend takes it.

For rows ``i`` with fixed covariates ``x_i`` (no intercept column) and responses ``y_i`` in (0, 1)::

    logit(mu_i) = b0 + x_i·b + v[level_i] + Σ_k r_k[index_ik] · z_ik
    y_i ~ Beta(mu_i·kappa, (1 − mu_i)·kappa)

    b_j ~ Normal(0, coef_sd)        b0 at the mean of the x columns ~ Normal(0, intercept_sd)
    v ~ Normal(0, sd_level),        sd_level ~ Gamma(level_sd_shape, level_sd_rate)
    r_k ~ Normal(0, sd_k),          sd_k ~ HalfNormal(scale_k)        (any number of terms k)
    kappa ~ Gamma(kappa_shape, kappa_rate)

``Z·r`` is written term by term: each :class:`RandomTerm` is one factor's random coefficients of
one covariate (a random slope; a covariate of ones makes it a random intercept), independent of
the other terms.  A term may *absorb* the fixed effect of its own covariate (sampled as the
totals ``b + u``, see :mod:`.general_terms`); the intercept prior then sits at that covariate's
zero instead of its mean.  The optional :class:`LevelTerm` is a random intercept that the sampler
treats specially: its levels ``ℓ = b0 + v`` are sampled with the grand intercept integrated out (the
funnel of few levels, see :mod:`plw_stats.glmm.graph`).  Every term needs two or more levels;
callers drop single-level factors.

It is sampled in the coordinates of the one-knob model: the fixed effects (those no term absorbs)
centred and rotated by the QR decomposition of their design (nearly uncorrelated), the levels as
above, each random term in the parameterisation it asks for.  :class:`GeneralProblem` collapses
rows sharing a design row into *cells* (count and the sums of log y and log(1 − y) are
sufficient) and holds the flat arrays the kernel takes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from plw_stats.glmm.backends.general_terms import PARAMETERISATIONS


@dataclass(frozen=True, eq=False)
class RandomTerm:
    """One factor's random coefficients of one covariate, ``r[index_i] · covariate_i``.

    Attributes
    ----------
    name : str
        Posterior variable of the coefficients (e.g. ``slope_wp``), with dims ``dim``.
    sd_name : str
        Posterior variable of their standard deviation (e.g. ``sd_slope_wp``).
    dim : str
        Dimension name of the levels (e.g. ``benchmark``).
    labels : tuple of str
        Level names, in index order.
    index : numpy.ndarray
        Level index of every row.
    covariate : numpy.ndarray
        Covariate of every row (ones for a random intercept).
    sd_scale : float
        ``sd ~ HalfNormal(sd_scale)``, unless ``sd_gamma`` is given.
    sd_gamma : tuple of float or None
        ``(shape, rate)``: ``sd ~ Gamma(shape, rate)`` instead (boundary-avoiding with shape
        2, for factors with few levels).
    parameterisation : {"centred", "noncentred", "absorbing"}
        Sampling coordinates of the coefficients (same model), see :mod:`.general_terms`.
    absorbs : str or None
        With ``parameterisation="absorbing"``: the fixed effect (one of the model's
        ``fixed_names``, whose column equals ``covariate``) sampled together with this term.
    """

    name: str
    sd_name: str
    dim: str
    labels: tuple[str, ...]
    index: np.ndarray
    covariate: np.ndarray
    sd_scale: float = 1.0
    parameterisation: str = "centred"
    sd_gamma: tuple[float, float] | None = None
    absorbs: str | None = None

    def prior_constants(self) -> tuple[float, float, float]:
        """(kind, a, b) of the sd prior as the kernel reads them: 0 half-normal, 1 gamma."""
        if self.sd_gamma is None:
            return 0.0, float(self.sd_scale), 0.0
        return 1.0, float(self.sd_gamma[0]), float(self.sd_gamma[1])


@dataclass(frozen=True, eq=False)
class LevelTerm:
    """A random intercept by one factor whose levels absorb the grand intercept.

    Attributes
    ----------
    name, sd_name, levels_name, dim : str
        Posterior variables of the offsets ``v`` (e.g. ``model_offset``), of their sd
        (``sd_model``) and of the levels ``b0 + v`` (``model_level``), and the dimension of the
        levels (``pretrained``).
    labels : tuple of str
        Level names, in index order.
    index : numpy.ndarray
        Level index of every row.
    sd_shape, sd_rate : float
        ``sd ~ Gamma(sd_shape, sd_rate)`` (boundary-avoiding with shape 2).
    """

    name: str
    sd_name: str
    dim: str
    labels: tuple[str, ...]
    index: np.ndarray
    sd_shape: float = 2.0
    sd_rate: float = 4.0
    levels_name: str = "model_level"


@dataclass(frozen=True, eq=False)
class GeneralGlmm:
    """Data and priors of one general beta GLMM (see the module docstring)."""

    X: np.ndarray
    fixed_names: tuple[str, ...]
    y: np.ndarray
    level: LevelTerm | None = None
    terms: tuple[RandomTerm, ...] = ()
    intercept_sd: float = 2.5
    coef_sd: float = 5.0
    kappa_shape: float = 2.0
    kappa_rate: float = 0.1

    def __post_init__(self) -> None:
        X = np.asarray(self.X, float).reshape(self.n_rows, -1)
        for term in self.terms:
            absorbing = term.parameterisation == "absorbing"
            if absorbing != (term.absorbs is not None):
                raise ValueError(f"term {term.name}: 'absorbing' and absorbs go together")
            if not absorbing:
                continue
            if term.absorbs not in self.fixed_names or term.sd_gamma is None:
                raise ValueError(
                    f"term {term.name} absorbs {term.absorbs!r}: it must be a fixed effect and "
                    "the term's sd needs a gamma prior"
                )
            column = X[:, self.fixed_names.index(term.absorbs)]
            if not np.array_equal(column, term.covariate):
                raise ValueError(f"term {term.name}: covariate differs from {term.absorbs!r}")

    @property
    def n_rows(self) -> int:
        """Number of observations."""
        return int(self.y.size)

    @property
    def absorbed(self) -> tuple[str, ...]:
        """Fixed effects sampled inside absorbing terms."""
        return tuple(t.absorbs for t in self.terms if t.absorbs is not None)

    @property
    def sampled_fixed(self) -> tuple[str, ...]:
        """Fixed effects of the rotated block (those no term absorbs), in order."""
        return tuple(name for name in self.fixed_names if name not in self.absorbed)

    def centred_fixed(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the rotated block's columns with their means removed, and the means."""
        X = np.asarray(self.X, float).reshape(self.n_rows, -1)
        keep = [self.fixed_names.index(name) for name in self.sampled_fixed]
        X = X[:, keep]
        means = X.mean(axis=0) if X.shape[1] else np.zeros(0)
        return X - means, means

    def rotation(self) -> np.ndarray:
        """Return ``R`` of ``centred X / sqrt(n) = Q·R``; the sampler moves ``a = R·b``."""
        centred, _ = self.centred_fixed()
        if not centred.shape[1]:
            return np.zeros((0, 0))
        _, r = np.linalg.qr(centred / math.sqrt(self.n_rows))
        return r

    def random_design(self) -> tuple[np.ndarray, np.ndarray]:
        """Dense ``Z`` (rows × effects) and the sd index of each column: terms, then the level.

        This is the form of :class:`plw_stats.glmm.laplace.BetaGLMMProblem`.
        """
        blocks, groups = [], []
        for g, term in enumerate(self.terms):
            blocks.append(np.eye(len(term.labels))[term.index] * term.covariate[:, None])
            groups += [g] * len(term.labels)
        if self.level is not None:
            blocks.append(np.eye(len(self.level.labels))[self.level.index])
            groups += [len(self.terms)] * len(self.level.labels)
        Z = np.hstack(blocks) if blocks else np.empty((self.n_rows, 0))
        return Z, np.asarray(groups, dtype=np.int64)

    def sd_names(self) -> list[str]:
        """Names of the standard deviations in the order of :meth:`random_design`'s groups."""
        names = [term.sd_name for term in self.terms]
        return names + ([self.level.sd_name] if self.level is not None else [])

    def graph_key(self) -> tuple:
        """Return what fixes a compiled graph of this model (equal keys: only data differ)."""
        return (
            self.n_rows,
            self.fixed_names,
            None if self.level is None else (self.level.name, len(self.level.labels)),
            tuple(
                (t.name, len(t.labels), t.prior_constants(), t.parameterisation, t.absorbs)
                for t in self.terms
            ),
            self.level.sd_shape if self.level else None,
            self.level.sd_rate if self.level else None,
            self.intercept_sd,
            self.coef_sd,
            self.kappa_shape,
            self.kappa_rate,
        )


@dataclass(frozen=True, eq=False)
class GeneralProblem:
    """Cells, constants and layout of a :class:`GeneralGlmm`, in the kernel's flat arrays.

    ``layout`` = (n_fixed, n_levels, n_terms, level_start, term starts…, term sizes…, term
    parameterisation codes…);
    ``consts`` = (intercept sd, level-sd shape and rate, kappa shape and rate, coefficient sd,
    then (kind, a, b) of each term's sd prior, see :meth:`RandomTerm.prior_constants`).
    ``n_levels`` is 0 without a level term (then ``level_start`` holds the grand intercept).
    """

    glmm: GeneralGlmm
    arrays: dict[str, np.ndarray]
    precision: np.ndarray
    consts: np.ndarray
    layout: np.ndarray
    rotation_inverse: np.ndarray
    means: np.ndarray
    n_dim: int

    @classmethod
    def from_glmm(cls, glmm: GeneralGlmm) -> GeneralProblem:
        """Precompute everything that does not change during sampling."""
        centred, means = glmm.centred_fixed()
        p = centred.shape[1]
        r = glmm.rotation()
        rotation_inverse = np.linalg.inv(r) if p else np.zeros((0, 0))
        precision = np.linalg.inv(glmm.coef_sd**2 * r @ r.T) if p else np.zeros((0, 0))
        n_levels = len(glmm.level.labels) if glmm.level is not None else 0
        level_start = p
        starts, sizes = [], []
        cursor = level_start + (n_levels + 1 if n_levels else 1)
        for term in glmm.terms:
            starts.append(cursor)
            sizes.append(len(term.labels))
            cursor += len(term.labels) + 1
        flags = [PARAMETERISATIONS[term.parameterisation] for term in glmm.terms]
        layout = np.array(
            [p, n_levels, len(glmm.terms), level_start, *starts, *sizes, *flags], np.int64
        )
        level = glmm.level
        consts = np.array(
            [
                glmm.intercept_sd,
                level.sd_shape if level else 1.0,
                level.sd_rate if level else 1.0,
                glmm.kappa_shape,
                glmm.kappa_rate,
                glmm.coef_sd,
                *(c for term in glmm.terms for c in term.prior_constants()),
            ],
            dtype=float,
        )
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int) if sizes else []
        arrays = _cells(glmm, centred @ rotation_inverse if p else centred, offsets)
        return cls(
            glmm=glmm,
            arrays=arrays,
            precision=np.ascontiguousarray(precision.ravel()),
            consts=consts,
            layout=layout,
            rotation_inverse=rotation_inverse,
            means=means,
            n_dim=int(cursor + 1),
        )

    def initial_point(self, seed: int) -> np.ndarray:
        """Return a jittered starting point near the prior centre (never a zero gradient)."""
        rng = np.random.default_rng(seed)
        theta = rng.uniform(-0.5, 0.5, self.n_dim)
        theta[-1] += math.log(10.0)
        return theta


#: Per-cell arrays, in the order the kernel takes them (after ``theta``).
CELL_ARRAYS = ("fixed", "level_idx", "term_idx", "term_val", "count", "sum_log_y", "sum_log_1my")


def _cells(glmm: GeneralGlmm, rotated: np.ndarray, offsets) -> dict[str, np.ndarray]:
    """Collapse rows with identical design into cells; flat float64 arrays (row-major).

    ``term_idx`` indexes the flat effects (term ``k``'s levels start at ``offsets[k]``).
    """
    n = glmm.n_rows
    level = glmm.level.index if glmm.level is not None else np.zeros(n, np.int64)
    term_idx = (
        np.column_stack([offset + t.index for offset, t in zip(offsets, glmm.terms, strict=True)])
        if glmm.terms
        else np.empty((n, 0))
    )
    term_val = (
        np.column_stack([t.covariate for t in glmm.terms]) if glmm.terms else np.empty((n, 0))
    )
    # keyed on the original design: rounding in the rotation must not split a cell
    key = np.hstack([np.asarray(glmm.X, float).reshape(n, -1), level[:, None], term_idx, term_val])
    _, first, cell = np.unique(key, axis=0, return_index=True, return_inverse=True)
    cell = cell.ravel()
    y = np.asarray(glmm.y, float)
    arrays = {
        "fixed": rotated[first],
        "level_idx": level[first],
        "term_idx": term_idx[first],
        "term_val": term_val[first],
        "count": np.bincount(cell, minlength=first.size),
        "sum_log_y": np.bincount(cell, weights=np.log(y), minlength=first.size),
        "sum_log_1my": np.bincount(cell, weights=np.log1p(-y), minlength=first.size),
    }
    return {k: np.ascontiguousarray(np.asarray(v, float).ravel()) for k, v in arrays.items()}
