"""The visible signature: a Chinese stamp in an embedded CJK font, and PDF/A kept when signing.

乙方's signature appearance reads

    签署方：北京静觅网络科技有限公司
    签署时间：2026年12月4日 18:30（北京时间）

set in the contract's working face (:mod:`generator.contracts.engine.faces`),
which pyHanko embeds as a subset of the glyphs drawn (PDF/A wants every font
embedded, signature appearances included). With a seal image
(``site_config.yml``: ``provider.seal``, a PNG with transparency) the seal is
drawn behind the text, the way a 公章 covers the signer's name — only here, in
the appearance of a signature, so an unsigned or draft PDF never looks sealed.

pyHanko's incremental update rewrites the XMP metadata (``pdf:Producer`` becomes
pyHanko, ``xmp:ModifyDate`` the signing time) but appends to the Info
dictionary's ``/Producer``; :func:`align_producer` makes the Info entry what the
XMP says, so Info and XMP still agree (PDF/A 6.6.2.3) after every signature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pyhanko import stamp
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.text import TextBoxStyle

from generator.content.citation import chinese_date
from generator.contracts.engine import faces
from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import library_reason

__all__ = ["Appearance", "align_producer", "beijing_time", "stamp_style"]

BEIJING = ZoneInfo("Asia/Shanghai")
STAMP_TEXT = "签署方：%(party)s\n签署时间：%(when)s（北京时间）"


@dataclass(frozen=True)
class Appearance:
    """What a party's visible signature shows: its name, its font family, an optional seal."""

    party: str
    font_family: str
    seal: Path | None = None


def beijing_time(moment: dt.datetime) -> str:
    """``2026年12月4日 18:30``: a moment as people in China read it (Beijing time)."""
    local = moment.astimezone(BEIJING)
    return f"{chinese_date(local.date().isoformat())} {local:%H:%M}"


def stamp_style(appearance: Appearance, when: dt.datetime) -> tuple[stamp.TextStampStyle, dict]:
    """pyHanko's stamp style and text parameters for ``appearance`` signed at ``when``."""
    font = GlyphAccumulatorFactory(str(faces.working_face(appearance.font_family, 400).path),
                                   font_size=9)
    background = None
    if appearance.seal is not None:
        try:
            from PIL import Image

            background = PdfImage(Image.open(appearance.seal))
        except OSError as exc:
            raise AgreementsError(_("cannot read the seal image ({reason}); use a PNG file").format(
                reason=library_reason(exc)), file=appearance.seal,
                                  key="provider.seal") from None
    style = stamp.TextStampStyle(
        stamp_text=STAMP_TEXT, text_box_style=TextBoxStyle(font=font, leading=14),
        border_width=0, background=background, background_opacity=1,
        # The seal fills the box's height on the left; the text sits at the bottom left.
        background_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN,
                                              y_align=AxisAlignment.ALIGN_MID,
                                              margins=Margins(6, 6, 4, 4)),
        inner_content_layout=SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN,
                                                 y_align=AxisAlignment.ALIGN_MIN,
                                                 margins=Margins(8, 8, 8, 8)))
    return style, {"party": appearance.party, "when": beijing_time(when)}


def align_producer(writer) -> None:
    """Set the Info ``/Producer`` to what pyHanko writes into the XMP for this revision."""
    reference = writer.trailer_view.raw_get("/Info")
    if not isinstance(reference, generic.IndirectObject):
        return
    info = reference.get_object()
    info["/Producer"] = generic.TextStringObject(VENDOR)
    writer.mark_update(reference)
