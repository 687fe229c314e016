"""The conventions table (convmath.numeric._conventions) against the real libraries.

Each row states where a call's output sits inside ``full`` (start, length, stride step,
padding) and whether ``full`` is a convolution or a (conjugating) cross-correlation. Here
``full`` is computed from its definition (a tap loop, below), never by the library under
test; each row's layout picks entries out of it (zeros outside), and the library's own
output must equal them, on complex data so that the flip and the conjugation both show.
NumPy and scipy run everywhere; PyTorch and JAX when installed (TensorFlow's rows are
checked through JAX, which shares them); MATLAB against its documented examples.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

import convmath.numeric._conventions as conv_mod
from convmath.errors import InvalidArgument
from convmath.numeric._conventions import (
    CONVENTIONS,
    EXAMPLES,
    FORMATS,
    Convention,
    Layout,
    conventions,
    conventions_table,
)

Runner = Callable[[np.ndarray, np.ndarray, Layout], Any]
LayoutFn = Callable[[int, int, int, int, int], Layout]


def _row(function: str, mode: str) -> Convention:
    (row,) = [c for c in CONVENTIONS if c.function == function and c.mode == mode]
    return row


def _data(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _full_convolution(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``full[k] = Σ_j x[k − j]·w[j]`` over ℤⁿ, by definition (one shifted copy per tap)."""
    out = np.zeros(tuple(a + b - 1 for a, b in zip(x.shape, w.shape, strict=True)),
                   dtype=np.result_type(x, w))
    for j in np.ndindex(*w.shape):
        out[tuple(slice(jj, jj + a) for jj, a in zip(j, x.shape, strict=True))] += x * w[j]
    return out


def _full(row: Convention, x: np.ndarray, w: np.ndarray, dilation: int = 1) -> np.ndarray:
    """The row's ``full``: convolution, or cross-correlation ``Σ_j x[k − (n̂−1) + j]·w[j]``
    (``conj(w[j])`` when the row says the library conjugates), kernel dilated."""
    if dilation > 1:  # (1-D only: the layer rows)
        dilated = np.zeros(dilation * (w.size - 1) + 1, dtype=w.dtype)
        dilated[::dilation] = w
        w = dilated
    if not row.flips_kernel:
        w = w[(slice(None, None, -1),) * w.ndim]
        if row.conjugates:
            w = np.conj(w)
    return _full_convolution(x, w)


def _pick(full: np.ndarray, layouts: list[Layout]) -> np.ndarray:
    """``full`` at each axis' layout indices (0 outside full; conjugated if a layout says so)."""
    picked = full
    for axis, lay in enumerate(layouts):
        idx = np.array(lay.indices, dtype=np.intp)
        inside = (idx >= 0) & (idx < full.shape[axis])
        picked = np.take(picked, np.clip(idx, 0, max(full.shape[axis] - 1, 0)), axis=axis)
        shape = [1] * full.ndim
        shape[axis] = idx.size
        picked = picked * inside.reshape(shape)
    return np.conj(picked) if any(lay.conjugated for lay in layouts) else picked


def _mismatches(row: Convention, run: Runner, cases: Iterable[tuple[int, ...]],
                layout: LayoutFn | None = None, seed: int = 0,
                raises: Callable[[tuple[int, ...]], bool] | None = None) -> list[str]:
    """Every case (per axis ``(n, i)`` pairs, then stride, dilation, padding) where the
    library disagrees with the row. ``layout`` replaces the row's rule (to test this
    checker); ``raises`` adds a whole-call error rule (scipy 2-D 'valid')."""
    rng = np.random.default_rng(seed)
    get = layout or (lambda n, i, s, d, p: row.layout(n, i, s, d, p))
    found = []
    for case in cases:
        *axes, s, d, p = case
        pairs = list(zip(axes[0::2], axes[1::2], strict=True))
        lays = [get(n, i, s, d, p) for n, i in pairs]
        x = _data(rng, tuple(i for _, i in pairs))
        w = _data(rng, tuple(n for n, _ in pairs))
        should_raise = any(lay.error for lay in lays) or bool(raises and raises(case))
        try:
            out = np.asarray(run(x, w, lays[0]))
        except Exception as exc:
            if not should_raise:
                found.append(f"{case}: raised {exc!r}")
            continue
        if should_raise:
            found.append(f"{case}: returned shape {out.shape}, the row says it raises")
            continue
        expected = _pick(_full(row, x, w, d), lays)
        if out.shape != expected.shape:
            found.append(f"{case}: shape {out.shape}, the row says {expected.shape}")
        elif not np.allclose(out, expected, rtol=1e-4, atol=1e-4):
            found.append(f"{case}: values differ")
    return found


def _cases_1d(kernels: Iterable[int] = range(1, 8), inputs: Iterable[int] = range(1, 8),
              strides: Iterable[int] = (1,), dilations: Iterable[int] = (1,),
              paddings: Iterable[int] = (1,)) -> list[tuple[int, ...]]:
    return list(itertools.product(kernels, inputs, strides, dilations, paddings))


# --- NumPy and scipy, exhaustively in 1-D (kernels shorter, equal and longer) --------------

MODES = ("full", "same", "valid")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_numpy_rows_match_numpy(name: str, mode: str) -> None:
    fn = getattr(np, name)
    row = _row(f"numpy.{name}", f"'{mode}'")
    assert _mismatches(row, lambda x, w, _: fn(x, w, mode), _cases_1d()) == []


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_scipy_rows_match_scipy_1d(name: str, mode: str, method: str) -> None:
    fn = getattr(scipy.signal, name)
    row = _row(f"scipy.signal.{name}", f"'{mode}'")
    assert _mismatches(row, lambda x, w, _: fn(x, w, mode, method=method), _cases_1d()) == []


def _scipy_valid_raises(case: tuple[int, ...]) -> bool:
    """scipy 'valid' in N-d: one input must contain the other on every axis."""
    n1, i1, n2, i2 = case[:4]
    return not (n1 <= i1 and n2 <= i2) and not (n1 >= i1 and n2 >= i2)


@settings(max_examples=60)
@given(st.lists(st.integers(1, 6), min_size=4, max_size=4), st.integers(0, 2**32 - 1))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("function", ["convolve2d", "correlate2d", "convolve", "correlate"])
def test_scipy_rows_match_scipy_per_axis_in_2d(function: str, mode: str, sizes: list[int],
                                               seed: int) -> None:
    fn = getattr(scipy.signal, function)
    row = _row(f"scipy.signal.{function}", f"'{mode}'")
    case = (*sizes, 1, 1, 1)
    raises = _scipy_valid_raises if mode == "valid" else None
    assert _mismatches(row, lambda x, w, _: fn(x, w, mode), [case], seed=seed,
                       raises=raises) == []


def test_correlate2d_valid_with_swapped_inputs_conjugates() -> None:
    """The quirk the correlate2d 'valid' row records, shown directly: swapped, scipy's
    correlate2d returns the conjugate of scipy.signal.correlate's values."""
    rng = np.random.default_rng(1)
    x, w = _data(rng, (2, 3)), _data(rng, (4, 5))
    assert _row("scipy.signal.correlate2d", "'valid'").layout(4, 2).conjugated
    got = scipy.signal.correlate2d(x, w, "valid")
    want = scipy.signal.correlate(x, w, "valid")
    assert not np.allclose(got, want)
    np.testing.assert_allclose(got, np.conj(want))
    assert not _row("scipy.signal.correlate", "'valid'").layout(4, 2).conjugated


# --- MATLAB: its documented examples --------------------------------------------------------

def _matlab(row: Convention, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """What the MATLAB row says conv/conv2(u, v, mode) returns (u, v 1-D or 2-D)."""
    full = _full_convolution(u, v)
    return _pick(full, [row.layout(n, i) for n, i in zip(v.shape, u.shape, strict=True)])


def test_matlab_rows_reproduce_the_matlab_documentation() -> None:
    u = np.array([-1, 2, 3, -2, 0, 1, 2])
    v = np.array([2, 4, -1, 1])
    # MATLAB's conv page, "Central Part of Convolution"
    np.testing.assert_array_equal(_matlab(_row("MATLAB conv, conv2", "'same'"), u, v),
                                  [15, 5, -9, 7, 6, 7, -1])
    # ... and conv2 of the same data as 1×7 and 1×4 matrices
    np.testing.assert_array_equal(
        _matlab(_row("MATLAB conv, conv2", "'same'"), u[None, :], v[None, :]),
        [[15, 5, -9, 7, 6, 7, -1]])
    # MATLAB's conv page, "Vector Convolution": conv([1 0 1], [2 7]) = [2 7 2 7]
    np.testing.assert_array_equal(
        _matlab(_row("MATLAB conv, conv2", "'full'"), np.array([1, 0, 1]), np.array([2, 7])),
        [2, 7, 2, 7])
    # and the NumPy row, like NumPy itself, gives the other centring on the same data
    numpy_same = _pick(_full_convolution(u, v), [_row("numpy.convolve", "'same'").layout(4, 7)])
    np.testing.assert_array_equal(numpy_same, [0, 15, 5, -9, 7, 6, 7])
    np.testing.assert_array_equal(np.convolve(u, v, "same"), [0, 15, 5, -9, 7, 6, 7])


def test_matlab_conv2_same_with_an_even_kernel_height() -> None:
    """conv2(g, f, 'same') for a 2×3 kernel f, as printed in a MATLAB textbook example
    (quoted in endolith's gist 4303970, "SciPy convolve2d vs Matlab conv2 'same' mode");
    scipy's convolve2d starts one row earlier."""
    f = np.array([[2, 3, 4], [1, 6, 7]])
    g = np.array([[9, 1, 0], [2, 5, 8], [1, 3, 3]])
    want = [[71, 108, 51], [26, 71, 104], [9, 28, 39]]
    np.testing.assert_array_equal(_matlab(_row("MATLAB conv, conv2", "'same'"), g, f), want)
    assert not np.array_equal(scipy.signal.convolve2d(g, f, "same"), want)


def test_matlab_valid_is_empty_not_swapped_for_a_longer_kernel() -> None:
    lay = _row("MATLAB conv, conv2", "'valid'").layout(5, 3)
    assert lay.error is None and lay.length == 0
    assert _row("numpy.convolve", "'valid'").layout(5, 3).length == 3  # numpy swaps


# --- PyTorch and JAX ------------------------------------------------------------------------

# PyTorch warns that 'same' with an even kernel may copy the input: not what is tested here
_TORCH_SAME_WARNING = "ignore:Using padding='same':UserWarning"
TORCH_PADDING = {"padding='same'": "same", "padding='valid'": "valid", "padding=p": None}


@pytest.mark.filterwarnings(_TORCH_SAME_WARNING)
@pytest.mark.parametrize("mode", list(TORCH_PADDING))
def test_pytorch_rows_match_conv1d(mode: str) -> None:
    torch = pytest.importorskip("torch")
    row = _row("PyTorch conv1d/2d/3d", mode)

    def run(x: np.ndarray, w: np.ndarray, lay: Layout) -> np.ndarray:
        padding = TORCH_PADDING[mode] or lay.padding
        with torch.no_grad():
            out = torch.nn.functional.conv1d(
                torch.from_numpy(x).reshape(1, 1, -1), torch.from_numpy(w).reshape(1, 1, -1),
                stride=lay.stride, padding=padding, dilation=lay.dilation)
        return out.reshape(-1).numpy()

    cases = _cases_1d(range(1, 7), range(1, 8), (1, 2, 3), (1, 2), (0, 1, 3))
    assert _mismatches(row, run, cases) == []


JAX_CASES = [(4, 7, 1, 1), (3, 7, 2, 1), (6, 4, 1, 1), (2, 5, 3, 2), (5, 2, 2, 1)]


@pytest.mark.parametrize("mode", ["'SAME'", "'SAME_LOWER'", "'VALID'"])
def test_tf_jax_rows_match_lax_conv(mode: str) -> None:
    jnp = pytest.importorskip("jax.numpy")
    from jax import lax

    row = next(c for c in CONVENTIONS if c.mode == mode)

    def run(x: np.ndarray, w: np.ndarray, lay: Layout) -> np.ndarray:
        out = lax.conv_general_dilated(
            jnp.asarray(x.reshape(1, 1, -1), jnp.complex64),
            jnp.asarray(w.reshape(1, 1, -1), jnp.complex64),
            (lay.stride,), mode.strip("'"), rhs_dilation=(lay.dilation,))
        return np.asarray(out).reshape(-1)

    cases = [(n, i, s, d, 0) for n, i, s, d in JAX_CASES]
    assert _mismatches(row, run, cases) == []


# --- the checker catches wrong conventions --------------------------------------------------

def test_checker_catches_matlab_centring_claimed_for_numpy() -> None:
    """Claim ⌊n/2⌋ (MATLAB's start) for np.convolve 'same': every even kernel fails, and
    only even kernels (for odd n the two centrings agree)."""
    row = _row("numpy.convolve", "'same'")

    def wrong(n: int, i: int, s: int, d: int, p: int) -> Layout:
        return dataclasses.replace(row.layout(n, i, s, d, p), start=n // 2)

    cases = _cases_1d(range(1, 8), range(7, 9))
    bad = _mismatches(row, lambda x, w, _: np.convolve(x, w, "same"), cases, layout=wrong)
    failing = {int(re.match(r"\((\d+),", b).group(1)) for b in bad}  # type: ignore[union-attr]
    assert failing == {2, 4, 6}
    assert _mismatches(row, lambda x, w, _: np.convolve(x, w, "same"), cases) == []


def test_checker_catches_a_wrong_conjugation_or_flip() -> None:
    correlate = _row("numpy.correlate", "'full'")
    run = lambda x, w, _: np.correlate(x, w, "full")  # noqa: E731
    cases = _cases_1d(range(1, 4), range(1, 4))
    assert _mismatches(correlate, run, cases) == []
    no_conj = dataclasses.replace(correlate, conjugates="")
    assert len(_mismatches(no_conj, run, cases)) == len(cases)
    flipped = dataclasses.replace(correlate, flips_kernel=True)
    # (a one-tap kernel is its own flip, but conj still differs on complex data)
    assert len(_mismatches(flipped, run, cases)) == len(cases)


@pytest.mark.filterwarnings(_TORCH_SAME_WARNING)
def test_checker_catches_pytorch_padding_on_the_wrong_side() -> None:
    torch = pytest.importorskip("torch")
    row = _row("PyTorch conv1d/2d/3d", "padding='same'")

    def wrong(n: int, i: int, s: int, d: int, p: int) -> Layout:  # extra element before
        lay = row.layout(n, i, s, d, p)
        before, after = lay.pad or (0, 0)
        return dataclasses.replace(lay, start=lay.start - (after - before), pad=(after, before))

    def run(x: np.ndarray, w: np.ndarray, _: Layout) -> np.ndarray:
        return torch.nn.functional.conv1d(
            torch.from_numpy(x).reshape(1, 1, -1), torch.from_numpy(w).reshape(1, 1, -1),
            padding="same").reshape(-1).numpy()

    cases = _cases_1d(range(1, 6), (6,))
    bad = _mismatches(row, run, cases, layout=wrong)
    assert {b.split(",")[0] for b in bad} == {"(2", "(4"}


# --- the table --------------------------------------------------------------------------------

def test_every_row_is_checked_against_a_library_or_the_documentation() -> None:
    checked = (
        [("numpy." + f, f"'{m}'") for f in ("convolve", "correlate") for m in MODES]
        + [("scipy.signal." + f, f"'{m}'") for f in ("convolve", "correlate", "convolve2d",
                                                      "correlate2d") for m in MODES]
        + [("MATLAB conv, conv2", f"'{m}'") for m in MODES]
        + [("TensorFlow/JAX conv", "'SAME'"), ("TensorFlow/JAX conv", "'VALID'"),
           ("JAX lax.conv_general_dilated", "'SAME_LOWER'")]
        + [("PyTorch conv1d/2d/3d", m) for m in TORCH_PADDING]
    )
    assert sorted((c.function, c.mode) for c in CONVENTIONS) == sorted(checked)


def test_text_table_is_computed_from_the_conventions(monkeypatch: pytest.MonkeyPatch) -> None:
    text = conventions_table()
    assert text == conventions_table("text")
    for n, i in EXAMPLES:
        assert f"n = {n}, i = {i}" in text
    lines = text.splitlines()
    for row in CONVENTIONS:
        cells = [row.mode, row.start, *(row.layout(n, i).describe() for n, i in EXAMPLES)]
        assert any(all(cell in line for cell in cells) for line in lines), row
    # other example sizes give other cells: nothing is typed in
    monkeypatch.setattr(conv_mod, "EXAMPLES", ((10, 13),))
    other = conventions_table()
    assert "n = 10, i = 13" in other and "n = 4, i = 7" not in other
    assert "full[5:18]" in other  # MATLAB 'same': ⌊10/2⌋ = 5, length 13


def test_text_table_columns_line_up() -> None:
    import unicodedata

    def width(s: str) -> int:
        return sum(0 if unicodedata.combining(ch) else 1 for ch in s)

    lines = conventions_table().splitlines()
    start = next(k for k, line in enumerate(lines) if line.lstrip().startswith("mode "))
    rows = [line for line in lines[start:lines.index("Notes:")] if line.startswith("  ")]
    col = [width(line[:line.index("[")]) for line in rows if line.rstrip().endswith("]")]
    assert len(col) == len(CONVENTIONS) and len(set(col)) == 1  # the note column aligns


def test_markdown_table() -> None:
    lines = conventions_table("markdown").splitlines()
    header = next(k for k, line in enumerate(lines) if line.startswith("| function |"))
    assert re.fullmatch(r"\|(---\|)+", lines[header + 1])
    assert lines[header + 1].count("---") == lines[header].count(" | ") + 1
    body = [line for line in lines[header + 2:] if line.startswith("|")]
    assert len(body) == len(CONVENTIONS)
    numpy_valid = next(line for line in body if "numpy.convolve | 'valid'" in line)
    assert r"\|i − n\| + 1" in numpy_valid  # a '|' inside a cell is escaped


def test_csv_round_trip() -> None:
    rows = list(csv.reader(io.StringIO(conventions_table("csv"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["function", "mode", "operation"] and header[-1] == "note"
    assert len(body) == len(CONVENTIONS)
    for row, c in zip(body, CONVENTIONS, strict=True):
        assert len(row) == len(header)
        assert row[:2] == [c.function, c.mode] and row[3:6] == [c.start, c.length, c.padding]
        assert row[-1] == c.note
        assert row[6:-1] == [c.layout(n, i).describe() for n, i in EXAMPLES]


def test_json_round_trip() -> None:
    doc = json.loads(conventions_table("json"))
    assert len(doc["conventions"]) == len(CONVENTIONS)
    for entry, c in zip(doc["conventions"], CONVENTIONS, strict=True):
        assert (entry["function"], entry["mode"], entry["flips_kernel"]) == (
            c.function, c.mode, c.flips_kernel)
        for ex, (n, i) in zip(entry["examples"], EXAMPLES, strict=True):
            lay = c.layout(n, i)
            assert (ex["kernel_length"], ex["input_length"]) == (n, i)
            if lay.error:
                assert ex["start"] is None and ex["indices"] == [] and ex["error"]
            else:
                assert ex["indices"] == list(range(lay.start, lay.start + lay.length))


@pytest.mark.parametrize("fmt", ["TEXT", "html", "", None, 3, ("text",)])
def test_bad_format_is_refused(fmt: Any) -> None:
    with pytest.raises(InvalidArgument, match=r"fmt.*" + re.escape(repr(fmt))):
        conventions_table(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(fmt: str) -> None:
    out = conventions_table(fmt)
    assert out.endswith("\n") and "numpy.correlate" in out and "'SAME_LOWER'" in out


@pytest.mark.parametrize("kwargs", [
    {"kernel_length": 0}, {"input_length": 0}, {"stride": 0}, {"dilation": True},
    {"padding": -1}, {"kernel_length": 2.0},
])
def test_bad_sizes_are_refused(kwargs: dict[str, Any]) -> None:
    args = {"kernel_length": 3, "input_length": 7} | kwargs
    name = next(iter(kwargs))
    with pytest.raises(InvalidArgument, match=name):
        conventions(**args)


def test_stride_is_refused_by_the_signal_rows_only() -> None:
    errors = {(lay.convention.function, lay.convention.mode): lay.error
              for lay in conventions(3, 7, stride=2)}
    assert errors[("numpy.convolve", "'same'")]
    assert errors[("MATLAB conv, conv2", "'same'")]
    assert errors[("PyTorch conv1d/2d/3d", "padding='same'")]
    assert errors[("TensorFlow/JAX conv", "'SAME'")] is None
    assert errors[("PyTorch conv1d/2d/3d", "padding=p")] is None
