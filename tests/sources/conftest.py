"""Every input-file test runs twice: files read row by row, and read column-wise.

A large CSV file is read column-wise by pandas (:mod:`xlmodels.sources.raw_tables`);
the files of these tests are small, so the size from which that happens is
set to 0 for the second run: every value, every check and every message must
come out the same either way.
"""

from __future__ import annotations

import pytest

from xlmodels.sources import raw_tables


@pytest.fixture(autouse=True, params=["row-wise", "column-wise"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "column-wise":
        monkeypatch.setattr(raw_tables, "_COLUMN_WISE_BYTES", 0)
    return str(request.param)
