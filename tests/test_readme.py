"""The README's examples run as printed (the checker section has its own tests in
tests/testing/test_readme_checkers.py)."""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_SKIP_SECTION = "## Check your conv2d in three lines"


def _sections() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^(## .*)$", text)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _blocks(lang: str) -> list[tuple[str, str]]:
    found = []
    for title, body in _sections():
        if title.startswith(_SKIP_SECTION):
            continue
        for n, block in enumerate(re.findall(rf"```{lang}\n(.*?)```", body, flags=re.S)):
            found.append((f"{title[3:]} [{lang} {n}]", block))
    return found


def test_quick_start_is_exactly_two_commands() -> None:
    body = dict(_sections())["## Quick start"]
    commands = re.findall(r"```bash\n(.*?)```", body, flags=re.S)[0].strip().splitlines()
    assert len(commands) == 2
    assert "convmath prove --all" in commands[0]
    assert "pytest" in commands[1] and ".[test]" in commands[1]


@pytest.mark.parametrize(("name", "block"), _blocks("python"), ids=lambda v: str(v)[:60])
def test_python_example_runs(name: str, block: str) -> None:
    for module in ("torch", "jax"):
        if re.search(rf"^\s*(import|from) {module}\b", block, flags=re.M):
            pytest.importorskip(module)
    if block.lstrip().startswith(">>>"):
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block, {}, name, str(README), 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.failures == 0, f"README example {name!r} failed (see output above)"
    else:
        exec(compile(block, f"README: {name}", "exec"), {})


def _filter(argv: list[str], lines: list[str]) -> list[str]:
    """``tail -N``, ``head -N``, ``sed -n A,Bp`` and ``grep WORDS`` on ``lines``."""
    if argv[0] == "tail":
        return lines[-int(argv[1].lstrip("-")):]
    if argv[0] == "head":
        return lines[:int(argv[1].lstrip("-"))]
    if argv[:2] == ["sed", "-n"]:
        a, b = argv[2].rstrip("p").split(",")
        return lines[int(a) - 1:int(b)]
    if argv[0] == "grep" and len(argv) == 2:
        return [ln for ln in lines if argv[1] in ln]
    raise AssertionError(f"the README pipes into {argv}: teach tests/test_readme.py to apply it")


@pytest.mark.parametrize(("name", "block"), _blocks("console"), ids=lambda v: str(v)[:60])
def test_console_example_prints_as_shown(name: str, block: str) -> None:
    """Each ``$ convmath ...`` line is run; the lines shown after it must appear verbatim."""
    lines = block.splitlines()
    starts = [i for i, ln in enumerate(lines) if ln.startswith("$ ")]
    assert starts, name
    for j, i in enumerate(starts):
        command = lines[i][2:].split("  #")[0]
        shown = lines[i + 1 : starts[j + 1] if j + 1 < len(starts) else len(lines)]
        command, *filters = command.split(" | ")
        argv = shlex.split(command)
        assert argv[0] == "convmath", name
        out = subprocess.run([sys.executable, "-m", "convmath", *argv[1:]], capture_output=True,
                             text=True, check=True).stdout.splitlines()
        for filt in filters:  # the shell filters the README uses, applied here
            out = _filter(shlex.split(filt), out)
        printed = [ln for ln in shown if ln.strip() and ln.strip() != "..."]
        for ln in printed:
            assert ln.rstrip() in [o.rstrip() for o in out], (name, ln, out)


def test_learner_derivation_shown_is_what_convmath_prove_prints() -> None:
    text = README.read_text(encoding="utf-8")
    shown = re.search(r"```\n(conv_comm \(ℝ\).*?)```", text, flags=re.S)
    assert shown is not None
    out = subprocess.run([sys.executable, "-m", "convmath", "prove", "conv_comm:R"],
                         capture_output=True, text=True, check=True).stdout
    timing = re.compile(r"\(\d+\.\d+ s\)")
    expected = [timing.sub("(… s)", ln.rstrip()) for ln in shown.group(1).strip().splitlines()]
    actual = [timing.sub("(… s)", ln.rstrip()) for ln in out.strip().splitlines()]
    assert actual[: len(expected)] == expected
