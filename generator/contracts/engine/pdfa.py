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

__all__ = ["PROVENANCE_NAME", "VARIANT", "provenance_attachment"]

VARIANT = "pdf/a-3b"
PROVENANCE_NAME = "provenance.json"


def provenance_attachment(meta: Mapping[str, str], date: str) -> weasyprint.Attachment:
    """``meta`` as a JSON associated file (relationship Data), dated ``date`` (YYYY-MM-DD)."""
    day = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), tzinfo=dt.timezone.utc)
    text = json.dumps(dict(meta), ensure_ascii=False, sort_keys=True, indent=1)
    return weasyprint.Attachment(
        string=text, name=PROVENANCE_NAME, relationship="Data", created=day, modified=day,
        description="Provenance: what this document was made from (sources, values, code)")
