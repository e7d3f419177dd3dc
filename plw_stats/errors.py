"""Exception and warning types raised by plw-stats.

Every error a user can cause derives from :class:`PlwStatsError`; the CLI turns it into a
one-line message on stderr and exit status 2.  Messages name the file, column, row or value
at fault and say how to fix it.
"""


class PlwStatsError(Exception):
    """Base class of every error plw-stats raises on purpose."""


class DataSchemaError(PlwStatsError, ValueError):
    """A score table (or another input file) does not have the expected shape or values."""


class ModelSpecError(PlwStatsError, ValueError):
    """A model specification or a sampler setting is invalid."""


class ConvergenceWarning(UserWarning):
    """MCMC diagnostics (R-hat, ESS, divergences) crossed their thresholds."""


class SamplerFallbackWarning(UserWarning):
    """The requested sampler backend could not run as asked; another one was used instead."""
