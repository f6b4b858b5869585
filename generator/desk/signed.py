"""The copy 甲方 signed, checked by `verify` (its Python API, its result object) before the
contract is marked 甲方已签.

Verify rebuilds the contract with WeasyPrint, which is not thread-safe, so it runs
in one worker process of its own (started on first use, then kept), never in the
desk's request threads.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from generator import caches

PARTY_A_CHECK = "signature PartyA"


@dataclass(frozen=True)
class Finding:
    status: str  # pass, fail, undecided, warn, skipped
    name: str
    summary: str


@dataclass(frozen=True)
class SignedCopy:
    """What verify found: ``accepted`` when the file is this contract as issued, nothing in it
    is altered, and 甲方's signature is intact and valid."""

    accepted: bool
    reason: str
    verdict: str
    findings: tuple[Finding, ...]


def check_signed_copy(root: str, pdf: str, contract_number: str, trust: tuple[str, ...]) -> SignedCopy:
    """Run in the verify worker: verify the upload and decide whether 甲方 signed it."""
    from generator.content.project import load_project
    from generator.contracts.verify import Status, Verdict, verify_contract
    from generator.errors import AgreementsError

    try:
        report = verify_contract(Path(pdf), load_project(Path(root), check_lock=False),
                                 trust_files=[Path(t) for t in trust])
    except AgreementsError as exc:
        return SignedCopy(False, f"verify 无法读取这个文件：{exc.message}", "undecided", ())
    findings = tuple(Finding(c.status.value, c.name, c.summary) for c in report.checks)
    by_name = {c.name: c for c in report.checks}
    party_a = by_name.get(PARTY_A_CHECK)
    register = by_name.get("register")
    if report.contract.get("contract_number") != contract_number:
        reason = f"这份文件是合同 {report.contract.get('contract_number') or '（无法识别）'}，不是 {contract_number}"
    elif report.verdict is Verdict.ALTERED:
        reason = "verify 判定文件被改动过或签名无效，不能记为甲方已签"
    elif party_a is None:
        reason = "文件中没有甲方的签名（甲方签名栏 PartyA 为空）"
    elif party_a.status not in (Status.PASS, Status.WARN):
        reason = f"甲方的签名未通过校验：{party_a.summary}"
    elif register is None or not register.facts.get("issued"):
        reason = "这不是登记簿中发出的那份文件（SHA-256 不符）"
    else:
        return SignedCopy(True, "甲方的签名完整有效", report.verdict.value, findings)
    return SignedCopy(False, reason, report.verdict.value, findings)


class Verifier:
    """One worker process for verify, kept for the desk's lifetime, forked from the desk's
    forkserver (verify already imported there), never from the desk's threaded process."""

    def __init__(self, context: multiprocessing.context.BaseContext | None = None) -> None:
        self._context = context or multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, *args):
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=self._context)
        return self._pool.submit(check_signed_copy, *args)

    def close(self) -> None:
        if self._pool is not None:
            # Its last task: let its caches go with their temporary fonts (~10 MB), which the
            # worker's exit (os._exit) would leave behind.
            with contextlib.suppress(BrokenProcessPool, TimeoutError):  # a dead worker cannot clean up
                self._pool.submit(caches.release).result(timeout=60)
            self._pool.shutdown(cancel_futures=True)
