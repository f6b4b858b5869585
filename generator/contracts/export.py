"""Write contracts: validate every customer first, then render in worker processes.

WeasyPrint and Pango are not thread-safe, so parallelism is by process. Each
worker is forked after the project is loaded, so per-version work (parsing the
content, compiling templates) is done once, not per contract.

A batch either completes or stops cleanly:
- every file is written atomically (generator/files.py), and a temporary file is
  removed whatever stops its writing;
- the output folder is checked before anything is rendered;
- the first failure (a full disk, a folder turned read-only) stops the batch: the
  workers finish the contract in hand and skip the rest, and the error lists the
  contracts that were written;
- workers die with the parent (``PR_SET_PDEATHSIG``): after a ``kill -9`` of the
  parent they remove their temporary file and exit, instead of waiting for work
  forever. Ctrl+C is the parent's to handle; it stops the batch the same way.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from generator.content.project import Project
from generator.contracts.customers import Customer, customer_from_record
from generator.contracts.register import Register
from generator.contracts.sources import read_records
from generator.errors import AgreementsError, ErrorCollector, ValidationFailed, display_path
from generator.i18n import N_, _, os_reason
from generator.files import prepare_output_folder, remove_unfinished, write_atomically
from generator.contracts import contract
from generator.contracts.word.contract import contract_docx, docx_name

PASSWORD_VARIABLE = "AGREEMENTS_P12_PASSWORD"
FORMATS = ("pdf", "docx")  # what `contract --format` may write for each customer


@dataclass(frozen=True)
class Signing:
    """乙方's key (and time-stamping authority), opened once in the parent; forked workers
    inherit them."""

    p12: Path
    signer: object  # pyHanko's SimpleSigner
    timestamps: object | None = None  # pyHanko's TimeStamper, for PAdES B-T


@dataclass(frozen=True)
class BatchResult:
    written: list[Path]
    seconds: float
    workers: int
    full_renders: int = 0   # contracts the fast path gave up on, rendered in full (slower)


def signing_from_environment(p12: Path, tsa: str | None = None) -> Signing:
    """The P12's password comes from the environment only, so it never shows in `ps` or logs."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        raise AgreementsError(_("set the environment variable {variable} to the "
                                "P12 file's password").format(variable=PASSWORD_VARIABLE), file=p12, key="--sign-p12")
    signer = contract.load_signer(p12, password.encode("utf-8"))
    return Signing(p12, signer, contract.load_timestamper(tsa) if tsa else None)


def refuse_signed_drafts(customers: list[Customer]) -> None:
    """A draft is never signed: its text may still change under the signature."""
    drafts = sorted({c.version.date for c in customers if c.version.is_draft})
    if drafts:
        raise AgreementsError(_("version {dates} is a draft and cannot be signed; "
                                "publish it first (`agreements publish DATE`), or export an "
                                "unsigned preview without --sign-p12").format(dates=", ".join(drafts)),
                              key="--sign-p12")


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
                    _("id `{id}` is also used by {other}; both would write the same file, give each "
                      "customer its own id").format(id=customer.id, other=files[customer.output_name]))))
            files.setdefault(customer.output_name, record.place)
            if customer.contract_number in numbers:
                errors.add(record.source.error(("contract_number",), (
                    _("contract number {number} is also used by {other}; each contract needs its "
                      "own").format(number=customer.contract_number,
                                    other=numbers[customer.contract_number]))))
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
        message = (_("several customers here ({ids}); choose one with --customer ID") if customer_id is None
                   else _("no customer {id} here ({ids}); use one of them"))
        raise AgreementsError(message.format(id=repr(customer_id), ids=ids), file=path, key="--customer")
    return chosen[0]


def _collect(errors: ErrorCollector, exc: AgreementsError, path: Path) -> None:
    if isinstance(exc, ValidationFailed):
        errors.extend(exc.errors)
    else:
        errors.add(exc if exc.file else AgreementsError(exc.message, file=path, key=exc.key))


# Set in the parent before forking; workers read it instead of re-loading the project.
_WORKER_STATE: dict = {}
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _worker_started(parent: int) -> None:
    """Each worker's first act: die with the parent, and leave Ctrl+C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _abandon)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before prctl: no signal will come
        _abandon()


def _abandon(*_signal) -> None:
    remove_unfinished()
    _remove_contract_in_hand()
    os._exit(1)


# The formats of the contract in hand already written: a contract is written in all its
# formats or in none, so they go when it fails or the worker is told to stop.
_IN_HAND: list[Path] = []


def _remove_contract_in_hand() -> None:
    for path in _IN_HAND:
        path.unlink(missing_ok=True)
    _IN_HAND.clear()


def pending_name(target: Path) -> Path:
    """Where a contract waits for its register row: hidden, and not a .pdf, so that nothing
    taking the folder's PDFs takes it."""
    return target.with_name(f".{target.name}.{os.getpid()}.pending")


def _export_one(index: int) -> tuple[Path, str | None] | None:
    """Render and write one contract: its file and why the fast path gave up on its PDF (None:
    it did not); None when the batch stopped before it began."""
    stop = _WORKER_STATE["stop"]
    if stop.is_set():
        return None
    project: Project = _WORKER_STATE["project"]
    customer: Customer = _WORKER_STATE["customers"][index]
    signing: Signing | None = _WORKER_STATE["signing"]
    formats: frozenset[str] = _WORKER_STATE["formats"]
    target = _WORKER_STATE["out"] / customer.output_name
    full_render_reason = None
    try:
        if "docx" in formats:
            write_atomically(target.with_name(docx_name(customer)), contract_docx(project.config, customer))
            _IN_HAND.append(target.with_name(docx_name(customer)))
        if "pdf" in formats:
            rendered = contract.render_contract(project.root, project.config, customer.version, customer)
            data, full_render_reason = rendered.pdf, rendered.full_render_reason
            if signing:
                data = contract.sign_provider(data, signing.signer, signing.timestamps,
                                              root=project.root, config=project.config)
            if _WORKER_STATE["pending"]:  # renamed by the parent once its register row is committed
                target = pending_name(target)
                _IN_HAND.append(target)
            write_atomically(target, data)
    except BaseException:
        stop.set()
        _remove_contract_in_hand()
        raise
    _IN_HAND.clear()
    return (target if "pdf" in formats else target.with_name(docx_name(customer))), full_render_reason


# (index, the file written or None, the error or None) per contract, in input order
Outcome = tuple[int, Path | None, BaseException | None]


def export_contracts(project: Project, customers: list[Customer], out: Path, *,
                     signing: Signing | None = None, workers: int | None = None,
                     progress: Callable[[Path], None] | None = None,
                     register: Register | None = None,
                     formats: Iterable[str] = ("pdf",), by: str = "",
                     expires_on: str | None = None) -> BatchResult:
    """Render and write every contract (its PDF, its .docx or both); the output order follows
    the input order, and ``written`` holds one path per contract (the PDF if any). Each PDF is
    recorded in ``register`` as soon as it is written (draft previews are not issued, and a
    Word copy alone is not the contract, so neither is recorded). Contracts the fast path gives
    up on are rendered in full: counted in the result, with one warning for the whole batch."""
    if signing:
        refuse_signed_drafts(customers)
    started = time.perf_counter()
    formats = frozenset(formats)
    prepare_output_folder(out)
    issued = register is not None and "pdf" in formats
    if issued:  # 客户编号 reserved, voided numbers reissued, before anything is rendered
        customers = register.reserve(customers)
    workers = max(1, min(workers or os.cpu_count() or 1, len(customers)))
    context = multiprocessing.get_context("fork")
    _WORKER_STATE.update(project=project, customers=customers, signing=signing, out=out,
                         formats=formats, stop=context.Event(), pending=issued)

    full_render_reasons: list[str] = []

    def finished(index: int, path: Path, full_render_reason: str | None) -> Path:
        if full_render_reason:
            full_render_reasons.append(full_render_reason)
        if issued:
            path = _record_then_rename(register, customers[index], path, signing is not None,
                                       by=by, expires_on=expires_on)
        if progress:
            progress(path)
        return path

    try:
        if "pdf" in formats:
            _prepare(project, customers)
        if workers == 1:
            outcomes = _export_here(len(customers), finished)
        else:
            outcomes = _export_in_workers(workers, context, finished)
    finally:
        _WORKER_STATE.clear()
        gc.unfreeze()
    written = [path for _, path, _ in outcomes if path]
    failed = [(index, error) for index, _, error in outcomes if error]
    if failed:
        raise _batch_stopped(failed, written, customers, out)
    if full_render_reasons:
        contract.warn_full_renders(len(full_render_reasons), full_render_reasons[0])
    return BatchResult(written, time.perf_counter() - started, workers, len(full_render_reasons))


def _record_then_rename(register: Register, customer: Customer, path: Path, signed: bool,
                        **recorded) -> Path:
    """Commit the contract's register row, then give its file its name: a kill at any moment
    leaves no contract in the folder that the register does not know (at worst a row whose
    file is missing, which `agreements register check` reports)."""
    target = path.with_name(customer.output_name)
    if path == target:  # a draft preview: written under its name, never recorded
        return path
    try:
        if not customer.version.is_draft:
            register.record(customer, path, signed=signed, target=target, extra=dict(customer.notes),
                            **recorded)
        os.replace(path, target)
    finally:
        path.unlink(missing_ok=True)
    return target


def _prepare(project: Project, customers: list[Customer]) -> None:
    """Make the pages every customer of a version shares, once here: forked workers inherit
    them (copy-on-write) instead of making their own. Then freeze what exists: the garbage
    collector no longer scans those long-lived objects after every few contracts, nor writes
    to their memory in the workers (which would copy it)."""
    first_of_version = {}
    for customer in customers:
        # Whether 附录一 applies changes which pages are shared (the template shares it when not).
        first_of_version.setdefault((customer.version.date, customer.consent_applies), customer)
    for customer in first_of_version.values():
        contract.prepare(project.root, project.config, customer.version, customer)
    gc.collect()
    gc.freeze()


def _export_here(count: int, finished: Callable[[int, Path, str | None], Path]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for index in range(count):
        try:
            result = _export_one(index)
        except Exception as exc:  # noqa: BLE001 - reported by _batch_stopped
            outcomes.append((index, None, exc))
            break
        outcomes.append((index, finished(index, *result) if result else None, None))
    return outcomes


def _export_in_workers(workers: int, context,
                       finished: Callable[[int, Path, str | None], Path]) -> list[Outcome]:
    stop = _WORKER_STATE["stop"]
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_started,
                             initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_export_one, index) for index in range(len(_WORKER_STATE["customers"]))]
        try:
            for index, future in enumerate(futures):
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - reported by _batch_stopped
                    stop.set()
                    outcomes.append((index, None, exc))
                    continue
                outcomes.append((index, finished(index, *result) if result else None, None))
        except BaseException:
            stop.set()  # Ctrl+C: the workers finish the contract in hand and skip the rest
            raise
    return outcomes


_WRITE_FIXES = {
    errno.ENOSPC: N_("free some space (or choose another --out) and run the batch again"),
    errno.EDQUOT: N_("free some space (or choose another --out) and run the batch again"),
    errno.EROFS: N_("the folder became read-only; choose a writable --out and run the batch again"),
    errno.EACCES: N_("the folder is not writable; choose a writable --out and run the batch again"),
}


def _batch_stopped(failed: list[tuple[int, BaseException]], written: list[Path],
                   customers: list[Customer], out: Path) -> BaseException:
    """The first failure, with what the batch had written when it stopped."""
    index, error = failed[0]
    if not isinstance(error, (OSError, AgreementsError)):
        return error  # a bug, not the input or the disk: keep its traceback
    report = [_("the batch stopped: {written} of {count} contract(s) written").format(
                  written=len(written), count=len(customers))
              + (_(", {count} more failed").format(count=len(failed) - 1) if len(failed) > 1 else "")
              + (_(":") if written else _("."))]
    report += [f"  {display_path(path)}" for path in written]
    if isinstance(error, AgreementsError):
        return AgreementsError("\n".join([error.message, *report]), file=error.file, line=error.line,
                               col=error.col, key=error.key)
    fix = _(_WRITE_FIXES.get(error.errno, N_("check the folder and run the batch again")))
    target = error.filename or out / customers[index].output_name
    if str(target).endswith(".pending"):  # name the contract meant, not where it waited for its row
        target = out / customers[index].output_name
    return AgreementsError("\n".join([_("cannot write the contract ({reason}); nothing "
                                        "half-written is left").format(reason=os_reason(error)),
                                      *report, fix]), file=target)
