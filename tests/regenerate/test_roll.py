"""Rolling workbooks a fiscal year: the figures follow the new FY1 and FY2, nothing else moves.

The workbooks are the bundled sample's two coverage groups, regenerated
from its files with a fuller estimates file (an FY3 for most companies, a
target on each kind of year) and a report date in March 2025, after FY1
2024 has ended. The expected figures are computed here from the input files
with the core's public functions, not read from anything the roll wrote.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName

import xlmodels as xm
from tests.regenerate_helpers import (
    GROUPS,
    REPORT_DATE,
    V1_CODES,
    by_file,
    full_estimates,
    input_cells,
    read_sample,
    roll,
    rolling_books,
    snapshot,
    type_into,
)
from tests.validate_helpers import count_safety_checks
from tests.workbook_helpers import (
    differences,
    edge_inputs,
    libreoffice_convert,
    libreoffice_profile,
)
from xlmodels.regenerate import ConflictKind, Status
from xlmodels.regenerate import batch as batch_module
from xlmodels.regenerate.lock import folder_lock
from xlmodels.revisions.history import list_revisions
from xlmodels.revisions.store import read_records
from xlmodels.sources import sample
from xlmodels.template.v1 import SPEC_V1
from xlmodels.template.v2 import SPEC_V2
from xlmodels.template.v3 import SPEC
from xlmodels.validate import Severity, ValidateConfig, validate_file, validate_paths
from xlmodels.workbook import read_cells, read_workbook, write_workbook
from xlmodels.workbook.stored_cells import CellContent

HK, US = GROUPS["HK Internet"], GROUPS["US Internet"]
#: Share of FY 2025 ahead on the report date, by days (the blended target's weight).
FY2025_REMAINING = (dt.date(2025, 12, 31) - REPORT_DATE).days / 365
FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"
_EMPTY = CellContent(None, None)
ESTIMATES, COVERAGE = SPEC.sheet("Estimates"), SPEC.sheet("Coverage")


@pytest.fixture
def books(tmp_path: Path) -> Path:
    return rolling_books(tmp_path)


def _expected(lang: str) -> dict[str, dict[str, Any]]:
    """Coverage after the roll, from the input files alone: FY1 = the file's FY2, FY2 = its FY3."""
    market = read_sample("market.csv").set_index("code")
    universe = read_sample("universe.csv").set_index("code")
    estimates = full_estimates().set_index("code")
    hkd_per_cny = float(market.loc["CNYHKD", "close"])
    out: dict[str, dict[str, Any]] = {}
    for code, row in estimates.iterrows():
        close = float(market.loc[code, "close"])
        fx = hkd_per_cny if universe.loc[code, "eps_currency"] == "CNY" else 1.0
        fy1, fy2 = float(row["eps_fy2"]), pd.to_numeric(row["eps_fy3"])
        fy2 = float("nan") if pd.isna(fy2) else float(fy2)
        # The target stays on its calendar year: FY2 -> FY1, FY3 -> FY2; FY1's
        # year was reported, so it applies to the new FY1.
        target_eps = {
            "FY1": fy1,
            "FY2": fy1,
            "FY3": fy2,
            "blended": float(xm.blended_eps(fy1, fy2, FY2025_REMAINING)),
        }[str(row["target_year"])]
        target = float(xm.target_price(target_eps, float(row["target_multiple"]), fx=fx))
        gain = float(xm.upside(target, close))
        rating = xm.rate(gain, 0.0, "guosen", lang=lang)
        override = row.get("rating_override")
        if isinstance(override, str) and override:
            rating = xm.load_scheme("guosen").tier_of(override).label(lang)
        lyr = float(row["eps_fy1"])  # the old FY1, kept as the last reported year
        out[str(code)] = {
            "eps_lyr": lyr,
            "pe_lyr": float(xm.pe(close, lyr, fx=fx)),
            "eps_fy1": fy1,
            "pe_fy1": float(xm.pe(close, fy1, fx=fx)),
            "pe_fy2": float(xm.pe(close, fy2, fx=fx)) if fy2 == fy2 else None,
            "target_price": target,
            "upside": gain,
            "rating": rating,
        }
    return out


def _close(expected: float | None, actual: Any) -> bool:
    if expected is None or expected != expected:
        return actual is None or actual != actual
    return abs(float(actual) - expected) <= 1e-9 * max(1.0, abs(expected))


@pytest.mark.parametrize(("mode", "lang"), [("sq", "zh"), ("native", "en")])
def test_pe_lyr_target_price_upside_and_rating_follow_the_new_years(
    tmp_path: Path, mode: str, lang: str
) -> None:
    books = rolling_books(tmp_path, mode=mode, lang=lang)
    result = roll(books)
    assert result.exit_code == 0
    assert {f: r.status for f, r in by_file(result).items()} == {
        HK: Status.UPDATED,
        US: Status.UPDATED,
    }
    expected = _expected(lang)
    for name in (HK, US):
        data = read_workbook(books / name)
        assert data.settings["fy1_year"] == 2025
        assert data.formula_mode == mode
        assert data.lang == lang
        assert data.settings["fy1_remaining"] == pytest.approx(FY2025_REMAINING, rel=1e-12)
        coverage = data.tables["Coverage"]
        for code in coverage.index:
            if code not in expected:
                continue  # no estimates: nothing to rate before or after
            row, wanted = coverage.loc[code], expected[code]
            for column in (
                "eps_lyr",
                "pe_lyr",
                "eps_fy1",
                "pe_fy1",
                "pe_fy2",
                "target_price",
                "upside",
            ):
                assert _close(wanted[column], row[column]), (name, code, column, row[column])
            assert row["rating"] == wanted["rating"], (code, row["rating"])
        # The validator recomputes every figure from the inputs and checks each
        # formula against the spec: a rolled workbook is as clean as a built one
        # (the sample's November prices are old on a March report date: allowed here).
        report = validate_file(books / name, ValidateConfig(stale_price_days=200))
        errors = [f for f in report.findings if f.severity is Severity.ERROR]
        assert errors == [], errors


@pytest.mark.parametrize(("mode", "lang"), [("sq", "en"), ("native", "zh")])
def test_a_roll_changes_only_estimates_coverage_and_settings(
    tmp_path: Path, mode: str, lang: str
) -> None:
    # The edge cases: a loss-maker, a target on a year without EPS, a company
    # with a PE-TTM series, one without estimates, several markets.
    path = tmp_path / "edge.xlsx"
    write_workbook(path, edge_inputs(lang=lang), mode=mode)
    before = read_workbook(path)
    result = by_file(roll(path, to=before.settings["fy1_year"] + 1))["edge.xlsx"]
    assert result.status is Status.UPDATED, result.reason
    assert set(result.changes_by_sheet) == {"Coverage", "Estimates", "Settings"}
    after = read_workbook(path)
    for sheet in ("Market", "Performance", "Valuation"):
        pd.testing.assert_frame_equal(after.tables[sheet], before.tables[sheet])
    pd.testing.assert_frame_equal(after.history, before.history)


def test_headers_name_the_new_years(books: Path) -> None:
    roll(books)
    workbook = openpyxl.load_workbook(books / HK, read_only=True)
    headers = [c.value for c in next(workbook["Coverage"].iter_rows(min_row=4, max_row=4))]
    assert "EPS 2025E" in headers  # each row shows its EPS currency: no header names one
    assert "PE 2026E（x）" in headers
    assert not any(isinstance(h, str) and "2024E" in h for h in headers)


def test_every_input_is_kept_cell_by_cell_under_the_same_years_header(books: Path) -> None:
    before = input_cells(books / HK)
    result = by_file(roll(books))[HK]
    after = input_cells(books / HK)
    # Keyed by the column's header: "EPS 2025E" holds the same number before
    # (as FY2) and after (as FY1). Only the reported year (2024E before,
    # 2024A after), the target years and the FY1 setting differ.
    changed = {
        key
        for sheet in before.keys() | after.keys()
        for key in before.get(sheet, {}).keys() | after.get(sheet, {}).keys()
        if before.get(sheet, {}).get(key) != after.get(sheet, {}).get(key)
    }
    estimated = {k: v for k, v in before["Estimates"].items() if "EPS 2024E" in k}
    reported = {k: v for k, v in after["Estimates"].items() if "EPS 2024A" in k}
    assert len(estimated) == 4
    assert reported == {k.replace("2024E", "2024A"): v for k, v in estimated.items()}
    targets = {key for key in before["Estimates"] if "目标PE适用年度" in key}
    moved_targets = {k for k in targets if before["Estimates"][k] in ("FY2", "FY3")}
    assert len(moved_targets) == 2
    assert changed == set(estimated) | set(reported) | moved_targets | {"FY1 年度 | value"}
    assert after["Settings"]["FY1 年度 | value"] == 2025
    assert after["Estimates"]["9999.HK | 目标PE适用年度"] == "FY1"
    assert after["Estimates"]["9988.HK | 评级（手动）"] == "中性"
    assert result.roll is not None
    assert result.roll.target_moved == ("9999.HK",)
    assert any("EPS LYR now holds each company's 2024E estimate" in n for n in result.notes)


def test_an_own_sheet_is_kept_and_its_formulas_on_moving_years_are_listed(books: Path) -> None:
    fy1 = f"Estimates!{ESTIMATES.letter('eps_fy1')}5"
    pe_fy2 = f"'Coverage'!${COVERAGE.letter('pe_fy2')}$5"
    workbook = openpyxl.load_workbook(books / HK)
    sheet = workbook.create_sheet("Model")
    sheet["A1"], sheet["B1"] = "Tencent FY1 EPS", f"={fy1}"
    sheet["A2"], sheet["B2"] = "Scenario", 1.25
    sheet.merge_cells("A3:C3")
    sheet["A3"] = "Notes across"
    sheet["A4"], sheet["B4"] = "PE", f"={pe_fy2}+AVERAGE(est_eps_fy3)"
    sheet["A5"], sheet["B5"] = "Close", f"=Coverage!{COVERAGE.letter('close')}5*B2"
    sheet.column_dimensions["A"].width = 30
    workbook.save(books / HK)

    outcome = by_file(roll(books))[HK]
    assert outcome.status is Status.UPDATED, outcome.reason
    kept = openpyxl.load_workbook(books / HK)["Model"]
    assert [[c.value for c in row] for row in kept.iter_rows(max_col=2)] == [
        ["Tencent FY1 EPS", f"={fy1}"],
        ["Scenario", 1.25],
        ["Notes across", None],
        ["PE", f"={pe_fy2}+AVERAGE(est_eps_fy3)"],
        ["Close", f"=Coverage!{COVERAGE.letter('close')}5*B2"],
    ]
    assert [str(r) for r in kept.merged_cells.ranges] == ["A3:C3"]
    assert round(kept.column_dimensions["A"].width) == 30
    # A formula keeps its reference: the analyst is told which ones now read another year.
    listed = [note for note in outcome.notes if note.startswith("Model!")]
    assert len(listed) == 2, outcome.notes
    assert listed[0].startswith(f"Model!B1 (={fy1}) reads a column whose year moves on")
    assert "Estimates EPS FY1 2024E -> 2025E" in listed[0]
    assert "Coverage PE FY2 2025E -> 2026E, Estimates EPS FY3 2026E -> 2027E" in listed[1]


def test_a_second_roll_to_the_same_year_does_nothing_and_says_so(books: Path) -> None:
    roll(books)
    before = snapshot(books)
    again = roll(books, to=2025)
    assert again.exit_code == 0
    for result in by_file(again).values():
        assert result.status is Status.UNCHANGED
        assert result.reason == "FY1 is 2025 already: nothing to roll"
    default = by_file(roll(books))[HK]
    assert default.status is Status.UNCHANGED
    assert "FY1 2025 ends on 2025-12-31, after the report date 2025-03-31" in default.reason
    assert snapshot(books) == before  # the workbooks and the revision store too


def test_two_years_ahead_or_back_is_refused_and_writes_nothing(books: Path) -> None:
    before = snapshot(books)
    ahead = roll(books, to=2026)
    assert ahead.exit_code == 1
    assert all(r.status is Status.FAILED for r in by_file(ahead).values())
    assert "roll one year at a time (--to 2025 first)" in by_file(ahead)[HK].reason
    back = roll(books, to=2023)
    assert "never back" in by_file(back)[HK].reason
    assert snapshot(books) == before


def test_a_dry_run_lists_the_years_and_the_moves_and_writes_nothing(books: Path) -> None:
    before = snapshot(books)
    result = roll(books, dry_run=True)
    assert snapshot(books) == before
    hk = by_file(result)[HK]
    assert hk.status is Status.UPDATED
    assert hk.roll is not None
    assert (hk.roll.from_year, hk.roll.to_year) == (2024, 2025)
    tencent = next(c for c in hk.roll.companies if c.code == "0700.HK")
    assert ("eps_fy2", "eps_fy1", 26.3) in tencent.moved
    assert ("eps_fy3", "eps_fy2", 29.0) in tencent.moved
    assert any(c.sheet == "Settings" and (c.old, c.new) == (2024, 2025) for c in hk.changes)
    assert any(c.sheet == "Estimates" and (c.old, c.new) == ("FY2", "FY1") for c in hk.changes)
    assert result.as_dict()["revisions"] == []


def test_the_revision_history_records_the_roll_as_its_own_command(books: Path) -> None:
    roll(books)
    records = read_records(books)
    assert [r.command for r in records][-2:] == ["roll", "roll"]
    assert {r.workbook for r in records if r.command == "roll"} == {HK, US}
    lines = [r.line() for r in list_revisions(books).revisions]
    # EPS are compared by year: the 2025E that moved from FY2 to FY1 is no revision.
    assert not any("EPS" in line and "0700.HK" in line for line in lines), lines
    assert any("FY1 year" in line and "2024 -> 2025" in line for line in lines), lines
    # The target on FY1 moved a year: its target price moved, and that is listed.
    assert any("9999.HK" in line and "target price" in line for line in lines), lines


def test_a_failed_write_leaves_the_original_and_no_temporary_file(
    books: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batch_module.atomic_path

    @contextlib.contextmanager
    def disk_full(target: Path) -> Iterator[Path]:
        with real(target) as temporary:
            yield temporary  # the new workbook is written in full, then
            if Path(target).name == HK:
                raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch_module, "atomic_path", disk_full)
    before = snapshot(books)
    result = roll(books)
    hk, us = by_file(result)[HK], by_file(result)[US]
    assert hk.status is Status.FAILED
    assert "the disk is full" in hk.reason
    assert us.status is Status.UPDATED  # the other workbook goes on
    assert result.exit_code == 1
    after = snapshot(books)
    assert after[HK] == before[HK]
    assert sorted(after) == sorted(before)  # no temporary file left
    assert read_workbook(books / HK).settings["fy1_year"] == 2024


def test_a_conflict_stops_the_roll_and_force_keeps_a_backup(books: Path) -> None:
    type_into(books / HK, {("Coverage", "I5"): 15.0})  # a number typed over PE FY1
    before = snapshot(books)
    stopped = by_file(roll(books))[HK]
    assert stopped.status is Status.FAILED
    assert "conflict" in stopped.reason
    assert "would roll FY1 2024 -> 2025" in stopped.reason
    assert snapshot(books)[HK] == before[HK]
    forced = by_file(roll(books, force=True))[HK]
    assert forced.status is Status.UPDATED
    assert forced.backup is not None
    assert (books / forced.backup).is_file()
    assert read_workbook(books / HK).settings["fy1_year"] == 2025


def test_a_workbook_open_in_excel_is_skipped_and_fails_the_run(books: Path) -> None:
    (books / f"~${HK}").write_bytes(b"")
    result = roll(books)
    assert by_file(result)[HK].status is Status.SKIPPED
    assert by_file(result)[US].status is Status.UPDATED
    assert result.exit_code == 1
    assert roll(books, skip_open=True).exit_code == 0


def test_a_named_workbook_is_rolled_alone_and_a_stray_file_in_a_folder_is_passed_over(
    books: Path,
) -> None:
    openpyxl.Workbook().save(books / "scratch.xlsx")
    alone = roll(books / HK)
    assert [r.file for _, r in alone.workbooks] == [HK]
    folder = by_file(roll(books))
    assert folder["scratch.xlsx"].status is Status.SKIPPED
    assert folder[US].status is Status.UPDATED
    named = by_file(roll(books / "scratch.xlsx"))["scratch.xlsx"]
    assert named.status is Status.FAILED
    assert "not a coverage workbook" in named.reason


def test_a_template_v1_workbook_is_upgraded_and_rolled(tmp_path: Path) -> None:
    books = tmp_path / "books"
    books.mkdir()
    path = books / "hk-internet.xlsx"
    path.write_bytes(FIXTURE_V1.read_bytes())
    before = read_workbook(FIXTURE_V1, spec=SPEC_V1)
    fy1 = int(before.settings["fy1_year"])
    result = by_file(roll(path, to=fy1 + 1))["hk-internet.xlsx"]
    assert result.status is Status.UPDATED, result.reason
    assert result.migrated_from == 1
    after = read_workbook(path)
    assert after.settings["fy1_year"] == fy1 + 1
    old, new = before.analyst.estimates, after.analyst.estimates
    for code in V1_CODES:
        assert _close(old.loc[code, "eps_fy2"], new.loc[code, "eps_fy1"])


@pytest.mark.libreoffice
def test_libreoffice_recalculates_a_rolled_workbook_to_its_cached_figures(
    tmp_path: Path, soffice: str
) -> None:
    # The roll rewrites formulas, headers and cached results together: a
    # spreadsheet recalculating every formula from the rolled inputs must
    # find exactly what the roll cached.
    books = rolling_books(tmp_path, mode="native", lang="en")
    assert roll(books).exit_code == 0
    rolled = [books / HK, books / US]
    profile = libreoffice_profile(tmp_path / "profile", recalculate=True)
    converted = libreoffice_convert(
        soffice, profile, rolled, tmp_path / "recalculated", "xlsx:Calc MS Excel 2007 XML"
    )
    for original, recalculated in zip(rolled, converted, strict=True):
        cached, fresh = read_cells(original), read_cells(recalculated)
        pairs = [
            (f"{sheet}!{ref}", cell.value, fresh.get(sheet, {}).get(ref, _EMPTY).value)
            for sheet, cells in cached.items()
            for ref, cell in cells.items()
            if cell.formula is not None
        ]
        assert len(pairs) > 50
        found = differences(pairs)
        assert found == [], found[:10]


def test_a_template_v2_workbook_is_upgraded_and_its_fy1_kept_as_lyr(tmp_path: Path) -> None:
    path = tmp_path / "v2.xlsx"
    write_workbook(path, sample.load_inputs(), spec=SPEC_V2)
    before = read_workbook(path, spec=SPEC_V2)
    result = by_file(roll(path, to=2025))["v2.xlsx"]
    assert result.status is Status.UPDATED, result.reason
    assert result.migrated_from == 2
    after = read_workbook(path)
    assert after.template_version == SPEC.version
    assert after.settings["fy1_year"] == 2025
    old, new = before.analyst.estimates, after.analyst.estimates
    for code in old.index[old["eps_fy1"].notna()]:
        assert _close(old.loc[code, "eps_fy1"], new.loc[code, "eps_lyr"])
        assert _close(old.loc[code, "eps_fy2"], new.loc[code, "eps_fy1"])


def _model_sheet(workbook: openpyxl.Workbook) -> None:
    """An analyst's sheet: numbers, a formula over them, a merged title, a defined name."""
    sheet = workbook.create_sheet("Model")
    sheet["A1"] = "Tencent SOTP"
    sheet.merge_cells("A1:C1")
    sheet["A2"], sheet["B2"] = "Games", 1250.5
    sheet["A3"], sheet["B3"] = "Ads", 480
    sheet["A4"], sheet["B4"] = "Total", "=B2+B3"
    workbook.defined_names["sotp_total"] = DefinedName("sotp_total", attr_text="Model!$B$4")


def _with(path: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)


def test_a_chart_on_an_own_sheet_stops_the_roll_and_force_keeps_it_in_the_backup(
    books: Path,
) -> None:
    def add(workbook: openpyxl.Workbook) -> None:
        _model_sheet(workbook)
        chart = BarChart()
        chart.add_data(Reference(workbook["Model"], min_col=2, min_row=2, max_row=3))
        workbook["Model"].add_chart(chart, "E2")

    _with(books / HK, add)
    before = snapshot(books)
    stopped = by_file(roll(books))[HK]
    assert stopped.status is Status.FAILED
    assert [(c.kind, c.sheet) for c in stopped.conflicts] == [(ConflictKind.EXTRA_SHEET, "Model")]
    assert "chart" in stopped.conflicts[0].found
    assert snapshot(books)[HK] == before[HK]

    forced = by_file(roll(books, force=True))[HK]
    assert forced.status is Status.UPDATED
    assert forced.backup is not None
    assert forced.backup.startswith(".backups/")
    with zipfile.ZipFile(books / forced.backup) as backup:
        assert any(name.startswith("xl/charts/") for name in backup.namelist())
    rolled = openpyxl.load_workbook(books / HK)
    assert rolled["Model"]["B4"].value == "=B2+B3"  # the rest of the sheet is carried
    assert read_workbook(books / HK).settings["fy1_year"] == 2025
    # validate on the folder does not take the backup for a workbook.
    assert {Path(f.file).name for f in validate_paths([books]).files} == {HK, US}


@pytest.mark.libreoffice
def test_an_own_sheet_saved_by_libreoffice_is_carried_through_a_roll(
    soffice: str, tmp_path: Path
) -> None:
    books = rolling_books(tmp_path, mode="native")
    _with(books / HK, _model_sheet)
    profile = libreoffice_profile(tmp_path / "profile", recalculate=True)
    (saved,) = libreoffice_convert(soffice, profile, [books / HK], tmp_path / "saved", "xlsx")
    (books / HK).write_bytes(saved.read_bytes())
    assert read_cells(books / HK)["Model"]["B4"].value == pytest.approx(1730.5)
    outcome = by_file(roll(books))[HK]
    assert outcome.status is Status.UPDATED, outcome.reason
    assert outcome.conflicts == ()
    model = read_cells(books / HK)["Model"]
    assert model["B4"].formula == "=B2+B3"
    assert model["B4"].value == pytest.approx(1730.5)  # LibreOffice's result, carried
    assert openpyxl.load_workbook(books / HK).defined_names["sotp_total"].attr_text == (
        "Model!$B$4"
    )
    assert read_workbook(books / HK).settings["fy1_year"] == 2025


def test_a_folder_another_run_holds_is_not_rolled_and_the_others_are(
    tmp_path: Path, books: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / HK).write_bytes((books / HK).read_bytes())
    before = snapshot(books)
    with folder_lock(books, wait=0):  # a regeneration of that folder is running
        result = roll(books, other, wait=0)
    assert result.exit_code == 1
    held = [r for folder, r in result.workbooks if folder == books]
    assert {r.file for r in held} == {HK, US}
    assert all(r.status is Status.FAILED for r in held)
    assert "another regeneration or roll is running" in held[0].reason
    assert snapshot(books) == before
    assert read_workbook(other / HK).settings["fy1_year"] == 2025


def test_a_rolled_sq_workbook_keeps_one_formula_per_column(tmp_path: Path) -> None:
    # The roll writes the workbook again: each SQ_ column is still one formula
    # spilling over the companies, its results (the new years') cached below it.
    books = rolling_books(tmp_path, mode="sq", lang="zh")

    def spills(path: Path) -> dict[tuple[str, str], str | None]:
        return {
            (sheet, ref): cell.spill
            for sheet, cells in read_cells(path).items()
            for ref, cell in cells.items()
            if "SQ_" in (cell.formula or "")
        }

    before = spills(books / HK)
    assert len(before) == sum(len(sheet.spilled("sq")) for sheet in SPEC.table_sheets())
    assert roll(books).exit_code == 0
    assert spills(books / HK) == before
    cells = read_cells(books / HK)["Coverage"]
    pe = COVERAGE.letter("pe_fy1")
    data = read_workbook(books / HK)
    for offset, code in enumerate(data.tables["Coverage"].index):
        shown = data.tables["Coverage"].loc[code, "pe_fy1"]
        cell = cells.get(f"{pe}{5 + offset}")
        if cell is None:  # an empty result is an empty cell
            assert shown != shown
            continue
        assert (cell.spilled_from or f"{pe}5") == f"{pe}5"
        assert cell.value == shown
    # The books' prices are older than their report date (data.stale-price); the
    # layout itself is clean.
    findings = validate_file(books / HK).findings
    assert [f for f in findings if f.rule.startswith(("integrity.", "structure."))] == []


def test_a_roll_checks_each_workbook_once(books: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The roll reads every workbook to find its group, then again to roll it:
    # the safety checks' verdict on the first read stands for the same bytes.
    checked = count_safety_checks(monkeypatch)
    result = roll(books)
    assert result.exit_code == 0
    assert sorted(checked) == sorted(books / name for name in GROUPS.values())
