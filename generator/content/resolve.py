"""Turn a version folder into a :class:`~generator.content.model.Version`.

Three passes, each collecting every problem before failing once:
1. read each YAML file and validate it against its schema;
2. parse the inline markup and number the clauses;
3. check what spans files: unique ids, references, placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from generator.characters import shown
from generator.content import numbering
from generator.content.inline import InlineSyntaxError, parse_inline, split_paragraphs
from generator.content.inline import ID_PATTERN, NAME_PATTERN
from generator.content.loader import load_yaml, position_of
from generator.content.versions import project_root_of
from generator.content.model import Agreement, Appendix, Clause, Placeholder, Runs, Section, Version
from generator.content.schema import (
    FILE_KINDS,
    AgreementFile,
    ClauseEntry,
    ConsentFile,
    ListFile,
    VersionFile,
)
from generator.errors import AgreementsError, ErrorCollector
from generator.i18n import N_, _
from generator.content.pydantic_messages import explain_pydantic


@dataclass
class SourceFile:
    """A parsed YAML file and where its values are, for messages."""

    path: Path
    data: Any

    def error(self, loc: tuple[Any, ...], message: str) -> AgreementsError:
        line, col = position_of(self.data, loc) or (None, None)
        return AgreementsError(message, file=self.path, line=line, col=col, key=format_loc(loc))


def format_loc(loc: tuple[Any, ...]) -> str:
    """``("sections", 3, "clauses", 0, "text")`` → ``sections[4].clauses[1].text`` (1-based)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# What each pattern of the content's schemas means, in words; keyed by the pattern itself.
# Read-only: a caller validating its own schema passes its own rules to validate().
PATTERN_RULES: Mapping[str, str] = MappingProxyType({
    rf"^{ID_PATTERN}$": N_("must be a lower-case English id such as `obligations.sms.bombing` "
                           "(letters, digits, `-`, joined by `.`)"),
    rf"^{NAME_PATTERN}$": N_("must be a lower-case name such as `source_name` (letters, digits, `_`)"),
})


def validate(source: SourceFile, model: type[BaseModel], errors: ErrorCollector, *,
             pattern_rules: Mapping[str, str] = PATTERN_RULES) -> Any:
    """Validate against the schema; every violation becomes one error at its line."""
    if not isinstance(source.data, dict):
        errors.add(AgreementsError(
            _("the file must be a YAML mapping of keys to values; see the schema named "
              "on its first line"), file=source.path, line=1))
        return None
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        reported = set()
        for problem in exc.errors():
            loc = _data_loc(source.data, tuple(problem["loc"]), problem["type"])
            if loc not in reported:  # a union reports once per branch; the reader needs one
                reported.add(loc)
                errors.add(source.error(loc, _explain(problem, pattern_rules)))
        return None


def _data_loc(data: Any, loc: tuple[Any, ...], kind: str) -> tuple[Any, ...]:
    """The part of pydantic's path that exists in the YAML (drops tags like `list[str]`)."""
    kept: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(node, list) and isinstance(part, str):
            continue  # a tagged union's tag (`list`): no place in the file
        elif kind == "missing" and index == len(loc) - 1 and isinstance(node, dict):
            pass  # the missing key itself is what the reader must add
        else:
            break
        kept.append(part)
    return tuple(kept)


def _explain(problem: dict, pattern_rules: Mapping[str, str]) -> str:
    pattern = problem.get("ctx", {}).get("pattern", "")
    if problem["type"] == "string_pattern_mismatch" and pattern in pattern_rules:
        return _(pattern_rules[pattern])  # the rules are N_() msgids
    return explain_pydantic(problem)


@dataclass
class _Resolver:
    """Builds one version's model while collecting its problems."""

    errors: ErrorCollector
    ids: dict[str, tuple[SourceFile, tuple]] = field(default_factory=dict)
    refs: list[tuple[str, SourceFile, tuple]] = field(default_factory=list)
    fills: list[tuple[str, SourceFile, tuple]] = field(default_factory=list)
    numbered: set[str] = field(default_factory=set)  # ids a reference can show a number for

    def paragraphs(self, text: str | None, source: SourceFile, loc: tuple) -> tuple[Runs, ...]:
        if text is None:
            return ()
        parsed = []
        for paragraph in split_paragraphs(text):
            runs = self.runs(paragraph, source, loc)
            if runs is not None:
                parsed.append(runs)
        return tuple(parsed)

    def runs(self, text: str, source: SourceFile, loc: tuple) -> Runs | None:
        try:
            runs = parse_inline(text)
        except InlineSyntaxError as exc:
            self.errors.add(source.error(loc, str(exc)))
            return None
        if not "".join(r.value for r in runs if r.kind == "text").strip() and not any(
            r.kind != "text" for r in runs
        ):
            self.errors.add(source.error(loc, _("the text is empty once markup is removed; write it")))
            return None
        for run in runs:
            if run.kind == "ref":
                self.refs.append((run.value, source, loc))
            elif run.kind == "fill":
                self.fills.append((run.value, source, loc))
        return runs

    def claim_id(self, clause_id: str, source: SourceFile, loc: tuple) -> None:
        if clause_id in self.ids:
            first, first_loc = self.ids[clause_id]
            line = (position_of(first.data, first_loc) or (None,))[0]
            where = f"{first.path.name}:{line}" if line else first.path.name
            self.errors.add(source.error(
                loc, _("duplicate id `{id}`, already used at {where}; ids must be "
                       "unique within a version, rename one").format(id=shown(clause_id), where=where)))
        else:
            self.ids[clause_id] = (source, loc)

    def clauses(self, entries: list[ClauseEntry], parent: str, depth: int,
                source: SourceFile, loc: tuple) -> tuple[Clause, ...]:
        built = []
        for index, entry in enumerate(entries):
            here = (*loc, index)
            number = numbering.clause_number(parent, index + 1)
            self.claim_id(entry.id, source, (*here, "id"))
            self.numbered.add(entry.id)
            if entry.title is None and entry.text is None and not entry.clauses:
                self.errors.add(source.error(here, _("a clause needs `text`, `title` or `clauses`; add its text")))
            title = self.runs(entry.title, source, (*here, "title")) if entry.title else None
            built.append(Clause(
                id=entry.id, number=number, label=numbering.clause_label(number, depth),
                depth=depth, title=title,
                paragraphs=self.paragraphs(entry.text, source, (*here, "text")),
                children=self.clauses(entry.clauses, number, depth + 1, source, (*here, "clauses")),
            ))
        return tuple(built)

    def agreement(self, model: AgreementFile, source: SourceFile, updated: Runs) -> Agreement:
        sections = []
        for index, entry in enumerate(model.sections):
            loc = ("sections", index)
            self.claim_id(entry.id, source, (*loc, "id"))
            sections.append(Section(entry.id, entry.title,
                                    self.clauses(entry.clauses, "", 1, source, (*loc, "clauses"))))
        return Agreement(model.title, self.paragraphs(model.notice, source, ("notice",)),
                         tuple(sections), updated)

    def consent(self, model: ConsentFile, source: SourceFile) -> Appendix:
        paragraphs = []
        for index, entry in enumerate(model.paragraphs):
            loc = ("paragraphs", index)
            self.claim_id(entry.id, source, (*loc, "id"))
            paragraphs.append(Clause(entry.id, "", "", 1, None,
                                     self.paragraphs(entry.text, source, (*loc, "text"))))
        placeholders = tuple(_placeholder(p) for p in model.placeholders)
        return Appendix("consent", model.label, model.title, tuple(paragraphs), placeholders)

    def numbered_list(self, model: ListFile, source: SourceFile) -> Appendix:
        items = []
        for index, entry in enumerate(model.items):
            loc = ("items", index)
            number = numbering.clause_number("", index + 1)
            self.claim_id(entry.id, source, (*loc, "id"))
            self.numbered.add(entry.id)
            items.append(Clause(entry.id, number, numbering.list_item_label(number), 1, None,
                                self.paragraphs(entry.text, source, (*loc, "text")),
                                separator=numbering.LIST_ITEM_SEPARATOR))
        return Appendix("prohibited", model.label, model.title, tuple(items))

    def check_placeholders(self, placeholders: tuple[Placeholder, ...], source: SourceFile) -> None:
        declared: dict[str, int] = {}
        for index, placeholder in enumerate(placeholders):
            if placeholder.name in declared:
                self.errors.add(source.error(("placeholders", index, "name"),
                                _("placeholder `{name}` is declared twice; remove one").format(
                                    name=placeholder.name)))
            declared.setdefault(placeholder.name, index)
        used = {name for name, _where, _loc in self.fills}
        for name, where, loc in self.fills:
            if where is not source:
                self.errors.add(where.error(loc, _("placeholder `{{fill:{name}}}` outside 附录一; "
                                "only consent.yml may hold placeholders, write the text itself "
                                "here").format(name=shown(name))))
            elif name not in declared:
                known = ", ".join(sorted(declared)) or _("none")
                self.errors.add(where.error(loc, _("unknown placeholder `{{fill:{name}}}`; "
                                "declare it under `placeholders:` in consent.yml (declared: "
                                "{known})").format(name=shown(name), known=known)))
        for name, index in declared.items():
            if name not in used:
                self.errors.add(source.error(("placeholders", index, "name"),
                                _("placeholder `{name}` is declared but never used; "
                                  "use it as {{fill:{name}}} or remove it").format(name=name)))

    def check_references(self) -> None:
        for target, source, loc in self.refs:
            if target not in self.ids:
                self.errors.add(source.error(loc, _("reference to unknown clause id `{id}`; use the id "
                                "of an existing clause (see `agreements text --ids`)").format(
                                    id=shown(target))))
            elif target not in self.numbered:
                self.errors.add(source.error(loc, _("reference to `{id}`, which has no number "
                                "(a section or an unnumbered paragraph); refer to a numbered "
                                "clause").format(id=shown(target))))


def _placeholder(entry) -> Placeholder:
    example = tuple(entry.example) if isinstance(entry.example, list) else entry.example
    return Placeholder(entry.name, entry.title, entry.type, entry.unfilled, entry.description, example)


def read_sources(folder: Path, errors: ErrorCollector) -> dict[str, SourceFile]:
    """Parse every expected file of the folder; a missing or broken file is an error."""
    sources = {}
    for name in FILE_KINDS:
        path = folder / name
        if not path.is_file():
            errors.add(AgreementsError(_("missing file {name}; every version folder needs "
                                         "{files}").format(name=name, files=", ".join(FILE_KINDS)),
                                       file=path))
            continue
        try:
            sources[name] = SourceFile(path, load_yaml(path, project_root=project_root_of(folder)))
        except AgreementsError as exc:
            errors.add(exc)
    for extra in sorted(folder.glob("*.y*ml")):
        if extra.name not in FILE_KINDS:
            errors.add(AgreementsError(_("unexpected file {name}; a version folder holds "
                                         "only {files}").format(name=extra.name,
                                                                files=", ".join(FILE_KINDS)),
                                       file=extra))
    return sources


def resolve_version(folder: Path, source_sha256: str) -> Version:
    """Load, validate, number and cross-check one version folder."""
    errors = ErrorCollector()
    sources = read_sources(folder, errors)
    models = {name: validate(src, FILE_KINDS[name][0], errors) for name, src in sources.items()}
    if errors or None in models.values():
        errors.raise_if_any(f"version {folder.name} is invalid")
    meta: VersionFile = models["version.yml"]
    if meta.date.isoformat() != folder.name:
        errors.add(sources["version.yml"].error(("date",), _("date {date} does not match the "
                   "folder name {folder}; rename the folder or fix the date").format(
                       date=meta.date, folder=folder.name)))
    if meta.effective is not None and meta.effective < meta.date:
        errors.add(sources["version.yml"].error(("effective",), _("effective date {effective} is "
                   "before the version's date {date}; write a day on or after it, or leave "
                   "`effective` out").format(effective=meta.effective, date=meta.date)))
    resolver = _Resolver(errors)
    updated = resolver.runs(meta.updated, sources["version.yml"], ("updated",)) or ()
    agreement = resolver.agreement(models["agreement.yml"], sources["agreement.yml"], updated)
    consent = resolver.consent(models["consent.yml"], sources["consent.yml"])
    prohibited = resolver.numbered_list(models["prohibited.yml"], sources["prohibited.yml"])
    resolver.check_references()
    resolver.check_placeholders(consent.placeholders, sources["consent.yml"])
    errors.raise_if_any(f"version {folder.name} is invalid")
    version = Version(meta.date.isoformat(), meta.status, folder, agreement, consent,
                      prohibited, source_sha256,
                      effective=meta.effective.isoformat() if meta.effective else None)
    return replace(version, clauses={clause.id: clause for clause in version.all_clauses()})

