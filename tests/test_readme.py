"""The README's Quick start is what CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_lines():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_command_lines():
    lines = quick_start_lines()
    assert len(lines) == 2
    assert lines[0].endswith("plw-stats fit")
    assert lines[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_line_verbatim():
    assert quick_start_lines()[1] in (ROOT / ".ci" / "run").read_text()


def test_python_version_file_targets_312():
    assert (ROOT / ".python-version").read_text().strip() == "3.12"
