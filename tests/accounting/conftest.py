"""Fixtures of the accounting tests: the shipped library and a row builder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nearzero.accounting.activity import parse_row
from nearzero.accounting.factors import FactorLibrary, default_library
from nearzero.accounting.inventory import evaluate_row
from nearzero.accounting.model import ActivityRow


@pytest.fixture(scope="session")
def lib() -> FactorLibrary:
    return default_library()


@pytest.fixture
def run(lib: FactorLibrary) -> Callable[..., dict[str, float]]:
    """``run(**row_fields)`` → tonnes by gas for one row with the shipped factors."""

    def _run(**fields: Any) -> dict[str, float]:
        row: ActivityRow = parse_row({"year": 2022, **fields}, 0, None)
        return {a.gas: a.tonnes for a in evaluate_row(row, lib).amounts}

    return _run
