"""The YAML reproduces the 2021-12-20 legal record: every paragraph, in order, with its bold."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from helpers import (
    ROOT,
    VERSION,
    fold,
    reference_blocks,
    reference_bold_passages,
    reference_paragraphs,
    run_cli,
)


@pytest.fixture(scope="module")
def version():
    from generator.content.project import load_project

    return load_project(ROOT).version(VERSION)


@pytest.fixture(scope="module")
def ctx(version):
    from generator.inline import InlineContext

    return InlineContext(version)


@pytest.fixture
def cli_paragraphs(capsys) -> list[str]:
    code, out, err = run_cli(["--root", str(ROOT), "text", VERSION], capsys)
    assert code == 0, err
    return [fold(p) for p in re.split(r"\n[ \t]*\n", out.strip()) if p.strip()]


def test_reference_text_is_the_recorded_file():
    """The legal record itself must not drift: tests/fixtures/README.md records its SHA-256."""
    import hashlib

    import reference

    assert hashlib.sha256(reference.REFERENCE.read_bytes()).hexdigest() == reference.REFERENCE_SHA256
    assert reference.REFERENCE_SHA256 in (reference.REFERENCE.parent / "README.md").read_text(encoding="utf-8")


def test_reference_parses_into_many_paragraphs():
    # guards the parser of the reference itself: a broken split would make the checks vacuous
    paragraphs = reference_paragraphs()
    assert len(paragraphs) > 80
    assert not any("**" in p or "\\." in p or p.startswith("#") for p in paragraphs)


def test_every_reference_paragraph_is_in_the_text(cli_paragraphs):
    missing = [p for p in reference_paragraphs() if p not in cli_paragraphs]
    assert not missing, "paragraphs of the reference missing from `agreements text`:\n" + "\n".join(
        m[:80] for m in missing)


def test_reference_paragraphs_come_in_the_same_order(cli_paragraphs):
    positions, start = [], 0
    for paragraph in reference_paragraphs():
        index = cli_paragraphs.index(paragraph, start)  # ValueError = out of order or missing
        positions.append(index)
        start = index + 1
    assert positions == sorted(positions)


def test_text_has_no_paragraph_the_reference_lacks(cli_paragraphs):
    assert cli_paragraphs == reference_paragraphs()


def test_library_and_cli_agree(version, cli_paragraphs):
    from generator.content.text import version_text

    library = [fold(p) for p in version_text(version).strip().split("\n\n")]
    assert library == cli_paragraphs


# --------------------------------------------------------------------------- bold


def _model_paragraphs(version):
    """Every paragraph of runs in the model: notice, clause titles and texts, appendices."""
    yield from version.agreement.notice
    yield version.agreement.updated
    for clause in version.all_clauses():
        if clause.title:
            yield clause.title
        yield from clause.paragraphs


def _bold_spans(runs, ctx) -> list[str]:
    """Maximal spans of consecutive bold runs, rendered as plain text (refs as numbers)."""
    from generator.inline import to_text

    spans, current = [], None
    for run in runs:
        if run.bold:
            current = (current or "") + to_text((run,), ctx)
        elif current is not None:
            spans.append(current)
            current = None
    if current is not None:
        spans.append(current)
    return [fold(s) for s in spans]


@pytest.fixture(scope="module")
def model_bold(version, ctx) -> Counter:
    return Counter(span for runs in _model_paragraphs(version) for span in _bold_spans(runs, ctx))


def test_reference_has_bold_passages():
    passages = reference_bold_passages()
    assert len(passages) >= 15
    assert any("第 2 款" in p for p in passages)  # a bold passage holding a reference


def test_every_reference_bold_passage_is_bold_in_the_model(model_bold):
    missing = [p for p in reference_bold_passages() if p not in model_bold]
    assert not missing, "bold in the reference but not in the model:\n" + "\n".join(missing)


def test_model_has_no_bold_the_reference_lacks(model_bold):
    assert model_bold == Counter(reference_bold_passages())


def test_bold_spans_end_where_the_reference_says(version, ctx):
    """obligations.entrustment mixes bold and plain: plain text must stay plain."""
    from generator.inline import to_text

    (runs,) = version.clauses["obligations.entrustment"].paragraphs
    plain = fold("".join(to_text((r,), ctx) for r in runs if not r.bold))
    assert "【行业先进】" in plain
    assert "未经您同意" not in plain


# --------------------------------------------------------------------------- structure


def test_seven_sections(version):
    headings = [strip for b in reference_blocks() if (strip := b.strip()).startswith("### ")
                and not strip.startswith("### 附录")]
    assert len(version.agreement.sections) == 7 == len(headings)
    assert [s.title for s in version.agreement.sections] == [h[4:].strip() for h in headings]


def test_prohibited_list_is_numbered_1_to_22(version):
    items = version.prohibited.clauses
    assert len(items) == 22
    assert [c.label for c in items] == [f"{n}、" for n in range(1, 23)]
    assert [c.number for c in items] == [str(n) for n in range(1, 23)]


def test_sms_sub_clauses_are_numbered(version):
    numbers = {c.number for c in version.all_clauses()}
    assert {f"4.2.{n}" for n in range(1, 7)} <= numbers
    assert "4.2.7" not in numbers
    assert version.clauses["obligations.sms.bombing"].number == "4.2.5"
    assert version.clauses["obligations.sms.bombing"].depth == 3


def test_clause_numbers_are_unique_within_each_section(version):
    for section in version.agreement.sections:
        numbers = [c.number for top in section.clauses for c in top.walk()]
        assert len(numbers) == len(set(numbers)), section.id


def test_updated_line(version, ctx):
    from generator.inline import to_text

    expected = [p for p in reference_paragraphs() if "更新日期" in p]
    assert len(expected) == 1
    assert fold(to_text(version.agreement.updated, ctx)) == expected[0]


def test_consent_placeholders_match_the_source_labels(version):
    consent_block = next(p for p in reference_paragraphs() if p.startswith("为了遵守"))
    labels = re.findall(r"【请填写[^】]*】", consent_block)
    placeholders = {p.name: p for p in version.consent.placeholders}
    assert set(placeholders) == {"purpose", "personal_fields", "source_name"}
    assert {p.unfilled for p in placeholders.values()} == set(labels)
    assert placeholders["purpose"].unfilled == "【请填写核验目的】"


def test_purpose_placeholder_is_used_twice(version):
    fills = Counter(run.value for clause in version.consent.clauses
                    for runs in clause.paragraphs for run in runs if run.kind == "fill")
    source = " ".join(reference_paragraphs())
    assert fills["purpose"] == 2 == source.count("【请填写核验目的】")
    assert fills["personal_fields"] == fills["source_name"] == 1


@pytest.mark.parametrize("literal", ["【立即申请】", "【行业先进】", "【12】", "【20】"])
def test_literal_brackets_stay_text(version, literal):
    """Source brackets that are not placeholders survive, even when a contract is filled."""
    from generator.content.text import version_text

    values = {"purpose": "实名认证", "personal_fields": ["姓名", "手机号码"], "source_name": "某运营商"}
    unfilled = version_text(version)
    filled = version_text(version, values)
    assert literal in unfilled
    assert literal in filled
    assert "【请填写" not in filled
    assert "姓名、手机号码" in filled
