"""The conv family's diagnoses, as data: one ranked table per operation.

A failing conv-family check is diagnosed by recomputing the operation as a buggy
implementation would and comparing with what the implementation returned (the engine,
:func:`convmath.testing._core._matching`). Every bug class the checkers can name is an
entry of one of the tables below — :data:`CONV`, :data:`CONV_TRANSPOSE`,
:data:`CONV_INPUT_GRAD`, :data:`CONV_WEIGHT_GRAD` — with an explicit rank (lower is
tried, and reported, first; the engine sorts stably). Entries are built from shared
factories, so adding a diagnosis touches one place:

- :func:`ignored` (``'stride'``, ``'dilation'``, ``'padding'``, ``'output_padding'``,
  ``'bias'``): the operation as if the argument were at its default;
  :func:`ignored_on_axis`: the same on one spatial axis;
- :func:`axes_swapped`: the per-axis values applied in reverse axis order;
- :func:`first_axis_only`: a function that takes one int, fed per-axis values, uses the
  first value on every axis (``s = stride if isinstance(stride, int) else stride[0]``);
- :func:`exchanged`: stride and dilation exchanged;
- :func:`flipped_kernel`, :func:`flipped_on_axis`, :func:`interleaved`,
  :func:`groups_zeros`, :func:`channels_transposed`, and the bias, padding, 'same',
  output_padding and batch mistakes of one operation.

A factory yields ``(name, explanation, compute)`` rows for a :class:`Ctx` (the case and
its spec); a row only for a case where the bug would show (a stride ignored needs a
stride > 1). ``compute`` calls the spec's :meth:`run`, which computes the operation with
the wrong parameters genuinely — ``form='sized'`` as a vectorised implementation (the
output size follows from the wrong parameters), ``form='loop'`` as a loop that allocates
the right output and gets the arithmetic wrong (CS231n-style ``dx_pad[:, :, i*stride:…]``
written without ``*stride``): both are tried where they differ.

A wrong output *shape* that no row reproduces is named by :func:`shape_diagnosis`: the
expected and the actual shape, and which output-size formula (from
:mod:`convmath.numeric`'s shape helpers) the actual one matches — :data:`SHAPES`, one
list per operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cached_property, partial
from typing import Any, NamedTuple

import numpy as np

from convmath.errors import InvalidArgument
from convmath.testing._case import Case
from convmath.testing._diagnosis import Candidate
from convmath.testing._reference import numeric
from convmath.testing._spec import Diagnosis

__all__ = [
    "CONV",
    "CONV_INPUT_GRAD",
    "CONV_TRANSPOSE",
    "CONV_WEIGHT_GRAD",
    "SHAPES",
    "TABLES",
    "Ctx",
    "Entry",
    "candidates",
    "shape_diagnosis",
]

Row = tuple[str, str, Callable[[], Any]]
Make = Callable[["Ctx"], Iterator[Row]]

#: the keyword a per-axis option is passed as, and its value on no axis
DEFAULTS = {"stride": 1, "dilation": 1, "padding": 0, "output_padding": 0}
_SHORT = {"stride": "s", "dilation": "d", "padding": "p", "output_padding": "op"}


class Entry(NamedTuple):
    """One row of a table: a factory of candidates and their rank (lower first)."""

    rank: int
    make: Make


class Ctx:
    """What the factories see of a case: its spec, its geometry, how to recompute it."""

    def __init__(self, spec: Any, case: Case) -> None:
        self.spec = spec
        self.case = case
        self.op = case.op
        self.kw = case.kwargs
        self.geom = spec.geom(case)
        self.nd = self.geom.nd
        self.forms: tuple[str, ...] = spec.forms
        #: the form in which a change that keeps the geometry is computed
        self.plain = self.forms[0]

    @cached_property
    def expected(self) -> np.ndarray:
        return np.asarray(self.spec.reference(self.case))

    def run(self, form: str | None = None, **override: Any) -> Callable[[], np.ndarray]:
        """A thunk: the operation with ``override`` (see the spec's ``run``)."""
        return partial(self.spec.run, self.case, form or self.plain, **override)

    def value(self, arg: str) -> list[Any]:
        """The per-axis value of ``arg`` (padding as ``(before, after)`` pairs)."""
        g = self.geom
        return {"stride": g.s, "dilation": g.d, "padding": g.pads,
                "output_padding": g.op}[arg]

    def default(self, arg: str) -> Any:
        return (0, 0) if arg == "padding" else DEFAULTS[arg]

    def given(self, arg: str) -> bool:
        """Whether the case differs from the default in ``arg`` (the bug can show)."""
        return any(v != self.default(arg) for v in self.value(arg))

    def overrides(self, arg: str, value: list[Any]) -> list[tuple[dict[str, Any], str]]:
        """The overrides that set ``arg`` to ``value``, each with a note for the
        explanation. With ``padding='same'`` a changed dilation (or a changed stride,
        under TensorFlow's rule) may or may not change the 'same' padding too."""
        g = self.geom
        key = "pads" if arg == "padding" else arg
        over: dict[str, Any] = {key: list(value)}
        if self.op == "conv_transpose" and arg in ("stride", "dilation"):
            s = value if arg == "stride" else g.s
            d = value if arg == "dilation" else g.d
            over["output_padding"] = [min(o, max(a, b) - 1) for o, a, b in
                                      zip(g.op, s, d, strict=True)]
        out = [(over, "")]
        if g.pad_mode == "same" and (arg == "dilation" or (
                arg == "stride" and g.same_rule == "tf")):
            pads = g.same_pads(**{arg: value})
            if pads != g.pads:
                out.append(({**over, "pads": pads},
                            f", 'same' padding computed with that {arg} too"))
        return out

    def tuple_args(self) -> list[str]:
        """The per-axis options passed as tuples of unequal values."""
        return [a for a in DEFAULTS if isinstance(self.kw.get(a), tuple)
                and len(set(self.kw[a])) > 1]


def _flip_axes(nd: int) -> tuple[int, ...]:
    return tuple(range(2, 2 + nd))


def _first_group_only(y: np.ndarray, groups: int, bias: np.ndarray | None,
                      axis: int) -> np.ndarray:
    """``y`` with every group after the first set to zero (or to the bias alone)."""
    out = np.array(y, copy=True)
    per = y.shape[axis] // groups
    sl: list[Any] = [slice(None)] * y.ndim
    sl[axis] = slice(per, None)
    fill: Any = 0.0
    if bias is not None:
        fill = bias[per:].reshape((-1,) + (1,) * (y.ndim - axis - 1))
    out[tuple(sl)] = fill
    return out


def _interleave(y: np.ndarray, groups: int, axis: int) -> np.ndarray:
    """Channel ``g·(C/groups) + j`` of ``y`` moved to ``j·groups + g`` along ``axis``."""
    c = y.shape[axis]
    shape = (*y.shape[:axis], groups, c // groups, *y.shape[axis + 1:])
    return y.reshape(shape).swapaxes(axis, axis + 1).reshape(y.shape)


#: the channel axis of each operation's output
_OUT_AXIS = {"conv": 1, "conv_transpose": 1, "conv_input_grad": 1, "conv_weight_grad": 0}


# --- the factories ---------------------------------------------------------------------

_IGNORED = {
    ("conv", "sized", "stride"): "the stride argument is ignored (s = 1)",
    ("conv", "sized", "dilation"): "the dilation argument is silently ignored (d = 1)",
    ("conv", "sized", "padding"): "the padding argument is ignored",
    ("conv", "loop", "stride"):
        "the windows step by 1 instead of the stride, into an output of the right size "
        "(x_pad[…, i*stride:…] written x_pad[…, i:…])",
    ("conv", "loop", "dilation"):
        "the kernel taps are read contiguously (d = 1), into an output of the right size",
    ("conv_transpose", "loop", "stride"):
        "the stride is ignored: the input is scattered with step 1 into an output of the "
        "right size (out[…, i*stride:i*stride+k] written out[…, i:i+k])",
    ("conv_transpose", "loop", "dilation"):
        "dilation is ignored in the transposed convolution (the kernel taps are scattered "
        "contiguously; the output has the right size)",
    ("conv_transpose", "loop", "padding"):
        "the padding (an output crop) is ignored: the output is read from index 0 of the "
        "uncropped result instead of from p",
    ("conv_transpose", "sized", "stride"):
        "the stride is ignored: the output is the stride-1 transposed convolution",
    ("conv_transpose", "sized", "dilation"): "dilation is ignored in the transposed "
                                             "convolution",
    ("conv_transpose", "sized", "padding"): "the padding (an output crop) is ignored",
    ("conv_transpose", "sized", "output_padding"): "output_padding is ignored",
    ("conv_input_grad", "loop", "stride"):
        "the stride is ignored: grad_output is scattered back with step 1 "
        "(dx_pad[:, :, i*stride:i*stride+HH, …] += … written with i:i+HH); the shape is "
        "right, the values are not",
    ("conv_input_grad", "loop", "dilation"):
        "dilation is ignored: the kernel taps are scattered back contiguously",
    ("conv_input_grad", "loop", "padding"):
        "the padding is ignored (the input gradient is computed as if the forward conv "
        "had no padding): the gradient is shifted by p rows (dx[j] holds the value of "
        "dx[j − p])",
    ("conv_input_grad", "sized", "stride"):
        "the stride is ignored: the input gradient is the stride-1 transposed convolution "
        "of grad_output, which also gives it the wrong size",
    ("conv_input_grad", "sized", "dilation"):
        "dilation is ignored: the input gradient is the undilated transposed convolution "
        "of grad_output, which also gives it the wrong size",
    ("conv_input_grad", "sized", "padding"):
        "the padding is ignored: the input gradient is the transposed convolution of "
        "grad_output, uncropped",
    ("conv_weight_grad", "loop", "stride"):
        "the stride is ignored: the input windows step by 1 "
        "(x_pad[:, :, i*stride:i*stride+HH, …] written with i:i+HH)",
    ("conv_weight_grad", "loop", "dilation"):
        "dilation is ignored: the input windows are read contiguously",
    ("conv_weight_grad", "loop", "padding"):
        "the padding is ignored: the windows are taken from the unpadded input",
}


def ignored(arg: str) -> Make:
    """The operation as if ``arg`` were at its default (``'bias'``: not added)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        if arg == "bias":
            if ctx.kw.get("bias") is not None:
                yield ("bias ignored", "the bias is not added", ctx.run(bias=None))
            return
        if arg not in ctx.kw or not ctx.given(arg):
            return
        default = [ctx.default(arg)] * ctx.nd
        for form in ctx.forms:
            why = _IGNORED.get((ctx.op, form, arg))
            if why is None:
                continue
            for over, note in ctx.overrides(arg, default):
                yield (f"{arg} ignored", why + note, ctx.run(form, **over))
    return make


def ignored_on_axis(arg: str) -> Make:
    """``arg`` at its default on one spatial axis only (one row per axis)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        if ctx.nd < 2 or arg not in ctx.kw:
            return
        value = ctx.value(arg)
        for ax in range(ctx.nd):
            if value[ax] == ctx.default(arg):
                continue
            one = list(value)
            one[ax] = ctx.default(arg)
            for form in ctx.forms:
                if (ctx.op, form, arg) not in _IGNORED:
                    continue
                for over, note in ctx.overrides(arg, one):
                    yield (f"{arg} ignored on axis {ax}",
                           f"the {arg} is ignored on spatial axis {ax}{note}",
                           ctx.run(form, **over))
    return make


def axes_swapped(arg: str) -> Make:
    """``arg``'s per-axis values applied in reverse axis order (H/W swapped)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        if ctx.nd < 2 or arg not in ctx.kw:
            return
        value = ctx.value(arg)
        rev = value[::-1]
        if rev == value:
            return
        why = (f"the per-axis {arg} is applied in reverse axis order: per-axis parameters "
               "swapped between axes (H/W order)")
        for form in ctx.forms:
            for over, note in ctx.overrides(arg, rev):
                yield (f"per-axis params swapped ({arg})", why + note, ctx.run(form, **over))
    return make


def first_axis_only(arg: str) -> Make:
    """A function that takes one int, fed a per-axis tuple, uses its first value on every
    axis (``s = stride if isinstance(stride, int) else stride[0]``)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        if arg not in ctx.tuple_args():
            return
        first = ctx.value(arg)[0]
        short = _SHORT[arg]
        why = (f"the function takes one int: the first axis's {arg} is applied on every axis "
               f"({short} = {arg} if isinstance({arg}, int) else {arg}[0]); handle one value "
               "per axis, or declare isotropic=True")
        for form in ctx.forms:
            for over, note in ctx.overrides(arg, [first] * ctx.nd):
                yield (f"only the first axis's {arg} used", why + note, ctx.run(form, **over))
    return make


def first_axis_only_all() -> Make:
    """Several per-axis tuples, each reduced to its first value (a scalar-only function)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        args = ctx.tuple_args()
        if len(args) < 2:
            return
        g = ctx.geom
        first = {a: [ctx.value(a)[0]] * ctx.nd for a in args}
        over: dict[str, Any] = {("pads" if a == "padding" else a): v for a, v in first.items()}
        if ctx.op == "conv_transpose":
            s, d = over.get("stride", g.s), over.get("dilation", g.d)
            over["output_padding"] = [min(o, max(a, b) - 1) for o, a, b in
                                      zip(over.get("output_padding", g.op), s, d, strict=True)]
        why = ("the function takes one int per option: each per-axis value is applied with "
               "its first axis's value on every axis (v if isinstance(v, int) else v[0])")
        for form in ctx.forms:
            yield (f"only the first axis's {' and '.join(args)} used", why,
                   ctx.run(form, **over))
    return make


def exchanged(*, unit_stride: bool) -> Make:
    """Stride and dilation exchanged. ``unit_stride``: the rows for cases whose every
    stride is 1 (ranked after "dilation ignored", which they often coincide with), or
    for the others."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if "stride" not in ctx.kw or "dilation" not in ctx.kw or g.s == g.d:
            return
        if ctx.op == "conv" and unit_stride != all(v == 1 for v in g.s):
            return
        if ctx.op == "conv_weight_grad":
            why = ("stride and dilation are exchanged (they swap roles in the weight "
                   "gradient's correlation, and were swapped back wrongly)")
        else:
            why = "stride and dilation are exchanged (the stride used as the dilation and "
            why += "the dilation as the stride)"
        over: dict[str, Any] = {"stride": list(g.d), "dilation": list(g.s)}
        if ctx.op == "conv_transpose":
            over["output_padding"] = [min(o, max(s, d) - 1) for o, s, d in
                                      zip(g.op, g.s, g.d, strict=True)]
        for form in ctx.forms:
            yield ("stride and dilation swapped", why, ctx.run(form, **over))
    return make


_FLIP = {
    "conv": ("flipped kernel",
             "your function flips the kernel (true convolution); the layer API is "
             "cross-correlation: y[t] = Σ_j w[j]·x[s·t + d·j] with w unflipped"),
    "conv_transpose": ("kernel not flipped",
                       "the kernel orientation is wrong: PyTorch's conv_transpose is exactly "
                       "the input gradient of conv (the flip is implicit); this output uses "
                       "the kernel rotated 180° (e.g. jax.lax.conv_transpose with "
                       "transpose_kernel=False semantics)"),
    "conv_input_grad": ("flipped kernel",
                        "the kernel is not rotated 180° (or rotated twice): the input "
                        "gradient is a full cross-correlation with the flipped kernel"),
    "conv_weight_grad": ("flipped kernel", "the weight gradient comes out rotated 180°"),
}


def flipped_kernel() -> Make:
    """The kernel rotated 180° (the weight gradient: the result rotated)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        name, why = _FLIP[ctx.op]
        axes = _flip_axes(ctx.nd)
        if not ctx.spec.takes_weight:
            yield (name, why, lambda: np.flip(ctx.expected, axes))
            return
        yield (name, why, ctx.run(weight=np.flip(ctx.case.args["weight"], axes)))
    return make


def flipped_on_axis() -> Make:
    """The kernel flipped along one spatial axis only (np.fliplr-style)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        if ctx.nd < 2:
            return
        for ax in range(ctx.nd):
            name, why = f"kernel flipped on axis {ax}", (
                f"the kernel is flipped along spatial axis {ax} only")
            if ctx.op == "conv_transpose":  # the implicit flip done on the other axes only
                name, why = f"kernel not flipped on axis {ax}", (
                    f"the kernel orientation is wrong along spatial axis {ax} only: the "
                    "transposed convolution's implicit 180° rotation (its kernel flip) is "
                    "done on the other axes only")
            if ctx.spec.takes_weight:
                w = np.flip(ctx.case.args["weight"], 2 + ax)
                yield (name, why, ctx.run(weight=w))
            else:
                yield (name, why, partial(lambda a: np.flip(ctx.expected, 2 + a), ax))
    return make


def interleaved(channels: str) -> Make:
    """Group/channel interleave: ``'output'`` — the output's channels come out in the
    order ``j·groups + g`` instead of ``g·(C/groups) + j``; ``'input'`` (conv) — the input
    channels are assigned to groups round-robin."""
    texts = {
        "conv": "output channels are interleaved across groups (o = j·groups + g instead "
                "of g·(C_out/groups) + j)",
        "conv_transpose": "output channels are interleaved across groups",
        "conv_input_grad": "input channels interleaved across groups",
        "conv_weight_grad": "output channels interleaved across groups",
    }

    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom.g
        if g < 2:
            return
        if channels == "output":
            yield ("group/channel interleave", texts[ctx.op],
                   lambda: _interleave(ctx.expected, g, _OUT_AXIS[ctx.op]))
        elif ctx.op == "conv":
            x = ctx.case.args["input"]
            c = x.shape[1]
            perm = np.arange(c).reshape(g, c // g).T.reshape(-1)
            yield ("group/channel interleave",
                   "input channels are assigned to groups interleaved (c = j·groups + g) "
                   "instead of in contiguous blocks", ctx.run(x=x[:, perm]))
            w = ctx.case.args["weight"]
            o = w.shape[0]
            if o % g == 0:
                wperm = np.arange(o).reshape(g, o // g).T.reshape(-1)
                both = ctx.run(weight=w[wperm])
                yield ("group/channel interleave",
                       "groups are strided on both sides: output channel o reads input "
                       "group o mod groups (o = j·groups + g instead of g·(C_out/groups) + "
                       "j)", lambda: _interleave(both(), g, 1))
    return make


def groups_zeros() -> Make:
    """Only the first group computed; the others' outputs are zeros (or the bias)."""
    texts = {
        "conv": "only the first group is computed; the other groups' outputs are zeros",
        "conv_transpose": "only the first group is computed; the other groups' outputs are "
                          "zeros",
        "conv_input_grad": "only the first group's input gradient is computed; the others "
                           "are zeros",
        "conv_weight_grad": "only the first group's weight gradient is computed; the others "
                            "are zeros",
    }

    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom.g
        if g < 2:
            return
        b = ctx.kw.get("bias") if ctx.op in ("conv", "conv_transpose") else None
        yield ("groups return zeros", texts[ctx.op],
               lambda: _first_group_only(ctx.expected, g, b, _OUT_AXIS[ctx.op]))
    return make


def channels_transposed() -> Make:
    """The weight's two channel axes exchanged (square channel counts only: otherwise
    the shapes would not fit)."""
    texts = {
        "conv": "the weight is read as (C_in, C_out, *k) instead of (C_out, C_in, *k)",
        "conv_transpose": "the weight is read as (C_out, C_in, *k) (forward-conv layout) "
                          "instead of (C_in, C_out/groups, *k)",
        "conv_input_grad": "the weight's channel axes are swapped",
        "conv_weight_grad": "the gradient's channel axes are swapped",
    }

    def make(ctx: Ctx) -> Iterator[Row]:
        if ctx.geom.g != 1:
            return
        if ctx.spec.takes_weight:
            w = ctx.case.args["weight"]
            if w.shape[0] == w.shape[1]:
                yield ("C_in/C_out transposed", texts[ctx.op],
                       ctx.run(weight=np.swapaxes(w, 0, 1)))
        else:
            size = ctx.case.args["weight_size"]
            if size[0] == size[1]:
                yield ("C_in/C_out transposed", texts[ctx.op],
                       lambda: np.swapaxes(ctx.expected, 0, 1))
    return make


def bias_mistakes(*, twice: bool = False, group0: bool = False, last_axis: bool = False,
                  per_term: bool = False) -> Make:
    """The bias added twice; group 0's slice added to every group; broadcast along the
    last spatial axis instead of the channel axis; added once per term of the window sum
    (inside the sum: ``Σ (a·w + b)``)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        b = ctx.kw.get("bias")
        if b is None:
            return
        if twice:
            yield ("bias added twice", "the bias is added twice", ctx.run(bias=2 * b))
        if per_term and ctx.op == "conv":
            w = ctx.case.args["weight"]
            taps = int(np.prod(w.shape[2:]))
            for times, what in ((w.shape[1] * taps, "C_in/groups · ∏k times: once per term"),
                                (taps, "∏k times: once per kernel position")):
                if times > 2:  # twice is "added twice"
                    yield ("bias added inside the window sum",
                           f"the bias is added inside the sum over the window, {what} "
                           "(Σ(a·w + b) instead of Σ a·w + b)", ctx.run(bias=times * b))
        g = ctx.geom.g
        if group0 and g > 1:
            b0 = np.tile(b[:b.shape[0] // g], g)
            yield ("group 0's bias reused",
                   "every group adds the bias of group 0 (b[:C_out/groups]) instead of its "
                   "own slice", ctx.run(bias=b0))
        if last_axis:
            no_bias = ctx.run(bias=None)
            yield ("bias broadcast on the wrong axis",
                   "the bias is broadcast along the last spatial axis instead of the channel "
                   "axis (b added as b[None, None, ..., :])", lambda: no_bias() + b)
    return make


# conv only --------------------------------------------------------------------------------

def same_ignores_dilation() -> Make:
    """'same' split as if the dilation were 1 (the total still right)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if g.pad_mode != "same" or not any(
                d > 1 for d, k in zip(g.d, g.ks, strict=True) if k > 1):
            return
        if g.same_rule == "tf":  # TF/JAX 'SAME' computed with the undilated kernel
            yield ("'same' padding ignores dilation",
                   "'SAME' padding computed for the undilated kernel (k − 1 instead of "
                   "d(k−1) in the total), as in a pad_same helper that forgets the dilation",
                   ctx.run("sized", pads=g.same_pads(dilation=[1] * ctx.nd)))
            return
        pads = [((k - 1) // 2, d * (k - 1) - (k - 1) // 2) for k, d in
                zip(g.ks, g.d, strict=True)]
        yield ("'same' padding ignores dilation",
               "padding='same' places the padding as if dilation were 1 (⌊(k−1)/2⌋ before "
               "the input); PyTorch puts ⌊d(k−1)/2⌋ before and the rest after",
               ctx.run(pads=pads))
        yield ("'same' padding ignores dilation",
               "padding='same' computed as if dilation were 1: k − 1 in total instead of "
               "d(k−1), so the output is smaller than the input",
               ctx.run("sized", pads=g.same_pads(dilation=[1] * ctx.nd)))
    return make


def same_offset() -> Make:
    """'same' with the extra padding element before the input instead of after."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if g.pad_mode != "same" or not any(a != c for a, c in g.pads):
            return
        yield ("'same' offset by one",
               "padding='same' puts the extra padding element before the input "
               "(MATLAB/TF-lower or numpy-centre convention); PyTorch puts ⌊d(k−1)/2⌋ "
               "before and the extra one after, which matters for even effective kernels",
               ctx.run(pads=[(c, a) for a, c in g.pads]))
    return make


def same_dilation_swapped() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if g.pad_mode != "same" or ctx.nd < 2 or g.d[::-1] == g.d:
            return
        yield ("per-axis dilation swapped in 'same' padding",
               "padding='same' is computed with the dilation of the other axis (per-axis "
               "parameters swapped between axes)",
               ctx.run(pads=g.same_pads(dilation=g.d[::-1])))
    return make


def all_axes_swapped() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if ctx.nd < 2:
            return
        rs, rd, rp = g.s[::-1], g.d[::-1], g.pads[::-1]
        if (rs, rd, rp) == (g.s, g.d, g.pads):
            return
        yield ("per-axis params swapped",
               "stride, padding and dilation are all applied to the other axes (H/W order "
               "reversed)", ctx.run(stride=rs, dilation=rd, pads=rp))
    return make


def output_axes_transposed() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        if ctx.nd > 1:
            yield ("output spatial axes transposed",
                   "the output's last two spatial axes are exchanged (a channels-last / "
                   "layout conversion with the wrong permutation)",
                   lambda: np.swapaxes(ctx.expected, -1, -2))
    return make


def kernel_axes_transposed() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if ctx.nd < 2:
            return
        w = np.swapaxes(ctx.case.args["weight"], -1, -2)
        over: dict[str, Any] = {"weight": w}
        if g.pad_mode == "same":  # the 'same' padding of the kernel as read
            over["pads"] = g.same_pads(ks=[*g.ks[:-2], g.ks[-1], g.ks[-2]])
        yield ("kernel spatial axes transposed",
               "the kernel's last two spatial axes are exchanged (w read as (…, kW, kH)): a "
               "per-axis swap of the kernel itself", ctx.run(**over))
    return make


def weight_flattened() -> Make:
    """The weight flattened as ``(C_out, C_in·∏k)`` in one axis order and multiplied with
    im2col columns laid out in another: channels and kernel positions mixed up."""
    def make(ctx: Ctx) -> Iterator[Row]:
        w = ctx.case.args["weight"]
        o, c, ks = w.shape[0], w.shape[1], w.shape[2:]
        if c < 2 or int(np.prod(ks)) < 2:
            return
        nd = len(ks)
        channels_last = np.moveaxis(w, 1, -1)  # (C_out, *k, C_in)
        yield ("weight flattened in the wrong order",
               "the weight is flattened in (*k, C_in) order (channels last) but the im2col "
               "columns are laid out (C_in, *k): channels and kernel positions mixed up",
               ctx.run(weight=np.ascontiguousarray(channels_last).reshape(w.shape)))
        yield ("weight flattened in the wrong order",
               "the weight is flattened in (C_in, *k) order but the im2col columns are "
               "laid out (*k, C_in) (channels last): channels and kernel positions mixed up",
               ctx.run(weight=np.moveaxis(w.reshape(o, *ks, c), nd + 1, 1)))
    return make


def stride_as_dilation() -> Make:
    """The stride applied to the kernel index as well (``x[i·s + t·s]``): the taps spaced
    by the stride, as if the dilation were s·d."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if not any(s > 1 and k > 1 for s, k in zip(g.s, g.ks, strict=True)):
            return
        d = [s * dd for s, dd in zip(g.s, g.d, strict=True)]
        for form in ctx.forms:
            yield ("stride also used as dilation",
                   "the stride is applied to the kernel index too (x[i·s + t·s] instead of "
                   "x[i·s + t·d]): the kernel taps are spaced by the stride",
                   ctx.run(form, dilation=d))
    return make


def dilation_off_by_one() -> Make:
    """A dilation convention off by one: the number of zeros inserted between kernel taps
    (numpy-ml, some textbooks: 0 is an ordinary kernel) where PyTorch counts the spacing
    (1 is an ordinary kernel)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        d = list(g.d)
        if not any(k > 1 for k in g.ks):
            return

        def spaced(dd: list[int]) -> Callable[[], np.ndarray]:
            pads = g.same_pads(dilation=dd) if g.pad_mode == "same" else None
            return ctx.run("sized", dilation=dd, pads=pads)
        yield ("dilation off by one",
               "the dilation is used as the number of zeros inserted between kernel taps "
               "(d + 1 spacing); PyTorch's dilation is the spacing itself (1: no gaps)",
               spaced([v + 1 for v in d]))
        if any(v > 1 for v in d):
            yield ("dilation off by one",
                   "the dilation is converted to a number of inserted zeros twice (d − 1 "
                   "spacing); PyTorch's dilation is the spacing itself",
                   spaced([max(1, v - 1) for v in d]))
    return make


def overwrites_overlaps() -> Make:
    """The input gradient scattered with ``=`` instead of ``+=`` (col2im without
    ``np.add.at``, or a loop that assigns each window's contribution): where windows
    overlap, one contribution survives instead of their sum."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        w = ctx.case.args["weight"]
        gy = ctx.case.args["grad_output"]
        outs = gy.shape[2:]
        taps = int(np.prod(g.ks))
        if taps < 2 or taps * int(np.prod(outs)) > 4096:
            return
        if all(s >= d * (k - 1) + 1 for s, d, k in zip(g.s, g.d, g.ks, strict=True)):
            return  # no window overlaps another

        def overwritten(tap_major: bool) -> np.ndarray:
            size = ctx.case.args["input_size"]
            n, cin = size[0], size[1]
            cout, groups = w.shape[0], g.g
            cg, og = cin // groups, cout // groups
            pb = [a for a, _ in g.pads]
            padded = [i + a + b for i, (a, b) in zip(size[2:], g.pads, strict=True)]
            dx = np.zeros((n, cin, *padded), dtype=np.result_type(w, gy))
            pairs = [(t, o) for t in np.ndindex(*g.ks) for o in np.ndindex(*outs)]
            if not tap_major:
                pairs = [(t, o) for o in np.ndindex(*outs) for t in np.ndindex(*g.ks)]
            for t, o in pairs:  # later writes win, as with duplicate indices in NumPy
                at = tuple(oi * s + ti * d for oi, ti, s, d in zip(o, t, g.s, g.d, strict=True))
                if any(a >= p for a, p in zip(at, padded, strict=True)):
                    continue
                for gi in range(groups):
                    rows = slice(gi * og, (gi + 1) * og)
                    gy_at = (slice(None), rows, *o)
                    w_at = (rows, slice(None), *t)
                    dx_at = (slice(None), slice(gi * cg, (gi + 1) * cg), *at)
                    dx[dx_at] = np.einsum("no,oc->nc", gy[gy_at], w[w_at])
            crop = (slice(None), slice(None),
                    *(slice(a, a + i) for a, i in zip(pb, size[2:], strict=True)))
            return dx[crop]

        for tap_major, how in ((True, "im2col's column order: the last kernel position "
                                      "wins"),
                               (False, "a loop over output positions: the last window "
                                       "wins")):
            yield ("overlapping windows not accumulated",
                   f"the gradient is scattered into the input with = instead of += "
                   f"(col2im without np.add.at, or dx[window] = ... in a loop; {how}): "
                   "where windows overlap, their contributions must add",
                   partial(overwritten, tap_major))
    return make


def output_reshaped() -> Make:
    """The GEMM result of an im2col convolution, laid out ``(C_out, *out, N)`` or
    ``(C_out, N, *out)``, reshaped straight to ``(N, C_out, *out)`` without a transpose."""
    def make(ctx: Ctx) -> Iterator[Row]:
        y = ctx.expected
        if y.shape[0] * y.shape[1] < 2 or y.ndim < 3:
            return
        for order, layout in (((1, *range(2, y.ndim), 0), "(C_out, *out, N)"),
                              ((1, 0, *range(2, y.ndim)), "(C_out, N, *out)"),
                              ((0, *range(2, y.ndim), 1), "(N, *out, C_out)")):
            yield ("output reshaped without a transpose",
                   f"the result is computed laid out {layout} (the GEMM of the weight with "
                   "im2col columns) and reshaped to (N, C_out, *out) without moving the axes: "
                   "samples, channels and positions mixed up",
                   partial(lambda o: np.ascontiguousarray(
                       np.transpose(ctx.expected, o)).reshape(y.shape), order))
    return make


def fft_wrap_around() -> Make:
    """A convolution through the FFT with the transform as long as the padded input: a
    circular correlation, whose first outputs wrap around (the valid part is at the end)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if not any(d * (k - 1) > 0 for d, k in zip(g.d, g.ks, strict=True)):
            return
        x = ctx.case.args["input"]

        def wrapped() -> np.ndarray:
            xp = np.pad(x, [(0, 0), (0, 0), *g.pads])
            for ax, (d, k) in enumerate(zip(g.d, g.ks, strict=True)):
                xp = np.roll(xp, d * (k - 1), axis=2 + ax)
            return ctx.spec.run(ctx.case, "sized", x=xp, pads=[(0, 0)] * ctx.nd)
        yield ("FFT wrap-around (circular convolution)",
               "the convolution is computed through an FFT as long as the padded input (a "
               "circular correlation) and the first outputs are kept: they wrap around; the "
               "correct outputs start d(k−1) positions later (or pad the FFT to at least "
               "i + d(k−1))", wrapped)
    return make


def tf_same_floor() -> Make:
    """TF/JAX 'SAME' with the output size ⌊i/s⌋ instead of ⌈i/s⌉ (so less padding)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if g.pad_mode != "same" or g.same_rule != "tf" or all(
                n % s == 0 for n, s in zip(g.sizes, g.s, strict=True)):
            return
        pads = []
        for n, s, d, k in zip(g.sizes, g.s, g.d, g.ks, strict=True):
            total = max((max(n // s, 1) - 1) * s + d * (k - 1) + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        yield ("'SAME' output size ⌊i/s⌋",
               "TF/JAX 'SAME' padding computed for ⌊i/s⌋ outputs instead of ⌈i/s⌉ "
               "(total padding max((o − 1)s + d(k−1) + 1 − i, 0) with the wrong o)",
               ctx.run("sized", pads=pads))
    return make


def padding_one_side() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        pads = ctx.geom.pads
        if not any(a or c for a, c in pads):
            return
        yield ("padding on one side", "all the padding is applied after the input",
               ctx.run(pads=[(0, a + c) for a, c in pads]))
        yield ("padding on one side", "all the padding is applied before the input",
               ctx.run(pads=[(a + c, 0) for a, c in pads]))
    return make


def padded_with(mode: str, label: str) -> Make:
    """The input padded by reflection / wrapping / replication instead of zeros."""
    def make(ctx: Ctx) -> Iterator[Row]:
        pads = ctx.geom.pads
        if not any(a or c for a, c in pads):
            return

        def padded() -> np.ndarray:
            x = ctx.case.args["input"]
            xp = np.pad(x, [(0, 0), (0, 0), *pads], mode=mode)  # type: ignore[call-overload]
            return ctx.spec.run(ctx.case, "sized", x=xp, pads=[(0, 0)] * ctx.nd)
        yield (f"{label} padding instead of zeros",
               f"the input is padded with {label} values; conv padding is zeros", padded)
    return make


def ceil_output() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        lo = g.unused()
        if not any(lo):
            return
        pads = [(a, c + (s - r) % s) for (a, c), s, r in zip(g.pads, g.s, lo, strict=True)]
        yield ("floor vs ceil output size",
               "the output size is rounded up (ceil) instead of PyTorch's floor "
               "⌊(i + 2p − d(k−1) − 1)/s⌋ + 1: an extra, partial window is computed",
               ctx.run(pads=pads))
    return make


# conv_transpose only ---------------------------------------------------------------------

def output_padding_mistakes() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if not any(g.op):
            return
        yield ("output_padding on the wrong side",
               "the output_padding rows are added before the output (at the start) instead "
               "of after it",
               ctx.run("loop", pads=[(p - o, p - o) for p, o in zip(g.p, g.op, strict=True)]))
        short = ctx.run("sized", output_padding=[0] * ctx.nd)
        yield ("output_padding as zeros",
               "output_padding appends zero rows instead of extending the computed output",
               lambda: np.pad(short(), [(0, 0), (0, 0)] + [(0, o) for o in g.op]))
    return make


def transposed_padding_mistakes() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if not any(g.p):
            return
        x = ctx.case.args["input"]
        yield ("transposed padding treated as input padding",
               "padding is applied to the input (zeros around x, as for a forward conv) "
               "instead of cropping p from each side of the output",
               ctx.run("sized", x=np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in g.p]),
                       pads=[(0, 0)] * ctx.nd))
        yield ("padding cropped on one side",
               "all 2p of the crop is taken from the start of the output",
               ctx.run("loop", pads=[(2 * p, 0) for p in g.p]))
    return make


def zero_insertion_padding() -> Make:
    """The transposed convolution as zero insertion plus a convolution with the flipped,
    channel-swapped kernel — padded by ``p`` (the forward's padding) instead of
    ``d(k−1) − p``."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        if all(p == d * (k - 1) - p for p, d, k in zip(g.p, g.d, g.ks, strict=True)):
            return
        x, w = ctx.case.args["input"], ctx.case.args["weight"]
        bias = ctx.kw.get("bias")

        def direct() -> np.ndarray:
            n, cin = x.shape[:2]
            up = np.zeros((n, cin, *((i - 1) * s + 1 for i, s in
                                     zip(x.shape[2:], g.s, strict=True))), x.dtype)
            every = (slice(None), slice(None), *(slice(None, None, s) for s in g.s))
            up[every] = x
            up = np.pad(up, [(0, 0), (0, 0), *((p, p + o) for p, o in
                                                zip(g.p, g.op, strict=True))])
            cg = cin // g.g
            flip = (slice(None), slice(None), *[slice(None, None, -1)] * ctx.nd)
            wc = np.concatenate([np.swapaxes(w[i * cg:(i + 1) * cg], 0, 1)[flip]
                                 for i in range(g.g)], axis=0)
            return np.asarray(numeric("conv")(up, np.ascontiguousarray(wc), bias, 1, 0,
                                              g.d, g.g))
        yield ("zero insertion padded by p",
               "the transposed convolution is computed as zero insertion (stride − 1 zeros "
               "between inputs) and a convolution with the flipped kernel, but the inserted "
               "input is padded by p instead of d(k−1) − p", direct)
    return make


# gradients only --------------------------------------------------------------------------

def leftover_dropped() -> Make:
    """The input gradient's last rows (those no window of the last output reaches after
    padding) missing: zero-filled, or cut off (conv_transpose without output_padding)."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom
        lo = g.unused()
        if not any(lo):
            return
        size = ctx.case.args["input_size"]

        def zero_filled() -> np.ndarray:
            y = ctx.expected.copy()
            for ax, r in enumerate(lo):
                if r:
                    idx: list[Any] = [slice(None)] * y.ndim
                    idx[2 + ax] = slice(size[2 + ax] - r, None)
                    y[tuple(idx)] = 0
            return y
        yield ("leftover rows dropped",
               "(i + 2p − d(k−1) − 1) mod s ≠ 0: the last rows of the input, "
               "which no window of the last output reaches after padding, get zero gradient "
               "where they should not — output_padding of the underlying transposed "
               "convolution not derived from input_size", zero_filled)
        yield ("leftover rows dropped",
               "the input gradient is conv_transpose(grad_output) without output_padding, "
               "(i + 2p − d(k−1) − 1) mod s rows short of input_size: derive output_padding = "
               "(i + 2p − d(k−1) − 1) mod s from input_size (or allocate input_size)",
               ctx.run("sized"))
    return make


def groups_input_of_group0() -> Make:
    """The weight gradient of every group computed from group 0's input channels."""
    def make(ctx: Ctx) -> Iterator[Row]:
        g = ctx.geom.g
        if g < 2:
            return
        x = ctx.case.args["input"]
        cg = x.shape[1] // g
        x0 = np.concatenate([x[:, :cg]] * g, axis=1)
        yield ("every group reads group 0's input",
               "the weight gradient of every group is computed from the input channels of "
               "group 0 (x[:, :C_in/groups]) instead of its own slice",
               lambda: ctx.spec._ref(x0, tuple(ctx.case.args["weight_size"]),
                                     ctx.case.args["grad_output"], ctx.geom))
    return make


def batch_mistakes() -> Make:
    def make(ctx: Ctx) -> Iterator[Row]:
        x = ctx.case.args["input"]
        n = x.shape[0]
        if n < 2:
            return
        yield ("batch not summed", "only the first batch element contributes",
               lambda: ctx.spec._ref(x[:1], tuple(ctx.case.args["weight_size"]),
                                     ctx.case.args["grad_output"][:1], ctx.geom))
        yield ("batch not summed",
               "only the last batch element contributes (a loop over samples that assigns "
               "dw = ... instead of dw += ...)",
               lambda: ctx.spec._ref(x[-1:], tuple(ctx.case.args["weight_size"]),
                                     ctx.case.args["grad_output"][-1:], ctx.geom))
        gy = ctx.case.args["grad_output"]
        o = gy.shape[1]
        mixed = gy.reshape(o, n, -1).transpose(1, 0, 2).reshape(gy.shape)
        yield ("grad_output reshaped without a transpose",
               "grad_output (N, C_out, *out) is reshaped straight to (C_out, N·out) for the "
               "GEMM with the im2col columns, without moving the channel axis first: "
               "samples and channels mixed up",
               lambda: ctx.spec._ref(x, tuple(ctx.case.args["weight_size"]), mixed,
                                     ctx.geom))
        yield ("weight gradient averaged over the batch",
               "the gradient is divided by the batch size N (a mean over the batch); ∂L/∂w "
               "sums over the batch", lambda: ctx.expected / n)
    return make


def _per_arg(make: Callable[[str], Make], args: Sequence[str]) -> Make:
    """One factory over several options, in order (one table row)."""
    makes = [make(a) for a in args]

    def run_all(ctx: Ctx) -> Iterator[Row]:
        for m in makes:
            yield from m(ctx)
    return run_all


# --- the tables ----------------------------------------------------------------------------

_CONV_ARGS = ("stride", "dilation", "padding")
_CT_ARGS = ("stride", "dilation", "padding", "output_padding")

#: ``check_conv``. Specific explanations before generic ones that coincide with them on
#: small cases: "'same' ignores dilation" before "padding on one side"; a scalar-only
#: function ("only the first axis's stride used") before "stride ignored", which it
#: equals when the first value is 1.
CONV: tuple[Entry, ...] = (
    Entry(10, same_ignores_dilation()),
    Entry(20, flipped_kernel()),
    Entry(21, flipped_on_axis()),
    Entry(22, output_axes_transposed()),
    Entry(23, kernel_axes_transposed()),
    Entry(24, same_offset()),
    Entry(30, _per_arg(axes_swapped, _CONV_ARGS)),
    Entry(31, same_dilation_swapped()),
    Entry(32, all_axes_swapped()),
    Entry(35, exchanged(unit_stride=False)),
    Entry(36, stride_as_dilation()),
    Entry(40, first_axis_only_all()),
    Entry(41, _per_arg(first_axis_only, _CONV_ARGS)),
    Entry(45, ignored("dilation")),
    Entry(46, ignored_on_axis("dilation")),
    Entry(47, ignored("stride")),
    Entry(48, ignored_on_axis("stride")),
    Entry(49, ignored_on_axis("padding")),
    Entry(50, ignored("padding")),
    Entry(51, padding_one_side()),
    Entry(52, padded_with("reflect", "reflect")),
    Entry(52, padded_with("symmetric", "symmetric (scipy.ndimage's 'reflect')")),
    Entry(52, padded_with("wrap", "circular")),
    Entry(52, padded_with("edge", "replicate")),
    Entry(55, ceil_output()),
    Entry(60, interleaved("output")),
    Entry(60, interleaved("input")),
    Entry(61, groups_zeros()),
    Entry(65, channels_transposed()),
    Entry(25, tf_same_floor()),
    Entry(56, fft_wrap_around()),
    Entry(66, weight_flattened()),
    Entry(68, output_reshaped()),
    Entry(67, dilation_off_by_one()),
    Entry(70, ignored("bias")),
    Entry(71, bias_mistakes(twice=True)),
    Entry(72, bias_mistakes(per_term=True)),
    Entry(80, bias_mistakes(group0=True, last_axis=True)),
    Entry(85, exchanged(unit_stride=True)),  # after "dilation ignored", which it equals often
)

#: ``check_conv_transpose``
CONV_TRANSPOSE: tuple[Entry, ...] = (
    Entry(20, flipped_kernel()),
    Entry(21, flipped_on_axis()),
    Entry(24, first_axis_only_all()),
    Entry(25, _per_arg(first_axis_only, _CT_ARGS)),
    Entry(30, output_padding_mistakes()),
    Entry(31, ignored("output_padding")),
    Entry(32, ignored("padding")),
    Entry(33, transposed_padding_mistakes()),
    Entry(34, zero_insertion_padding()),
    Entry(35, _per_arg(axes_swapped, _CT_ARGS)),
    Entry(38, exchanged(unit_stride=False)),
    Entry(45, ignored("dilation")),
    Entry(46, ignored_on_axis("dilation")),
    Entry(47, ignored("stride")),
    Entry(48, ignored_on_axis("stride")),
    Entry(49, ignored_on_axis("padding")),
    Entry(60, interleaved("output")),
    Entry(65, channels_transposed()),
    Entry(70, ignored("bias")),
    Entry(80, bias_mistakes(group0=True, last_axis=True)),
    Entry(80, groups_zeros()),
)

#: the rows both gradients share (each table is sorted by rank, so order here is free)
_GRADIENTS: tuple[Entry, ...] = (
    Entry(20, flipped_kernel()),
    Entry(21, flipped_on_axis()),
    Entry(30, exchanged(unit_stride=False)),
    Entry(31, _per_arg(axes_swapped, _CONV_ARGS)),
    Entry(40, first_axis_only_all()),
    Entry(41, _per_arg(first_axis_only, _CONV_ARGS)),
    Entry(45, ignored("dilation")),
    Entry(46, ignored_on_axis("dilation")),
    Entry(47, ignored("stride")),
    Entry(48, ignored_on_axis("stride")),
    Entry(49, ignored_on_axis("padding")),
    Entry(50, ignored("padding")),
    Entry(60, interleaved("output")),
    Entry(65, channels_transposed()),
    Entry(80, groups_zeros()),
)

#: ``check_conv_input_grad``
CONV_INPUT_GRAD: tuple[Entry, ...] = (
    Entry(10, leftover_dropped()),
    Entry(15, overwrites_overlaps()),
    *_GRADIENTS,
)

#: ``check_conv_weight_grad``
CONV_WEIGHT_GRAD: tuple[Entry, ...] = (
    *_GRADIENTS,
    Entry(70, batch_mistakes()),
    Entry(75, groups_input_of_group0()),
)

TABLES: dict[str, tuple[Entry, ...]] = {
    "conv": CONV,
    "conv_transpose": CONV_TRANSPOSE,
    "conv_input_grad": CONV_INPUT_GRAD,
    "conv_weight_grad": CONV_WEIGHT_GRAD,
}


def candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    """The candidates for ``case`` (a conv-family operation), with their table ranks."""
    ctx = Ctx(spec, case)
    for entry in TABLES[case.op]:
        for name, why, compute in entry.make(ctx):
            yield Candidate(name, why, compute, entry.rank)


# --- wrong output shapes -------------------------------------------------------------------

class ShapeRule(NamedTuple):
    """An output-size formula a wrong shape may match: its name, what it says (given the
    case), and the full output shape it gives (None where it does not apply)."""

    name: str
    text: Callable[[Ctx], str]
    shape: Callable[[Ctx], tuple[int, ...] | None]


def _lead(ctx: Ctx) -> tuple[int, ...]:
    return tuple(ctx.spec.out_shape(ctx.case)[:2])


def _conv_size(ctx: Ctx, **kw: Any) -> tuple[int, ...]:
    return (*_lead(ctx), *ctx.geom.out_sizes(**kw))


def _ct_size(ctx: Ctx, *, stride: Sequence[int] | None = None,
             padding: Sequence[int] | None = None, output_padding: Sequence[int] | None = None,
             dilation: Sequence[int] | None = None, sizes: Sequence[int] | None = None
             ) -> tuple[int, ...]:
    """``conv_transpose_output_size`` (the transposed conv's, or for the input gradient
    that of grad_output's transposed convolution) with the parameters overridden."""
    g = ctx.geom
    if ctx.op == "conv_input_grad":
        i = ctx.case.args["grad_output"].shape[2:]
        op = [0] * ctx.nd
    else:
        i = ctx.case.args["input"].shape[2:]
        op = g.op
    size = numeric("conv_transpose_output_size")
    s = g.s if stride is None else stride
    d = g.d if dilation is None else dilation
    o = op if output_padding is None else output_padding
    o = [min(a, max(b, c) - 1) for a, b, c in zip(o, s, d, strict=True)]
    ins, pads = tuple(i if sizes is None else sizes), tuple(g.p if padding is None else padding)
    try:
        return (*_lead(ctx), *size(ins, tuple(g.ks), tuple(s), pads, tuple(o), tuple(d)))
    except InvalidArgument:  # an empty output is what such an implementation returns
        out = [(n - 1) * ss - 2 * pp + dd * (k - 1) + oo + 1 for n, ss, pp, dd, k, oo in
               zip(ins, s, pads, d, g.ks, o, strict=True)]
        if min(out) < 0:
            raise
        return (*_lead(ctx), *out)


def _empty_slice(ctx: Ctx) -> tuple[int, ...] | None:
    """``out[..., p:-p]``: empty on every axis where p = 0."""
    p = ctx.geom.p
    if all(p):
        return None
    want = ctx.spec.out_shape(ctx.case)
    return (*want[:2], *(0 if pp == 0 else n for pp, n in zip(p, want[2:], strict=True)))


def _first_axis_rules(size: Callable[..., tuple[int, ...]]) -> list[ShapeRule]:
    rules = []
    for arg in ("stride", "dilation", "padding"):
        def shape(ctx: Ctx, arg: str = arg) -> tuple[int, ...] | None:
            if arg not in ctx.tuple_args():
                return None
            first = ctx.value(arg)[0]
            if ctx.op == "conv":
                key = "pads" if arg == "padding" else arg
            else:
                key, first = arg, (first[0] if arg == "padding" else first)
            return size(ctx, **{key: [first] * ctx.nd})

        def text(ctx: Ctx, arg: str = arg) -> str:
            return (f"the size of a function that takes one int: {arg}={ctx.kw[arg]!r} "
                    f"applied as {ctx.kw[arg][0]} on every axis")
        rules.append(ShapeRule(f"only the first axis's {arg} used", text, shape))
    return rules


def _unless_same(f: Callable[[Ctx], tuple[int, ...] | None]
                 ) -> Callable[[Ctx], tuple[int, ...] | None]:
    return lambda ctx: None if ctx.geom.pad_mode == "same" else f(ctx)


def _same_only(f: Callable[[Ctx], tuple[int, ...] | None]
               ) -> Callable[[Ctx], tuple[int, ...] | None]:
    return lambda ctx: f(ctx) if ctx.geom.pad_mode == "same" else None


def _same_max(ctx: Ctx) -> tuple[int, ...] | None:
    g = ctx.geom
    keff = [d * (k - 1) + 1 for d, k in zip(g.d, g.ks, strict=True)]
    if all(e <= n for e, n in zip(keff, g.sizes, strict=True)):
        return None
    return (*_lead(ctx), *(max(n, e) for n, e in zip(g.sizes, keff, strict=True)))


_CONV_SHAPES: list[ShapeRule] = [
    ShapeRule("floor vs ceil output size",
              lambda c: "the ceil formula ⌈(i + 2p − d(k−1) − 1)/s⌉ + 1; PyTorch uses floor "
                        "⌊(i + 2p − d(k−1) − 1)/s⌋ + 1",
              lambda c: _conv_size(c, sizes=[n + s - 1 for n, s in
                                             zip(c.geom.sizes, c.geom.s, strict=True)])),
    ShapeRule("'same' split symmetrically",
              lambda c: "padding='same' as ⌊d(k−1)/2⌋ on both sides, one row short for an "
                        "even effective kernel; PyTorch puts the extra element after",
              _same_only(lambda c: _conv_size(c, pads=[(a, a) for a, _ in c.geom.pads]))),
    ShapeRule("'same' split symmetrically, one row long",
              lambda c: "padding='same' as ⌈d(k−1)/2⌉ on both sides (k//2 for an even "
                        "kernel): one row too many for an even effective kernel; PyTorch "
                        "puts ⌊d(k−1)/2⌋ before and the rest after",
              _same_only(lambda c: _conv_size(c, pads=[(b, b) for _, b in c.geom.pads]))),
    ShapeRule("'same' padding ignores dilation",
              lambda c: "padding='same' computed as if dilation were 1, "
                        f"{c.geom.same_pads(dilation=[1] * c.nd)} instead of {c.geom.pads}",
              _same_only(lambda c: _conv_size(c, pads=c.geom.same_pads(
                  dilation=[1] * c.nd)))),
    ShapeRule("'same' length max(i, d(k−1)+1)",
              lambda c: "the numpy/scipy 'same' length max(input, kernel); PyTorch's "
                        "'same' output has the input's size",
              _same_only(_same_max)),
    ShapeRule("'valid' padded like 'same'",
              lambda c: "the output has the input's size; padding='valid' means no padding",
              lambda c: (*_lead(c), *c.geom.sizes) if c.geom.pad_mode == "valid" else None),
    *_first_axis_rules(_conv_size),  # before "… ignored", which (1, 2) used as 1 equals
    ShapeRule("padding ignored in the output size",
              lambda c: "⌊(i − d(k−1) − 1)/s⌋ + 1: the padding is left out",
              lambda c: _conv_size(c, pads=[(0, 0)] * c.nd)),
    ShapeRule("padding doubled in the output size",
              lambda c: "⌊(i + 4p − d(k−1) − 1)/s⌋ + 1: the input padded twice (np.pad and "
                        "the padding argument both applied?)",
              lambda c: _conv_size(c, pads=[(2 * a, 2 * b) for a, b in c.geom.pads])),
    ShapeRule("padding counted once in the output size",
              lambda c: "⌊(i + p − d(k−1) − 1)/s⌋ + 1: p instead of 2p (one side only)",
              _unless_same(lambda c: _conv_size(c, pads=[(a, 0) for a, _ in c.geom.pads]))),
    ShapeRule("dilation ignored in the output size",
              lambda c: "⌊(i + 2p − (k−1) − 1)/s⌋ + 1: the dilation is left out",
              lambda c: _conv_size(c, dilation=[1] * c.nd)),
    ShapeRule("stride ignored in the output size",
              lambda c: "i + 2p − d(k−1): the stride is left out (s = 1)",
              lambda c: _conv_size(c, stride=[1] * c.nd)),
    ShapeRule("dilation off by one",
              lambda c: "⌊(i + 2p − (d+1)(k−1) − 1)/s⌋ + 1: the dilation used as the number "
                        "of zeros inserted between kernel taps (spacing d + 1); PyTorch's "
                        "dilation is the spacing itself",
              _unless_same(lambda c: _conv_size(c, dilation=[d + 1 for d in c.geom.d]))),
    ShapeRule("dilation applied to the input",
              lambda c: "the input is dilated (zeros inserted between its elements, "
                        "lhs_dilation) instead of the kernel (rhs_dilation)",
              _unless_same(lambda c: _conv_size(
                  c, sizes=[(n - 1) * d + 1 for n, d in zip(c.geom.sizes, c.geom.d,
                                                            strict=True)],
                  dilation=[1] * c.nd))),
    ShapeRule("padding applied to every axis",
              lambda c: "np.pad(x, p) pads the batch and channel axes too; pad only the "
                        "spatial axes: np.pad(x, [(0, 0), (0, 0), (p, p), ...])",
              lambda c: (c.case.args["input"].shape[0] + sum(c.geom.pads[0]),
                         *_conv_size(c)[1:]) if any(a or b for a, b in c.geom.pads)
              and c.geom.pad_mode == "explicit" else None),
    ShapeRule("C_out read from the wrong weight axis",
              lambda c: "the number of output channels taken from weight.shape[1] (the "
                        "weight read as (C_in, C_out, *k)); the conv weight is "
                        "(C_out, C_in/groups, *k)",
              lambda c: (c.case.args["input"].shape[0], c.case.args["weight"].shape[1],
                         *c.geom.out_sizes())
              if c.case.args["weight"].shape[0] != c.case.args["weight"].shape[1] else None),
    ShapeRule("per-axis params swapped",
              lambda c: "the size with stride, padding and dilation of the other axes",
              lambda c: _conv_size(c, stride=c.geom.s[::-1], dilation=c.geom.d[::-1],
                                   pads=c.geom.pads[::-1])),
]

_CT_SHAPES: list[ShapeRule] = [
    ShapeRule("C_in/C_out transposed",
              lambda c: "the weight read as (C_out, C_in, *k) (the forward convolution's "
                        "layout); the transposed convolution's weight is (C_in, "
                        "C_out/groups, *k)",
              lambda c: (_ct_size(c)[0], c.case.args["weight"].shape[0],
                         *_ct_size(c)[2:])
              if c.geom.g == 1 and c.case.args["weight"].shape[0]
              != c.case.args["weight"].shape[1] else None),
    ShapeRule("pad = 0 slicing gives an empty array",
              lambda c: "the output is cropped as out[:, :, pad:-pad, …], and with pad = 0 "
                        "the slice 0:-0 is empty; crop with pad:pad + H_out instead",
              _empty_slice),
    *_first_axis_rules(_ct_size),
    ShapeRule("zero insertion padded by p",
              lambda c: "(i−1)s + 1 + 2p + output_padding − d(k−1): zero insertion and a "
                        "convolution with the flipped kernel, the inserted input padded by p "
                        "instead of d(k−1) − p",
              lambda c: (*_lead(c), *((n - 1) * s + 1 + 2 * p + o - d * (k - 1)
                                      for n, s, p, o, d, k in zip(
                                          c.case.args["input"].shape[2:], c.geom.s, c.geom.p,
                                          c.geom.op, c.geom.d, c.geom.ks, strict=True)))),
    ShapeRule("output_padding ignored in the output size",
              lambda c: "(i−1)s − 2p + d(k−1) + 1: output_padding is left out",
              lambda c: _ct_size(c, output_padding=[0] * c.nd)),
    ShapeRule("padding not cropped",
              lambda c: "(i−1)s + d(k−1) + output_padding + 1: the full transposed "
                        "convolution, p not cropped from each side",
              lambda c: _ct_size(c, padding=[0] * c.nd)),
    ShapeRule("padding cropped once",
              lambda c: "(i−1)s − p + d(k−1) + output_padding + 1: p cropped from one side "
                        "only",
              lambda c: tuple(v + p for v, p in zip(
                  _ct_size(c), (0, 0, *c.geom.p), strict=True))),
    ShapeRule("dilation ignored in the output size",
              lambda c: "(i−1)s − 2p + (k−1) + output_padding + 1: the dilation is left out",
              lambda c: _ct_size(c, dilation=[1] * c.nd)),
    ShapeRule("stride ignored in the output size",
              lambda c: "(i−1) − 2p + d(k−1) + output_padding + 1: the stride is left out",
              lambda c: _ct_size(c, stride=[1] * c.nd)),
    ShapeRule("forward-conv size formula",
              lambda c: "⌊(i + 2p − d(k−1) − 1)/s⌋ + 1, the forward convolution's size; a "
                        "transposed convolution has (i−1)s − 2p + d(k−1) + output_padding + 1",
              lambda c: (*_lead(c), *numeric("conv_output_size")(
                  tuple(c.case.args["input"].shape[2:]), tuple(c.geom.ks), tuple(c.geom.s),
                  tuple(c.geom.p), tuple(c.geom.d)))),
]

_IG_SHAPES: list[ShapeRule] = [
    ShapeRule("pad = 0 slicing gives an empty array",
              lambda c: "the padding is cropped as dx_pad[:, :, pad:-pad, …], and with "
                        "pad = 0 the slice 0:-0 is empty; crop with pad:pad + H "
                        "(dx_pad[:, :, pad:H+pad, pad:W+pad]) instead",
              _empty_slice),
    ShapeRule("padding not cropped",
              lambda c: "i + 2p: the padded buffer dx_pad returned without cropping the "
                        "padding",
              lambda c: (*_lead(c), *(n + 2 * p for n, p in
                                      zip(c.geom.sizes, c.geom.p, strict=True)))),
    ShapeRule("leftover rows dropped",
              lambda c: f"(o−1)s − 2p + d(k−1) + 1, conv_transpose(grad_output) without "
                        f"output_padding: {tuple(c.geom.unused())} rows short of input_size "
                        "(derive output_padding = (i + 2p − d(k−1) − 1) mod s from "
                        "input_size, or allocate input_size)",
              lambda c: _ct_size(c)),
    ShapeRule("padding not cropped",
              lambda c: "(o−1)s + d(k−1) + 1: the full transposed convolution of "
                        "grad_output, neither the padding cropped nor the leftover rows added",
              lambda c: _ct_size(c, padding=[0] * c.nd)),
    *_first_axis_rules(_ct_size),
    ShapeRule("stride ignored in the output size",
              lambda c: "(o−1) − 2p + d(k−1) + 1: grad_output transposed-convolved with "
                        "stride 1",
              lambda c: _ct_size(c, stride=[1] * c.nd)),
    ShapeRule("dilation ignored in the output size",
              lambda c: "(o−1)s − 2p + (k−1) + 1: grad_output transposed-convolved without "
                        "the dilation",
              lambda c: _ct_size(c, dilation=[1] * c.nd)),
    ShapeRule("dilation ignored in the output size",
              lambda c: "(o−1)s − 2p + (k−1) + 1 + output_padding: grad_output "
                        "transposed-convolved without the dilation (output_padding derived "
                        "with it)",
              lambda c: tuple(a + b for a, b in zip(_ct_size(c, dilation=[1] * c.nd),
                                                    (0, 0, *c.geom.unused()), strict=True))),
]


def _wg_kernel(ctx: Ctx, pad: bool) -> tuple[int, ...]:
    g = ctx.geom
    o = ctx.case.args["grad_output"].shape[2:]
    ks = [(n + (2 * p if pad else 0) - (oo - 1) * s - 1) // d + 1 for n, p, oo, s, d in
          zip(g.sizes, g.p, o, g.s, g.d, strict=True)]
    return (*_lead(ctx), *ks)


_WG_SHAPES: list[ShapeRule] = [
    ShapeRule("C_in/C_out transposed",
              lambda c: "(C_in/groups, C_out, *k) instead of (C_out, C_in/groups, *k)",
              lambda c: (c.case.args["weight_size"][1], c.case.args["weight_size"][0],
                         *c.geom.ks)),
    ShapeRule("groups ignored in the shape",
              lambda c: "C_in channels per filter instead of C_in/groups",
              lambda c: (c.case.args["weight_size"][0],
                         c.case.args["weight_size"][1] * c.geom.g, *c.geom.ks)
              if c.geom.g > 1 else None),
    ShapeRule("batch not summed",
              lambda c: "one weight gradient per example, (N, C_out, C_in/groups, *k): "
                        "∂L/∂w sums over the batch",
              lambda c: (c.case.args["input"].shape[0], *c.case.args["weight_size"])),
    ShapeRule("kernel size from the input and output sizes",
              lambda c: f"(i + 2p − (o−1)s − 1)/d + 1: the correlation of the padded input "
                        f"with grad_output is {tuple(c.geom.unused())} leftover rows longer "
                        "than the kernel; crop it to weight_size",
              lambda c: _wg_kernel(c, True)),
    ShapeRule("padding ignored in the kernel size",
              lambda c: "(i − (o−1)s − 1)/d + 1: the unpadded input correlated with "
                        "grad_output",
              lambda c: _wg_kernel(c, False)),
]

#: the output-size formulas a wrong shape is matched against, tried in order
SHAPES: dict[str, list[ShapeRule]] = {
    "conv": _CONV_SHAPES,
    "conv_transpose": _CT_SHAPES,
    "conv_input_grad": _IG_SHAPES,
    "conv_weight_grad": _WG_SHAPES,
}

_FORMULA = {
    "conv": lambda c: (f"⌊(i + 2p − d(k−1) − 1)/s⌋ + 1 with i={tuple(c.geom.sizes)}, "
                       f"k={tuple(c.geom.ks)}, s={tuple(c.geom.s)}, pads={c.geom.pads}, "
                       f"d={tuple(c.geom.d)}"),
    "conv_transpose": lambda c: ("(i−1)s − 2p + d(k−1) + output_padding + 1 with "
                                 f"i={tuple(c.case.args['input'].shape[2:])}, "
                                 f"k={tuple(c.geom.ks)}, s={tuple(c.geom.s)}, "
                                 f"p={tuple(c.geom.p)}, d={tuple(c.geom.d)}, "
                                 f"output_padding={tuple(c.geom.op)}"),
    "conv_input_grad": lambda c: "the input gradient has the input's shape, input_size",
    "conv_weight_grad": lambda c: "the weight gradient has the weight's shape, weight_size",
}


def shape_rule_names(spec: Any, case: Case, actual_shape: tuple[int, ...]) -> set[str]:
    """Every rule of :data:`SHAPES` whose formula gives ``actual_shape`` on ``case``."""
    ctx = Ctx(spec, case)
    got = tuple(int(v) for v in actual_shape)
    names = set()
    for rule in SHAPES[case.op]:
        try:
            shape = rule.shape(ctx)
        except Exception:  # a formula that does not apply
            continue
        if shape is not None and tuple(int(v) for v in shape) == got:
            names.add(rule.name)
    return names


def shape_diagnosis(spec: Any, case: Case, actual_shape: tuple[int, ...]) -> Diagnosis:
    """Name a wrong output shape: expected vs got, and the formula the shape matches."""
    ctx = Ctx(spec, case)
    want = tuple(spec.out_shape(case))
    got = tuple(int(v) for v in actual_shape)
    head = f"expected shape {want}, got {got}"
    for rule in SHAPES[case.op]:
        try:
            shape = rule.shape(ctx)
            if shape is None or tuple(int(v) for v in shape) != got or got == want:
                continue
            return Diagnosis(rule.name, f"{head}: {rule.text(ctx)}")
        except Exception:  # a formula that does not apply (a size below 1)
            continue
    if len(got) == len(want) and got[2:] == want[2:] and got[:2] != want[:2]:
        axis = "batch (N)" if got[0] != want[0] else "channel (C_out)"
        where = ("the batch axis" if got[0] != want[0] else "the channel axis")
        return Diagnosis("output shape", f"{head}: {where} is wrong ({axis}: expected "
                         f"{want[0 if got[0] != want[0] else 1]}, got "
                         f"{got[0 if got[0] != want[0] else 1]}); the spatial sizes are "
                         "right")
    return Diagnosis("output shape", f"{head}; {_FORMULA[case.op](ctx)}")
