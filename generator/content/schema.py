"""The declarative schema of the content files, one model per kind of file.

These models describe the YAML exactly as the legal team writes it; every field
carries the description that the JSON Schemas (``agreements schema``) show in
the editor. Cross-file rules (unique ids, references, placeholders) live in
:mod:`generator.content.resolve`, because a single file cannot know them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from generator.characters import refuse_invisible
from generator.i18n import _
from generator.content.inline import ID_PATTERN, NAME_PATTERN

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_date(value: object) -> dt.date:
    """A date written YYYY-MM-DD that exists in the calendar.

    The YAML reader leaves dates as the text written (its own constructor raises on
    2027-02-29); a spreadsheet cell may hold a date or a midnight datetime.
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise ValueError(_("must be a date without a time of day, e.g. 2026-12-01"))
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(_("must be a date written YYYY-MM-DD, e.g. 2026-12-01"))
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(_("{text} is not a date in the calendar ({reason}); write an existing date "
                           "as YYYY-MM-DD").format(text=text, reason=_date_reason(exc))) from None


def _date_reason(error: ValueError) -> str:
    """Python's reason (``day is out of range for month``) in the reader's language."""
    if "month must be" in str(error):
        return _("there is no such month")
    return _("there is no such day in that month")


CalendarDate = Annotated[dt.date, BeforeValidator(_calendar_date)]


def _visible_text(text: str) -> str:
    return refuse_invisible(text, line_breaks=True)


# Every string the legal team writes is printed verbatim: no invisible characters.
Visible = Annotated[str, AfterValidator(_visible_text)]

Id = Annotated[
    str,
    StringConstraints(pattern=rf"^{ID_PATTERN}$"),
    Field(
        description="Stable English id, e.g. `obligations.sms.bombing`: lower-case words "
        "joined by `-` and `.`. It names the clause for links and references and never "
        "changes when clauses are renumbered or moved.",
    ),
]
Text = Annotated[
    Visible,
    StringConstraints(min_length=1),
    Field(
        description="Text, verbatim. `**…**` marks bold, `{ref:ID}` a reference shown as "
        "that clause's number, `{fill:NAME}` a placeholder (附录一 only); `\\*` and `\\{` "
        "are literal. A blank line starts a new paragraph.",
    ),
]

PlainText = Annotated[
    Visible,
    StringConstraints(min_length=1),
    Field(description="Plain text, verbatim: titles and labels carry no markup."),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class VersionFile(_Strict):
    """`version.yml`: what identifies a version of the agreement."""

    model_config = ConfigDict(title="Agreement version (version.yml)")

    date: CalendarDate = Field(
        description="The version's date, YYYY-MM-DD; must equal the folder's name."
    )
    status: Literal["draft", "published"] = Field(
        description="`draft` while the legal team edits it; `published` once customers "
        "may agree to it (set by `agreements publish`, after which the files are locked)."
    )
    updated: Text = Field(
        description="The 更新日期 line printed after the last section, verbatim, "
        "e.g. `本协议更新日期：2021 年【12】月【20】日`."
    )
    effective: dt.date | None = Field(
        default=None,
        description="Optional 生效日期, YYYY-MM-DD: the day this version takes effect, shown "
        "on the site next to the version. Not before `date`; leave it out while unknown.",
    )


class ClauseEntry(_Strict):
    """A numbered clause; its number comes from its position, never typed."""

    id: Id
    title: Text | None = Field(
        default=None,
        description="A heading shown after the number on its own line (e.g. "
        "`信息查询核验类接口（“信息核验服务”）`), with `text` as the paragraph below.",
    )
    text: Text | None = Field(
        default=None,
        description="The clause's paragraph(s). Without a title the number precedes it.",
    )
    clauses: list[ClauseEntry] = Field(
        default_factory=list,
        description="Sub-clauses, numbered 2.1, 2.2 … and 4.2.1 … under this clause.",
    )


class SectionEntry(_Strict):
    """A titled section of the agreement (服务范围, 附则 …); its clauses restart at 1."""

    id: Id
    title: PlainText = Field(description="The section heading, e.g. `服务范围`.")
    clauses: list[ClauseEntry] = Field(min_length=1, description="The section's clauses.")


class AgreementFile(_Strict):
    """`agreement.yml`: the body of the 数据技术服务使用协议."""

    model_config = ConfigDict(title="Agreement body (agreement.yml)")

    title: PlainText = Field(description="The agreement's title.")
    notice: Text = Field(description="The 特别提醒 paragraph shown before the first section.")
    sections: list[SectionEntry] = Field(min_length=1, description="The sections, in order.")


class PlaceholderEntry(_Strict):
    """A value that sales fill in per customer (核验目的, 最终信息源名称 …)."""

    name: Annotated[str, StringConstraints(pattern=rf"^{NAME_PATTERN}$")] = Field(
        description="The key used in the text as `{fill:NAME}` and in customer files "
        "under `consent:`, e.g. `purpose`."
    )
    title: PlainText = Field(description="Its Chinese name for forms and messages, e.g. `核验目的`.")
    type: Literal["text", "list"] = Field(
        description="`text`: one value; `list`: several texts, joined with 、 when filled."
    )
    unfilled: PlainText = Field(
        description="What the unfilled template shows, exactly as the source writes it, "
        "e.g. `【请填写核验目的】`."
    )
    description: PlainText = Field(description="Guidance for sales and readers on what to fill in.")
    example: Visible | list[Visible] | None = Field(
        default=None, description="An example value (a list for `type: list`)."
    )


class ParagraphEntry(_Strict):
    """An unnumbered paragraph with a stable id."""

    id: Id
    text: Text


class ConsentFile(_Strict):
    """`consent.yml`: 附录一, the consent template customers show their own users."""

    model_config = ConfigDict(title="Consent template (consent.yml, 附录一)")

    label: PlainText = Field(description="The appendix label, e.g. `附录一`.")
    title: PlainText = Field(description="Its heading, e.g. `示范授权条款（信息主体签署）`.")
    placeholders: list[PlaceholderEntry] = Field(
        default_factory=list, description="Every `{fill:NAME}` used in the paragraphs."
    )
    paragraphs: list[ParagraphEntry] = Field(min_length=1, description="The text, in order.")


class ListItemEntry(_Strict):
    """An item of a numbered list, numbered 1、2、… from its position."""

    id: Id
    text: Text


class ListFile(_Strict):
    """`prohibited.yml`: 附录二, a numbered list (the prohibited SMS content)."""

    model_config = ConfigDict(title="Numbered appendix (prohibited.yml, 附录二)")

    label: PlainText = Field(description="The appendix label, e.g. `附录二`.")
    title: PlainText = Field(description="Its heading, e.g. `法律法规禁止发送的短信息内容`.")
    items: list[ListItemEntry] = Field(min_length=1, description="The items, in order.")


# Each file of a version folder, the model that validates it and its schema's name.
FILE_KINDS: dict[str, tuple[type[_Strict], str]] = {
    "version.yml": (VersionFile, "version"),
    "agreement.yml": (AgreementFile, "agreement"),
    "consent.yml": (ConsentFile, "consent"),
    "prohibited.yml": (ListFile, "list"),
}
