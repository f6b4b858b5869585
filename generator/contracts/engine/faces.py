"""Working faces: the Noto CJK faces cut down to the characters contracts use, made per process.

WeasyPrint subsets every font it embeds itself (HarfBuzz, keeping glyph ids),
and Debian 12's HarfBuzz 6 takes ~40 ms per Noto CJK face for it, because a
face keeps all 65,535 glyph slots. So contracts are not set in the system
faces directly: once per process, each face (regular and bold of
``site_config.yml``'s family) is cut with uharfbuzz to the characters of
GB 2312 (every common Chinese character), ASCII, Latin-1 and the usual
punctuation, ~8,000 glyphs, keeping every layout feature. The stylesheet
declares them with ``@font-face`` (WeasyPrint's public way to use a font
file) and names the system family after them, so a character they lack
(a rare one in a customer's name) still prints, from the system face.

Each working face is written with ``HB_SUBSET_FLAGS_CFF_IDENTITY_CHARSET``:
its CFF charset maps glyph id *n* to CID *n*. The codes WeasyPrint writes
are working glyph ids, so the compact bare CFF made after writing
(:mod:`generator.contracts.engine.compact`) keeps exactly those CIDs.
The cut is deterministic (the same system font and uharfbuzz give the same
bytes), so contracts stay byte-reproducible.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

from generator import caches
from generator.errors import AgreementsError

__all__ = ["WorkingFace", "font_face_css", "working_face", "working_faces"]

#: CSS weights of the faces made, and fontconfig's weight numbers for them.
WEIGHTS = {400: 80, 700: 200}
PREFIX = "Agreements "

# Vertical metrics and baselines: contracts are set horizontally, and every table
# WeasyPrint has to subset costs time per contract.
_DROPPED = ("vhea", "vmtx", "VORG", "BASE", "DSIG")
_DIR: list[tuple[int, Path]] = []  # (the process that made it, the folder)
_BY_PDF_NAME: dict[str, "WorkingFace"] = {}


@dataclass(frozen=True)
class WorkingFace:
    family: str            # the CSS family of the working face, e.g. "Agreements Noto Sans CJK SC"
    weight: int            # CSS weight
    path: Path             # the OpenType file of this process
    face: hb.Face          # just its CFF, maxp and head tables: what compaction cuts from

    @property
    def uri(self) -> str:
        return self.path.as_uri()


def _characters() -> list[int]:
    """GB 2312 (decoded through Python's codec), ASCII, Latin-1 and punctuation blocks."""
    chars: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    for first, last in ((0x20, 0x7E), (0xA0, 0x17F), (0x2000, 0x206F), (0x2100, 0x214F),
                        (0x2460, 0x24FF), (0x3000, 0x303F), (0xFF00, 0xFFEF)):
        chars.update(range(first, last + 1))
    return sorted(chars)


def _system_face(family: str, weight: int) -> tuple[str, int]:
    """The file and face index fontconfig picks for ``family`` at ``weight``."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise AgreementsError("fc-match not found; install the Debian package fontconfig")
    result = subprocess.run([fc_match, "-f", "%{file}\n%{index}\n%{family}",
                             f"{family}:weight={WEIGHTS[weight]}"],
                            capture_output=True, text=True, check=True, timeout=30)
    path, index, families = result.stdout.split("\n", 2)
    if family not in families.split(","):
        raise AgreementsError(f"fontconfig has no face of {family!r} (it offers {families!r}); "
                              "install the Debian package fonts-noto-cjk")
    return path, int(index)


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def _cff_only(face: hb.Face) -> hb.Face:
    """A face of just ``face``'s CFF, maxp and head tables: cutting glyphs from it does not
    close them over (nor rewrite) the layout and metrics tables, which a bare CFF does not keep."""
    tables = {tag: face.reference_table(tag).data for tag in ("CFF ", "maxp", "head")}
    cff = hb.Face.create_for_tables(lambda _face, tag, _data: tables.get(tag, b""), None)
    cff.set_get_table_tags_func(lambda _face, _data: list(tables), None)
    return cff


def _directory() -> Path:
    if not _DIR:
        _DIR.append((os.getpid(), Path(tempfile.mkdtemp(prefix="agreements-faces-"))))
        caches.release_at_exit()
    return _DIR[0][1]


def remove_working_files() -> None:
    """Remove the working faces' folder, once :func:`working_face`'s cache is empty
    (generator/caches.py); a forked child leaves its parent's folder alone."""
    if _DIR and _DIR[0][0] == os.getpid():
        shutil.rmtree(_DIR.pop()[1], ignore_errors=True)
        _BY_PDF_NAME.clear()


@functools.cache
def working_face(family: str, weight: int) -> WorkingFace:
    """The working face of ``family`` at CSS ``weight`` (400 or 700), made once per process."""
    path, index = _system_face(family, weight)
    source = hb.Face(hb.Blob.from_file_path(path), index)
    subset_input = hb.SubsetInput()
    for code in _characters():
        subset_input.unicode_set.add(code)
    subset_input.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).invert()   # every feature (tnum, vert…)
    drop = subset_input.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in _DROPPED:
        drop.add(hb.ot_tag_from_string(tag) if hasattr(hb, "ot_tag_from_string") else _tag(tag))
    subset_input.flags = (hb.SubsetFlags.CFF_IDENTITY_CHARSET | hb.SubsetFlags.DESUBROUTINIZE
                          | hb.SubsetFlags.NO_HINTING)
    cut = hb.subset(source, subset_input)
    if cut is None:
        raise AgreementsError(f"HarfBuzz could not cut {family} ({path}) to the contract's characters")
    data = cut.blob.data
    target = _directory() / f"{family.replace(' ', '')}-{weight}.otf"
    target.write_bytes(data)
    made = WorkingFace(PREFIX + family, weight, target, _cff_only(hb.Face(hb.Blob(data))))
    # WeasyPrint names a face after its Pango description: family, then the weight's name.
    _BY_PDF_NAME[made.family.replace(" ", "-") + ("-Bold" if weight == 700 else "")] = made
    return made


def by_pdf_name(name: str) -> WorkingFace | None:
    """The working face WeasyPrint writes as ``name`` (its /BaseFont without the subset tag)."""
    return _BY_PDF_NAME.get(name)


def working_faces(family: str) -> list[WorkingFace]:
    return [working_face(family, weight) for weight in WEIGHTS]


def font_face_css(family: str) -> str:
    """``@font-face`` rules of ``family``'s working faces and the ``font-family`` value using them
    (the system family after them, for the characters they lack)."""
    rules = "".join(
        f'@font-face {{ font-family: "{face.family}"; src: url("{face.uri}"); '
        f"font-weight: {face.weight}; font-style: normal; }}\n"
        for face in working_faces(family))
    return rules + f'html {{ font-family: "{PREFIX}{family}", "{family}"; }}\n' + \
        f'@page {{ font-family: "{PREFIX}{family}", "{family}"; }}\n'
