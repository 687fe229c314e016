"""Install the test-only reference stand-in for convmath.numeric functions not merged yet."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import _standin

STANDIN = _standin.STANDIN
