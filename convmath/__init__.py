"""convmath: verify the mathematics of convolution.

Three layers, imported on demand so that ``import convmath`` stays cheap:

- :mod:`convmath.symbolic` — SymPy models of convolution and machine-checked derivations;
- :mod:`convmath.numeric` — trusted reference implementations (PyTorch / scipy conventions);
- :mod:`convmath.testing` — Hypothesis checkers for other projects' implementations.
"""

from __future__ import annotations

from convmath.errors import ConvCheckFailure, ConvmathError, InvalidArgument, ProofError

__version__ = "0.1.0"
__all__ = ["ConvCheckFailure", "ConvmathError", "InvalidArgument", "ProofError", "__version__"]
