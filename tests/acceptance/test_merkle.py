"""The Merkle log against RFC 9162's own recursive definitions (written out here, independently):
roots, inclusion and consistency proofs for every size up to 33, and wrong proofs refused."""

from __future__ import annotations

import hashlib

from generator.acceptance.merkle import MerkleLog, consistent, root_from_inclusion


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, recursively, with its own hashing (0x00 leaf, 0x01 node)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n])."""
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


LEAVES = [f"leaf {i}".encode() for i in range(33)]
LOG = MerkleLog(hashlib.sha256(b"\x00" + leaf).digest() for leaf in LEAVES)


def test_roots_and_inclusion_proofs_match_the_rfc():
    for size in range(1, len(LEAVES) + 1):
        assert LOG.root(size) == mth(LEAVES[:size])
        for index in range(size):
            proof = LOG.inclusion_proof(index, size)
            assert proof == path(index, LEAVES[:size])
            leaf = hashlib.sha256(b"\x00" + LEAVES[index]).digest()
            assert root_from_inclusion(index, size, leaf, proof) == mth(LEAVES[:size])
            other = hashlib.sha256(b"\x00" + b"forged").digest()
            assert root_from_inclusion(index, size, other, proof) != mth(LEAVES[:size])


def test_consistency_proofs_hold_and_wrong_ones_do_not():
    for new in range(1, len(LEAVES) + 1):
        for old in range(1, new + 1):
            proof = LOG.consistency_proof(old, new)
            assert consistent(old, new, mth(LEAVES[:old]), mth(LEAVES[:new]), proof)
            if old < new:
                rewritten = mth([b"rewritten"] + LEAVES[1:old])
                assert not consistent(old, new, rewritten, mth(LEAVES[:new]), proof)
                assert not consistent(old, new, mth(LEAVES[:old]), mth(LEAVES[:new]), proof[:-1])


def test_a_failed_group_is_cut_back():
    log = MerkleLog(hashlib.sha256(b"\x00" + leaf).digest() for leaf in LEAVES[:20])
    log.truncate(13)
    assert log.size == 13 and log.root() == mth(LEAVES[:13])
    log.append(hashlib.sha256(b"\x00" + LEAVES[13]).digest())
    assert log.root() == mth(LEAVES[:14])
