"""Conv-family diagnoses: course-style buggy code is caught and its bug named.

Each implementation below is written the way such code is published (loops over output
positions with ``np.einsum`` inside, ``np.pad``, ``conv_param``-style scalars) and carries
one mistake; the checker must raise (a ConvCheckFailure, an AssertionError) and its
``diagnosis:`` line must name the mistake. Wrong output shapes are also checked directly
on hand-built cases (the spec's ``shape_hint``), which needs no search.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import convmath.numeric as ref
from convmath import ConvCheckFailure
from convmath.testing import (
    check_conv,
    check_conv_input_grad,
    check_conv_transpose,
    check_conv_weight_grad,
)
from convmath.testing._case import Case
from convmath.testing._conv import (
    ConvInputGradSpec,
    ConvSpec,
    ConvTransposeSpec,
    ConvWeightGradSpec,
)

Pair = tuple[int, int]


def _pair(v: Any) -> Pair:
    return (int(v), int(v)) if np.ndim(v) == 0 else (int(v[0]), int(v[-1]))


def diagnosis(info: pytest.ExceptionInfo[ConvCheckFailure]) -> str:
    assert isinstance(info.value, AssertionError)
    text = str(info.value)
    assert "diagnosis:" in text, text
    return text.split("diagnosis:")[1].splitlines()[0].strip()


# --- course-style building blocks (2-D, no groups) ---------------------------------------

def _conv2d(x: np.ndarray, w: np.ndarray, b: Any, s: Pair, p: Pair, d: Pair) -> np.ndarray:
    """conv_forward_naive: a loop over output positions."""
    n, _, h, wd = x.shape
    f, _, kh, kw = w.shape
    eh, ew = d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1
    ho, wo = (h + 2 * p[0] - eh) // s[0] + 1, (wd + 2 * p[1] - ew) // s[1] + 1
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    out = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = xp[:, :, i * s[0]:i * s[0] + eh:d[0], j * s[1]:j * s[1] + ew:d[1]]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", win, w)
    return out if b is None else out + b[None, :, None, None]


def _input_grad(size: tuple[int, ...], w: np.ndarray, gy: np.ndarray, s: Pair, p: Pair,
                d: Pair, *, step: Pair | None = None, taps: Pair | None = None,
                crop: str = "right") -> np.ndarray:
    """The dx half of conv_backward_naive: scatter each output's gradient back."""
    n, c, h, wd = size
    _, _, kh, kw = w.shape
    st = s if step is None else step
    dl = d if taps is None else taps
    eh, ew = dl[0] * (kh - 1) + 1, dl[1] * (kw - 1) + 1
    dx_pad = np.zeros((n, c, h + 2 * p[0], wd + 2 * p[1]))
    for i in range(gy.shape[2]):
        for j in range(gy.shape[3]):
            dx_pad[:, :, i * st[0]:i * st[0] + eh:dl[0], j * st[1]:j * st[1] + ew:dl[1]] += (
                np.einsum("nf,fchw->nchw", gy[:, :, i, j], w))
    if crop == "minus":  # the slip: 0:-0 is empty
        return dx_pad[:, :, p[0]:-p[0], p[1]:-p[1]]
    return dx_pad[:, :, p[0]:p[0] + h, p[1]:p[1] + wd]


def _weight_grad(x: np.ndarray, size: tuple[int, ...], gy: np.ndarray, s: Pair, p: Pair,
                 d: Pair, *, step: Pair | None = None, taps: Pair | None = None
                 ) -> np.ndarray:
    """The dw half of conv_backward_naive."""
    _, _, kh, kw = size
    st = s if step is None else step
    dl = d if taps is None else taps
    eh, ew = dl[0] * (kh - 1) + 1, dl[1] * (kw - 1) + 1
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    dw = np.zeros(size)
    for i in range(gy.shape[2]):
        for j in range(gy.shape[3]):
            win = xp[:, :, i * st[0]:i * st[0] + eh:dl[0], j * st[1]:j * st[1] + ew:dl[1]]
            dw += np.einsum("nf,nchw->fchw", gy[:, :, i, j], win)
    return dw


def _conv_transpose(x: np.ndarray, w: np.ndarray, b: Any, s: Pair, p: Pair, op: Pair,
                    d: Pair, *, step: Pair | None = None, start: Pair | None = None
                    ) -> np.ndarray:
    """A scatter-loop transposed convolution: each input scatters w into the output."""
    n, _, h, wd = x.shape
    _, f, kh, kw = w.shape
    st = s if step is None else step
    eh, ew = d[0] * (kh - 1) + 1, d[1] * (kw - 1) + 1
    ho = (h - 1) * s[0] - 2 * p[0] + eh + op[0]
    wo = (wd - 1) * s[1] - 2 * p[1] + ew + op[1]
    full = np.zeros((n, f, ho + 2 * p[0], wo + 2 * p[1]))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * st[0]:i * st[0] + eh:d[0], j * st[1]:j * st[1] + ew:d[1]] += (
                np.einsum("nc,cfhw->nfhw", x[:, :, i, j], w))
    a = p if start is None else start
    out = full[:, :, a[0]:a[0] + ho, a[1]:a[1] + wo]
    return out if b is None else out + b[None, :, None, None]


# --- 1. wrong output shapes ---------------------------------------------------------------

def test_input_grad_pad_minus_pad_slice_is_named() -> None:
    def conv_input_grad(input_size, weight, grad_output, stride=1, padding=0):  # type: ignore[no-untyped-def]
        return _input_grad(input_size, weight, grad_output, _pair(stride), _pair(padding),
                           (1, 1), crop="minus")

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(conv_input_grad, isotropic=True, dilation=False, groups=False,
                              max_examples=30, seed=0)
    line = diagnosis(info)
    assert line.startswith("pad = 0 slicing gives an empty array"), line
    assert "pad:pad + H" in line and "expected shape" in line and "got" in line


def test_transposed_conv_pad_minus_pad_crop_is_named() -> None:
    def conv_transpose(x, w, bias=None, stride=1, padding=0, output_padding=0):  # type: ignore[no-untyped-def]
        s, p, op = _pair(stride), _pair(padding), _pair(output_padding)
        full = _conv_transpose(x, w, None, s, (0, 0), (0, 0), (1, 1))
        full = np.pad(full, ((0, 0), (0, 0), (0, op[0]), (0, op[1])))
        out = full[:, :, p[0]:-p[0], p[1]:-p[1]]
        return out if bias is None else out + bias[None, :, None, None]

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_transpose(conv_transpose, isotropic=True, dilation=False, groups=False,
                             max_examples=30, seed=0)
    assert diagnosis(info).startswith("pad = 0 slicing gives an empty array")


def test_same_padding_split_symmetrically_is_named() -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        s, d = _pair(stride), _pair(dilation)
        if padding == "same":  # ⌊d(k−1)/2⌋ on both sides: one short for an even kernel
            p = tuple(dd * (k - 1) // 2 for dd, k in zip(d, w.shape[2:], strict=True))
        elif padding == "valid":
            p = (0, 0)
        else:
            p = _pair(padding)
        return _conv2d(x, w, bias, s, p, d)  # type: ignore[arg-type]

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv2d, groups=False, padding_modes=("same",), max_examples=60, seed=0)
    line = diagnosis(info)
    assert line.startswith("'same' split symmetrically"), line


def _case(op: str, args: dict[str, Any], **kwargs: Any) -> Case:
    return Case(op, args, kwargs, "float64", False, 0, 1)


def _x(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape)


def _hint(spec: Any, case: Case, got: tuple[int, ...]) -> str:
    d = spec.shape_hint(case, got)
    return f"{d.name}: {d.explanation}"


def test_conv_shape_formulas_are_named() -> None:
    spec = ConvSpec()
    case = _case("conv", {"input": _x(1, 1, 8, 8), "weight": _x(1, 1, 3, 3)},
                 stride=2, padding=1, dilation=2)
    assert spec.out_shape(case) == (1, 1, 3, 3) == spec.reference(case).shape
    assert _hint(spec, case, (1, 1, 4, 4)).startswith("floor vs ceil output size")
    assert _hint(spec, case, (1, 1, 2, 2)).startswith("padding ignored in the output size")
    padded = _case("conv", {"input": _x(1, 1, 9, 9), "weight": _x(1, 1, 3, 3)}, padding=1)
    assert _hint(spec, padded, (1, 1, 11, 11)).startswith("padding doubled in the output size")
    assert _hint(spec, padded, (1, 1, 8, 8)).startswith("padding counted once")
    wide = _case("conv", {"input": _x(1, 1, 9, 9), "weight": _x(1, 1, 3, 3)},
                 stride=1, padding=0, dilation=3)
    assert _hint(spec, wide, (1, 1, 7, 7)).startswith("dilation ignored in the output size")
    text = _hint(spec, case, (1, 1, 9, 9))
    assert text.startswith("output shape: expected shape (1, 1, 3, 3), got (1, 1, 9, 9)")
    same = _case("conv", {"input": _x(1, 1, 2, 2), "weight": _x(1, 1, 4, 4)}, padding="same")
    assert _hint(spec, same, (1, 1, 4, 4)).startswith("'same' length max(i, d(k−1)+1)")
    scalar = _case("conv", {"input": _x(1, 1, 7, 7), "weight": _x(1, 1, 3, 3)},
                   stride=(1, 2))
    assert _hint(spec, scalar, (1, 1, 5, 5)).startswith("only the first axis's stride used")


def test_transposed_and_gradient_shape_formulas_are_named() -> None:
    ct = ConvTransposeSpec()
    case = _case("conv_transpose", {"input": _x(1, 1, 4, 4), "weight": _x(1, 1, 3, 3)},
                 stride=2, padding=1, output_padding=1, dilation=1)
    assert ct.out_shape(case) == ct.reference(case).shape == (1, 1, 8, 8)
    assert _hint(ct, case, (1, 1, 7, 7)).startswith(
        "output_padding ignored in the output size")
    assert _hint(ct, case, (1, 1, 10, 10)).startswith("padding not cropped")
    ig = ConvInputGradSpec()
    gcase = _case("conv_input_grad", {"input_size": (1, 1, 8, 8), "weight": _x(1, 1, 3, 3),
                                      "grad_output": _x(1, 1, 4, 4)}, stride=2, padding=1)
    assert ig.reference(gcase).shape == (1, 1, 8, 8)
    assert _hint(ig, gcase, (1, 1, 7, 7)).startswith("leftover rows dropped")  # (o−1)s−2p+k
    assert _hint(ig, gcase, (1, 1, 10, 10)).startswith("padding not cropped")
    assert _hint(ig, gcase, (1, 1, 4, 4)).startswith("stride ignored in the output size")
    empty = _case("conv_input_grad", {"input_size": (1, 1, 5, 5), "weight": _x(1, 1, 3, 3),
                                      "grad_output": _x(1, 1, 3, 3)}, stride=1, padding=0)
    assert _hint(ig, empty, (1, 1, 0, 0)).startswith("pad = 0 slicing gives an empty array")
    wg = ConvWeightGradSpec()
    wcase = _case("conv_weight_grad", {"input": _x(2, 3, 8, 8), "weight_size": (2, 3, 3, 3),
                                       "grad_output": _x(2, 2, 3, 3)}, stride=2)
    assert wg.reference(wcase).shape == (2, 3, 3, 3)
    assert _hint(wg, wcase, (3, 2, 3, 3)).startswith("C_in/C_out transposed")
    assert _hint(wg, wcase, (2, 2, 3, 3, 3)).startswith("batch not summed")
    assert _hint(wg, wcase, (2, 3, 4, 4)).startswith(
        "kernel size from the input and output sizes")


# --- 2. stride / dilation / padding ignored in the gradients and the transposed conv ------

def test_input_grad_scatter_ignoring_stride_is_named() -> None:
    def conv_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _input_grad(input_size, weight, grad_output, _pair(stride), _pair(padding),
                           _pair(dilation), step=(1, 1))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(conv_input_grad, groups=False, max_examples=40, seed=0)
    assert diagnosis(info).startswith("stride ignored"), diagnosis(info)


def test_vectorised_input_grad_ignoring_stride_is_named() -> None:
    def conv_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                        groups=1):
        # the input gradient as a transposed convolution, but the stride left out
        return ref.conv_transpose(grad_output, weight, None, 1, padding, 0, groups, dilation)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(conv_input_grad, max_examples=40, seed=0)
    line = diagnosis(info)
    assert line.startswith("stride ignored"), line


def test_input_grad_ignoring_dilation_is_named() -> None:
    def conv_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _input_grad(input_size, weight, grad_output, _pair(stride), _pair(padding),
                           _pair(dilation), taps=(1, 1))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(conv_input_grad, groups=False, max_examples=40, seed=0)
    assert diagnosis(info).startswith("dilation ignored"), diagnosis(info)


def test_weight_grad_ignoring_stride_is_named() -> None:
    def conv_weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _weight_grad(input, weight_size, grad_output, _pair(stride), _pair(padding),
                            _pair(dilation), step=(1, 1))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_weight_grad(conv_weight_grad, groups=False, max_examples=40, seed=0)
    assert diagnosis(info).startswith("stride ignored"), diagnosis(info)


def test_weight_grad_ignoring_dilation_is_named() -> None:
    def conv_weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _weight_grad(input, weight_size, grad_output, _pair(stride), _pair(padding),
                            _pair(dilation), taps=(1, 1))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_weight_grad(conv_weight_grad, groups=False, max_examples=40, seed=0)
    assert diagnosis(info).startswith("dilation ignored"), diagnosis(info)


def test_transposed_conv_ignoring_stride_is_named() -> None:
    def conv_transpose(x, w, bias=None, stride=1, padding=0, output_padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _conv_transpose(x, w, bias, _pair(stride), _pair(padding),
                               _pair(output_padding), _pair(dilation), step=(1, 1))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_transpose(conv_transpose, groups=False, max_examples=40, seed=0)
    assert diagnosis(info).startswith("stride ignored"), diagnosis(info)


def test_transposed_conv_ignoring_the_padding_crop_is_named() -> None:
    def conv_transpose(x, w, bias=None, stride=1, padding=0, output_padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _conv_transpose(x, w, bias, _pair(stride), _pair(padding),
                               _pair(output_padding), _pair(dilation), start=(0, 0))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_transpose(conv_transpose, groups=False, max_examples=40, seed=0)
    assert diagnosis(info).startswith("padding ignored"), diagnosis(info)


# --- 3. a scalar-only function fed per-axis values ----------------------------------------

def _scalar(v: Any) -> int:
    return v if isinstance(v, int) else v[0]  # the function takes one int


@pytest.mark.parametrize("arg", ["stride", "padding", "dilation"])
def test_scalar_only_conv_fed_per_axis_values_is_named(arg: str) -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        given = {"stride": stride, "padding": padding, "dilation": dilation}
        given[arg] = _scalar(given[arg])
        return _conv2d(x, w, bias, _pair(given["stride"]), _pair(given["padding"]),
                       _pair(given["dilation"]))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv2d, groups=False, padding_modes=("explicit",), max_examples=60,
                   seed=0)
    line = diagnosis(info)
    assert line.startswith(f"only the first axis's {arg} used"), line
    assert "takes one int" in line and f"{arg} ignored" not in line


def test_scalar_only_stride_at_one_is_not_called_stride_ignored() -> None:
    """stride=(1, 2) used as 1 equals stride ignored on this case: the diagnosis must
    still name the scalar-only function (a run with both axes at 2 tells them apart)."""
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        s = _scalar(stride)
        return _conv2d(x, w, bias, (s, s), _pair(padding), _pair(dilation))

    spec = ConvSpec()
    x, w = _x(1, 1, 6, 7), _x(1, 1, 2, 2)
    case = _case("conv", {"input": x, "weight": w}, stride=(1, 2), padding=0, dilation=1)
    from convmath.testing._diagnose import _diagnose

    out = conv2d(x, w, **case.kwargs)
    comp = spec.compare(case, out, "elementwise")
    assert not comp.ok

    def probe(c: Case) -> Any:
        return conv2d(c.args["input"], c.args["weight"], **c.kwargs)

    names = [d.name for d in _diagnose(spec, case, out, comp, None, probe)]
    assert names and names[0] == "only the first axis's stride used", names


def test_stride_ignored_at_one_and_two_is_still_stride_ignored() -> None:
    """The converse: a function that drops the stride, on the same case."""
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _conv2d(x, w, bias, (1, 1), _pair(padding), _pair(dilation))

    spec = ConvSpec()
    x, w = _x(1, 1, 6, 7), _x(1, 1, 2, 2)
    case = _case("conv", {"input": x, "weight": w}, stride=(1, 2), padding=0, dilation=1)
    from convmath.testing._diagnose import _diagnose

    out = conv2d(x, w, **case.kwargs)
    comp = spec.compare(case, out, "elementwise")

    def probe(c: Case) -> Any:
        return conv2d(c.args["input"], c.args["weight"], **c.kwargs)

    names = [d.name for d in _diagnose(spec, case, out, comp, None, probe)]
    assert names and names[0] == "stride ignored", names


def test_scalar_only_input_grad_is_named() -> None:
    def conv_input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        s = _scalar(stride)
        return _input_grad(input_size, weight, grad_output, (s, s), _pair(padding),
                           _pair(dilation))

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(conv_input_grad, groups=False, max_examples=60, seed=0)
    assert diagnosis(info).startswith("only the first axis's stride used"), diagnosis(info)


# --- no false alarms: the course-style building blocks themselves are correct -------------

def test_course_style_building_blocks_pass() -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _conv2d(x, w, bias, _pair(stride), _pair(padding), _pair(dilation))

    def input_grad(input_size, weight, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _input_grad(input_size, weight, grad_output, _pair(stride), _pair(padding),
                           _pair(dilation))

    def weight_grad(input, weight_size, grad_output, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _weight_grad(input, weight_size, grad_output, _pair(stride), _pair(padding),
                            _pair(dilation))

    def transpose(x, w, bias=None, stride=1, padding=0, output_padding=0, dilation=1):  # type: ignore[no-untyped-def]
        return _conv_transpose(x, w, bias, _pair(stride), _pair(padding),
                               _pair(output_padding), _pair(dilation))

    kw: dict[str, Any] = {"groups": False, "max_examples": 25, "seed": 0}
    assert check_conv(conv2d, padding_modes=("explicit",), **kw).examples == 25
    assert check_conv_input_grad(input_grad, **kw).examples == 25
    assert check_conv_weight_grad(weight_grad, **kw).examples == 25
    assert check_conv_transpose(transpose, **kw).examples == 25


# --- 4. the second red-team round: shape formulas and value mistakes ---------------------

def test_more_conv_shape_formulas_are_named() -> None:
    spec = ConvSpec()
    even = _case("conv", {"input": _x(1, 1, 6, 6), "weight": _x(1, 1, 2, 2)}, padding="same")
    assert spec.out_shape(even) == (1, 1, 6, 6)
    assert _hint(spec, even, (1, 1, 7, 7)).startswith("'same' split symmetrically, one row long")
    dil = _case("conv", {"input": _x(1, 1, 9, 9), "weight": _x(1, 1, 3, 3)}, dilation=2)
    assert spec.out_shape(dil) == (1, 1, 5, 5)
    # the input dilated instead: (9−1)·2 + 1 = 17 rows, an undilated 3-tap kernel: 15
    assert _hint(spec, dil, (1, 1, 15, 15)).startswith("dilation applied to the input")
    assert _hint(spec, dil, (1, 1, 3, 3)).startswith("dilation off by one")
    padded = _case("conv", {"input": _x(2, 1, 5, 5), "weight": _x(1, 1, 3, 3)}, padding=1)
    assert _hint(spec, padded, (4, 1, 5, 5)).startswith("padding applied to every axis")
    batch = _case("conv", {"input": _x(3, 2, 5, 5), "weight": _x(4, 2, 3, 3)})
    text = _hint(spec, batch, (1, 4, 3, 3))
    assert text.startswith("output shape") and "the batch axis is wrong" in text
    ct = ConvTransposeSpec()
    tcase = _case("conv_transpose", {"input": _x(1, 2, 4, 4), "weight": _x(2, 3, 3, 3)})
    assert ct.out_shape(tcase) == (1, 3, 6, 6)
    assert _hint(ct, tcase, (1, 2, 6, 6)).startswith("C_in/C_out transposed")


def test_stride_applied_to_the_kernel_index_is_named() -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        s, d = _pair(stride), _pair(dilation)
        return ref.conv(x, w, bias, s, padding, (s[0] * d[0], s[1] * d[1]))  # x[i·s + t·s]

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv2d, groups=False, padding_modes=("explicit",), max_examples=100,
                   seed=0)
    assert diagnosis(info).startswith("stride also used as dilation"), str(info.value)


def test_weight_grad_of_every_group_from_group_0s_input_is_named() -> None:
    def wgrad(x, weight_size, gy, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        cg = x.shape[1] // groups
        x0 = np.concatenate([x[:, :cg]] * groups, axis=1)
        return ref.conv_weight_grad(x0, weight_size, gy, stride, padding, dilation, groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_weight_grad(wgrad, max_examples=100, seed=0)
    assert diagnosis(info).startswith("every group reads group 0's input"), str(info.value)


def test_same_padding_whose_total_ignores_dilation_is_named() -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1):  # type: ignore[no-untyped-def]
        if padding == "same":  # k − 1 in total, as if dilation were 1
            padding = ref.same_padding(w.shape[2:], 1)
            x = np.pad(x, [(0, 0), (0, 0), *padding])
            padding = 0
        return ref.conv(x, w, bias, stride, padding, dilation)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv2d, groups=False, padding_modes=("same",), max_examples=100, seed=0)
    assert diagnosis(info).startswith("'same' padding ignores dilation"), str(info.value)


# --- 5. the third red-team round: 1-D/3-D, transposed, gradients ------------------------

def test_groups_strided_on_both_sides_are_named() -> None:
    def conv1d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        o, c = w.shape[0], x.shape[1]
        out = np.zeros((x.shape[0], o, *ref.conv(x[:, :1], w[:1, :1], None, stride, padding,
                                                  dilation).shape[2:]))
        for oc in range(o):  # output channel oc reads input group oc % groups
            gi = oc % groups
            xs = x[:, gi * (c // groups):(gi + 1) * (c // groups)]
            out[:, oc] = ref.conv(xs, w[oc:oc + 1], None, stride, padding, dilation)[:, 0]
        return out if bias is None else out + bias[None, :, None]

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv1d, ndim=1, bias=False, padding_modes=("explicit",), max_examples=100,
                   seed=0)
    assert diagnosis(info).startswith("group/channel interleave"), str(info.value)


def test_im2col_result_reshaped_from_samples_positions_channels_is_named() -> None:
    def conv3d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        y = ref.conv(x, w, bias, stride, padding, dilation, groups)
        return np.ascontiguousarray(np.moveaxis(y, 1, -1)).reshape(y.shape)  # (N, *out, O)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv3d, ndim=3, padding_modes=("explicit",), max_examples=60, seed=0)
    assert diagnosis(info).startswith("output reshaped without a transpose"), str(info.value)


def test_dilation_off_by_one_with_same_padding_is_named() -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        d = tuple(v + 1 for v in _pair(dilation))  # numpy-ml: the number of zeros inserted
        return ref.conv(x, w, bias, stride, padding, d, groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv2d, padding_modes=("same",), max_examples=60, seed=0)
    assert diagnosis(info).startswith("dilation off by one"), str(info.value)


def test_transposed_conv_by_zero_insertion_padded_by_p_is_named() -> None:
    def conv_transpose1d(x, w, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # type: ignore[no-untyped-def]
                         dilation=1):
        s, p, op, d = (int(np.ravel([v])[0]) for v in (stride, padding, output_padding,
                                                          dilation))
        up = np.zeros((*x.shape[:2], (x.shape[2] - 1) * s + 1))
        up[:, :, ::s] = x
        up = np.pad(up, [(0, 0), (0, 0), (p, p + op)])  # should be d(k−1) − p
        wc = np.swapaxes(w, 0, 1)[:, :, ::-1]
        return ref.conv(up, np.ascontiguousarray(wc), bias, 1, 0, d)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_transpose(conv_transpose1d, ndim=1, groups=False, max_examples=100, seed=0)
    assert diagnosis(info).startswith("zero insertion padded by p"), str(info.value)


def test_weight_grad_with_grad_output_reshaped_without_a_transpose_is_named() -> None:
    def wgrad(x, weight_size, gy, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        n, o = gy.shape[:2]
        mixed = gy.reshape(o, n, -1).transpose(1, 0, 2).reshape(gy.shape)
        return ref.conv_weight_grad(x, weight_size, mixed, stride, padding, dilation, groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_weight_grad(wgrad, ndim=3, max_examples=60, seed=0)
    assert diagnosis(info).startswith("grad_output reshaped without a transpose"), \
        str(info.value)


def test_tf_same_padding_without_the_dilation_is_named() -> None:
    def conv2d(x, w, bias=None, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        if padding == "same":
            pads = ref.tf_same_padding(x.shape[2:], w.shape[2:], stride, 1)  # no dilation
            x, padding = np.pad(x, [(0, 0), (0, 0), *pads]), 0
        return ref.conv(x, w, bias, stride, padding, dilation, groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(conv2d, same_rule="tf", padding_modes=("same",), max_examples=60, seed=0)
    assert diagnosis(info).startswith("'same' padding ignores dilation"), str(info.value)


def test_input_grad_transposed_without_the_dilation_is_named() -> None:
    def igrad(size, w, gy, stride=1, padding=0, dilation=1, groups=1):  # type: ignore[no-untyped-def]
        s, p, d = (np.broadcast_to(v, (2,)) for v in (stride, padding, dilation))
        k = w.shape[2:]
        op = [size[2 + i] - ((gy.shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1)
              for i in range(2)]
        op = [max(0, min(o, int(s[i]) - 1)) for i, o in enumerate(op)]
        return ref.conv_transpose(gy, w, None, tuple(s), tuple(p), tuple(op), groups)

    with pytest.raises(ConvCheckFailure) as info:
        check_conv_input_grad(igrad, max_examples=100, seed=0)
    assert diagnosis(info).startswith("dilation ignored"), str(info.value)
