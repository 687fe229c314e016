"""``convmath check MODULE:FUNCTION``: exit 0 on a correct implementation, 1 on a bug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODULE = '''
import numpy as np
import convmath.numeric as ref

def good(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return ref.conv(x, w, bias, stride, padding, dilation, groups)

def flipped(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    nd = w.ndim - 2
    return ref.conv(x, np.flip(w, tuple(range(2, 2 + nd))).copy(), bias, stride, padding,
                    dilation, groups)

def no_groups(x, w, bias=None, stride=1, padding=0, dilation=1):
    return ref.conv(x, w, bias, stride, padding, dilation)
'''


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mutant_conv.py").write_text(MODULE)
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, str(tmp_path), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "convmath", "check", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)


def test_cli_passes_correct_implementation(tmp_path: Path) -> None:
    out = run_cli(tmp_path, "mutant_conv:good", "--kind", "conv", "--ndim", "2",
                  "--max-examples", "30", "--seed", "0")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "passed 30 examples" in out.stdout


@pytest.mark.parametrize("ndim", ["1", "2"])
def test_cli_exits_nonzero_on_a_bug_and_prints_the_diagnosis(tmp_path: Path, ndim: str) -> None:
    out = run_cli(tmp_path, "mutant_conv:flipped", "--kind", "conv", "--ndim", ndim,
                  "--seed", "0")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "diagnosis: flipped kernel" in out.stdout


def test_cli_feature_switches_and_file_targets(tmp_path: Path) -> None:
    out = run_cli(tmp_path, f"{tmp_path / 'mutant_conv.py'}:no_groups", "--no", "groups",
                  "--max-examples", "20", "--seed", "0")
    assert out.returncode == 0, out.stdout + out.stderr


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "mutant_conv:missing").returncode == 2
    assert run_cli(tmp_path, "no_colon").returncode == 2
    out = run_cli(tmp_path, "mutant_conv:good", "--dtypes", "float8")
    assert out.returncode == 2 and "dtypes" in out.stderr
