"""The verification report: a list of named checks, a verdict, an exit code.

Each check says what it established (``pass``), what contradicts the
contract (``fail``), what this checkout cannot establish (``undecided``),
or what is worth knowing without changing the verdict (``warn``). A new
check (e.g. "is this contract in the register") is one more :class:`Check`
in the list; the verdict and both renderings follow from the list.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.i18n import N_, _


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"            # altered or invalid
    UNDECIDED = "undecided"  # this checkout cannot vouch either way
    UNCHECKED = "unchecked"  # the content matches, but nothing vouches for the layout
    WARN = "warn"            # worth knowing; does not change the verdict
    SKIPPED = "skipped"      # could not run because an earlier check failed


class Verdict(str, enum.Enum):
    GENUINE = "genuine"
    ALTERED = "altered"
    UNDECIDED = "undecided"
    CONTENT_ONLY = "content-only"  # content matches, layout not checked

    @property
    def exit_code(self) -> int:
        """0 genuine, 1 altered, 3 cannot decide, 4 content matches but layout not checked
        (2 is a usage error, click's own)."""
        return EXIT_CODES[self]


EXIT_CODES = {Verdict.GENUINE: 0, Verdict.ALTERED: 1, Verdict.UNDECIDED: 3, Verdict.CONTENT_ONLY: 4}

# The report's header lines: key in Report.contract → label.
CONTRACT_LABELS = (("version", N_("version")), ("contract_number", N_("contract")),
                   ("customer", N_("customer")), ("generator", N_("generator")))


@dataclass
class Check:
    name: str
    status: Status
    summary: str
    details: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # machine-readable, in the JSON

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value, "summary": self.summary,
                "details": list(self.details), "facts": self.facts}


@dataclass
class Report:
    file: Path
    checks: list[Check] = field(default_factory=list)
    contract: dict[str, str] = field(default_factory=dict)  # version, number, customer, …

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    @property
    def verdict(self) -> Verdict:
        statuses = {check.status for check in self.checks}
        if Status.FAIL in statuses:
            return Verdict.ALTERED
        if Status.UNDECIDED in statuses or Status.PASS not in statuses:
            return Verdict.UNDECIDED
        if Status.UNCHECKED in statuses:
            return Verdict.CONTENT_ONLY
        return Verdict.GENUINE

    @property
    def genuine(self) -> bool:
        return self.verdict is Verdict.GENUINE

    @property
    def problems(self) -> list[str]:
        """What keeps the contract from being genuine, one line per check."""
        return [f"{c.name}: {c.summary}" for c in self.checks
                if c.status in (Status.FAIL, Status.UNDECIDED, Status.UNCHECKED)]

    @property
    def headline(self) -> str:
        if self.verdict is Verdict.GENUINE:
            return _("genuine — every check passed")
        if self.verdict is Verdict.ALTERED:
            failed = [c.name for c in self.checks if c.status is Status.FAIL]
            return _("NOT genuine — altered or invalid ({checks})").format(checks=", ".join(failed))
        if self.verdict is Verdict.CONTENT_ONLY:
            return _("content matches, layout not checked — nothing vouches for how it is laid out")
        undecided = [c.name for c in self.checks if c.status is Status.UNDECIDED]
        return _("cannot decide — this checkout cannot vouch for it ({checks})").format(checks=", ".join(undecided))

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "verdict": self.verdict.value,
                "exit_code": self.verdict.exit_code, "contract": dict(self.contract),
                "checks": [check.to_json() for check in self.checks]}

    def to_text(self) -> str:
        lines = [f"{_(label) + ':':<9} {self.contract[key]}" for key, label in CONTRACT_LABELS
                 if self.contract.get(key)]
        for check in self.checks:
            lines.append(f"[{check.status.value}] {check.name}: {check.summary}")
            lines.extend(f"    {detail}" for detail in check.details)
        verdict = _("verdict:")
        lines.append(f"{verdict:<9} {self.headline}")
        return "\n".join(lines) + "\n"
