"""`convmath prove` and proofs/*.py through subprocesses (exit codes and output), and some
selections in-process (``convmath.cli.main``, the same code without a new interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from convmath.cli import main

pytestmark = pytest.mark.slow  # the fast subset: pytest -m 'not slow'

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          env=ENV, timeout=120)


def test_list() -> None:
    out = _run("-m", "convmath", "prove", "--list")
    assert out.returncode == 0
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("conv_comm:R "))
    assert "ℝ" in line and "(f ∗ g)(x) = (g ∗ f)(x)" in line


def test_prove_names_and_format(capsys: pytest.CaptureFixture[str]) -> None:
    # in-process (the subprocess tests above and below cover the entry point itself)
    assert main(["prove", "conv_comm", "xcorr_swap:Z", "--timings"]) == 0
    out = capsys.readouterr().out
    # conv_comm on ℝᵈ, ℤᵈ, ℝ, ℝ², ℝ³, ℤ, ℤ², ℤ³ and xcorr_swap on ℤ: 9 check marks and the
    # summary
    assert out.count("✓ ") == 10 and "9/9 derivations verified" in out
    assert main(["prove", "conv_assoc:Z", "--format", "latex"]) == 0
    assert r"\begin{aligned}" in capsys.readouterr().out


def test_prove_all_exit_zero_with_summary() -> None:
    # proofs/all.py is `convmath prove --all` (its own arguments passed on). Every registered
    # derivation is verified once, in-process (test_derivations.py); here the script, --all
    # and --quiet run end to end over the first few derivations of the registry.
    code = (
        "import runpy, sys, convmath.symbolic.theorems as t; first = t._build()[:6]; "
        "t._build = lambda: first; sys.argv = ['proofs/all.py', '--quiet']; "
        "sys.path.insert(0, 'proofs'); runpy.run_path('proofs/all.py', run_name='__main__')"
    )
    out = _run("-c", code)
    assert out.returncode == 0, out.stdout + out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("✓ ") and "6/6 derivations verified" in last and " s" in last


def test_unknown_name_and_no_selection_exit_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "conv_nope"]) == 2
    assert "conv_nope" in capsys.readouterr().err
    assert main(["prove"]) == 2


def test_failing_derivation_exits_one() -> None:
    code = (
        "import sys, convmath.symbolic.theorems as t; from convmath.cli import main; "
        "d = t._build()[0]; bad = d.with_step(1, d.steps[0].expr * 2); "
        "t._build = lambda: (d, bad); sys.exit(main(['prove', '--all']))"
    )
    out = _run("-c", code)
    assert out.returncode == 1
    assert "✗" in out.stdout and "1/2 derivations verified" in out.stdout


@pytest.mark.parametrize("script", ["commutativity", "identity"])  # all: the test above
def test_proof_scripts(script: str) -> None:
    out = _run(f"proofs/{script}.py")
    assert out.returncode == 0, out.stderr
    assert "✓" in out.stdout and "derivations verified" in out.stdout


def test_every_family_has_a_script() -> None:
    from convmath.symbolic import FAMILIES

    for fam in FAMILIES:
        assert (ROOT / "proofs" / f"{fam}.py").exists(), fam
    assert (ROOT / "proofs" / "all.py").exists()
