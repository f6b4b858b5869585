"""pyHanko's validation verdicts, said in the reader's language.

pyHanko reports why a signature is not trusted as an AdES sub-indication
(ETSI EN 319 102-1: ``NO_CERTIFICATE_CHAIN_FOUND``, ``REVOKED``, …) and what
changed after it as a ``ModificationLevel``; their names are English
identifiers. Each gets a message of ours; an indication pyHanko adds later is
shown by its name (an identifier, not a sentence) with a general message.
"""

from __future__ import annotations

from generator.i18n import N_, _

TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": N_("no chain of certificates leads to a trusted root"),
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": N_("the chain of certificates does not validate"),
    "CHAIN_CONSTRAINTS_FAILURE": N_("a certificate of the chain breaks its issuer's constraints"),
    "SIG_CONSTRAINTS_FAILURE": N_("the signature does not meet the validation constraints"),
    "CRYPTO_CONSTRAINTS_FAILURE": N_("an algorithm or key of the chain is too weak"),
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": N_("an algorithm or key of the chain is too weak, and nothing "
                                            "proves the signature predates that"),
    "EXPIRED": N_("the certificate has expired"),
    "NOT_YET_VALID": N_("the certificate was not valid yet"),
    "REVOKED": N_("the certificate has been revoked"),
    "REVOKED_NO_POE": N_("the certificate has been revoked, and nothing proves the signature predates that"),
    "REVOKED_CA_NO_POE": N_("a CA certificate of the chain has been revoked, and nothing proves the "
                            "signature predates that"),
    "OUT_OF_BOUNDS_NO_POE": N_("the signing time is outside the certificate's validity, and nothing "
                               "proves otherwise"),
    "OUT_OF_BOUNDS_NOT_REVOKED": N_("the signing time is outside the certificate's validity"),
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": N_("the revocation information is too old or too new for the "
                                          "signing time"),
    "NO_POE": N_("nothing proves when the signature existed"),
    "TRY_LATER": N_("the revocation information is not available yet; try again later"),
    "NO_SIGNING_CERTIFICATE_FOUND": N_("the signer's certificate is not in the signature"),
    "SIGNED_DATA_NOT_FOUND": N_("the signed data cannot be found"),
    "TIMESTAMP_ORDER_FAILURE": N_("the timestamps are in an impossible order"),
    "POLICY_PROCESSING_ERROR": N_("the signature policy cannot be processed"),
    "SIGNATURE_POLICY_NOT_AVAILABLE": N_("the signature policy is not available"),
    "FORMAT_FAILURE": N_("the signature is not in a format that can be validated"),
    "HASH_FAILURE": N_("the signed bytes were changed after signing"),
    "SIG_CRYPTO_FAILURE": N_("the signature value does not verify with the signer's certificate"),
    "GENERIC": N_("the certificate cannot be validated"),
}

MODIFICATION_LEVELS = {
    "NONE": N_("none"),
    "LTA_UPDATES": N_("validation data only (certificates, revocation data, timestamps)"),
    "FORM_FILLING": N_("form filling and signing"),
    "ANNOTATIONS": N_("form filling, signing and annotations"),
    "OTHER": N_("other changes"),
}

# RFC 5280 §5.3.1's CRLReason (also OCSP's revocationReason), by asn1crypto's native names.
REVOCATION_REASONS = {
    "unspecified": N_("no reason given"),
    "key_compromise": N_("the private key was compromised"),
    "ca_compromise": N_("the certification authority was compromised"),
    "affiliation_changed": N_("the holder's affiliation changed"),
    "superseded": N_("the certificate was superseded"),
    "cessation_of_operation": N_("the holder ceased operation"),
    "certificate_hold": N_("the certificate is on hold"),
    "remove_from_crl": N_("removed from the CRL"),
    "privilege_withdrawn": N_("the privilege was withdrawn"),
    "aa_compromise": N_("the attribute authority was compromised"),
}


def revocation_reason(reason) -> str:
    """Why a certificate was revoked (asn1crypto's ``CRLReason``), for people."""
    name = getattr(reason, "native", reason)
    message = REVOCATION_REASONS.get(name)
    return _(message) if message else str(name)


def trust_problem(indication) -> str:
    """Why pyHanko does not trust a signature (an ``AdESSubIndic``, or None)."""
    if indication is None:
        return _("no path to a trusted root")
    name = getattr(indication, "name", str(indication))
    message = TRUST_PROBLEMS.get(name)
    return _(message) if message else _("the certificate cannot be validated ({indication})").format(
        indication=name)


def modification_level(level) -> str | None:
    """What changed after a signature (a ``ModificationLevel``), for people."""
    if level is None:
        return None
    message = MODIFICATION_LEVELS.get(level.name)
    return _(message) if message else level.name.lower()
