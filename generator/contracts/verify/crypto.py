"""Each signature against the shared crypto policy (:mod:`generator.crypto_policy`).

The signer refuses what this refuses, so a contract it signed always passes.
SM2/SM3 signatures are "cannot decide (unsupported algorithm SM2)": neither
valid nor altered, since nothing here can check them.
"""

from __future__ import annotations

from asn1crypto import cms
from cryptography import x509 as pyca_x509

from generator.contracts.contract import PROVIDER_FIELD
from generator.i18n import N_, _
from generator.crypto_policy import (
    UNSUPPORTED,
    Purpose,
    Unsupported,
    certificate_problem,
    hash_problem,
)
from generator.library_messages import library_reason


def purpose_of(field: str) -> Purpose:
    return (Purpose.COMPANY_CONTRACT_SIGNATURE if field == PROVIDER_FIELD
            else Purpose.CUSTOMER_CONTRACT_SIGNATURE)


def unsupported_algorithm(signed_data: cms.SignedData) -> str | None:
    """The name of an algorithm of the signature nothing here can check (SM2, SM3), or None."""
    try:
        for info in signed_data["signer_infos"]:
            for field in ("signature_algorithm", "digest_algorithm"):
                oid = info[field]["algorithm"].dotted
                if oid in UNSUPPORTED:
                    return UNSUPPORTED[oid]
        for cert in signed_data["certificates"] or []:
            key_oids = (cert.chosen.public_key["algorithm"]["algorithm"].dotted,
                        _curve(cert.chosen), cert.chosen["signature_algorithm"]["algorithm"].dotted)
            found = next((UNSUPPORTED[oid] for oid in key_oids if oid in UNSUPPORTED), None)
            if found:
                return found
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # damaged: the signature's own check says so
    return None


def _curve(cert) -> str | None:
    parameters = cert.public_key["algorithm"]["parameters"]
    try:
        return parameters.chosen.dotted if parameters.name == "named" else None
    except (AttributeError, ValueError):
        return None


def policy_problems(signed_data: cms.SignedData, field: str) -> list[str]:
    """What in the signature breaks the crypto policy: the digest, the signer's key, SHA-1 or
    MD5 anywhere in the certificates it carries."""
    try:
        return _policy_problems(signed_data, purpose_of(field))
    except (ValueError, TypeError, KeyError) as exc:  # damaged, lazily parsed ASN.1
        return [_("the signature's algorithms or certificates cannot be read ({error}): altered").format(error=library_reason(exc))]


def _policy_problems(signed_data: cms.SignedData, purpose: Purpose) -> list[str]:
    problems = []
    for info in signed_data["signer_infos"]:
        problem = hash_problem(info["digest_algorithm"]["algorithm"].native, purpose,
                               N_("its digest is"))
        try:  # e.g. sha1_rsa; EdDSA and RSASSA-PSS name no hash here
            signature_hash = info["signature_algorithm"].hash_algo
        except ValueError:
            signature_hash = None
        if signature_hash is not None:
            problem = problem or hash_problem(signature_hash, purpose, N_("its signature uses"))
        if problem:
            problems.append(problem)
    for cert in signed_data["certificates"] or []:
        if cert.name != "certificate":
            continue
        loaded = pyca_x509.load_der_x509_certificate(cert.chosen.dump())
        try:
            problem = certificate_problem(loaded, purpose)
        except Unsupported:
            continue  # reported by unsupported_algorithm
        if problem:
            problems.append(_("the certificate “{subject}” {problem}").format(subject=loaded.subject.rfc4514_string(),
                                                                               problem=problem))
    return problems
