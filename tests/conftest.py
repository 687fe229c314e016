"""Collection rules for the suite.

``--doctest-modules`` (pyproject) is meant for the package's docstrings. Under ``tests/``
only ``test_*.py`` files are test modules; the others (mutant corpora, case helpers) are
imported by those tests, some of them only after ``pytest.importorskip("torch")``, so they
must not be imported on their own for doctest collection.
"""

from __future__ import annotations

from pathlib import Path


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    if collection_path.suffix == ".py" and not collection_path.name.startswith(
        ("test_", "conftest")
    ):
        return True
    return None
