"""Registration of theorem builders: ``@theorem(family, instances)`` next to each builder.

A builder returns one :class:`~convmath.symbolic.derivation.Derivation`; ``instances`` is a
function returning the argument tuples to build it with (one per domain, axis, layer…), called
when the registry is first built. Nothing here imports theorem code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["DOMAINS", "Entry", "registered", "theorem"]

#: (number of variables, discrete) for ℝ, ℝ², ℝ³, ℤ, ℤ², ℤ³
DOMAINS = ((1, False), (2, False), (3, False), (1, True), (2, True), (3, True))

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Entry:
    """One registered builder."""

    builder: Callable[..., Any]
    family: str
    instances: Callable[[], Iterable[tuple[Any, ...]]]


_ENTRIES: list[Entry] = []


def theorem(family: str, instances: Callable[[], Iterable[tuple[Any, ...]]]
            ) -> Callable[[F], F]:
    """Register the decorated builder in ``family``, built once per argument tuple that
    ``instances()`` returns."""
    def deco(builder: F) -> F:
        _ENTRIES.append(Entry(builder, family, instances))
        return builder

    return deco


def registered() -> tuple[Entry, ...]:
    """The registered builders, in registration order."""
    return tuple(_ENTRIES)
