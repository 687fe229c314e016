"""The JAX backend's conversions compile nothing; what a backend tells the engine.

``jnp.asarray(a, dtype=...)`` casts on the device with a kernel that JAX compiles (and
caches) per array shape: 20–35 ms for every new shape a check draws. The backend casts on
the host and transfers with ``jax.device_put`` instead, which compiles nothing. The
backend also declares itself ``compiled`` (the implementation costs a compilation per new
geometry) and reports float64 without x64 mode as a dtype problem. The PyTorch backend's
``calling()`` context runs a CPU call on one intra-op thread (on a busy 2-core machine two
OpenMP threads waiting on each other make a small conv ~100× slower).
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from convmath.testing._backends import resolve_backend
from convmath.testing._tolerance import round_to_dtype

COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"


def _compilations(thunk):  # type: ignore[no-untyped-def]
    jax = pytest.importorskip("jax")
    events: list[str] = []

    def listener(name: str, secs: float, **kwargs: object) -> None:
        if name == COMPILE_EVENT:
            events.append(name)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        thunk()
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
    return len(events)


def test_the_listener_sees_a_device_side_cast_compile() -> None:
    # guards the next test: a device-side cast on a fresh shape does compile
    jax = pytest.importorskip("jax")
    a = np.random.default_rng(0).standard_normal((3, 17, 5))
    n = _compilations(lambda: jax.numpy.asarray(a, dtype=jax.numpy.float32)
                      .block_until_ready())
    assert n >= 1


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "complex64"])
def test_conversions_on_new_shapes_compile_nothing_and_keep_values(dtype: str) -> None:
    pytest.importorskip("jax")
    backend = resolve_backend("jax")
    rng = np.random.default_rng(1)
    arrays = []
    for i in range(3):  # shapes no other test uses
        v = rng.standard_normal((2, 11 + i, 3, 19))
        if dtype.startswith("complex"):
            v = v + 1j * rng.standard_normal(v.shape)
        arrays.append(round_to_dtype(v, dtype))
    out: list[object] = []
    n = _compilations(lambda: out.extend(backend.to(a, dtype).block_until_ready()
                                         for a in arrays))
    assert n == 0
    for a, y in zip(arrays, out, strict=True):
        assert str(y.dtype) == dtype  # type: ignore[attr-defined]
        back = backend.back(y)
        assert back.dtype == (np.complex128 if dtype.startswith("complex") else np.float64)
        assert np.array_equal(back, a)


def test_float64_with_and_without_x64_mode() -> None:
    jax = pytest.importorskip("jax")
    backend = resolve_backend("jax")
    a = round_to_dtype(np.random.default_rng(2).standard_normal((4, 23)), "float64")
    with jax.enable_x64(True):
        assert backend.dtype_problem("float64") is None
        y = backend.to(a, "float64")
        assert str(y.dtype) == "float64"
        assert np.array_equal(backend.back(y), a)
    with jax.enable_x64(False):
        problem = backend.dtype_problem("float64")
        assert problem is not None and "jax_enable_x64" in problem
        assert backend.dtype_problem("complex128") is not None
        assert backend.dtype_problem("float32") is None
        with pytest.warns(UserWarning, match="jax_enable_x64"):  # JAX's own warning
            y = backend.to(a, "float64")
        assert str(y.dtype) == "float32"  # truncated, as JAX does


def test_checkers_refuse_float64_on_jax_without_x64_mode_up_front() -> None:
    jax = pytest.importorskip("jax")
    from convmath import ConvCheckFailure, InvalidArgument
    from convmath.testing import check_conv, check_conv_linearity

    calls: list[object] = []

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(args)
        raise RuntimeError("called")

    with jax.enable_x64(False):
        with pytest.raises(InvalidArgument, match=r"dtypes includes 'float64'.*jax_enable_x64"):
            check_conv(spy, backend="jax")
        with pytest.raises(InvalidArgument, match=r"computes in float64.*jax_enable_x64"):
            check_conv_linearity(spy, backend="jax")
        assert not calls  # refused before any case ran
        with pytest.raises(ConvCheckFailure):  # float32 alone runs (and spy raises)
            check_conv(spy, backend="jax", dtypes=("float32",), max_examples=1)
    assert calls


def test_only_jax_is_a_compiled_backend() -> None:
    pytest.importorskip("jax")
    assert resolve_backend("jax").compiled
    assert not resolve_backend("numpy").compiled
    assert resolve_backend("numpy").dtype_problem("float64") is None
    pytest.importorskip("torch")
    assert not resolve_backend("torch").compiled


def test_torch_calls_run_on_one_intra_op_thread_and_restore_it() -> None:
    torch = pytest.importorskip("torch")
    backend = resolve_backend("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with backend.calling():
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with pytest.raises(ZeroDivisionError), backend.calling():
            1 / 0  # noqa: B018
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert resolve_backend("torch", "meta").call_context is None  # not a CPU device


def test_other_backends_wrap_calls_in_nothing() -> None:
    with resolve_backend("numpy").calling():
        pass
    assert resolve_backend("numpy").call_context is None
    if importlib.util.find_spec("jax") is not None:
        assert resolve_backend("jax").call_context is None


def _compiled_numpy() -> object:
    import dataclasses

    return dataclasses.replace(resolve_backend("numpy"), compiled=True)


def test_a_compiled_backend_draws_a_bounded_set_of_geometries_with_fresh_values() -> None:
    import convmath.numeric as numeric
    from convmath.testing import check_conv
    from convmath.testing._compiled import POOL_SIZE

    geometries: set[object] = set()
    values: dict[object, set[bytes]] = {}

    def spy(x: np.ndarray, w: np.ndarray, bias: object = None, **kw: object) -> np.ndarray:
        key = (x.shape, w.dtype, w.shape, None if bias is None else np.shape(bias),
               tuple(sorted((k, repr(v)) for k, v in kw.items())))
        geometries.add(key)
        values.setdefault(key, set()).add(x.tobytes())
        return numeric.conv(x, w, bias, **kw)  # type: ignore[arg-type]

    report = check_conv(spy, backend=_compiled_numpy(), seed=3)
    assert report.examples == 300
    assert len(geometries) <= POOL_SIZE
    assert max(len(v) for v in values.values()) > 3  # pooled geometries, new values
    assert any("compiled backend" in note for note in report.notes)
    plain: set[object] = set()

    def counted(x: np.ndarray, w: np.ndarray, bias: object = None, **kw: object) -> np.ndarray:
        plain.add((x.shape, w.shape, tuple(sorted((k, repr(v)) for k, v in kw.items()))))
        return numeric.conv(x, w, bias, **kw)  # type: ignore[arg-type]

    check_conv(counted, seed=3)
    assert len(plain) > 2 * POOL_SIZE  # what the bound saves


def test_a_compiled_backend_still_catches_and_names_a_bug() -> None:
    import convmath.numeric as numeric
    from convmath import ConvCheckFailure
    from convmath.testing import check_conv

    def flipped(x: np.ndarray, w: np.ndarray, bias: object = None, **kw: object) -> np.ndarray:
        flip = w[(slice(None), slice(None), *[slice(None, None, -1)] * (w.ndim - 2))]
        return numeric.conv(x, np.ascontiguousarray(flip), bias, **kw)  # type: ignore[arg-type]

    with pytest.raises(ConvCheckFailure) as info:
        check_conv(flipped, backend=_compiled_numpy(), seed=0)
    assert any("flipped" in d.name for d in info.value.diagnoses)
