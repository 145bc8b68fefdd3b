"""Running the rules over files, folders and globs, in one process or several.

:func:`validate_paths` is the library entry point behind ``xlmodels
validate``: it expands the paths, validates every workbook (each in its own
process with ``jobs`` > 1), and returns a :class:`~xlmodels.validate.findings.Report`
in the order the files were named. A file that cannot be read yields one
``file.unreadable`` finding and the batch goes on.
"""

from __future__ import annotations

import glob
import os
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from xlmodels.errors import InputError
from xlmodels.excel.ooxml.guard import file_too_large
from xlmodels.excel.ooxml.package import read_workbook_part
from xlmodels.excel.ooxml.safety import Unreadable, inspect_package
from xlmodels.runtime.printable import printable
from xlmodels.runtime.workers import process_pool
from xlmodels.validate.config import ValidateConfig
from xlmodels.validate.context import WorkbookContext
from xlmodels.validate.findings import FileReport, Finding, Report, Severity
from xlmodels.validate.loading import load_workbook
from xlmodels.validate.registry import all_rules
from xlmodels.validate.rule import Hit, Rule
from xlmodels.validate.rules.file import CHECK_FAILED, UNREADABLE
from xlmodels.workbook.atomic import BACKUP_SUFFIX

__all__ = ["SUFFIXES", "expand_paths", "validate_file", "validate_paths"]

#: Workbook files a folder search picks up.
SUFFIXES = (".xlsx", ".xlsm")
#: Excel's lock ("owner") files, which sit next to an open workbook.
OWNER_PREFIX = "~$"


def _is_owner_file(path: Path) -> bool:
    return path.name.startswith(OWNER_PREFIX)


def _is_backup(path: Path) -> bool:
    """A previous file ``regenerate --force`` kept beside the workbooks (earlier versions)."""
    return path.name.lower().endswith(BACKUP_SUFFIX)


def _workbooks_in(folder: Path) -> list[Path]:
    found = []
    for root, folders, files in os.walk(folder):
        # Hidden folders (.git, .venv, and .backups where regenerate --force
        # keeps previous files) hold no workbooks to validate.
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if (
                path.suffix.lower() in SUFFIXES
                and not _is_owner_file(path)
                and not _is_backup(path)
            ):
                found.append(path)
    return sorted(found)


def expand_paths(arguments: Iterable[str | Path]) -> list[Path]:
    """Files named, found in folders (recursively) or matched by globs, without repeats.

    Raises
    ------
    InputError
        For a path that does not exist and a glob that matches nothing.
    """
    out: list[Path] = []
    for argument in arguments:
        text = str(argument)
        path = Path(text)
        if path.is_dir():
            matches = _workbooks_in(path)
        elif path.exists():
            matches = [path]
        elif any(mark in text for mark in "*?["):  # a glob pattern
            matches = []
            for match in sorted(glob.glob(text, recursive=True)):
                candidate = Path(match)
                if candidate.is_dir():
                    matches.extend(_workbooks_in(candidate))
                elif candidate.is_file() and not _is_backup(candidate):
                    matches.append(candidate)
            if not matches:
                raise InputError(f"no file matches {text!r}")
        else:
            raise InputError(f"no such file or folder: {text}")
        out.extend(match for match in matches if not _is_owner_file(match))
    unique: dict[str, Path] = {}
    for path in out:
        unique.setdefault(os.path.normcase(os.path.abspath(path)), path)
    return list(unique.values())


def display_path(path: Path) -> str:
    """The path relative to the working directory when under it, with forward slashes.

    Bytes of the name that are not UTF-8 are written ``\\xff``
    (:func:`~xlmodels.runtime.printable.printable`): every output format names the
    file the same way and stays valid JSON, XML or text.
    """
    absolute = Path(os.path.abspath(path))
    try:
        return printable(absolute.relative_to(Path.cwd()).as_posix())
    except ValueError:
        return printable(path.as_posix())


def _finding(rule: Rule, severity: Severity, file: str, hit: Hit) -> Finding:
    return Finding(
        rule=rule.id,
        severity=severity,
        file=file,
        message=hit.message,
        fix=hit.fix or rule.fix,
        sheet=hit.sheet,
        cell=hit.cell,
    )


def _unreadable(file: str, message: str) -> FileReport:
    finding = Finding(UNREADABLE.id, UNREADABLE.severity, file, message, UNREADABLE.fix)
    return FileReport(file=file, findings=(finding,), unreadable=True, rules_run=(UNREADABLE.id,))


def validate_file(path: str | Path, config: ValidateConfig | None = None) -> FileReport:
    """Validate one workbook. Never raises for a bad workbook: it is reported."""
    config = config or ValidateConfig()
    path = Path(path)
    file = display_path(path)
    try:
        with path.open("rb") as handle:  # read-only: nothing is ever written back
            refusal = file_too_large(os.fstat(handle.fileno()).st_size, config.limits)
            if refusal is not None:
                return _unreadable(file, refusal)
            data = handle.read()
    except OSError as error:
        return _unreadable(file, f"the file cannot be opened ({error.strerror or error})")
    try:
        package = inspect_package(data, config.limits)
        book = load_workbook(package, read_workbook_part(package), config.limits)
    except Unreadable as error:
        return _unreadable(file, str(error))
    context = WorkbookContext(file, book, config)
    findings: list[Finding] = []
    ran: list[str] = []
    failures: list[Finding] = []
    for rule in all_rules():
        severity = config.severity(rule.id, rule.severity)
        if severity is None or rule.check is None:
            continue
        try:
            if rule.spec and not context.spec_applies:
                continue
            ran.append(rule.id)
            findings.extend(_finding(rule, severity, file, hit) for hit in rule.check(context))
        except Exception as error:  # a defect in a rule must not stop the batch
            failures.append(_check_failed(rule, file, error))
    findings.extend(failures)
    findings.sort(key=Finding.sort_key)
    unreadable = bool(failures)
    return FileReport(
        file=file, findings=tuple(findings), unreadable=unreadable, rules_run=tuple(ran)
    )


def _check_failed(rule: Rule, file: str, error: Exception) -> Finding:
    where = traceback.extract_tb(error.__traceback__)[-1]
    return Finding(
        CHECK_FAILED.id,
        CHECK_FAILED.severity,
        file,
        f"rule {rule.id} stopped with {type(error).__name__}: {error} "
        f"({Path(where.filename).name}:{where.lineno})",
        CHECK_FAILED.fix,
    )


def validate_paths(
    paths: Sequence[str | Path], config: ValidateConfig | None = None, jobs: int = 1
) -> Report:
    """Validate every workbook the paths name; ``jobs`` processes (0: one per core).

    Raises
    ------
    InputError
        For a path that does not exist or a glob that matches nothing.
    """
    config = config or ValidateConfig()
    files = expand_paths(paths)
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if jobs == 1 or len(files) <= 1:
        return Report(tuple(validate_file(path, config) for path in files))
    results: dict[int, FileReport] = {}
    try:
        with process_pool(min(jobs, len(files))) as pool:
            futures = {pool.submit(validate_file, path, config): i for i, path in enumerate(files)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
    except BrokenProcessPool:
        # A worker died (out of memory, or a crash inside a reader): the files
        # left are validated again one process each, so that only the file
        # that kills its process is reported, and the batch goes on.
        for index, path in enumerate(files):
            if index not in results:
                results[index] = _isolated(path, config)
    return Report(tuple(results[index] for index in range(len(files))))


def _isolated(path: Path, config: ValidateConfig) -> FileReport:
    try:
        with process_pool(1) as pool:
            return pool.submit(validate_file, path, config).result()
    except BrokenProcessPool:
        return _unreadable(
            display_path(path),
            "the process validating this file stopped (out of memory, or a crash in a "
            "workbook reader); the file is likely hostile or damaged",
        )
