"""The report's one number rule: three significant digits, no raw scientific notation."""

import math

import pytest

from plw_stats.errors import ModelSpecError
from plw_stats.report import numbers as fmt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.8225, "0.823"),
        (0.242, "0.242"),
        (0.0800, "0.08"),
        (1.004, "1"),
        (-61.0986, "-61.1"),
        (12.0, "12"),
        (3031.4, "3030"),
        (123456.7, "123000"),
        (0.09996, "0.1"),
        (0.000216, "0.000216"),
        (7.256e-10, "7.26 \u00d7 10\u207b\u00b9\u2070"),
        (2.5e8, "2.5 \u00d7 10\u2078"),
        (0.0, "0"),
        (math.nan, fmt.MISSING),
        (None, fmt.MISSING),
        (math.inf, "∞"),
    ],
)
def test_number_keeps_three_significant_digits(value, text):
    assert fmt.number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.8225, "0.823"),
        (0.5, "0.5"),
        (1.0, "1"),
        (0.0, "0"),
        (3e-6, "< 1e-4"),
        (0.99996, "> 0.9999"),
        (0.9996, "0.9996"),  # would round to 1.00, which reads as certainty
        (0.00136, "0.00136"),
    ],
)
def test_probabilities_and_plws_never_use_powers_of_ten(value, text):
    assert fmt.probability(value) == text
    assert fmt.plw(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.003, "p = 0.003"),
        (0.284, "p = 0.284"),
        (0.000123, "p = 0.000123"),
        (3e-5, "p < 1e-4"),
        (3e-6, "p < 1e-5"),
        (7.256e-10, "p < 1e-6"),
        (1.2e-47, "p < 1e-6"),
        (0.0, "p < 1e-6"),
        (1.0, "p = 1"),
        (0.99999, "p > 0.9999"),
    ],
)
def test_p_values(value, text):
    assert fmt.p_value(value) == text


def test_r_hat_keeps_the_third_decimal():
    assert fmt.rhat(1.0123) == "1.012"
    assert fmt.rhat(1.0004) == "1.000"
    assert fmt.rhat(None) == fmt.MISSING
    assert fmt.number(1.0123) == "1.01"  # why R-hat needs its own digits


def test_intervals_counts_and_percentages():
    assert fmt.interval(0.161, 0.2961, kind="plw") == "[0.161, 0.296]"
    assert fmt.interval(2e-6, 0.5834, kind="plw") == "[< 1e-4, 0.583]"
    assert fmt.interval(-0.8821, 0.7912) == "[-0.882, 0.791]"
    assert fmt.interval(math.nan, 1.0) == fmt.MISSING
    assert fmt.plus_minus(61.0986, 9.1728) == "61.1 ± 9.17"
    assert fmt.integer(3.0) == "3"
    assert fmt.percent(0.94) == "94%"
    assert fmt.percent(0.975) == "97.5%"


def test_table_cells_by_rule_name():
    assert fmt.format_cell(7.256e-10, "p_value") == "< 1e-6"
    assert fmt.format_cell(0.0103, "p_value") == "0.0103"
    assert fmt.format_cell(True, "bool") == "yes"
    with pytest.raises(ModelSpecError, match="unknown number format 'sci'; use one of number"):
        fmt.format_cell(1.0, "sci")
