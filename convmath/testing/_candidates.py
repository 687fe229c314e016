"""Further convention mismatches for the conv family, tried after each spec's own list.

Bug classes the red-team corpus showed the checkers could catch but not name: the bias of
group 0 reused by every group, the bias broadcast along the last axis instead of the
channel axis, only the first group computed (transposed conv and both gradients), the
weight gradient averaged over the batch instead of summed, and — when every stride is 1 —
stride and dilation swapped, tried only after the simpler "dilation ignored".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from convmath.testing.strategies import Case

Candidate = tuple[str, str, Callable[[], Any]]


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


def first_candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    """Specific explanations tried before the spec's own list (which holds more generic
    ones, such as "padding on one side", that coincide with them on small cases)."""
    if case.op != "conv":
        return
    x, w, b, geom = spec._parts(case)
    if geom.pad_mode == "same" and any(d > 1 for d, k in zip(geom.d, geom.ks, strict=True)
                                       if k > 1):
        pads = [((k - 1) // 2, d * (k - 1) - (k - 1) // 2)
                for k, d in zip(geom.ks, geom.d, strict=True)]
        yield ("'same' padding ignores dilation",
               "padding='same' places the padding as if dilation were 1 (⌊(k−1)/2⌋ before "
               "the input); PyTorch puts ⌊d(k−1)/2⌋ before and the rest after",
               lambda: spec._ref(x, w, b, geom, pads=pads))


def forward_candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    """For ``conv`` and ``conv_transpose`` (their ``_parts``/``_ref`` take x, w, b, geom)."""
    x, w, b, geom = spec._parts(case)
    ref = spec._ref
    g = geom.g
    if b is not None:
        cout = b.shape[0]
        if g > 1:
            b0 = np.tile(b[:cout // g], g)
            yield ("group 0's bias reused",
                   "every group adds the bias of group 0 (b[:C_out/groups]) instead of its "
                   "own slice", lambda: ref(x, w, b0, geom))
        yield ("bias broadcast on the wrong axis",
               "the bias is broadcast along the last spatial axis instead of the channel "
               "axis (b added as b[None, None, ..., :])",
               lambda: ref(x, w, None, geom) + b)
    if g > 1 and case.op == "conv_transpose":
        yield ("groups return zeros",
               "only the first group is computed; the other groups' outputs are zeros",
               lambda: _first_group_only(ref(x, w, b, geom), g, b, 1))
    if case.op == "conv" and all(v == 1 for v in geom.s) and geom.s != geom.d:
        yield ("stride and dilation swapped",
               f"stride={tuple(geom.s)} and dilation={tuple(geom.d)} are exchanged",
               lambda: ref(x, w, b, geom, stride=geom.d, dilation=geom.s))


def input_grad_candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    size, w, gy, geom = spec._parts(case)
    if geom.g > 1:
        yield ("groups return zeros",
               "only the first group's input gradient is computed; the others are zeros",
               lambda: _first_group_only(spec._ref(size, w, gy, geom), geom.g, None, 1))


def weight_grad_candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    x, size, gy, geom = spec._parts(case)
    if x.shape[0] > 1:
        yield ("weight gradient averaged over the batch",
               f"the gradient is divided by N = {x.shape[0]} (a mean over the batch); "
               "∂L/∂w sums over the batch",
               lambda: spec._ref(x, size, gy, geom) / x.shape[0])
    if geom.g > 1:
        yield ("groups return zeros",
               "only the first group's weight gradient is computed; the others are zeros",
               lambda: _first_group_only(spec._ref(x, size, gy, geom), geom.g, None, 0))


EXTRA: dict[str, Callable[[Any, Case], Iterator[Candidate]]] = {
    "conv": forward_candidates,
    "conv_transpose": forward_candidates,
    "conv_input_grad": input_grad_candidates,
    "conv_weight_grad": weight_grad_candidates,
}


def priority_candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    """The candidates tried before the spec's own (see :func:`first_candidates`)."""
    return first_candidates(spec, case)


def extra_candidates(spec: Any, case: Case) -> Iterator[Candidate]:
    """The further candidates for ``case.op`` (none for other operations)."""
    make = EXTRA.get(case.op)
    return make(spec, case) if make is not None else iter(())
