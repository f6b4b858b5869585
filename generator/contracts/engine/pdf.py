"""PDF back end: lay HTML out with WeasyPrint, find signature boxes, write bytes.

Rendering (layout) and writing are separate steps so callers can inspect the
laid-out :class:`weasyprint.Document` (e.g. find signature boxes) before
writing it, and write it more than once.

Output is reproducible: WeasyPrint 70 adds no wall-clock date to the Info
dictionary (only ``<meta name="dcterms.created|modified">`` set them), font
subset prefixes are an MD5 of the Pango font description, and the ``/ID`` is
written by qpdf after the post-pass (:mod:`generator.contracts.engine.postpass`)
as an MD5 of the content. So the same HTML and metadata give byte-identical PDFs.

WeasyPrint reports problems only through the ``weasyprint`` logger (bad CSS is
a warning, an unreachable image or stylesheet an error, a failed font subset a
warning). :func:`render` and :func:`write_pdf` collect those records and, in
the default strict mode, raise :class:`AgreementsError` listing them, so a
contract is never silently printed without an image or with ignored styles.
The records still propagate to the application's logging as usual. The
progress messages (``weasyprint.progress``, INFO) are silenced.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import logging
import re
import shutil
import subprocess
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import weasyprint

from generator import caches
from generator.errors import AgreementsError
from generator.i18n import N_, _

__all__ = [
    "CJK_FONT_FAMILIES",
    "Stylesheet",
    "render",
    "require_cjk_font",
    "stylesheet",
    "weasyprint_pdf",
    "write_pdf",
]

#: The families a contract may be set in (site_config.yml's pdf.font_family).
CJK_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")

_FONT_FIX = N_("install the Debian package fonts-noto-cjk: apt-get install fonts-noto-cjk")

# Where Debian's fonts-noto-cjk puts the collections; used only when the
# fontconfig command-line tools are not installed.
_KNOWN_FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


# Info keys WeasyPrint would mangle: it silently drops every character that is
# not an ASCII letter or digit. Refuse such keys instead of renaming them.
_INFO_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_RESERVED_INFO_KEYS = frozenset(
    {"Title", "Author", "Subject", "Keywords", "Creator", "Producer",
     "CreationDate", "ModDate", "Trapped"})

_WEASYPRINT_LOGGER = logging.getLogger("weasyprint")
# Quiet: "Step 1 - Fetching and parsing HTML" etc. are INFO on this logger.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


# --------------------------------------------------------------------------
# Fonts


@functools.cache
def _installed_cjk_families() -> frozenset[str]:
    """Families among :data:`CJK_FONT_FAMILIES` that fontconfig knows (cached)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return frozenset(
            family for family, path in zip(CJK_FONT_FAMILIES, _KNOWN_FONT_FILES)
            if path.is_file())
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh-cn", "family"],
            capture_output=True, text=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # One line per face, families comma-separated: "Noto Serif CJK SC,Noto Serif CJK SC Bold"
    names = {name.strip() for line in result.stdout.splitlines() for name in line.split(",")}
    return frozenset(family for family in CJK_FONT_FAMILIES if family in names)


def require_cjk_font(family: str | None = None) -> None:
    """Raise :class:`AgreementsError` unless ``family`` (default: either Noto CJK SC) is installed.

    The positive answer is cached for the life of the process; a negative one
    is not, so the check passes once the font has been installed.
    """
    installed = _installed_cjk_families()
    if (family in installed) if family else installed:
        return
    _installed_cjk_families.cache_clear()
    wanted = repr(family) if family else " nor ".join(repr(f) for f in CJK_FONT_FAMILIES)
    raise AgreementsError(
        _("no Chinese font found: fontconfig does not know {wanted}; contracts would print empty "
          "boxes instead of Chinese text; {fix}").format(wanted=wanted, fix=_(_FONT_FIX)))


# --------------------------------------------------------------------------
# WeasyPrint log records


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_problems(step: str, strict: bool) -> Iterator[None]:
    """Collect WeasyPrint warnings and errors; raise them in strict mode.

    The handler sits on the ``weasyprint`` logger only for the duration of the
    step; records keep propagating to the application's handlers. (Records
    logged by another thread rendering at the same time are collected too.)
    """
    collector = _Collector()
    _WEASYPRINT_LOGGER.addHandler(collector)
    try:
        yield
    finally:
        _WEASYPRINT_LOGGER.removeHandler(collector)
    if strict and collector.records:
        lines = "; ".join(
            f"{r.levelname.lower()}: {r.getMessage()}" for r in collector.records)
        raise AgreementsError(
            f"WeasyPrint reported {len(collector.records)} problem(s) while {step}: "
            f"{lines}; fix the template or stylesheet (or pass strict=False)")


# --------------------------------------------------------------------------
# Rendering


def render(html: str, base_url: str | None = None, *, strict: bool = True,
           stylesheets: Iterable[Stylesheet] = ()) -> weasyprint.Document:
    """Lay ``html`` out into pages; nothing is written yet.

    ``base_url`` resolves relative links (stylesheets, images); pass the
    directory of the template, e.g. ``Path(...).as_uri() + "/"``.
    ``stylesheets`` (see :func:`stylesheet`) are applied as user stylesheets,
    in order.
    With ``strict`` (default), any warning or error WeasyPrint logs raises
    :class:`AgreementsError`.
    """
    require_cjk_font()
    with _weasyprint_problems("laying out the HTML", strict):
        return weasyprint.HTML(string=html, base_url=base_url).render(
            font_config=_font_config(), stylesheets=[sheet.css for sheet in stylesheets])


@dataclass(frozen=True)
class Stylesheet:
    """A parsed stylesheet, its text, and a key naming it (SHA-256 of the text and base URL)."""

    key: str
    text: str
    css: weasyprint.CSS


_STYLESHEETS: OrderedDict[str, Stylesheet] = OrderedDict()


def clear_stylesheets() -> None:
    """Forget the parsed stylesheets: their @font-face rules were registered in the font
    configuration they were parsed with, so they go with it (generator/caches.py)."""
    _STYLESHEETS.clear()


def stylesheet(css: str, base_url: str | None = None) -> Stylesheet:
    """``css`` parsed once per process (the last few texts are kept), for :func:`render`.

    Parsing the contract stylesheet costs more than laying out a page, so it is
    not done per document. WeasyPrint applies such a stylesheet with the
    *user* origin: above its user-agent stylesheet, below a document's own
    ``<style>`` rules. Bad CSS raises :class:`AgreementsError`.
    """
    key = hashlib.sha256(f"{base_url}\0{css}".encode()).hexdigest()
    if key in _STYLESHEETS:
        _STYLESHEETS.move_to_end(key)
        return _STYLESHEETS[key]
    with _weasyprint_problems("parsing the stylesheet", True):
        parsed = Stylesheet(key, css, weasyprint.CSS(string=css, base_url=base_url,
                                                     font_config=_font_config()))
    _STYLESHEETS[key] = parsed
    while len(_STYLESHEETS) > 16:
        _STYLESHEETS.popitem(last=False)
    return parsed


@functools.cache
def _font_config() -> weasyprint.text.fonts.FontConfiguration:
    """One font configuration (Pango font map) per process, shared by every render.

    A fresh one per document re-opens and memory-maps every font file (~100 MB
    for the Noto CJK collections) and keeps the mappings until the next cyclic
    garbage collection; a batch worker's memory then grows and falls by
    hundreds of MB. Shared, the fonts are loaded once. Only ``@font-face``
    rules add to it: the working faces (faces.py), the same in every contract.
    WeasyPrint copies them into a folder of its own, removed when the
    configuration is collected: :func:`generator.caches.release` sees to it.
    """
    from weasyprint.text.fonts import FontConfiguration
    caches.release_at_exit()
    return FontConfiguration()


# --------------------------------------------------------------------------
# Writing


def write_pdf(document: weasyprint.Document, metadata: Mapping[str, str], *,
              strict: bool = True, fields=(), variant: str | None = None,
              attachments: Iterable[weasyprint.Attachment] = ()) -> bytes:
    """``document`` as a finished PDF: :func:`weasyprint_pdf`, then the post-pass
    (:func:`generator.contracts.engine.postpass.finish`: compact fonts, signature
    ``fields`` over their boxes, a deterministic ``/ID``)."""
    from generator.contracts.engine import postpass

    return postpass.finish(weasyprint_pdf(document, metadata, strict=strict, compress=False,
                                          variant=variant, attachments=attachments),
                           fields=fields)


def weasyprint_pdf(document: weasyprint.Document, metadata: Mapping[str, str], *,
                   strict: bool = True, compress: bool = True, variant: str | None = None,
                   attachments: Iterable[weasyprint.Attachment] = ()) -> bytes:
    """Write ``document`` as PDF bytes with WeasyPrint's public ``write_pdf``, reproducibly.

    ``metadata`` becomes custom entries of the Info dictionary, e.g.
    ``{"AgreementVersion": "3.2.0", "SourceSHA256": "..."}``; keys must be
    ASCII letters and digits (PDF name-like) and must not replace the standard
    entries. They replace WeasyPrint's own custom entries, which come from
    ``<meta name=...>`` tags and are lower-cased. ``document`` is not modified
    and can be written again with the same result.

    The result is WeasyPrint's: fonts are its (large) subsets and there is no
    ``/ID``; :func:`generator.contracts.engine.postpass.finish` compacts the
    fonts and gives it a deterministic ``/ID``. Without ``compress`` the streams
    are left for that pass to compress (WeasyPrint would compress its font
    subsets, which the pass replaces). ``variant`` is WeasyPrint's ``pdf_variant``
    (e.g. ``"pdf/a-3b"``: XMP metadata, an sRGB output intent, printed annotations, each
    attachment listed in the catalog's ``/AF``); ``attachments`` are embedded files.
    """
    custom: dict[str, str] = {}
    bad = []
    for key, value in metadata.items():
        if not isinstance(key, str) or not _INFO_KEY_RE.match(key) or key in _RESERVED_INFO_KEYS:
            bad.append(repr(key))
        elif not isinstance(value, str):
            bad.append(f"{key!r} (value must be a string, not {type(value).__name__})")
        else:
            custom[key] = value
    if bad:
        raise AgreementsError(
            f"PDF metadata keys must be ASCII letters and digits, start with a letter "
            f"and not be a standard Info key: {', '.join(bad)}")

    # Write a copy: a fresh Document has a fresh font dict, so fonts are
    # subset from the original files again, and the caller's metadata object is left alone.
    to_write = document.copy()
    to_write.metadata = copy.copy(document.metadata)
    to_write.metadata.custom = custom
    with _weasyprint_problems("writing the PDF", strict):
        return to_write.write_pdf(
            custom_metadata=True,
            pdf_identifier=False,   # qpdf writes a deterministic one after the post-pass
            full_fonts=False,
            uncompressed_pdf=not compress,
            pdf_variant=variant,
            attachments=list(attachments) or None,
        )
