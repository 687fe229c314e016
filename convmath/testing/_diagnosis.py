"""Diagnosis candidates as data.

A :class:`Candidate` names a bug class, explains it in one sentence, and says how to
compute the output an implementation with that bug would return on the case at hand.
Each operation's spec yields its candidates; the engine tries them in ``rank`` order
(lower first; ties keep the order in which they were yielded) and reports every one that
reproduces the implementation's output and differs from the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

__all__ = ["RANK", "Candidate", "ranked"]

#: conventional ranks: specific explanations before generic ones that coincide with them
#: on small cases ("'same' ignores dilation" before "padding on one side")
RANK = {"specific": 10, "default": 50, "generic": 80, "last": 95}


class Candidate(NamedTuple):
    """A named bug and how to compute the output it produces."""

    name: str
    explanation: str
    compute: Callable[[], Any]
    rank: int = RANK["default"]


def ranked(candidates: Iterable[Any]) -> list[Candidate]:
    """``candidates`` (Candidates, or ``(name, explanation, compute)`` triples) sorted by
    rank, stably."""
    out = [c if isinstance(c, Candidate) else Candidate(*c) for c in candidates]
    return sorted(out, key=lambda c: c.rank)
