"""What the operating system refuses ends in one line, and no file is left half-written.

A full disk, a read-only file system, a permission denied, an output that is
a folder, a name too long: every command that writes (build, regenerate,
report, validate --output) says which file and why in one line, exits
non-zero, and leaves every existing file as it was. The failures are made by
making the final rename fail, as the operating system would; a real
read-only folder is used too where the tests do not run as root (root
ignores permissions).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, CliResult
from tests.regenerate_helpers import GROUPS, snapshot, write_inputs
from xlmodels.regenerate import lock
from xlmodels.workbook import read_workbook

FAILURES = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENAMETOOLONG: "the name is too long",
}


def _failing_replace(number: int) -> Callable[..., None]:
    def replace(source: object, target: object, *args: object, **kwargs: object) -> None:
        raise OSError(number, os.strerror(number), os.fspath(target))  # type: ignore[arg-type]

    return replace


def _one_error(result: CliResult) -> str:
    lines = result.lines("stderr")
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def _no_temporary_files(folder: Path) -> None:
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("number", sorted(FAILURES))
def test_build_says_why_it_cannot_write_and_keeps_the_previous_workbook(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    out = tmp_path / "coverage.xlsx"
    assert cli("build", *inputs.arguments(), "-o", out).exit_code == 0
    before = out.read_bytes()
    monkeypatch.setattr(os, "replace", _failing_replace(number))
    result = cli("build", *inputs.arguments(), "-o", out, "--lang", "en")
    monkeypatch.undo()
    assert result.exit_code == 2
    line = _one_error(result)
    assert str(out) in line
    assert FAILURES[number] in line
    assert out.read_bytes() == before
    _no_temporary_files(tmp_path)


def test_build_out_naming_a_folder_is_one_line(cli: Cli, tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    folder = tmp_path / "coverage.xlsx"
    folder.mkdir()
    result = cli("build", *inputs.arguments(), "-o", folder)
    assert result.exit_code == 2
    assert "coverage.xlsx: it is a folder, not a file" in _one_error(result)
    assert list(folder.iterdir()) == []


def test_build_into_a_missing_folder_is_one_line(cli: Cli, tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    result = cli("build", *inputs.arguments(), "-o", tmp_path / "nowhere" / "coverage.xlsx")
    assert result.exit_code == 2
    assert "does not exist" in _one_error(result)


@pytest.mark.parametrize("number", sorted(FAILURES))
def test_report_files_are_replaced_whole_or_not_at_all(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    out = tmp_path / "report"
    assert cli("report", "--sample", "-o", out, "-f", "md,html,csv,xlsx").exit_code == 0
    before = snapshot(out)
    monkeypatch.setattr(os, "replace", _failing_replace(number))
    result = cli("report", "--sample", "-o", out, "-f", "md,html,csv,xlsx", "--lang", "en")
    monkeypatch.undo()
    assert result.exit_code == 2
    line = _one_error(result)
    assert FAILURES[number] in line
    assert str(out) in line
    assert snapshot(out) == before
    _no_temporary_files(out)


def test_report_out_naming_a_file_is_one_line(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.write_text("a file", encoding="utf-8")
    result = cli("report", "--sample", "-o", out)
    assert result.exit_code == 2
    assert "is not a folder" in _one_error(result)


@pytest.mark.parametrize("number", sorted(FAILURES))
def test_validate_output_says_why_it_cannot_write(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    workbook = tmp_path / "coverage.xlsx"
    assert cli("build", *inputs.arguments(), "-o", workbook).exit_code == 0
    output = tmp_path / "findings.json"
    output.write_text("previous", encoding="utf-8")
    monkeypatch.setattr(os, "replace", _failing_replace(number))
    result = cli("validate", workbook, "--format", "json", "-o", output)
    monkeypatch.undo()
    assert result.exit_code == 2
    line = _one_error(result)
    assert f"cannot write the report to {output}: " in line
    assert FAILURES[number] in line
    assert output.read_text(encoding="utf-8") == "previous"
    _no_temporary_files(tmp_path)


@pytest.mark.parametrize("number", sorted(FAILURES))
def test_regenerate_fails_the_workbook_it_cannot_write_and_keeps_it(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", folder).exit_code == 0
    before = snapshot(folder)
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    monkeypatch.setattr(os, "replace", _failing_replace(number))
    result = cli("regenerate", *month2.arguments(), "--dir", folder, "--json")
    monkeypatch.undo()
    assert result.exit_code == 1
    for item in result.json()["workbooks"]:
        assert item["status"] == "failed"
        assert item["reason"].startswith("cannot write the workbook: ")
        assert FAILURES[number] in item["reason"]
    assert snapshot(folder) == before


def test_regenerate_in_a_folder_it_cannot_lock_is_one_line(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", folder).exit_code == 0
    before = snapshot(folder)
    lock_file = folder / lock.LOCK_NAME

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(lock_file))

    monkeypatch.setattr(lock.FileLock, "acquire", refuse)
    result = cli("regenerate", *inputs.arguments(), "--dir", folder)
    assert result.exit_code == 2
    assert f"{lock_file}: the file system is read-only" in _one_error(result)
    # A dry run writes nothing, so a folder it cannot lock does not stop it.
    result = cli("regenerate", *inputs.arguments(), "--dir", folder, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert {item["status"] for item in result.json()["workbooks"]} == {"unchanged"}
    assert snapshot(folder) == before


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions"
)
def test_a_real_read_only_folder(cli: Cli, tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    folder = tmp_path / "read-only"
    folder.mkdir()
    out = folder / "coverage.xlsx"
    assert cli("build", *inputs.arguments(), "-o", out).exit_code == 0
    before = out.read_bytes()
    folder.chmod(0o555)
    try:
        result = cli("build", *inputs.arguments(), "-o", out, "--lang", "en")
        report = cli("report", out, "-o", folder / "report")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert "permission denied" in _one_error(result)
    assert report.exit_code == 2
    assert "permission denied" in _one_error(report)
    assert out.read_bytes() == before


def test_build_refreshes_the_target_of_a_symbolic_link(cli: Cli, tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs")
    shared = tmp_path / "shared"
    shared.mkdir()
    real = shared / "coverage.xlsx"
    assert cli("build", *inputs.arguments(), "-o", real).exit_code == 0
    link = tmp_path / "coverage.xlsx"
    link.symlink_to(real)
    result = cli("build", *inputs.arguments(), "-o", link, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert link.resolve() == real.resolve()
    assert read_workbook(real).lang == "en"
    _no_temporary_files(tmp_path)
    _no_temporary_files(shared)


def test_report_refreshes_the_target_of_a_symbolic_link(cli: Cli, tmp_path: Path) -> None:
    published = tmp_path / "published"
    published.mkdir()
    real = published / "report.md"
    real.write_text("last month", encoding="utf-8")
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.md").symlink_to(real)
    assert cli("report", "--sample", "-o", out, "-f", "md", "--lang", "en").exit_code == 0
    assert (out / "report.md").is_symlink()
    assert "Hang Seng TECH" in real.read_text(encoding="utf-8")


def test_regenerate_refreshes_a_linked_workbook_in_place(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    inputs = write_inputs(tmp_path / "inputs")
    assert cli("regenerate", *inputs.arguments(), "--dir", folder).exit_code == 0
    shared = tmp_path / "shared"
    shared.mkdir()
    name = GROUPS["HK Internet"]
    (folder / name).rename(shared / name)
    (folder / name).symlink_to(shared / name)
    before = (shared / name).read_bytes()
    month2 = write_inputs(tmp_path / "month2", price_factor=1.1)
    result = cli("regenerate", *month2.arguments(), "--dir", folder, "--json")
    assert result.exit_code == 0, result.output
    assert (folder / name).is_symlink()
    assert (shared / name).read_bytes() != before
