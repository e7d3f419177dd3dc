"""The notebooks run top to bottom (executed, tiny sampler settings) and ship without outputs."""

import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))
#: Tiny sampler settings, read by each notebook's parameter cell.
TINY = {"PLW_NB_DRAWS": "100", "PLW_NB_TUNE": "100", "PLW_NB_CHAINS": "2"}


def test_both_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_reproduce_paper_analysis.ipynb",
        "02_bring_your_own_lmeval.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert "PLW_NB_DRAWS" in code[0].source  # the parameter cell comes first


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, monkeypatch, tmp_path):
    for name, value in TINY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PLW_LMEVAL_ROOT", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys; print(sys.executable)")
    book.cells.insert(0, probe)
    NotebookClient(
        book, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    # the kernel is this interpreter (the project's venv), not some other python3 on the PATH
    assert Path(probe.outputs[0]["text"].strip()).resolve() == Path(sys.executable).resolve()
    errors = [o for c in book.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
