"""Where each library's ``'same'``, ``'valid'`` and padded outputs sit inside ``full``.

Every 1-D convolution-like call of NumPy, scipy.signal, MATLAB, TensorFlow/JAX and PyTorch
returns evenly spaced entries of one *full* result: ``out[t] = full[start + s·t]`` for
``0 ≤ t < length`` (``s`` the stride; entries outside ``full`` read 0). ``full`` is the
library's full convolution (kernel flipped) or full cross-correlation (kernel not flipped,
conjugated by NumPy and scipy), with the kernel dilated to ``n̂ = d(n − 1) + 1`` taps:

- convolution: ``full[k] = Σ_j x[k − d·j] · w[j]``;
- cross-correlation: ``full[k] = Σ_j x[k − (n̂ − 1) + d·j] · w[j]`` (``conj(w[j])`` where
  the library conjugates);

both of length ``i + n̂ − 1``, ``i`` the length of the input (first argument) and ``n`` that
of the kernel (second argument). The libraries differ in ``start`` and ``length``: above
all in ``'same'`` mode with an even kernel, ⌊(n − 1)/2⌋ (NumPy, scipy ``convolve``,
``correlate``, ``convolve2d``) against ⌊n/2⌋ (MATLAB, scipy ``correlate2d``, TF/JAX
``'SAME'``, PyTorch ``padding='same'``), and when the kernel is longer than the input
(NumPy swaps the inputs, MATLAB's ``'valid'`` is empty, PyTorch raises).

:data:`CONVENTIONS` holds one :class:`Convention` per library call and mode: the rule as
text and the code that computes it. :func:`conventions` evaluates every rule for given
sizes (a :class:`Layout` each: start, length, step, padding, or why the call raises), and
:func:`conventions_table` renders the table from those computed values, as text, Markdown,
CSV or JSON. The 2-D functions (``convolve2d``, ``correlate2d``, ``conv2``) apply the rule
on each axis.

>>> same = {c.function: c.layout(4, 7) for c in CONVENTIONS if c.mode == "'same'"}
>>> full = [-2, 0, 15, 5, -9, 7, 6, 7, -1, 2]  # conv([-1 2 3 -2 0 1 2], [2 4 -1 1])
>>> [full[k] for k in same["numpy.convolve"].indices]
[0, 15, 5, -9, 7, 6, 7]
>>> [full[k] for k in same["MATLAB conv, conv2"].indices]
[15, 5, -9, 7, 6, 7, -1]
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from convmath.errors import InvalidArgument
from convmath.numeric._shapes import same_padding, tf_same_padding
from convmath.numeric._validate import MAX_PARAM, is_int

__all__ = [
    "CONVENTIONS",
    "EXAMPLES",
    "FORMATS",
    "Convention",
    "Layout",
    "conventions",
    "conventions_table",
]

#: The output formats of :func:`conventions_table`.
FORMATS = ("text", "markdown", "csv", "json")

#: ``(kernel_length, input_length)`` of the example columns of :func:`conventions_table`:
#: an even and an odd kernel on an input of 7, and a kernel longer than its input (stride 1,
#: dilation 1, padding=1 for PyTorch's integer padding).
EXAMPLES: tuple[tuple[int, int], ...] = ((4, 7), (3, 7), (6, 4))

_EXAMPLE_PADDING = 1


@dataclass(frozen=True)
class _Sizes:
    n: int  # kernel length
    i: int  # input length
    s: int  # stride
    d: int  # dilation
    p: int  # integer padding (PyTorch padding=p)

    @property
    def nd(self) -> int:
        """The dilated kernel length n̂ = d(n − 1) + 1."""
        return self.d * (self.n - 1) + 1


class _Refused(Exception):
    """The library call raises for these sizes (the message says why)."""


@dataclass(frozen=True)
class _Computed:
    start: int
    length: int
    pad: tuple[int, int] | None = None
    conjugated: bool = False


_Rule = Callable[[_Sizes], _Computed]


@dataclass(frozen=True)
class Layout:
    """One :class:`Convention` evaluated for given sizes.

    ``out[t] = full[start + step·t]`` for ``0 ≤ t < length`` (``full`` is the convention's
    full convolution or cross-correlation; an index outside it reads 0). ``pad`` is the
    ``(before, after)`` zero padding of the input where the library pads (None for the
    signal-processing calls, which slice ``full`` instead). ``conjugated``: the values are
    the complex conjugates of those entries (scipy's ``correlate2d`` in ``'valid'`` mode
    with swapped inputs). ``error`` is set, and the rest meaningless, when the call raises
    for these sizes.
    """

    convention: Convention
    kernel_length: int
    input_length: int
    stride: int
    dilation: int
    padding: int
    start: int
    length: int
    step: int = 1
    pad: tuple[int, int] | None = None
    conjugated: bool = False
    error: str | None = None

    @property
    def indices(self) -> tuple[int, ...]:
        """The indices into ``full`` of the outputs, in order (empty when it raises)."""
        if self.error is not None:
            return ()
        return tuple(self.start + self.step * t for t in range(self.length))

    def describe(self) -> str:
        """A short text: ``full[1:8]``, ``full[2:9], pad (1, 2)`` or ``raises``."""
        if self.error is not None:
            return "raises"
        stop = self.start + self.step * self.length
        step = "" if self.step == 1 else f":{self.step}"
        text = f"full[{self.start}:{stop}{step}]"
        if self.length == 0:
            text += " (empty)"
        if self.conjugated:
            text = f"conj({text})"
        if self.pad is not None:
            text += f", pad {self.pad}"
        return text


@dataclass(frozen=True)
class Convention:
    """How one library call places one mode's output inside ``full``.

    ``function`` and ``mode`` name the call; ``flips_kernel`` says whether ``full`` is a
    convolution (True) or a cross-correlation; ``conjugates`` names the argument the
    library conjugates for complex input ("" for none); ``start``, ``length`` and
    ``padding`` state the rule (``i`` input length, ``n`` kernel length, ``s`` stride,
    ``d`` dilation, ``n̂ = d(n − 1) + 1``, ``p`` padding); ``note`` holds the exceptions.
    :meth:`layout` computes the rule for given sizes.
    """

    function: str
    mode: str
    flips_kernel: bool
    conjugates: str
    start: str
    length: str
    padding: str
    note: str
    rule: _Rule = field(repr=False, compare=False)

    @property
    def operation(self) -> str:
        """``'convolution'`` or ``'cross-correlation'`` (with what it conjugates)."""
        if self.flips_kernel:
            return "convolution"
        if self.conjugates:
            return f"cross-correlation, conj({self.conjugates})"
        return "cross-correlation"

    def layout(self, kernel_length: int, input_length: int, stride: int = 1,
               dilation: int = 1, padding: int = _EXAMPLE_PADDING) -> Layout:
        """This convention for a kernel of ``kernel_length`` taps over ``input_length``
        samples (``padding`` is used by PyTorch's integer padding only).

        >>> torch_same = next(c for c in CONVENTIONS if c.mode == "padding='same'")
        >>> torch_same.layout(4, 7).describe()
        'full[2:9], pad (1, 2)'
        >>> torch_same.layout(4, 7, stride=2).error
        "padding='same' needs stride 1, got stride=2"
        """
        z = _sizes(kernel_length, input_length, stride, dilation, padding)
        try:
            got, error = self.rule(z), None
        except _Refused as exc:
            got, error = _Computed(0, 0), str(exc)
        return Layout(self, z.n, z.i, z.s, z.d, z.p, start=got.start, length=got.length,
                      step=z.s, pad=got.pad, conjugated=got.conjugated, error=error)


def _positive(name: str, value: Any, min_value: int) -> int:
    if not is_int(value) or not min_value <= value <= MAX_PARAM:
        raise InvalidArgument(
            f"{name} must be an int in [{min_value}, 2**62], got {name}={value!r}")
    return int(value)


def _sizes(n: Any, i: Any, s: Any, d: Any, p: Any) -> _Sizes:
    return _Sizes(_positive("kernel_length", n, 1), _positive("input_length", i, 1),
                  _positive("stride", s, 1), _positive("dilation", d, 1),
                  _positive("padding", p, 0))


# --- the rules ---------------------------------------------------------------------------


def _plain(z: _Sizes, what: str) -> None:
    """The signal-processing calls take neither a stride nor a dilation."""
    if z.s != 1 or z.d != 1:
        raise _Refused(f"{what} has no stride or dilation (got stride={z.s}, "
                       f"dilation={z.d})")


def _full(what: str) -> _Rule:
    def rule(z: _Sizes) -> _Computed:
        _plain(z, what)
        return _Computed(0, z.i + z.n - 1)
    return rule


def _valid_swapping(what: str, conjugate_when_swapped: bool = False) -> _Rule:
    """NumPy and scipy: the shorter input slides inside the longer one (swapped if need
    be), so the outputs start at ``min(i, n) − 1``."""
    def rule(z: _Sizes) -> _Computed:
        _plain(z, what)
        return _Computed(min(z.i, z.n) - 1, abs(z.i - z.n) + 1,
                         conjugated=conjugate_when_swapped and z.n > z.i)
    return rule


def _np_convolve_same(z: _Sizes) -> _Computed:
    _plain(z, "numpy.convolve")
    # np.convolve swaps a and v when v is longer; convolution commutes, so full is the same
    return _Computed((min(z.i, z.n) - 1) // 2, max(z.i, z.n))


def _np_correlate_same(z: _Sizes) -> _Computed:
    _plain(z, "numpy.correlate")
    # with v longer, np.correlate correlates v with a, whose 'same' starts ⌊(i − 1)/2⌋ into
    # its own full (this full reversed), and reverses the result: n + i − 1 − ⌊(i − 1)/2⌋ − n
    # = ⌊i/2⌋ into this full
    start = (z.n - 1) // 2 if z.n <= z.i else z.i // 2
    return _Computed(start, max(z.i, z.n))


def _first_shaped(what: str, start: Callable[[int], int]) -> _Rule:
    """scipy and MATLAB: 'same' has the first input's size, starting at ``start(n)``."""
    def rule(z: _Sizes) -> _Computed:
        _plain(z, what)
        return _Computed(start(z.n), z.i)
    return rule


def _matlab_valid(z: _Sizes) -> _Computed:
    _plain(z, "MATLAB conv")
    return _Computed(z.n - 1, max(z.i - z.n + 1, 0))


def _padded(z: _Sizes, before: int, after: int) -> _Computed:
    """A layer that zero-pads the input by ``(before, after)`` and cross-correlates."""
    length = (z.i + before + after - z.nd) // z.s + 1
    return _Computed(z.nd - 1 - before, max(length, 0), (before, after))


def _tf_same(lower: bool) -> _Rule:
    def rule(z: _Sizes) -> _Computed:
        ((before, after),) = tf_same_padding(z.i, z.n, z.s, z.d)
        if lower:
            before, after = after, before
        return _padded(z, before, after)
    return rule


def _tf_valid(z: _Sizes) -> _Computed:
    return _padded(z, 0, 0)


def _torch_fits(z: _Sizes, before: int, after: int) -> _Computed:
    if z.nd > z.i + before + after:
        raise _Refused(f"the dilated kernel ({z.nd}) is longer than the padded input "
                       f"({z.i + before + after})")
    return _padded(z, before, after)


def _torch_same(z: _Sizes) -> _Computed:
    if z.s != 1:
        raise _Refused(f"padding='same' needs stride 1, got stride={z.s}")
    ((before, after),) = same_padding(z.n, z.d)
    return _torch_fits(z, before, after)


def _torch_valid(z: _Sizes) -> _Computed:
    return _torch_fits(z, 0, 0)


def _torch_int(z: _Sizes) -> _Computed:
    return _torch_fits(z, z.p, z.p)


_FULL_LEN = "i + n − 1"
_NONE = "—"
_SWAP_NOTE = "{} swaps the inputs when the second is longer"
_SCIPY_VALID = ("scipy swaps the inputs when in2 is at least as large on every axis and "
                "raises ValueError when neither input contains the other")
_TF_TOTAL = "T = max(0, (⌈i/s⌉ − 1)·s + n̂ − i)"


def _c(function: str, mode: str, flips: bool, conj: str, start: str, length: str,
       padding: str, note: str, rule: _Rule) -> Convention:
    return Convention(function, mode, flips, conj, start, length, padding, note, rule)


#: Every convention, library by library (NumPy, scipy.signal, MATLAB, TF/JAX, PyTorch).
CONVENTIONS: tuple[Convention, ...] = (
    # NumPy (default mode: np.convolve 'full', np.correlate 'valid')
    _c("numpy.convolve", "'full'", True, "", "0", _FULL_LEN, _NONE, "the default mode",
       _full("numpy.convolve")),
    _c("numpy.convolve", "'same'", True, "", "⌊(min(i, n) − 1)/2⌋", "max(i, n)", _NONE,
       _SWAP_NOTE.format("np.convolve") + " (full is unchanged: convolution commutes)",
       _np_convolve_same),
    _c("numpy.convolve", "'valid'", True, "", "min(i, n) − 1", "|i − n| + 1", _NONE,
       _SWAP_NOTE.format("np.convolve"), _valid_swapping("numpy.convolve")),
    _c("numpy.correlate", "'full'", False, "v", "0", _FULL_LEN, _NONE,
       "np.correlate's default mode is 'valid'", _full("numpy.correlate")),
    _c("numpy.correlate", "'same'", False, "v", "⌊(n − 1)/2⌋ if n ≤ i, else ⌊i/2⌋",
       "max(i, n)", _NONE,
       "with v longer, np.correlate correlates v with a and reverses the result, so the "
       "centring flips to ⌊i/2⌋", _np_correlate_same),
    _c("numpy.correlate", "'valid'", False, "v", "min(i, n) − 1", "|i − n| + 1", _NONE,
       "the default mode; " + _SWAP_NOTE.format("np.correlate") + " (and reverses the "
       "result, so the lags stay those of full)", _valid_swapping("numpy.correlate")),
    # scipy.signal (default mode 'full'; N-d and 2-d calls: the rule on each axis)
    _c("scipy.signal.convolve", "'full'", True, "", "0", _FULL_LEN, _NONE,
       "the default mode", _full("scipy.signal.convolve")),
    _c("scipy.signal.convolve", "'same'", True, "", "⌊(n − 1)/2⌋", "i", _NONE,
       "the size of in1 even when in2 is longer", _first_shaped(
           "scipy.signal.convolve", lambda n: (n - 1) // 2)),
    _c("scipy.signal.convolve", "'valid'", True, "", "min(i, n) − 1", "|i − n| + 1", _NONE,
       _SCIPY_VALID, _valid_swapping("scipy.signal.convolve")),
    _c("scipy.signal.correlate", "'full'", False, "in2", "0", _FULL_LEN, _NONE,
       "the default mode", _full("scipy.signal.correlate")),
    _c("scipy.signal.correlate", "'same'", False, "in2", "⌊(n − 1)/2⌋", "i", _NONE,
       "the size of in1 even when in2 is longer; correlate2d centres differently",
       _first_shaped("scipy.signal.correlate", lambda n: (n - 1) // 2)),
    _c("scipy.signal.correlate", "'valid'", False, "in2", "min(i, n) − 1", "|i − n| + 1",
       _NONE, _SCIPY_VALID + " (swapped, the result is reversed and conjugated: the lags "
       "and values stay those of full)", _valid_swapping("scipy.signal.correlate")),
    _c("scipy.signal.convolve2d", "'full'", True, "", "0", _FULL_LEN, _NONE,
       "the default mode (boundary='fill', fillvalue=0)", _full("scipy.signal.convolve2d")),
    _c("scipy.signal.convolve2d", "'same'", True, "", "⌊(n − 1)/2⌋", "i", _NONE,
       "the size of in1 even when in2 is longer",
       _first_shaped("scipy.signal.convolve2d", lambda n: (n - 1) // 2)),
    _c("scipy.signal.convolve2d", "'valid'", True, "", "min(i, n) − 1", "|i − n| + 1",
       _NONE, _SCIPY_VALID, _valid_swapping("scipy.signal.convolve2d")),
    _c("scipy.signal.correlate2d", "'full'", False, "in2", "0", _FULL_LEN, _NONE,
       "the default mode (boundary='fill', fillvalue=0)",
       _full("scipy.signal.correlate2d")),
    _c("scipy.signal.correlate2d", "'same'", False, "in2", "⌊n/2⌋", "i", _NONE,
       "differs from scipy.signal.correlate(..., 'same') for an even kernel",
       _first_shaped("scipy.signal.correlate2d", lambda n: n // 2)),
    _c("scipy.signal.correlate2d", "'valid'", False, "in2", "min(i, n) − 1", "|i − n| + 1",
       _NONE, _SCIPY_VALID + "; swapped, the result is reversed but not conjugated, so "
       "complex values are the conjugates of full's (and of correlate's)",
       _valid_swapping("scipy.signal.correlate2d", conjugate_when_swapped=True)),
    # MATLAB (default shape 'full'; conv2 applies the rule on each axis)
    _c("MATLAB conv, conv2", "'full'", True, "", "0", _FULL_LEN, _NONE, "the default shape",
       _full("MATLAB conv")),
    _c("MATLAB conv, conv2", "'same'", True, "", "⌊n/2⌋", "i", _NONE,
       "the size of the first input; documented: conv([−1 2 3 −2 0 1 2], [2 4 −1 1], "
       "'same') = [15 5 −9 7 6 7 −1]", _first_shaped("MATLAB conv", lambda n: n // 2)),
    _c("MATLAB conv, conv2", "'valid'", True, "", "n − 1", "max(i − n + 1, 0)", _NONE,
       "empty when the second input is longer (no swap)", _matlab_valid),
    # TensorFlow / JAX (cross-correlation, no conjugation; any stride and dilation)
    _c("TensorFlow/JAX conv", "'SAME'", False, "", "n̂ − 1 − ⌊T/2⌋ (s = 1: ⌊n̂/2⌋)",
       "⌈i/s⌉", "(⌊T/2⌋, ⌈T/2⌉)",
       f"{_TF_TOTAL}; JAX: lax.conv_general_dilated, TF: tf.nn.conv1d/2d/3d",
       _tf_same(lower=False)),
    _c("TensorFlow/JAX conv", "'VALID'", False, "", "n̂ − 1", "max(0, ⌊(i − n̂)/s⌋ + 1)",
       "(0, 0)", "JAX returns an empty output when n̂ > i", _tf_valid),
    _c("JAX lax.conv_general_dilated", "'SAME_LOWER'", False, "",
       "n̂ − 1 − ⌈T/2⌉ (s = 1: ⌊(n̂ − 1)/2⌋)", "⌈i/s⌉", "(⌈T/2⌉, ⌊T/2⌋)",
       f"{_TF_TOTAL} as for 'SAME', the extra element before", _tf_same(lower=True)),
    # PyTorch (cross-correlation, no conjugation)
    _c("PyTorch conv1d/2d/3d", "padding='same'", False, "", "⌈d(n − 1)/2⌉ (d = 1: ⌊n/2⌋)",
       "i", "(⌊T/2⌋, ⌈T/2⌉)", "T = d(n − 1); raises for stride > 1", _torch_same),
    _c("PyTorch conv1d/2d/3d", "padding='valid'", False, "", "n̂ − 1", "⌊(i − n̂)/s⌋ + 1",
       "(0, 0)", "raises when n̂ > i", _torch_valid),
    _c("PyTorch conv1d/2d/3d", "padding=p", False, "", "n̂ − 1 − p", "⌊(i + 2p − n̂)/s⌋ + 1",
       "(p, p)", f"raises when n̂ > i + 2p; the examples use p = {_EXAMPLE_PADDING}",
       _torch_int),
)


def conventions(kernel_length: int, input_length: int, stride: int = 1, dilation: int = 1,
                padding: int = _EXAMPLE_PADDING) -> tuple[Layout, ...]:
    """Every :data:`CONVENTIONS` rule evaluated for these sizes, in table order.

    ``padding`` is PyTorch's integer padding ``p`` (used by that row only). Rows whose
    call raises for these sizes (a stride for NumPy, scipy or MATLAB, ``padding='same'``
    with a stride in PyTorch, a kernel longer than PyTorch's padded input) carry the reason
    in ``error``.

    >>> [lay.start for lay in conventions(4, 7) if lay.convention.mode == "'same'"]
    [1, 1, 1, 1, 1, 2, 2]
    >>> [lay.describe() for lay in conventions(3, 7, stride=2)
    ...  if lay.convention.mode in ("'SAME'", "'SAME_LOWER'")]
    ['full[1:9:2], pad (1, 1)', 'full[1:9:2], pad (1, 1)']
    """
    _sizes(kernel_length, input_length, stride, dilation, padding)  # reports bad arguments
    return tuple(c.layout(kernel_length, input_length, stride, dilation, padding)
                 for c in CONVENTIONS)


# --- rendering -----------------------------------------------------------------------------

_COLUMNS = ("function", "mode", "operation", "start in full", "length",
            "padding (before, after)")
_LEGEND = (
    "out[t] = full[start + s·t] for 0 ≤ t < length (entries outside full read 0); full is "
    "the library's full convolution, or full cross-correlation (kernel not flipped), with "
    "the kernel dilated to n̂ = d(n − 1) + 1 taps: length i + n̂ − 1.",
    "i: input (first argument) length; n: kernel (second argument) length; s: stride; "
    "d: dilation; p: integer padding; —: no padding (the call slices full). 2-D calls "
    "apply the rule on each axis.",
)


def _example_heading(n: int, i: int) -> str:
    return f"n = {n}, i = {i}"


def _rows() -> list[tuple[Convention, list[Layout]]]:
    return [(c, [c.layout(n, i) for n, i in EXAMPLES]) for c in CONVENTIONS]


def _cells(c: Convention, examples: list[Layout]) -> list[str]:
    return [c.function, c.mode, c.operation, c.start, c.length, c.padding,
            *(lay.describe() for lay in examples)]


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal (combining marks, as in n̂, take none)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def _numbered_notes(rows: list[tuple[Convention, list[Layout]]]) -> list[str]:
    notes: list[str] = []
    for c, _ in rows:
        if c.note not in notes:
            notes.append(c.note)
    return notes


def _text(rows: list[tuple[Convention, list[Layout]]]) -> str:
    """Aligned columns, one block per function headed by its operation."""
    notes = _numbered_notes(rows)
    header = ["mode", "start in full", "length", "padding (before, after)",
              *(_example_heading(n, i) for n, i in EXAMPLES), "note"]
    body = [[c.mode, c.start, c.length, c.padding, *(lay.describe() for lay in examples),
             f"[{notes.index(c.note) + 1}]"] for c, examples in rows]
    widths = [max(_width(row[k]) for row in [header, *body]) for k in range(len(header))]

    def line(row: list[str]) -> str:
        cells = (cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))
        return "  " + "  ".join(cells).rstrip()

    lines = [*(textwrap.fill(text, 100) for text in _LEGEND), "", line(header),
             line(["-" * w for w in widths])]
    previous = None
    for (c, _), row in zip(rows, body, strict=True):
        if c.function != previous:
            lines.append(f"{c.function} — {c.operation}")
            previous = c.function
        lines.append(line(row))
    lines += ["", "Notes:"]
    lines += [textwrap.fill(f"[{k}] {note}", 100, subsequent_indent=" " * (3 + len(str(k))))
              for k, note in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"


def _markdown(rows: list[tuple[Convention, list[Layout]]]) -> str:
    notes = _numbered_notes(rows)
    header = [*_COLUMNS, *(_example_heading(n, i) for n, i in EXAMPLES), "note"]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"

    lines = [*(f"*{text}*" for text in _LEGEND), "", line(header),
             "|" + "|".join("---" for _ in header) + "|"]
    lines += [line([*_cells(c, examples), f"[{notes.index(c.note) + 1}]"])
              for c, examples in rows]
    lines += ["", "Notes:", "", *(f"{k}. {note}" for k, note in enumerate(notes, 1))]
    return "\n".join(lines) + "\n"


def _csv(rows: list[tuple[Convention, list[Layout]]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*_COLUMNS, *(_example_heading(n, i) for n, i in EXAMPLES), "note"])
    for c, examples in rows:
        writer.writerow([*_cells(c, examples), c.note])
    return buf.getvalue()


def _layout_json(lay: Layout) -> dict[str, Any]:
    return {"kernel_length": lay.kernel_length, "input_length": lay.input_length,
            "stride": lay.stride, "dilation": lay.dilation, "padding": lay.padding,
            "start": None if lay.error else lay.start,
            "length": None if lay.error else lay.length,
            "step": lay.step, "pad": list(lay.pad) if lay.pad else None,
            "conjugated": lay.conjugated, "indices": list(lay.indices), "error": lay.error}


def _json(rows: list[tuple[Convention, list[Layout]]]) -> str:
    doc = {
        "legend": list(_LEGEND),
        "conventions": [
            {"function": c.function, "mode": c.mode, "operation": c.operation,
             "flips_kernel": c.flips_kernel, "conjugates": c.conjugates or None,
             "start": c.start, "length": c.length, "padding": c.padding, "note": c.note,
             "examples": [_layout_json(lay) for lay in examples]}
            for c, examples in rows
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def conventions_table(fmt: str = "text") -> str:
    """The conventions table, computed from :data:`CONVENTIONS` for :data:`EXAMPLES`.

    ``fmt`` is one of ``'text'`` (aligned columns and numbered notes), ``'markdown'``,
    ``'csv'`` (one header row, the notes in the last column) or ``'json'`` (each convention
    with its computed examples: start, length, step, padding and the indices into full).

    >>> import csv
    >>> rows = list(csv.reader(conventions_table("csv").splitlines()))
    >>> rows[0][6:9]
    ['n = 4, i = 7', 'n = 3, i = 7', 'n = 6, i = 4']
    >>> rows[2][:4], rows[2][6:9]
    (['numpy.convolve', "'same'", 'convolution', '⌊(min(i, n) − 1)/2⌋'], ['full[1:8]', \
'full[1:8]', 'full[1:7]'])
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        raise InvalidArgument(f"fmt must be one of {FORMATS}, got fmt={fmt!r}")
    rows = _rows()
    render = {"text": _text, "markdown": _markdown, "csv": _csv, "json": _json}[fmt]
    return render(rows)
