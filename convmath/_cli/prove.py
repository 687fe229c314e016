"""``convmath prove``."""

from __future__ import annotations

import argparse

HELP = "prove (not yet available)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; return the exit status."""
    print("convmath prove: not implemented yet")
    return 2
