"""The case model: one call of the operation under test (:class:`Case`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case"]


@dataclass(eq=False)
class Case:
    """One call of the operation under test.

    ``args`` are the positional arguments in order (arrays or shapes), ``kwargs`` the
    keyword arguments; arrays hold float64 (complex128) values already rounded to
    ``dtype``. ``terms`` is the accumulation length ``K`` per output element;
    ``integer_valued`` says whether exact mode applies.
    """

    op: str
    args: dict[str, Any]
    kwargs: dict[str, Any]
    dtype: str
    integer_valued: bool
    seed: int
    terms: int
    info: dict[str, Any] = field(default_factory=dict)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {k: v for k, v in self.args.items() if isinstance(v, np.ndarray)}
        out.update({k: v for k, v in self.kwargs.items() if isinstance(v, np.ndarray)})
        return out

    def __repr__(self) -> str:
        def show(v: Any) -> str:
            if isinstance(v, np.ndarray):
                return f"{self.dtype}{list(v.shape)}"
            return repr(v)

        parts = [f"{k}: {show(v)}" for k, v in self.args.items()]
        parts += [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        kind = "integer-valued" if self.integer_valued else "real-valued"
        return f"{self.op}({', '.join(parts)})  [{kind}, seed={self.seed}]"
