"""Convolution arithmetic by brute force, from first principles (helper of
test_crosscheck_arithmetic.py).

Nothing here uses a closed-form size formula or convmath: every size is a count of windows
(or an extent of positions) found by enumerating them, and every receptive field is the set
of positions reached by walking the layers' windows backwards. Conventions (per axis; i
input length, k kernel, s stride, p padding, d dilation, eff = d(k − 1) + 1 the dilated
window): the input padded by p on both sides has L = i + 2p positions 0 … L − 1, and window
t of a layer reads the padded positions s·t + d·m, 0 ≤ m < k (input positions
s·t − p + d·m).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# -- the 1-D grid of the brief: i ≤ 40, k ≤ 7, s ≤ 4, p ≤ 3, d ≤ 3 -------------------------

INPUTS = range(1, 41)
KERNELS = range(1, 8)
STRIDES = range(1, 5)
PADDINGS = range(0, 4)
DILATIONS = range(1, 4)


def grid(inputs: Sequence[int] | range = INPUTS) -> Iterator[tuple[int, int, int, int, int]]:
    """Every ``(i, k, s, p, d)`` of the grid, valid or not."""
    return itertools.product(inputs, KERNELS, STRIDES, PADDINGS, DILATIONS)


# -- sizes ---------------------------------------------------------------------------------


def conv_count(i: int, k: int, s: int, p: int, d: int) -> int:
    """#{t ≥ 0 : s·t + d(k − 1) ≤ i + 2p − 1}: the windows whose last tap is still inside
    the padded input, counted one by one. 0 means the layer has no output (an error)."""
    last = i + 2 * p - 1
    n = 0
    while s * n + d * (k - 1) <= last:
        n += 1
    return n


def pool_count(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Windows of PyTorch's max/avg pooling, counted one by one.

    Floor mode: the windows that fit in the padded input (as :func:`conv_count`). Ceil mode:
    window t is taken while (a) it overhangs the padded input by less than one stride —
    its last tap s·t + d(k − 1) is at most (L − 1) + (s − 1), so that the last padded
    positions get a (partial) window of their own — and (b) it starts inside the input
    or the left padding, never in the right padding: s·t − p ≤ i − 1 (PyTorch's
    correction). 0 means no output (an error).
    """
    if not ceil_mode:
        return conv_count(i, k, s, p, d)
    last = i + 2 * p - 1
    n = 0
    while s * n + d * (k - 1) <= last + (s - 1) and s * n - p <= i - 1:
        n += 1
    return n


def pool_empty_windows(i: int, k: int, s: int, p: int, d: int, n_out: int) -> list[int]:
    """The windows among the first ``n_out`` none of whose taps s·t − p + d·m lies in the
    input [0, i − 1] (possible only with dilation)."""
    return [t for t in range(n_out)
            if not any(0 <= s * t - p + d * m <= i - 1 for m in range(k))]


def transpose_extent(i: int, k: int, s: int, p: int, d: int, output_padding: int) -> int:
    """Length of a transposed convolution's output: the scatter of input position t by tap
    j lands on s·t + d·j (t < i, j < k); of the span 0 … M of those positions, p are
    cropped on each side (PyTorch's ``padding``), leaving p … M − p, and ``output_padding``
    positions are added on the right. The result is signed: ≤ 0 means the crop removes
    everything (an error)."""
    top = max(s * t + d * j for t in range(i) for j in range(k))
    first, last = p, top - p
    return (last - first + 1) + output_padding


# -- receptive fields ------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """One 1-D layer of a stack: ``kind`` is "conv", "maxpool" or "avgpool"."""

    kind: str
    k: int
    s: int
    p: int
    d: int = 1
    ceil: bool = False

    def spec(self) -> str:
        """The layer in ``network_shapes``' grammar (one output channel)."""
        if self.kind == "conv":
            return f"conv 1 k={self.k} s={self.s} p={self.p} d={self.d}"
        text = f"{self.kind} k={self.k} s={self.s} p={self.p}"
        if self.kind == "maxpool":
            text += f" d={self.d}"
        return text + (" ceil" if self.ceil else "")

    def out(self, n: int) -> int:
        return pool_count(n, self.k, self.s, self.p, self.d, self.ceil)

    def taps(self, t: int) -> list[int]:
        """Input positions window t reads, padding included (outside [0, n − 1])."""
        return [self.s * t - self.p + self.d * m for m in range(self.k)]


def sizes(layers: Sequence[Layer], i: int) -> list[int]:
    """Lengths at every level: the input, then each layer's output (0 once empty)."""
    out = [i]
    for layer in layers:
        out.append(layer.out(out[-1]) if out[-1] > 0 else 0)
    return out


def reachable(layers: Sequence[Layer], lengths: Sequence[int], t: int) -> set[int]:
    """The input positions that output t of the last layer reads through some chain of
    windows, each intermediate position inside its array (padding holds zeros and passes
    nothing on)."""
    level = {t}
    for layer, n in zip(reversed(layers), reversed(lengths[:-1]), strict=True):
        level = {q for u in level for q in layer.taps(u) if 0 <= q <= n - 1}
    return level


def unclipped_levels(layers: Sequence[Layer], t: int) -> list[set[int]]:
    """The positions read at every level below output t when no bounds are applied, from
    the level just below the output down to the input."""
    levels = []
    level = {t}
    for layer in reversed(layers):
        level = {q for u in level for q in layer.taps(u)}
        levels.append(level)
    return levels


def recurrence(layers: Sequence[Layer]) -> list[tuple[int, int, int]]:
    """(receptive field r, jump, start) after each layer, by the usual recurrence:
    j_l = j_{l−1}·s_l (j_0 = 1), start_l = start_{l−1} − p_l·j_{l−1} (start_0 = 0),
    r_l = r_{l−1} + d_l(k_l − 1)·j_{l−1} (r_0 = 1)."""
    r, jump, start = 1, 1, 0
    out = []
    for layer in layers:
        r, start, jump = (r + layer.d * (layer.k - 1) * jump, start - layer.p * jump,
                          jump * layer.s)
        out.append((r, jump, start))
    return out


def predicted(layers: Sequence[Layer], t: int, i: int) -> set[int]:
    """start + t·jump + {Σ_l d_l·m_l·j_{l−1} : 0 ≤ m_l < k_l}, intersected with [0, i − 1]."""
    _, jump, start = recurrence(layers)[-1]
    offsets = {0}
    j_prev = 1
    for layer in layers:
        offsets = {o + layer.d * m * j_prev for o in offsets for m in range(layer.k)}
        j_prev *= layer.s
    return {start + t * jump + o for o in offsets if 0 <= start + t * jump + o <= i - 1}
