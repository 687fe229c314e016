"""``python -m convmath`` runs the command-line interface."""

from convmath.cli import main

raise SystemExit(main())
