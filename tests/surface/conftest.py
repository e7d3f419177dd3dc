"""Fixtures of the surface tests: the two-knob demo, its specifications and synthetic fits."""

import pytest
from surface.synthetic import FLAT, PEAK, synthetic_surface

from plw_stats.datasets import load_surface_demo_scores
from plw_stats.surface.sweep import SurfaceSweep, specify_surfaces


@pytest.fixture(scope="session")
def surface_scores():
    return load_surface_demo_scores()


@pytest.fixture(scope="session")
def surface_specs(surface_scores):
    return {spec.name: spec for spec in specify_surfaces(surface_scores)}


@pytest.fixture(scope="session")
def surface_sweep(surface_specs):
    """Synthetic fits of the demo: Interior peaked, Flat flat."""
    groups = {
        "Interior": synthetic_surface(surface_specs["Interior"], PEAK, seed=1),
        "Flat": synthetic_surface(surface_specs["Flat"], FLAT, seed=2),
    }
    spec = surface_specs["Interior"]
    return SurfaceSweep(groups, "bayes", spec.power, spec.clw_power, {"seed": 0})
