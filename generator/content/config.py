"""`site_config.yml`: who the parties are and how the site and PDFs are named."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from generator.content.loader import load_yaml
from generator.content.resolve import SourceFile, validate
from generator.content.schema import Visible
from generator.errors import AgreementsError, ErrorCollector
from generator.i18n import _

CONFIG_FILE = "site_config.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Provider(_Strict):
    """乙方: the company that offers the service and signs every contract."""

    name: Visible = Field(min_length=1, description="Full registered name, e.g. 北京静觅网络科技有限公司.")
    short_name: Visible = Field(min_length=1, description="The short name the agreement uses, e.g. 静觅科技.")
    credit_code: Visible | None = Field(default=None, description="统一社会信用代码, printed on the cover when set.")
    address: Visible | None = Field(default=None, description="Registered address, printed on the cover when set.")
    representative: Visible | None = Field(
        default=None, description="法定代表人或授权代表, printed on the cover when set.")
    contact: Visible | None = Field(default=None, description="Contact line (e-mail or phone) for the cover.")
    seal: Visible | None = Field(
        default=None, description="Path (from the project folder) of 乙方's seal, a PNG with transparency; "
        "drawn only inside 乙方's signature appearance, never on an unsigned contract.")


class Site(_Strict):
    """The customer documentation site."""

    title: Visible = Field(min_length=1, description="The site's name in the header and the browser tab.")
    url: Visible | None = Field(default=None, description="Public address of the site, if hosted; used for links only.")
    copyright: Visible = Field(min_length=1, description="Footer line, e.g. © 北京静觅网络科技有限公司.")


class Pdf(_Strict):
    """Contract PDF options."""

    font_family: Literal["Noto Sans CJK SC", "Noto Serif CJK SC"] = Field(
        default="Noto Sans CJK SC",
        description="The contract's one font family, in regular and bold (Debian: fonts-noto-cjk). "
        "Sans embeds about a quarter smaller than Serif.")


class Word(_Strict):
    """Word (.docx) files: the versions, the contracts and the redlines."""

    author: str | None = Field(
        default=None, min_length=1,
        description="Who the redline's tracked changes are by, as Word and WPS show it, "
        "e.g. 静觅科技法务部; default: provider.name.")


class Acceptance(_Strict):
    """Online acceptance (the 【立即申请】 block and the acceptance service, `agreements accept-server`)."""

    service: str | None = Field(
        default=None, pattern=r"^https?://[^/\s]+$",
        description="Origin of the acceptance service the site's block talks to, e.g. "
        "https://accept.example.com; the block's content security policy allows it and nothing else.")
    site_origins: list[str] = Field(
        default_factory=list, description="Origins of the pages that embed the block (the docs site, "
        "the product's sign-up page); the service answers cross-origin requests from these only.")
    minor_versions: list[str] = Field(
        default_factory=list, description="Versions (YYYY-MM-DD) that are minor changes: customers "
        "who accepted an earlier one are only notified; every other new version needs 需重新同意.")


class SiteConfig(_Strict):
    """`site_config.yml` at the project root."""

    model_config = ConfigDict(title="Project configuration (site_config.yml)")

    product: Visible = Field(min_length=1, description="The product's name, e.g. 知数云.")
    provider: Provider
    site: Site
    pdf: Pdf = Field(default_factory=Pdf)
    # `register` is the key in the file; the attribute has another name because pydantic
    # models already have a `register` (abc's).
    register_file: str = Field(
        default="out/register.sqlite", min_length=1, alias="register",
        description="The register of every contract `agreements contract` writes (an SQLite file), "
        "relative to the project folder; `agreements register` lists it.")
    word: Word = Field(default_factory=Word)
    acceptance: Acceptance = Field(default_factory=Acceptance)
    notice_days: int = Field(
        default=30, ge=0, description="`agreements publish` refuses an effective date fewer than this "
        "many days after the day of publication (customers must have time to read the new version).")


def load_config(root: Path) -> SiteConfig:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise AgreementsError(_("no {file} here; run the command in the project folder "
                                "or pass --root DIR").format(file=CONFIG_FILE), file=path)
    errors = ErrorCollector()
    config = validate(SourceFile(path, load_yaml(path, project_root=root)), SiteConfig, errors)
    errors.raise_if_any(f"{CONFIG_FILE} is invalid")
    return config
