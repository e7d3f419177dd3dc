import json
import os
import stat

import pytest

from plw_stats.output import OutputError, write_atomic, write_json


def test_json_written_with_usual_permissions_and_nan_as_null(tmp_path):
    path = write_json(tmp_path / "x.json", {"a": float("nan"), "b": [1, 2]})
    assert json.loads(path.read_text()) == {"a": None, "b": [1, 2]}
    mode = stat.S_IMODE(os.stat(path).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_failed_write_leaves_nothing_and_keeps_old_file(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old")

    def broken(tmp):
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist; create it first"):
        write_json(tmp_path / "nope" / "x.json", {})
