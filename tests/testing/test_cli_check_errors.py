"""``convmath check`` errors: one line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from convmath.cli import main

GOOD = '''
import convmath.numeric as ref

def conv(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return ref.conv(x, w, bias, stride, padding, dilation, groups)

def input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    return ref.conv_input_grad(input_size, weight, grad_output, stride, padding, dilation,
                               groups)

def hang(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    while True:
        pass

def raises(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    raise NotImplementedError("dilation")

def returns_none(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return None

def off_by_one(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return ref.conv(x, w, bias, stride, padding, dilation, groups) + 1

NOT_CALLABLE = 3
'''


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``convmath check ARGS`` in this process; return (status, stdout, stderr)."""
    (tmp_path / "cli_impls.py").write_text(GOOD)
    (tmp_path / "cli_syntax.py").write_text("def f(:\n    pass\n")
    (tmp_path / "cli_missing_dep.py").write_text("import no_such_module_convmath\n")
    (tmp_path / "cli_raises_at_import.py").write_text("x = 1 / 0\n")
    (tmp_path / "cli_exits_at_import.py").write_text("import sys\nsys.exit(4)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = main(["check", *args])
        except SystemExit as exc:  # argparse usage errors
            status = int(exc.code or 0)
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def _one_line_error(status: int, out: str, err: str, code: int = 2) -> str:
    assert status == code, (status, out, err)
    assert "Traceback" not in out + err
    assert err.count("\n") == 1 and err.startswith("convmath check"), err
    return err


@pytest.mark.parametrize(
    ("target", "words"),
    [("cli_syntax:f", "SyntaxError: invalid syntax"),
     ("cli_missing_dep:f", "ModuleNotFoundError: No module named 'no_such_module_convmath'"),
     ("cli_raises_at_import:f", "ZeroDivisionError"),
     ("cli_exits_at_import:f", "SystemExit: 4"),
     ("cli_impls:nope", "has no attribute 'nope'"),
     ("cli_impls:NOT_CALLABLE", "is not callable"),
     ("no_such_file.py:f", "no file"),
     ("cli_impls", "MODULE:FUNCTION")],
)
def test_unloadable_targets(cli, target: str, words: str) -> None:  # type: ignore[no-untyped-def]
    err = _one_line_error(*cli(target))
    assert words in err, err


def test_a_file_path_target_with_a_syntax_error_names_the_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    err = _one_line_error(*cli(f"{tmp_path / 'cli_syntax.py'}:f"))
    assert "cli_syntax.py, line 1" in err


def test_wrong_kind_for_the_signature_names_the_matching_kind(cli) -> None:  # type: ignore[no-untyped-def]
    err = _one_line_error(*cli("cli_impls:input_grad"))
    assert "--kind conv" in err and "its signature matches --kind conv_input_grad" in err
    err = _one_line_error(*cli("cli_impls:conv", "--kind", "max_pool"))
    assert "its signature matches --kind conv" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--max-examples", str(10**20)], "max_examples"),
     (["--max-examples", "-1"], "max_examples"),
     (["--max-examples", "10**20"], "--max-examples"),
     (["--seed", "-5"], "seed"),
     (["--dtypes", "float128"], "dtypes"),
     (["--dtypes", ","], "--dtypes"),
     (["--ndim", "7"], "ndim"),
     (["--device", "cuda"], "device='cuda' needs backend='torch'"),
     (["--deadline", "-1"], "deadline"),
     (["--deadline", "soon"], "--deadline"),
     (["--no", "output_padding"], "--no output_padding does not apply to --kind conv"),
     (["--no", "grops"], "invalid choice: 'grops'"),
     (["--kind", "max_pool", "--tolerance", "normwise"], "--tolerance applies to --kind conv")],
)
def test_bad_options_are_one_line_usage_errors(cli, args: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    err = _one_line_error(*cli("cli_impls:conv", *args))
    assert words in err, err


def test_bad_torch_device(cli) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("torch")
    err = _one_line_error(*cli("cli_impls:conv", "--backend", "torch", "--device", "nonsense"))
    assert "device='nonsense'" in err


@pytest.mark.parametrize(
    ("target", "words"),
    [("cli_impls:hang", "did not return within the deadline of 0.2 s"),
     ("cli_impls:raises", "raised NotImplementedError: dilation"),
     ("cli_impls:returns_none", "returned None"),
     ("cli_impls:off_by_one", "found a bug")],
)
def test_findings_exit_1_with_the_cli_seed_hint(cli, target: str, words: str) -> None:  # type: ignore[no-untyped-def]
    status, out, err = cli(target, "--deadline", "0.2", "--max-examples", "5")
    assert status == 1, (out, err)
    assert words in out
    assert "Traceback" not in out + err
    for leak in ("@seed(", "reproduce_failure", "hypothesis-seed", "search: seed="):
        assert leak not in out + err, leak
    seed = int(out.rsplit("add --seed ", 1)[1].split()[0])
    status2, out2, _ = cli(target, "--deadline", "0.2", "--max-examples", "5",
                           "--seed", str(seed))
    assert status2 == 1 and out2.splitlines()[:4] == out.splitlines()[:4]


def test_tolerance_help_matches_the_checkers(capsys: pytest.CaptureFixture[str]) -> None:
    import inspect

    from convmath import testing

    with pytest.raises(SystemExit):
        main(["check", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    tolerance = help_text.split("--tolerance {auto,elementwise,normwise}", 1)[1]
    tolerance = tolerance.split(" --isotropic ")[0]
    for kind in ("conv", "conv_transpose", "conv_input_grad", "conv_weight_grad", "convolve",
                 "correlate"):
        assert kind in tolerance
        assert "tolerance" in inspect.signature(getattr(testing, f"check_{kind}")).parameters
    assert "not for pooling" in tolerance
    for kind in ("max_pool", "avg_pool", "max_pool_grad", "avg_pool_grad"):
        assert "tolerance" not in inspect.signature(getattr(testing, f"check_{kind}")).parameters


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "cli_syntax_proc.py").write_text("def f(:\n    pass\n")
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, str(tmp_path), env.get("PYTHONPATH", "")])
    out = subprocess.run([sys.executable, "-m", "convmath", "check", "cli_syntax_proc:f"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and "SyntaxError" in out.stderr
    assert "Traceback" not in out.stderr


def test_declared_space_from_the_command_line(tmp_path: Any,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """A course-style function (one int stride and pad, no dilation or groups) is checked
    from the shell by declaring its space."""
    src = tmp_path / "course.py"
    src.write_text(
        "import convmath.numeric as ref\n"
        "def conv(x, w, bias=None, stride=1, padding=0):\n"
        "    assert isinstance(stride, int) and isinstance(padding, int)\n"
        "    return ref.conv(x, w, bias, stride, padding)\n")
    status = main(["check", f"{src}:conv", "--isotropic", "--strides", "1,2",
                   "--paddings", "0,1", "--no", "same", "--max-examples", "20",
                   "--seed", "0"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "not exercised: dilation" in out
    with pytest.raises(SystemExit) as usage:
        main(["check", f"{src}:conv", "--strides", "1x"])
    assert usage.value.code == 2
    assert "invalid value '1x'" in capsys.readouterr().err
