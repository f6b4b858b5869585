"""The content-level check: what a contract says, read from its first revision, layout aside.

When this checkout cannot rebuild a contract byte for byte (another generator
version, other templates or fonts), verify compares what determines its
content instead: the text of every clause with its numbering, which of it is
bold, and the customer's values as printed — read from the PDF (MuPDF's
structured text gives each character with its font; a face named ``…-Bold``
is the bold one) and from this checkout's rebuild of the same
version and values. Page breaks and the running footers (page numbers) are
layout, so the text is compared as one stream without whitespace.

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
import subprocess
import tempfile
from xml.etree import ElementTree  # noqa: S405 - mutool's own output, not input from outside
from dataclasses import dataclass

import pikepdf

from generator.contracts.verify.report import Check, Status
from generator.errors import AgreementsError

# Each page's footer (the contract number, then the page number) repeats with the layout,
# so it is removed before comparing: the page count is layout, not content.
_PAGE_NUMBER = r"第\d+页共\d+页"
_TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
_FILLING = frozenset({"f", "F", "f*", "B", "B*", "b", "b*"})
_WHITE = {"g": [1], "rg": [1, 1, 1], "k": [0, 0, 0, 0]}
_CONTEXT = 12


@dataclass(frozen=True)
class Reading:
    text: str    # every page's text, whitespace and page-number footers removed
    bold: str    # one character per character of ``text``: "B" bold, "." regular
    hidden: list[str]  # where text is drawn invisible or painted over


@functools.lru_cache(maxsize=8)  # the rebuild is read once however many PDFs are compared with it
def read(data: bytes, contract_number: str = "") -> Reading:
    """What the PDF ``data`` says, and where it hides text; ``contract_number``: the one in
    its running footer (contract.py writes 合同编号：NUMBER on every page)."""
    footer = "".join(f"合同编号：{contract_number}".split()) if contract_number else ""
    footers = re.compile(f"(?:{re.escape(footer)})?{_PAGE_NUMBER}" if footer else _PAGE_NUMBER)
    chars: list[str] = []
    weights: list[str] = []
    for page_chars in _pages(data):
        page_chars = [(c, bold) for c, bold in page_chars if not c.isspace()]
        plain = "".join(c for c, _ in page_chars)
        keep = [True] * len(page_chars)
        for found in footers.finditer(plain):
            keep[found.start():found.end()] = [False] * (found.end() - found.start())
        chars += [c for (c, _), k in zip(page_chars, keep) if k]
        weights += ["B" if bold else "." for (_, bold), k in zip(page_chars, keep) if k]
    return Reading("".join(chars), "".join(weights), hidden_text(data))


def _pages(data: bytes) -> list[list[tuple[str, bool]]]:
    """Each page's characters with their weight, as MuPDF extracts them (``mutool draw -F
    stext`` names the font of every run; a face named ``…-Bold`` is bold)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            result = subprocess.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", handle.name],
                                    capture_output=True, check=True, timeout=120)
        except FileNotFoundError:
            raise AgreementsError("mutool is not installed; install the Debian package "
                                  "mupdf-tools: apt-get install mupdf-tools") from None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise AgreementsError(f"mutool could not read the PDF ({type(exc).__name__}); the "
                                  "file is damaged") from None
    try:
        document = ElementTree.fromstring(result.stdout)
    except ElementTree.ParseError as exc:
        raise AgreementsError(f"MuPDF's text of the PDF cannot be read ({exc})") from None
    pages = []
    for page in document.iter("page"):
        pages.append([(char.get("c", ""), "Bold" in font.get("name", ""))
                      for font in page.iter("font") for char in font.iter("char")])
    return pages


def differences(actual: Reading, expected: Reading) -> list[str]:
    """How ``actual`` says something else than ``expected``, or makes text invisible."""
    problems = list(actual.hidden)
    if actual.text != expected.text:
        at = _first_difference(actual.text, expected.text)
        problems.append(f"the text differs from what the version and values say near "
                        f"“{expected.text[max(0, at - _CONTEXT):at + _CONTEXT]}” (the PDF has "
                        f"“{actual.text[max(0, at - _CONTEXT):at + _CONTEXT]}”)")
    elif actual.bold != expected.bold:
        at = _first_difference(actual.bold, expected.bold)
        how = "bold" if actual.bold[at:at + 1] == "B" else "not bold"
        problems.append(f"the bold spans differ: the PDF sets “{actual.text[at:at + _CONTEXT]}” "
                        f"{how}, the version does not")
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
                found.append(f"page {number} draws invisible text (text render mode 3 or 7)")
            if state["painted"]:
                found.append(f"page {number} paints white over text it has drawn")
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


def check_content(first: bytes, rebuilt: bytes, why: str, total: int, contract_number: str) -> Check:
    """The "rebuild" check at content level: ``first`` (the file's first revision) says what
    ``rebuilt`` (this checkout's contract from the same version and values) says."""
    facts = {"revisions": total, "method": "content", "why": why}
    try:
        problems = differences(read(first, contract_number), read(rebuilt, contract_number))
    except (AgreementsError, pikepdf.PdfError) as exc:
        problems = [f"its text cannot be read ({exc})"]
    if problems:
        return Check("rebuild", Status.FAIL, f"the content is not the contract its provenance "
                     f"names: {problems[0]}", problems[1:], facts)
    return Check("rebuild", Status.PASS, "content-level check: the text, numbering and bold of "
                 "every clause and the customer's values match this checkout's rebuild, and no "
                 f"text is hidden (not byte for byte: {why})", facts=facts)


def check_layout(signature: Check | None) -> Check:
    """After a content-level check: only 乙方's trusted certification vouches for the layout."""
    if signature is not None and signature.status is Status.PASS:
        return Check("layout", Status.PASS, "乙方's trusted certification signature vouches for "
                     "the layout")
    why = ("乙方 did not sign it" if signature is None else
           "乙方's signature is not trusted (give the company CA with --trust)"
           if signature.status is Status.WARN else "乙方's signature does not hold")
    return Check("layout", Status.UNCHECKED, f"content matches, layout not checked: {why}, and "
                 "this checkout cannot rebuild it byte for byte; verify it with the generator "
                 "and fonts that made it to check the layout")
