"""The max-pool checkers' tie/NaN contract, and the diagnoses of hand-written pooling.

A correct backward written the usual way — ``np.argmax`` over each −∞-padded window and
``+=`` — selects the first NaN of a window holding several (PyTorch the last) and, for a
window of −∞ only that starts in the padding, the padding (dropping the gradient). Both
are tie order, not convention: the check passes, with a note. Equal finite maxima are a
convention (the first): a last-maximum rule fails. The buggy backward passes below are
written the way students write them; each must be caught and named.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

import convmath.numeric as numeric
from convmath import ConvCheckFailure
from convmath.testing import check_avg_pool, check_max_pool, check_max_pool_grad
from convmath.testing._diagnosis import ranked
from convmath.testing._pool import (
    BOTH_NOTE,
    NAN_ORDER_NOTE,
    NEG_INF_NOTE,
    AvgPoolSpec,
    MaxPoolGradSpec,
    MaxPoolSpec,
)
from convmath.testing.strategies import Case

nan, inf = np.nan, np.inf


def _pair(v: Any) -> tuple[int, int]:
    if isinstance(v, (int, np.integer)):
        return int(v), int(v)
    v = [int(a) for a in v]
    return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])


def _last_max_first_nan(win: np.ndarray) -> np.ndarray:
    """Per (n, c): the last maximum of a window, but the first NaN (a hand-rolled rule)."""
    flat = win.reshape(win.shape[0], win.shape[1], -1)
    k = flat.shape[-1]
    first = np.argmax(flat, axis=-1)  # the first NaN where there is one
    last = k - 1 - np.argmax(flat[..., ::-1], axis=-1)
    has_nan = np.isnan(flat).any(axis=-1)
    return np.where(has_nan, first, last)


def maxpool_backward(x, dout, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                     ceil_mode=False, *, bug=None, nan_pick=None):
    """A 2-d max-pool backward as students write it: ``np.argmax`` over each window of
    the −∞-padded input, ``+=`` at the argmax, the padding cropped off at the end. ``bug``
    injects one mistake; ``nan_pick(n, c, i, j)`` (if given) says whether a window holding
    several NaNs takes its last NaN instead of the first."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    if bug == "stride":
        sh, sw = 1, 1
    if bug == "dilation":
        dh, dw = 1, 1
    n, c, h, w = x.shape
    oh, ow = dout.shape[2:]
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    eh = max(0, (oh - 1) * sh + span_h - h - 2 * ph)  # room for the ceil_mode windows
    ew = max(0, (ow - 1) * sw + span_w - w - 2 * pw)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph + eh), (pw, pw + ew)),
                   constant_values=-np.inf)
    dx_pad = np.zeros(x_pad.shape)
    if bug == "ceil":  # the forward honours ceil_mode; this loop does not
        oh = min(oh, (h + 2 * ph - span_h) // sh + 1)
        ow = min(ow, (w + 2 * pw - span_w) // sw + 1)
    nn, cc = np.arange(n)[:, None], np.arange(c)[None, :]
    for i in range(oh):
        for j in range(ow):
            r, q = i * sh, j * sw
            src = x if bug in ("unpadded_argmax", "no_padding") else x_pad
            win = src[:, :, r:r + span_h:dh, q:q + span_w:dw]
            g = dout[:, :, i, j]
            if bug == "all_ties":  # every element equal to the maximum gets the gradient
                top = win.max(axis=(2, 3), keepdims=True)
                dx_pad[:, :, r:r + span_h:dh, q:q + span_w:dw] += (win == top) * g[..., None, None]
                continue
            flat = win.reshape(n, c, -1)
            if bug == "last_max":
                arg = _last_max_first_nan(win)
            elif bug == "nan_ignored":
                arg = np.argmax(np.where(np.isnan(flat), -np.inf, flat), axis=-1)
            else:
                arg = np.argmax(flat, axis=-1)
            if nan_pick is not None:
                last_nan = flat.shape[-1] - 1 - np.argmax(np.isnan(flat)[..., ::-1], axis=-1)
                for a in range(n):
                    for b in range(c):
                        if np.isnan(flat[a, b]).sum() >= 2 and nan_pick(a, b, i, j):
                            arg[a, b] = last_nan[a, b]
            a_, b_ = np.unravel_index(arg, win.shape[2:])
            rr, qq = r + a_ * dh, q + b_ * dw
            if bug == "unpadded_index":  # unpadded coordinates used in the padded gradient
                rr, qq = rr - ph, qq - pw
            if bug == "no_padding":  # x was never padded: its coordinates, in dx_pad's
                rr, qq = rr + ph, qq + pw
            if bug == "avg":
                g = g / (kh * kw)
            if bug == "assign":
                dx_pad[nn, cc, rr, qq] = g
            else:
                np.add.at(dx_pad, (nn, cc, rr, qq), g)
    if bug == "padded_index":  # padded coordinates, cropped as if they were unpadded
        return dx_pad[:, :, :h, :w]
    return dx_pad[:, :, ph:ph + h, pw:pw + w]


def _diagnosis(failure: BaseException) -> str:
    text = str(failure)
    return text.split("diagnosis:")[1].splitlines()[0] if "diagnosis:" in text else ""


# --- a correct argmax + += backward passes -------------------------------------------------


def test_argmax_backward_passes_with_the_nan_order_noted() -> None:
    report = check_max_pool_grad(maxpool_backward, max_examples=150, seed=0)
    assert report.examples == 150
    notes = getattr(report, "notes", None)
    if notes is not None:  # the engine lists the notes of passes by a weaker rule
        assert any(n.startswith("NaN/tie order differs from PyTorch") for n in notes), notes


def test_mixed_nan_order_window_by_window_passes() -> None:
    """First NaN in some windows, last in others: still only tie order."""
    mixed = functools.partial(maxpool_backward, nan_pick=lambda n, c, i, j: (i + j) % 2 == 1)
    check_max_pool_grad(mixed, max_examples=100, seed=3)


def _grad_case(x: np.ndarray, gy: np.ndarray, **kw: Any) -> Case:
    return Case("max_pool_grad", {"input": x, "grad_output": gy}, kw, "float64", False, 0,
                4)


def test_compare_accepts_any_nan_and_drops_into_minus_inf_padding() -> None:
    spec = MaxPoolGradSpec()
    # windows [nan 1 nan] [nan 2 nan] (stride 2: they share the middle NaN)
    x = np.array([[[nan, 1.0, nan, 2.0, nan]]])
    gy = np.array([[[10.0, 100.0]]])
    case = _grad_case(x, gy, kernel_size=3, stride=2)
    np.testing.assert_array_equal(spec.reference(case), [[[0, 0, 10, 0, 100]]])
    for got, ok in (([[[10, 0, 0, 0, 100]]], True),    # first NaN, then last
                    ([[[10, 0, 100, 0, 0]]], True),    # first, first
                    ([[[0, 0, 110, 0, 0]]], True),     # last, first
                    ([[[0, 0, 10, 0, 100]]], True),    # PyTorch
                    ([[[0, 10, 0, 0, 100]]], False),   # the finite element: no
                    ([[[10, 0, 0, 0, 0]]], False)):    # a window's gradient lost
        comp = spec.compare(case, np.array(got, dtype=float), "elementwise")
        assert comp.ok is ok, got
        assert comp.note == ("" if got == [[[0, 0, 10, 0, 100]]] or not ok else NAN_ORDER_NOTE)
    # a −∞ window starting in the padding: its gradient may be dropped, not moved
    x = np.array([[[-inf, -inf, 3.0]]])
    case = _grad_case(x, np.array([[[5.0, 7.0]]]), kernel_size=2, stride=2, padding=1)
    np.testing.assert_array_equal(spec.reference(case), [[[5, 0, 7]]])
    comp = spec.compare(case, np.array([[[0.0, 0.0, 7.0]]]), "elementwise")
    assert comp.ok and comp.note == NEG_INF_NOTE
    assert not spec.compare(case, np.array([[[0.0, 5.0, 7.0]]]), "elementwise").ok
    # both at once
    x = np.array([[[-inf, nan, nan]]])
    case = _grad_case(x, np.array([[[5.0, 7.0]]]), kernel_size=2, stride=2, padding=1)
    comp = spec.compare(case, np.array([[[0.0, 7.0, 0.0]]]), "elementwise")
    assert comp.ok and comp.note == BOTH_NOTE


def test_a_real_difference_next_to_a_nan_order_one_is_the_worst_element() -> None:
    spec = MaxPoolGradSpec()
    x = np.array([[[nan, 1.0, nan, 4.0, 3.0, 2.0]]])
    case = _grad_case(x, np.array([[[10.0, 20.0]]]), kernel_size=3)
    got = np.array([[[10.0, 0.0, 0.0, 0.0, 20.0, 0.0]]])  # first NaN (fine) + wrong max
    comp = spec.compare(case, got, "elementwise")
    assert not comp.ok and comp.index == (0, 0, 4)


# --- buggy backward passes: caught and named ----------------------------------------------

BUGS = {
    "all_ties": "gradient to every tied maximum",
    "unpadded_argmax": "argmax in the unpadded input, gradient into the padded one",
    "unpadded_index": "unpadded index used in the padded gradient",
    "padded_index": "padded index used in the unpadded gradient",
    "no_padding": "padding ignored in the backward",
    "stride": "in the backward",  # "stride ignored ..." or "stride=None taken as 1 ..."
    "dilation": "dilation ignored in the backward",
    "ceil": "ceil_mode handled in the forward only",
    "avg": "max-pool gradient divided by the window size",
    "assign": "overlapping windows not accumulated",  # and the first NaN: no matter
    "last_max": "gradient to the last maximum",  # and the first NaN: no matter
    "nan_ignored": "NaN ignored in the backward",
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.dev_sample  # a fixed half of the bugs in the dev profile (tests/conftest.py)
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_buggy_backward_is_caught_and_named(bug: str) -> None:
    with pytest.raises(AssertionError) as info:  # ConvCheckFailure is an AssertionError
        check_max_pool_grad(functools.partial(maxpool_backward, bug=bug), max_examples=60,
                            seed=1)
    assert isinstance(info.value, ConvCheckFailure)
    line = _diagnosis(info.value)
    assert BUGS[bug] in line, str(info.value)
    if bug == "stride":
        assert "stride" in line, str(info.value)


def vectorised_backward(x, dout, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                        ceil_mode=False):
    """Windows gathered at once with indices clipped to the input, off-input taps set to
    −∞, one argmax: a window of −∞ whose first tap is padding then names the clipped
    position of that tap (with dilation, not the window's first in-bounds element)."""
    (kh, kw), (ph, pw), (dh, dw) = _pair(kernel_size), _pair(padding), _pair(dilation)
    sh, sw = _pair(kernel_size if stride is None else stride)
    n, c, h, w = x.shape
    oh, ow = dout.shape[2:]
    rows = (np.arange(oh)[:, None] * sh - ph + dh * np.arange(kh))[:, None, :, None]
    cols = (np.arange(ow)[:, None] * sw - pw + dw * np.arange(kw))[None, :, None, :]
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    r, q = np.broadcast_arrays(np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1))
    win = np.where(inside, x[:, :, r, q], -np.inf).reshape(n, c, oh, ow, -1)
    arg = np.argmax(win, axis=-1)[..., None]
    flat = (r * w + q).reshape(oh, ow, -1)
    target = np.take_along_axis(np.broadcast_to(flat, win.shape), arg, -1)[..., 0]
    dx = np.zeros((n * c, h * w))
    np.add.at(dx, (np.arange(n * c)[:, None, None], target.reshape(n * c, oh, ow)),
              dout.reshape(n * c, oh, ow))
    return dx.reshape(x.shape)


def test_clipped_padding_index_is_caught_and_named() -> None:
    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool_grad(vectorised_backward, max_examples=60, seed=1)
    assert "padding index clipped into the input" in _diagnosis(info.value), str(info.value)


def test_last_maximum_is_a_failure_even_without_nan() -> None:
    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool_grad(functools.partial(maxpool_backward, bug="last_max"),
                            nonfinite=False, max_examples=60, seed=2)
    assert "gradient to the last maximum" in _diagnosis(info.value)


def test_gradient_shape_hint() -> None:
    def padded(x, dout, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):  # type: ignore[no-untyped-def]
        ph, pw = _pair(padding)
        g = numeric.max_pool_grad(x, dout, kernel_size, stride, padding, dilation, ceil_mode,
                                  ndim=2)
        return np.pad(g, ((0, 0), (0, 0), (ph, ph), (pw, pw)))

    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool_grad(padded, max_examples=60, seed=0)
    assert "padded input's shape" in _diagnosis(info.value), str(info.value)


# --- the forward: indices ----------------------------------------------------------------


def maxpool_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # type: ignore[no-untyped-def]
                    return_indices=False):
    """A 2-d max-pool forward with np.argmax indices over the −∞-padded windows (the first
    NaN of a window; for a window of −∞ starting in the padding, a padding position)."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    n, c, h, w = x.shape
    out_h, out_w = numeric.pool_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), (dh, dw),
                                            ceil_mode)
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph + span_h + sh), (pw, pw + span_w + sw)),
                   constant_values=-np.inf)
    out = np.zeros((n, c, out_h, out_w))
    idx = np.zeros((n, c, out_h, out_w), dtype=np.int64)
    for i in range(out_h):
        for j in range(out_w):
            win = x_pad[:, :, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw]
            flat = win.reshape(n, c, -1)
            arg = np.argmax(flat, axis=-1)
            out[:, :, i, j] = np.take_along_axis(flat, arg[..., None], -1)[..., 0]
            a, b = np.unravel_index(arg, win.shape[2:])
            idx[:, :, i, j] = (i * sh + a * dh - ph) * w + (j * sw + b * dw - pw)
    return (out, idx) if return_indices else out


def test_argmax_indices_pass_with_the_nan_order_noted() -> None:
    report = check_max_pool(maxpool_forward, return_indices=True, padding=False,
                            max_examples=120, seed=0)
    notes = getattr(report, "notes", None)
    if notes is not None:
        assert NAN_ORDER_NOTE in notes, notes


def test_argmax_index_of_a_padding_position_is_named() -> None:
    """For a window of −∞ only, the padding is no element to name: a failure, named."""
    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool(maxpool_forward, return_indices=True, max_examples=100, seed=0)
    assert "−∞ window indexed into the padding" in _diagnosis(info.value), str(info.value)


def test_index_comparison_accepts_any_nan_only() -> None:
    spec = MaxPoolSpec()
    x = np.array([[[nan, 3.0, nan, 3.0, 3.0, 1.0]]])  # windows [nan 3 nan] [3 3 1]
    case = Case("max_pool", {"input": x}, {"kernel_size": 3, "stride": 3,
                                           "return_indices": True}, "float64", False, 0, 0)
    vals = np.array([[[nan, 3.0]]])
    assert spec.compare(case, (vals, np.array([[[2, 3]]])), "elementwise").ok
    comp = spec.compare(case, (vals, np.array([[[0, 3]]])), "elementwise")
    assert comp.ok and comp.note == NAN_ORDER_NOTE
    assert not spec.compare(case, (vals, np.array([[[0, 4]]])), "elementwise").ok  # last max
    assert not spec.compare(case, (vals, np.array([[[1, 3]]])), "elementwise").ok  # not NaN


def test_forward_shape_hint_names_the_formula() -> None:
    def no_padding(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):  # type: ignore[no-untyped-def]
        return numeric.max_pool2d(x, kernel_size, stride, 0, dilation, ceil_mode)

    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool(no_padding, max_examples=60, seed=0)
    line = _diagnosis(info.value).strip()
    assert line.startswith("padding ignored") and "is the shape of padding ignored" in line, \
        str(info.value)


# --- course-style average pooling ----------------------------------------------------------


def course_avg_pool(x, kernel_size, stride=None, padding=0, ceil_mode=False, *,  # type: ignore[no-untyped-def]
                    divisor="torch"):
    """A 2-d average pool without count_include_pad / divisor_override: zero padding, the
    window sliced from the padded input (a ceil_mode window is cut at its end)."""
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    out_h, out_w = numeric.pool_output_size((h, w), (kh, kw), (sh, sw), (ph, pw), 1, ceil_mode)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    inside = np.pad(np.ones((h, w)), ((ph, ph), (pw, pw)))
    out = np.zeros((n, c, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            sl = (slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))
            total = x_pad[(slice(None), slice(None), *sl)].sum(axis=(2, 3))
            if divisor == "kernel":
                out[:, :, i, j] = total / (kh * kw)
            elif divisor == "inbounds":
                out[:, :, i, j] = total / inside[sl].sum()
            else:
                out[:, :, i, j] = total / inside[sl].size
    return out


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # its inf − inf sums
def test_course_avg_pool_passes() -> None:
    check_avg_pool(course_avg_pool, max_examples=80, seed=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("divisor", "name"), [("inbounds", "avg divisor excludes padding"),
                                               ("kernel", "avg divisor counts the overhang")])
def test_course_avg_pool_divisor_bugs_are_named(divisor: str, name: str) -> None:
    with pytest.raises(ConvCheckFailure) as info:
        check_avg_pool(functools.partial(course_avg_pool, divisor=divisor), max_examples=80,
                       seed=0)
    assert name in _diagnosis(info.value), str(info.value)


def test_avg_candidates_are_ranked_divisor_first() -> None:
    x = np.arange(30.0).reshape(1, 1, 5, 6)
    case = Case("avg_pool", {"input": x}, {"kernel_size": (2, 3), "stride": (2, 1),
                                           "padding": (1, 0), "ceil_mode": True,
                                           "count_include_pad": False}, "float64", False, 0,
                6)
    names = [c.name for c in ranked(AvgPoolSpec().candidates(case))]
    assert names.index("avg divisor counts padding") < names.index(
        "avg divisor counts only nonzeros")
    assert names.index("avg divisor counts the overhang") < names.index(
        "floor vs ceil output size") < names.index("per-axis params swapped (kernel_size)")


def test_backward_with_zero_padding_is_named() -> None:
    def zero_padded_backward(x, dout, kernel_size, stride=None, padding=0, dilation=1,  # type: ignore[no-untyped-def]
                             ceil_mode=False):
        k, p = _pair(kernel_size), _pair(padding)
        s = _pair(kernel_size if stride is None else stride)
        d = _pair(dilation)
        xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[0] + k[0] * d[0]), (p[1], p[1] + k[1] * d[1])))
        dx = np.zeros(xp.shape)
        n, c = np.arange(x.shape[0])[:, None], np.arange(x.shape[1])[None, :]
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                win = xp[:, :, i * s[0]:i * s[0] + d[0] * (k[0] - 1) + 1:d[0],
                         j * s[1]:j * s[1] + d[1] * (k[1] - 1) + 1:d[1]]
                a, b = np.unravel_index(win.reshape(*win.shape[:2], -1).argmax(-1), k)
                dx[n, c, i * s[0] + a * d[0], j * s[1] + b * d[1]] += dout[:, :, i, j]
        return dx[:, :, p[0]:p[0] + x.shape[2], p[1]:p[1] + x.shape[3]]

    with pytest.raises(ConvCheckFailure) as info:
        check_max_pool_grad(zero_padded_backward, nonfinite=False, max_examples=100, seed=0)
    assert _diagnosis(info.value).strip().startswith("zero padding in max pooling"), \
        str(info.value)


def test_avg_pool_backward_names_are_confirmed_without_a_caveat() -> None:
    from convmath.testing import check_avg_pool_grad
    from convmath.testing._diagnose import UNCONFIRMED

    def exclude_pad(input_size, grad_output, kernel_size, stride=None, padding=0,  # type: ignore[no-untyped-def]
                    ceil_mode=False, count_include_pad=True, divisor_override=None):
        return numeric.avg_pool_grad(input_size, grad_output, kernel_size, stride, padding,
                                     ceil_mode, False, divisor_override)

    with pytest.raises(ConvCheckFailure) as info:
        check_avg_pool_grad(exclude_pad, count_include_pad=False, max_examples=100, seed=0)
    d = info.value.diagnoses[0]
    assert d.name == "avg divisor excludes padding" and not d.explanation.endswith(UNCONFIRMED)
