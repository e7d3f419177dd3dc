"""Readers that turn files on disk into the tidy, validated score table."""

from plw_stats.io.tables import read_scores, validate_scores

__all__ = ["read_scores", "validate_scores"]
