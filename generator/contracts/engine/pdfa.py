"""PDF/A-3b for contracts and version PDFs, through WeasyPrint's own ``pdf_variant``.

PDF/A-3 (ISO 19005-3; GB/T 23286.3-2021 is the same standard) lets a PDF carry
the data it was made from as an *associated file*: the provenance record
(:func:`generator.contracts.contract.provenance`) is embedded as
``provenance.json`` with ``/AFRelationship /Data`` and listed in the catalog's
``/AF``. Every date WeasyPrint writes for it (the embedded file's
``/Params /CreationDate`` and ``/ModDate``) is the version's date, never the
clock, so an unsigned contract stays byte-reproducible.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

import weasyprint

__all__ = ["PROVENANCE_NAME", "TAGGED_VARIANT", "VARIANT", "provenance_attachment"]

VARIANT = "pdf/a-3b"
#: Version PDFs (the site's downloads) are tagged too: PDF/A-3a is PDF/A-3b with a logical
#: structure (headings, paragraphs, lists, reading order) for screen readers. WeasyPrint's
#: PDF/UA-1 is a variant of its own and cannot be combined with PDF/A in one file; archival
#: comes first, so the site's PDFs are PDF/A-3a (tagged), contracts PDF/A-3b (their pages
#: drawn from shared forms carry no structure).
TAGGED_VARIANT = "pdf/a-3a"
PROVENANCE_NAME = "provenance.json"


def provenance_attachment(meta: Mapping[str, str], date: str) -> weasyprint.Attachment:
    """``meta`` as a JSON associated file (relationship Data), dated ``date`` (YYYY-MM-DD)."""
    day = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), tzinfo=dt.timezone.utc)
    text = json.dumps(dict(meta), ensure_ascii=False, sort_keys=True, indent=1)
    return weasyprint.Attachment(
        string=text, name=PROVENANCE_NAME, relationship="Data", created=day, modified=day,
        description="Provenance: what this document was made from (sources, values, code)")
