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
    """A checker found an implementation that disagrees with the reference or a law."""
