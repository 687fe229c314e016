"""``convmath check MODULE:FUNCTION --kind conv --ndim 2``: run a checker from the shell.

Exit status 0 when the implementation passes, 1 when the checker finds a bug (the failure
report is printed on stdout: a wrong answer, an exception raised by the function, an output
that is not an array, or a call that runs past ``--deadline``), 2 for a usage error (a
target that cannot be imported, a function whose signature does not fit ``--kind``, a bad
option), 3 for an internal error. Every error is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import sys
import traceback
from pathlib import Path
from typing import Any

HELP = "check an implementation (MODULE:FUNCTION) against the reference; exit 1 on a bug"

KINDS = (
    "conv", "conv_transpose", "conv_input_grad", "conv_weight_grad", "convolve", "correlate",
    "max_pool", "avg_pool", "max_pool_grad", "avg_pool_grad",
)

#: how each checker calls the implementation: positional arguments, then the keyword
#: arguments it may pass (each one that is a feature is left out by ``--no FEATURE``)
CALLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "conv": (("input", "weight"), ("bias", "stride", "padding", "dilation", "groups")),
    "conv_transpose": (("input", "weight"), ("bias", "stride", "padding", "output_padding",
                                             "groups", "dilation")),
    "conv_input_grad": (("input_size", "weight", "grad_output"),
                        ("stride", "padding", "dilation", "groups")),
    "conv_weight_grad": (("input", "weight_size", "grad_output"),
                         ("stride", "padding", "dilation", "groups")),
    "convolve": (("in1", "in2"), ("mode",)),
    "correlate": (("in1", "in2"), ("mode",)),
    "max_pool": (("input",), ("kernel_size", "stride", "padding", "dilation", "ceil_mode")),
    "avg_pool": (("input",), ("kernel_size", "stride", "padding", "ceil_mode",
                              "count_include_pad", "divisor_override")),
    "max_pool_grad": (("input", "grad_output"),
                      ("kernel_size", "stride", "padding", "dilation", "ceil_mode")),
    "avg_pool_grad": (("input_size", "grad_output"),
                      ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                       "divisor_override")),
}
FEATURES = ("groups", "dilation", "stride", "padding", "bias", "output_padding", "ceil_mode",
            "count_include_pad", "divisor_override", "same")
_TOLERANCE_KINDS = KINDS[:6]


class _UsageError(Exception):
    """A usage error: printed on one line of stderr, exit status 2."""


def _deadline(text: str) -> float | None:
    if text.strip().lower() in ("none", "off"):
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: give seconds, e.g. 5 or 0.5, or 'none'") from None


def _value_set(text: str) -> list[Any]:
    """``"1,2"`` → ``[1, 2]``; ``"1x2,2x1"`` → ``[(1, 2), (2, 1)]``; ``"none"`` → None."""
    out: list[Any] = []
    for item in text.split(","):
        item = item.strip().lower()
        try:
            if item == "none":
                out.append(None)
            elif "x" in item:
                out.append(tuple(int(v) for v in item.split("x")))
            else:
                out.append(int(item))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"invalid value {text!r}: give ints separated by commas, per-axis values "
                "joined by 'x' (e.g. 1,2 or 1x2,2x1)") from None
    return out


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.add_argument("target", metavar="MODULE:FUNCTION",
                        help="the implementation, e.g. mypkg.layers:conv2d or path/to/file.py:f")
    parser.add_argument("--kind", choices=KINDS, default="conv",
                        help="which checker to run (default conv); the function's signature "
                             "must fit it")
    parser.add_argument("--ndim", type=int, default=None,
                        help="spatial dimensions, 1 to 3 (default 2; 1 for convolve/correlate)")
    parser.add_argument("--backend", default="numpy", choices=("numpy", "torch", "jax"),
                        help="the array type the function takes (default numpy)")
    parser.add_argument("--device", default=None,
                        help="with --backend torch: the device, e.g. cpu or cuda")
    parser.add_argument("--dtypes", default=None,
                        help="comma-separated dtypes from float16, bfloat16, float32, float64 "
                             "(also complex64, complex128 for convolve/correlate); default "
                             "float32,float64 (and complex128 for convolve/correlate)")
    parser.add_argument("--max-examples", type=int, default=None,
                        help="cases to try, 1 to 1,000,000 (default 250 or 300 by kind)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the search, 0 to 2**64-1: the same seed tries the same "
                             "cases (every report prints the seed it used)")
    parser.add_argument("--deadline", type=_deadline, default=5.0, metavar="SECONDS",
                        help="report a call that runs longer than this as a failure "
                             "(default 5; 'none' for no limit)")
    parser.add_argument("--tolerance", choices=("auto", "elementwise", "normwise"),
                        default=None,
                        help="auto (default: each element within its forward-error bound; "
                             "an output that meets only the FFT bound passes with a note), "
                             "elementwise (that bound only) or normwise (FFT/Winograd "
                             "implementations: one bound on the 2-norm error); for every "
                             "conv-family kind (conv, conv_transpose, conv_input_grad, "
                             "conv_weight_grad) and for convolve/correlate, not for pooling")
    parser.add_argument("--isotropic", action="store_true",
                        help="one value for every spatial axis, passed as an int (for "
                             "functions that take one int stride, padding, ...)")
    for option in ("kernel-sizes", "strides", "paddings", "dilations", "output-paddings"):
        parser.add_argument(f"--{option}", default=None, type=_value_set, metavar="V[,V...]",
                            help=f"declare the {option.replace('-', ' ')} the function "
                                 "supports: ints (every axis), or per-axis values joined "
                                 "by 'x' (e.g. 1,2 or 1x2,2x1)")
    parser.add_argument("--same-rule", choices=("torch", "tf"), default=None,
                        help="--kind conv: padding='same' as PyTorch (stride 1, default) or "
                             "as TensorFlow/JAX 'SAME' (any stride)")
    parser.add_argument("--modes", default=None, metavar="MODE[,MODE...]",
                        help="convolve/correlate: the modes to check (full, same, valid); "
                             "one mode for a function without a mode argument")
    parser.add_argument("--no", action="append", default=[], metavar="FEATURE",
                        choices=FEATURES,
                        help="declare an unsupported feature (repeatable); the argument is "
                             "then never passed: groups, dilation, stride, padding, bias, "
                             "output_padding, ceil_mode, count_include_pad, divisor_override "
                             "(each where --kind has it), same (conv: no string padding)")


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _where(exc: BaseException) -> str:
    """``file, line N`` of the innermost frame of ``exc``'s traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f" ({frames[-1].filename}, line {frames[-1].lineno})" if frames else ""


def _load(target: str) -> Any:
    if ":" not in target:
        raise _UsageError(f"target must look like MODULE:FUNCTION, got {target!r}")
    mod_name, _, attr = target.rpartition(":")
    if not mod_name or not attr:
        raise _UsageError(f"target must look like MODULE:FUNCTION, got {target!r}")
    try:
        if mod_name.endswith(".py") or "/" in mod_name:
            path = Path(mod_name)
            if not path.is_file():
                raise _UsageError(f"cannot load {target!r}: no file {mod_name!r}")
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or spec.loader is None:
                raise _UsageError(f"cannot load {target!r}: {mod_name!r} is not a module")
            module = importlib.util.module_from_spec(spec)
            sys.modules[path.stem] = module
            spec.loader.exec_module(module)
        else:
            if "" not in sys.path:
                sys.path.insert(0, "")
            module = importlib.import_module(mod_name)
    except _UsageError:
        raise
    except SyntaxError as exc:
        raise _UsageError(f"cannot import {mod_name!r}: SyntaxError: {exc.msg} "
                          f"({exc.filename}, line {exc.lineno})") from None
    except (Exception, SystemExit) as exc:  # anything the module does at import
        raise _UsageError(f"cannot import {mod_name!r}: {type(exc).__name__}: "
                          f"{_one_line(str(exc), 200)}{_where(exc)}") from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except Exception:
            raise _UsageError(f"cannot load {target!r}: {mod_name!r} has no attribute "
                              f"{attr!r}") from None
    if not callable(obj):
        raise _UsageError(f"{target!r} is not callable (it is a {type(obj).__name__})")
    return obj


def _passed(kind: str, no: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The positional and keyword arguments the ``kind`` checker passes, given ``--no``."""
    positional, keywords = CALLS[kind]
    off = set(no)
    if kind == "conv" and "padding" in off and "same" not in off:
        off.discard("padding")  # 'same'/'valid' strings are still passed as padding
    return positional, tuple(k for k in keywords if k not in off)


def _fits(sig: inspect.Signature, positional: tuple[str, ...], keywords: tuple[str, ...]
          ) -> str | None:
    """None when ``sig`` accepts the call, else why not."""
    try:
        sig.bind(*[None] * len(positional), **dict.fromkeys(keywords))
    except TypeError as exc:
        return str(exc)
    return None


def _check_signature(fn: Any, target: str, kind: str, no: set[str]) -> None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # a builtin without a signature: let the checker find out
    positional, keywords = _passed(kind, no)
    from convmath.testing._checkers import accepted_keywords

    accepted = accepted_keywords(fn)  # a keyword the function lacks is never passed
    keywords = tuple(k for k in keywords if accepted is None or k in accepted)
    why = _fits(sig, positional, keywords)
    if why is None:
        return
    params = list(sig.parameters)

    def score(k: str) -> int:
        return sum(1 for a, b in zip(params, CALLS[k][0], strict=False) if a == b)

    def minimal(k: str) -> tuple[str, ...]:
        return ("kernel_size",) if "kernel_size" in CALLS[k][1] else ()

    matches = [k for k in KINDS if k != kind and _fits(sig, CALLS[k][0], minimal(k)) is None]
    # the kinds whose every argument fits first, then the most parameter names in common
    matches.sort(key=lambda k: (_fits(sig, *CALLS[k]) is not None, -score(k)))
    call = ", ".join([*positional, *(f"{k}=" for k in keywords)])
    if matches:
        also = f" (also {', '.join(matches[1:3])})" if len(matches) > 1 else ""
        hint = f"its signature matches --kind {matches[0]}{also}"
    else:
        hint = "its signature matches no --kind; use --no FEATURE for arguments it lacks"
    raise _UsageError(f"{target} cannot be called the way --kind {kind} calls it "
                      f"({call}): {why}; {hint}")


def _checker_kwargs(args: argparse.Namespace, checker: Any) -> dict[str, Any]:
    params = inspect.signature(checker).parameters
    kwargs: dict[str, Any] = {"backend": args.backend, "deadline": args.deadline}
    default_ndim = 1 if args.kind in ("convolve", "correlate") else 2
    kwargs["ndim"] = default_ndim if args.ndim is None else args.ndim
    for name in ("device", "max_examples", "seed"):
        value = getattr(args, name)
        if value is not None:
            kwargs[name] = value
    if args.tolerance is not None:
        if "tolerance" not in params:
            raise _UsageError(f"--tolerance applies to --kind {', '.join(_TOLERANCE_KINDS)}, "
                              f"not to --kind {args.kind}")
        kwargs["tolerance"] = args.tolerance
    if args.dtypes is not None:
        dtypes = tuple(d.strip() for d in args.dtypes.split(",") if d.strip())
        if not dtypes:
            raise _UsageError(f"--dtypes must name at least one dtype, got {args.dtypes!r}")
        kwargs["dtypes"] = dtypes
    for option in ("kernel_sizes", "strides", "paddings", "dilations", "output_paddings",
                   "same_rule", "modes"):
        value = getattr(args, option)
        if value is None:
            continue
        flag = "--" + option.replace("_", "-")
        if option not in params:
            raise _UsageError(f"{flag} does not apply to --kind {args.kind}")
        if option == "modes":
            value = tuple(m.strip() for m in value.split(",") if m.strip())
        kwargs[option] = value
    if args.isotropic:
        if "isotropic" not in params:
            raise _UsageError(f"--isotropic does not apply to --kind {args.kind}")
        kwargs["isotropic"] = True
    for feature in args.no:
        name = "padding_modes" if feature == "same" else feature
        if name not in params:
            has = [k for k in KINDS if feature in CALLS[k][1]] if feature != "same" else ["conv"]
            raise _UsageError(f"--no {feature} does not apply to --kind {args.kind} (it "
                              f"applies to --kind {', '.join(has)})")
        kwargs[name] = ("explicit",) if feature == "same" else False
    return kwargs


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; return the exit status."""
    try:
        return _run(args)
    except _UsageError as exc:
        print(f"convmath check: {_one_line(str(exc), 600)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("convmath check: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    fn = _load(args.target)
    from convmath import ConvCheckFailure, ConvmathError, testing
    from convmath.testing._report import SEED_HINT

    checker = getattr(testing, f"check_{args.kind}")
    kwargs = _checker_kwargs(args, checker)
    _check_signature(fn, args.target, args.kind, set(args.no))
    try:
        report = checker(fn, **kwargs)
    except ConvCheckFailure as failure:
        text = str(failure)
        seed = getattr(failure, "seed", None)
        if seed is not None:
            text = text.replace(SEED_HINT.format(seed=seed),
                                f"repeat this search: add --seed {seed}")
        print(text)
        return 1
    except ConvmathError as exc:
        print(f"convmath check: {_one_line(str(exc), 600)}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # never a traceback: an internal error is one line too
        print(f"convmath check: internal error while checking {args.target}: "
              f"{type(exc).__name__}: {_one_line(str(exc), 300)} (please report this)",
              file=sys.stderr)
        return 3
    print(repr(report))
    return 0
