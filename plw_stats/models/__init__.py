"""Statistical models of PLW sweeps."""
