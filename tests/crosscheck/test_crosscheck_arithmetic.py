"""Convolution arithmetic, exhaustively: brute force ↔ formulas ↔ convmath's layers ↔ PyTorch.

For every 1-D combination of input length i ≤ 40, kernel k ≤ 7, stride s ≤ 4, padding
p ≤ 3 and dilation d ≤ 3 (valid or not), four answers to "how long is the output?" must
agree:

a) a brute-force count written from first principles (arith_brute.py: the windows are
   enumerated one by one, no closed form);
b) convmath.numeric's formulas ``conv_output_size``, ``pool_output_size`` (floor and ceil
   mode) and ``conv_transpose_output_size`` (every output_padding);
c) the shapes of the arrays convmath.numeric's ``conv``, ``conv_transpose`` (every legal
   output_padding, 0 ≤ op < max(s, d), and the first illegal one), ``max_pool1d`` and
   ``avg_pool1d`` (ceil_mode off and on) actually return;
d) PyTorch (``conv1d``, ``conv_transpose1d``, ``max_pool1d``, ``avg_pool1d``), run on tiny
   float64 tensors with one thread.

Where the brute force says there is no output (the window does not fit, the crop removes
everything, output_padding too large, pooling padding over half the kernel), convmath must
raise InvalidArgument and PyTorch RuntimeError. One documented difference is mapped, not
hidden: a dilated max-pooling window that holds no input element at all is refused by
convmath (``_pool.py``: PyTorch returns −∞ with an aliased index there) while PyTorch
returns an output of the brute-force size. PyTorch's avg_pool3d (not 1-D/2-D, not max
pooling) also refuses an input smaller than the kernel on some axis, padding not counted
("input image ... smaller than kernel size"); convmath's avg_pool3d returns the brute-force
shape there — an undocumented difference, mapped in the 3-D sample. A 2-D/3-D sample
with different parameters per axis checks that the layers apply the 1-D rule axis by axis.

Transposed convolution: the output length is the extent of the scatter (arith_brute.py),
and the forward convolution maps it back: ``conv_output_size(conv_transpose_output_size(i,
op)) == i + op // s`` — so i exactly for op < s, but **not** for the legal op with
s ≤ op < d (dilation larger than stride), which PyTorch accepts too; the input sizes that a
convolution maps to i are exactly the transposed sizes with op < s.

Receptive fields: for stacks of 1–3 conv/pool layers, the input positions whose gradient
(convmath's ``conv_input_grad``/``avg_pool_grad`` with all-ones kernels, one-hot output
gradient) is nonzero are the positions reachable through the windows (brute force), always
inside the predicted set start + t·jump + {Σ d_l·m_l·j_{l−1}}, equal to it whenever no
intermediate level is clipped by padding, with span r = 1 + Σ d_l(k_l − 1)·j_{l−1} for
outputs whose window lies inside the input. The predicted set is *not* always exact: a
position reachable only through a padded (zero) intermediate position is in it but gets no
gradient (see test_predicted_set_overcounts_when_padding_clips_an_intermediate_level).

Profiles (CONVMATH_PROFILE): ``ci`` and ``thorough`` run the full grid in every test; ``dev``
runs the full grid for the formulas and a deterministic subset of input lengths
(:data:`DEV_INPUTS`, every kernel/stride/padding/dilation) for the layer calls, which cost
~0.1 ms each, and smaller 2-D/3-D and receptive-field samples.
"""

from __future__ import annotations

import itertools
import os
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import pytest
from arith_brute import (
    DILATIONS,
    INPUTS,
    KERNELS,
    PADDINGS,
    STRIDES,
    Layer,
    conv_count,
    grid,
    pool_count,
    pool_empty_windows,
    predicted,
    reachable,
    recurrence,
    sizes,
    transpose_extent,
    unclipped_levels,
)

from convmath import numeric
from convmath.errors import InvalidArgument

# the dev profile's input lengths for the layer calls: the small ones, where windows, crops
# and ceil-mode corrections change with every step, and a spread of larger ones
DEV_INPUTS = (*range(1, 13), 15, 16, 19, 24, 29, 33, 40)

Shape = tuple[int, ...]
Outcome = Shape | str  # the spatial output shape, or the name of the exception raised
ERROR = "error"  # the brute force's verdict: no output


def full_grid() -> bool:
    return (os.environ.get("CONVMATH_PROFILE") or "dev") != "dev"


def layer_inputs() -> Sequence[int] | range:
    return INPUTS if full_grid() else DEV_INPUTS


@pytest.fixture
def torch1() -> Iterator[Any]:
    """PyTorch with one intra-op thread (restored afterwards)."""
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield torch
    finally:
        torch.set_num_threads(old)


def run_convmath(fn: Callable[[], Any]) -> Outcome:
    """The spatial shape ``fn`` returns, or "InvalidArgument"; any other exception escapes."""
    try:
        return tuple(int(v) for v in fn().shape[2:])
    except InvalidArgument:
        return "InvalidArgument"


def run_torch(fn: Callable[[], Any]) -> Outcome:
    try:
        return tuple(int(v) for v in fn().shape[2:])
    except (RuntimeError, ValueError) as err:
        return type(err).__name__


def expected_shape(counts: Iterable[int]) -> Outcome:
    """Per-axis brute-force counts as a shape, or ERROR if any axis has none."""
    shape = tuple(counts)
    return ERROR if any(n <= 0 for n in shape) else shape


def agree(expected: Outcome, got: Outcome, error_name: str) -> bool:
    return got == (error_name if expected == ERROR else expected)


def report(bad: list[str], checked: int, what: str) -> str:
    head = f"{len(bad)} of {checked} {what} disagree; first ones:\n"
    return head + "\n".join(bad[:15])


# -- a) ↔ b): the formulas against the brute force, full grid in every profile ----------------


def formula_mismatches(
    formula: Callable[..., int], brute: Callable[..., int], cases: Iterable[tuple[int, ...]]
) -> tuple[list[str], int]:
    """Compare ``formula(*case)`` (an int, or InvalidArgument for no output) with
    ``brute(*case)`` (a count, ≤ 0 for no output) on every case; returns the mismatches and
    the number of cases."""
    bad = []
    n = 0
    for case in cases:
        n += 1
        want = brute(*case)
        try:
            got: int | str = formula(*case)
        except InvalidArgument:
            got = "InvalidArgument"
        if (want <= 0 and got != "InvalidArgument") or (want > 0 and got != want):
            bad.append(f"{case}: brute force {want if want > 0 else ERROR}, formula {got!r}")
    return bad, n


def brute_pool(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """Pool output count, with PyTorch's padding rule p ≤ k/2 (undilated k) as an error."""
    return 0 if 2 * p > k else pool_count(i, k, s, p, d, ceil)


def brute_transpose(i: int, k: int, s: int, p: int, d: int, op: int) -> int:
    """Transposed output length, with PyTorch's rule op < max(s, d) as an error."""
    return 0 if op >= max(s, d) else transpose_extent(i, k, s, p, d, op)


def pool_cases() -> Iterator[tuple[int, int, int, int, int, bool]]:
    return ((*c, ceil) for c in grid() for ceil in (False, True))


def transpose_cases() -> Iterator[tuple[int, int, int, int, int, int]]:
    # every legal output_padding and the first illegal one
    return ((i, k, s, p, d, op) for i, k, s, p, d in grid() for op in range(max(s, d) + 1))


def test_conv_output_size_counts_the_windows() -> None:
    def formula(i: int, k: int, s: int, p: int, d: int) -> int:
        return numeric.conv_output_size(i, k, stride=s, padding=p, dilation=d)

    bad, n = formula_mismatches(formula, conv_count, grid())
    assert n == 40 * 7 * 4 * 4 * 3
    assert not bad, report(bad, n, "conv_output_size cases")


def test_pool_output_size_counts_the_windows() -> None:
    def formula(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
        return numeric.pool_output_size(i, k, stride=s, padding=p, dilation=d, ceil_mode=ceil)

    bad, n = formula_mismatches(formula, brute_pool, pool_cases())
    assert n == 2 * 40 * 7 * 4 * 4 * 3
    assert not bad, report(bad, n, "pool_output_size cases")
    # stride defaults to the kernel size
    default, n = formula_mismatches(
        lambda i, k, p, ceil: numeric.pool_output_size(i, k, padding=p, ceil_mode=ceil),
        lambda i, k, p, ceil: brute_pool(i, k, k, p, 1, ceil),
        ((i, k, p, c) for i in INPUTS for k in KERNELS for p in PADDINGS
         for c in (False, True)),
    )
    assert not default, report(default, n, "pool_output_size cases with the default stride")


def test_conv_transpose_output_size_is_the_scatter_extent() -> None:
    def formula(i: int, k: int, s: int, p: int, d: int, op: int) -> int:
        return numeric.conv_transpose_output_size(i, k, stride=s, padding=p,
                                                  output_padding=op, dilation=d)

    bad, n = formula_mismatches(formula, brute_transpose, transpose_cases())
    assert n > 40 * 7 * 4 * 4 * 3 * 2
    assert not bad, report(bad, n, "conv_transpose_output_size cases")


def test_transposed_size_round_trips_through_the_forward_count() -> None:
    """conv_count(transposed size) == i + op // s for every legal op (so i iff op < s), and
    the input sizes a convolution maps to i are exactly the transposed sizes with op < s."""
    bad = []
    n = 0
    preimages: dict[tuple[int, ...], dict[int, set[int]]] = {}
    for k, s, p, d in itertools.product(KERNELS, STRIDES, PADDINGS, DILATIONS):
        # every input length j that could map to some i ≤ 40, by its window count
        table = preimages[k, s, p, d] = defaultdict(set)
        for j in range(1, s * (max(INPUTS) + 1) + d * (k - 1) + 1):
            table[conv_count(j, k, s, p, d)].add(j)
    for i, k, s, p, d in grid():
        preimage = preimages[k, s, p, d][i]
        from_transpose = set()
        for op in range(max(s, d)):
            o = transpose_extent(i, k, s, p, d, op)
            if o <= 0:
                continue
            n += 1
            back = numeric.conv_output_size(
                numeric.conv_transpose_output_size(i, k, s, p, op, d), k, s, p, d)
            if back != conv_count(o, k, s, p, d) or back != i + op // s:
                bad.append(f"i={i} k={k} s={s} p={p} d={d} op={op}: transposed {o}, "
                           f"back to {back}, expected {i + op // s}")
            if op < s:
                from_transpose.add(o)
        if preimage != from_transpose:
            bad.append(f"i={i} k={k} s={s} p={p} d={d}: conv maps {sorted(preimage)} to i, "
                       f"transposed sizes with op < s are {sorted(from_transpose)}")
    assert not bad, report(bad, n, "round trips")
    # the legal op ≥ s (dilation > stride) does not round trip: 5 → 10 → 6 (k=3, s=1,
    # p=0, d=2, op=1), and PyTorch accepts that op
    assert transpose_extent(5, 3, 1, 0, 2, 1) == 10 and conv_count(10, 3, 1, 0, 2) == 6
    assert numeric.conv_transpose_output_size(5, 3, 1, 0, 1, 2) == 10
    assert numeric.conv_output_size(10, 3, 1, 0, 2) == 6


# -- c) ↔ d): the layers' actual shapes and errors against the brute force and PyTorch -------


def check_layer(
    cases: Iterable[tuple[tuple[Any, ...], Outcome]],
    ours: Callable[..., Any],
    theirs: Callable[..., Any] | None,
    known: Callable[[tuple[Any, ...]], tuple[Outcome, Outcome] | None] = lambda case: None,
) -> tuple[list[str], Counter[tuple[str, str, str]]]:
    """Run ``ours(*case)`` and ``theirs(*case)`` for every ``(case, expected)``.

    Expected is a shape or ERROR (then convmath must raise InvalidArgument and PyTorch
    RuntimeError). ``known(case)`` may name a known difference, ``(convmath's outcome,
    PyTorch's outcome)`` replacing the expectation for that case. Returns the mismatches and
    a count of (verdict, convmath, torch) outcome kinds.
    """
    bad = []
    kinds: Counter[tuple[str, str, str]] = Counter()
    for case, want in cases:
        got = run_convmath(partial(ours, *case))
        ref = run_torch(partial(theirs, *case)) if theirs is not None else None
        special = known(case)
        if special is not None:
            ok = got == special[0] and (ref is None or ref == special[1])
        else:
            ok = agree(want, got, "InvalidArgument") and (
                ref is None or agree(want, ref, "RuntimeError"))
        kinds[("error" if want == ERROR else "shape",
               got if isinstance(got, str) else "shape",
               "-" if ref is None else ref if isinstance(ref, str) else "shape")] += 1
        if not ok:
            bad.append(f"{case}: brute force {want}, convmath {got}, torch {ref}"
                       + (f" (known difference: {special})" if special else ""))
    return bad, kinds


def _x(shape: Sequence[int]) -> np.ndarray:
    return np.zeros((1, 1, *shape))


def _t(torch: Any, shape: Sequence[int]) -> Any:
    return torch.zeros((1, 1, *shape), dtype=torch.float64)


def test_conv_shapes_match_brute_force_and_torch(torch1: Any) -> None:
    F = torch1.nn.functional
    xs = {i: _x((i,)) for i in INPUTS}
    ws = {k: np.ones((1, 1, k)) for k in KERNELS}
    txs = {i: _t(torch1, (i,)) for i in INPUTS}
    tws = {k: torch1.ones((1, 1, k), dtype=torch1.float64) for k in KERNELS}
    cases = [((i, k, s, p, d), expected_shape([conv_count(i, k, s, p, d)]))
             for i, k, s, p, d in grid(layer_inputs())]
    bad, kinds = check_layer(
        cases,
        lambda i, k, s, p, d: numeric.conv(xs[i], ws[k], stride=s, padding=p, dilation=d),
        lambda i, k, s, p, d: F.conv1d(txs[i], tws[k], stride=s, padding=p, dilation=d),
    )
    assert not bad, report(bad, len(cases), "conv1d cases")
    assert set(kinds) == {("shape", "shape", "shape"),
                          ("error", "InvalidArgument", "RuntimeError")}, kinds


def test_conv_transpose_shapes_match_brute_force_and_torch(torch1: Any) -> None:
    """Every legal output_padding (0 ≤ op < max(s, d)) and the first illegal one."""
    F = torch1.nn.functional
    xs = {i: _x((i,)) for i in INPUTS}
    ws = {k: np.ones((1, 1, k)) for k in KERNELS}
    txs = {i: _t(torch1, (i,)) for i in INPUTS}
    tws = {k: torch1.ones((1, 1, k), dtype=torch1.float64) for k in KERNELS}
    cases = [((i, k, s, p, d, op), expected_shape([brute_transpose(i, k, s, p, d, op)]))
             for i, k, s, p, d in grid(layer_inputs()) for op in range(max(s, d) + 1)]
    bad, kinds = check_layer(
        cases,
        lambda i, k, s, p, d, op: numeric.conv_transpose(
            xs[i], ws[k], stride=s, padding=p, output_padding=op, dilation=d),
        lambda i, k, s, p, d, op: F.conv_transpose1d(
            txs[i], tws[k], stride=s, padding=p, output_padding=op, dilation=d),
    )
    assert not bad, report(bad, len(cases), "conv_transpose1d cases")
    assert set(kinds) == {("shape", "shape", "shape"),
                          ("error", "InvalidArgument", "RuntimeError")}, kinds


def _pool_cases(dilations: Iterable[int]) -> list[tuple[tuple[Any, ...], Outcome]]:
    return [((i, k, s, p, d, ceil), expected_shape([brute_pool(i, k, s, p, d, ceil)]))
            for i in layer_inputs() for k in KERNELS for s in STRIDES for p in PADDINGS
            for d in dilations for ceil in (False, True)]


def _empty_window(case: tuple[Any, ...]) -> tuple[Outcome, Outcome] | None:
    """A max-pooling window with no input element: convmath refuses it, PyTorch returns
    an output of the brute-force size (documented in convmath/numeric/_pool.py)."""
    i, k, s, p, d, ceil = case
    n = brute_pool(i, k, s, p, d, ceil)
    if n > 0 and pool_empty_windows(i, k, s, p, d, n):
        return "InvalidArgument", (n,)
    return None


def test_max_pool_shapes_match_brute_force_and_torch(torch1: Any) -> None:
    F = torch1.nn.functional
    xs = {i: _x((i,)) for i in INPUTS}
    txs = {i: _t(torch1, (i,)) for i in INPUTS}
    cases = _pool_cases(DILATIONS)
    bad, kinds = check_layer(
        cases,
        lambda i, k, s, p, d, ceil: numeric.max_pool1d(xs[i], k, s, p, d, ceil),
        lambda i, k, s, p, d, ceil: F.max_pool1d(txs[i], k, s, p, d, ceil),
        _empty_window,
    )
    assert not bad, report(bad, len(cases), "max_pool1d cases")
    assert set(kinds) == {("shape", "shape", "shape"),
                          ("shape", "InvalidArgument", "shape"),  # the empty windows
                          ("error", "InvalidArgument", "RuntimeError")}, kinds


def test_avg_pool_shapes_match_brute_force_and_torch(torch1: Any) -> None:
    F = torch1.nn.functional
    xs = {i: _x((i,)) for i in INPUTS}
    txs = {i: _t(torch1, (i,)) for i in INPUTS}
    cases = _pool_cases([1])
    bad, kinds = check_layer(
        cases,
        lambda i, k, s, p, d, ceil: numeric.avg_pool1d(xs[i], k, s, p, ceil),
        lambda i, k, s, p, d, ceil: F.avg_pool1d(txs[i], k, s, p, ceil),
    )
    assert not bad, report(bad, len(cases), "avg_pool1d cases")
    assert set(kinds) == {("shape", "shape", "shape"),
                          ("error", "InvalidArgument", "RuntimeError")}, kinds


def test_empty_inputs_raise_in_both(torch1: Any) -> None:
    """A length-0 spatial axis is an error for every layer, whatever the padding."""
    F = torch1.nn.functional
    x, tx = _x((0,)), _t(torch1, (0,))
    bad = []
    n = 0
    for k, s, p, d in [(1, 1, 0, 1), (1, 1, 1, 1), (3, 2, 2, 1), (2, 1, 1, 2)]:
        w, tw = np.ones((1, 1, k)), torch1.ones((1, 1, k), dtype=torch1.float64)
        pairs = [
            (partial(numeric.conv, x, w, stride=s, padding=p, dilation=d),
             partial(F.conv1d, tx, tw, stride=s, padding=p, dilation=d)),
            (partial(numeric.conv_transpose, x, w, stride=s, padding=p, dilation=d),
             partial(F.conv_transpose1d, tx, tw, stride=s, padding=p, dilation=d)),
        ]
        if 2 * p <= k:
            pairs += [
                (partial(numeric.max_pool1d, x, k, s, p, d), partial(F.max_pool1d, tx, k, s, p, d)),
                (partial(numeric.avg_pool1d, x, k, s, p, True),
                 partial(F.avg_pool1d, tx, k, s, p, True)),
            ]
        for ours, theirs in pairs:
            n += 1
            got, ref = run_convmath(ours), run_torch(theirs)
            if (got, ref) != ("InvalidArgument", "RuntimeError"):
                bad.append(f"k={k} s={s} p={p} d={d}: convmath {got}, torch {ref}")
    assert not bad, report(bad, n, "empty-input cases")


# -- 2-D / 3-D: the rule applies per axis ------------------------------------------------------

Axes = list[tuple[int, int, int, int, int]]  # one (i, k, s, p, d) per spatial axis


def _axis_params(rng: random.Random, ndim: int, pool: bool) -> Axes:
    """One (i, k, s, p, d) per axis, mostly valid (i ≤ 12)."""
    out = []
    for _ in range(ndim):
        k = rng.choice(KERNELS)
        p = rng.randint(0, k // 2) if pool and rng.random() < 0.95 else rng.choice(PADDINGS)
        out.append((rng.randint(1, 12), k, rng.choice(STRIDES), p, rng.choice(DILATIONS)))
    return out


def _nd_pool_fixtures(ndim: int) -> list[Axes]:
    """Pooling cases the random sample may miss: one axis with an empty dilated window
    (i=1, k=2, d=2, p=1), one axis invalid (p > k/2, window larger than the input)."""
    fine = [(7, 3, 2, 1, 1), (9, 2, 3, 1, 3)][: ndim - 1]
    return [[*fine, (1, 2, 1, 1, 2)], [(1, 2, 1, 1, 2), *fine], [*fine, (5, 2, 1, 2, 1)],
            [(2, 7, 1, 0, 1), *fine]]


def _nd_conv_fixtures(ndim: int) -> list[Axes]:
    """Convolution cases with one invalid axis (window larger than the padded input)."""
    fine = [(7, 3, 2, 1, 1), (9, 2, 3, 1, 3)][: ndim - 1]
    return [[*fine, (2, 4, 1, 0, 1)], [(3, 3, 1, 0, 2), *fine]]


@pytest.mark.parametrize("ndim", [2, 3])
def test_per_axis_shapes_in_2d_and_3d(torch1: Any, ndim: int) -> None:
    """Different parameters on each axis: the output shape is the 1-D brute force per axis,
    and an error if any axis has no output (formulas, convmath's layers and PyTorch)."""
    F = torch1.nn.functional
    conv_t = {2: F.conv2d, 3: F.conv3d}[ndim]
    convT_t = {2: F.conv_transpose2d, 3: F.conv_transpose3d}[ndim]
    maxp_t = {2: F.max_pool2d, 3: F.max_pool3d}[ndim]
    avgp_t = {2: F.avg_pool2d, 3: F.avg_pool3d}[ndim]
    maxp = {2: numeric.max_pool2d, 3: numeric.max_pool3d}[ndim]
    avgp = {2: numeric.avg_pool2d, 3: numeric.avg_pool3d}[ndim]
    rng = random.Random(20250 + ndim)
    count = (300 if full_grid() else 80) // (ndim - 1)
    conv_axes = [_axis_params(rng, ndim, pool=False) for _ in range(count)]
    conv_axes += _nd_conv_fixtures(ndim)
    pool_axes = [_axis_params(rng, ndim, pool=True) for _ in range(count)]
    pool_axes += _nd_pool_fixtures(ndim)
    bad: list[str] = []
    kinds: Counter[tuple[str, str, str]] = Counter()
    n = 0

    def check(case: tuple[Any, ...], want: Outcome, ours: Callable[[], Any],
              theirs: Callable[[], Any] | None,
              special: tuple[Outcome, Outcome] | None = None) -> None:
        """One case through check_layer (``theirs`` None: a formula, no PyTorch)."""
        nonlocal n
        n += 1
        b, kd = check_layer([((), want)], ours, theirs, lambda _: special)
        bad.extend(f"{case}: {line}" for line in b)
        kinds.update(kd)

    def shape_of(fn: Callable[..., Any], *args: Any) -> Callable[[], np.ndarray]:
        """A formula's size tuple as the shape of an array, for check_layer."""
        return lambda: np.zeros((1, 1, *fn(*args)))

    for ax in conv_axes:
        i, k, s, p, d = (tuple(v[j] for v in ax) for j in range(5))
        x, tx = _x(i), _t(torch1, i)
        w, tw = np.ones((1, 1, *k)), torch1.ones((1, 1, *k), dtype=torch1.float64)
        want = expected_shape(conv_count(*a) for a in ax)
        check(("conv", ax), want, partial(numeric.conv, x, w, stride=s, padding=p, dilation=d),
              partial(conv_t, tx, tw, stride=s, padding=p, dilation=d))
        check(("conv_output_size", ax), want,
              shape_of(numeric.conv_output_size, i, k, s, p, d), None)
        # one legal output_padding per axis (now and then the first illegal one)
        op = tuple(rng.randrange(max(ss, dd) + (rng.random() < 0.05))
                   for ss, dd in zip(s, d, strict=True))
        want = expected_shape(brute_transpose(*a, o) for a, o in zip(ax, op, strict=True))
        check(("conv_transpose", ax, op), want,
              partial(numeric.conv_transpose, x, w, stride=s, padding=p, output_padding=op,
                      dilation=d),
              partial(convT_t, tx, tw, stride=s, padding=p, output_padding=op, dilation=d))
        check(("conv_transpose_output_size", ax, op), want,
              shape_of(numeric.conv_transpose_output_size, i, k, s, p, op, d), None)
    for ax in pool_axes:
        i, k, s, p, d = (tuple(v[j] for v in ax) for j in range(5))
        x, tx = _x(i), _t(torch1, i)
        for ceil in (False, True):
            want = expected_shape(brute_pool(*a, ceil) for a in ax)
            empty = isinstance(want, tuple) and any(
                pool_empty_windows(*a, m) for a, m in zip(ax, want, strict=True))
            check(("max_pool", ax, ceil), want, partial(maxp, x, k, s, p, d, ceil),
                  partial(maxp_t, tx, k, s, p, d, ceil),
                  ("InvalidArgument", want) if empty else None)
            check(("pool_output_size", ax, ceil), want,
                  shape_of(numeric.pool_output_size, i, k, s, p, d, ceil), None)
            want = expected_shape(brute_pool(ii, kk, ss, pp, 1, ceil)
                                  for ii, kk, ss, pp, _ in ax)
            # PyTorch's avg_pool3d (only the 3-D one) also refuses an input smaller than
            # the kernel on some axis, padding not counted; convmath does not
            small = ndim == 3 and want != ERROR and any(ii < kk for ii, kk, *_ in ax)
            check(("avg_pool", ax, ceil), want, partial(avgp, x, k, s, p, ceil),
                  partial(avgp_t, tx, k, s, p, ceil),
                  (want, "RuntimeError") if small else None)
    assert not bad, report(bad, n, f"{ndim}-D cases")
    # the sample reaches valid and invalid cases and the documented differences
    assert ("shape", "shape", "shape") in kinds
    assert ("error", "InvalidArgument", "RuntimeError") in kinds
    assert ("shape", "InvalidArgument", "shape") in kinds  # an empty max-pooling window
    if ndim == 3:
        assert ("shape", "shape", "RuntimeError") in kinds  # avg_pool3d: input < kernel


# -- e) receptive fields -----------------------------------------------------------------------


def _draw_layer(rng: random.Random) -> Layer:
    kind = rng.choice(["conv", "conv", "maxpool", "avgpool"])
    k = rng.choice(KERNELS)
    s = rng.choice(STRIDES)
    if kind == "conv":
        return Layer(kind, k, s, rng.choice(PADDINGS), rng.choice(DILATIONS))
    d = 1 if kind == "avgpool" else rng.choice(DILATIONS)
    # ceil mode only where the gradient is avg_pool_grad's (dilation 1), see _backward
    return Layer(kind, k, s, rng.randint(0, min(k // 2, 3)), d,
                 ceil=d == 1 and rng.random() < 0.5)


def stacks(count: int, seed: int = 11) -> Iterator[tuple[int, tuple[Layer, ...]]]:
    """A deterministic sample of valid stacks of 1–3 layers with their input length."""
    rng = random.Random(seed)
    made = 0
    while made < count:
        i = rng.choice(INPUTS)
        layers = tuple(_draw_layer(rng) for _ in range(rng.randint(1, 3)))
        lengths = sizes(layers, i)
        if min(lengths) <= 0 or any(
            layer.kind == "maxpool"
            and pool_empty_windows(n, layer.k, layer.s, layer.p, layer.d, m)
            for layer, n, m in zip(layers, lengths, lengths[1:], strict=False)
        ):
            continue
        made += 1
        yield i, layers


def _backward(layer: Layer, n_in: int, grad: np.ndarray) -> np.ndarray:
    """convmath's gradient through one layer with all-ones weights: ``conv_input_grad`` for
    conv and dilated max pooling (a window of ones), ``avg_pool_grad`` for the pools with
    dilation 1 (ceil mode included)."""
    shape = (grad.shape[0], 1, n_in)
    if layer.kind == "conv" or layer.d > 1:
        assert not layer.ceil
        return numeric.conv_input_grad(shape, np.ones((1, 1, layer.k)), grad, layer.s,
                                       layer.p, layer.d)
    return numeric.avg_pool_grad(shape, grad, layer.k, layer.s, layer.p, layer.ceil, ndim=1)


def test_receptive_field_of_the_gradient() -> None:
    """Nonzero gradient of output t == the positions reachable through the windows; inside
    the predicted set, equal to it when no intermediate level is clipped, and spanning r
    from start + t·jump when the input level is not clipped either."""
    bad: list[str] = []
    checked = interior = spans = 0
    for i, layers in stacks(600 if full_grid() else 150):
        lengths = sizes(layers, i)
        grad = np.eye(lengths[-1])[:, None, :]  # one one-hot output gradient per batch row
        for layer, n_in in zip(reversed(layers), reversed(lengths[:-1]), strict=True):
            grad = _backward(layer, n_in, grad)
        r, jump, start = recurrence(layers)[-1]
        for t in range(lengths[-1]):
            checked += 1
            support = {int(q) for q in np.flatnonzero(grad[t, 0] > 0)}
            where = f"i={i} {[layer.spec() for layer in layers]} t={t}"
            if support != reachable(layers, lengths, t):
                bad.append(f"{where}: gradient {sorted(support)} != reachable "
                           f"{sorted(reachable(layers, lengths, t))}")
            guess = predicted(layers, t, i)
            if not support <= guess:
                bad.append(f"{where}: gradient {sorted(support)} not in predicted "
                           f"{sorted(guess)}")
            levels = unclipped_levels(layers, t)
            if all(min(lv) >= 0 and max(lv) < n
                   for lv, n in zip(levels[:-1], reversed(lengths[1:-1]), strict=True)):
                interior += 1
                if support != guess:
                    bad.append(f"{where}: no intermediate clipping, but gradient "
                               f"{sorted(support)} != predicted {sorted(guess)}")
                if min(levels[-1]) >= 0 and max(levels[-1]) < i:
                    spans += 1
                    if (min(support), max(support) - min(support) + 1) != (start + t * jump, r):
                        bad.append(f"{where}: gradient spans {min(support)}…{max(support)}, "
                                   f"predicted start {start + t * jump}, r {r}")
    assert not bad, report(bad, checked, "outputs")
    # not vacuous: most outputs are unclipped, many fully inside the input
    assert interior > checked // 2 and spans > checked // 4, (checked, interior, spans)


def test_predicted_set_overcounts_when_padding_clips_an_intermediate_level() -> None:
    """conv k=2 d=2 then conv k=2 d=3 p=1 on 10 positions: output 0 reads intermediate
    positions −1 (padding) and 2, so only inputs 2 and 4 get gradient, while the formula
    start + {m₁·2 + m₂·3} = −1 + {0, 2, 3, 5} also lists input 1 (reached only through −1)."""
    layers = (Layer("conv", 2, 1, 0, 2), Layer("conv", 2, 1, 1, 3))
    lengths = sizes(layers, 10)
    grad = np.eye(lengths[-1])[:, None, :]
    for layer, n_in in zip(reversed(layers), reversed(lengths[:-1]), strict=True):
        grad = _backward(layer, n_in, grad)
    assert set(np.flatnonzero(grad[0, 0]).tolist()) == {2, 4} == reachable(layers, lengths, 0)
    assert predicted(layers, 0, 10) == {1, 2, 4}


def _spec(i: int, layers: Sequence[Layer]) -> str:
    return "; ".join([f"input 1x{i}", *(layer.spec() for layer in layers)])


def test_network_shapes_receptive_fields_follow_the_recurrence() -> None:
    """``network_shapes(spec).layers[l]`` has ``receptive_field``, ``jump`` and ``start``
    (one per spatial axis) equal to the recurrence, which test_receptive_field_of_the_gradient
    ties to convmath's gradients; its ``shape`` is the brute-force length."""
    bad: list[str] = []
    checked = 0
    for i, layers in stacks(400 if full_grid() else 120, seed=12):
        net = numeric.network_shapes(_spec(i, layers))
        lengths = sizes(layers, i)
        for info, n, (r, jump, start) in zip(net.layers[1:], lengths[1:],
                                             recurrence(layers), strict=True):
            checked += 1
            field, jumps, starts = info.receptive_field, info.jump, info.start
            assert isinstance(field, tuple) and jumps is not None and starts is not None, info
            got = (info.shape, field[0], jumps[0], starts[0])
            if got != ((1, n), r, jump, start):
                bad.append(f"{_spec(i, layers)} / {info.spec}: (shape, r, jump, start) = "
                           f"{got}, expected {((1, n), r, jump, start)}")
    assert not bad, report(bad, checked, "layers")
    # per axis: a 2-D stack with different parameters on each axis
    layers_h = (Layer("conv", 3, 2, 1, 2), Layer("maxpool", 2, 2, 1, 1))
    layers_w = (Layer("conv", 5, 1, 0, 1), Layer("maxpool", 3, 1, 0, 1))
    net = numeric.network_shapes(
        "input 1x20x17; conv 1 k=3x5 s=2x1 p=1x0 d=2x1; maxpool k=2x3 s=2x1 p=1x0")
    for info, rh, rw in zip(net.layers[1:], recurrence(layers_h), recurrence(layers_w),
                            strict=True):
        assert (info.receptive_field, info.jump, info.start) == tuple(
            zip(rh, rw, strict=True)), info


# -- the comparison catches known-bad formulas ---------------------------------------------


def test_the_comparison_catches_known_bad_formulas() -> None:
    """The same comparison as the formula tests rejects a pooling formula with plain ceil
    (no 'last window may not start in the right padding' correction) and a convolution
    formula that ignores dilation."""

    def plain_ceil(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
        if 2 * p > k:
            raise InvalidArgument("padding")
        span = i + 2 * p - d * (k - 1) - 1
        o = -(-span // s) + 1 if ceil else span // s + 1
        if o < 1:
            raise InvalidArgument("empty")
        return o

    def no_dilation(i: int, k: int, s: int, p: int, d: int) -> int:
        span = i + 2 * p - (k - 1) - 1
        if span < 0:
            raise InvalidArgument("empty")
        return span // s + 1

    # the fixture: i=5, k=2, s=2, p=1, ceil_mode → 3 windows; plain ceil says 4
    assert brute_pool(5, 2, 2, 1, 1, True) == 3 and plain_ceil(5, 2, 2, 1, 1, True) == 4
    bad, _ = formula_mismatches(plain_ceil, brute_pool, pool_cases())
    assert any(line.startswith("(5, 2, 2, 1, 1, True):") for line in bad), bad[:5]
    bad, _ = formula_mismatches(no_dilation, conv_count, grid())
    assert any(line.startswith("(5, 3, 1, 0, 2):") for line in bad), bad[:5]  # 1 vs 3
    # and the layer comparison flags a wrong shape or a missing error
    wrong, _ = check_layer([((5,), (3,)), ((6,), ERROR)], lambda i: _x((i - 1,)), None)
    assert len(wrong) == 2


# -- f) hook for the symbolic arithmetic family ----------------------------------------------


def _statement(key: str) -> tuple[Any, Any, list[Any]]:
    """The registry's statement of ``key`` (named expressions unfolded) and its
    NonNegative hypotheses, as Python functions of keyword arguments named like the
    statement's symbols (``i``, ``k``, ``s``, ``p``, ``d``, ``a``)."""
    import sympy

    from convmath.symbolic.kernel import NonNegative
    from convmath.symbolic.operators import Named
    from convmath.symbolic.rules.definitions import unfold_all
    from convmath.symbolic.theorems import derivations

    (der,) = derivations(key)
    assert der.verify() and not der.verify().unstated, key

    def fn(e: Any) -> Any:
        e = unfold_all(e, (Named,))
        syms = sorted(e.free_symbols, key=str)
        f = sympy.lambdify(syms, e, modules="math")
        return lambda **kw: f(*[kw[str(x)] for x in syms])

    hyps = [fn(h.expr) for h in der.hypotheses if isinstance(h, NonNegative)]
    lhs = der.statement.lhs
    return (None if lhs.has(sympy.Sum) else fn(lhs)), fn(der.statement.rhs), hyps


def test_arithmetic_theorems_hold_on_the_grid() -> None:
    """The proven formulas of the registry's ``arithmetic`` family (their statements'
    right-hand sides, evaluated wherever their NonNegative hypotheses hold) equal the brute
    force on the whole grid; each hypothesis holds somewhere, and where the brute force and
    the formula part, a hypothesis fails. It runs on the layer inputs of the profile (the
    whole grid in ci and thorough)."""
    cases: dict[str, Callable[..., Any]] = {
        "conv_window_count:Z": lambda i, k, s, p, d: conv_count(i, k, s, p, d),
        "conv_output_size:Z": lambda i, k, s, p, d: conv_count(i, k, s, p, d),
        "pool_output_size:Z": lambda i, k, s, p, d: pool_count(i, k, s, p, d, False),
        "pool_output_size_ceil:Z": lambda i, k, s, p, d: pool_count(i, k, s, p, d, True),
        "pool_ceil_mode_rule:Z": lambda i, k, s, p, d: pool_count(i, k, s, p, d, True),
    }
    for key, brute_size in cases.items():
        _, rhs, hyps = _statement(key)
        held = parted = 0
        for i, k, s, p, d in grid(layer_inputs()):
            ok = all(h(i=i, k=k, s=s, p=p, d=d) >= 0 for h in hyps)
            same = rhs(i=i, k=k, s=s, p=p, d=d) == brute_size(i, k, s, p, d)
            assert same or not ok, (key, i, k, s, p, d)
            held += ok
            parted += not same
        assert held > 500, key
        if key in ("conv_output_size:Z", "pool_ceil_mode_rule:Z"):
            assert parted > 0, f"{key}: its hypotheses are needed somewhere on the grid"
    # transposed convolution, every output padding below max(s, d)
    _, rhs, hyps = _statement("conv_transpose_output_size:Z")
    lhs_sym, _, sym_hyps = _statement("conv_transpose_shape_symmetry:Z")
    back, i_again, _ = _statement("conv_shape_roundtrip:Z")
    for i, k, s, p, d in grid(layer_inputs()):
        for a in range(max(s, d)):
            kw = dict(i=i, k=k, s=s, p=p, d=d, a=a)
            extent = transpose_extent(i, k, s, p, d, a)
            if all(h(**kw) >= 0 for h in hyps):
                assert rhs(**kw) == extent, kw
            if all(h(**kw) >= 0 for h in sym_hyps) and extent >= 1:
                assert lhs_sym(**kw) == i == conv_count(extent, k, s, p, d), kw
        o = conv_count(i, k, s, p, d)
        if o >= 1:   # the leftover a = (i + 2p − d(k − 1) − 1) mod s gives i back, always
            left = (i + 2 * p - d * (k - 1) - 1) % s
            assert back(i=i, k=k, s=s, p=p, d=d) == i_again(i=i) == i
            assert transpose_extent(o, k, s, p, d, left) == i
