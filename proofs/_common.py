"""Shared helper for the proofs/ scripts: print a family of derivations via ``convmath prove``."""

from __future__ import annotations

import sys
from pathlib import Path


def main(*cli_args: str) -> int:
    """Run ``convmath prove *cli_args`` (plus this script's own arguments, e.g. --format)."""
    try:
        import convmath  # noqa: F401
    except ImportError:  # running from a checkout without `pip install -e .`
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from convmath.cli import main as cli_main

    return cli_main(["prove", *cli_args, *sys.argv[1:]])
