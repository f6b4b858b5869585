"""Any Unicode as a customer value: refused cleanly, or printed verbatim everywhere."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import markupsafe
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from contract_helpers import body_text, customer_yaml, pdftotext_pages, squash
from generator.errors import AgreementsError

# What the validator keeps: no control, format, surrogate, private-use, unassigned or
# line/paragraph separator characters (see generator.contracts.customers._printable).
PRINTABLE = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))

# Random on a developer's machine, to keep finding new cases; a fixed sequence in CI
# (CI=true), so that a run on main is reproducible.
FAST = settings(max_examples=150, deadline=None, database=None,
                derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.function_scoped_fixture])


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


@FAST
@given(company=st.text(), purpose=st.text())
def test_values_are_refused_cleanly_or_kept_verbatim(project, scratch, company, purpose):
    from generator.contracts.consent import consent_text
    from generator.contracts.contract import contract_html

    customer = _load(project, scratch, company, purpose)
    if customer is None:
        return
    assert customer.data.company == company.strip()
    assert customer.data.consent["purpose"] == purpose.strip()
    value = purpose.strip()
    assert value in consent_text(customer, "txt")
    assert str(markupsafe.escape(value)) in consent_text(customer, "html")
    page = contract_html(project.root, project.config, customer.version, customer)
    assert str(markupsafe.escape(company.strip())) in page


@FAST
@given(value=st.text(PRINTABLE, min_size=1))
def test_markdown_consent_round_trips(project, scratch, value):
    from generator.contracts.consent import consent_text

    customer = _load(project, scratch, "甲公司", value)
    assume(customer is not None)
    md = consent_text(customer, "md")
    # CommonMark: a backslash before ASCII punctuation stands for that character.
    import re

    unescaped = re.sub(r"""\\([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""", r"\1", md)
    import html

    unescaped = html.unescape(unescaped)  # <, &, | and ~ are written as character references
    assert customer.data.consent["purpose"] in unescaped


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # the repr of `project`
@settings(max_examples=8, deadline=None, database=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # no shrinking: each example is a 1.5 s render
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(company=st.text(PRINTABLE, min_size=1, max_size=40),
       purpose=st.text(PRINTABLE, min_size=1, max_size=40))
def test_accepted_values_render_in_the_pdf(project, scratch, company, purpose):
    from generator.contracts.contract import render_pdf

    customer = _load(project, scratch, company, purpose)
    assume(customer is not None)
    data = render_pdf(project.root, project.config, customer.version, customer)
    text = body_text(pdftotext_pages(data))
    for value in (customer.data.company, customer.data.consent["purpose"]):
        assert squash(value) in text, [f"U+{ord(c):04X}" for c in value]


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
