"""Subcommands of the ``convmath`` CLI (one module each; see :mod:`convmath.cli`)."""
