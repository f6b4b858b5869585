"""A self-check of the PDF/A rules that generating and signing a contract can break.

veraPDF (the reference validator) cannot be installed here, so this checks,
with qpdf (pikepdf), the rules our own steps touch — WeasyPrint's PDF/A
variant, the font post-pass, the signature fields, pyHanko's incremental
updates — in every revision's final state:

* XMP metadata with ``pdfaid:part`` and ``pdfaid:conformance``;
* an output intent ``/GTS_PDFA1`` with an ICC profile (``/DestOutputProfile``);
* every font embedded, signature appearances included;
* no JavaScript, no encryption;
* every standard Info entry equal to its XMP counterpart;
* every annotation (but links and pop-ups) with a normal appearance stream,
  and printed (Print flag set; Hidden, Invisible, NoView clear);
* ``/AF`` entries well formed: file specifications with ``/F``, ``/UF``,
  an ``/AFRelationship`` PDF/A-3 knows, an embedded file with a MIME
  ``/Subtype`` and ``/Params /ModDate``; every embedded file listed in ``/AF``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pikepdf

from generator.i18n import _
from generator.library_messages import library_reason

__all__ = ["PdfaReport", "check_pdfa"]

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_NS = {"pdfaid": "http://www.aiim.org/pdfa/ns/id/", "dc": "http://purl.org/dc/elements/1.1/",
       "pdf": "http://ns.adobe.com/pdf/1.3/", "xmp": "http://ns.adobe.com/xap/1.0/"}
# Info key → (XMP property, kind)
_INFO_XMP = {"/Title": ("dc:title", "alt"), "/Author": ("dc:creator", "seq"),
             "/Subject": ("dc:description", "alt"), "/Keywords": ("pdf:Keywords", "text"),
             "/Creator": ("xmp:CreatorTool", "text"), "/Producer": ("pdf:Producer", "text"),
             "/CreationDate": ("xmp:CreateDate", "date"), "/ModDate": ("xmp:ModifyDate", "date")}
_RELATIONSHIPS = {"/Source", "/Data", "/Alternative", "/Supplement", "/EncryptedPayload",
                  "/FormData", "/Schema", "/Unspecified"}
_PRINT, _HIDDEN, _INVISIBLE, _NOVIEW = 4, 2, 1, 32


@dataclass
class PdfaReport:
    part: str | None = None
    conformance: str | None = None
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {"ok": self.ok, "part": self.part, "conformance": self.conformance,
                "problems": self.problems, "checked": self.checked}

    def to_text(self) -> str:
        head = f"PDF/A-{self.part or '?'}{(self.conformance or '?').lower()}"
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        verdict = _("passes the self-check") if self.ok else _("FAILS the self-check")
        lines = [f"{head}: {verdict} ({counts})"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines) + "\n"


def _xmp_tree(pdf: pikepdf.Pdf, report: PdfaReport):
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        report.problems.append(_("no XMP metadata stream in the catalog (/Metadata)"))
        return None
    try:
        return ET.fromstring(re.sub(rb"<\?xpacket[^>]*\?>", b"", stream.read_bytes()).strip())
    except ET.ParseError as exc:
        report.problems.append(_("the XMP metadata is not well-formed XML: {error}").format(error=library_reason(exc)))
        return None


def _xmp_value(tree, prop: str, kind: str) -> str | None:
    prefix, name = prop.split(":")
    qualified = f"{{{_NS[prefix]}}}{name}"
    for description in tree.iter(f"{_RDF}Description"):
        if qualified in description.attrib:
            return description.attrib[qualified]
        element = description.find(qualified)
        if element is None:
            continue
        if kind in ("alt", "seq"):
            items = [li.text or "" for li in element.iter(f"{_RDF}li")]
            return ", ".join(items) if kind == "seq" else (items[0] if items else "")
        return element.text or ""
    return None


def _check_identification(tree, report: PdfaReport) -> None:
    report.part = _xmp_value(tree, "pdfaid:part", "text")
    report.conformance = _xmp_value(tree, "pdfaid:conformance", "text")
    if report.part not in ("1", "2", "3", "4"):
        report.problems.append(_("XMP pdfaid:part is {part!r}, not a PDF/A part").format(part=report.part))
    if report.part != "4" and (report.conformance or "").upper() not in ("A", "B", "U"):
        report.problems.append(_("XMP pdfaid:conformance is {level!r}, not A, B or U").format(
            level=report.conformance))


def _pdf_date(value: str) -> dt.datetime | None:
    match = re.match(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?(Z|[+-]\d\d'?\d\d'?)?", value)
    if not match:
        return None
    parts = [int(p) if p else d for p, d in zip(match.groups()[:6], (0, 1, 1, 0, 0, 0))]
    zone = (match.group(7) or "Z").replace("'", "")
    offset = dt.timedelta(0) if zone == "Z" else \
        (1 if zone[0] == "+" else -1) * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5] or 0))
    return dt.datetime(*parts, tzinfo=dt.timezone(offset))


def _xmp_date(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _check_info_matches_xmp(pdf: pikepdf.Pdf, tree, report: PdfaReport) -> None:
    info = pdf.trailer.get("/Info")
    if info is None:
        return
    for key, (prop, kind) in _INFO_XMP.items():
        if key not in info:
            continue
        value, xmp = str(info[key]), _xmp_value(tree, prop, kind)
        if kind == "date":
            same = xmp is not None and _pdf_date(value) == _xmp_date(xmp) is not None
        else:
            same = xmp == value
        if not same:
            report.problems.append(_("Info {key} {value!r} differs from XMP {property} {xmp!r}").format(
                key=key[1:], value=value, property=prop, xmp=xmp))


def _check_output_intent(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFA1"]
    if not intents:
        report.problems.append(_("no PDF/A output intent (/OutputIntents with /S /GTS_PDFA1)"))
    for intent in intents:
        profile = intent.get("/DestOutputProfile")
        if not isinstance(profile, pikepdf.Stream) or "/N" not in profile:
            report.problems.append(_("the PDF/A output intent has no ICC profile stream with /N"))
        elif profile.read_bytes()[36:40] != b"acsp":
            report.problems.append(_("the output intent's profile is not an ICC profile"))


def _check_font(font, report: PdfaReport) -> None:
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return
    described = font.DescendantFonts[0] if subtype == "/Type0" else font
    descriptor = described.get("/FontDescriptor")
    if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        report.problems.append(_("font {name} is not embedded").format(name=font.get("/BaseFont")))


def _check_annotation(annot, page_number: int, report: PdfaReport) -> None:
    subtype = annot.get("/Subtype")
    if subtype == "/Popup":
        return
    flags = int(annot.get("/F", 0))
    label = _("{subtype} annotation on page {page}").format(subtype=subtype, page=page_number)
    if not flags & _PRINT or flags & (_HIDDEN | _INVISIBLE | _NOVIEW):
        report.problems.append(_("{annotation} is not printed (flags {flags})").format(annotation=label, flags=flags))
    if subtype == "/Link":
        return
    appearance = annot.get("/AP")
    if appearance is None or not isinstance(appearance.get("/N"), pikepdf.Object) or \
            set(appearance.keys()) - {"/N"}:
        report.problems.append(_("{annotation} has no normal appearance stream (/AP /N only)").format(
            annotation=label))
    elif annot.get("/FT") != "/Btn" and not isinstance(appearance.N, pikepdf.Stream):
        report.problems.append(_("{annotation}'s appearance /N is not a stream").format(annotation=label))


def _check_associated_files(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    listed = list(pdf.Root.get("/AF", []))
    for spec in listed:
        name = str(spec.get("/UF", spec.get("/F", "?")))
        missing = [k for k in ("/F", "/UF", "/AFRelationship", "/EF") if k not in spec]
        if missing:
            report.problems.append(_("associated file {name} lacks {keys}").format(
                name=name, keys=", ".join(missing)))
            continue
        if str(spec.AFRelationship) not in _RELATIONSHIPS:
            report.problems.append(_("associated file {name}: unknown AFRelationship {relationship}").format(
                name=name, relationship=spec.AFRelationship))
        stream = spec.EF.get("/F")
        if not isinstance(stream, pikepdf.Stream) or "/Subtype" not in stream or \
                "/ModDate" not in stream.get("/Params", {}):
            report.problems.append(_("associated file {name}: its embedded file needs a MIME "
                                     "/Subtype and /Params /ModDate").format(name=name))
    keys = {spec.objgen for spec in listed if spec.is_indirect}
    names = pdf.Root.get("/Names", {}).get("/EmbeddedFiles", {}).get("/Names", [])
    for spec in list(names)[1::2]:
        if spec.objgen not in keys:
            report.problems.append(_("embedded file {name} is not listed in /AF").format(name=spec.get("/UF", "?")))
    report.checked["associated files"] = len(listed)


def _dictionaries(obj, depth: int = 0):
    """``obj`` (a dictionary, stream or array) and the direct dictionaries inside it."""
    if depth > 32:
        return
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        yield obj
        children = obj.values()
    elif isinstance(obj, pikepdf.Array):
        children = obj
    else:
        return
    for child in children:
        if isinstance(child, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) \
                and not child.is_indirect:
            yield from _dictionaries(child, depth + 1)


def _check_objects(pdf: pikepdf.Pdf, report: PdfaReport) -> None:
    """Every object, and the direct dictionaries inside it (pyHanko writes an appearance's
    font, and viewers' actions are often written, as direct objects)."""
    fonts = 0
    for obj in pdf.objects:
        for dictionary in _dictionaries(obj):
            if dictionary.get("/Type") == "/Font" and \
                    dictionary.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2"):
                fonts += 1
                _check_font(dictionary, report)
            if dictionary.get("/S") == "/JavaScript" or "/JS" in dictionary or \
                    "/JavaScript" in dictionary:
                report.problems.append(_("JavaScript in object {number}").format(number=obj.objgen[0]))
    report.checked["fonts"] = fonts


def check_pdfa(data: bytes) -> PdfaReport:
    """Check the PDF ``data`` (its latest revision) against the rules listed above."""
    report = PdfaReport()
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        report.problems.append(_("the PDF is encrypted"))
        return report
    with pdf:
        if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
            report.problems.append(_("the PDF is encrypted"))
        tree = _xmp_tree(pdf, report)
        if tree is not None:
            _check_identification(tree, report)
            _check_info_matches_xmp(pdf, tree, report)
        _check_output_intent(pdf, report)
        _check_objects(pdf, report)
        annotations = 0
        for number, page in enumerate(pdf.pages, 1):
            for annot in page.obj.get("/Annots", []):
                annotations += 1
                _check_annotation(annot, number, report)
        report.checked["annotations"] = annotations
        if "/AA" in pdf.Root:
            report.problems.append(_("the catalog has additional actions (/AA)"))
        _check_associated_files(pdf, report)
    return report
