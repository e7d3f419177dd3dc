"""Simulated sweeps with known truth, calibration studies and sweep planning."""
