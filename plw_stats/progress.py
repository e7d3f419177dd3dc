"""A one-line progress bar with an ETA for commands that run many fits.

Drawn on standard error, and only when it is a terminal: piped or captured output, ``--quiet``
and notebooks stay clean.  No dependency beyond the standard library::

    with Progress(200, "calibrate") as bar:
        for result in results:
            bar.advance()

prints, in place, ``calibrate  [########--------------]  73/200  37%  1:02 left``.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Characters of the bar itself.
WIDTH = 24
#: Fewest seconds between two redraws (the last step is always drawn).
MIN_INTERVAL = 0.2


class Progress:
    """Progress of ``total`` steps on one terminal line.

    Parameters
    ----------
    total : int
        Steps to finish.
    label : str
        Text before the bar (the command's name).
    enabled : bool or None
        Draw at all; None (default) draws only when ``stream`` is a terminal.
    stream : file-like, optional
        Where to draw; standard error by default.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else bool(enabled)
        self.done = 0
        self._start = time.perf_counter()
        self._drawn_at = -float("inf")

    def __enter__(self) -> Progress:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def advance(self, steps: int = 1) -> None:
        """Count ``steps`` more finished steps and redraw (at most every ``MIN_INTERVAL`` s)."""
        self.done = min(self.done + int(steps), self.total)
        now = time.perf_counter()
        if self.enabled and (now - self._drawn_at >= MIN_INTERVAL or self.done == self.total):
            self._drawn_at = now
            self.stream.write("\r" + self.line(now - self._start))
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        """Return the text of the bar after ``elapsed`` seconds."""
        share = self.done / self.total if self.total else 1.0
        filled = round(WIDTH * share)
        bar = "#" * filled + "-" * (WIDTH - filled)
        if self.done == self.total:
            tail = f"{format_seconds(elapsed)} total"
        elif self.done:
            tail = f"{format_seconds(elapsed * (self.total - self.done) / self.done)} left"
        else:
            tail = "estimating"
        width = len(str(self.total))
        return f"{self.label}  [{bar}]  {self.done:>{width}}/{self.total}  {share:4.0%}  {tail}"

    def close(self) -> None:
        """End the line (only if something was drawn)."""
        if self.enabled and self._drawn_at > -float("inf"):
            self.stream.write("\n")
            self.stream.flush()
            self._drawn_at = -float("inf")


def is_terminal(stream) -> bool:
    """Whether ``stream`` is an interactive terminal."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def format_seconds(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) of a non-negative duration."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
