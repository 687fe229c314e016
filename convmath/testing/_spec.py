"""What a checker is made of: an :class:`OpSpec` (how to call the operation, the reference,
the comparison under the tolerance model, the candidates that could explain a wrong
answer) and the :class:`Diagnosis` it names; the tolerance policy
(:func:`compare_with_policy`: ``'auto'`` accepts FFT-level accuracy with a note)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from convmath.testing._backends import Backend
from convmath.testing._case import Case
from convmath.testing._tolerance import (
    Comparison,
    compare_elementwise,
    compare_normwise_bilinear,
)

__all__ = [
    "FFT_NOTE",
    "NORMWISE_OPS",
    "Diagnosis",
    "OpSpec",
    "compare_with_policy",
]


@dataclass
class Diagnosis:
    """A named convention mismatch that reproduces the implementation's output."""

    name: str
    explanation: str

    def __str__(self) -> str:
        return f"{self.name}: {self.explanation}"


class OpSpec:
    """How to check one operation. Subclasses fill in the reference and diagnoses."""

    op: str = ""
    checker: str = ""

    def reference(self, case: Case) -> np.ndarray:
        raise NotImplementedError

    def magnitude(self, case: Case) -> np.ndarray:
        """``S = Σ|terms|`` per output element (the reference applied to absolute values)."""
        raise NotImplementedError

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        expected = self.reference(case)
        actual = np.asarray(actual)
        if actual.shape != expected.shape:
            return compare_elementwise(expected, actual, expected, 0, case.dtype,
                                       integer_valued=False)
        if tolerance == "normwise":  # FFT/Winograd conv family: the two operand arrays
            a, b = [v for k, v in case.args.items() if isinstance(v, np.ndarray)][:2]
            length = math.prod(
                p + 3 * q for p, q in zip(a.shape[2:], b.shape[2:], strict=False)) or 1
            return compare_normwise_bilinear(expected, actual, a, b, self.magnitude(case),
                                             case.terms, length, case.dtype)
        return compare_elementwise(
            expected, actual, self.magnitude(case), case.terms, case.dtype,
            integer_valued=case.integer_valued,
        )

    def candidates(self, case: Case) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        """Convention mismatches to try: ``(name, explanation, compute_output)``."""
        return iter(())

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        return None

    def shape_names(self, case: Case, actual_shape: tuple[int, ...]) -> set[str]:
        """The names of every shape diagnosis ``actual_shape`` matches on ``case`` (by
        default only :meth:`shape_hint`'s)."""
        hint = self.shape_hint(case, actual_shape)
        return set() if hint is None else {hint.name}

    def variants(self, case: Case) -> list[Case]:
        """Larger or re-valued versions of ``case`` on which coincidences disappear."""
        return []

    def extra_diagnosis(self, case: Case, actual: np.ndarray) -> Diagnosis | None:
        """A last-resort diagnosis for a right-shaped output no candidate explains."""
        return None

    def diagnosis_view(self, case: Case, actual: Any, comp: Comparison) -> tuple[
            Iterator[tuple[str, str, Callable[[], Any]]], np.ndarray, np.ndarray]:
        """The candidates to try, the output they must reproduce, and the reference."""
        act = np.asarray(actual[0] if isinstance(actual, tuple) else actual)
        return iter(self.candidates(case)), act, self.reference(case)

    def features(self, case: Case) -> list[str]:
        return []

    def prepare_output(self, case: Case, out: Any, backend: Backend) -> Any:
        return backend.back(out)


#: the operations whose error an FFT (or Winograd) implementation bounds in norm only
NORMWISE_OPS = frozenset({"conv", "conv_transpose", "conv_input_grad", "conv_weight_grad",
                          "convolve", "correlate"})


FFT_NOTE = ("FFT-level accuracy, not elementwise: the output meets the normwise FFT error "
            "bound but not the elementwise bound of a direct sum (pass tolerance="
            "'elementwise' to require that)")


def compare_with_policy(spec: OpSpec, case: Case, out: Any, tolerance: str) -> Comparison:
    """Compare under the tolerance policy. ``'auto'`` (the default): the elementwise bound
    of a direct sum; an output that fails it but meets the normwise FFT bound passes with
    :data:`FFT_NOTE`. ``'elementwise'`` and ``'normwise'`` apply one rule only."""
    if tolerance != "auto":
        return spec.compare(case, out, tolerance)
    comp = spec.compare(case, out, "elementwise")
    if comp.ok or not comp.shape_ok or spec.op not in NORMWISE_OPS:
        return comp
    alt = spec.compare(case, out, "normwise")
    if alt.ok:
        alt.note = alt.note or FFT_NOTE
        return alt
    return comp
