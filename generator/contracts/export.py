"""Write contracts: validate every customer first, then render in worker processes.

WeasyPrint and Pango are not thread-safe, so parallelism is by process. Each
worker is forked after the project is loaded, so per-version work (parsing the
content, compiling templates) is done once, not per contract. Every file is
written atomically: a temporary file in the target folder, then a rename.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from generator.content.project import Project
from generator.contracts.customers import Customer, customer_from_record
from generator.contracts.register import Register
from generator.contracts.sources import read_records
from generator.errors import AgreementsError, ErrorCollector, ValidationFailed
from generator.contracts import contract
from generator.contracts.word.contract import contract_docx, docx_name

PASSWORD_VARIABLE = "AGREEMENTS_P12_PASSWORD"
FORMATS = ("pdf", "docx")  # what `contract --format` may write for each customer
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@dataclass(frozen=True)
class Signing:
    """乙方's key, opened once in the parent; forked workers inherit it."""

    p12: Path
    signer: object  # pyHanko's SimpleSigner


@dataclass(frozen=True)
class BatchResult:
    written: list[Path]
    seconds: float
    workers: int


def signing_from_environment(p12: Path) -> Signing:
    """The P12's password comes from the environment only, so it never shows in `ps` or logs."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        raise AgreementsError(f"set the environment variable {PASSWORD_VARIABLE} to the "
                              "P12 file's password", file=p12, key="--sign-p12")
    return Signing(p12, contract.load_signer(p12, password.encode("utf-8")))


def load_customers(paths: Iterable[Path], project: Project, *, allow_draft: bool = False) -> list[Customer]:
    """Validate every customer of every file (YAML files, sheet rows) before anything is written;
    report all problems at once."""
    errors = ErrorCollector()
    customers: list[Customer] = []
    files: dict[str, str] = {}  # output name → the record that writes it
    numbers: dict[str, str] = {}  # contract number → the record that has it
    for path in paths:
        try:
            records = read_records(path, project.root)
        except AgreementsError as exc:
            _collect(errors, exc, path)
            continue
        for record in records:
            try:
                customer = customer_from_record(record, project, allow_draft=allow_draft)
            except AgreementsError as exc:
                _collect(errors, exc, path)
                continue
            if customer.output_name in files:
                errors.add(record.source.error(("id",), (
                    f"id `{customer.id}` is also used by {files[customer.output_name]}; both would "
                    "write the same file, give each customer its own id")))
            files.setdefault(customer.output_name, record.place)
            if customer.contract_number in numbers:
                errors.add(record.source.error(("contract_number",), (
                    f"contract number {customer.contract_number} is also used by "
                    f"{numbers[customer.contract_number]}; each contract needs its own")))
            numbers.setdefault(customer.contract_number, record.place)
            customers.append(customer)
    errors.raise_if_any("invalid customer files; nothing was written")
    return customers


def one_customer(customers: list[Customer], customer_id: str | None, path: Path) -> Customer:
    """The customer ``customer_id`` of a file, or its only one."""
    if customer_id is None and len(customers) == 1:
        return customers[0]
    chosen = [c for c in customers if c.id == customer_id]
    if len(chosen) != 1:
        ids = ", ".join(c.id for c in customers)
        fix = "choose one with --customer ID" if customer_id is None else "use one of them"
        raise AgreementsError(f"{'no customer ' + repr(customer_id) if customer_id else 'several customers'} "
                              f"here ({ids}); {fix}", file=path, key="--customer")
    return chosen[0]


def _collect(errors: ErrorCollector, exc: AgreementsError, path: Path) -> None:
    if isinstance(exc, ValidationFailed):
        errors.extend(exc.errors)
    else:
        errors.add(exc if exc.file else AgreementsError(exc.message, file=path, key=exc.key))


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; keep the usual permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# Set in the parent before forking; workers read it instead of re-loading the project.
_WORKER_STATE: dict = {}


def _export_one(index: int) -> Path:
    project: Project = _WORKER_STATE["project"]
    customer: Customer = _WORKER_STATE["customers"][index]
    signing: Signing | None = _WORKER_STATE["signing"]
    formats: frozenset[str] = _WORKER_STATE["formats"]
    target = _WORKER_STATE["out"] / customer.output_name
    if "docx" in formats:
        write_atomically(target.with_name(docx_name(customer)), contract_docx(project.config, customer))
    if "pdf" not in formats:
        return target.with_name(docx_name(customer))
    data = contract.render_pdf(project.root, project.config, customer.version, customer)
    if signing:
        data = contract.sign_provider(data, signing.signer)
    write_atomically(target, data)
    return target


def export_contracts(project: Project, customers: list[Customer], out: Path, *,
                     signing: Signing | None = None, workers: int | None = None,
                     progress: Callable[[Path], None] | None = None,
                     register: Register | None = None,
                     formats: Iterable[str] = ("pdf",)) -> BatchResult:
    """Render and write every contract (its PDF, its .docx or both); the output order follows
    the input order, and ``written`` holds one path per contract (the PDF if any). Each PDF is
    recorded in ``register`` as soon as it is written (draft previews are not issued, and a
    Word copy alone is not the contract, so neither is recorded)."""
    started = time.perf_counter()
    formats = frozenset(formats)
    _WORKER_STATE.update(project=project, customers=customers, signing=signing, out=out, formats=formats)
    workers = max(1, min(workers or os.cpu_count() or 1, len(customers)))
    written: list[Path] = []

    def finished(path: Path) -> None:
        customer = customers[len(written)]
        written.append(path)
        if register and "pdf" in formats and not customer.version.is_draft:
            register.record(customer, path, signed=signing is not None)
        if progress:
            progress(path)

    try:
        if workers == 1:
            for index in range(len(customers)):
                finished(_export_one(index))
        else:
            # The pages every customer of a version shares are made once here and
            # inherited by the forked workers (copy-on-write), not once per worker.
            first_of_version = {}
            for customer in customers:
                first_of_version.setdefault(customer.version.date, customer)
            for customer in first_of_version.values() if "pdf" in formats else ():
                contract.prepare(project.root, project.config, customer.version, customer)
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                for path in pool.map(_export_one, range(len(customers)), chunksize=4):
                    finished(path)
    finally:
        _WORKER_STATE.clear()
    return BatchResult(written, time.perf_counter() - started, workers)
