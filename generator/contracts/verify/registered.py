"""Is the contract in the register, and is this file the one that was issued?

The register (:mod:`generator.contracts.register`) records each contract PDF's
SHA-256 when it is written. Its answer is worth knowing but does not decide
the verdict: a contract made before the register existed, or re-exported
since, is no less genuine; the byte and signature checks decide that.
"""

from __future__ import annotations

from pathlib import Path

from generator.content.project import Project
from generator.contracts.register import check_registered, register_path
from generator.contracts.verify.report import Check, Status


def check_register(project: Project, pdf: Path, contract_number: str) -> Check:
    finding = check_registered(register_path(project.root, project.config), pdf, contract_number)
    return Check("register", Status.PASS if finding.issued else Status.WARN, finding.message,
                 facts={"issued": finding.issued})
