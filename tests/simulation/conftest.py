"""Fixtures of many-fit tests."""

from study_fakes import fake_sampler  # noqa: F401
