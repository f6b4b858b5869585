"""The bodies the service accepts and answers with (pydantic, extra="forbid"): the OpenAPI contract."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

_ID = r"^[A-Za-z0-9._:@-]{1,128}$"
_HASH = r"^[0-9a-f]{64}$"
_CLAUSE = r"^[@A-Za-z0-9._-]{1,100}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Viewport(_Strict):
    width: int = Field(ge=1, le=100_000)
    height: int = Field(ge=1, le=100_000)


class PresentationIn(_Strict):
    """A version was shown to an account (the Bearer token's): what was displayed and what the reader did."""

    version_hash: str = Field(pattern=_HASH)
    displayed_clauses: list[Annotated[str, Field(pattern=_CLAUSE)]] = Field(max_length=500, description="Ids of the 提示 passages displayed.")
    explanation_opened: bool = Field(description="The reader opened the explanation (说明) of the 提示 passages.")
    scrolled_to_end: bool
    viewport: Viewport
    shown_at: str = Field(max_length=40, pattern=r"^\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)$",
                          description="When the reader's browser showed the text (ISO 8601).")


class PresentationOut(_Strict):
    presentation_id: str
    leaf_index: int


class AcceptanceIn(_Strict):
    """The account token travels in the Authorization header (Bearer JWT, EdDSA)."""

    version_hash: str = Field(pattern=_HASH)
    presentation_id: str = Field(pattern=r"^[0-9a-f-]{36}$")


class VersionPassage(_Strict):
    clause_id: str | None
    citation: str
    text: str


class CurrentVersion(_Strict):
    version: str
    title: str
    effective: str
    version_hash: str
    text_sha256: str
    major: bool
    bold_passages: list[VersionPassage]


class AccountStatus(_Strict):
    account_id: str
    accepted_version: str | None
    accepted_at: str | None
    current_version: str | None
    needs_reacceptance: bool
    status: str = Field(description="已同意现行版本 | 需重新同意 | 新版本仅需告知 | 尚未同意")
    since: str | None = Field(description="Since when the current version asks this (its effective date).")


class Problem(_Strict):
    detail: str
