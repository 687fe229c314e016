"""No public path evaluates a user string: the package never calls ``eval``/``exec``,
``parse_expr`` or ``sympify`` without ``strict=True`` (which refuses strings)."""

from __future__ import annotations

import re
from pathlib import Path

import convmath

PACKAGE = Path(convmath.__file__).parent
CALL = re.compile(r"(\bsympify|\bparse_expr|(?<![.\w])eval|(?<![.\w])exec|\blambdify)\s*\(")


#: the one audited lambdify (it compiles SymPy expressions with every symbol a fresh Dummy and
#: only SymPy's own heads; tests/symbolic/test_closed_form.py attacks it)
AUDITED = ("symbolic/closed_form.py", "# safe-lambdify: symbols are Dummies")


def _audited(path: Path, line: str) -> bool:
    return path.as_posix().endswith(AUDITED[0]) and AUDITED[1] in line


def test_no_string_evaluation_in_the_package() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CALL.search(line) and "strict=True" not in line and not _audited(path, line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{lineno}: {line.strip()}")
    assert not offenders, "string-evaluating calls:\n" + "\n".join(offenders)


def test_the_scan_finds_a_planted_call(tmp_path: Path) -> None:
    # The regex is the whole test above: prove it can fail.
    for bad in ("x = sympy.sympify(text)", "eval(s)", "y = parse_expr(s)", "exec (code)"):
        assert CALL.search(bad), bad
    for good in ("sympy.sympify(v, strict=True)", "model.eval()", "f.evalf()", "evaluate(x)"):
        assert not CALL.search(good) or "strict=True" in good, good


def test_only_the_audited_lambdify_is_allowed() -> None:
    marked = [(path, line) for path in sorted(PACKAGE.rglob("*.py"))
              for line in path.read_text(encoding="utf-8").splitlines()
              if AUDITED[1] in line]
    assert len(marked) == 1 and marked[0][0].as_posix().endswith(AUDITED[0])
    assert not _audited(PACKAGE / "plot.py", "f = lambdify(x, e)  " + AUDITED[1])
