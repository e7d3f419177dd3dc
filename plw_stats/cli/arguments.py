"""The command line's parser and the option types every sub-command shares.

A usage error is one line — the option, what was wrong, where the help is — not argparse's
usage block followed by the message; ``--help`` still prints the whole usage.
"""

from __future__ import annotations

import argparse


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are a single line (exit status 2)."""

    def error(self, message: str):
        """Print ``prog: error: message (see prog --help)`` on standard error and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(text: str) -> int:
    """Parse an integer option that must be at least 1 (argparse reports the error)."""
    return _int_at_least(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    """Parse an integer option that must be at least 0 (argparse reports the error)."""
    return _int_at_least(text, 0, "an integer >= 0")


def _int_at_least(text: str, low: int, expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value
