"""Benchmark groups of the tensor-smooth GAM: All, MC and Gen, as in the paper's Appendix D.

The paper fits one GAM on all benchmarks ("All"), one on the multiple-choice benchmarks ("MC")
and one on the generation benchmarks *without the translation tasks* ("Gen").  The default rule,
applied to the score table's ``task_type`` column, is:

- ``All``: every benchmark in the table;
- ``MC``: benchmarks with ``task_type == "MC"``;
- ``Gen``: benchmarks with ``task_type`` ``"GS"`` or ``"GL"`` whose name does *not* match
  :data:`TRANSLATION_PATTERN` (case-insensitive regular expression search).  With the paper's
  benchmarks this keeps TruthfulQA-Gen, AlpacaEval and PandaLM and drops the six WMT tasks.

Without a ``task_type`` column only ``All`` is formed.  Both the pattern and the groups
themselves can be overridden (``groups={"name": [benchmark, ...]}``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from plw_stats.errors import ModelSpecError

#: Benchmarks whose name matches this (case-insensitive) are translation tasks, left out of Gen.
TRANSLATION_PATTERN: str = r"wmt|translat|iwslt|flores"

#: Order in which the default groups are formed and reported.
DEFAULT_GROUP_NAMES: tuple[str, ...] = ("All", "MC", "Gen")


def default_groups(
    scores: pd.DataFrame, *, translation_pattern: str = TRANSLATION_PATTERN
) -> dict[str, tuple[str, ...]]:
    """Form the All / MC / Gen groups from a score table's ``task_type`` column.

    Parameters
    ----------
    scores : pandas.DataFrame
        Validated score table; ``task_type`` is optional.
    translation_pattern : str
        Regular expression (searched case-insensitively in the benchmark name) marking the
        translation benchmarks that ``Gen`` leaves out.

    Returns
    -------
    dict of str to tuple of str
        Group name → sorted benchmark names; empty groups are omitted.
    """
    pattern = _compile(translation_pattern)
    benchmarks = scores[["benchmark"]].drop_duplicates()
    groups = {"All": tuple(sorted(benchmarks["benchmark"]))}
    if "task_type" not in scores.columns:
        return groups
    types = scores.drop_duplicates("benchmark").set_index("benchmark")["task_type"]
    mc = [b for b, t in types.items() if t == "MC"]
    gen = [b for b, t in types.items() if t in ("GS", "GL") and not pattern.search(str(b))]
    for name, members in (("MC", mc), ("Gen", gen)):
        if members:
            groups[name] = tuple(sorted(members))
    return groups


def resolve_groups(
    scores: pd.DataFrame,
    groups: Mapping[str, Iterable[str]] | None = None,
    *,
    translation_pattern: str = TRANSLATION_PATTERN,
) -> dict[str, tuple[str, ...]]:
    """Return the groups to fit: the defaults, or user groups checked against the table.

    Raises
    ------
    ModelSpecError
        If a user group is empty or names a benchmark that is not in the table.
    """
    if groups is None:
        return default_groups(scores, translation_pattern=translation_pattern)
    if not groups:
        raise ModelSpecError("groups is empty; give at least one {name: [benchmarks]} entry")
    known = sorted(scores["benchmark"].unique())
    resolved = {}
    for name, members in groups.items():
        members = tuple(sorted(dict.fromkeys(str(m) for m in members)))
        if not members:
            raise ModelSpecError(f"group {name!r} has no benchmarks; list at least one")
        for member in members:
            if member not in known:
                raise ModelSpecError(_unknown_benchmark(name, member, known))
        resolved[str(name)] = members
    return resolved


def parse_group_option(text: str) -> tuple[str, tuple[str, ...]]:
    """Parse a command-line group ``NAME=bench1,bench2`` into ``(name, benchmarks)``.

    Raises
    ------
    ModelSpecError
        If the text has no ``=`` or an empty name or benchmark list.
    """
    name, sep, rest = text.partition("=")
    members = tuple(m.strip() for m in rest.split(",") if m.strip())
    if not sep or not name.strip() or not members:
        raise ModelSpecError(
            f"group {text!r} is not NAME=benchmark[,benchmark...]; for example "
            "--group MC=arc_challenge,piqa"
        )
    return name.strip(), members


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise ModelSpecError(
            f"translation_pattern {pattern!r} is not a valid regular expression ({err}); "
            f"the default is {TRANSLATION_PATTERN!r}"
        ) from err


def _unknown_benchmark(group: str, member: str, known: list[str]) -> str:
    close = difflib.get_close_matches(member, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"group {group!r} names benchmark {member!r}{hint}, which is not in the table; "
        f"available: {', '.join(known)}"
    )
