"""Which entries of an lm-evaluation-harness v0.4 file are benchmarks: the group tree.

lm-eval reports a group (MMLU, its four categories, ...) next to its tasks in ``results``; a
group whose aggregate was computed also appears in ``groups``.  ``group_subtasks`` maps each
group to its children (MMLU: ``mmlu → mmlu_{humanities, other, social_sciences, stem} → 57
subjects``).  Files from v0.4.0-0.4.2 lack ``group_subtasks``; their tree is read from the
order of ``results`` and the indentation of each ``alias`` (``" - humanities"``, ``"  - anatomy"``).

Selection, per ``level``:

* ``"groups"`` (default): a group carrying an aggregated score is one benchmark and its subtasks
  are left out, as researchers report MMLU as one number;
* ``"subgroups"``: the children of such a top-level group instead (MMLU's four categories);
* ``"tasks"``: every leaf task.

A group without an aggregated score is never a benchmark; its children are looked at instead.
A group containing one of the paper's benchmarks (e.g. the ``truthfulqa`` group holding
TruthfulQA-MC2 and -Gen) is expanded at every level so that those keep their own scores.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plw_stats.io.benchmarks import BENCHMARKS, OUTPUT_TYPES


def metric_keys(entry: Any) -> list[str]:
    """Metric keys of one ``results`` entry (neither ``alias`` nor stderr), in file order."""
    if not isinstance(entry, dict):
        return []
    return [k for k in entry if k != "alias" and "_stderr" not in k.split(",")[0]]


def children_map(data: dict) -> dict[str, list[str]]:
    """Return group → child names, from ``group_subtasks`` or else from the aliases."""
    subtasks = data.get("group_subtasks")
    if isinstance(subtasks, dict) and subtasks:
        return {g: list(c) for g, c in subtasks.items() if isinstance(c, list) and c}
    return _tree_from_aliases(data["results"])


def _tree_from_aliases(results: dict) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    stack: list[tuple[int, str]] = []
    for name, entry in results.items():
        alias = entry.get("alias", name) if isinstance(entry, dict) else name
        depth = _alias_depth(str(alias))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            children.setdefault(stack[-1][1], []).append(name)
        stack.append((depth, name))
    return children


def _alias_depth(alias: str) -> int:
    stripped = alias.lstrip(" ")
    return len(alias) - len(stripped) + 1 if stripped.startswith("- ") else 0


class GroupTree:
    """The task/group tree of one v0.4 results file.

    Parameters
    ----------
    data : dict
        The decoded results JSON.
    """

    def __init__(self, data: dict) -> None:
        self.results: dict = data["results"]
        self.children = children_map(data)
        groups = data.get("groups") or {}
        self.aggregated = {
            name
            for name in self.children
            if isinstance(groups, dict)
            and metric_keys(groups.get(name))
            and metric_keys(self.results.get(name))
        }
        self.configs: dict = data.get("configs") or {}

    def select(self, level: str, wanted: Iterable[str] | None = None) -> list[str]:
        """Return the names reported as benchmarks, in file order.

        Parameters
        ----------
        level : {"groups", "subgroups", "tasks"}
            How deep to go (see the module docstring).
        wanted : iterable of str, optional
            Names to keep whatever their level (``--tasks``): any task or group with a score.
        """
        if wanted is not None:
            wanted = set(wanted)
            return [n for n in self.results if n in wanted and metric_keys(self.results[n])]
        inner = {c for kids in self.children.values() for c in kids}
        tops = [n for n in dict.fromkeys([*self.results, *self.children]) if n not in inner]
        picked = [name for top in tops for name in self._pick(top, level, 0)]
        return list(dict.fromkeys(picked))

    def _pick(self, name: str, level: str, depth: int) -> list[str]:
        kids = self.children.get(name, [])
        if not kids:
            return [name] if name in self.results else []
        if self.is_benchmark_group(name) and level != "tasks":
            if level == "groups" or depth > 0:
                return [name]
            depth += 1
        return [n for kid in kids for n in self._pick(kid, level, depth)]

    def is_benchmark_group(self, name: str) -> bool:
        """Return True if a group has an aggregated score and holds none of the paper's tasks."""
        return name in self.aggregated and not (self.leaves(name) & set(BENCHMARKS))

    def is_group(self, name: str) -> bool:
        """Return True if ``name`` has children."""
        return bool(self.children.get(name))

    def leaves(self, name: str) -> set[str]:
        """Return every leaf task under ``name`` (``{name}`` for a task)."""
        kids = self.children.get(name, [])
        if not kids:
            return {name}
        return {leaf for kid in kids for leaf in self.leaves(kid)}

    def output_type(self, name: str) -> str | None:
        """Task type from the configs' ``output_type``; a group's if all its leaves agree."""
        types = {
            OUTPUT_TYPES.get(str((self.configs.get(leaf) or {}).get("output_type")))
            for leaf in self.leaves(name)
        }
        return types.pop() if len(types) == 1 else None
