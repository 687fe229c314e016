"""Padding modes of the conv input: np.pad-based fast path vs index maps vs torch F.pad."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from convmath import InvalidArgument
from convmath.numeric._pad import PADDING_MODES, check_padding_mode, pad_spatial
from convmath.numeric.reference import padded_index

PadCase = tuple[tuple[int, ...], tuple[tuple[int, int], ...], str]


@st.composite
def pad_cases(draw: st.DrawFn) -> PadCase:
    mode = draw(st.sampled_from(PADDING_MODES))
    n = draw(st.integers(1, 3))
    shape, pads = [], []
    for _ in range(n):
        size = draw(st.integers(1, 6))
        limit = size - 1 if mode == "reflect" else size if mode == "circular" else 4
        pads.append((draw(st.integers(0, limit)), draw(st.integers(0, limit))))
        shape.append(size)
    return tuple(shape), tuple(pads), mode


@settings(max_examples=60, deadline=None)
@given(pad_cases())
def test_pad_equals_index_map(case: PadCase) -> None:
    shape, pads, mode = case
    x = np.arange(1, 1 + 2 * int(np.prod(shape))).reshape(1, 2, *shape)
    check_padding_mode(mode, pads, shape)
    got = pad_spatial(x, pads, mode)
    out_shape = tuple(s + a + b for s, (a, b) in zip(shape, pads, strict=True))
    assert got.shape == (1, 2, *out_shape)
    for v in np.ndindex(*out_shape):
        src = [padded_index(vv - a, s, mode) for vv, (a, _), s in zip(v, pads, shape, strict=True)]
        expected = 0 if None in src else x[(0, 1, *src)]
        assert got[(0, 1, *v)] == expected


@settings(max_examples=40, deadline=None)
@given(pad_cases())
def test_pad_matches_torch(case: PadCase) -> None:
    torch = pytest.importorskip("torch")
    shape, pads, mode = case
    x = np.random.default_rng(0).standard_normal((1, 2, *shape))
    # F.pad takes the last axis first; 'zeros' is 'constant' there
    flat = [v for before_after in reversed(pads) for v in before_after]
    expected = torch.nn.functional.pad(torch.from_numpy(x), flat,
                                       mode="constant" if mode == "zeros" else mode).numpy()
    assert_array_equal(pad_spatial(x, pads, mode), expected)


def test_no_padding_returns_the_input_itself() -> None:
    x = np.ones((1, 1, 3))
    assert pad_spatial(x, ((0, 0),), "reflect") is x


@pytest.mark.parametrize(
    ("mode", "pads", "shape", "pattern"),
    [
        ("reflect", ((3, 0),), (3,), r"reflect.* padding \(3, 0\) for size 3 on spatial axis 0"),
        ("reflect", ((0, 0), (1, 2)), (5, 2), r"padding \(1, 2\) for size 2 on spatial axis 1"),
        ("circular", ((4, 1),), (3,), r"circular.* padding \(4, 1\) for size 3"),
        ("mirror", ((0, 0),), (3,), r"padding_mode must be one of .* got 'mirror'"),
        (3, ((0, 0),), (3,), r"padding_mode must be one of .* got 3"),
    ],
)
def test_invalid_padding_modes(
    mode: object, pads: tuple[tuple[int, int], ...], shape: tuple[int, ...], pattern: str
) -> None:
    with pytest.raises(InvalidArgument, match=pattern):
        check_padding_mode(mode, pads, shape)


def test_limits_match_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, 3)
    torch.nn.functional.pad(x, (2, 2), mode="reflect")  # largest accepted reflect pad
    torch.nn.functional.pad(x, (3, 3), mode="circular")  # largest accepted circular pad
    check_padding_mode("reflect", ((2, 2),), (3,))
    check_padding_mode("circular", ((3, 3),), (3,))
    with pytest.raises(RuntimeError):
        torch.nn.functional.pad(x, (3, 3), mode="reflect")
    with pytest.raises(InvalidArgument):
        check_padding_mode("reflect", ((3, 3),), (3,))
