"""Issuing from the desk: one customer from the form, or a sheet; validated as the command line
validates, then written by the command line itself in a process of its own.

The form is turned into a one-row customer sheet (the sheet's own headers), kept
under ``out/desk/inputs/`` as the contract's source, and read by the same reader
and validator as ``agreements contract``; errors come back by column, which the
form shows beside its field. Writing runs ``agreements contract`` in a child
process forked from a forkserver (WeasyPrint and Pango are not thread-safe, and
the desk serves requests from threads), one folder per job; the progress is the
PDFs already in place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import multiprocessing
import secrets
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator import caches
from generator.content.project import Project
from generator.contracts.customers import SERVICE_TITLES, Customer
from generator.contracts.export import load_customers
from generator.contracts.sources.columns import COLUMNS
from generator.errors import AgreementsError, ValidationFailed

FORM_HEADERS = tuple(column.header for column in COLUMNS)
SERVICES = tuple(SERVICE_TITLES.values())
SHEET_TYPES = {".xlsx": b"PK\x03\x04", ".csv": None}


@dataclass(frozen=True)
class Problem:
    """One validation error as the desk shows it: the row (sheets), the column, the message."""

    row: int | None
    column: str
    message: str


def problems_of(exc: AgreementsError) -> list[Problem]:
    errors = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
    return [Problem(e.line, (e.key or "").split(" (")[0], e.message) for e in errors]


def form_sheet(values: dict[str, str]) -> bytes:
    """The form's values as a one-row CSV with the customer sheet's headers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FORM_HEADERS)
    writer.writerow([values.get(header, "").strip() for header in FORM_HEADERS])
    return out.getvalue().encode("utf-8")


def keep_input(inputs: Path, data: bytes, suffix: str) -> Path:
    """The input as uploaded, kept: the register names it as each contract's source."""
    inputs.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = inputs / f"{stamp}-{secrets.token_hex(4)}{suffix}"
    path.write_bytes(data)
    return path


def validate(path: Path, project: Project) -> tuple[list[Customer], list[Problem]]:
    try:
        return load_customers([path], project), []
    except AgreementsError as exc:
        return [], problems_of(exc)


def check_upload(name: str, data: bytes) -> str:
    """The sheet's suffix, or ValueError (in Chinese: the desk shows it) for another type."""
    suffix = Path(name).suffix.lower()
    if suffix not in SHEET_TYPES:
        raise ValueError("只接受 .xlsx 或 .csv 格式的客户表")
    magic = SHEET_TYPES[suffix]
    if magic and not data.startswith(magic):
        raise ValueError("文件内容不是 .xlsx 表格（可能是改了扩展名的其他文件）")
    if suffix == ".csv" and b"\0" in data[:4096]:
        raise ValueError("文件内容不是 .csv 文本")
    return suffix


# --------------------------------------------------------------------------- jobs


PRELOAD = ["generator.contracts.export", "generator.contracts.contract", "generator.contracts.verify",
           "generator.desk.signed", "weasyprint"]


def forkserver(preload: list[str]):
    """Jobs fork from a server process that has already imported the command line and
    WeasyPrint (a cold start costs seconds), never from the desk's threaded process."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    return context


def run_command_line(command_line: Callable[[list[str]], int], argv: list[str], log: str, cwd: str) -> None:
    """A job's process: `agreements ARGV` (``command_line`` is the CLI's ``main``, given by
    cli/, which this room does not import), its output into ``log``, its exit code as ours."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8", line_buffering=True)
    sys.stderr = sys.stdout
    os.chdir(cwd)
    code = command_line(argv)
    caches.release()  # os._exit skips the exit handlers that would remove the temporary fonts
    sys.stdout.flush()
    os._exit(code)


@dataclass
class Job:
    """One run of `agreements contract` for the desk."""

    id: str
    folder: Path
    total: int
    process: multiprocessing.process.BaseProcess
    log: Path

    @property
    def done(self) -> int:
        return len(list(self.folder.glob("*.pdf")))

    @property
    def finished(self) -> bool:
        return not self.process.is_alive()

    @property
    def failed(self) -> bool:
        return self.finished and self.process.exitcode != 0

    @property
    def message(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def wait(self, timeout: float) -> None:
        self.process.join(timeout)


@dataclass
class Issuer:
    """What the desk needs to write contracts: the project folder, where, and 乙方's key."""

    root: Path
    out: Path
    command_line: Callable[[list[str]], int]
    p12: Path | None = None
    preload: list[str] = field(default_factory=lambda: list(PRELOAD))
    jobs: dict[str, Job] = field(default_factory=dict)

    def start(self, source: Path, customers: list[Customer], by: str, expires_on: str | None) -> Job:
        job_id = secrets.token_hex(8)
        folder = self.out / "jobs" / job_id
        folder.mkdir(parents=True)
        argv = ["--root", str(self.root), "contract", str(source), "--out", str(folder), "--type",
                "pdf,docx", "--by", by, "-j", "1" if len(customers) == 1 else str(min(4, os.cpu_count() or 1))]
        if expires_on:
            argv += ["--expires-on", expires_on]
        if self.p12:  # the password comes from the desk's own environment, never a page
            argv += ["--sign-p12", str(self.p12)]
        log = folder.parent / f"{job_id}.log"
        process = forkserver(self.preload).Process(
            target=run_command_line, args=(self.command_line, argv, str(log), str(self.root)), daemon=False)
        process.start()
        job = Job(job_id, folder, len(customers), process, log)
        self.jobs[job_id] = job
        return job

    def zip_of(self, job: Job) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(job.folder.iterdir()):
                if path.suffix in (".pdf", ".docx") and not path.name.startswith("."):
                    archive.write(path, path.name)
        return out.getvalue()
