"""The one family of errors a user ever sees.

Every problem the user can fix is an :class:`AgreementsError` carrying where it
is (file, line, column) and which key is at fault, printed as
``file:line:col: key: message``. In a spreadsheet the place is a sheet and a
row instead, printed as ``file:sheet!row: column: message`` (``file:row`` for a
CSV file, which has no sheets). Checks collect many of them into one
:class:`ValidationFailed` so the legal team sees every problem in one run. The
CLI catches this family once, prints it and exits 1; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.characters import shown
from generator.i18n import _

# A file with ten thousand mistakes is one mistake repeated: show the first ones.
MAX_SHOWN_ERRORS = 50


@dataclass
class AgreementsError(Exception):
    """A problem in the user's input, with the place it was found and the fix."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    col: int | None = None
    key: str | None = None
    sheet: str | None = None  # a workbook's sheet; ``line`` is then the row as the sheet shows it

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def where(self) -> str:
        parts = [str(display_path(self.file))] if self.file else []
        if self.file and self.line:
            parts.append(f"{self.sheet}!{self.line}" if self.sheet else str(self.line))
            if self.col:
                parts.append(str(self.col))
        return ":".join(parts)

    def __str__(self) -> str:
        key = shown(self.key, 80) if self.key else None  # a key is the user's text: bounded
        head = [p for p in (self.where, key) if p]
        return ": ".join([*head, self.message])


@dataclass
class ValidationFailed(AgreementsError):
    """Several problems found together; printed one per line."""

    errors: list[AgreementsError] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [str(e) for e in self.errors[:MAX_SHOWN_ERRORS]]
        if len(self.errors) > MAX_SHOWN_ERRORS:
            hidden = len(self.errors) - MAX_SHOWN_ERRORS
            lines.append(_("… and {count} more problem(s) not shown; fix these first").format(count=hidden))
        return "\n".join(lines)


class ErrorCollector:
    """Gathers problems so a check reports all of them before failing once."""

    def __init__(self) -> None:
        self.errors: list[AgreementsError] = []

    def add(self, error: AgreementsError) -> None:
        self.errors.append(error)

    def extend(self, errors: list[AgreementsError]) -> None:
        self.errors.extend(errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self, summary: str = "validation failed") -> None:
        if self.errors:
            ordered = sorted(self.errors, key=_sort_key)
            raise ValidationFailed(summary, errors=ordered)


def _sort_key(error: AgreementsError) -> tuple:
    return (str(error.file or ""), error.sheet or "", error.line or 0, error.col or 0, error.key or "")


def display_path(path: Path | str | None) -> str:
    """A path relative to the working directory when it is below it (reads best in messages)."""
    if path is None:
        return ""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
