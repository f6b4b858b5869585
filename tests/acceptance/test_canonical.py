"""Our canonical JSON is RFC 8785 byte for byte: compared with the `rfc8785` package on receipts
and on arbitrary JSON (Hypothesis), control characters, quotes and CJK text included."""

from __future__ import annotations

import json

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.acceptance.canonical import canonical

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**53 + 1, 2**53 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6), inner, max_size=4),
    max_leaves=15)


@settings(max_examples=100, deadline=None, database=None)
@given(JSON)
def test_canonical_is_rfc8785(value):
    assert canonical(value) == rfc8785.dumps(value)


def test_integers_beyond_the_safe_range_are_refused_as_rfc8785_does():
    import pytest

    with pytest.raises(rfc8785.IntegerDomainError):
        canonical({"n": 2**53})


def test_a_receipt_like_document_is_rfc8785():
    document = {"b": "「用户的权利与义务」第4.2.5条\n\t\"引号\" \\ \u0001 \u2028", "a": [1, True, None, {"z": 0, "y": -7}],
                "版本": {"date": "2021-12-20"}}
    assert canonical(document) == rfc8785.dumps(document)
    assert json.loads(canonical(document)) == document
