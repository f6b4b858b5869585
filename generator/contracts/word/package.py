"""The .docx package, reproducibly: the same inputs give byte-identical files.

python-docx writes each zip entry with the current time and leaves the
template's document properties (a creation date in 2013, "python-docx" as the
author, a thumbnail of another document, "Microsoft Macintosh Word" as the
application). Here the core properties are set from the version (created and
modified on its date), the thumbnail is dropped, and the zip is written again
with fixed timestamps, attributes and entry order ([Content_Types].xml first).
The zip re-packing is hand-written because python-docx has no option for it;
app.xml is replaced as raw XML because python-docx keeps it as opaque bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from xml.sax.saxutils import escape

from generator import __version__

FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")


@dataclass(frozen=True)
class Properties:
    """What File › Properties shows; ``date`` also stamps the zip entries."""

    title: str
    author: str
    date: dt.date
    subject: str = ""
    identifier: str = ""  # a contract's 合同编号
    description: str = ""
    keywords: str = ""
    company: str = ""


def docx_bytes(document: Document, properties: Properties) -> bytes:
    """The finished .docx: properties set, thumbnail dropped, zip made reproducible."""
    _core_properties(document, properties)
    _replace_app_properties(document, properties)
    _drop_thumbnail(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalised_zip(buffer.getvalue(), properties.date)


def _core_properties(document: Document, properties: Properties) -> None:
    core = document.core_properties
    stamp = dt.datetime.combine(properties.date, dt.time(0, 0), tzinfo=dt.timezone.utc)
    core.title, core.subject = properties.title, properties.subject
    core.author = core.last_modified_by = properties.author
    core.identifier, core.comments = properties.identifier, properties.description
    core.keywords, core.language, core.category = properties.keywords, "zh-CN", ""
    core.created = core.modified = stamp
    core.revision = 1


def _replace_app_properties(document: Document, properties: Properties) -> None:
    part = document.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    part._blob = (  # a plain Part's bytes live in _blob
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>agreements {escape(__version__)}</Application>"
        f"<Company>{escape(properties.company)}</Company><DocSecurity>0</DocSecurity>"
        "</Properties>").encode("utf-8")


def _drop_thumbnail(document: Document) -> None:
    """The template's thumbnail shows another document; without a relationship it is not written."""
    rels = document.part.package.rels
    for rel_id in [key for key, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(rel_id)


def normalised_zip(data: bytes, date: dt.date) -> bytes:
    """The same entries with fixed metadata and order, so equal content gives equal bytes."""
    stamp = (date.year, date.month, date.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    order = [name for name in FIRST_ENTRIES if name in entries]
    order += sorted(name for name in entries if name not in FIRST_ENTRIES)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()
