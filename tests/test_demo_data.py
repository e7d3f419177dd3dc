import hashlib

import pandas as pd
import pytest

from plw_stats.datasets import REGISTRY, data_path
from plw_stats.errors import DataSchemaError
from plw_stats.simulation.sweeps import demo_sweep


def test_registry_checksums_match_files():
    for name, digest in REGISTRY.items():
        assert hashlib.sha256(data_path(name).read_bytes()).hexdigest() == digest


def test_demo_file_is_exactly_what_the_generator_makes():
    shipped = pd.read_csv(data_path("demo_scores.csv"))
    regenerated = demo_sweep()
    pd.testing.assert_frame_equal(
        shipped, regenerated, check_dtype=False, check_exact=False, rtol=1e-6
    )


def test_unknown_data_file():
    with pytest.raises(DataSchemaError, match=r"no bundled data file 'x\.csv'"):
        data_path("x.csv")
