"""LibreOffice as an independent Word client for the tests: convert, then read what it made.

The conversions go through the session's one LibreOffice (the ``office`` fixture, tests/office.py),
which reports a file it cannot load as an error instead of exiting 0 as ``--convert-to`` does.
"""

from __future__ import annotations

import html.parser
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import xml.etree.ElementTree as ET

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


def convert(office, files: list[Path], fmt: str, out: Path) -> dict[Path, Path]:
    """Convert every file with the running LibreOffice; source → converted file."""
    return {source: office.writer(source, fmt, out) for source in files}


def text_lines(txt: Path) -> list[str]:
    """The paragraphs of a Text export (one per line), empty lines dropped."""
    text = txt.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return [line for line in text.split("\n") if line.strip()]


# --------------------------------------------------------------------------- ODT

T = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
_BREAK = object()


def odt_content(odt: Path) -> ET.Element:
    with zipfile.ZipFile(odt) as package:
        return ET.fromstring(package.read("content.xml"))


def local_name(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def tracked_changes(odt: Path) -> dict[str, str]:
    """Change id → its kind (insertion, deletion, format-change), as LibreOffice recorded them."""
    regions = odt_content(odt).iter(T + "changed-region")
    return {r.get(T + "id"): local_name(r[0]) for r in regions}


def odt_paragraphs(odt: Path, view: str) -> list[str]:
    """The text as it reads after accepting (``accept``) or rejecting (``reject``) every change.

    In ODF the document body holds the text with insertions; a deletion's text
    lives in ``text:tracked-changes`` and the body keeps a ``text:change`` mark
    where it was (ODF 1.2, 5.5). A deletion holding several paragraphs joins its
    first and last with the text around the mark.
    """
    root = odt_content(odt)
    body = root.find(f".//{OFFICE}text")
    regions = {r.get(T + "id"): r[0] for r in root.iter(T + "changed-region")}
    tokens: list = []
    skipping = [False]

    def emit(value) -> None:
        if not skipping[0]:
            tokens.append(value)

    def walk(element) -> None:
        if element.text:
            emit(element.text)
        for child in element:
            _visit(child)
            if child.tail:
                emit(child.tail)

    def _visit(child) -> None:
        tag = child.tag
        kind = local_name(regions[child.get(T + "change-id")]) if child.get(T + "change-id") else None
        if tag == T + "tracked-changes":
            return
        if tag == T + "change-start" and kind == "insertion" and view == "reject":
            skipping[0] = True
        elif tag == T + "change-end" and kind == "insertion" and view == "reject":
            skipping[0] = False
        elif tag == T + "change" and kind == "deletion" and view == "reject":
            deleted = [p for p in regions[child.get(T + "change-id")] if p.tag in (T + "p", T + "h")]
            for index, paragraph in enumerate(deleted):
                if index:
                    emit(_BREAK)
                walk(paragraph)
        elif tag == T + "s":
            emit(" " * int(child.get(T + "c", "1")))
        elif tag == T + "tab":
            emit("\t")
        elif tag in (T + "p", T + "h"):
            walk(child)
            emit(_BREAK)
        else:
            walk(child)

    walk(body)
    paragraphs, current = [], []
    for token in tokens:
        if token is _BREAK:
            paragraphs.append("".join(current))
            current = []
        else:
            current.append(token)
    return paragraphs


def odt_headings(odt: Path) -> list[tuple[int, str]]:
    """(outline level, text) of every heading, as a navigator or table of contents sees them."""
    return [(int(h.get(T + "outline-level", "1")), "".join(h.itertext()))
            for h in odt_content(odt).iter(T + "h")]


def odt_links(odt: Path) -> list[tuple[str, str]]:
    """(target, text) of every link."""
    return [(a.get(XLINK + "href"), "".join(a.itertext())) for a in odt_content(odt).iter(T + "a")]


def odt_bookmarks(odt: Path) -> set[str]:
    root = odt_content(odt)
    return {b.get(T + "name") for b in root.iter() if b.tag in (T + "bookmark-start", T + "bookmark")}


# --------------------------------------------------------------------------- HTML


class _BoldSpans(html.parser.HTMLParser):
    """Maximal bold stretches of each body paragraph (<p>) in LibreOffice's HTML export."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[str] = []
        self._bold = 0
        self._in_p = False
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self._in_p, self._current = True, None
        elif tag in ("b", "strong"):
            self._bold += 1

    def handle_endtag(self, tag):
        if tag in ("b", "strong"):
            self._bold -= 1
        elif tag == "p":
            self._close()
            self._in_p = False

    def handle_data(self, data):
        data = data.replace("\n", " ")  # LibreOffice wraps its lines at spaces
        if not self._in_p:
            return
        if self._bold:
            self._current = (self._current or "") + data
        elif data.strip():  # white space between two bold runs does not end the passage
            self._close()

    def _close(self):
        if self._current is not None:
            self.spans.append(self._current)
        self._current = None


def html_bold_spans(page: Path) -> list[str]:
    parser = _BoldSpans()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parser.spans


# --------------------------------------------------------------------------- accept / reject in LibreOffice

# A Basic macro in the private profile: LibreOffice itself accepts or rejects every tracked
# change (.uno:AcceptAllTrackedChanges / RejectAllTrackedChanges) and saves what is left as
# text and HTML. Unlike reading the ODT, this lets LibreOffice compute automatic numbering
# and apply (or undo) the formatting changes the way its users see them.
_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Checks" script:language="StarBasic">
Sub Review(sources As String, outdir As String)
  Dim names
  names = Split(sources, "|")
  Dim i As Integer
  For i = 0 To UBound(names)
    ReviewOne(names(i), "accept", outdir &amp; "/" &amp; i &amp; ".accept")
    ReviewOne(names(i), "reject", outdir &amp; "/" &amp; i &amp; ".reject")
  Next i
End Sub

Sub ReviewOne(source As String, mode As String, stem As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, args())
  helper = createUnoService("com.sun.star.frame.DispatchHelper")
  frame = doc.getCurrentController().getFrame()
  If mode = "accept" Then
    helper.executeDispatch(frame, ".uno:AcceptAllTrackedChanges", "", 0, Array())
  Else
    helper.executeDispatch(frame, ".uno:RejectAllTrackedChanges", "", 0, Array())
  End If
  Dim f(1) As New com.sun.star.beans.PropertyValue
  f(0).Name = "FilterName"
  f(0).Value = "Text (encoded)"
  f(1).Name = "FilterOptions"
  f(1).Value = "UTF8"
  doc.storeToURL(ConvertToURL(stem &amp; ".txt"), f())
  f(0).Value = "HTML (StarWriter)"
  doc.storeToURL(ConvertToURL(stem &amp; ".html"), f())
  doc.close(True)
End Sub
</script:module>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Checks"/>
</library:library>
"""


def _private_profile(source: Path, out: Path) -> Path:
    """A LibreOffice profile of the review's own, made by running it once (its macro goes in the
    profile, so the review cannot use the session's long-lived LibreOffice)."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / ".profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(out), str(source)],
                   capture_output=True, text=True, timeout=300, check=True)
    return profile


def review(files: list[Path], out: Path) -> dict[tuple[Path, str], tuple[Path, Path]]:
    """Accept and reject every change of each file in LibreOffice (one run for all of them);
    (source, "accept" | "reject") → (its text export, its HTML export)."""
    profile = _private_profile(files[0], out / "profile-setup")
    library = profile / "user" / "basic" / "Standard"
    (library / "Checks.xba").write_text(_MACRO, encoding="utf-8")
    (library / "script.xlb").write_text(_LIBRARY, encoding="utf-8")
    sources = "|".join(str(f) for f in files)
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         f'macro:///Standard.Checks.Review("{sources}","{out}")'],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for index, source in enumerate(files):
        for mode in ("accept", "reject"):
            pair = (out / f"{index}.{mode}.txt", out / f"{index}.{mode}.html")
            assert all(p.is_file() and p.stat().st_size for p in pair), (pair, result.stderr)
            found[(source, mode)] = pair
    return found


def reviewed_lines(txt: Path) -> list[str]:
    """The paragraphs of a text export, as `agreements text` writes them.

    LibreOffice's text export indents a list item by its level and always writes a space
    after its number, even when the list says nothing follows it (1、反对… reads 1、 反对…):
    both are undone here; the numbers themselves are LibreOffice's own count.
    """
    return [re.sub(r"^(\d+、) ", r"\1", line.strip()) for line in text_lines(txt)]
