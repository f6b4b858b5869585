"""Is the PDF byte for byte the contract rebuilt from its sources, and if not, how does it differ?

The verdict is byte equality: contracts are byte-reproducible, so nothing
weaker is needed. The rest of this module only *explains* a difference in
the terms a reader cares about, from the outside in: the text of a page
(poppler's ``pdftotext``, an independent reader), then what is drawn
(pikepdf: the first object under a page that differs — a content stream, a
font program, an image), then the metadata, and last the file's structure.
"""

from __future__ import annotations

import functools
import io
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass

import pikepdf

from generator.errors import AgreementsError

# Keys that point back up the tree: pages are compared one by one, annotations with their page.
_BACK_LINKS = frozenset({"/Parent", "/P"})
# How a stream is compressed is not what it draws: streams are compared decoded.
_ENCODING = frozenset({"/Filter", "/DecodeParms", "/Length"})
_MAX_TEXT_DIFFERENCES = 3


def page_texts(data: bytes) -> list[str]:
    """Each page's text as poppler extracts it, whitespace removed (layout is not content)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            result = subprocess.run(["pdftotext", "-enc", "UTF-8", handle.name, "-"],
                                    capture_output=True, check=True, timeout=120)
        except FileNotFoundError:
            raise AgreementsError("pdftotext is not installed; install the Debian package "
                                  "poppler-utils: apt-get install poppler-utils") from None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            stderr = (exc.stderr or b"").decode(errors="replace").strip()
            raise AgreementsError(f"pdftotext could not read the PDF ({stderr}); the file is "
                                  "damaged") from None
    # pdftotext ends every page with a form feed.
    pages = result.stdout.decode("utf-8", errors="replace").split("\f")[:-1]
    return ["".join(page.split()) for page in pages]


@dataclass(frozen=True)
class Difference:
    reasons: list[str]  # never empty
    same_text: bool     # every page reads the same as the rebuild's


def explain(actual: bytes, expected: bytes) -> Difference:
    """Why ``actual`` is not ``expected``, most visible difference first."""
    try:
        texts = page_texts(actual)
    except AgreementsError as exc:
        return Difference([exc.message], same_text=False)
    expected_texts = _rebuild_texts(expected)
    reasons = _text_differences(texts, expected_texts)
    same_text = not reasons
    try:
        with pikepdf.open(io.BytesIO(actual)) as got, pikepdf.open(io.BytesIO(expected)) as want:
            if same_text or len(texts) == len(expected_texts):
                # name the objects: of every page when the text is the same, else of the
                # pages whose text differs
                pages = None if same_text else [n for n, (a, b) in enumerate(
                    zip(texts, expected_texts), start=1) if a != b][:_MAX_TEXT_DIFFERENCES]
                reasons += _drawing_differences(got, want, pages)
            reasons += _metadata_differences(got, want)
    except pikepdf.PdfError as exc:
        reasons.append(f"the PDF's structure is damaged ({exc})")
    except RecursionError:  # objects nested thousands deep: no generator writes that
        reasons.append("the PDF's objects are nested too deeply to compare")
    if not reasons:
        reasons.append(f"same pages, text, drawing and metadata, but the file's bytes differ "
                       f"({len(actual)} bytes, the rebuild {len(expected)}): it was re-saved or "
                       "rewritten after the generator wrote it")
    return Difference(reasons, same_text)


@functools.lru_cache(maxsize=4)
def _rebuild_texts(rebuilt: bytes) -> list[str]:
    """The rebuild's page texts, read once however many PDFs are compared with it."""
    return page_texts(rebuilt)


def _text_differences(actual: list[str], expected: list[str]) -> list[str]:
    if actual == expected:
        return []
    if len(actual) != len(expected):
        return [f"the PDF has {len(actual)} pages, the rebuilt contract {len(expected)}"]
    if sorted(actual) == sorted(expected):
        moved = [f"page {n} holds the rebuild's page {expected.index(text) + 1}"
                 for n, (text, want) in enumerate(zip(actual, expected), start=1) if text != want]
        return ["the pages are in another order: " + ", ".join(moved[:6])]
    reasons = []
    for number, (got, want) in enumerate(zip(actual, expected), start=1):
        if got != want and len(reasons) < _MAX_TEXT_DIFFERENCES:
            at = next(i for i, (x, y) in enumerate(zip(got + "\0", want + "\0")) if x != y)
            reasons.append(f"the text of page {number} differs from the rebuilt contract near "
                           f"“{want[max(0, at - 10):at + 10]}” (the PDF has “{got[max(0, at - 10):at + 10]}”)")
    return reasons


def _drawing_differences(got: pikepdf.Pdf, want: pikepdf.Pdf, pages: list[int] | None) -> list[str]:
    """Pages whose drawing differs (all, or only ``pages``), grouped by the object that differs."""
    pages_by_object: dict[str, list[int]] = defaultdict(list)
    for number, (page, rebuilt) in enumerate(zip(got.pages, want.pages), start=1):
        if pages is None or number in pages:
            found = _first_difference(page.obj, rebuilt.obj, "the page dictionary", set())
            if found:
                pages_by_object[found].append(number)
    lead = "same text, but what is drawn differs on" if pages is None else "what is drawn differs on"
    return [f"{lead} {_pages(numbers)}: {where}" for where, numbers in pages_by_object.items()]


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return "pages " + ", ".join(str(n) for n in numbers)


def _first_difference(a: pikepdf.Object, b: pikepdf.Object, what: str, seen: set,
                      owner: int | None = None) -> str | None:
    """The first object under ``a`` that differs from ``b``: what it is, the number of the
    (nearest) indirect object holding it, and how it differs."""
    def where(how: str) -> str:
        return f"{what} ({f'object {owner}' if owner else 'the page'}) {how}"

    if not (isinstance(a, pikepdf.Object) and isinstance(b, pikepdf.Object)):
        # pikepdf hands out numbers and booleans inside containers as Python values
        same = type(a) is type(b) and a == b
        return None if same else where(f"is {str(a)[:40]!r}, the rebuild's {str(b)[:40]!r}")
    if a.is_indirect:
        owner = a.objgen[0]
        if b.is_indirect:
            if (a.objgen, b.objgen) in seen:
                return None
            seen.add((a.objgen, b.objgen))
    kind = a._type_name
    if kind != b._type_name:
        return where(f"is a {kind}, the rebuild's a {b._type_name}")
    if kind in ("dictionary", "stream"):
        what = _what(a, what)
        ignored = _BACK_LINKS | (_ENCODING if kind == "stream" else frozenset())
        keys, other = set(a.keys()) - ignored, set(b.keys()) - ignored
        if keys != other:
            return where(f"has other keys than the rebuild's ({', '.join(sorted(keys ^ other))})")
        if kind == "stream" and not _same_stream(a, b):
            return where("has other data than the rebuild's")
        for key in sorted(keys):
            found = _first_difference(a[key], b[key], _child(what, key), seen, owner)
            if found:
                return found
        return None
    if kind == "array":
        if len(a) != len(b):
            return where(f"has {len(a)} entries, the rebuild's {len(b)}")
        return next((found for found in (_first_difference(x, y, what, seen, owner)
                                         for x, y in zip(a, b)) if found), None)
    mine, theirs = a.unparse(resolved=True), b.unparse(resolved=True)
    if mine != theirs:
        return where(f"is {mine[:40]!r}, the rebuild's {theirs[:40]!r}")
    return None


def _same_stream(a: pikepdf.Object, b: pikepdf.Object) -> bool:
    try:
        return a.read_bytes() == b.read_bytes()
    except pikepdf.PdfError:  # e.g. a damaged Flate stream: then the bytes as stored must match
        return a.get("/Filter") == b.get("/Filter") and a.read_raw_bytes() == b.read_raw_bytes()


def _what(obj: pikepdf.Object, what: str) -> str:
    """Name a dictionary as a reader would see it: a font, an image, a widget."""
    if obj.get("/BaseFont") is not None:
        return f"the font {str(obj.BaseFont).lstrip('/')}"
    subtype = obj.get("/Subtype")
    if subtype == "/Image":
        return "an image"
    if subtype == "/Widget":
        return f"the widget of field “{obj.get('/T', '?')}”"
    return what


def _child(what: str, key: str) -> str:
    if key == "/Contents" and what == "the page dictionary":
        return "the page's content stream"
    if key in ("/FontFile", "/FontFile2", "/FontFile3"):
        return f"{what}'s font program"
    if key == "/XObject":
        return "a drawing (Form XObject) of the page"
    return what


def _metadata_differences(got: pikepdf.Pdf, want: pikepdf.Pdf) -> list[str]:
    mine, theirs = got.docinfo, want.docinfo
    keys = sorted(set(mine.keys()) | set(theirs.keys()))
    changed = [key for key in keys if key not in mine or key not in theirs
               or mine[key].unparse(resolved=True) != theirs[key].unparse(resolved=True)]
    if not changed:
        return []
    return [f"the metadata (Info dictionary) differs: {', '.join(changed)}"]
