"""Any Unicode as a customer value: refused cleanly, or printed verbatim everywhere.

Each test tallies accepted and refused values over its run and asserts a minimum
share of each was accepted: a validator that refused everything would otherwise
pass every one of them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import markupsafe
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from contract_helpers import Tally, body_text, customer_yaml, pdftotext_pages, squash
from generator.errors import AgreementsError
from helpers import examples

# What the validator keeps: no control, format, surrogate, private-use, unassigned or
# line/paragraph separator characters (see generator.contracts.customers._printable).
PRINTABLE = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
# Half the values from all of Unicode (about a third of those are accepted), half from
# the characters contracts are made of: enough accepted ones to check what happens to them.
ANY_VALUE = st.text() | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E)
                                | st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5))

# Random on a developer's machine, to keep finding new cases; a fixed sequence in CI
# (CI=true), so that a run on main is reproducible.
FAST = settings(max_examples=examples(150), deadline=None, database=None,
                derandomize=bool(os.environ.get("CI")))


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _load(project, scratch: Path, company: str, purpose: str):
    """The customer, or None when refused; any exception but AgreementsError fails the test."""
    from generator.contracts.customers import load_customer

    path = scratch / "fuzz.yml"
    path.write_text(customer_yaml(company=company, consent={"purpose": purpose}), encoding="utf-8")
    try:
        return load_customer(path, project)
    except AgreementsError:
        return None


def test_values_are_refused_cleanly_or_kept_verbatim(project, scratch):
    from generator.contracts.consent import consent_text
    from generator.contracts.contract import contract_html

    tally = Tally()

    @FAST
    @given(company=ANY_VALUE, purpose=ANY_VALUE)
    def check(company, purpose):
        customer = _load(project, scratch, company, purpose)
        if not tally.add(accepted=customer is not None):
            return
        assert customer.data.company == company.strip()
        assert customer.data.consent["purpose"] == purpose.strip()
        value = purpose.strip()
        assert value in consent_text(customer, "txt")
        assert str(markupsafe.escape(value)) in consent_text(customer, "html")
        page = contract_html(project.root, project.config, customer.version, customer)
        assert str(markupsafe.escape(company.strip())) in page

    check()
    tally.assert_shares(accepted=0.2, refused=0.2, runs=examples(100))


def test_markdown_consent_round_trips(project, scratch):
    import html
    import re

    from generator.contracts.consent import consent_text

    tally = Tally()

    @FAST
    @given(value=st.text(PRINTABLE, min_size=1))
    def check(value):
        customer = _load(project, scratch, "甲公司", value)
        assume(tally.add(accepted=customer is not None))
        md = consent_text(customer, "md")
        # CommonMark: a backslash before ASCII punctuation stands for that character.
        unescaped = re.sub(r"""\\([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""", r"\1", md)
        unescaped = html.unescape(unescaped)  # <, &, | and ~ are written as character references
        assert customer.data.consent["purpose"] in unescaped

    check()
    tally.assert_shares(accepted=0.3, runs=examples(100))


def test_accepted_values_render_in_the_pdf(project, scratch):
    from generator.contracts.contract import render_pdf

    tally = Tally()

    @settings(max_examples=8, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a 1.5 s render
              suppress_health_check=[HealthCheck.filter_too_much])
    @given(company=st.text(PRINTABLE, min_size=1, max_size=40),
           purpose=st.text(PRINTABLE, min_size=1, max_size=40))
    def check(company, purpose):
        customer = _load(project, scratch, company, purpose)
        assume(tally.add(accepted=customer is not None))
        data = render_pdf(project.root, project.config, customer.version, customer)
        text = body_text(pdftotext_pages(data))
        for value in (customer.data.company, customer.data.consent["purpose"]):
            assert squash(value) in text, [f"U+{ord(c):04X}" for c in value]

    check()
    tally.assert_shares(accepted=0.15, runs=8)


def test_rare_cjk_character_renders_or_is_refused_at_load(project, scratch):
    from generator.contracts.contract import render_pdf

    customer = _load(project, scratch, "上海\U00020000数据科技有限公司", "用户实名认证")
    if customer is None:
        return  # refused up front, with the file and field: fine
    try:
        data = render_pdf(project.root, project.config, customer.version, customer)
    except AgreementsError as exc:
        pytest.fail(f"accepted at load, then failed to render: {exc}")
    assert "上海\U00020000数据科技有限公司" in body_text(pdftotext_pages(data))
