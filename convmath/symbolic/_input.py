"""Argument checks for the symbolic layer: SymPy objects in, never strings.

User strings are data, never code. SymPy's ``sympify`` *evaluates* a string it is given (it
runs Python's ``eval`` on a parsed form of the text), so a string that reached it could run
anything: ``__import__('os').system(…)``. Every public entry point of
:mod:`convmath.symbolic` — operator constructors, rules, derivations, printers — takes its
expressions through :func:`sympy_arg`, which accepts SymPy objects and plain Python/NumPy
numbers (converted with ``sympify(…, strict=True)``, which refuses strings) and raises
:class:`~convmath.InvalidArgument` for anything else, telling the caller to build the
expression with SymPy.
"""

from __future__ import annotations

import numbers
from typing import Any

import sympy
from sympy import Basic, Symbol

from convmath.errors import InvalidArgument

__all__ = ["STRING_HINT", "choice_arg", "str_arg", "symbol_arg", "sympy_arg"]

#: What every refusal of a string says.
STRING_HINT = (
    "strings are not parsed (parsing would evaluate them as code); build the expression "
    "with SymPy objects, e.g. x = sympy.Symbol('x'); x + 1"
)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def sympy_arg(value: Any, name: str, *, kinds: tuple[type, ...] = (Basic,),
              what: str = "a SymPy expression") -> Any:
    """``value`` as a SymPy object of one of ``kinds``; numbers are converted exactly.

    Strings, bytes, ``None``, bools and other Python objects are refused with
    :class:`~convmath.InvalidArgument` naming ``name``; mutable matrices are made immutable.

    >>> sympy_arg(3, "expr")
    3
    >>> sympy_arg("x + 1", "expr")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    convmath.errors.InvalidArgument: expr='x + 1': strings are not parsed ...
    """
    if isinstance(value, (str, bytes)):
        raise InvalidArgument(f"{name}={_show(value)}: {STRING_HINT}")
    if isinstance(value, sympy.MatrixBase) and not isinstance(value, Basic):
        value = sympy.ImmutableMatrix(value)
    if isinstance(value, Basic):
        result = value
    elif isinstance(value, numbers.Number) and not isinstance(value, bool) \
            and type(value).__name__ != "bool_":
        result = sympy.sympify(value, strict=True)
    else:
        raise InvalidArgument(f"{name}={_show(value)} is not {what}")
    if isinstance(result, sympy.logic.boolalg.BooleanAtom) or not isinstance(result, kinds):
        raise InvalidArgument(f"{name}={_show(value)} is not {what}")
    return result


def symbol_arg(value: Any, name: str) -> Symbol:
    """``value``, which must be a SymPy :class:`~sympy.Symbol` (a variable)."""
    if isinstance(value, (str, bytes)):
        raise InvalidArgument(
            f"{name}={_show(value)}: give a SymPy Symbol, e.g. sympy.Symbol('z'); {STRING_HINT}"
        )
    if not isinstance(value, Symbol):
        raise InvalidArgument(f"{name}={_show(value)} is not a SymPy Symbol (a variable)")
    return value


def str_arg(value: Any, name: str) -> str:
    """``value``, which must be a ``str`` (a name or a note, used as text only)."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{name}={_show(value)} must be a str")
    return value


def choice_arg(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """``value``, which must be one of the strings ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise InvalidArgument(f"{name}={_show(value)}: choose {', '.join(choices)}")
    return value
