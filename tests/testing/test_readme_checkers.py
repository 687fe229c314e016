"""The README section "Check your conv2d in three lines" works as printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from convmath import ConvCheckFailure

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Check your conv2d in three lines"):]
    nxt = section.find("\n## ", 5)
    section = section if nxt < 0 else section[:nxt]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_has_numpy_torch_jax_and_failure_examples() -> None:
    blocks = _blocks()
    assert len(blocks) == 6
    assert "backend=\"torch\"" in blocks[1] and "backend=\"jax\"" in blocks[2]


def test_readme_numpy_example_runs() -> None:
    exec(compile(_blocks()[0], "README-numpy", "exec"), {})


def test_readme_torch_example_runs() -> None:
    pytest.importorskip("torch")
    exec(compile(_blocks()[1], "README-torch", "exec"), {})


def test_readme_jax_example_runs() -> None:
    pytest.importorskip("jax")
    # JAX compiles once per new shape (about 0.2 s per example): fewer examples here
    code = _blocks()[2].replace('backend="jax")', 'backend="jax", max_examples=40)')
    assert "max_examples=40" in code
    exec(compile(code, "README-jax", "exec"), {})


def test_readme_failure_example_fails_as_printed() -> None:
    block = _blocks()[3]
    code = block.split("\n# ConvCheckFailure")[0]
    with pytest.raises(ConvCheckFailure) as info:
        exec(compile(code, "README-failure", "exec"), {})
    printed = [ln[2:] for ln in block.splitlines() if ln.startswith("# ")]
    message = str(info.value)
    for line in printed[1:4]:  # the case, the worst element and the bound, verbatim
        assert line in message, (line, message)
    assert "diagnosis: flipped kernel" in message


def test_readme_adapters_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(_blocks()[4], "README-adapters", "exec"), {})
    assert "not exercised: padding (the function takes no such argument)" in (
        capsys.readouterr().out)


def test_readme_fft_and_nonfinite_example_runs() -> None:
    exec(compile(_blocks()[5], "README-fft", "exec"), {})
