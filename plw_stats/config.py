"""Defaults declared once; every other module refers to these names.

The PLW transform follows the paper: ``wp = plw ** p`` with ``p = log(0.5) / log(0.1)``, so that
PLW 0.1 maps to wp 0.5 and the ten PLW levels spread evenly over [0, 1].
"""

import math

#: Version of plw-stats (recorded in saved fits and reports); the package metadata reads it.
__version__ = "0.1.0"

#: Exponent of the PLW transform ``wp = plw ** p`` (``log10(2)`` ≈ 0.30103).
PLW_POWER: float = math.log(0.5) / math.log(0.1)

#: Probability mass of the highest-density intervals reported in summaries and JSON.
HDI_PROB: float = 0.94

#: Convergence thresholds checked after every fit.
RHAT_MAX: float = 1.01
ESS_BULK_MIN: float = 400.0

#: Columns of the tidy score table.  ``clw`` (completion loss weight in [0, 1], 1 when absent)
#: and ``seed`` (any label) identify a run together with dataset, model and plw.
REQUIRED_COLUMNS: tuple[str, ...] = ("dataset", "model", "plw", "benchmark", "score")
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "clw",
    "seed",
    "task_type",
    "ratio",
    "metric",
    "stderr",
    "source",
)
TASK_TYPES: tuple[str, ...] = ("MC", "GS", "GL")
