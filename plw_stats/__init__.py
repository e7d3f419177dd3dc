"""plw-stats: statistics and figures for prompt-loss-weight (PLW) fine-tuning sweeps."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("plw-stats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"
