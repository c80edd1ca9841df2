"""Shared helpers for the source parser tests: the saved fixture files."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES


@pytest.fixture
def fixture_bytes():
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read
