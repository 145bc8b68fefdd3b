"""Hostile and broken files: one unreadable finding each, quickly, and the batch goes on.

Every file is built here. Each case is bounded by the work it may cause, not
by seconds: the memory Python allocates while the file is refused stays small,
so a bomb is refused before it is inflated, whatever the machine's speed.
"""

from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from validate_helpers import (
    HOSTILE_CASES,
    bounded_memory,
    hostile_corpus,
    replace_in_part,
    rewrite_zip,
    simple_workbook,
)

from xlmodels.excel.ooxml.safety import sheet_extent
from xlmodels.validate import Limits, ValidateConfig, validate_file, validate_paths
from xlmodels.validate.findings import EXIT_UNREADABLE, Report

#: Peak of Python's allocations while one hostile file is validated. The
#: bombs inflate to hundreds of megabytes; a refusal costs a few.
PEAK_BYTES = 32 * 1024 * 1024


def _validate_bounded(path: Path) -> Report:
    """Validate ``path``, failing if it made Python allocate more than PEAK_BYTES."""
    with bounded_memory(f"validating {path.name}", PEAK_BYTES):
        return validate_file(path)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simple_workbook(tmp_path_factory.mktemp("good") / "good.xlsx")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, good: Path) -> dict[str, tuple[Path, str]]:
    return hostile_corpus(tmp_path_factory.mktemp("hostile"), good)


CASES = HOSTILE_CASES


@pytest.mark.parametrize("case", CASES)
def test_each_hostile_file_is_one_unreadable_finding(
    corpus: dict[str, tuple[Path, str]], case: str
) -> None:
    path, words = corpus[case]
    report = _validate_bounded(path)
    assert report.unreadable
    assert report.exit_code == EXIT_UNREADABLE
    assert [f.rule for f in report.findings] == ["file.unreadable"]
    assert words in report.findings[0].message


def test_the_encrypted_and_legacy_messages_say_what_to_do(
    corpus: dict[str, tuple[Path, str]],
) -> None:
    encrypted = validate_file(corpus["encrypted"][0]).findings[0].message
    legacy = validate_file(corpus["legacy-xls"][0]).findings[0].message
    assert "password" in encrypted
    assert "save it as .xlsx" in legacy


def test_declared_sizes_and_totals_have_limits(tmp_path: Path, good: Path) -> None:
    big = rewrite_zip(
        good, tmp_path / "big.xlsx", lambda n, d: d, extra={"xl/media/a.bin": os.urandom(700_000)}
    )
    tight = ValidateConfig(limits=Limits(max_part_mb=0.5))
    assert "declares 1 MB uncompressed" in validate_file(big, tight).findings[0].message
    total = ValidateConfig(limits=Limits(max_total_mb=0.5))
    assert "together" in validate_file(big, total).findings[0].message
    small_file = ValidateConfig(limits=Limits(max_file_mb=0.1))
    assert "max-file-mb" in validate_file(big, small_file).findings[0].message
    few_parts = ValidateConfig(limits=Limits(max_parts=3))
    assert "parts, above the limit" in validate_file(big, few_parts).findings[0].message


def test_an_absurd_declared_dimension_is_ignored(tmp_path: Path, good: Path) -> None:
    # openpyxl's read-only mode would pad every row to XFD; the dimension is reset
    # and calamine never reads it, so the sheet is read as the few cells it has.
    source = simple_workbook(
        tmp_path / "dimension-source.xlsx",
        lambda wb: wb.active.cell(3, 2, "=1/0") if wb.active else None,
    )
    target = tmp_path / "dimension.xlsx"
    with zipfile.ZipFile(source) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    declared = sheet[sheet.index("<dimension") : sheet.index("/>", sheet.index("<dimension")) + 2]
    replace_in_part(
        source, target, "xl/worksheets/sheet1.xml", declared, '<dimension ref="A1:XFD1048576"/>'
    )
    report = _validate_bounded(target)
    assert not report.unreadable
    rules = {f.rule for f in report.findings}
    assert "file.no-cached-values" in rules  # the sheet was read: its formula was found


def test_the_batch_goes_on_after_hostile_files(
    corpus: dict[str, tuple[Path, str]], good: Path
) -> None:
    paths = [corpus[case][0] for case in CASES] + [good]
    report = validate_paths(paths)
    assert [r.unreadable for r in report.files] == [True] * len(CASES) + [False]
    assert report.files[-1].rules_run  # the good workbook was checked by the rules
    assert report.exit_code == EXIT_UNREADABLE


def _fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_nothing_is_written_to_the_files_validated(
    corpus: dict[str, tuple[Path, str]], good: Path
) -> None:
    paths = [corpus[case][0] for case in CASES] + [good]
    before = {path: _fingerprint(path) for path in paths}
    folder_before = sorted(p.name for p in paths[0].parent.iterdir())
    validate_paths(paths, jobs=2)
    assert {path: _fingerprint(path) for path in paths} == before
    assert sorted(p.name for p in paths[0].parent.iterdir()) == folder_before


def test_the_whole_corpus_fits_in_bounded_memory(
    corpus: dict[str, tuple[Path, str]], good: Path
) -> None:
    # Under a 3 GB address-space limit a dense read of the far-cells sheet (17
    # billion cells) or an inflated bomb would abort the process; the command
    # must instead report each file and exit 2.
    if sys.platform != "linux":
        pytest.skip("an address-space limit is enforced on Linux only")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    paths = [str(corpus[case][0]) for case in CASES] + [str(good)]
    done = subprocess.run(
        [sys.executable, "-m", "xlmodels", "validate", "--format", "json", *paths],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=120,
        check=False,
    )
    assert done.returncode == EXIT_UNREADABLE, done.stderr
    assert done.stdout.count('"status": "unreadable"') == len(CASES)


def test_the_byte_scan_finds_the_cells_extent_like_a_parser() -> None:
    plain = (
        b'<?xml version="1.0"?>\r\n<worksheet><sheetData><row r="2"><c r="B2"><v>1</v></c>'
        b'<c r="AA2"><v>2</v></c></row><row r="7"><c r="C7" t="s"><v>0</v></c></row>'
        b"</sheetData></worksheet>"
    )
    extent, exact = sheet_extent(plain)
    assert exact
    assert extent is not None
    assert (extent.first_row, extent.first_column, extent.last_row, extent.last_column) == (
        2, 2, 7, 27,
    )  # fmt: skip
    # Spacing, quotes or character references a byte scan cannot trust: parsed slowly.
    odd = plain.replace(b'<c r="AA2">', b"<c r = 'A&#65;9'>")
    extent, exact = sheet_extent(odd)
    assert not exact
    assert extent is not None
    assert (extent.last_row, extent.last_column) == (9, 27)


def test_a_strict_open_xml_workbook_is_named_as_such(tmp_path: Path, good: Path) -> None:
    strict = rewrite_zip(
        good,
        tmp_path / "strict.xlsx",
        lambda name, data: (
            data.replace(
                b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                b"http://purl.oclc.org/ooxml/spreadsheetml/main",
            )
            if name == "xl/workbook.xml"
            else data
        ),
    )
    report = validate_file(strict)
    assert report.unreadable
    assert "Strict Open XML" in report.findings[0].message


def test_an_overlong_header_is_never_matched_against_the_spec() -> None:
    # Two placeholders make a header's pattern quadratic in the text; a sheet
    # of 32,767-character headers must not hold the validator for hours.
    from xlmodels.validate.layout import MAX_HEADER, is_header

    assert is_header("Coverage", "eps_fy1", "EPS 2024E（CNY）")
    assert not is_header("Coverage", "eps_fy1", "EPS " + "（" * MAX_HEADER + "）")
    assert not is_header("Coverage", "eps_fy1", None)
