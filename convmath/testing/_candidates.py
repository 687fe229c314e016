"""The engine's hooks around a spec's own diagnosis candidates.

:meth:`OpSpec.diagnosis_view <convmath.testing._core.OpSpec.diagnosis_view>` chains
``priority_candidates``, the spec's ``candidates`` and ``extra_candidates``. Every
candidate now carries its rank (:class:`~convmath.testing._diagnosis.Candidate`), so the
order no longer depends on which list a candidate is in: the conv family's candidates are
one ranked table per operation in :mod:`convmath.testing._conv_candidates`, yielded by the
specs themselves, and these hooks add nothing. They stay until the engine stops calling
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["extra_candidates", "priority_candidates"]

Row = tuple[str, str, Callable[[], Any]]


def priority_candidates(spec: Any, case: Any) -> Iterator[Row]:
    """Candidates tried before a spec's own: none (ranks order them)."""
    return iter(())


def extra_candidates(spec: Any, case: Any) -> Iterator[Row]:
    """Candidates tried after a spec's own: none (ranks order them)."""
    return iter(())
