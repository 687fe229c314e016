"""``convmath prove``: print derivations and re-check every step with SymPy.

``--list`` lists the theorems (one a line: key, domain, statement; ℝⁿ and ℤⁿ are checked for
n = 1, 2, 3); ``NAME…`` (``conv_comm`` or ``conv_comm:Z2``), ``--family`` or
``--all`` selects derivations to print and verify. The exit status is 0 iff every step of
every selected derivation verified.
"""

from __future__ import annotations

import argparse
import sys
import time

HELP = "print derivations, each step re-checked by SymPy (exit 0 iff all verify)"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="theorem name (all its domains) or NAME:DOMAIN, e.g. conv_comm:Z2")
    parser.add_argument("--list", action="store_true",
                        help="list the theorems (ℝⁿ, ℤⁿ: checked for n = 1, 2, 3) and exit")
    parser.add_argument("--all", action="store_true", help="every registered derivation")
    parser.add_argument("--family", action="append", default=[],
                        help="every derivation of a family (commutativity, backprop, …)")
    parser.add_argument("--format", choices=("text", "latex", "markdown"), default="text")
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


def _run(args: argparse.Namespace) -> int:
    from convmath.errors import InvalidArgument, ProofError
    from convmath.symbolic import Verified, derivations, text

    t0 = time.perf_counter()
    if args.list:
        every = derivations()
        width = max(len(d.key) for d in every)
        for d in every:
            print(f"{d.key:<{width}} {d.domain:<3} {text(d.statement)}")
        return 0
    try:
        if args.all:
            chosen = derivations()
        else:
            chosen = [d for fam in args.family for d in derivations(family=fam)]
            chosen += [d for name in args.names for d in derivations(name)]
    except InvalidArgument as exc:
        print(f"convmath prove: {exc}", file=sys.stderr)
        return 2
    if not chosen:
        print("convmath prove: give NAME…, --family FAMILY, --all or --list", file=sys.stderr)
        return 2
    failed: list[str] = []
    conditional: list[str] = []  # verified only under conditions the hypotheses omit
    timings: list[tuple[str, float]] = []
    steps = 0
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
            print(d.render(args.format, outcome=outcome))
            print()
        elif isinstance(outcome, ProofError):
            print(f"✗ {outcome}", file=sys.stderr)
    if args.timings:
        for key, secs in sorted(timings, key=lambda kv: -kv[1]):
            print(f"  {secs:7.3f} s  {key}")
    ok = len(chosen) - len(failed) - len(conditional)
    mark = "✗" if failed else "⚠" if conditional else "✓"
    print(f"{mark} {ok}/{len(chosen)} derivations verified ({steps} steps re-checked by "
          f"SymPy) in {time.perf_counter() - t0:.2f} s")
    if conditional:
        print("valid only under unstated side conditions: " + ", ".join(conditional))
    if failed:
        print("failed: " + ", ".join(failed))
    return 0 if not (failed or conditional) else 1
