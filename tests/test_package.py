"""The package root: errors, cheap import, CLI entry point."""

from __future__ import annotations

import subprocess
import sys

import pytest

import convmath
from convmath import ConvCheckFailure, ConvmathError, InvalidArgument, ProofError


@pytest.mark.parametrize(
    ("exc", "builtin"),
    [(InvalidArgument, ValueError), (ConvCheckFailure, AssertionError)],
)
def test_errors_subclass_root_and_builtin(exc: type, builtin: type) -> None:
    assert issubclass(exc, ConvmathError)
    assert issubclass(exc, builtin)


def test_proof_error_is_convmath_error() -> None:
    assert issubclass(ProofError, ConvmathError)


def test_import_is_free_of_heavy_and_optional_deps() -> None:
    code = (
        "import sys, convmath; "
        "bad = [m for m in ('sympy', 'numpy', 'scipy', 'hypothesis', 'torch', 'jax', 'flint', "
        "'matplotlib') if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_version_string() -> None:
    assert convmath.__version__.count(".") == 2


def test_cli_help_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "convmath", "--help"], capture_output=True, text=True, check=True
    )
    assert "prove" in out.stdout and "shape" in out.stdout and "check" in out.stdout
