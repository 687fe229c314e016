"""convmath.numeric convolution layers vs PyTorch CPU, side by side in one process.

For each layer of a fixed suite (ResNet/VGG-like 3×3, a 7×7 stride-2 stem, 1×1, strided,
depthwise, grouped, dilated, 1-D audio, 3-D video) and each dtype (float32, float64), times
the forward pass, the input gradient and the weight gradient of ``convmath.numeric``
(``conv``, ``conv_input_grad``, ``conv_weight_grad``) and of PyTorch (``F.conv{N}d``,
``torch.nn.grad.conv{N}d_input/_weight``) on the same inputs, with the same number of
threads, and prints the median time of each, their ratio convmath/torch, and the median
ratio per (operation, dtype). Every result is also checked against torch's.

Run:  python benchmarks/bench_conv.py [--threads 1] [--repeats 7] [--quick]

The thread count is fixed *before* NumPy is imported (OPENBLAS/OMP/MKL_NUM_THREADS, and
threadpoolctl when installed) and with ``torch.set_num_threads``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any


@dataclass(frozen=True)
class Layer:
    name: str
    x_shape: tuple[int, ...]
    w_shape: tuple[int, ...]
    stride: int | tuple[int, ...] = 1
    padding: int | tuple[int, ...] = 0
    dilation: int | tuple[int, ...] = 1
    groups: int = 1


SUITE = [
    Layer("resnet 3x3 64->64 @28", (4, 64, 28, 28), (64, 64, 3, 3), padding=1),
    Layer("vgg 3x3 128->128 @28", (2, 128, 28, 28), (128, 128, 3, 3), padding=1),
    Layer("stem 7x7 s2 3->64 @112", (2, 3, 112, 112), (64, 3, 7, 7), stride=2, padding=3),
    Layer("1x1 256->64 @28", (4, 256, 28, 28), (64, 256, 1, 1)),
    Layer("1x1 s2 128->256 @28", (4, 128, 28, 28), (256, 128, 1, 1), stride=2),
    Layer("3x3 s2 64->128 @28", (4, 64, 28, 28), (128, 64, 3, 3), stride=2, padding=1),
    Layer("depthwise 3x3 128 @28", (4, 128, 28, 28), (128, 1, 3, 3), padding=1, groups=128),
    Layer("grouped 3x3 g8 128 @28", (4, 128, 28, 28), (128, 16, 3, 3), padding=1, groups=8),
    Layer("dilated 3x3 d2 64 @28", (2, 64, 28, 28), (64, 64, 3, 3), padding=2, dilation=2),
    Layer("audio 1d k9 32->32 L2000", (4, 32, 2000), (32, 32, 9), padding=4),
    Layer("audio 1d k10 s5 1->64 L16000", (4, 1, 16000), (64, 1, 10), stride=5),
    Layer("video 3d 3x3x3 16->32 8x28x28", (2, 16, 8, 28, 28), (32, 16, 3, 3, 3), padding=1),
    Layer("video 3d 1x3x3 s(1,2,2) 32->32", (2, 32, 8, 28, 28), (32, 32, 1, 3, 3),
          stride=(1, 2, 2), padding=(0, 1, 1)),
]


def _set_threads(n: int) -> None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def _interleaved_medians(
    ours: Callable[[], Any], theirs: Callable[[], Any], repeats: int, clock: Callable[[], float]
) -> tuple[float, float]:
    """Median times of two functions, timed alternately so that load from other processes
    on a shared machine hits both alike; one warm-up call each first."""
    ours()
    theirs()
    t_ours, t_theirs = [], []
    for _ in range(repeats):
        t0 = clock()
        ours()
        t1 = clock()
        theirs()
        t2 = clock()
        t_ours.append(t1 - t0)
        t_theirs.append(t2 - t1)
    return statistics.median(t_ours), statistics.median(t_theirs)


def _blas_info(threads: int) -> str:
    """NumPy's BLAS and the kernel it picked: threadpoolctl if installed (it also pins the
    thread count), else the same query made directly on NumPy's bundled OpenBLAS."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits

        threadpool_limits(threads)
        return "; ".join(
            f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')} "
            f"threads={i.get('num_threads')}" for i in threadpool_info()
        )
    except ImportError:
        pass
    import ctypes
    import glob

    import numpy as np

    libs = glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for prefix, suffix in (("scipy_", "64_"), ("scipy_", ""), ("", "64_"), ("", "")):
            try:
                config = getattr(lib, f"{prefix}openblas_get_config{suffix}")
                corename = getattr(lib, f"{prefix}openblas_get_corename{suffix}")
                nthreads = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}")
            except AttributeError:
                continue
            config.restype = corename.restype = ctypes.c_char_p
            return (f"{config().decode()}, kernel {corename().decode()}, "
                    f"threads={nthreads()} (queried from {os.path.basename(path)})")
    return "unknown (no threadpoolctl, no bundled OpenBLAS found)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="first 3 layers, 3 repeats")
    parser.add_argument("--only", default="", help="run layers whose name contains this")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default=None,
        help="cpu: CPU time of this process (time.process_time), robust to other processes "
             "on a shared machine; wall: time.perf_counter. Default: cpu with 1 thread, "
             "wall otherwise (CPU time would add up the threads' work)",
    )
    args = parser.parse_args(argv)
    if args.clock is None:
        args.clock = "cpu" if args.threads == 1 else "wall"
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    _set_threads(args.threads)

    import numpy as np
    import torch
    import torch.nn.functional as F

    from convmath.numeric import conv, conv_input_grad, conv_weight_grad

    torch.set_num_threads(args.threads)
    blas = _blas_info(args.threads)
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    print(f"threads: {args.threads} (torch.get_num_threads()={torch.get_num_threads()}); "
          f"numpy BLAS: {blas}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE')}")

    layers = [la for la in SUITE if args.only in la.name]
    repeats = args.repeats
    if args.quick:
        layers, repeats = layers[:3], 3
    print(f"clock: {args.clock}; median of {repeats} interleaved repeats after a warm-up; "
          f"torch mkldnn: {torch.backends.mkldnn.is_available()}")
    ratios: dict[tuple[str, str], list[float]] = {}
    rng = np.random.default_rng(0)
    header = (f"{'layer':34s} {'dtype':8s} {'op':8s} {'convmath ms':>11s} {'torch ms':>9s} "
              f"{'ratio':>6s}")
    print(header)
    print("-" * len(header))
    for layer in layers:
        n = len(layer.w_shape) - 2
        tconv = getattr(F, f"conv{n}d")
        tin = getattr(torch.nn.grad, f"conv{n}d_input")
        twt = getattr(torch.nn.grad, f"conv{n}d_weight")
        kw = {"stride": layer.stride, "padding": layer.padding, "dilation": layer.dilation,
              "groups": layer.groups}
        for dtype in (np.float32, np.float64):
            x = rng.standard_normal(layer.x_shape).astype(dtype)
            w = rng.standard_normal(layer.w_shape).astype(dtype)
            tx, tw = torch.from_numpy(x), torch.from_numpy(w)
            with torch.no_grad():
                ty = tconv(tx, tw, **kw)
            g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
            tg = torch.from_numpy(g)
            ops = {
                "forward": (partial(conv, x, w, **kw), partial(tconv, tx, tw, **kw)),
                "d_input": (partial(conv_input_grad, x.shape, w, g, **kw),
                            partial(tin, x.shape, tw, tg, **kw)),
                "d_weight": (partial(conv_weight_grad, x, w.shape, g, **kw),
                             partial(twt, tx, w.shape, tg, **kw)),
            }
            tol = 1e-3 if dtype == np.float32 else 1e-9
            for op, (ours, theirs) in ops.items():
                with torch.no_grad():
                    expected = theirs().numpy()
                    got = ours()
                    scale = float(np.abs(expected).max()) or 1.0
                    err = float(np.abs(got - expected).max()) / scale
                    if got.shape != expected.shape or err > tol:
                        print(f"MISMATCH {layer.name} {op} {dtype.__name__}: rel err {err:.2e}")
                        return 1
                    t_ours, t_theirs = _interleaved_medians(ours, theirs, repeats, clock)
                ratio = t_ours / t_theirs
                ratios.setdefault((op, np.dtype(dtype).name), []).append(ratio)
                print(f"{layer.name:34s} {np.dtype(dtype).name:8s} {op:8s} "
                      f"{1e3 * t_ours:11.2f} {1e3 * t_theirs:9.2f} {ratio:6.2f}", flush=True)
    print()
    print("median ratio convmath/torch per (op, dtype):")
    for (op, dt), rs in sorted(ratios.items()):
        print(f"  {op:8s} {dt:8s} {statistics.median(rs):5.2f}  "
              f"(min {min(rs):.2f}, max {max(rs):.2f}, {len(rs)} layers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
