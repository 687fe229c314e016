"""SymPy models of convolution and cross-correlation, and machine-checked derivations.

Main definitions: :func:`conv`, :func:`xcorr` (unevaluated operators on ℝ, ℝⁿ, ℤ, ℤⁿ),
:class:`Derivation` (a calc chain whose every step names an executable rule) and
:func:`derivations` (the registry of theorems: ``conv_comm``, ``conv_assoc``,
``xcorr_eq_conv_reflect``, ``fourier_conv``, backpropagation, …; :func:`search` finds them by
words). Each step is re-checked by SymPy; a step that does not follow raises
:class:`ProofError`.

>>> from convmath.symbolic import derivations
>>> d = derivations("conv_comm:R")[0]
>>> d.verify().steps
4
"""

from __future__ import annotations

from convmath.errors import ProofError
from convmath.symbolic.canon import alpha_equal, canonical
from convmath.symbolic.certificates import (
    Certificate,
    certify_backprop,
    certify_conv_assoc,
    certify_conv_comm,
)
from convmath.symbolic.closed_form import ClosedFormWarning, evaluate
from convmath.symbolic.derivation import Derivation, Step, Verified
from convmath.symbolic.operators import (
    Convolution,
    CrossCorrelation,
    Difference,
    Fourier,
    Partial,
    Upsample,
    as_function,
    conv,
    difference,
    fourier,
    xcorr,
)
from convmath.symbolic.printing import definition, latex, notation, text
from convmath.symbolic.shapes import (
    SymbolicLayer,
    SymbolicNetwork,
    formula,
    symbolic_network_shapes,
)
from convmath.symbolic.theorems import FAMILIES, derivations, search

__all__ = [
    "FAMILIES",
    "Certificate",
    "ClosedFormWarning",
    "Convolution",
    "CrossCorrelation",
    "Derivation",
    "Difference",
    "Fourier",
    "Partial",
    "ProofError",
    "Step",
    "SymbolicLayer",
    "SymbolicNetwork",
    "Upsample",
    "Verified",
    "alpha_equal",
    "as_function",
    "canonical",
    "certify_backprop",
    "certify_conv_assoc",
    "certify_conv_comm",
    "conv",
    "definition",
    "derivations",
    "difference",
    "evaluate",
    "formula",
    "fourier",
    "latex",
    "notation",
    "search",
    "symbolic_network_shapes",
    "text",
    "xcorr",
]
