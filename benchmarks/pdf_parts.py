"""What a contract's bytes are made of, and its glyph floor (read back with qpdf).

Every stream's stored (compressed) bytes are put in one part: the font programs,
their ``/ToUnicode`` maps, the pages' and forms' content, the ICC profile of the
PDF/A output intent, the XMP metadata, the embedded provenance record; the rest
of the file (dictionaries, object streams, cross-reference stream) is
"structure".

The *glyph floor* of a face is its font program holding exactly the glyphs the
pages draw (and ``.notdef``), compressed as tightly as zlib can (level 9): no
contract can embed that face in fewer bytes without dropping glyphs or
re-encoding the outlines. The contract's programs are cut to exactly those glyphs
(``glyph_usage``: embedded = drawn + ``.notdef``; where not, the row says so),
so the floor is their level-9 size; "floor + PDF/A" adds the ICC profile and the
XMP metadata PDF/A requires.
"""

from __future__ import annotations

import io
import statistics
import zlib
from collections import Counter
from pathlib import Path

PARTS = ("fonts", "text maps", "page content", "ICC profile", "XMP", "attachment", "structure")


def _font_programs(pdf) -> dict[tuple, str]:
    import pikepdf

    programs = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in obj:
                    programs[obj[key].objgen] = str(obj.get("/FontName"))
    return programs


def _named_streams(pdf) -> dict[tuple, str]:
    """objgen → part, for every stream whose part is known from where it is referenced."""
    import pikepdf

    named = {objgen: "fonts" for objgen in _font_programs(pdf)}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/ToUnicode" in obj:
            named[obj.ToUnicode.objgen] = "text maps"
    for intent in pdf.Root.get("/OutputIntents", []):
        if "/DestOutputProfile" in intent:
            named[intent.DestOutputProfile.objgen] = "ICC profile"
    if "/Metadata" in pdf.Root:
        named[pdf.Root.Metadata.objgen] = "XMP"
    return named


def parts(data: bytes) -> tuple[Counter, int]:
    """(bytes per part, glyph floor in bytes) of the PDF ``data``."""
    import pikepdf

    sizes: Counter = Counter()
    floor = 0
    with pikepdf.open(io.BytesIO(data)) as pdf:
        named = _named_streams(pdf)
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream) or obj.get("/Type") in ("/ObjStm", "/XRef"):
                continue
            size = len(obj.read_raw_bytes())
            part = named.get(obj.objgen)
            if part is None:
                part = "attachment" if obj.get("/Type") == "/EmbeddedFile" else "page content"
            sizes[part] += size
            if part == "fonts":
                floor += len(zlib.compress(obj.read_bytes(), 9))
    sizes["structure"] = len(data) - sum(sizes.values())
    return sizes, floor


def bench_parts(pdfs: list[Path]) -> list[tuple[str, str]]:
    """Median bytes per part, the median glyph floor and the contract against it."""
    results = [(len(data), *parts(data)) for data in (pdf.read_bytes() for pdf in pdfs[:50])]
    if not results:
        return []
    median = lambda values: statistics.median(values) / 1024   # noqa: E731
    size = median([total for total, _, _ in results])
    floor = median([floor for _, _, floor in results])
    pdfa = median([sizes["ICC profile"] + sizes["XMP"] for _, sizes, _ in results])
    composition = ", ".join(f"{part} {median([sizes[part] for _, sizes, _ in results]):.1f}"
                            for part in PARTS)
    return [
        ("contracts: median size by part (KiB)", composition),
        ("contracts: glyph floor (fonts holding exactly the glyphs drawn, zlib level 9)",
         f"{floor:.1f} KiB; + PDF/A (ICC, XMP) {floor + pdfa:.1f} KiB"),
        ("contracts: median size / (glyph floor + PDF/A)",
         f"{size:.1f} KiB / {floor + pdfa:.1f} KiB = {size / (floor + pdfa):.2f}×"),
    ]
