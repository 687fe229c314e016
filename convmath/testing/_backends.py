"""Backends: how arrays travel between the checkers (NumPy, float64) and the code under test.

A backend turns a NumPy array holding values already rounded to the dtype under test into
the implementation's array type, and turns the implementation's output back into NumPy.
``'numpy'`` (default), ``'torch'`` (with ``device``) and ``'jax'`` are built in and import
their framework only when chosen; any pair ``(to_backend, from_backend)`` of callables
works too (``to_backend`` receives a NumPy array of the dtype under test).

A backend also says what the engine may want to know before it draws cases:
``compiled`` (the framework compiles once per distinct shape and static parameters — JAX
under ``jax.jit`` and op by op alike — so a search should reuse geometries rather than
draw a new one per example) and :meth:`Backend.dtype_problem` (a dtype the framework
cannot hold as configured: float64 in JAX without x64 mode). :meth:`Backend.calling` is
the context the engine should wrap around each call of the implementation: PyTorch on the
CPU then runs with one intra-op thread (see ``_torch_one_thread``).

Conversions are done on the host: NumPy rounds to the dtype under test and the result is
handed over as is (``jax.device_put``). Casting on the device instead (``jnp.asarray(a,
dtype=...)``) runs a conversion kernel that JAX compiles anew for every array shape
(12–35 ms each on a 2-core CPU, benchmarks/bench_checker_backends.py ``--profile``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
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
    #: the implementation is compiled per distinct (shapes, dtypes, static parameters):
    #: the first call of a geometry costs a compilation (0.08–0.2 s for a JAX conv on a
    #: 2-core CPU, depending on load), every later call ≈0.2 ms
    compiled: bool = False
    #: ``dtype -> None`` or the reason the backend cannot run ``dtype`` as configured
    dtype_check: Callable[[str], str | None] | None = None
    #: a context manager factory for each call of the implementation (None: nothing)
    call_context: Callable[[], AbstractContextManager[Any]] | None = None

    def to(self, arr: np.ndarray, dtype: str) -> Any:
        return self.to_backend(arr, dtype)

    def dtype_problem(self, dtype: str) -> str | None:
        """Why ``dtype`` cannot be tested through this backend as configured, or None.

        Meant to be called once per dtype before the search starts, so that the problem
        is an error up front rather than a wrong "precision" finding on every case.
        """
        return None if self.dtype_check is None else self.dtype_check(dtype)

    def calling(self) -> AbstractContextManager[Any]:
        """The context for one call of the implementation: ``with backend.calling():
        out = fn(*args, **kwargs)`` (conversions stay outside)."""
        return contextlib.nullcontext() if self.call_context is None else self.call_context()

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
    on_cpu = dev is None or dev.type == "cpu"
    return Backend(
        "torch", to, back, "import numpy as np, torch",
        "torch.from_numpy({})" + dev_s,
        call_context=(lambda: _torch_one_thread(torch)) if on_cpu else None,
    )


@contextlib.contextmanager
def _torch_one_thread(torch: Any) -> Iterator[None]:
    """Run one call with a single PyTorch intra-op thread, then restore the thread count.

    The checkers' cases are small: a second OpenMP thread buys nothing, and on a machine
    whose cores are busy with other work the threads wait on each other — a 3×8×8 conv
    took 4.8 ms instead of 0.026 ms on a loaded 2-core VM, and the default
    ``check_conv(F.conv2d, backend="torch")`` 7.5 s instead of 1.6 s
    (benchmarks/bench_checker_backends.py ``--calling``). Setting the count costs
    microseconds. The tolerance model holds for any summation order, so no finding depends
    on the thread count (a data race between threads would go unexercised).
    """
    n = torch.get_num_threads()
    if n == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


_X64_DTYPES = ("float64", "complex128")


def _jax_backend() -> Backend:
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        raise ConvmathError("backend='jax' needs JAX: pip install 'convmath[jax]'") from None

    def x64_off(dtype: str) -> bool:
        # canonicalize_dtype follows jax_enable_x64, including a scoped jax.enable_x64()
        np_dt = np.dtype(_NUMPY_DTYPES[dtype])
        return bool(jax.dtypes.canonicalize_dtype(np_dt) != np_dt)

    def to(arr: np.ndarray, dtype: str) -> Any:
        if dtype in _X64_DTYPES and x64_off(dtype):
            # JAX truncates to 32 bits (with its own warning naming jax_enable_x64)
            return jnp.asarray(arr, dtype=getattr(jnp, dtype))
        # Cast on the host (bfloat16 through ml_dtypes, a JAX dependency; the values are
        # already rounded to the dtype, so the cast is exact) and transfer as is:
        # jnp.asarray(arr, dtype=...) compiles a conversion kernel per array shape.
        return jax.device_put(_np_to(arr, dtype))

    def back(out: Any) -> np.ndarray:
        a = np.asarray(out)
        if str(a.dtype) == "bfloat16":
            a = a.astype(np.float32)
        return _np_from(a)

    def dtype_check(dtype: str) -> str | None:
        if dtype in _X64_DTYPES and x64_off(dtype):
            return (f"JAX's 64-bit mode is off, so JAX would silently compute {dtype} in 32 "
                    "bits: call jax.config.update('jax_enable_x64', True) before the check "
                    "(or set JAX_ENABLE_X64=1)")
        return None

    return Backend("jax", to, back, "import numpy as np, jax.numpy as jnp", "jnp.asarray({})",
                   compiled=True, dtype_check=dtype_check)


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
