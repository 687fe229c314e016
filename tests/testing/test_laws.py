"""Laws without a reference: hold for correct implementations, fail for broken ones."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.signal

import convmath.numeric as numeric
from convmath import ConvCheckFailure
from convmath.testing import (
    check_conv_adjoint,
    check_conv_groups,
    check_conv_linearity,
    check_conv_translation_equivariance,
    check_mode_nesting,
)

sys.path.insert(0, str(Path(__file__).parent.parent / "mutants"))
import conv_mutants
import grad_mutants
import pool_signal_mutants


def test_laws_hold_for_the_reference() -> None:
    check_conv_linearity(numeric.conv, max_examples=30, seed=0)
    check_conv_translation_equivariance(numeric.conv, max_examples=30, seed=0)
    check_conv_adjoint(numeric.conv, numeric.conv_input_grad, max_examples=30, seed=0)
    check_conv_adjoint(numeric.conv, numeric.conv_transpose, kind="transpose",
                       max_examples=30, seed=0)
    check_conv_groups(numeric.conv, max_examples=30, seed=0)
    check_mode_nesting(scipy.signal.convolve, max_examples=30, seed=0)
    check_mode_nesting(scipy.signal.correlate, max_examples=30, seed=0)


def test_laws_hold_for_torch() -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    kw = {"backend": "torch", "max_examples": 25, "seed": 1}
    check_conv_adjoint(F.conv2d, torch.nn.grad.conv2d_input, **kw)  # type: ignore[arg-type]
    check_conv_adjoint(F.conv1d, F.conv_transpose1d, kind="transpose", ndim=1, **kw)  # type: ignore[arg-type]
    check_conv_groups(F.conv2d, **kw)  # type: ignore[arg-type]


def test_adjointness_catches_transposed_conv_bugs_without_a_reference() -> None:
    for mutant in (grad_mutants.ct_output_padding_before, grad_mutants.ct_no_flip):
        with pytest.raises(ConvCheckFailure, match="adjoint"):
            check_conv_adjoint(numeric.conv, mutant, kind="transpose", seed=0)
    with pytest.raises(ConvCheckFailure):
        check_conv_adjoint(numeric.conv, grad_mutants.ig_leftover_dropped, seed=0)


def test_groups_law_catches_interleave() -> None:
    with pytest.raises(ConvCheckFailure, match="groups"):
        check_conv_groups(conv_mutants.groups_interleaved, seed=0)


def test_translation_law_catches_position_dependent_bug() -> None:
    with pytest.raises(ConvCheckFailure, match="translation"):
        check_conv_translation_equivariance(conv_mutants.leftover_last_row_zero, seed=0)


def test_linearity_catches_an_affine_bug() -> None:
    def plus_one(x, w, **kw):  # type: ignore[no-untyped-def]
        return np.asarray(numeric.conv(x, w, **kw)) + 1.0

    with pytest.raises(ConvCheckFailure, match="linearity"):
        check_conv_linearity(plus_one, seed=0)


def test_mode_nesting_catches_matlab_same() -> None:
    with pytest.raises(ConvCheckFailure, match="same"):
        check_mode_nesting(pool_signal_mutants.convolve_same_matlab, seed=0)
