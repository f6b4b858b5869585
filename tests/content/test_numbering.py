"""Numbers come from position and references follow their clause; the inline grammar."""

from __future__ import annotations

import re

import pytest
import yaml

from generator.content.inline import InlineSyntaxError, Run, parse_inline, split_paragraphs
from helpers import VERSION, VERSION_DIR, copy_real_project, fold, run_cli


def _load_project(root):
    from generator.content.project import load_project

    return load_project(root)


def _text(root) -> str:
    from generator.content.text import version_text

    return version_text(_load_project(root).version(VERSION))


def _edit_agreement(root, change) -> None:
    """Round-trip agreement.yml through YAML, letting ``change`` move clauses around."""
    path = root / VERSION_DIR / "agreement.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    data = yaml.safe_load("".join(lines))
    change(data)
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)
    path.write_text(lines[0] + dumped, encoding="utf-8")  # keep the schema comment


def _section(data, section_id):
    return next(s for s in data["sections"] if s["id"] == section_id)


def _take(clauses, clause_id):
    index = next(i for i, c in enumerate(clauses) if c["id"] == clause_id)
    return clauses.pop(index), index


@pytest.fixture
def project(tmp_path):
    return copy_real_project(tmp_path / "project", draft=True)


def test_draft_copy_is_valid_and_unchanged(project, capsys):
    code, out, err = run_cli(["--root", str(project), "check"], capsys)
    assert code == 0, err
    version = _load_project(project).version(VERSION)
    assert version.is_draft
    assert version.clauses["obligations.personal-info"].number == "2"


def test_round_trip_alone_changes_nothing(project):
    before = _text(project)
    _edit_agreement(project, lambda data: None)
    assert _text(project) == before


def test_swapping_two_clauses_renumbers_them_and_their_references(project):
    before = _load_project(project).version(VERSION)
    assert [c.number for c in before.clauses["obligations.personal-info"].walk()] == [
        "2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]

    def swap(data):
        clauses = _section(data, "obligations")["clauses"]
        assert [c["id"] for c in clauses[:2]] == ["obligations.liability", "obligations.personal-info"]
        clauses[0], clauses[1] = clauses[1], clauses[0]

    _edit_agreement(project, swap)
    version = _load_project(project).version(VERSION)
    moved = version.clauses["obligations.personal-info"]
    assert moved.number == "1"
    assert [c.number for c in moved.walk()] == ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    assert version.clauses["obligations.liability"].number == "2"
    assert version.clauses["obligations.personal-info.localization"].label == "1.6"

    text = _text(project)
    assert text.count("具体操作参考如上第 1 款") == 2
    assert "具体操作参考如上第 2 款" not in text
    paragraphs = [fold(p) for p in text.split("\n\n")]
    assert any(p.startswith("1. 针对所有 API 接口技术服务") for p in paragraphs)
    assert any(p.startswith("2. 用户应自行对其使用本服务") for p in paragraphs)
    assert any(p.startswith("1.1 向静觅科技提供真实合法的应用场景") for p in paragraphs)


def _add_reference_to_bombing(data):
    final = _section(data, "final")["clauses"][0]
    final["text"] += "参见第 {ref:obligations.sms.bombing} 条。"


def test_moving_a_sub_clause_gives_it_the_new_parents_prefix(project):
    _edit_agreement(project, _add_reference_to_bombing)
    assert "参见第 4.2.5 条。" in _text(project)

    def move(data):
        obligations = _section(data, "obligations")["clauses"]
        sms = next(c for c in obligations if c["id"] == "obligations.sms")
        compliance = next(c for c in sms["clauses"] if c["id"] == "obligations.sms.compliance")
        bombing, _ = _take(compliance["clauses"], "obligations.sms.bombing")
        verification = next(c for c in obligations if c["id"] == "obligations.verification")
        verification["clauses"].append(bombing)

    _edit_agreement(project, move)
    version = _load_project(project).version(VERSION)
    assert version.clauses["obligations.sms.bombing"].number == "3.3"  # the id never changes
    assert version.clauses["obligations.sms.bombing"].depth == 2
    assert version.clauses["obligations.sms.sender"].number == "4.2.5"  # closes the gap
    text = _text(project)
    assert "参见第 3.3 条。" in text
    assert "参见第 4.2.5 条。" not in text
    assert re.search(r"^3\.3 由于短信接口调用频次通常较大", text, re.M)
    assert re.search(r"^4\.2\.5 您承诺对您的软件操作人员", text, re.M)


def test_moving_a_section_renumbers_nothing_inside_it(project):
    """Clause numbers restart per section, so moving a whole section keeps them."""
    def move(data):
        sections = data["sections"]
        obligations, _ = _take(sections, "obligations")
        sections.insert(0, obligations)

    _edit_agreement(project, move)
    version = _load_project(project).version(VERSION)
    assert version.agreement.sections[0].id == "obligations"
    assert version.clauses["obligations.sms.bombing"].number == "4.2.5"


def test_a_reference_to_a_clause_removed_by_the_move_fails(project, capsys):
    def drop(data):
        _take(_section(data, "obligations")["clauses"], "obligations.personal-info")

    _edit_agreement(project, drop)
    code, out, err = run_cli(["--root", str(project), "check"], capsys)
    assert code == 1
    assert err.count("reference to unknown clause id `obligations.personal-info`") == 2
    assert "agreement.yml" in err and "Traceback" not in err


# --------------------------------------------------------------------------- parse_inline


def test_plain_text_is_one_run():
    assert parse_inline("本协议") == (Run("text", "本协议"),)


def test_bold_toggles():
    assert parse_inline("a**b**c**d**") == (
        Run("text", "a"), Run("text", "b", True), Run("text", "c"), Run("text", "d", True))


def test_escaped_asterisks_and_braces_are_literal():
    assert parse_inline(r"\*\*不是粗体\*\* \{ref:x} \\") == (Run("text", "**不是粗体** {ref:x} \\"),)


def test_escape_inside_bold_keeps_bold():
    assert parse_inline(r"**100\*%**") == (Run("text", "100*%", True),)


def test_ref_and_fill_tokens():
    runs = parse_inline("第 {ref:obligations.sms.bombing} 条，**为了{fill:purpose}**")
    assert runs == (
        Run("text", "第 "), Run("ref", "obligations.sms.bombing"), Run("text", " 条，"),
        Run("text", "为了", True), Run("fill", "purpose", True))


def test_brackets_and_html_are_literal():
    text = "【立即申请】<b>x</b> {{ jinja }} [link](x)"
    assert parse_inline(text) == (Run("text", text),)


@pytest.mark.parametrize("bad", ["{ref:Bad Id}", "{ref:}", "{fill:Purpose}", "{ref:a..b}",
                                 "{ref:obligations.sms", "{fill: purpose}"])
def test_malformed_tokens_are_refused(bad):
    with pytest.raises(InlineSyntaxError, match="malformed markup"):
        parse_inline(f"参见 {bad} 款")


def test_malformed_message_names_the_token_and_the_fix():
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline("参见 {ref:Bad Id} 款")
    assert "{ref:Bad Id}" in str(info.value)
    assert "\\{" in str(info.value)


def test_unbalanced_bold_message():
    with pytest.raises(InlineSyntaxError) as info:
        parse_inline("前文**未闭合的粗体文字很长很长")
    message = str(info.value)
    assert "unbalanced bold" in message
    assert "**未闭合的粗体" in message  # an excerpt of where it opened
    assert "\\*\\*" in message  # how to write literal asterisks


def test_three_bold_markers_are_unbalanced():
    with pytest.raises(InlineSyntaxError, match="unbalanced"):
        parse_inline("**a** **b")


# --------------------------------------------------------------------------- split_paragraphs


def test_blank_lines_separate_paragraphs():
    assert split_paragraphs("一\n\n二") == ["一", "二"]


def test_single_line_break_is_a_space():
    assert split_paragraphs("第一行\n第二行\n\n  下一段  \n") == ["第一行 第二行", "下一段"]


def test_whitespace_only_lines_and_runs_of_blank_lines():
    assert split_paragraphs("\n\na\n \t \n\n\nb\n\n") == ["a", "b"]


def test_empty_text_has_no_paragraphs():
    assert split_paragraphs("  \n\n ") == []


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
