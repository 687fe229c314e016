"""Shared helper for the proofs/ scripts: print derivations via ``convmath prove``."""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]


def main(*cli_args: str) -> int:
    """Run ``convmath prove *cli_args`` (plus this script's own arguments, e.g. --format)."""
    if (_ROOT / "convmath" / "__init__.py").exists():
        # run from a checkout: prove with this checkout's convmath, installed or not
        sys.path.insert(0, str(_ROOT))
    from convmath.cli import main as cli_main

    return cli_main(["prove", *cli_args, *sys.argv[1:]])
