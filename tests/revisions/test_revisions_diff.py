"""``xlmodels diff``: two coverage workbooks compared in the analyst's terms."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, Reference

from tests.cli_helpers import Cli
from tests.regenerate_helpers import regenerate, write_inputs
from tests.revisions_helpers import input_cell, sample_workbook, type_estimate
from tests.workbook_helpers import excel_types_over_spill
from xlmodels.revisions.changes import Change, compare_snapshots
from xlmodels.revisions.snapshot import Snapshot, snapshot_of
from xlmodels.revisions.workbooks import diff_workbooks, read_state
from xlmodels.sources import sample
from xlmodels.template.v3 import SPEC
from xlmodels.workbook import write_workbook
from xlmodels.workbook.coverage_inputs import coverage_inputs

FIXTURE_V1 = Path(__file__).parents[1] / "fixtures" / "coverage-v1.xlsx"


@pytest.fixture
def revised(tmp_path: Path) -> tuple[Path, Path]:
    """The sample, and the sample with Tencent's FY2 EPS revised from 26.3 to 27.1."""
    old = sample_workbook(tmp_path / "old.xlsx")
    new = type_estimate(old, "0700.HK", "eps_fy2", 27.1, out=tmp_path / "new.xlsx")
    return old, new


def test_a_revised_eps_is_one_line_with_the_code_both_values_and_the_change(
    cli: Cli, revised: tuple[Path, Path]
) -> None:
    result = cli("diff", *map(str, revised))
    assert result.exit_code == 1, result.output
    lines = [line for line in result.lines() if "26.3" in line and "27.1" in line]
    assert len(lines) == 1, result.stdout
    assert "0700.HK" in lines[0]
    assert "+3.0%" in lines[0]
    assert "FY2" in lines[0]


def test_the_json_lists_the_revision_and_what_it_moved(
    cli: Cli, revised: tuple[Path, Path]
) -> None:
    result = cli("diff", *map(str, revised), "--format", "json")
    assert result.exit_code == 1
    report = result.json()
    assert report["identical"] is False
    [estimate] = report["estimates"]
    assert (estimate["code"], estimate["field"], estimate["year"]) == ("0700.HK", "eps_fy2", 2025)
    assert (estimate["old"], estimate["new"]) == (26.3, 27.1)
    assert estimate["change"] == pytest.approx(27.1 / 26.3 - 1)
    moved = {(o["code"], o["field"]) for o in report["outputs"]}
    # Tencent's target is 20x FY2 EPS: its target price and upside follow the EPS.
    assert {("0700.HK", "pe_fy2"), ("0700.HK", "target_price"), ("0700.HK", "upside")} <= moved
    assert {code for code, _ in moved} == {"0700.HK"}
    target = next(o for o in report["outputs"] if o["field"] == "target_price")
    assert target["change"] == pytest.approx(27.1 / 26.3 - 1)
    assert report["market"]["closes_changed"] == []
    assert report["integrity"] == []


def test_the_markdown_has_the_revision_as_a_table_row(cli: Cli, revised: tuple[Path, Path]) -> None:
    result = cli("diff", *map(str, revised), "--format", "md")
    assert result.exit_code == 1
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 0700.HK")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[3:] == ["26.3", "27.1", "+3.0%"]


def test_a_workbook_against_itself_exits_0(cli: Cli, revised: tuple[Path, Path]) -> None:
    old, _ = revised
    result = cli("diff", str(old), str(old))
    assert result.exit_code == 0, result.output
    assert "No differences." in result.lines()
    assert cli("diff", str(old), str(old), "--format", "json").json()["identical"] is True


def test_a_copy_saved_by_another_program_is_no_difference(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    # openpyxl drops every formula's stored result: the diff recomputes, it never reads them.
    old, _ = revised
    saved = tmp_path / "saved.xlsx"
    openpyxl.load_workbook(old).save(saved)
    result = cli("diff", str(old), str(saved), "--format", "json")
    assert result.exit_code == 0, result.stdout


def test_chinese_and_english_workbooks_of_the_same_estimates_differ_only_in_language(
    cli: Cli, tmp_path: Path
) -> None:
    zh = sample_workbook(tmp_path / "zh.xlsx", lang="zh")
    en = sample_workbook(tmp_path / "en.xlsx", lang="en")
    report = cli("diff", str(zh), str(en), "--format", "json").json()
    assert [(c["field"], c["old"], c["new"]) for c in report["workbook"]] == [("lang", "zh", "en")]
    # Ratings compare by tier: 优于大市 and Outperform are the same rating.
    assert report["estimates"] == []
    assert report["outputs"] == []
    revised = type_estimate(en, "0700.HK", "eps_fy2", 27.1, out=tmp_path / "en2.xlsx")
    result = cli("diff", str(zh), str(revised))
    [line] = [line for line in result.lines() if "26.3" in line]
    assert "0700.HK" in line
    assert "27.1" in line
    assert "+3.0%" in line


def test_a_rating_override_in_either_language_is_the_same_rating(tmp_path: Path) -> None:
    zh = type_estimate(sample_workbook(tmp_path / "zh.xlsx"), "0700.HK", "rating_override", "中性")
    en = sample_workbook(tmp_path / "en.xlsx", lang="en")
    en = type_estimate(en, "0700.HK", "rating_override", "Neutral")
    diff = diff_workbooks(zh, en)
    assert [c.field for c in diff.estimates.estimates] == []
    plain = sample_workbook(tmp_path / "plain.xlsx")
    diff = diff_workbooks(plain, zh)
    fields = {(c.field, c.old, c.new) for c in diff.estimates.estimates}
    assert ("rating_override", None, "中性") in fields
    ratings = [(c.old, c.new) for c in diff.estimates.outputs if c.field == "rating"]
    assert ratings == [("优于大市", "中性")]


def test_a_v1_workbook_against_its_upgrade_differs_only_in_template_version(
    cli: Cli, tmp_path: Path
) -> None:
    state = read_state(FIXTURE_V1)
    upgraded = tmp_path / "v3.xlsx"
    write_workbook(upgraded, coverage_inputs(state.data), mode="native")
    report = cli("diff", str(FIXTURE_V1), str(upgraded), "--format", "json").json()
    assert [(c["field"], c["old"], c["new"]) for c in report["workbook"]] == [
        ("template_version", 1, 3)
    ]
    assert report["estimates"] == []
    assert report["settings"] == []
    assert report["benchmark_expected_returns"] == []
    assert report["integrity"] == []
    type_estimate(upgraded, "0700.HK", "eps_fy2", 27.1)
    result = cli("diff", str(FIXTURE_V1), str(upgraded))
    [line] = [line for line in result.lines() if "27.1" in line]
    assert "0700.HK" in line
    assert "26.3" in line
    assert "+3.0%" in line


def test_the_v1_fixture_reads_through_its_own_names(tmp_path: Path) -> None:
    # v1 keeps the benchmark returns under the tiers: read through v1's names,
    # the Hong Kong benchmark return is the 6% typed there, not a tier bound.
    state = read_state(FIXTURE_V1)
    assert state.snapshot.template_version == 1
    assert state.snapshot.benchmark_expected_returns["HK"] == pytest.approx(0.06)
    assert state.snapshot.settings["scheme"] == "csc"


def test_a_new_month_is_summarised_not_listed_cell_by_cell(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    regenerate(folder, write_inputs(tmp_path / "m1"))
    before = tmp_path / "before.xlsx"
    shutil.copy(folder / "hk-internet.xlsx", before)
    regenerate(folder, write_inputs(tmp_path / "m2", price_factor=1.1, estimates=False))
    report = cli("diff", str(before), str(folder / "hk-internet.xlsx"), "--format", "json").json()
    market = report["market"]
    assert len(market["closes_changed"]) == 6
    assert market["median_close_change"] == pytest.approx(0.10, abs=0.001)
    assert report["estimates"] == []
    # Every PE and upside moved with the prices; the target prices did not.
    fields = {o["field"] for o in report["outputs"]}
    assert "upside" in fields
    assert "pe_fy1" in fields
    assert "target_price" not in fields
    text = cli("diff", str(before), str(folder / "hk-internet.xlsx"))
    assert text.exit_code == 1
    assert "closes of 6 companies changed (median +10.0%)" in text.lines()


def test_companies_added_and_removed(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    paths = write_inputs(tmp_path / "m1")
    regenerate(folder, paths)
    before = tmp_path / "before.xlsx"
    shutil.copy(folder / "hk-internet.xlsx", before)
    universe = pd.read_csv(paths.universe, dtype={"code": str}, keep_default_na=False)
    universe = universe[universe["code"] != "3888.HK"]
    regenerate(folder, write_inputs(tmp_path / "m2", universe=universe), force=True)
    diff = diff_workbooks(before, folder / "hk-internet.xlsx")
    assert [c.code for c in diff.estimates.removed] == ["3888.HK"]
    assert diff.estimates.added == []
    diff = diff_workbooks(folder / "hk-internet.xlsx", before)
    assert [c.code for c in diff.estimates.added] == ["3888.HK"]


def test_a_value_typed_over_a_formula_and_a_chart_on_an_own_sheet_are_integrity_changes(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    broken = tmp_path / "broken.xlsx"
    workbook = openpyxl.load_workbook(old)
    workbook["Coverage"]["J5"] = 99.0
    scratch = workbook.create_sheet("Scratch")
    scratch["A1"], scratch["A2"] = 1.0, 2.0
    chart = BarChart()
    chart.add_data(Reference(scratch, min_col=1, min_row=1, max_row=2))
    scratch.add_chart(chart, "C2")
    workbook.create_sheet("Notes")["A1"] = "my notes"  # carried: not a problem
    workbook.save(broken)
    result = cli("diff", str(old), str(broken), "--format", "json")
    assert result.exit_code == 1
    found = {(c["status"], c["kind"], c["sheet"], c["cell"]) for c in result.json()["integrity"]}
    assert ("introduced", "value-over-formula", "Coverage", "J5") in found
    assert ("introduced", "extra-sheet", "Scratch", "") in found
    assert not any(sheet == "Notes" for _, _, sheet, _ in found)
    back = cli("diff", str(broken), str(old), "--format", "json").json()
    assert {c["status"] for c in back["integrity"]} == {"resolved"}
    lines = cli("diff", str(old), str(broken)).lines()
    assert any(line.startswith("+ Coverage!J5 (value-over-formula)") for line in lines)


def test_the_input_cell_helper_finds_tencent(revised: tuple[Path, Path]) -> None:
    old, new = revised
    assert input_cell(old, "0700.HK", "eps_fy2") == input_cell(new, "0700.HK", "eps_fy2")


@pytest.mark.parametrize("broken", ["missing", "text", "folder"])
def test_an_unreadable_file_is_one_line_and_exit_2(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path, broken: str
) -> None:
    old, _ = revised
    path = tmp_path / f"{broken}.xlsx"
    if broken == "text":
        path.write_text("code,close\n0700.HK,398\n", encoding="utf-8")
    elif broken == "folder":
        path.mkdir()
    result = cli("diff", str(old), str(path))
    assert result.exit_code == 2
    [line] = result.lines("stderr")
    assert line.startswith("error:")
    assert path.name in line


def test_a_workbook_that_is_not_a_coverage_workbook_exits_2(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = 1
    workbook.save(other)
    result = cli("diff", str(other), str(other))
    assert result.exit_code == 2
    assert "not a coverage workbook" in result.text


def _type_cell(path: Path, out: Path, sheet: str, name: str, code: str, value: object) -> Path:
    data = read_state(path).data
    table = data.tables[sheet]
    cell = data.names[name].cell(list(table.index).index(code))
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(out)
    return out


def test_one_company_s_fx_blanked_is_a_change_of_that_company(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    blank = _type_cell(old, tmp_path / "blank.xlsx", "Market", "mkt_fx", "0700.HK", None)
    report = cli("diff", str(old), str(blank), "--format", "json").json()
    [change] = report["market"]["fx_changed"]
    assert change["pair"] == "CNY/HKD"
    assert change["codes"] == ["0700.HK"]
    assert change["new"] is None
    assert change["old"] == pytest.approx(1.0702, abs=1e-4)
    # Two rates for one pair cannot both be right: the workbook is refused, not compared.
    moved = _type_cell(old, tmp_path / "moved.xlsx", "Market", "mkt_fx", "0700.HK", 1.08)
    result = cli("diff", str(old), str(moved))
    assert result.exit_code == 2
    [line] = result.lines("stderr")
    assert "moved.xlsx" in line
    assert "one rate per currency pair" in line


def test_an_unreadable_input_cell_names_the_file_sheet_and_cell(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    broken = type_estimate(old, "0700.HK", "eps_fy1", "abc", out=tmp_path / "typo.xlsx")
    result = cli("diff", str(old), str(broken))
    assert result.exit_code == 2
    [line] = result.lines("stderr")
    assert "typo.xlsx" in line
    assert "Estimates" in line
    assert input_cell(old, "0700.HK", "eps_fy1") in line


def test_a_loss_that_narrows_is_a_positive_change(tmp_path: Path) -> None:
    old = type_estimate(sample_workbook(tmp_path / "a.xlsx"), "0700.HK", "eps_fy3", -1.0)
    new = type_estimate(old, "0700.HK", "eps_fy3", -0.5, out=tmp_path / "b.xlsx")
    [change] = diff_workbooks(old, new).estimates.estimates
    assert change.change_text == "+50.0%"


def test_a_change_that_rounds_to_zero_has_no_sign() -> None:
    def change(old: float, new: float, kind: str = "number") -> str:
        return Change(
            "output", "target_price", "target price", old, new, value_kind=kind
        ).change_text

    assert change(134.84, 134.87) == "0.0%"  # +0.02%
    assert change(134.87, 134.84) == "0.0%"
    assert change(134.84, 140.0) == "+3.8%"
    assert change(0.0, 0.0004, "percent") == "0.0pct"
    assert change(0.0, -0.0004, "percent") == "0.0pct"
    assert change(0.0, 0.05, "percent") == "+5.0pct"
    assert change(0.05, 0.0, "percent") == "-5.0pct"


def _type_named(path: Path, out: Path, name: str, value: object, offset: int = 0) -> Path:
    block = read_state(path).data.names[name]
    workbook = openpyxl.load_workbook(path)
    workbook[block.sheet][block.cell(offset)] = value
    workbook.save(out)
    return out


def test_a_benchmark_expected_return_and_a_setting_are_listed(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    # The benchmark block lists the markets present, Hong Kong first in the sample.
    changed = _type_named(old, tmp_path / "bench.xlsx", "set_bench_er", 0.05)
    changed = _type_named(changed, tmp_path / "both.xlsx", "set_relative_method", "geometric")
    report = cli("diff", str(old), str(changed), "--format", "json").json()
    [benchmark] = report["benchmark_expected_returns"]
    assert (benchmark["field"], benchmark["old"], benchmark["new"]) == ("HK", 0.0, 0.05)
    assert benchmark["change_text"] == "+5.0pct"
    assert [(s["field"], s["old"], s["new"]) for s in report["settings"]] == [
        ("relative_method", "arithmetic", "geometric")
    ]


def test_a_note_on_two_lines_is_still_one_line_of_the_diff(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    noted = type_estimate(old, "0700.HK", "notes", "first\nsecond", out=tmp_path / "noted.xlsx")
    lines = [line for line in cli("diff", str(old), str(noted)).lines() if "notes" in line]
    assert len(lines) == 1
    assert lines[0].endswith("-> first\\nsecond")


def test_a_workbook_of_a_newer_template_is_refused(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    newer = _type_named(old, tmp_path / "v4.xlsx", "set_template_version", 4)
    result = cli("diff", str(old), str(newer))
    assert result.exit_code == 2
    [line] = result.lines("stderr")
    assert "v4.xlsx" in line
    assert "newer" in line


def test_the_manual_shows_what_the_command_prints(cli: Cli, revised: tuple[Path, Path]) -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "revisions.md"
    text = page.read_text(encoding="utf-8")
    lines = cli("diff", *map(str, revised)).lines()
    estimate = next(line for line in lines if "26.3" in line)
    outputs = next(line for line in lines if "target price" in line)
    assert f"\n  {estimate}\n" in text
    assert f"\n  {outputs}\n" in text


def test_when_fy1_moves_on_eps_compare_by_year() -> None:
    old = snapshot_of(sample.load_inputs(), workbook="a.xlsx")
    tencent = old.companies["0700.HK"]
    # The same estimates a year on: 2024E stays as the last reported year,
    # 2025E moves from FY2 to FY1, 2026E is new.
    rolled_inputs = {
        **tencent.inputs,
        "eps_lyr": 24.1,
        "eps_fy1": 26.3,
        "eps_fy2": 30.0,
        "eps_fy3": 33.0,
    }

    def rolled(inputs: dict[str, object]) -> Snapshot:
        company = dataclasses.replace(tencent, inputs=inputs)
        return dataclasses.replace(
            old,
            fy1_year=2025,
            settings={**old.settings, "fy1_year": 2025.0},
            companies={**old.companies, "0700.HK": company},
        )

    changes = compare_snapshots(old, rolled(rolled_inputs))
    eps = [(c.label, c.old, c.new) for c in changes.estimates if c.company.code == "0700.HK"]
    assert eps == [("EPS FY3 -> FY2 (2026E)", None, 30.0), ("EPS FY3 (2027E)", None, 33.0)]
    assert [(c.field, c.old, c.new) for c in changes.settings] == [("fy1_year", 2024.0, 2025.0)]
    # The reported EPS against the estimate it replaces is a revision of that year.
    reported = compare_snapshots(old, rolled({**rolled_inputs, "eps_lyr": 24.9}))
    eps = [(c.label, c.old, c.new) for c in reported.estimates if c.company.code == "0700.HK"]
    assert eps[0] == ("EPS FY1 -> LYR (2024A)", 24.1, 24.9)


def test_an_edited_formula_is_an_integrity_change(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    old, _ = revised
    workbook = openpyxl.load_workbook(old)
    workbook["Coverage"]["J5"] = "=1+1"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    report = cli("diff", str(old), str(edited), "--format", "json").json()
    assert [(c["status"], c["kind"], c["cell"]) for c in report["integrity"]] == [
        ("introduced", "edited-formula", "J5")
    ]
    assert report["estimates"] == []


def test_a_value_typed_into_a_spilled_column_is_an_integrity_change(
    cli: Cli, revised: tuple[Path, Path], tmp_path: Path
) -> None:
    # The PE columns are one formula each, spilling down; Excel keeps a value
    # typed into the spill and shows #SPILL! where the formula is.
    old, _ = revised
    typed = tmp_path / "typed.xlsx"
    shutil.copy(old, typed)
    pe = SPEC.sheet("Coverage").letter("pe_fy1")
    excel_types_over_spill(typed, "Coverage", f"{pe}7", 12.5)
    report = cli("diff", str(old), str(typed), "--format", "json").json()
    assert [(c["status"], c["kind"], c["cell"]) for c in report["integrity"]] == [
        ("introduced", "value-over-formula", f"{pe}7")
    ]
    assert report["estimates"] == []
