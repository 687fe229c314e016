"""``convmath prove``: print derivations and re-check every step with SymPy.

``--list`` lists the theorems (one a line: key, domain, statement; ℝⁿ and ℤⁿ are checked for
n = 1, 2, 3) and ``--search WORD…`` those whose name, title, explanation or statement holds
every word; ``NAME…`` (``conv_comm``, ``conv_comm:Z2`` or a family such as
``commutativity``; an unknown name is answered with the near ones), ``--family`` or
``--all`` selects derivations to print and verify. The exit status is 0 iff every step of
every selected derivation verified.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from convmath.symbolic import Derivation

HELP = "print derivations, each step re-checked by SymPy (exit 0 iff all verify)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="theorem name (all its domains), NAME:DOMAIN or a family, e.g. "
                             "conv_comm, conv_comm:Z2, commutativity")
    parser.add_argument("--search", nargs="+", metavar="WORD",
                        help="list the theorems whose name, title, explanation or statement "
                             "contains every WORD (any case; 'f * g' finds ∗); exit 1 if none")
    parser.add_argument("--list", action="store_true",
                        help="list the theorems (ℝⁿ, ℤⁿ: checked for n = 1, 2, 3) and exit")
    parser.add_argument("--all", action="store_true", help="every registered derivation")
    parser.add_argument("--family", action="append", default=[],
                        help="every derivation of a family (commutativity, backprop, …)")
    parser.add_argument("--format", choices=("text", "latex", "markdown"), default="text")
    parser.add_argument("--standalone", action="store_true",
                        help="with --format latex: a complete document (pdflatex compiles it)")
    parser.add_argument("--width", type=int, metavar="N",
                        help="text lines of at most N characters (default: the terminal's "
                             "width, 100 when not a terminal)")
    parser.add_argument("--timings", action="store_true",
                        help="print the time each derivation took to verify")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; return the exit status."""
    try:
        return _run(args)
    except BrokenPipeError:  # e.g. `convmath prove --all | head`
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _resolve(name: str) -> list[Derivation]:
    """The derivations ``name`` selects (theorem, key or family); an unknown name raises
    InvalidArgument with the near names: ``no such derivation 'conv_com'; did you mean
    conv_comm?``."""
    from convmath.errors import InvalidArgument
    from convmath.symbolic import derivations
    from convmath.symbolic.theorems import suggest

    try:
        return derivations(name)
    except InvalidArgument:
        near = suggest(name)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise InvalidArgument(
            f"no such derivation {name!r}{hint} (--list lists them, --search WORD… finds them "
            "by words)") from None


def _search(words: list[str]) -> int:
    """``--search``: the matching theorems as ``--list`` prints them; 0 if any, else 1."""
    from convmath.symbolic import search

    found = search(words)
    if not found:
        print(f"convmath prove: no theorem matches {' '.join(words)!r} (--list lists them all)",
              file=sys.stderr)
        return 1
    _print_list(found)
    return 0


def _print_list(chosen: list[Any]) -> None:
    """One line a theorem: key, domain, statement (shortened to the terminal's width)."""
    from convmath.symbolic.derivation import statement_summary, terminal_width

    width = max(len(d.key) for d in chosen)
    room = max(terminal_width() - width - 5, 20)
    for d in chosen:
        print(f"{d.key:<{width}} {d.domain:<3} {statement_summary(d.statement, room)}")


def _run(args: argparse.Namespace) -> int:
    from convmath.errors import InvalidArgument, ProofError
    from convmath.symbolic import Verified, derivations

    t0 = time.perf_counter()
    if args.list:
        _print_list(derivations())
        return 0
    if args.search:
        return _search(args.search)
    try:
        opts, say = _output(args)
        if args.all:
            chosen = derivations()
        else:
            chosen = [d for fam in args.family for d in derivations(family=fam)]
            for name in args.names:
                chosen += _resolve(name)
    except InvalidArgument as exc:
        print(f"convmath prove: {exc}", file=sys.stderr)
        return 2
    chosen = list({id(d): d for d in chosen}.values())  # each derivation once, in order
    if not chosen:
        print("convmath prove: give NAME…, --family FAMILY, --all or --list", file=sys.stderr)
        return 2
    failed: list[str] = []
    conditional: list[str] = []  # verified only under conditions the hypotheses omit
    timings: list[tuple[str, float]] = []
    steps = 0
    if args.standalone:
        from convmath.symbolic.printing import LATEX_PREAMBLE

        print(LATEX_PREAMBLE)
    for d in chosen:
        outcome: Verified | ProofError
        try:
            outcome = d.verify()
            steps += outcome.steps
            timings.append((d.key, outcome.seconds))
            if outcome.unstated:
                conditional.append(d.key)
        except ProofError as exc:
            outcome = exc
            failed.append(d.key)
        if not args.quiet:
            print(d.render(args.format, outcome=outcome, **opts))
            print()
        elif isinstance(outcome, ProofError):
            print(f"✗ {outcome}", file=sys.stderr)
    if args.timings:
        for key, secs in sorted(timings, key=lambda kv: -kv[1]):
            say(f"  {secs:7.3f} s  {key}")
    ok = len(chosen) - len(failed) - len(conditional)
    mark = "✗" if failed else "⚠" if conditional else "✓"
    say(f"{mark} {ok}/{len(chosen)} derivations verified ({steps} steps re-checked by "
        f"SymPy) in {time.perf_counter() - t0:.2f} s")
    if conditional:
        say("valid only under unstated side conditions: " + ", ".join(conditional))
    if failed:
        say("failed: " + ", ".join(failed))
    if args.standalone:
        from convmath.symbolic.printing import LATEX_END

        print(LATEX_END)
    return 0 if not (failed or conditional) else 1


def _output(args: argparse.Namespace) -> tuple[dict[str, Any], Callable[[str], None]]:
    """``render()``'s keywords for ``--format/--standalone/--width``, and how a summary line
    is printed (text: wrapped at the width; LaTeX: a paragraph; Markdown: escaped);
    InvalidArgument for options that do not go together."""
    from convmath.errors import InvalidArgument
    from convmath.symbolic.derivation import MIN_WIDTH, terminal_width
    from convmath.symbolic.printing import md_text, tex_text, wrap

    if args.standalone and args.format != "latex":
        raise InvalidArgument(f"--standalone makes a LaTeX document: it needs --format latex, "
                              f"not --format {args.format}")
    if args.width is not None and args.format != "text":
        raise InvalidArgument(f"--width {args.width}: only --format text is wrapped, not "
                              f"--format {args.format}")
    if args.width is not None and args.width < MIN_WIDTH:
        raise InvalidArgument(f"--width {args.width}: give at least {MIN_WIDTH} characters")
    width = terminal_width() if args.width is None else args.width

    def say(line: str) -> None:
        if args.format == "latex":
            print(r"\noindent " + tex_text(line) + r"\par")
        elif args.format == "markdown":
            print(md_text(line))
        else:
            print("\n".join(wrap(line, width, "", "    ", prose=True)))

    return ({"width": width} if args.format == "text" else {}), say
