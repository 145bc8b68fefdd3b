"""Write the template-v1 workbook the migration tests upgrade (``tests/fixtures/coverage-v1.xlsx``).

The fixture stands for a workbook an analyst has kept since template
version 1 (:data:`xlmodels.regenerate.SPEC_V1`: no EPS basis column, the
benchmark expected returns under the rating tiers, no coverage group). It is
written with the v1 spec, in English with native formulas, and holds the
kind of analyst inputs a real one does, in v1's input cells (what typing
them in Excel stores):

* EPS FY1-FY3 (one company without FY3), target PE on FY1, FY2, FY3 and a
  blend, a rating override with its reason, notes (one starting with ``=``,
  which must stay text);
* Settings: FY1 2024, a March fiscal year-end, the CSC rating scheme, the
  strict percentile and geometric relative-return methods;
* the benchmark expected return of Hong Kong, 6%.

Every value is chosen to differ from the defaults, so a test can tell a
carried input from a default one. The file is committed and frozen: it
stands for files already in the wild, so run this script again only to
re-create the same workbook (it is deterministic), never to follow a change
of the current template. Run it from the repository root::

    python tools/make_v1_fixture.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from xlmodels.core.fx import FxTable
from xlmodels.domain.model import CoverageInputs, Settings
from xlmodels.regenerate import SPEC_V1
from xlmodels.workbook import write_workbook

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "coverage-v1.xlsx"
CODES = ["0700.HK", "9999.HK", "3690.HK", "1024.HK"]
PRICE_DATE = dt.date(2024, 11, 29)


def v1_inputs() -> CoverageInputs:
    """The fixture's universe, market data, history and analyst inputs."""
    universe = pd.DataFrame(
        {
            "name": ["腾讯控股", "网易-S", "美团-W", "快手-W"],
            "name_en": ["Tencent", "NetEase", "Meituan", "Kuaishou"],
            "market": ["HK"] * 4,
            "price_currency": ["HKD"] * 4,
            "eps_currency": ["CNY"] * 4,
            "benchmark": ["HSTECH.HI"] * 4,
            "analyst": ["Analyst"] * 4,
            "coverage_group": ["HK Internet"] * 4,
        },
        index=pd.Index(CODES, name="code"),
    )
    market = pd.DataFrame(
        {
            "close": [398.0, 134.4, 168.7, 47.3],
            "price_date": [PRICE_DATE] * 4,
            "shares_mn": [9267.4, 3210.8, 6085.3, 4370.0],
        },
        index=universe.index,
    )
    estimates = pd.DataFrame(
        {
            "eps_basis": [None] * 4,  # v1 has no EPS basis column
            "eps_fy1": [24.1, 11.2, 7.1, 3.4],
            "eps_fy2": [26.3, 12.0, 8.6, 4.2],
            "eps_fy3": [29.8, 13.1, 10.2, np.nan],
            "target_multiple": [21.5, 16.0, 24.0, 13.5],
            "target_year": ["FY2", "blended", "FY3", "FY1"],
            "rating_override": [None, None, "Accumulate", None],
            "override_reason": [None, None, "Take-out competition eases", None],
            "notes": [
                "Adjusted EPS per company guidance",
                "=SUM(A1:A2) is text, not a formula",
                None,
                "Initiation pending",
            ],
        },
        index=universe.index,
    )
    for column in ("eps_basis", "target_year", "rating_override", "override_reason", "notes"):
        estimates[column] = estimates[column].astype(object)
    indexes = pd.DataFrame(
        {
            "name": ["恒生科技指数"],
            "name_en": ["Hang Seng TECH"],
            "market": ["HK"],
            "currency": ["HKD"],
        },
        index=pd.Index(["HSTECH.HI"], name="code"),
    )
    rng = np.random.default_rng(1)
    days = pd.bdate_range("2024-09-02", PRICE_DATE)
    rows = []
    for code, level in zip([*CODES, "HSTECH.HI"], [390.0, 130.0, 160.0, 48.0, 4300.0], strict=True):
        path = level * np.exp(np.cumsum(rng.normal(0, 0.015, len(days))))
        rows += [
            (day, code, round(float(value), 2), np.nan)
            for day, value in zip(days, path, strict=True)
        ]
    pe = 20 + np.cumsum(rng.normal(0, 0.3, len(days)))
    rows += [
        (day, "HSTECH.HI", np.nan, round(float(v), 2)) for day, v in zip(days, pe, strict=True)
    ]
    history = (
        pd.DataFrame(rows, columns=["date", "code", "close", "pe_ttm"])
        .groupby(["date", "code"], as_index=False)
        .agg({"close": "last", "pe_ttm": "last"})
    )
    return CoverageInputs(
        universe=universe,
        market=market,
        fx=FxTable({("CNY", "HKD"): 1.0702}),
        estimates=estimates,
        indexes=indexes,
        settings=Settings(
            report_date=dt.date(2024, 12, 2),
            fy1_year=2024,
            period_start=dt.date(2024, 10, 31),
            period_end=PRICE_DATE,
            scheme="csc",
            lang="en",
            benchmark_expected_returns={"HK": 0.06},
            percentile_method="strict",
            relative_method="geometric",
            fiscal_year_end=(3, 31),
            data_note="Template v1 test fixture (synthetic data).",
        ),
        history=history,
    )


def main() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(FIXTURE, v1_inputs(), mode="native", lang="en", spec=SPEC_V1)
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()
