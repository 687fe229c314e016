"""Output-size formulas against Dumoulin & Visin's relationships and PyTorch fixtures."""

from __future__ import annotations

import pytest

from convmath import InvalidArgument
from convmath.numeric import (
    conv_output_size,
    conv_transpose_output_size,
    pool_output_size,
    same_padding,
)


@pytest.mark.parametrize("i", range(3, 12))
@pytest.mark.parametrize("k", range(1, 4))
def test_dumoulin_unit_stride_relationships(i: int, k: int) -> None:
    assert conv_output_size(i, k) == i - k + 1  # relationship 1
    assert conv_output_size(i, k, padding=k - 1) == i + k - 1  # relationship 4 (full)
    if k % 2 == 1:
        assert conv_output_size(i, k, padding=k // 2) == i  # relationship 3 (half)


def test_dumoulin_figure_fixtures() -> None:
    # i=5,k=3,s=2,p=1 -> 3 ; i=5,k=3,s=2,p=0 -> 2 ; i=6,k=3,s=2,p=1 -> 3 with a=1
    assert conv_output_size(5, 3, stride=2, padding=1) == 3
    assert conv_output_size(5, 3, stride=2, padding=0) == 2
    assert conv_output_size(6, 3, stride=2, padding=1) == 3
    # relationship 14: o' = s(i'-1) + a + k - 2p, a = (6 + 2 - 3) mod 2 = 1 -> 6
    assert conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1) == 6


def test_dilated_relationship_15() -> None:
    # o = floor((i + 2p - k - (k-1)(d-1))/s) + 1
    for i, k, d, s, p in [(7, 3, 2, 1, 0), (10, 3, 3, 2, 1), (9, 2, 4, 1, 2)]:
        expected = (i + 2 * p - k - (k - 1) * (d - 1)) // s + 1
        assert conv_output_size(i, k, stride=s, padding=p, dilation=d) == expected


def test_per_axis_tuples() -> None:
    assert conv_output_size((7, 6), (3, 2), stride=(2, 1), padding=(0, 1)) == (3, 7)


def test_pool_ceil_mode_window_start_rule() -> None:
    assert pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3
    assert pool_output_size(5, 2, stride=2, padding=1, ceil_mode=False) == 3
    assert pool_output_size(6, 3, stride=2, ceil_mode=True) == 3
    assert pool_output_size(6, 3, stride=2, ceil_mode=False) == 2


def test_same_padding_extra_goes_after() -> None:
    assert same_padding(4) == ((1, 2),)
    assert same_padding((3, 4), dilation=(2, 1)) == ((2, 2), (1, 2))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"input_size": 2, "kernel_size": 5}, "kernel_size=5"),
        ({"input_size": 5, "kernel_size": 3, "stride": 0}, "stride"),
        ({"input_size": 5, "kernel_size": 3, "dilation": (1, 2)}, "dilation"),
        ({"input_size": 5, "kernel_size": True}, "kernel_size"),
    ],
)
def test_conv_output_size_rejects_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        conv_output_size(**kwargs)


def test_transpose_output_padding_bound() -> None:
    with pytest.raises(InvalidArgument, match="output_padding"):
        conv_transpose_output_size(3, 3, stride=2, output_padding=2)
    assert conv_transpose_output_size(3, 3, stride=1, dilation=2, output_padding=1) == 8


def test_pool_padding_at_most_half_kernel() -> None:
    with pytest.raises(InvalidArgument, match="padding"):
        pool_output_size(8, 2, padding=2)


def test_pool_padding_bound_uses_undilated_kernel_like_torch() -> None:
    # torch 2.x: F.max_pool1d(x, 2, 1, padding=2, dilation=3) raises although k̂ = 4.
    with pytest.raises(InvalidArgument, match="padding"):
        pool_output_size(10, 2, stride=1, padding=2, dilation=3)
    assert pool_output_size(10, 2, stride=1, padding=1, dilation=3) == 10 + 2 - 3 - 1 + 1


# --- regressions from the differential QA pass (issue 2 follow-up) -------------------------


def test_pool_ceil_mode_window_larger_than_padded_input() -> None:
    # by hand, PyTorch's rule: ⌊(2 − 2 − 1 + 3)/4⌋ + 1 = 1; (1−1)·4 = 0 < 2 keeps it
    assert pool_output_size(2, 3, stride=4, ceil_mode=True) == 1
    # ⌊(6 − 7 + 3)/4⌋ + 1 = 1
    assert pool_output_size(6, 4, dilation=2, ceil_mode=True) == 1
    # floor mode: ⌊(2 − 3)/4⌋ + 1 = 0 (floor of a negative number): refused
    with pytest.raises(InvalidArgument, match="output would be empty"):
        pool_output_size(2, 3, stride=4)
    # ceil mode that still gives 0: ⌊(1 − 10 + 1)/2⌋ + 1 = −3
    with pytest.raises(InvalidArgument, match="output would be empty"):
        pool_output_size(1, 10, stride=2, ceil_mode=True)


def test_pool_ceil_mode_size_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for i in range(1, 7):
        for k in range(1, 5):
            for s in range(1, 5):
                for d in (1, 2):
                    for p in range(k // 2 + 1):
                        x = torch.zeros(1, 1, i)
                        try:
                            want = torch.nn.functional.max_pool1d(
                                x, k, s, p, d, ceil_mode=True).shape[-1]
                        except RuntimeError:
                            with pytest.raises(InvalidArgument):
                                pool_output_size(i, k, s, p, d, ceil_mode=True)
                            continue
                        assert pool_output_size(i, k, s, p, d, ceil_mode=True) == want


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: pool_output_size(5, 2, ceil_mode="yes"), "ceil_mode='yes'"),
        (lambda: pool_output_size(5, 2, ceil_mode=1), "ceil_mode=1"),
        (lambda: pool_output_size(5.0, 2), "input_size"),
        (lambda: pool_output_size(None, 2), "input_size"),  # type: ignore[call-overload]
        (lambda: pool_output_size(True, 2), "input_size"),
        (lambda: conv_output_size(5.0, 3), "input_size"),  # type: ignore[call-overload]
        (lambda: conv_output_size((), 3), "input_size"),
        (lambda: same_padding(3.0), "kernel_size"),
        (lambda: same_padding(0), "kernel_size"),
        (lambda: conv_transpose_output_size(0, 1), "input_size must be >= 1"),
        (lambda: conv_output_size(5, 3, padding=10**30), "padding"),
        (lambda: conv_output_size(5, 3, stride=10**30), "stride"),
        (lambda: conv_transpose_output_size(5, 3, stride=2**63), "stride"),
    ],
)
def test_shape_helpers_reject_bad_arguments(call: object, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment):
        call()  # type: ignore[operator]


def test_numpy_integer_scalars_work_like_ints() -> None:
    np = pytest.importorskip("numpy")
    assert conv_output_size(np.int64(5), 3) == 3
    assert conv_output_size(5, np.int32(3), stride=np.int64(2)) == 2
    assert conv_output_size((np.int64(7), 6), (3, 2), stride=2) == (3, 3)
    assert same_padding(np.int64(3)) == ((1, 1),)
    assert pool_output_size(np.uint8(5), 2, stride=2, padding=1, ceil_mode=np.bool_(True)) == 3
    assert conv_transpose_output_size(np.int16(3), 3, stride=2) == 7
