"""A per-call deadline for the implementation under test: a hang becomes a finding.

:func:`call_with_deadline` runs a call and raises :class:`DeadlineExceeded` if it has not
returned after ``seconds``:

- in the main thread on POSIX, a one-shot ``SIGALRM`` timer (``signal.setitimer``) raises
  the exception *inside* the call. That stops pure-Python code (``while True: pass``) and
  sleeps at once; native code (a long NumPy or PyTorch kernel) is interrupted as soon as
  it returns to Python. The previous ``SIGALRM`` handler is restored after every call, and
  if a timer is already armed (e.g. by ``pytest-timeout``) the thread method is used
  instead;
- elsewhere (another thread, Windows, a timer already in use) the call runs in a daemon
  worker thread that is abandoned when the deadline passes. On CPython an exception is
  also injected into the abandoned thread, which stops it at its next Python bytecode; a
  call stuck in native code keeps running in the background until it returns (it cannot
  be killed from Python) and cannot hold up the process's exit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["DeadlineExceeded", "call_with_deadline"]

T = TypeVar("T")


class DeadlineExceeded(BaseException):
    """The call ran past its deadline.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that neither the user's
    ``except Exception`` nor Hypothesis (which would shrink it as an ordinary failure,
    re-running one slow call per step) catches it.
    """

    def __init__(self, seconds: float, abandoned: bool = False) -> None:
        super().__init__(f"the call did not return within {seconds:g} s")
        self.seconds = seconds
        #: True when the call was left running in a background thread
        self.abandoned = abandoned


def _alarm_usable() -> bool:
    if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGALRM"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        if signal.getitimer(signal.ITIMER_REAL) != (0.0, 0.0):
            return False  # somebody else's timer (pytest-timeout, the user's own)
        return signal.getsignal(signal.SIGALRM) is not None  # None: set from C, unrestorable
    except (OSError, ValueError):  # pragma: no cover - exotic platforms
        return False


def _alarm_call(thunk: Callable[[], T], seconds: float) -> T:
    armed = [True]

    def on_alarm(signum: int, frame: Any) -> None:
        if armed[0]:
            armed[0] = False
            raise DeadlineExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return thunk()
        finally:
            armed[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)


def _interrupt(thread: threading.Thread) -> None:
    """Ask CPython to raise DeadlineExceeded in ``thread`` at its next bytecode."""
    try:
        import ctypes

        set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):  # pragma: no cover - not CPython
        return
    if thread.ident is not None:
        set_async(ctypes.c_ulong(thread.ident), ctypes.py_object(DeadlineExceeded))


def _thread_call(thunk: Callable[[], T], seconds: float) -> T:
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = thunk()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=work, name="convmath-check-call", daemon=True)
    worker.start()
    if not done.wait(seconds):
        _interrupt(worker)
        raise DeadlineExceeded(seconds, abandoned=True)
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def call_with_deadline(thunk: Callable[[], T], seconds: float | None) -> T:
    """``thunk()``, or :class:`DeadlineExceeded` once it has run ``seconds`` (None: no limit)."""
    if seconds is None:
        return thunk()
    if _alarm_usable():
        return _alarm_call(thunk, seconds)
    return _thread_call(thunk, seconds)
