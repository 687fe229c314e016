"""The exceptions convmath raises.

One root, :class:`ConvmathError`. Each user-facing error also subclasses the builtin a
caller would naturally catch: bad arguments are a ``ValueError``, a failed check is an
``AssertionError`` (so a failing checker reads like a failing ``assert`` inside pytest).
"""

from __future__ import annotations

__all__ = ["ConvCheckFailure", "ConvmathError", "InvalidArgument", "ProofError"]


class ConvmathError(Exception):
    """Root of every exception raised by convmath."""


class InvalidArgument(ConvmathError, ValueError):
    """An argument is malformed; the message names the argument and its value."""


class ProofError(ConvmathError):
    """A derivation step does not follow from the previous one by its rule."""


class ConvCheckFailure(ConvmathError, AssertionError):
    """A checker found an implementation that disagrees with the reference or a law.

    Besides its message, a failure carries structured fields, so that a program (or a
    test) reads the finding without parsing text. Each is ``None`` where it does not apply:
    ``kind`` (``"mismatch"``, ``"exception"``, ``"bad_return"``, ``"timeout"``,
    ``"unsupported"`` or ``"law"``), ``case`` (the smallest failing case), ``index`` (the
    worst output element), ``expected`` and ``got`` (the reference's and the
    implementation's output arrays), ``error`` and ``bound`` (the worst error and the
    error allowed there), ``diagnoses`` (the named convention mismatches that reproduce the
    output, best first, each with ``.name`` and ``.explanation``) and ``seed`` (the seed
    that repeats the search).
    """

    kind: str | None = None
    case: object = None
    index: tuple[int, ...] | None = None
    expected: object = None
    got: object = None
    error: float | None = None
    bound: float | None = None
    diagnoses: tuple[object, ...] = ()
    seed: int | None = None
