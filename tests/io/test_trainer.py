"""trainer_state.json loss tables and the windowed training-loss RSD."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from plw_stats.describe.rsd import loss_rsd, loss_rsd_table
from plw_stats.errors import DataSchemaError, ModelSpecError
from plw_stats.io.trainer import find_trainer_state, read_trainer_state

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io" / "trainer"
LOSSES = [1.9, 1.7, 1.8, 1.5, 1.6, 1.4, 1.45, 1.3, 1.35, 1.2, 1.25, 1.1]


def test_loss_table_keeps_only_training_entries():
    frame = read_trainer_state(FIXTURES / "trainer_state.json")
    assert list(frame.columns) == ["step", "epoch", "loss", "learning_rate", "grad_norm"]
    assert frame["step"].tolist() == list(range(1, 13))
    assert frame["loss"].tolist() == LOSSES
    assert frame.loc[0, "learning_rate"] == 1.83333e-05
    assert frame.loc[1, "grad_norm"] == pytest.approx(1.0)
    assert frame.loc[11, "epoch"] == 3.0


def test_folder_uses_latest_checkpoint():
    assert find_trainer_state(FIXTURES / "run-a").parent.name == "checkpoint-12"
    assert len(read_trainer_state(FIXTURES / "run-a")) == 12


def test_rsd_by_hand():
    first = np.array(LOSSES[:5])
    second = np.array(LOSSES[5:10])  # the last two entries do not fill a window
    expected = (first.std(ddof=1) / first.mean() + second.std(ddof=1) / second.mean()) / 2
    assert loss_rsd(LOSSES) == pytest.approx(expected)
    # first window 1.9, 1.7, 1.8, 1.5, 1.6: mean 1.7, sample std sqrt(0.1 / 4)
    assert first.std(ddof=1) / first.mean() == pytest.approx(math.sqrt(0.025) / 1.7)


def test_rsd_rolling_and_window():
    rolling = [np.std(LOSSES[i : i + 3], ddof=1) / np.mean(LOSSES[i : i + 3]) for i in range(10)]
    assert loss_rsd(LOSSES, window=3, rolling=True) == pytest.approx(np.mean(rolling))


def test_rsd_table():
    table = loss_rsd_table({"a": FIXTURES / "trainer_state.json", "b": FIXTURES / "run-a"})
    assert table["run"].tolist() == ["a", "b"]
    assert table["n_steps"].tolist() == [12, 12]
    assert table["rsd"].tolist() == pytest.approx([loss_rsd(LOSSES)] * 2)


def test_rsd_errors():
    with pytest.raises(ModelSpecError, match="window must be at least 2"):
        loss_rsd(LOSSES, window=1)
    with pytest.raises(DataSchemaError, match="3 loss values are fewer than one window of 5"):
        loss_rsd([1.0, 1.1, 1.2])
    with pytest.raises(DataSchemaError, match=r"run 'short' .*fewer than one window of 20"):
        loss_rsd_table({"short": FIXTURES / "trainer_state.json"}, window=20)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"global_step": 3}, r"unknown layout, no 'log_history' list"),
        ({"log_history": [{"eval_loss": 1.0, "step": 1}]}, r"no training-loss entries"),
        ({"log_history": [{"loss": 1.0}]}, r"log_history\[0\] has a loss but no step"),
        (
            {"log_history": [{"loss": 1.0, "step": 1}, {"loss": 0.9, "step": 1}]},
            r"step 1 has two training-loss entries",
        ),
    ],
)
def test_bad_trainer_states(tmp_path, data, message):
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataSchemaError, match=message):
        read_trainer_state(path)


def test_folder_without_state(tmp_path):
    with pytest.raises(DataSchemaError, match=r"no trainer_state\.json here"):
        find_trainer_state(tmp_path)
