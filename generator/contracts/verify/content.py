"""The content-level check: what a contract says, read from its first revision, layout aside.

When this checkout cannot rebuild a contract byte for byte (another generator
version, other templates or fonts), verify compares what determines its
content instead: the agreement and its appendices — the text of every clause
with its numbering, which of it is bold, the customer's values filled into
them — and the customer's values on the cover, read from the PDF (MuPDF's
XHTML output marks the runs set in a bold face) and from this checkout's
rebuild of the same version and values. The published sources and the values
themselves are held to their SHA-256 by :mod:`.provenance`. The wording the
templates generate around them (the cover's labels and date formats, the
signature page) and page breaks with their running footers are layout, so
the text is compared as one stream without whitespace.

Text can say one thing to a text extractor and show another on paper, so
the check also refuses text that is drawn invisible (render mode 3 or 7) and
a white fill painted after text on a page (covering it). What the layout
itself looks like is not checked here: only 乙方's trusted signature vouches
for it (see :func:`generator.contracts.verify.verify_contract`).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree  # noqa: S405 - mutool's own output, not input from outside

import pikepdf

from generator.contracts.verify.pdf_tools import tool_output
from generator.contracts.verify.report import Check, Status
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason

if TYPE_CHECKING:
    from generator.contracts.verify.provenance import Claim

# Each page's footer (the contract number, then the page number) repeats with the layout,
# so it is removed before comparing: the page count is layout, not content.
_PAGE_NUMBER = r"第\d+页共\d+页"
_TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
_FILLING = frozenset({"f", "F", "f*", "B", "B*", "b", "b*"})
_WHITE = {"g": [1], "rg": [1, 1, 1], "k": [0, 0, 0, 0]}
_CONTEXT = 12
_END_OF_TEXT = "（以下无正文）"
_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Reading:
    text: str    # the agreement and its appendices, whitespace and page-number footers removed
    bold: str    # one character per character of ``text``: "B" bold, "." regular
    hidden: list[str]  # where text is drawn invisible or painted over (on any page)
    cover: str = ""    # the text before the agreement: the cover the templates generate


@functools.lru_cache(maxsize=8)  # the rebuild is read once however many PDFs are compared with it
def read(data: bytes, contract_number: str = "", title: str = "") -> Reading:
    """What the PDF ``data`` says, and where it hides text; ``contract_number``: the one in
    its running footer (contract.py writes 合同编号：NUMBER on every page); ``title``: the
    agreement's, which starts its first page after the cover."""
    footer = "".join(f"合同编号：{contract_number}".split()) if contract_number else ""
    footers = re.compile(f"(?:{re.escape(footer)})?{_PAGE_NUMBER}" if footer else _PAGE_NUMBER)
    chars: list[str] = []
    weights: list[str] = []
    starts: list[int] = []
    for page_chars in _pages(data):
        page_chars = [(c, bold) for c, bold in page_chars if not c.isspace()]
        plain = "".join(c for c, _ in page_chars)
        keep = [True] * len(page_chars)
        for found in footers.finditer(plain):
            keep[found.start():found.end()] = [False] * (found.end() - found.start())
        starts.append(len(chars))
        chars += [c for (c, _), k in zip(page_chars, keep) if k]
        weights += ["B" if bold else "." for (_, bold), k in zip(page_chars, keep) if k]
    text = "".join(chars)
    start, end = _body(text, starts, "".join(title.split()))
    return Reading(text[start:end], "".join(weights)[start:end], hidden_text(data), text[:start])


def _body(text: str, starts: list[int], title: str) -> tuple[int, int]:
    """Where the agreement and its appendices are in ``text`` (pages starting at ``starts``):
    from the first page after the cover that opens with the agreement's title to the end of
    text mark (（以下无正文）, which the templates print after the last appendix). The cover and the
    signature page are generated wording, not the content the sources and values determine."""
    start = next((at for at in starts[1:] if title and text.startswith(title, at)), 0)
    end = text.rfind(_END_OF_TEXT, start)
    return start, len(text) if end < 0 else end + len(_END_OF_TEXT)


def _pages(data: bytes) -> list[list[tuple[str, bool]]]:
    """Each page's characters with their weight, as MuPDF extracts them: ``mutool draw -F
    xhtml`` marks bold runs <b> by the font's own weight and flags (stext's font names are cut
    to 31 characters, so a long ``…-Bold`` name loses its suffix there)."""
    xhtml = tool_output(data, "mutool", "mupdf-tools",
                        lambda path: ["draw", "-q", "-F", "xhtml", "-o", "-", path])
    try:
        document = ElementTree.fromstring(xhtml)
    except ElementTree.ParseError as exc:
        raise AgreementsError(_("MuPDF's text of the PDF cannot be read ({error})").format(error=library_reason(exc))) from None
    body = document.find(f"{_XHTML}body")
    return [_characters(page, False) for page in (body if body is not None else ())
            if page.tag == f"{_XHTML}div"]


def _characters(element: ElementTree.Element, bold: bool) -> list[tuple[str, bool]]:
    """The characters within ``element`` in order, each with whether a <b> holds it."""
    bold = bold or element.tag == f"{_XHTML}b"
    found = [(c, bold) for c in element.text or ""]
    for child in element:
        found += _characters(child, bold) + [(c, bold) for c in child.tail or ""]
    return found


def differences(actual: Reading, expected: Reading, values: Iterable[str] = ()) -> list[str]:
    """How ``actual`` says something else than ``expected``, or makes text invisible;
    ``values``: the customer's, each of which the cover must show where ``expected``'s does."""
    problems = list(actual.hidden)
    for value in values:
        value = "".join(value.split())
        if value and value in expected.cover and value not in actual.cover:
            problems.append(_("the cover does not show the customer's value “{value}” that its "
                              "provenance names").format(value=value))
    if actual.text != expected.text:
        at = _first_difference(actual.text, expected.text)
        problems.append(_("the text differs from what the version and values say near "
                          "“{expected}” (the PDF has “{actual}”)").format(
                              expected=expected.text[max(0, at - _CONTEXT):at + _CONTEXT],
                              actual=actual.text[max(0, at - _CONTEXT):at + _CONTEXT]))
    elif actual.bold != expected.bold:
        at = _first_difference(actual.bold, expected.bold)
        problems.append((_("the bold spans differ: the PDF sets “{text}” bold, the version does not")
                          if actual.bold[at:at + 1] == "B" else
                          _("the bold spans differ: the PDF sets “{text}” not bold, the version does not"))
                         .format(text=actual.text[at:at + _CONTEXT]))
    return problems


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def hidden_text(data: bytes) -> list[str]:
    """Pages that draw text invisible (Tr 3 or 7) or fill white after drawing text."""
    found: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            state = {"text": False, "white": False, "invisible": False, "painted": False}
            _walk(page.obj, page.obj.get("/Resources"), state, set())
            if state["invisible"]:
                found.append(_("page {number} draws invisible text (text render mode 3 or 7)").format(number=number))
            if state["painted"]:
                found.append(_("page {number} paints white over text it has drawn").format(number=number))
    return found


def _walk(holder: pikepdf.Object, resources, state: dict, seen: set) -> None:
    """Run through the operators of a page or form XObject, and the forms it draws, in order."""
    for operands, operator in pikepdf.parse_content_stream(holder):
        name = str(operator)
        if name in _TEXT_SHOWING:
            state["text"] = True
        elif name == "Tr" and operands and int(operands[0]) in (3, 7):
            state["invisible"] = True
        elif name in _WHITE:
            state["white"] = [float(v) for v in operands] == _WHITE[name]
        elif name in _FILLING and state["white"] and state["text"]:
            state["painted"] = True
        elif name == "Do" and resources is not None and "/XObject" in resources:
            form = resources.XObject.get(str(operands[0]))
            if form is not None and form.get("/Subtype") == "/Form" and form.objgen not in seen:
                seen.add(form.objgen)
                _walk(form, form.get("/Resources", resources), state, seen)


def check_content(first: bytes, rebuilt: bytes, why: str, total: int, claim: Claim) -> Check:
    """The "rebuild" check at content level: ``first`` (the file's first revision) says what
    ``rebuilt`` (this checkout's contract from the same version and values) says: the agreement
    and its appendices (each clause's text, numbering and bold) and, on the cover, the
    customer's values; the wording the templates generate around them is layout."""
    facts = {"revisions": total, "method": "content", "why": why}
    number, title = claim.customer.contract_number, claim.version.agreement.title
    try:
        problems = differences(read(first, number, title), read(rebuilt, number, title),
                               _strings(claim.customer.data.model_dump(mode="json")))
    except (AgreementsError, pikepdf.PdfError) as exc:
        problems = [_("its text cannot be read ({error})").format(error=library_reason(exc))]
    if problems:
        return Check("rebuild", Status.FAIL, _("the content is not the contract its provenance "
                     "names: {problem}").format(problem=problems[0]), problems[1:], facts)
    return Check("rebuild", Status.PASS, _("content-level check: the text, numbering and bold of "
                 "every clause and the customer's values match this checkout's rebuild, and no "
                 "text is hidden (not byte for byte: {why})").format(why=why), facts=facts)


def _strings(value: object) -> list[str]:
    """Every string in the customer's values (nested in lists and mappings)."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [text for item in items for text in _strings(item)]


def check_layout(signature: Check | None) -> Check:
    """After a content-level check: only 乙方's trusted certification vouches for the layout."""
    if signature is not None and signature.status is Status.PASS:
        return Check("layout", Status.PASS, _("乙方's trusted certification signature vouches for "
                     "the layout"))
    why = (_("乙方 did not sign it") if signature is None else
           _("乙方's signature is not trusted (give the company CA with --trust)")
           if signature.status is Status.WARN else _("乙方's signature does not hold"))
    return Check("layout", Status.UNCHECKED, _("content matches, layout not checked: {why}, and "
                 "this checkout cannot rebuild it byte for byte; verify it with the generator "
                 "and fonts that made it to check the layout").format(why=why))
