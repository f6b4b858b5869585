"""What the signer refuses in a PKCS#12 file before writing anything, by the shared crypto policy.

:mod:`generator.crypto_policy` says which keys and hashes a contract signature
may use; here a P12 is held to it: the key, every certificate's own signature
hash (SHA-1 or MD5 anywhere in the chain is refused), exactly one private
key, and no certificate that is not the signer's or one of its issuers (an
unrelated certificate would be embedded in every contract, and tells a reader
nothing true).
"""

from __future__ import annotations

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509

from generator.crypto_policy import Purpose, Unsupported, certificate_problem
from generator.i18n import _

_KEY_BAGS = frozenset({"key_bag", "pkcs8_shrouded_key_bag"})


def p12_problem(data: bytes, cert: x509.Certificate, others: list[x509.Certificate],
                purpose: Purpose = Purpose.COMPANY_CONTRACT_SIGNATURE) -> str | None:
    """Why this P12 (its bytes, signing certificate and the other certificates it holds) may
    not sign for ``purpose``, or None."""
    keys = _private_keys(data)
    if keys > 1:
        return _("holds {keys} private keys; export only the signing key with its certificate "
                 "chain").format(keys=keys)
    chain = _chain(cert, others)
    unrelated = [c for c in others if c not in chain]
    if unrelated:
        names = ", ".join(c.subject.rfc4514_string() for c in unrelated)
        return _("holds certificates unrelated to the signing certificate ({names}); export "
                 "only the signing key with its certificate chain").format(names=names)
    for which, one in [(_("the signing certificate"), cert)] + [
            (_("the CA certificate ({subject})").format(subject=c.subject.rfc4514_string()), c) for c in chain]:
        try:
            problem = certificate_problem(one, purpose)
        except Unsupported as exc:
            problem = _("uses {algorithm}, which verify cannot check").format(algorithm=exc)
        if problem:
            return _("{subject} {problem}").format(subject=which, problem=problem)
    return None


def _chain(cert: x509.Certificate, others: list[x509.Certificate]) -> list[x509.Certificate]:
    """The issuers of ``cert`` among ``others``, bottom up."""
    chain, current = [], cert
    while current.issuer != current.subject:
        # by name, and by signature where it verifies (a SHA-1 link is refused by the policy)
        named = [c for c in others if c not in chain and c.subject == current.issuer]
        parent = next((c for c in named if _issued_by(current, c)), named[0] if named else None)
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return chain


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
        return True
    except Exception:  # noqa: BLE001 - wrong key type, bad signature, unsupported algorithm
        return False


def _private_keys(data: bytes) -> int:
    """Private keys in the P12's unencrypted safe contents (where every common tool puts its
    shrouded key bags); encrypted contents hold the certificates."""
    count = 0
    try:
        safe = asn1_pkcs12.Pfx.load(data)["auth_safe"]["content"].native
        for info in asn1_pkcs12.AuthenticatedSafe.load(safe):
            if info["content_type"].native == "data":
                bags = asn1_pkcs12.SafeContents.load(info["content"].native)
                count += sum(1 for bag in bags if bag["bag_id"].native in _KEY_BAGS)
    except (ValueError, TypeError, KeyError):
        return 1  # cryptography read it: leave the structure to it
    return count

