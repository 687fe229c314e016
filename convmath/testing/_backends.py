"""Backends: how arrays travel between the checkers (NumPy, float64) and the code under test.

A backend turns a NumPy array holding values already rounded to the dtype under test into
the implementation's array type, and turns the implementation's output back into NumPy.
``'numpy'`` (default), ``'torch'`` (with ``device``) and ``'jax'`` are built in and import
their framework only when chosen; any pair ``(to_backend, from_backend)`` of callables
works too (``to_backend`` receives a NumPy array of the dtype under test).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from convmath.errors import ConvmathError, InvalidArgument

__all__ = ["Backend", "resolve_backend"]

_NUMPY_DTYPES = {
    "float16": np.float16,
    "float32": np.float32,
    "float64": np.float64,
    "complex64": np.complex64,
    "complex128": np.complex128,
}


def _numpy_dtype(dtype: str) -> Any:
    if dtype == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise InvalidArgument(
                "dtypes=('bfloat16',) with a NumPy backend needs the ml_dtypes package "
                "(pip install ml_dtypes); or test bfloat16 through backend='torch'"
            ) from None
        return ml_dtypes.bfloat16
    return _NUMPY_DTYPES[dtype]


@dataclass(frozen=True)
class Backend:
    """Converters between NumPy (float64 holding dtype values) and the code under test."""

    name: str
    to_backend: Callable[[np.ndarray, str], Any]
    from_backend: Callable[[Any], np.ndarray]
    snippet_import: str = "import numpy as np"
    snippet_wrap: str = "{}"  # how the reproduction snippet converts a NumPy array

    def to(self, arr: np.ndarray, dtype: str) -> Any:
        return self.to_backend(arr, dtype)

    def back(self, out: Any) -> np.ndarray:
        return self.from_backend(out)


def _np_to(arr: np.ndarray, dtype: str) -> np.ndarray:
    return np.array(arr, dtype=_numpy_dtype(dtype))


def _np_from(out: Any) -> np.ndarray:
    a = np.asarray(out)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    if a.dtype.kind in "iub":
        return a.astype(np.int64)
    return a.astype(np.float64)


def _torch_backend(device: str | None) -> Backend:
    try:
        import torch
    except ImportError:
        raise ConvmathError(
            "backend='torch' needs PyTorch: pip install 'convmath[torch]'"
        ) from None
    dev = torch.device(device) if device is not None else None

    def to(arr: np.ndarray, dtype: str) -> Any:
        tdtype = getattr(torch, dtype)
        t = torch.from_numpy(np.array(arr, dtype=np.complex128 if arr.dtype.kind == "c"
                                      else np.float64)).to(tdtype)
        return t.to(dev) if dev is not None else t

    def back(out: Any) -> np.ndarray:
        if isinstance(out, torch.Tensor):
            t = out.detach().cpu()
            if t.is_complex():
                return t.to(torch.complex128).numpy()
            if t.is_floating_point():
                return t.to(torch.float64).numpy()
            return t.to(torch.int64).numpy()
        return _np_from(out)

    dev_s = "" if device is None else f".to({device!r})"
    return Backend(
        "torch", to, back, "import numpy as np, torch",
        "torch.from_numpy({})" + dev_s,
    )


def _jax_backend() -> Backend:
    try:
        import jax.numpy as jnp
    except ImportError:
        raise ConvmathError("backend='jax' needs JAX: pip install 'convmath[jax]'") from None

    def to(arr: np.ndarray, dtype: str) -> Any:
        return jnp.asarray(arr, dtype=getattr(jnp, dtype))

    def back(out: Any) -> np.ndarray:
        a = np.asarray(out)
        if str(a.dtype) == "bfloat16":
            a = a.astype(np.float32)
        return _np_from(a)

    return Backend("jax", to, back, "import numpy as np, jax.numpy as jnp", "jnp.asarray({})")


def resolve_backend(backend: Any, device: str | None = None) -> Backend:
    """Build the backend named by ``backend`` (or wrap a ``(to, from)`` pair)."""
    if isinstance(backend, Backend):
        return backend
    if backend == "numpy":
        if device not in (None, "cpu"):
            raise InvalidArgument(f"device={device!r} needs backend='torch', not 'numpy'")
        return Backend("numpy", _np_to, _np_from)
    if backend == "torch":
        return _torch_backend(device)
    if backend == "jax":
        return _jax_backend()
    if (
        isinstance(backend, tuple)
        and len(backend) == 2
        and all(callable(f) for f in backend)
    ):
        to_user, from_user = backend

        def to(arr: np.ndarray, dtype: str) -> Any:
            return to_user(_np_to(arr, dtype))

        def back(out: Any) -> np.ndarray:
            return _np_from(from_user(out))

        return Backend("custom", to, back, "import numpy as np", "to_backend({})")
    raise InvalidArgument(
        "backend must be 'numpy', 'torch', 'jax' or a pair (to_backend, from_backend), "
        f"got backend={backend!r}"
    )
