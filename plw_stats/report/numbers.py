"""The report's one rule for printing numbers.

Every number in the report's text and tables goes through these functions, so a reader sees the
same style everywhere:

* three significant digits, written as plain decimals without trailing zeros (``0.242``,
  ``12.3``, ``0.5``, ``3030``), never in raw scientific notation; numbers too small or too large
  for that (a GAM smoothing parameter of ``7.3e-10``) are written ``7.26 × 10⁻¹⁰``;
* probabilities and PLWs lie in [0, 1] and are never written with powers of ten: a value that
  vanishes is ``< 1e-4``, one that rounds to 1 is ``> 0.9999``, exact 0 and 1 stay ``0`` and
  ``1``;
* p-values read ``p = 0.003`` down to ``p = 0.0001``, then ``p < 1e-5`` or ``p < 1e-6``;
* counts are integers, missing values an en dash;
* the one exception: R-hat always shows three decimals (``1.000``, ``1.004``), because its
  meaning lies in the third decimal (the threshold is 1.01).
"""

from __future__ import annotations

import math

from plw_stats.errors import ModelSpecError

#: Significant digits of every printed number.
DIGITS = 3
#: Probabilities and PLWs below this are printed ``< 1e-4``.
VANISHING = 1e-4
#: Smallest p-value printed as a bound (``p < 1e-6``).
P_FLOOR_EXPONENT = 6
#: Numbers whose magnitude lies outside [SMALL, LARGE) use a power of ten.
SMALL, LARGE = 1e-4, 1e7
#: Printed for a missing value.
MISSING = "\u2013"  # en dash

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _decimals(value: float, digits: int = DIGITS) -> int:
    """Decimals that keep ``digits`` significant digits of ``value`` (after rounding)."""
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - exponent)
    rounded = round(value, decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > exponent:
        decimals = max(0, decimals - 1)  # 0.09996 rounds to 0.100, not 0.1000
    return decimals


def number(value, *, digits: int = DIGITS) -> str:
    """Format a real number with ``digits`` significant digits, never in raw scientific notation.

    Examples
    --------
    >>> number(0.8225), number(-61.0986), number(3031.4), number(7.256e-10)
    ('0.823', '-61.1', '3030', '7.26 × 10⁻¹⁰')
    """
    if _missing(value):
        return MISSING
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    if not SMALL <= abs(value) < LARGE:
        return _power_of_ten(value, digits)
    decimals = _decimals(value, digits)
    if decimals == 0:
        return f"{_round_significant(value, digits):.0f}"
    return _trim(f"{value:.{decimals}f}")


def _trim(text: str) -> str:
    """Drop trailing zeros of a decimal (and a bare point): ``0.500`` → ``0.5``."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _round_significant(value: float, digits: int) -> float:
    exponent = math.floor(math.log10(abs(value)))
    return round(value, digits - 1 - exponent)


def _power_of_ten(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = _trim(mantissa)
    return f"{mantissa} \u00d7 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def probability(value) -> str:
    """Format a probability (or any share in [0, 1]) as a plain decimal.

    Examples
    --------
    >>> probability(0.8225), probability(0.99975), probability(3e-6), probability(1.0)
    ('0.823', '0.9998', '< 1e-4', '1')
    """
    if _missing(value):
        return MISSING
    value = float(value)
    if value in (0.0, 1.0):
        return f"{value:.0f}"
    if value < VANISHING:
        return "< 1e-4"
    if value > 1 - VANISHING:
        return "> 0.9999"
    text = number(value)
    if float(text) in (0.0, 1.0):  # 0.9996 must not read as certainty
        text = f"{value:.4f}"
    return text


def plw(value) -> str:
    """Format a PLW (in [0, 1]) like :func:`probability`: ``< 1e-4`` for a vanishing one."""
    return probability(value)


def p_value(value) -> str:
    """Format a p-value with its ``p``: ``p = 0.003``, ``p = 0.000123``, ``p < 1e-5``, ``p < 1e-6``.

    Below 1e-4 only the decade is meaningful, so the value is bounded by the next power of ten
    (``3e-5`` reads ``p < 1e-4``), and nothing smaller than ``p < 1e-6`` is printed.
    """
    if _missing(value):
        return f"p = {MISSING}"
    value = float(value)
    if value >= VANISHING:
        text = probability(value)
        return f"p {text}" if text.startswith(">") else f"p = {text}"
    exponent = min(P_FLOOR_EXPONENT, math.floor(-math.log10(value)) if value > 0 else 99)
    return f"p < 1e-{exponent}"


def rhat(value) -> str:
    """Format an R-hat with three decimals, zeros kept (``1.000``, ``1.004``, ``1.012``)."""
    if _missing(value):
        return MISSING
    return f"{float(value):.3f}"


def integer(value) -> str:
    """Format a count."""
    if _missing(value):
        return MISSING
    return f"{int(value)}"


def plus_minus(value, error) -> str:
    """``value ± error``, both to three significant digits (``61.1 ± 9.17``)."""
    return f"{number(value)} ± {number(error)}"


def interval(low, high, *, kind: str = "number") -> str:
    """Format an interval ``[low, high]`` whose ends follow the ``number`` or ``plw`` rule."""
    fmt = plw if kind == "plw" else number
    if _missing(low) or _missing(high):
        return MISSING
    return f"[{fmt(low)}, {fmt(high)}]"


def percent(value) -> str:
    """Format a share as a percentage with up to three significant digits (``94%``)."""
    if _missing(value):
        return MISSING
    return f"{number(100 * float(value))}%"


#: Formatters by name, for tables that declare how each column is printed.
FORMATS = {
    "number": number,
    "probability": probability,
    "plw": plw,
    "p_value": lambda v: p_value(v).removeprefix("p = ").removeprefix("p "),
    "integer": integer,
    "rhat": rhat,
    "text": lambda v: MISSING if _missing(v) else str(v),
    "bool": lambda v: MISSING if _missing(v) else ("yes" if v else "no"),
}


def format_cell(value, kind: str) -> str:
    """Format one table cell by the name of its rule (a key of :data:`FORMATS`)."""
    try:
        return FORMATS[kind](value)
    except KeyError as err:
        known = ", ".join(FORMATS)
        raise ModelSpecError(f"unknown number format {kind!r}; use one of {known}") from err
