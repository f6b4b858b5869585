"""The whole project: its configuration and every version, checked together."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from generator.content.config import SiteConfig, load_config
from generator.content.loader import load_yaml
from generator.content.model import Version
from generator.content.resolve import resolve_version
from generator.content.versions import lock_problems, project_root_of, source_digest, version_folders
from generator.errors import AgreementsError, ErrorCollector, ValidationFailed
from generator.i18n import _


@dataclass(frozen=True)
class Project:
    root: Path
    config: SiteConfig
    versions: tuple[Version, ...]  # oldest first

    def version(self, date: str) -> Version:
        for version in self.versions:
            if version.date == date:
                return version
        known = ", ".join(v.date for v in self.versions)
        raise AgreementsError(_("unknown version `{date}`; known versions: {known}").format(
            date=date, known=known), key="version")

    @property
    def latest_published(self) -> Version | None:
        published = [v for v in self.versions if not v.is_draft]
        return published[-1] if published else None

    @property
    def newest(self) -> Version:
        return self.versions[-1]

    def without_drafts(self) -> Project:
        published = tuple(v for v in self.versions if not v.is_draft)
        if not published:
            raise AgreementsError(_("no published version to build; publish one first "
                                    "(`agreements publish DATE`)"))
        return replace(self, versions=published)

    def previous(self, version: Version) -> Version | None:
        index = self.versions.index(version)
        return self.versions[index - 1] if index else None


def load_project(root: Path, *, check_lock: bool = True) -> Project:
    """Load and validate everything; report every problem of every version at once."""
    root = root.resolve()  # templates and fonts are found by absolute file URLs
    errors = ErrorCollector()
    config = None
    try:
        config = load_config(root)
    except AgreementsError as exc:
        _collect(errors, exc)
    versions = []
    try:
        folders = version_folders(root)
    except AgreementsError as exc:
        _collect(errors, exc)
        folders = []
    for folder in folders:
        try:
            versions.append(resolve_version(folder, source_digest(folder)))
        except AgreementsError as exc:
            _collect(errors, exc)
    if check_lock and folders:
        statuses = {folder.name: _status(folder) for folder in folders}
        errors.extend(lock_problems(root, {k: v for k, v in statuses.items() if v}))
    if not folders and not errors:
        errors.add(AgreementsError(_("no versions yet; create one with `agreements new-version DATE`"),
                                   file=root / "content" / "versions"))
    errors.raise_if_any("the content is invalid")
    return Project(root, config, tuple(versions))


def _collect(errors: ErrorCollector, exc: AgreementsError) -> None:
    errors.extend(exc.errors if isinstance(exc, ValidationFailed) else [exc])


def _status(folder: Path) -> str | None:
    """The status as written, even when the version has other errors."""
    try:
        data = load_yaml(folder / "version.yml", project_root=project_root_of(folder))
    except AgreementsError:
        return None
    status = data.get("status") if isinstance(data, dict) else None
    return status if status in ("draft", "published") else None
