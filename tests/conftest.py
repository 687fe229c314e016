"""Collection rules and test profiles for the suite.

``--doctest-modules`` (pyproject) is meant for the package's docstrings. Under ``tests/``
only ``test_*.py`` files are test modules; the others (mutant corpora, case helpers) are
imported by those tests, some of them only after ``pytest.importorskip("torch")``, so they
must not be imported on their own for doctest collection.

Profiles. ``CONVMATH_PROFILE=dev|ci|thorough`` (or ``--hypothesis-profile NAME``) picks one;
the default is ``dev``:

- ``dev``: the everyday run — every test function, each Hypothesis test with half the
  examples its decorator asks for, a sample of the generated proof mutants, and a fixed third
  of the cases of each test marked ``dev_sample`` (the mutant and published-code corpora,
  the pooling-contract bugs, the default checkers run on PyTorch and scipy);
- ``ci``: what ``.ci/run`` uses — derandomized (the same examples every run, no example
  database), each Hypothesis test with the examples its decorator asks for, every mutant;
- ``thorough``: for nights — ten times the examples, randomized, every mutant.

The scale applies to every ``@given`` test of the suite (its decorator's ``max_examples``,
or Hypothesis' default of 100); tests read the profile's name from ``CONVMATH_PROFILE``
(:func:`profile`), which ``pytest_configure`` sets for them and for their subprocesses.
"""

from __future__ import annotations

import math
import os
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

SCALE = {"dev": 0.5, "ci": 1.0, "thorough": 10.0}
PROFILES: dict[str, dict[str, Any]] = {
    "dev": {"deadline": None},
    "ci": {"deadline": None, "derandomize": True, "database": None, "print_blob": True},
    "thorough": {"deadline": None},
}


def load_profile(name: str) -> None:
    """Register the suite's profiles (again) and load ``name``.

    Registering again matters: importing ``torch.testing._internal`` (the OpInfo tests do,
    mid-run) registers a ``dev`` profile of its own over ours and loads it, or its
    ``pytorch_ci`` profile when the environment variable ``CI`` is set."""
    base = settings.get_profile("default")  # Hypothesis' own, which nobody replaces
    for key, values in PROFILES.items():
        # an explicit parent: without one, a profile inherits whatever is loaded now
        settings.register_profile(key, base, **values)
    settings.load_profile(name)


load_profile("dev")


def profile() -> str:
    return os.environ.get("CONVMATH_PROFILE") or "dev"


def pytest_configure(config: pytest.Config) -> None:
    name = config.getoption("--hypothesis-profile", None) or profile()
    if name not in SCALE:
        raise pytest.UsageError(
            f"profile {name!r} (CONVMATH_PROFILE or --hypothesis-profile): choose one of "
            f"{', '.join(SCALE)}")
    load_profile(name)
    os.environ["CONVMATH_PROFILE"] = name


@pytest.fixture(autouse=True)
def _the_profile_holds() -> None:
    """Before each test, load the profile again: something imported since may have replaced
    it (see :func:`load_profile`). It costs microseconds."""
    load_profile(profile())


def pytest_report_header(config: pytest.Config) -> str:
    name = profile()
    return (f"convmath profile: {name} (Hypothesis examples × {SCALE[name]:g}; "
            "CONVMATH_PROFILE=dev|ci|thorough)")


def _scaled(n: int, factor: float) -> int:
    # a test that asks for a handful of examples keeps them; never below one
    return max(min(n, 3), math.ceil(n * factor))


def _dev_sample(config: pytest.Config, items: list[Any]) -> None:
    """Keep a fixed third (by a hash of the test id) of the parametrized cases of each test
    marked ``dev_sample``, and at least one case of each."""
    cases: defaultdict[str, list[Any]] = defaultdict(list)
    for item in items:
        if item.get_closest_marker("dev_sample") and hasattr(item, "callspec"):
            cases[item.nodeid.split("[")[0]].append(item)
    dropped: list[Any] = []
    for group in cases.values():
        out = [it for it in group if zlib.crc32(it.nodeid.encode()) % 3]
        dropped += out[:-1] if len(out) == len(group) else out
    if dropped:
        gone = set(map(id, dropped))
        config.hook.pytest_deselected(items=dropped)
        items[:] = [it for it in items if id(it) not in gone]


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    if profile() == "dev":
        _dev_sample(config, items)
    factor = SCALE[profile()]
    done: set[int] = set()
    for item in items:
        fn = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        if fn is None or not hasattr(fn, "hypothesis") or id(fn) in done:
            continue
        done.add(id(fn))  # parametrized items share one function: scale it once
        current = getattr(fn, "_hypothesis_internal_use_settings", None)
        if current is None:
            raise pytest.UsageError(
                f"{item.nodeid}: Hypothesis keeps a test's settings elsewhere now; update "
                "tests/conftest.py, which scales them per profile")
        fn._hypothesis_internal_use_settings = settings(
            current, max_examples=_scaled(current.max_examples, factor))


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if collection_path.suffix == ".py" and not collection_path.name.startswith(
        ("test_", "conftest")
    ):
        return True
    return None
