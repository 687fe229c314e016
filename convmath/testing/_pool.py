"""Checkers for max and average pooling (PyTorch semantics).

The reference is :mod:`convmath.numeric`. For diagnosis, a small definitional pooling
(windows gathered with NumPy indexing, written from the formulas in docs/reference.md) computes
the variants real libraries shipped: ``ceil_mode`` keeping a window that starts in the
right padding, Caffe-style plain ceil, divisors that count the overhang or the padding
(or not), zero instead of −∞ padding for max, the last instead of the first maximum, and
for the max-pool gradient the bugs of hand-written backward passes (the gradient copied to
every tied maximum, indices mixed up between the padded and the unpadded input, padding,
stride, dilation or ceil_mode forgotten in the backward only, a max/avg mixup). Max
pooling is exact in every dtype, so its output must match exactly; average pooling gets
``γ_{K+1}·avg(|x|)``.

Which element a max-pool window selects (its index, and where its gradient goes) is
:func:`convmath.numeric.max_pool`'s rule, which is PyTorch's (torch 2.13 CPU, checked on
1-, 2- and 3-d windows with padding, dilation and ceil_mode): the in-bounds taps are
scanned in row-major order and a tap replaces the running choice when it is greater or is
NaN. So equal maxima (finite or +∞) go to the *first*; a NaN beats everything, +∞
included, and of several NaNs the *last* wins; a window of −∞ only selects its first
in-bounds element (padding is never selected); indices are flat over the unpadded input.

The checks hold an implementation to that rule except where it is only the order of
PyTorch's scan rather than a convention:

- which NaN of a window holding several gets the index or the gradient (NumPy's
  ``argmax`` picks the first, PyTorch the last; either, window by window);
- (gradient only) whether a window whose maximum is −∞ sends its gradient to its first
  in-bounds element or to the −∞ padding, which drops it (an ``argmax`` over an input
  padded with −∞). An *index* naming a padding position still fails: it names no input
  element (``max_unpool`` would misplace it); the diagnosis says so.

An output that differs from the reference only there passes, with a note that the report
lists ("NaN/tie order differs from PyTorch: ..."). Equal finite maxima are not such a
detail: a last-maximum rule (``>=``) changes the gradient of ordinary inputs, so it fails
("gradient to the last maximum").
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from convmath.errors import InvalidArgument
from convmath.testing._backends import Backend
from convmath.testing._diagnosis import RANK, Candidate
from convmath.testing._reference import numeric, per_axis
from convmath.testing._spec import Diagnosis, OpSpec
from convmath.testing._tolerance import Comparison, compare_elementwise
from convmath.testing.strategies import Case, make_values

__all__ = ["AvgPoolGradSpec", "AvgPoolSpec", "MaxPoolGradSpec", "MaxPoolSpec", "pool_windows"]

#: the notes of a pass that differs from PyTorch only in its NaN/−∞ tie order
NAN_ORDER_NOTE = ("NaN/tie order differs from PyTorch: in a window holding several NaNs, "
                  "another NaN than PyTorch's (the last) was selected — np.argmax takes the "
                  "first; accepted")
NEG_INF_NOTE = ("NaN/tie order differs from PyTorch: a window of −∞ sent its gradient to "
                "the −∞ padding (dropping it), not to its first in-bounds element; accepted")
BOTH_NOTE = ("NaN/tie order differs from PyTorch: another NaN than PyTorch's (the last) "
             "was selected in a window holding several, and a window of −∞ sent its gradient "
             "to the −∞ padding; accepted")

#: the ways an implementation may order NaN/−∞ ties: (last NaN wins, −∞ padding selectable)
_TIE_ORDERS: tuple[tuple[bool, bool | str], ...] = (
    (True, False), (False, False), (True, True), (False, True))
#: diagnosis also tries padding taps whose index is clipped onto the input (a vectorised
#: gather with clipped indices): never accepted, but a bug may come with it
_DIAG_ORDERS = (*_TIE_ORDERS, (True, "clip"), (False, "clip"))
#: per-window choices tried, at most, when matching an output window by window
_MAX_COMBOS = 4096


def _out_size(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool, rule: str) -> int:
    """Pooling output size by :func:`convmath.numeric.pool_output_size`.

    ``rule='torch'`` is PyTorch's; ``rule='ceil'`` (with ``ceil_mode``) is the plain ceil
    formula without the window-start correction — the floor formula on ``i + s − 1``.
    A geometry PyTorch refuses (``2p > k``, no window) gives 0: a candidate built on it
    then produces an empty output, which matches nothing.
    """
    size = numeric("pool_output_size")
    try:
        if ceil_mode and rule == "ceil":
            return int(size(i + s - 1, k, s, p, d, False))
        return int(size(i, k, s, p, d, ceil_mode))
    except InvalidArgument:
        return 0


def pool_windows(
    x: np.ndarray, ks: list[int], ss: list[int], ps: list[int], ds: list[int],
    ceil_mode: bool, rule: str = "torch",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gather every pooling window: values ``(N, C, *o, *k)`` (0 outside the input), the
    in-bounds mask, the inside-the-padded-bounds mask, and the flat input index.

    ``rule='torch'`` drops a last window that would start in the right padding;
    ``rule='ceil'`` keeps it (the plain ceil formula).
    """
    nd = len(ks)
    sizes = x.shape[2:]
    outs = [_out_size(sizes[a], ks[a], ss[a], ps[a], ds[a], ceil_mode, rule) for a in range(nd)]
    idx, inb, inpad = [], [], []
    for a in range(nd):
        t = np.arange(outs[a])[:, None] * ss[a] - ps[a] + ds[a] * np.arange(ks[a])[None, :]
        shape = [1] * (2 * nd)
        shape[a] = outs[a]
        shape[nd + a] = ks[a]
        idx.append(t.reshape(shape))
        inb.append(((t >= 0) & (t < sizes[a])).reshape(shape))
        inpad.append(((t >= -ps[a]) & (t < sizes[a] + ps[a])).reshape(shape))
    full_inb = np.logical_and.reduce(np.broadcast_arrays(*inb)) if nd > 1 else inb[0]
    full_pad = np.logical_and.reduce(np.broadcast_arrays(*inpad)) if nd > 1 else inpad[0]
    clipped = [np.clip(t, 0, n - 1) for t, n in zip(idx, sizes, strict=True)]
    vals = x[tuple([slice(None), slice(None), *clipped])]
    vals = np.where(full_inb, vals, 0)
    flat = np.zeros(np.broadcast_shapes(*[t.shape for t in clipped]), dtype=np.int64)
    mult = 1
    for a in reversed(range(nd)):
        flat = flat + clipped[a] * mult
        mult *= sizes[a]
    return vals, np.broadcast_to(full_inb, vals.shape[2:]), np.broadcast_to(
        full_pad, vals.shape[2:]), flat


class _Taps(NamedTuple):
    """Every tap of every window, the taps of a window flattened (row-major) to one axis."""

    vals: np.ndarray  # (N, C, *out, K): the input at each tap, −∞ where it is off the input
    inb: np.ndarray  # (*out, K): the tap lies inside the input
    pad: np.ndarray  # (*out, K): the tap lies in the padding (not the ceil_mode overhang)
    dest: np.ndarray  # (*out, K): flat input index of (tap position + shift), clipped
    dest_ok: np.ndarray  # (*out, K): that position lies inside the input
    window: np.ndarray  # (*out, K) → per axis (nd, *out, K): the window number on each axis


def _taps(x: np.ndarray, out: Sequence[int], k: Sequence[int], s: Sequence[int],
          start: Sequence[int], d: Sequence[int], p: Sequence[int],
          shift: Sequence[int] | None = None) -> _Taps:
    """The taps of windows ``t`` (``t < out`` per axis): input position ``t·s + start +
    d·j`` for ``j < k``. PyTorch's windows are ``start = −p``; a hand-written backward
    that forgets the padding, say, is another ``start``. ``shift`` moves the position each
    tap *writes* to (an index used in the padded input's coordinates, or vice versa)."""
    nd = len(k)
    sizes = x.shape[2:]
    shift = [0] * nd if shift is None else list(shift)
    full = (*out, *k)
    pos, inb, pad, dpos, dok, win = [], [], [], [], [], []
    for a in range(nd):
        u = np.arange(out[a])[:, None] * s[a] + start[a] + d[a] * np.arange(k[a])[None, :]
        shape = [1] * (2 * nd)
        shape[a], shape[nd + a] = out[a], k[a]
        pos.append(np.clip(u, 0, sizes[a] - 1).reshape(shape))
        inb.append(((u >= 0) & (u < sizes[a])).reshape(shape))
        pad.append(((u >= -p[a]) & (u < sizes[a] + p[a])).reshape(shape))
        v = u + shift[a]
        dpos.append(np.clip(v, 0, sizes[a] - 1).reshape(shape))
        dok.append(((v >= 0) & (v < sizes[a])).reshape(shape))
        win.append(np.broadcast_to(np.arange(out[a])[:, None], u.shape).reshape(shape))

    def every(masks: list[np.ndarray]) -> np.ndarray:
        return np.logical_and.reduce([np.broadcast_to(m, full) for m in masks])

    m_in = every(inb)
    flat = np.zeros(full, dtype=np.int64)
    for a in range(nd):
        flat = flat * sizes[a] + dpos[a]
    kk = math.prod(k)
    vals = np.where(m_in, x[tuple([slice(None), slice(None), *pos])], -np.inf)
    return _Taps(vals.reshape((*x.shape[:2], *out, kk)), m_in.reshape((*out, kk)),
                 (every(pad) & ~m_in).reshape((*out, kk)), flat.reshape((*out, kk)),
                 every(dok).reshape((*out, kk)),
                 np.stack([np.broadcast_to(w, full).reshape((*out, kk)) for w in win]))


def _choose(vals: np.ndarray, selectable: np.ndarray, *, last: bool = False,
            nan_last: bool = True) -> np.ndarray:
    """The tap each window selects, ``(N, C, *out)``; −1 where no tap is selectable.

    Among the ``selectable`` taps: a NaN if there is one (the last NaN, or the first),
    else the maximum (the first of equal ones, or the last). PyTorch is ``last=False,
    nan_last=True`` over the in-bounds taps; an ``argmax`` over a −∞-padded input makes
    the padding taps selectable (as −∞) and picks the first NaN.
    """
    k = vals.shape[-1]
    sel = np.broadcast_to(selectable, vals.shape)
    isnan = np.isnan(vals) & sel
    has_nan = isnan.any(axis=-1)
    best = np.where(sel & ~isnan, vals, -np.inf).max(axis=-1, initial=-np.inf)
    mask = np.where(has_nan[..., None], isnan, sel & ~isnan & (vals == best[..., None]))
    first = np.argmax(mask, axis=-1)
    final = k - 1 - np.argmax(mask[..., ::-1], axis=-1)
    arg = np.where(np.where(has_nan, nan_last, last), final, first)
    return np.where(mask.any(axis=-1), arg, -1)


def _scatter(shape: tuple[int, ...], taps: _Taps, hit: np.ndarray, weight: np.ndarray,
             accumulate: bool = True) -> np.ndarray:
    """Add (or assign, in window order) ``weight`` at the destination of every ``hit`` tap
    (``hit`` of shape ``(N, C, *out, K)``, ``weight`` broadcastable to it); destinations
    off the input are dropped."""
    rows = shape[0] * shape[1]
    out = np.zeros((rows, math.prod(shape[2:])), dtype=np.float64)
    h = (hit & taps.dest_ok).reshape(rows, -1)
    w = np.broadcast_to(weight, hit.shape).reshape(rows, -1)[h]
    idx = np.broadcast_to(taps.dest, hit.shape).reshape(rows, -1)[h]
    row = np.broadcast_to(np.arange(rows)[:, None], h.shape)[h]
    if accumulate:
        np.add.at(out, (row, idx), w)
    else:
        out[row, idx] = w
    return out.reshape(shape)


def _one_hot(choice: np.ndarray, k: int) -> np.ndarray:
    return np.arange(k) == choice[..., None]


def _k_axes(nd: int) -> tuple[int, ...]:
    return tuple(range(2 + nd, 2 + 2 * nd))


class _PoolGeom:
    def __init__(self, case: Case) -> None:
        x = case.args["input"] if "input" in case.args else np.zeros(case.args["input_size"])
        kw = case.kwargs
        self.nd = x.ndim - 2
        self.k = per_axis(kw["kernel_size"], self.nd, 1)
        st = kw.get("stride")
        self.stride_default = st is None
        self.s = self.k if st is None else per_axis(st, self.nd, 1)
        self.p = per_axis(kw.get("padding", 0), self.nd, 0)
        self.d = per_axis(kw.get("dilation", 1), self.nd, 1)
        self.ceil = bool(kw.get("ceil_mode", False))
        self.include_pad = bool(kw.get("count_include_pad", True))
        self.override = kw.get("divisor_override")


def _features(case: Case, g: _PoolGeom) -> list[str]:
    f = [case.dtype, "integer-valued" if case.integer_valued else "real-valued"]
    if g.ceil:
        f.append("ceil_mode")
    if any(g.p):
        f.append("padding > 0")
    if any(v > 1 for v in g.d):
        f.append("dilation > 1")
    if g.stride_default:
        f.append("stride=None")
    if g.s != g.k:
        f.append("stride != kernel")
    if any(k % 2 == 0 for k in g.k):
        f.append("even kernel")
    if g.nd > 1 and any(len(set(v)) > 1 for v in (g.k, g.s, g.p)):
        f.append("per-axis params differ")
    x = case.args.get("input")
    shape = x.shape if x is not None else tuple(case.args["input_size"])
    if any(n >= 64 for n in shape[2:]):
        f.append("spatial >= 64")
    if x is not None and not np.all(np.isfinite(x)):
        f.append("NaN/±inf inputs")
    return f


def _pool_variants(case: Case) -> list[Case]:
    """Fresh values on the same and on larger inputs (for diagnosis tie-breaking)."""
    x = case.args["input"]
    out = []
    for grow, seed in ((0, 1), (3, 2), (5, 3)):
        rng = np.random.default_rng(case.seed + 1000 + seed)
        nx = make_values((*x.shape[:2], *[n + grow for n in x.shape[2:]]), case.dtype, rng,
                         integer_max=3 if case.integer_valued else None)
        out.append(Case(case.op, {"input": nx}, dict(case.kwargs), case.dtype,
                        case.integer_valued, case.seed, case.terms))
    return out


def _shape_hint(g: _PoolGeom, in_shape: tuple[int, ...], expected: tuple[int, ...],
                actual: tuple[int, ...], *, dilation: bool) -> Diagnosis:
    """Expected vs got, and which output-size formula the got shape is (computed by
    :func:`convmath.numeric.pool_output_size`)."""
    size = numeric("pool_output_size")
    lead, sizes, nd = tuple(in_shape[:2]), list(in_shape[2:]), g.nd
    d0 = g.d if dilation else [1] * nd

    def shape(i: list[int] = sizes, k: list[int] = g.k, s: list[int] = g.s,
              p: list[int] = g.p, d: list[int] = d0, ceil: bool = g.ceil
              ) -> tuple[int, ...] | None:
        try:
            return (*lead, *size(list(i), list(k), list(s), list(p), list(d), ceil))
        except InvalidArgument:
            if ceil:
                return None
            # a window wider than the padded input: the floor formula gives 0 (an empty
            # output), which is what a floor-mode implementation returns
            out = [(n + 2 * pp - dd * (kk - 1) - 1) // ss + 1
                   for n, kk, ss, pp, dd in zip(i, k, s, p, d, strict=True)]
            return (*lead, *out) if min(out) >= 0 else None

    # (name, the formula the shape is, the shape)
    options: list[tuple[str, str, tuple[int, ...] | None]] = []
    if g.ceil:
        options.append(("floor vs ceil output size", "floor mode (ceil_mode ignored)",
                        shape(ceil=False)))
        options.append(("ceil mode without PyTorch's correction",
                        "the plain ceil formula, without PyTorch's correction that drops a "
                        "last window starting in the right padding",
                        shape(i=[n + s - 1 for n, s in zip(sizes, g.s, strict=True)],
                              ceil=False)))
    else:
        options.append(("floor vs ceil output size", "ceil mode (ceil_mode=False not "
                        "honoured)", shape(ceil=True)))
    if any(g.p):
        options.append(("padding ignored", "padding ignored", shape(p=[0] * nd)))
        options.append(("padding on one side", "padding on one side only",
                        shape(i=[n + p for n, p in zip(sizes, g.p, strict=True)],
                              p=[0] * nd)))
    if any(v != 1 for v in g.s):
        what = "stride=None taken as 1" if g.stride_default else "stride ignored"
        options.append((what, what + ("" if g.stride_default else " (taken as 1)"),
                        shape(s=[1] * nd)))
    if dilation and any(v > 1 for v in g.d):
        options.append(("dilation ignored", "dilation ignored", shape(d=[1] * nd)))
    if nd > 1 and any(v[::-1] != v for v in (g.k, g.s, g.p, d0)):
        options.append(("per-axis params swapped",
                        "per-axis parameters applied in reverse axis order",
                        shape(k=g.k[::-1], s=g.s[::-1], p=g.p[::-1], d=d0[::-1])))
    formula = "o = ⌊(i + 2p − d(k−1) − 1" + (
        " + s − 1)/s⌋ + 1, minus 1 where the last window would start in the right padding"
        if g.ceil else ")/s⌋ + 1")
    text = (f"got {actual}, but PyTorch's pooling formula gives {expected} "
            f"({'ceil' if g.ceil else 'floor'} mode: {formula})")
    if len(actual) != len(expected):
        text += f"; the output must have {len(expected)} dimensions (N, C, *spatial)"
    elif actual[:2] != lead:
        text += f"; the leading (N, C) = {lead} must be kept"
    matches = [(name, what) for name, what, shp in options if shp == actual
               and shp != expected]
    if matches:
        text += f"; {actual} is the shape of " + " or of ".join(w for _, w in matches)
        return Diagnosis(matches[0][0], text)
    tried = [what.split(" (")[0].split(",")[0] for _, what, shp in options
             if shp is not None and shp != expected]
    if tried:
        text += "; it is none of: " + ", ".join(tried)
    return Diagnosis("output shape", text)


def _grad_shape_hint(in_shape: tuple[int, ...], grad_shape: tuple[int, ...],
                     g: _PoolGeom, actual: tuple[int, ...]) -> Diagnosis:
    """A gradient has the input's shape; name the shapes a wrong one usually is."""
    text = f"got {actual}, but a gradient has the input's shape {in_shape}"
    padded = (*in_shape[:2], *[n + 2 * p for n, p in zip(in_shape[2:], g.p, strict=True)])
    if actual == grad_shape:
        text += " (it is grad_output's shape, the pooled output's)"
    elif any(g.p) and actual == padded:
        text += " (it is the padded input's shape: the padding was not cropped off)"
    elif len(actual) == len(in_shape) and actual[2:] > in_shape[2:]:
        text += " (larger than the input: padding or ceil_mode overhang kept?)"
    return Diagnosis("gradient shape", text)


def _closest(outputs: list[Callable[[], Any]], act: np.ndarray) -> np.ndarray:
    """Of several ways to compute a candidate (one per NaN/−∞ tie order), the output
    closest to the implementation's: the one that differs from it in fewest elements."""
    best: np.ndarray | None = None
    best_bad = -1
    for make in outputs:
        try:
            out = np.asarray(make())
        except Exception:
            continue
        if out.shape != act.shape:
            bad = act.size + 1
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                same = (out == act) | (np.isnan(out) & np.isnan(act)) | (
                    np.abs(out - act) <= 1e-9 * (1 + np.abs(act)))
            bad = int(np.count_nonzero(~same))
        if best is None or bad < best_bad:
            best, best_bad = out, bad
        if bad == 0:
            break
    if best is None:
        raise ValueError("no variant of the candidate could be computed")
    return best


class _Ordered(NamedTuple):
    """A candidate whose ``compute`` takes the tie order to compute the output under."""

    name: str
    explanation: str
    compute: Callable[..., Any]
    rank: int = RANK["default"]


def _tie_agnostic(cands: Iterator[_Ordered], act: np.ndarray, orders: Sequence[Any],
                  nonfinite: bool) -> Iterator[Candidate]:
    """``cands`` (their ``compute`` takes a tie order) as Candidates computing
    the output under the tie order closest to ``act`` (only PyTorch's when the input is
    finite: then the orders agree)."""
    for c in cands:
        use = orders if nonfinite else orders[:1]
        yield Candidate(c.name, c.explanation,
                        partial(_closest, [partial(c.compute, o) for o in use], act), c.rank)


def _nan_index_ok(case: Case, g: _PoolGeom, want: np.ndarray, got: np.ndarray) -> bool:
    """Whether ``got`` differs from the reference indices ``want`` only in windows holding
    several NaNs, each then naming one of its NaNs."""
    x = case.args["input"]
    t = _taps(x, want.shape[2:], g.k, g.s, [-v for v in g.p], g.d, g.p)
    isnan = np.isnan(t.vals) & t.inb
    several = isnan.sum(axis=-1) >= 2
    names_nan = (isnan & (t.dest == got[..., None])).any(axis=-1)
    return bool(np.all((want == got) | (several & names_nan)))


class MaxPoolSpec(OpSpec):
    """``max_pool(input, kernel_size, stride, padding, dilation, ceil_mode,
    return_indices)``; values (and indices) must match exactly. Each window selects its
    first maximum, a NaN beating everything (of several NaNs any may be named: PyTorch
    names the last, ``np.argmax`` the first; a pass then carries a note)."""

    op = "max_pool"
    checker = "check_max_pool"

    def _ref_call(self, case: Case) -> Any:
        return numeric("max_pool")(case.args["input"], **case.kwargs,
                                   ndim=case.args["input"].ndim - 2)

    def reference(self, case: Case) -> np.ndarray:
        out = self._ref_call(case)
        return np.asarray(out[0] if isinstance(out, tuple) else out)

    def magnitude(self, case: Case) -> np.ndarray:
        return np.zeros(self.reference(case).shape)

    def prepare_output(self, case: Case, out: Any, backend: Backend) -> Any:
        if isinstance(out, tuple):
            return tuple(backend.back(o) for o in out)
        return backend.back(out)

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        want = self._ref_call(case)
        if isinstance(want, tuple):
            if not (isinstance(actual, tuple) and len(actual) == 2):
                return Comparison(ok=False, ratio=math.inf, shape_ok=False,
                                  detail="return_indices=True must return (values, indices)")
            comp = compare_elementwise(np.asarray(want[0]), np.asarray(actual[0]),
                                       np.zeros(np.shape(want[0])), 0, case.dtype,
                                       integer_valued=True)
            if not comp.ok:
                return comp
            wi, ai = np.asarray(want[1]), np.asarray(actual[1])
            if wi.shape != ai.shape or not np.array_equal(wi, ai):
                if wi.shape == ai.shape and _nan_index_ok(case, _PoolGeom(case), wi, ai):
                    comp.note = NAN_ORDER_NOTE
                    return comp
                bad = np.argwhere(wi != ai) if wi.shape == ai.shape else None
                where = tuple(int(v) for v in bad[0]) if bad is not None and len(bad) else None
                what = (f"indices differ at indices{list(where)}: expected {wi[where]}, got "
                        f"{ai[where]} (PyTorch: flat spatial index of the first maximum)"
                        if where is not None else
                        f"indices shape {ai.shape}, but should be {wi.shape}")
                return Comparison(ok=False, ratio=math.inf, index=where, exact=True,
                                  extra={"what": what, "indices": True})
            return comp
        act = actual[0] if isinstance(actual, tuple) else actual
        return compare_elementwise(np.asarray(want), np.asarray(act), np.zeros(np.shape(want)),
                                   0, case.dtype, integer_valued=True)

    def _def(self, case: Case, *, rule: str = "torch", pad_value: float = -np.inf,
             ceil: bool | None = None, d: list[int] | None = None, s: list[int] | None = None,
             k: list[int] | None = None, p: list[int] | None = None, last: bool = False,
             indices: bool = False, nan_last: bool = True) -> Any:
        g = _PoolGeom(case)
        x = case.args["input"]
        kk = g.k if k is None else k
        vals, inb, _, flat = pool_windows(x, kk, g.s if s is None else s,
                                          g.p if p is None else p, g.d if d is None else d,
                                          g.ceil if ceil is None else ceil, rule)
        vals = np.where(inb, vals, pad_value)
        nd = g.nd
        v2 = vals.reshape((*vals.shape[: 2 + nd], -1))
        # padding competes only when it is not −∞ (then it can be the strict maximum)
        sel = inb if pad_value == -np.inf else np.ones_like(inb)
        sel = sel.reshape((*sel.shape[:nd], -1))
        arg = np.maximum(_choose(v2, sel, last=last, nan_last=nan_last), 0)
        out = np.take_along_axis(v2, arg[..., None], axis=-1)[..., 0]
        if indices:
            fl = np.broadcast_to(flat, vals.shape[2:]).reshape((*vals.shape[2: 2 + nd], -1))
            idx = np.take_along_axis(np.broadcast_to(fl, v2.shape), arg[..., None], axis=-1)
            return out, idx[..., 0]
        return out

    def candidates(self, case: Case) -> Iterator[Any]:
        g = _PoolGeom(case)
        want_idx = bool(case.kwargs.get("return_indices"))

        def pick(**kw: Any) -> Any:
            if want_idx:
                return self._def(case, indices=True, **kw)[0]
            return self._def(case, **kw)

        if g.ceil:
            yield Candidate(
                "ceil_mode keeping all-padding windows",
                "with ceil_mode the last window may not start inside the right padding "
                "(PyTorch drops it: (o−1)·s ≥ i + p ⇒ o −= 1); this output keeps it",
                lambda: pick(rule="ceil"), RANK["specific"])
        yield Candidate("floor vs ceil output size",
                        f"ceil_mode={g.ceil} is not honoured: the output size uses "
                        f"{'floor' if g.ceil else 'ceil'}", lambda: pick(ceil=not g.ceil))
        if any(g.p) or g.ceil:
            yield Candidate("zero padding in max pooling",
                            "max pooling pads (or fills the ceil_mode overhang) with zeros; "
                            "it must use −∞ (padding never wins)",
                            lambda: pick(pad_value=0.0))
        x = case.args["input"]
        if np.isnan(x).any():
            no_nan = copy.copy(case)
            no_nan.args = {**case.args, "input": np.where(np.isnan(x), -np.inf, x)}
            yield Candidate("NaN ignored",
                            "NaN inputs are skipped (np.fmax / a '>' comparison); PyTorch "
                            "propagates NaN: a window holding NaN has maximum NaN",
                            lambda: self._def(no_nan, indices=want_idx)[0] if want_idx
                            else self._def(no_nan))
        if any(v > 1 for v in g.d):
            yield Candidate("dilation ignored", "dilation is ignored",
                            lambda: pick(d=[1] * g.nd))
        if g.stride_default:
            yield Candidate("stride=None taken as 1",
                            "stride=None must default to kernel_size; it was taken as 1",
                            lambda: pick(s=[1] * g.nd))
        if g.nd > 1:
            for name, attr in (("kernel_size", "k"), ("stride", "s"), ("padding", "p"),
                               ("dilation", "d")):
                val = getattr(g, attr)
                if val[::-1] != val:
                    yield Candidate(f"per-axis params swapped ({name})",
                                    f"{name}={tuple(val)} is applied as {tuple(val[::-1])}",
                                    partial(lambda a, v: pick(**{a: v[::-1]}), attr, val),
                                    RANK["generic"])

    def diagnosis_view(self, case: Case, actual: Any, comp: Comparison) -> tuple[
            Iterator[Any], np.ndarray, np.ndarray]:
        if comp.extra.get("indices"):
            act = np.asarray(actual[1])
            return (_tie_agnostic(self.index_candidates(case), act, (True, False),
                                  bool(np.isnan(case.args["input"]).any())), act,
                    np.asarray(self._ref_call(case)[1]))
        return super().diagnosis_view(case, actual, comp)

    def variants(self, case: Case) -> list[Case]:
        return _pool_variants(case)

    def index_candidates(self, case: Case) -> Iterator[_Ordered]:
        """Candidates for wrong indices; each ``compute`` takes ``nan_last`` (which NaN of
        a window holding several is named)."""
        g = _PoolGeom(case)
        sizes = case.args["input"].shape[2:]

        def chosen(nan_last: bool, last: bool = False) -> np.ndarray:
            return np.asarray(self._def(case, indices=True, last=last, nan_last=nan_last)[1])

        yield _Ordered("gradient/index to the last maximum",
                        "ties go to the last maximum in the window; PyTorch (and its max-pool "
                        "gradient) uses the first", partial(chosen, last=True))

        def padded(nan_last: bool) -> np.ndarray:
            pos = np.unravel_index(chosen(nan_last), sizes)
            return np.ravel_multi_index(
                tuple(u + p for u, p in zip(pos, g.p, strict=True)),
                tuple(n + 2 * p for n, p in zip(sizes, g.p, strict=True)))

        def local(nan_last: bool) -> np.ndarray:
            idx = chosen(nan_last)
            pos = np.unravel_index(idx, sizes)
            out = np.zeros(idx.shape, dtype=np.int64)
            for a in range(g.nd):
                shape = [1] * idx.ndim
                shape[2 + a] = idx.shape[2 + a]
                start = (np.arange(idx.shape[2 + a]) * g.s[a] - g.p[a]).reshape(shape)
                out = out * g.k[a] + (pos[a] - start) // g.d[a]
            return out

        def raw(nan_last: bool, pad_value: float) -> np.ndarray:
            """The first maximum over the padded window (padding = ``pad_value``), its
            index computed from its position, even one in the padding (no clipping)."""
            x = case.args["input"]
            out = np.asarray(self._ref_call(case)[1]).shape[2:]
            t = _taps(x, out, g.k, g.s, [-v for v in g.p], g.d, g.p)
            vals = np.where(t.pad, pad_value, t.vals)
            choice = np.maximum(_choose(vals, t.inb | t.pad, nan_last=nan_last), 0)
            taps = np.unravel_index(choice, g.k)
            flat: Any = 0
            for a in range(g.nd):
                shape = [1] * choice.ndim
                shape[2 + a] = out[a]
                start = np.arange(out[a]).reshape(shape) * g.s[a] - g.p[a]
                flat = flat * sizes[a] + start + g.d[a] * taps[a]
            return np.asarray(flat)

        x = case.args["input"]
        if any(g.p) and np.isneginf(x).any():
            yield _Ordered("−∞ window indexed into the padding",
                           "a window of −∞ only selects a padding position (an argmax over "
                           "the −∞-padded input, where the padding ties), and its index is "
                           "computed from that position, which is no input element; PyTorch "
                           "names the window's first in-bounds element",
                           partial(raw, pad_value=-np.inf), RANK["specific"])
        if any(g.p):
            yield _Ordered("zero padding in max pooling",
                           "max pooling pads with zeros, so a window whose in-bounds maximum "
                           "is ≤ 0 names a padding position; it must pad with −∞ (padding "
                           "never wins)", partial(raw, pad_value=0.0))
            yield _Ordered("indices over the padded input",
                            "each index is flat over the padded input (its coordinates "
                            "shifted by the padding); PyTorch's are flat over the unpadded "
                            "input", padded, RANK["specific"])
        yield _Ordered("indices within the window",
                        "each index is the position of the maximum inside its window (the "
                        "argmax of the window); PyTorch's is flat over the whole input "
                        "plane", local, RANK["specific"])

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        x = case.args["input"]
        return _shape_hint(_PoolGeom(case), x.shape, tuple(self.reference(case).shape),
                           tuple(actual_shape), dilation=True)

    def features(self, case: Case) -> list[str]:
        f = _features(case, _PoolGeom(case))
        x = case.args["input"]
        if case.integer_valued and x.size:
            f.append("ties")
        return f


class AvgPoolSpec(OpSpec):
    """``avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
    divisor_override)``."""

    op = "avg_pool"
    checker = "check_avg_pool"

    def reference(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool")(case.args["input"], **case.kwargs,
                                              ndim=case.args["input"].ndim - 2))

    def magnitude(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool")(np.abs(case.args["input"]), **case.kwargs,
                                              ndim=case.args["input"].ndim - 2))

    def _def(self, case: Case, *, divisor: str = "torch", rule: str = "torch",
             ceil: bool | None = None, override: Any = "same", s: list[int] | None = None,
             k: list[int] | None = None, p: list[int] | None = None) -> np.ndarray:
        g = _PoolGeom(case)
        x = case.args["input"]
        kk = g.k if k is None else k
        vals, inb, inpad, _ = pool_windows(x, kk, g.s if s is None else s,
                                           g.p if p is None else p, [1] * g.nd,
                                           g.ceil if ceil is None else ceil, rule)
        ka = _k_axes(g.nd)
        total = vals.sum(axis=ka)
        ov = g.override if override == "same" else override
        if ov is not None:
            return np.asarray(total / ov)
        kk_axes = tuple(range(g.nd, 2 * g.nd))
        if divisor == "torch":
            cnt = (inpad if g.include_pad else inb).sum(axis=kk_axes)
        elif divisor == "full":
            cnt = np.full(inb.shape[: g.nd], math.prod(kk))
        elif divisor == "inbounds":
            cnt = inb.sum(axis=kk_axes)
        elif divisor == "nonzero":
            cnt = ((vals != 0) & inb).sum(axis=ka)
        else:  # "padded"
            cnt = inpad.sum(axis=kk_axes)
        return np.asarray(total / np.maximum(cnt, 1))

    def candidates(self, case: Case) -> Iterator[Any]:
        # Ranks: a divisor rule is the likelier bug when the output has the right shape
        # (the shape-changing candidates cannot coincide with it); "only nonzeros" equals
        # "in-bounds" when no input is 0, so the plainer explanation goes first.
        g = _PoolGeom(case)
        if g.override is None:
            if g.ceil:  # without ceil_mode no window overhangs the padded input
                yield Candidate(
                    "avg divisor counts the overhang",
                    "the divisor is always prod(kernel_size), counting window elements "
                    "past the padded input (ceil_mode overhang); PyTorch clips the window "
                    "to the padded bounds", lambda: self._def(case, divisor="full"), 20)
            if g.include_pad:
                yield Candidate(
                    "avg divisor excludes padding",
                    "count_include_pad=True (the default), but the divisor counts only "
                    "in-bounds elements (TF convention)",
                    lambda: self._def(case, divisor="inbounds"), 30)
            else:
                yield Candidate(
                    "avg divisor counts padding",
                    "count_include_pad=False, but the divisor counts padding elements",
                    lambda: self._def(case, divisor="padded"), 30)
                yield Candidate(
                    "avg divisor counts only nonzeros",
                    "the divisor is the number of nonzero inputs in the window (a mask "
                    "built from x != 0), not the number of in-bounds elements",
                    lambda: self._def(case, divisor="nonzero"), 60)
        else:
            yield Candidate("divisor_override ignored", "divisor_override is ignored",
                            lambda: self._def(case, override=None), RANK["specific"])
        if g.ceil:
            yield Candidate("ceil_mode keeping all-padding windows",
                            "with ceil_mode a window may not start inside the right padding; "
                            "this output keeps it", lambda: self._def(case, rule="ceil"),
                            RANK["specific"])
        yield Candidate("floor vs ceil output size", f"ceil_mode={g.ceil} is not honoured",
                        lambda: self._def(case, ceil=not g.ceil))
        if g.stride_default:
            yield Candidate("stride=None taken as 1", "stride=None must default to kernel_size",
                            lambda: self._def(case, s=[1] * g.nd))
        if g.nd > 1:
            for name, attr in (("kernel_size", "k"), ("stride", "s"), ("padding", "p")):
                val = getattr(g, attr)
                if val[::-1] != val:
                    yield Candidate(f"per-axis params swapped ({name})",
                                    f"{name}={tuple(val)} is applied as {tuple(val[::-1])}",
                                    partial(lambda a, v: self._def(case, **{a: v[::-1]}),
                                            attr, val), RANK["generic"])

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        x = case.args["input"]
        return _shape_hint(_PoolGeom(case), x.shape, tuple(self.reference(case).shape),
                           tuple(actual_shape), dilation=False)

    def variants(self, case: Case) -> list[Case]:
        return _pool_variants(case)

    def features(self, case: Case) -> list[str]:
        g = _PoolGeom(case)
        f = _features(case, g)
        if g.override is not None:
            f.append("divisor_override")
        elif not g.include_pad:
            f.append("count_include_pad=False")
        return f


class MaxPoolGradSpec(OpSpec):
    """``max_pool_grad(input, grad_output, kernel_size, stride, padding, dilation,
    ceil_mode)``: each window's gradient goes to the element max pooling selects (the first
    maximum; a NaN beats everything); overlapping windows add.

    Not judged (see the module docstring): which NaN of a window holding several gets the
    gradient, and whether a window whose maximum is −∞ sends it to the −∞ padding (where
    it is dropped). An output that matches the reference up to such choices — made window
    by window — passes with a note.
    """

    op = "max_pool_grad"
    checker = "check_max_pool_grad"

    def reference(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("max_pool_grad")(case.args["input"],
                                                   case.args["grad_output"], **case.kwargs,
                                                   ndim=case.args["input"].ndim - 2))

    def magnitude(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("max_pool_grad")(case.args["input"],
                                                   np.abs(case.args["grad_output"]),
                                                   **case.kwargs,
                                                   ndim=case.args["input"].ndim - 2))

    # --- the comparison, agnostic to NaN/−∞ tie order -------------------------------------

    def compare(self, case: Case, actual: Any, tolerance: str) -> Comparison:
        comp = super().compare(case, actual, tolerance)
        if comp.ok or not comp.shape_ok:
            return comp
        try:
            return self._tie_order_compare(case, np.asarray(actual), comp)
        except (ValueError, TypeError, IndexError):  # an output it cannot read: as judged
            return comp

    def _tie_order_compare(self, case: Case, act: np.ndarray, comp: Comparison) -> Comparison:
        """``comp`` (a failure against the reference), unless some choice of NaN/−∞ tie
        order, window by window, reproduces ``act``: then a pass with a note. Failing
        still, the comparison against the closest such choice (whose worst element is a
        real difference, not a tie-order one)."""
        g = _PoolGeom(case)
        x, gy = case.args["input"], np.asarray(case.args["grad_output"])
        if np.all(np.isfinite(x)) or np.iscomplexobj(act) or np.iscomplexobj(gy):
            return comp
        t = _taps(x, gy.shape[2:], g.k, g.s, [-v for v in g.p], g.d, g.p)
        k = t.vals.shape[-1]
        isnan = np.isnan(t.vals) & t.inb
        several = isnan.sum(axis=-1) >= 2
        top = np.where(isnan, np.inf, t.vals).max(axis=-1)
        neg_inf = ~isnan.any(axis=-1) & (top == -np.inf) & t.pad.any(axis=-1)
        if not (several.any() or neg_inf.any()):
            return comp
        ref = _choose(t.vals, t.inb)
        actual = act.astype(np.float64)

        def judge(choice: np.ndarray) -> Comparison:
            hit = _one_hot(choice, k)
            expected = _scatter(x.shape, t, hit, gy[..., None])
            mag = _scatter(x.shape, t, hit, np.abs(gy)[..., None])
            c = compare_elementwise(expected, actual, mag, case.terms, case.dtype,
                                    integer_valued=case.integer_valued)
            if c.ok:
                nan = bool(np.any((choice != ref) & several))
                inf = bool(np.any((choice != ref) & neg_inf))
                c.note = BOTH_NOTE if nan and inf else NAN_ORDER_NOTE if nan else (
                    NEG_INF_NOTE if inf else "")
            return c

        for nan_last, pad in _TIE_ORDERS[1:]:  # one order for every window: cheap
            c = judge(_choose(t.vals, (t.inb | t.pad) if pad else t.inb, nan_last=nan_last))
            if c.ok:
                return c
        choice = self._window_by_window(t, ref, several, neg_inf, gy, actual)
        return comp if choice is None else judge(choice)

    @staticmethod
    def _window_by_window(t: _Taps, ref: np.ndarray, several: np.ndarray,
                          neg_inf: np.ndarray, gy: np.ndarray, actual: np.ndarray
                          ) -> np.ndarray | None:
        """A choice of tap per window (PyTorch's, or another NaN where a window holds
        several, or −1 — dropped — for a −∞ window with padding) reproducing ``actual``
        as closely as possible: windows that share no destination are independent, and the
        choices of each group sharing some are tried exhaustively (up to _MAX_COMBOS,
        else greedily)."""
        amb = several | neg_inf
        k = t.vals.shape[-1]
        n_amb = int(np.count_nonzero(amb))
        if n_amb > 20000:
            return None
        rows = actual.shape[0] * actual.shape[1]
        base = _scatter(actual.shape, t, _one_hot(np.where(amb, -1, ref), k), gy[..., None])
        residual = (actual - base).reshape(rows, -1)
        isnan = np.isnan(t.vals) & t.inb
        wins = [tuple(int(v) for v in w) for w in np.argwhere(amb)]
        options: list[list[int]] = []
        dests: list[list[tuple[int, int] | None]] = []
        parent: dict[Any, Any] = {}

        def find(a: Any) -> Any:
            while parent.setdefault(a, a) != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a

        for i, w in enumerate(wins):
            row = w[0] * actual.shape[1] + w[1]
            opts = ([int(j) for j in np.flatnonzero(isnan[w])] if several[w]
                    else [int(ref[w]), -1])
            ds = []
            for j in opts:
                tap = (*w[2:], j)
                ds.append((row, int(t.dest[tap])) if j >= 0 and t.dest_ok[tap] else None)
            options.append(opts)
            dests.append(ds)
            for dpos in ds:
                if dpos is not None:
                    parent[find(("w", i))] = find(dpos)
            find(("w", i))
        groups: dict[Any, list[int]] = {}
        for i in range(len(wins)):
            groups.setdefault(find(("w", i)), []).append(i)
        choice = ref.copy()
        for members in groups.values():
            spots = sorted({dpos for i in members for dpos in dests[i] if dpos is not None})
            at = {dpos: n for n, dpos in enumerate(spots)}
            want = np.array([residual[dpos] for dpos in spots], dtype=np.float64)
            weights = [float(gy[wins[i]]) for i in members]

            def error(picks: Sequence[int], members: list[int] = members,
                      at: dict[Any, int] = at, want: np.ndarray = want,
                      weights: list[float] = weights) -> float:
                got = np.zeros(len(at))
                for i, pick, wt in zip(members, picks, weights, strict=True):
                    dpos = dests[i][pick]
                    if dpos is not None:
                        got[at[dpos]] += wt
                with np.errstate(invalid="ignore"):
                    diff = np.abs(want - got)
                return float(np.max(np.where(np.isnan(diff), np.inf, diff), initial=0.0))

            sizes = [len(options[i]) for i in members]
            if math.prod(sizes) <= _MAX_COMBOS:
                best = min(itertools.product(*[range(n) for n in sizes]), key=error)
            else:  # greedy: each window in turn, the others at PyTorch's choice
                best_l = [options[i].index(int(ref[wins[i]])) for i in members]
                for m, n in enumerate(sizes):
                    costs = [error([*best_l[:m], v, *best_l[m + 1:]]) for v in range(n)]
                    best_l[m] = int(np.argmin(costs))
                best = tuple(best_l)
            for i, pick in zip(members, best, strict=True):
                choice[wins[i]] = options[i][pick]
        return choice

    # --- candidates -------------------------------------------------------------------------

    def _grad(self, case: Case, order: tuple[bool, bool | str] = (True, False), *,
              s: list[int] | None = None, d: list[int] | None = None,
              start: list[int] | None = None, shift: list[int] | None = None,
              upto: list[int] | None = None, last: bool = False, all_ties: bool = False,
              scale: float = 1.0, accumulate: bool = True, nan_ignored: bool = False,
              clip: bool = False, pad_value: float | None = None) -> np.ndarray:
        """The gradient a (possibly buggy) backward computes: windows ``t`` of
        grad_output's grid read at ``t·s + start + d·j`` (PyTorch: ``start = −p``), the
        selected tap's gradient written at its position ``+ shift``; windows at or past
        ``upto`` skipped. ``order``: (last NaN wins, −∞ padding selectable: False, True —
        its gradient dropped — or ``"clip"`` — its index clipped onto the input, as
        ``clip=True`` forces). ``pad_value``: the padding holds this value instead of −∞
        (zero padding), and a window whose maximum it is sends its gradient into the
        cropped padding."""
        g = _PoolGeom(case)
        x, gy = case.args["input"], np.asarray(case.args["grad_output"])
        t = _taps(x, gy.shape[2:], g.k, g.s if s is None else s,
                  [-v for v in g.p] if start is None else start,
                  g.d if d is None else d, g.p, shift)
        if nan_ignored:  # NaN never compares greater: the window's other elements compete
            t = t._replace(vals=np.where(np.isnan(t.vals), -np.inf, t.vals))
        if pad_value is not None:
            t = t._replace(vals=np.where(t.pad, pad_value, t.vals))
            order = (order[0], True)
        if clip:
            order = (order[0], "clip")
        if order[1] == "clip":
            t = t._replace(dest_ok=t.dest_ok | t.pad)
        sel = t.inb | t.pad
        if all_ties:  # mask = (window == window.max()) over the −∞-padded window
            with np.errstate(invalid="ignore"):
                top = np.max(np.where(sel, t.vals, -np.inf), axis=-1)
                hit = sel & (t.vals == top[..., None])
        else:
            hit = _one_hot(_choose(t.vals, sel if order[1] else t.inb, last=last,
                                   nan_last=order[0]), t.vals.shape[-1])
        if upto is not None:
            hit = hit & np.logical_and.reduce(
                [t.window[a] < upto[a] for a in range(g.nd)])
        return _scatter(x.shape, t, hit, (gy * scale)[..., None], accumulate)

    def _candidates(self, case: Case) -> Iterator[_Ordered]:
        """The candidates, each ``compute`` taking a tie order (see :meth:`_grad`)."""
        g = _PoolGeom(case)
        nd = g.nd

        def cand(name: str, why: str, rank: int, **kw: Any) -> _Ordered:
            return _Ordered(name, why, partial(self._grad, case, **kw), rank)

        yield cand("gradient to every tied maximum",
                   "each window's gradient is added to every element equal to the window's "
                   "maximum (a mask window == window.max()); PyTorch sends it to the first "
                   "maximum only", RANK["specific"], all_ties=True)
        if any(g.p):
            minus = [-v for v in g.p]
            yield cand("argmax in the unpadded input, gradient into the padded one",
                       "each window is read from the unpadded input at t·s (not t·s − p) "
                       "and the argmax's position there is used in the padded gradient, "
                       "which is then cropped: window and destination are both off by the "
                       "padding", RANK["specific"], start=[0] * nd, shift=minus)
            yield cand("unpadded index used in the padded gradient",
                       "the maximum is found correctly, but its unpadded position indexes the "
                       "padded gradient (the + p is missing): the gradient lands p elements "
                       "early, or in the cropped padding", RANK["specific"], shift=minus)
            yield cand("zero padding in max pooling",
                       "the backward pads the input with zeros, so a window whose in-bounds "
                       "maximum is below 0 selects the padding and its gradient is cropped "
                       "away; max pooling pads with −∞ (padding never wins)",
                       RANK["specific"], pad_value=0.0)
            yield cand("padded index used in the unpadded gradient",
                       "the maximum's position in the padded input indexes the unpadded "
                       "gradient (the − p is missing): the gradient lands p elements late",
                       RANK["specific"], shift=list(g.p))
        if g.ceil:
            size = numeric("pool_output_size")
            floor = []
            for i, k, s, p, d in zip(case.args["input"].shape[2:], g.k, g.s, g.p, g.d,
                                     strict=True):
                try:
                    floor.append(int(size(i, k, s, p, d, False)))
                except InvalidArgument:
                    floor.append(0)
            yield cand("ceil_mode handled in the forward only",
                       "the backward loops over the floor-mode output size, so the gradients "
                       "of the extra ceil_mode windows are dropped", RANK["specific"] + 5,
                       upto=floor)
        yield cand("gradient to the last maximum",
                   "each window's gradient goes to the last maximum of a tie; PyTorch sends it "
                   "to the first", RANK["default"], last=True)
        if np.isnan(case.args["input"]).any():
            yield cand("NaN ignored in the backward",
                       "the argmax skips NaN (np.nanargmax, or a '>' scan), so a window "
                       "holding NaN sends its gradient to its largest other element; PyTorch "
                       "selects the NaN (NaN is the window's maximum)", RANK["default"],
                       nan_ignored=True)
        x = case.args["input"]
        if any(g.p) and np.isneginf(x).any():
            yield cand("padding index clipped into the input",
                       "a window of −∞ selects a padding position (−∞ ties with the "
                       "padding), whose index, clipped to the input's bounds, names an "
                       "unrelated element that then gets the gradient; PyTorch selects the "
                       "window's first in-bounds element", RANK["default"], clip=True)
        yield cand("max-pool gradient divided by the window size",
                   f"each window's gradient is divided by prod(kernel_size) = "
                   f"{math.prod(g.k)}, as average pooling's is, before it goes to the "
                   "maximum; max pooling passes it on undivided", RANK["default"],
                   scale=1 / math.prod(g.k))
        if any(g.p):
            yield cand("padding ignored in the backward",
                       "the backward reads window t at t·s of the unpadded input instead of "
                       "t·s − p (the forward pads, the backward does not)", RANK["default"],
                       start=[0] * nd)
        if any(v != 1 for v in g.s):
            yield cand("stride=None taken as 1 in the backward" if g.stride_default
                       else "stride ignored in the backward",
                       "the backward reads window t at t − p instead of t·s − p (stride "
                       f"{tuple(g.s)} taken as 1)", RANK["default"], s=[1] * nd)
        if any(v > 1 for v in g.d):
            yield cand("dilation ignored in the backward",
                       f"the backward reads contiguous windows (dilation {tuple(g.d)} taken "
                       "as 1)", RANK["default"], d=[1] * nd)
        yield cand("overlapping windows not accumulated",
                   "where windows overlap, the gradient is assigned (last window wins) instead "
                   "of summed", RANK["generic"], accumulate=False)
        yield cand("both: last maximum, not accumulated",
                   "ties go to the last maximum and overlaps are not summed",
                   RANK["generic"] + 5, last=True, accumulate=False)

    def candidates(self, case: Case) -> Iterator[Any]:
        for c in self._candidates(case):
            yield Candidate(c.name, c.explanation, partial(c.compute, _TIE_ORDERS[0]), c.rank)

    def diagnosis_view(self, case: Case, actual: Any, comp: Comparison) -> tuple[
            Iterator[Any], np.ndarray, np.ndarray]:
        """The candidates, each computed under the NaN/−∞ tie order closest to the
        implementation's output (so that a tie-order difference, which is no bug, does not
        hide the real one)."""
        act = np.asarray(actual[0] if isinstance(actual, tuple) else actual)
        nonfinite = not np.all(np.isfinite(case.args["input"]))
        own = _tie_agnostic(self._candidates(case), act, _DIAG_ORDERS, nonfinite)
        return own, act, self.reference(case)

    def variants(self, case: Case) -> list[Case]:
        out = []
        for v in _pool_variants(case):
            gy = case.args["grad_output"]
            size = numeric("pool_output_size")
            g = _PoolGeom(case)
            try:
                o = size(list(v.args["input"].shape[2:]), g.k, g.s, g.p, g.d, g.ceil)
            except InvalidArgument:
                continue
            rng = np.random.default_rng(case.seed + 77)
            ngy = make_values((*gy.shape[:2], *o), case.dtype, rng,
                              integer_max=4 if case.integer_valued else None)
            out.append(Case(case.op, {"input": v.args["input"], "grad_output": ngy},
                            dict(case.kwargs), case.dtype, case.integer_valued, case.seed,
                            case.terms))
        return out

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        return _grad_shape_hint(case.args["input"].shape, case.args["grad_output"].shape,
                                _PoolGeom(case), tuple(actual_shape))

    def features(self, case: Case) -> list[str]:
        g = _PoolGeom(case)
        f = _features(case, g)
        if any(s < k for s, k in zip(g.s, g.k, strict=True)):
            f.append("overlapping windows")
        if case.integer_valued:
            f.append("ties")
        return f


def _route(shape: tuple[int, ...], flat_idx: np.ndarray, weights: np.ndarray,
           accumulate: bool = True) -> np.ndarray:
    """Scatter ``weights`` (N, C, *o, *k or nothing) to flat input positions."""
    n, c = shape[:2]
    size = math.prod(shape[2:])
    out = np.zeros((n * c, size), dtype=np.result_type(weights, np.float64))
    w = weights.reshape(n * c, -1)
    idx = np.broadcast_to(flat_idx, weights.shape).reshape(n * c, -1)
    rows = np.repeat(np.arange(n * c), w.shape[1]).reshape(w.shape)
    if accumulate:
        np.add.at(out, (rows, idx), w)
    else:
        out[rows, idx] = w
    return out.reshape(shape)


class AvgPoolGradSpec(OpSpec):
    """``avg_pool_grad(input_size, grad_output, kernel_size, stride, padding, ceil_mode,
    count_include_pad, divisor_override)``."""

    op = "avg_pool_grad"
    checker = "check_avg_pool_grad"

    def _x_case(self, case: Case) -> Case:
        x = np.zeros(case.args["input_size"])
        return Case("avg_pool", {"input": x}, case.kwargs, case.dtype, False, case.seed,
                    case.terms)

    def reference(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool_grad")(tuple(case.args["input_size"]),
                                                   case.args["grad_output"], **case.kwargs,
                                                   ndim=len(case.args["input_size"]) - 2))

    def magnitude(self, case: Case) -> np.ndarray:
        return np.asarray(numeric("avg_pool_grad")(tuple(case.args["input_size"]),
                                                   np.abs(case.args["grad_output"]),
                                                   **case.kwargs,
                                                   ndim=len(case.args["input_size"]) - 2))

    def _def(self, case: Case, *, divisor: str = "torch", accumulate: bool = True,
             override: Any = "same") -> np.ndarray:
        xc = self._x_case(case)
        g = _PoolGeom(xc)
        x = xc.args["input"]
        gy = case.args["grad_output"]
        _, inb, inpad, flat = pool_windows(x, g.k, g.s, g.p, [1] * g.nd, g.ceil)
        kk = tuple(range(g.nd, 2 * g.nd))
        ov = g.override if override == "same" else override
        if ov is not None:
            cnt: Any = ov
        elif divisor == "torch":
            cnt = (inpad if g.include_pad else inb).sum(axis=kk)
        elif divisor == "full":
            cnt = math.prod(g.k)
        elif divisor == "inbounds":
            cnt = inb.sum(axis=kk)
        elif divisor == "one":
            cnt = 1
        else:
            cnt = inpad.sum(axis=kk)
        share = gy / cnt
        w = share.reshape(share.shape + (1,) * g.nd) * inb
        return _route(x.shape, flat, w, accumulate)

    def candidates(self, case: Case) -> Iterator[Any]:
        g = _PoolGeom(self._x_case(case))
        if g.override is None:
            if g.ceil:
                yield Candidate("avg divisor counts the overhang",
                                "the gradient is divided by prod(kernel_size) even where the "
                                "window overhangs the padded input",
                                lambda: self._def(case, divisor="full"), 20)
            if g.include_pad:
                yield Candidate("avg divisor excludes padding",
                                "count_include_pad=True, but the divisor counts only in-bounds "
                                "elements", lambda: self._def(case, divisor="inbounds"), 30)
            else:
                yield Candidate("avg divisor counts padding",
                                "count_include_pad=False, but the divisor counts padding "
                                "elements", lambda: self._def(case, divisor="padded"), 30)
        else:
            yield Candidate("divisor_override ignored", "divisor_override is ignored",
                            lambda: self._def(case, override=None), RANK["specific"])
        yield Candidate("avg gradient not divided",
                        "grad_output is copied to every element of its window undivided "
                        "(max/avg mixup); average pooling divides it by the window's divisor",
                        lambda: self._def(case, divisor="one", override=None))
        yield Candidate("overlapping windows not accumulated",
                        "where windows overlap, the gradient is assigned instead of summed",
                        lambda: self._def(case, accumulate=False), RANK["generic"])

    def shape_hint(self, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis | None:
        return _grad_shape_hint(tuple(case.args["input_size"]),
                                tuple(np.shape(case.args["grad_output"])),
                                _PoolGeom(self._x_case(case)), tuple(actual_shape))

    def features(self, case: Case) -> list[str]:
        return _features(self._x_case(case), _PoolGeom(self._x_case(case)))
