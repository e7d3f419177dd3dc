"""Usage errors are one line naming the option, for every sub-command's shared option types."""

import pytest

from plw_stats.cli.main import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "--draws", "abc"], "argument --draws: expected a positive integer, got 'abc'"),
        (["fit", "--chains", "0"], "argument --chains: expected a positive integer, got '0'"),
        (["fit", "--retries", "-1"], "argument --retries: expected an integer >= 0, got '-1'"),
        (["fit", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
        (["figures", "--dpi", "0"], "argument --dpi: expected a positive integer, got '0'"),
        (["calibrate", "--sims", "0"], "argument --sims: expected a positive integer, got '0'"),
        (["plan", "--models", "0"], "argument --models: expected a positive integer, got '0'"),
        (["gam", "--bootstrap", "-1"], "argument --bootstrap: expected an integer >= 0"),
        (["nonsense"], "argument COMMAND: invalid choice: 'nonsense'"),
    ],
)
def test_a_usage_error_is_one_line_with_the_option_and_where_help_is(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert message in err
    command = "plw-stats" if argv[0] == "nonsense" else f"plw-stats {argv[0]}"
    assert err.startswith(f"{command}: error: ")
    assert err.rstrip().endswith(f"(see {command} --help)")


def test_help_still_prints_the_whole_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: plw-stats fit")


def test_the_console_script_exits_with_the_commands_status(monkeypatch, capsys):
    import gc
    import tomllib
    from pathlib import Path

    from plw_stats.cli.main import program

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["plw-stats"] == "plw_stats.cli.main:program"
    monkeypatch.setattr("sys.argv", ["plw-stats", "critical", "--b1", "5.590", "--b2", "-4.284"])
    try:
        with pytest.raises(SystemExit) as exit_info:
            program()
        assert gc.get_freeze_count() > 0  # the shutdown's collections skip what is left
    finally:
        gc.unfreeze()
    assert exit_info.value.code == 0
    assert "0.242" in capsys.readouterr().out
    monkeypatch.setattr("sys.argv", ["plw-stats", "critical", "--b1", "1", "--b2", "1"])
    try:
        with pytest.raises(SystemExit) as exit_info:
            program()
    finally:
        gc.unfreeze()
    assert exit_info.value.code == main(["critical", "--b1", "1", "--b2", "1"]) != 0


def test_the_installed_metadata_and_version_option_carry_the_packages_version(capsys):
    from importlib.metadata import version

    from plw_stats.config import __version__

    assert version("plw-stats") == __version__
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"plw-stats {__version__}"
