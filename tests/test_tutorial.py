"""docs/tutorial.md runs as printed, like a notebook.

Convention of the tutorial: every ```` ```python ```` block is executed, in order, in one
namespace; the ```` ```text ```` block that follows it (only blank lines between them) is
what it prints, and a code block without one must print nothing. In a ```` ```console ````
block each ``$ convmath ...`` line is run in-process through :func:`convmath.cli.main`
and the lines up to the next ``$`` are its output. Outputs are compared line by line after
removing trailing whitespace and trailing blank lines, with timings (``(0.01 s)``,
``in 0.88 s``) masked.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from convmath.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
README = ROOT / "README.md"

_FENCE = re.compile(r"```(\w*)")
_TIMING = re.compile(r"\b\d+\.\d+ s\b")


@dataclass(frozen=True)
class Block:
    """A fenced block: its language, its text and the line of its opening fence."""

    lang: str
    body: str
    line: int
    end: int  # the line of the closing fence


@dataclass(frozen=True)
class Cell:
    """Something to run and what it must print: a Python block or one console command."""

    kind: str  # "python" or "console"
    source: str
    expected: str
    line: int


def fenced_blocks(markdown: str) -> list[Block]:
    """The fenced blocks of ``markdown`` (an opening fence is a line ```` ```lang ```` alone)."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.fullmatch(lines[i].rstrip())
        if opening is None:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != "```":
            j += 1
        if j == len(lines):
            raise ValueError(f"line {i + 1}: a fenced block that is never closed")
        blocks.append(Block(opening.group(1), "\n".join(lines[i + 1 : j]), i + 1, j + 1))
        i = j + 1
    return blocks


def cells(markdown: str) -> list[Cell]:
    """The tutorial as cells to run, each with the output the document shows for it."""
    blocks = fenced_blocks(markdown)
    lines = markdown.splitlines()
    found: list[Cell] = []
    for n, block in enumerate(blocks):
        if block.lang == "python":
            after = blocks[n + 1] if n + 1 < len(blocks) else None
            gap = lines[block.end : after.line - 1] if after is not None else ["?"]
            shown = ""
            if after is not None and after.lang == "text" and not "".join(gap).strip():
                shown = after.body
            found.append(Cell("python", block.body, shown, block.line))
        elif block.lang == "text":
            before = blocks[n - 1] if n else None
            gap = lines[before.end : block.line - 1] if before is not None else ["?"]
            if before is None or before.lang != "python" or "".join(gap).strip():
                raise ValueError(f"line {block.line}: a text block that follows no code block")
        elif block.lang == "console":
            body = block.body.splitlines()
            starts = [k for k, ln in enumerate(body) if ln.startswith("$ ")]
            if not starts or starts[0] != 0:
                raise ValueError(f"line {block.line}: a console block must start with '$ '")
            for k, start in enumerate(starts):
                stop = starts[k + 1] if k + 1 < len(starts) else len(body)
                found.append(Cell("console", body[start][2:], "\n".join(body[start + 1 : stop]),
                                  block.line + 1 + start))
        else:
            raise ValueError(f"line {block.line}: a block of unknown kind {block.lang!r}")
    return found


def normalise(output: str) -> list[str]:
    lines = [_TIMING.sub("… s", ln.rstrip()) for ln in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_cells(found: list[Cell], read: Callable[[], str], name: str) -> list[str]:
    """Run ``found`` in order in one namespace; ``read()`` returns what was printed since the
    last call. Returns one message per cell whose output differs from the one shown."""
    namespace: dict[str, Any] = {"__name__": "__tutorial__"}
    stale: list[str] = []
    for cell in found:
        if cell.kind == "python":
            exec(compile(cell.source, f"{name}:{cell.line}", "exec"), namespace)
        else:
            argv = shlex.split(cell.source)
            assert argv[0] == "convmath", f"{name}:{cell.line}: {cell.source!r}"
            status = main(argv[1:])
            assert status == 0, f"{name}:{cell.line}: {cell.source!r} exited with {status}"
        expected, actual = normalise(cell.expected), normalise(read())
        if expected != actual:
            diff = difflib.unified_diff(expected, actual, "shown", "printed", lineterm="")
            stale.append(f"{name}:{cell.line} ({cell.kind}): the output shown is stale\n"
                         + "\n".join(diff) + "\n--- printed now:\n" + "\n".join(actual))
    return stale


def test_tutorial_exists_and_is_linked_from_the_readme() -> None:
    assert TUTORIAL.is_file()
    assert "](docs/tutorial.md)" in README.read_text(encoding="utf-8")


def test_tutorial_is_made_of_runnable_cells() -> None:
    found = cells(TUTORIAL.read_text(encoding="utf-8"))
    kinds = [cell.kind for cell in found]
    assert kinds.count("python") >= 15 and kinds.count("console") >= 2
    assert all(cell.expected.strip() for cell in found), "every cell shows its output"


def test_tutorial_prints_what_it_shows(capsys: pytest.CaptureFixture[str]) -> None:
    found = cells(TUTORIAL.read_text(encoding="utf-8"))
    capsys.readouterr()
    stale = run_cells(found, lambda: capsys.readouterr().out, "docs/tutorial.md")
    assert not stale, "\n\n".join(stale)


_SAMPLE = """\
```python
value = 6 * 7
print("took (0.25 s), value", value)
```

```text
took (0.01 s), value 42
```

```python
value += 1
```

```console
$ convmath shape "input 1x8; conv 2 k=3" --format csv
{csv}
```
"""


def test_the_comparison_detects_stale_output(capsys: pytest.CaptureFixture[str]) -> None:
    """The runner itself: shared namespace, masked timings, console cells, stale outputs."""
    capsys.readouterr()
    main(["shape", "input 1x8; conv 2 k=3", "--format", "csv"])
    csv = capsys.readouterr().out.strip()
    fresh = _SAMPLE.format(csv=csv)
    assert [c.kind for c in cells(fresh)] == ["python", "python", "console"]
    assert run_cells(cells(fresh), lambda: capsys.readouterr().out, "sample") == []

    for old, new in [("value 42", "value 41"), ("```python\nvalue += 1", "```python\nprint(1)"),
                     (csv.splitlines()[-1], csv.splitlines()[-1] + "0")]:
        stale = run_cells(cells(fresh.replace(old, new)), lambda: capsys.readouterr().out,
                          "sample")
        assert len(stale) == 1, (old, new, stale)

    with pytest.raises(ValueError, match="follows no code block"):
        cells("text\n\n```text\norphan\n```\n")
