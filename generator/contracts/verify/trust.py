"""The roots a signature may chain up to: certificates given with ``verify --trust FILE``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from asn1crypto import pem, x509

from generator.errors import AgreementsError
from generator.i18n import _, os_reason


def load(paths: Sequence[Path]) -> list[x509.Certificate]:
    """Every certificate in the PEM (one or more) or DER files at ``paths``."""
    roots = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise AgreementsError(_("cannot read the trusted certificate: {reason}").format(reason=os_reason(exc)),
                                  file=path, key="--trust") from None
        try:
            if pem.detect(data):
                certs = [x509.Certificate.load(der) for kind, _headers, der in pem.unarmor(data, multiple=True)
                         if kind == "CERTIFICATE"]
            else:
                certs = [x509.Certificate.load(data)]
            for cert in certs:
                cert.native  # noqa: B018 - parse now: asn1crypto parses lazily
        except (ValueError, TypeError):
            certs = []
        if not certs:
            raise AgreementsError(_("no X.509 certificate in this file; give the CA certificate "
                                    "as PEM (-----BEGIN CERTIFICATE-----) or DER"), file=path,
                                  key="--trust")
        roots.extend(certs)
    return roots
