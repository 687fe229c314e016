"""Checkers and Hypothesis strategies to verify other projects' convolution code.

``check_conv(my_conv2d)`` draws cases from the corners where real libraries had bugs,
compares ``my_conv2d`` with the float64 reference :mod:`convmath.numeric` under a tolerance
derived from forward error analysis (exact for integer-valued inputs), and either returns
a :class:`CheckReport` or raises :class:`~convmath.ConvCheckFailure` with the smallest
failing case, the worst element, the error against its bound, a diagnosis naming the
convention mismatch that explains the output, and a reproduction snippet. An exception
raised by the implementation, an output that is not an array and a call that runs past
``deadline`` seconds (default 5) are failures too; every option is validated up front.

Main entry points: :func:`check_conv`, :func:`check_conv_transpose`,
:func:`check_conv_input_grad`, :func:`check_conv_weight_grad`, :func:`check_convolve`,
:func:`check_correlate`, :func:`check_max_pool`, :func:`check_avg_pool`;
:mod:`convmath.testing.strategies` for the case generators; :mod:`convmath.testing.laws`
for laws that need no reference (linearity, translation equivariance, adjointness, groups,
mode nesting).
"""

from __future__ import annotations

from convmath.testing import laws, strategies
from convmath.testing._checkers import (
    check_avg_pool,
    check_avg_pool_grad,
    check_conv,
    check_conv_input_grad,
    check_conv_transpose,
    check_conv_weight_grad,
    check_convolve,
    check_correlate,
    check_max_pool,
    check_max_pool_grad,
)
from convmath.testing._report import CheckReport
from convmath.testing._space import Unsupported
from convmath.testing.laws import (
    check_conv_adjoint,
    check_conv_groups,
    check_conv_linearity,
    check_conv_translation_equivariance,
    check_mode_nesting,
)

__all__ = [
    "CheckReport",
    "Unsupported",
    "check_avg_pool",
    "check_avg_pool_grad",
    "check_conv",
    "check_conv_adjoint",
    "check_conv_groups",
    "check_conv_input_grad",
    "check_conv_linearity",
    "check_conv_translation_equivariance",
    "check_conv_transpose",
    "check_conv_weight_grad",
    "check_convolve",
    "check_correlate",
    "check_max_pool",
    "check_max_pool_grad",
    "check_mode_nesting",
    "laws",
    "strategies",
]
