"""``convmath check MODULE:FUNCTION --kind conv --ndim 2``: run a checker from the shell.

Exit status 0 when the implementation passes, 1 when the checker finds a bug (the failure
report is printed), 2 for a usage error (bad target, unknown kind, bad option).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

HELP = "check an implementation (MODULE:FUNCTION) against the reference; exit 1 on a bug"

KINDS = (
    "conv", "conv_transpose", "conv_input_grad", "conv_weight_grad", "convolve", "correlate",
    "max_pool", "avg_pool", "max_pool_grad", "avg_pool_grad",
)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add this subcommand's arguments to ``parser``."""
    parser.add_argument("target", metavar="MODULE:FUNCTION",
                        help="the implementation, e.g. mypkg.layers:conv2d or path/to/file.py:f")
    parser.add_argument("--kind", choices=KINDS, default="conv", help="which checker to run")
    parser.add_argument("--ndim", type=int, default=None,
                        help="spatial dimensions (default 2; 1 for convolve/correlate)")
    parser.add_argument("--backend", default="numpy", choices=("numpy", "torch", "jax"))
    parser.add_argument("--device", default=None, help="torch device, e.g. cuda")
    parser.add_argument("--dtypes", default=None,
                        help="comma-separated dtypes, e.g. float32,float64")
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--tolerance", choices=("elementwise", "normwise"), default=None,
                        help="convolve/correlate only: normwise for FFT implementations")
    parser.add_argument("--no", action="append", default=[], metavar="FEATURE",
                        help="declare an unsupported feature (repeatable): groups, dilation, "
                             "stride, padding, bias, output_padding, ceil_mode, "
                             "count_include_pad, divisor_override, same (no string padding)")


def _load(target: str) -> Any:
    if ":" not in target:
        raise ValueError(f"target must look like MODULE:FUNCTION, got {target!r}")
    mod_name, _, attr = target.rpartition(":")
    if mod_name.endswith(".py") or "/" in mod_name:
        path = Path(mod_name)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise ValueError(f"cannot load {mod_name!r}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    else:
        if "" not in sys.path:
            sys.path.insert(0, "")
        module = importlib.import_module(mod_name)
    obj: Any = module
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise ValueError(f"{target!r} is not callable")
    return obj


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; return the exit status."""
    from convmath import ConvCheckFailure, ConvmathError, testing

    try:
        fn = _load(args.target)
    except (ImportError, AttributeError, ValueError, OSError) as exc:
        print(f"convmath check: cannot load {args.target!r}: {exc}", file=sys.stderr)
        return 2
    kwargs: dict[str, Any] = {"backend": args.backend}
    default_ndim = 1 if args.kind in ("convolve", "correlate") else 2
    kwargs["ndim"] = default_ndim if args.ndim is None else args.ndim
    for name in ("device", "max_examples", "seed", "tolerance"):
        value = getattr(args, name)
        if value is not None:
            kwargs[name] = value
    if args.dtypes:
        kwargs["dtypes"] = tuple(d.strip() for d in args.dtypes.split(",") if d.strip())
    for feature in args.no:
        if feature == "same":
            kwargs["padding_modes"] = ("explicit",)
        else:
            kwargs[feature] = False
    checker = getattr(testing, f"check_{args.kind}")
    try:
        report = checker(fn, **kwargs)
    except ConvCheckFailure as failure:
        print(failure)
        return 1
    except TypeError as exc:
        if "unexpected keyword" in str(exc) and "check_" in str(exc):
            print(f"convmath check: {exc}", file=sys.stderr)
            return 2
        raise
    except ConvmathError as exc:
        print(f"convmath check: {exc}", file=sys.stderr)
        return 2
    print(repr(report))
    return 0
