"""What an implementation under test supports: the :class:`Unsupported` signal.

An adapter (or the implementation itself) raises :class:`Unsupported` when a drawn case
lies outside its API — a per-axis stride for a function that takes one int, a dilation a
course-style function has no argument for. The checker treats that case as a rejected
example, never as a bug; if nearly every case is rejected, the check fails and says that
the parameter space should be declared instead (``strides=[1, 2]``, ``isotropic=True``).
"""

from __future__ import annotations

__all__ = ["Unsupported"]


class Unsupported(Exception):
    """Raised by an implementation or adapter: "this case is outside my API".

    >>> from convmath.testing import Unsupported
    >>> def my_conv(x, w, stride=1, **kw):
    ...     if not isinstance(stride, int):
    ...         raise Unsupported(f"one int stride only, got {stride!r}")
    ...     ...
    """
