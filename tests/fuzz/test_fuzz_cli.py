"""Fuzz the ``convmath`` command line: random argument lists for every subcommand.

Whatever the arguments, the CLI exits with a status (0 success, 1 a failed verification or
a found bug, 2 a usage error) and never prints a traceback; a usage error is exactly one
line on stderr. (``convmath shape`` has its own spec fuzz in test_fuzz_network.py, and
``convmath check`` its error cases in tests/testing/test_cli_check_errors.py.)
"""

from __future__ import annotations

import contextlib
import io

from fuzz_common import FUZZ
from hypothesis import given
from hypothesis import strategies as st

from convmath.cli import main

TOKENS = [
    "prove", "shape", "check", "--list", "--format", "text", "latex", "markdown", "xml",
    "--family", "commutativity", "nonsense", "--timings", "--quiet", "conv_comm:R",
    "conv_comm:Z9", "xcorr_swap:R", "commutativity", "--bogus", "-x", "--", "", " ",
    "input 3x8x8; conv 4 k=3", "input 3x8x8; conv 4 k=3 k=3", "lenet5", "--kind", "conv",
    "max_pool", "--ndim", "7", "-1", "two", "--max-examples", "0", str(10**20), "--seed",
    "--device", "nonsense", "--backend", "torch", "--dtypes", "float99", "--no", "groups",
    "nonexistent_module:f", "missing.py:f", "os.path:nope", "--deadline", "none", "--help",
    "\x00", "é", "--version",
]


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=6))
def test_fuzz_cli_never_prints_a_traceback(argv: list[str]) -> None:
    if "--all" in argv:  # pragma: no cover - not drawn; --all takes seconds
        return
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            status = exc.code if isinstance(exc.code, int) else 2
    assert status in (0, 1, 2), (argv, status)
    assert "Traceback" not in out.getvalue() + err.getvalue(), argv
    if status == 2 and not out.getvalue():
        lines = err.getvalue().splitlines()
        assert len(lines) == 1, (argv, lines)
