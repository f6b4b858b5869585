"""content/search-synonyms.yml: the words readers search with, mapped to the agreement's own.

The legal team keeps this list: a customer searches 争议 or 仲裁 where the
agreement says 纠纷, 知识产权 where it says 著作权、专利权, 发票 where it says
服务费. Each group names the reader's words and what they mean — other words
(searched in their place) and/or clauses by id (found first). Unknown keys and
unknown clause ids are errors (file:line: key: message), all reported together.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from generator.content.loader import load_yaml, position_of
from generator.content.model import Version
from generator.content.resolve import SourceFile, validate
from generator.errors import AgreementsError, ErrorCollector

SYNONYMS_FILE = Path("content") / "search-synonyms.yml"


class SynonymGroup(BaseModel):
    """Words a reader may search with, and what the agreement calls them."""

    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(min_length=1, description="What readers type, e.g. 争议, 仲裁, 诉讼.")
    means: list[str] = Field(default_factory=list, description="The agreement's own words, searched instead.")
    clauses: list[str] = Field(default_factory=list, description="Clause ids found first, e.g. obligations.ip.")


class SynonymFile(BaseModel):
    """content/search-synonyms.yml."""

    model_config = ConfigDict(extra="forbid", title="Search synonyms (content/search-synonyms.yml)")

    synonyms: list[SynonymGroup] = Field(default_factory=list)


def load_synonyms(root: Path, version: Version) -> list[SynonymGroup]:
    """The groups, their clause ids checked against ``version`` (absent file: no synonyms)."""
    path = root / SYNONYMS_FILE
    if not path.is_file():
        return []
    data = load_yaml(path, project_root=root)
    errors = ErrorCollector()
    parsed = validate(SourceFile(path, data), SynonymFile, errors)
    errors.raise_if_any(f"{SYNONYMS_FILE} is invalid")
    known = {clause.id for clause in version.all_clauses()}
    for g, group in enumerate(parsed.synonyms):
        if not group.means and not group.clauses:
            errors.add(_error(path, data, ("synonyms", g), "words", "a group needs `means` or `clauses`"))
        for c, clause_id in enumerate(group.clauses):
            if clause_id not in known:
                errors.add(_error(path, data, ("synonyms", g, "clauses", c), "clauses",
                                  f"no clause {clause_id!r} in version {version.date}"))
    errors.raise_if_any(f"{SYNONYMS_FILE} is invalid")
    return parsed.synonyms


def _error(path: Path, data, loc: tuple, key: str, message: str) -> AgreementsError:
    position = position_of(data, loc)
    return AgreementsError(message, file=path, line=position[0] if position else None, key=key)
