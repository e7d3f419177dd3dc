"""The progress bar: drawn on a terminal only, with an ETA, quiet otherwise."""

import io

from plw_stats import progress
from plw_stats.progress import Progress, format_seconds


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_draws_on_a_terminal_with_an_eta(monkeypatch):
    clock = iter([0.0, 0.0, 10.0, 20.0, 40.0])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    stream = Terminal()
    with Progress(4, "calibrate", stream=stream) as bar:
        bar.advance()
        bar.advance()
        bar.advance(2)
    text = stream.getvalue()
    frames = text.strip("\n").split("\r")[1:]
    assert frames[0].startswith("calibrate  [######------------------]  1/4   25%  0:30 left")
    assert "2/4" in frames[1] and "0:20 left" in frames[1]
    assert frames[2].endswith("4/4  100%  0:40 total") and text.endswith("\n")


def test_quiet_when_not_a_terminal_or_asked():
    piped = io.StringIO()
    with Progress(3, "plan", stream=piped) as bar:
        bar.advance(3)
    assert piped.getvalue() == ""
    terminal = Terminal()
    with Progress(3, "plan", stream=terminal, enabled=False) as bar:
        bar.advance(3)
    assert terminal.getvalue() == ""


def test_redraws_are_throttled_but_the_last_step_is_drawn(monkeypatch):
    monkeypatch.setattr(progress.time, "perf_counter", lambda: 5.0)
    stream = Terminal()
    bar = Progress(100, "x", stream=stream)
    for _ in range(100):
        bar.advance()
    bar.close()
    assert stream.getvalue().count("\r") == 2  # the first step and the last


def test_format_seconds():
    assert format_seconds(0) == "0:00"
    assert format_seconds(61.4) == "1:01"
    assert format_seconds(3725) == "1:02:05"
