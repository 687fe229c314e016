"""The ``convmath`` command line.

Each subcommand lives in its own module under :mod:`convmath._cli`, which exposes
``HELP`` (one line), ``configure(parser)`` and ``run(args) -> int``. Those modules import
their layer lazily inside ``run`` so that ``convmath --help`` and ``convmath shape`` never
pay for SymPy or Hypothesis.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["main"]

_SUBCOMMANDS = ("prove", "shape", "check", "plot")


class _Parser(argparse.ArgumentParser):
    """argparse with every usage error on one line of stderr (exit status 2), like the
    subcommands' own errors: ``convmath shape: the following arguments are required: SPEC
    (see convmath shape --help)``."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {' '.join(message.split())} (see {self.prog} --help)",
              file=sys.stderr)
        raise SystemExit(2)


def _build_parser() -> argparse.ArgumentParser:
    from convmath import __version__

    parser = _Parser(
        prog="convmath",
        description="Verify the mathematics of convolution: derivations, shapes, checkers.",
    )
    parser.add_argument("--version", action="version", version=f"convmath {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _SUBCOMMANDS:
        module = importlib.import_module(f"convmath._cli.{name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = _build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    status: int = args._run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
