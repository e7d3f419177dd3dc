"""How to run NUTS: the sampler settings shared by every fit, validated once."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from plw_stats.errors import ModelSpecError

SamplerName = Literal["native", "nutpie", "pymc"]
SAMPLERS: tuple[str, ...] = ("native", "nutpie", "pymc")
ADAPTATIONS: tuple[str, ...] = ("low_rank", "diag")


@dataclass(frozen=True)
class SamplerSettings:
    """How to run NUTS.

    Attributes
    ----------
    chains, draws, tune : int
        Number of chains, kept draws per chain and warm-up draws per chain.  The default
        warm-up, 500, is the one the fixed-truth calibrations of ``docs/inference.md`` ran with
        (interval coverage as with 1000; no divergent fit); a fit with divergences or poor
        mixing is retried with the warm-up doubled (:mod:`plw_stats.glmm.healing`).
    target_accept : float
        NUTS target acceptance rate.  The default, 0.9, takes about a third fewer gradient
        evaluations than 0.95 on the paper's design with the same interval coverage: 200
        simulated sweeps at the paper's truth covered b1, b2 and PLW* 0.860 / 0.905 / 0.915 of
        the time at 0.9 and 0.865 / 0.900 / 0.915 at 0.95, in 227 instead of 342 CPU seconds;
        1 of the 200 fits diverged at first (0 at 0.95) and was healed by a retry at 0.95
        (:mod:`plw_stats.glmm.healing`).
    sampler : {"native", "nutpie", "pymc"}
        Backend.  ``"native"`` (default): nutpie's NUTS on plw-stats' hand-written log density
        (:mod:`plw_stats.glmm.backends.kernel`), compiled once into numba's disk cache, so a new
        process starts sampling within a second; it covers the default specification, others
        fall back to ``"nutpie"``.  ``"nutpie"``: nutpie on the PyMC graph (5–10 s of numba
        compilation per process, then reused for datasets of the same design).  ``"pymc"``:
        PyMC's own NUTS (slowest).
    cores : int or None
        Chains run in parallel on this many cores; None means all cores, at most ``chains``.
    adaptation : {"low_rank", "diag"}
        nutpie's mass-matrix adaptation.  ``"low_rank"`` (default) also learns the main
        posterior correlations; measured on 15 paper-shaped datasets it gave 2–4× the minimum
        bulk ESS of ``"diag"`` at the same cost, and on a design with 65 benchmarks it turned a
        bulk ESS of 38 for b1 into 8,200.  Ignored by ``sampler="pymc"``.
    """

    chains: int = 4
    draws: int = 1000
    tune: int = 500
    target_accept: float = 0.9
    sampler: SamplerName = "native"
    cores: int | None = None
    adaptation: Literal["low_rank", "diag"] = "low_rank"

    def __post_init__(self) -> None:
        for name in ("chains", "draws", "tune"):
            value = getattr(self, name)
            minimum = 0 if name == "tune" else 1
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ModelSpecError(f"{name} must be an integer >= {minimum}, got {value!r}")
            if value < minimum:
                raise ModelSpecError(f"{name} must be an integer >= {minimum}, got {value!r}")
            object.__setattr__(self, name, int(value))
        if not 0 < self.target_accept < 1:
            raise ModelSpecError(f"target_accept must lie in (0, 1), got {self.target_accept!r}")
        if self.sampler not in SAMPLERS:
            raise ModelSpecError(
                f"unknown sampler {self.sampler!r}; choose one of {', '.join(SAMPLERS)}"
            )
        if self.adaptation not in ADAPTATIONS:
            raise ModelSpecError(
                f"unknown adaptation {self.adaptation!r}; choose one of {', '.join(ADAPTATIONS)}"
            )
        if self.cores is not None:
            if not isinstance(self.cores, int | np.integer) or self.cores < 1:
                raise ModelSpecError(
                    f"cores must be a positive integer or None, got {self.cores!r}"
                )
            object.__setattr__(self, "cores", int(self.cores))
        object.__setattr__(self, "target_accept", float(self.target_accept))

    @property
    def n_cores(self) -> int:
        """Cores actually used: ``cores`` or all available, never more than ``chains``."""
        available = self.cores or os.cpu_count() or 1
        return max(1, min(available, self.chains))

    def to_dict(self) -> dict:
        """Plain-dict form for JSON output."""
        return asdict(self)

    @classmethod
    def from_options(cls, settings: SamplerSettings | None = None, **options) -> SamplerSettings:
        """Build settings from an object and/or keyword options (``draws=500, chains=2``).

        Keyword options override the fields of ``settings`` (default ``SamplerSettings()``);
        an unknown option is refused with the list of the known ones.
        """
        base = settings or cls()
        known = set(asdict(base))
        unknown = sorted(set(options) - known)
        if unknown:
            raise ModelSpecError(
                f"unknown sampler option {unknown[0]!r}; the options are {', '.join(sorted(known))}"
            )
        return cls(**(asdict(base) | options)) if options else base
