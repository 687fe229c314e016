"""Padding of a convolution input, with the four modes of ``torch.nn.Conv{1,2,3}d``.

``padding_mode`` is one of

- ``"zeros"`` — pad with 0 (``np.pad(mode="constant")``);
- ``"reflect"`` — mirror without repeating the edge (``np.pad(mode="reflect")``); as in
  PyTorch each pad must be *smaller* than the input size on its axis;
- ``"replicate"`` — repeat the edge (``np.pad(mode="edge")``);
- ``"circular"`` — wrap around (``np.pad(mode="wrap")``); as in PyTorch each pad may be
  at most the input size (no wrapping around more than once).

Padding is given per spatial axis as ``(before, after)`` so that PyTorch's asymmetric
``padding='same'`` split fits the same code.

>>> import numpy as np
>>> pad_spatial(np.arange(4).reshape(1, 1, 4), ((2, 1),), "reflect")
array([[[2, 1, 0, 1, 2, 3, 2]]])
>>> pad_spatial(np.arange(4).reshape(1, 1, 4), ((2, 1),), "circular")
array([[[2, 3, 0, 1, 2, 3, 0]]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from convmath.errors import InvalidArgument

__all__ = ["PADDING_MODES", "check_padding_mode", "pad_spatial"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

Pads = Sequence[tuple[int, int]]


def check_padding_mode(padding_mode: Any, pads: Pads, spatial_shape: Sequence[int]) -> str:
    """Validate ``padding_mode`` and PyTorch's size limits for it; return the mode."""
    if not isinstance(padding_mode, str) or padding_mode not in PADDING_MODES:
        raise InvalidArgument(
            f"padding_mode must be one of {', '.join(map(repr, PADDING_MODES))}, "
            f"got {padding_mode!r}"
        )
    for ax, ((before, after), size) in enumerate(zip(pads, spatial_shape, strict=True)):
        if padding_mode == "reflect" and max(before, after) >= size:
            raise InvalidArgument(
                f"padding_mode='reflect' needs padding smaller than the input size on every "
                f"axis (as PyTorch), got padding ({before}, {after}) for size {size} on "
                f"spatial axis {ax}"
            )
        if padding_mode == "circular" and max(before, after) > size:
            raise InvalidArgument(
                f"padding_mode='circular' needs padding at most the input size on every "
                f"axis (no wrapping around more than once, as PyTorch), got padding "
                f"({before}, {after}) for size {size} on spatial axis {ax}"
            )
    return padding_mode


def pad_spatial(x: np.ndarray, pads: Pads, padding_mode: str = "zeros") -> np.ndarray:
    """Pad the trailing ``len(pads)`` axes of ``x``; returns ``x`` itself when nothing to pad."""
    if all(before == 0 and after == 0 for before, after in pads):
        return x
    width = [(0, 0)] * (x.ndim - len(pads)) + [(int(b), int(a)) for b, a in pads]
    return np.pad(x, width, mode=_NUMPY_MODE[padding_mode])  # type: ignore[call-overload, no-any-return]
