"""Customer files: every defect is refused with file, line and field, and nothing is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from helpers import ROOT  # noqa: E402
BAD = ROOT / "tests" / "fixtures" / "customers" / "bad"
EXAMPLE = ROOT / "customers" / "examples" / "lanzhou-data.yml"

# file → (text on the defect's line, or None when the line is not the point; key; other text)
CASES = {
    "yaml-syntax-error.yml": ("company: 上海澜舟: 数据科技有限公司", None, "YAML syntax error"),
    "unknown-key.yml": ('fax: "010-12345678"', "fax", "unknown key"),
    "missing-address.yml": (None, "address", "missing"),
    "blank-company.yml": ('company: "  "', "company", "empty"),
    "empty-personal-fields.yml": ("personal_fields: []", "consent.personal_fields", "empty"),
    "wrong-check-digit.yml": ("credit_code: 91310115MA1K4QXR7A", "credit_code", "expected K"),
    "id-path-traversal.yml": ("id: ../x", "id", ""),
    "unknown-version.yml": ("version: 2020-01-01", "version", "2020-01-01"),
    "python-tag.yml": ("!!python/object/apply:os.system", None, "Python tags are not allowed"),
    "missing-consent-placeholder.yml": (None, "consent.source_name", "required with the 信息查询核验类接口 service"),
    "unknown-consent-key.yml": ("retention: 三年", "consent.retention", "unknown placeholder"),
    # PyYAML's date constructor raised ValueError on these (a traceback)
    "impossible-signing-date.yml": ("signing_date: 2027-02-29", "signing_date", "not a date in the calendar"),
    "impossible-version-date.yml": ("version: 2021-02-30", "version", "not a date in the calendar"),
    # RecursionError before
    "deep-nesting.yml": ("purpose: [[[", "consent.purpose", "nested more than 32 levels deep"),
    "alias.yml": ("name: *person", "contact.name", "aliases (`*name`) are not allowed"),
    "huge-number.yml": ("representative: 9999", "representative", "a number of more than 100 characters"),
    "duplicate-service.yml": ("services: [sms, sms]", "services", "“sms” is listed twice"),
    "duplicate-personal-field.yml": ("personal_fields: [姓名, 身份证号码, 姓名]", "consent.personal_fields",
                                     "“姓名” is listed twice"),
    "bidi-override-email.yml": ("email:", "contact.email", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "zero-width-space-email.yml": ("email:", "contact.email", "U+200B (ZERO WIDTH SPACE)"),
    "too-many-personal-fields.yml": ("personal_fields: [字段01", "consent.personal_fields",
                                     "has 51 items, more than the 50 allowed"),
    "too-long-purpose.yml": ("purpose: 用户实名认证", "consent.purpose", "longer than the 500 characters"),
}


def main(*args: str) -> int:
    from generator.cli import main as cli_main

    return cli_main(["--root", str(ROOT), *args])


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    [number] = [i for i, line in enumerate(lines, start=1) if text in line]
    return number


def _empty(folder: Path) -> bool:
    return not folder.exists() or not any(folder.iterdir())


def test_every_bad_fixture_is_covered():
    assert sorted(p.name for p in BAD.glob("*.yml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_customer_file_is_refused(name, tmp_path, capfd):
    path = BAD / name
    marker, key, words = CASES[name]
    out = tmp_path / "out"
    assert main("contract", str(path), "--out", str(out)) == 1
    captured = capfd.readouterr()
    err = captured.err
    assert "Traceback" not in err
    assert "AGREEMENTS-PWNED" not in captured.out + err   # the Python tag did not run
    assert name in err
    if marker is not None:
        line = _line_of(path, marker)
        assert re.search(rf"{re.escape(name)}:{line}(:\d+)?: ", err), err
    else:
        assert re.search(rf"{re.escape(name)}(:\d+)*: ", err), err
    if key is not None:
        assert f": {key}: " in err, err
    assert words in err
    assert _empty(out), "nothing may be written for an invalid customer"


def test_missing_consent_placeholder_points_into_consent(tmp_path, capfd):
    path = BAD / "missing-consent-placeholder.yml"
    assert main("contract", str(path), "--out", str(tmp_path)) == 1
    err = capfd.readouterr().err
    lines = {_line_of(path, "consent:"), _line_of(path, "purpose:")}
    found = re.search(r"missing-consent-placeholder\.yml:(\d+)", err)
    assert found and int(found.group(1)) in lines, err


@pytest.mark.parametrize("field,value", [("id", "../x"), ("contract_number", "ZSY/2026"),
                                         ("contact", {"name": "李四", "phone": "call me",
                                                      "email": "li@example.com"})],
                         ids=["id", "contract_number", "phone"])
def test_pattern_errors_explain_the_field_rule(project, tmp_path, field, value):
    from generator.contracts.customers import load_customer
    from generator.errors import AgreementsError

    with pytest.raises(AgreementsError) as info:
        load_customer(_write(tmp_path, **{field: value}), project)
    message = str(info.value)
    assert field in message
    # Neither a customer id, a phone number nor a contract number is a dotted clause id.
    assert "obligations.sms.bombing" not in message and "joined by `.`" not in message, message


def test_a_batch_with_one_bad_file_writes_nothing(tmp_path, capfd):
    out = tmp_path / "out"
    code = main("contract", str(EXAMPLE), str(BAD / "wrong-check-digit.yml"), "--out", str(out))
    assert code == 1
    err = capfd.readouterr().err
    assert "wrong-check-digit.yml" in err and "Traceback" not in err
    assert _empty(out)


def test_all_problems_of_a_batch_are_reported_at_once(tmp_path, capfd):
    files = [BAD / "wrong-check-digit.yml", BAD / "unknown-key.yml", BAD / "blank-company.yml"]
    assert main("contract", *map(str, files), "--out", str(tmp_path / "out")) == 1
    err = capfd.readouterr().err
    for path in files:
        assert path.name in err
    assert "3 problems found" in err


def test_two_customers_with_the_same_id_are_refused(tmp_path, capfd):
    copy = tmp_path / "copy.yml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert main("contract", str(EXAMPLE), str(copy), "--out", str(out)) == 1
    err = capfd.readouterr().err
    assert "copy.yml" in err and ": id: " in err
    assert _empty(out)


def test_missing_customer_file(tmp_path, capfd):
    assert main("contract", str(tmp_path / "nope.yml"), "--out", str(tmp_path / "out")) == 1
    err = capfd.readouterr().err
    assert "nope.yml" in err and "Traceback" not in err


# --------------------------------------------------------------------------- load_customer


@pytest.fixture(scope="module")
def project():
    from generator.content.project import load_project

    return load_project(ROOT)


def _write(tmp_path: Path, **changes) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path = tmp_path / "customer.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_example_loads_with_its_values(project):
    from generator.contracts.customers import load_customer

    customer = load_customer(EXAMPLE, project)
    assert customer.contract_number == "ZSY-2026-0001"
    assert customer.version.date == "2021-12-20"
    assert customer.values == {"purpose": "用户实名认证",
                               "personal_fields": ("姓名", "身份证号码", "手机号码"),
                               "source_name": "某某数据服务有限公司"}
    assert customer.output_name == "lanzhou-data_2021-12-20.pdf"


def test_contract_number_is_derived_when_absent(project, tmp_path):
    from generator.contracts.customers import load_customer

    customer = load_customer(_write(tmp_path, contract_number=None), project)
    assert re.fullmatch(r"ZSY-20211220-[0-9A-F]{8}", customer.contract_number)
    again = load_customer(_write(tmp_path, contract_number=None), project)
    assert again.contract_number == customer.contract_number


def test_version_defaults_to_the_newest_published(project, tmp_path):
    from generator.contracts.customers import load_customer

    customer = load_customer(_write(tmp_path, version=None), project)
    assert customer.version == project.latest_published
    assert not customer.version.is_draft


def test_values_are_stripped_and_credit_code_upper_cased(project, tmp_path):
    from generator.contracts.customers import load_customer

    customer = load_customer(_write(tmp_path, company="  甲公司  ", credit_code="91310115ma1k4qxr7k"),
                             project)
    assert customer.data.company == "甲公司"
    assert customer.data.credit_code == "91310115MA1K4QXR7K"


@pytest.mark.parametrize("value", ["甲\n公司", "甲\t公司", "甲\u200b公司", "甲\u202e公司", "甲\x00公司"],
                         ids=["newline", "tab", "zero-width-space", "bidi-override", "nul"])
def test_invisible_characters_are_refused(project, tmp_path, value):
    from generator.contracts.customers import load_customer
    from generator.errors import AgreementsError

    with pytest.raises(AgreementsError) as info:
        load_customer(_write(tmp_path, company=value), project)
    assert "company" in str(info.value)


def test_credit_code_check_digit_of_the_example():
    from generator.contracts.customers import credit_code_check_digit

    assert credit_code_check_digit("91310115MA1K4QXR7") == "K"


@pytest.mark.parametrize("prefix", ["91310115MA1K4QXR7", "12100000400000624", "92440300MA5EXAMPL"])
def test_only_the_right_check_digit_is_accepted(prefix):
    from generator.contracts.customers import CREDIT_CODE_CHARS, _valid_credit_code, credit_code_check_digit

    prefix = "".join(c if c in CREDIT_CODE_CHARS else "0" for c in prefix)
    right = credit_code_check_digit(prefix)
    assert _valid_credit_code(prefix + right) == prefix + right
    for wrong in CREDIT_CODE_CHARS:
        if wrong != right:
            with pytest.raises(ValueError, match="check digit"):
                _valid_credit_code(prefix + wrong)


def _gb32100_check_digit(first17: str) -> str:
    """A second implementation from the standard's own definition: weight W_i = 3^(i-1) mod 31,
    C18 = 31 - (Σ C_i·W_i mod 31), where 31 is written as 0."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    total = sum(chars.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    value = 31 - total % 31
    return chars[0 if value == 31 else value]


@pytest.mark.parametrize("code", ["91310115MA1K4QX090", "91310115MA1K4QXR7K", "91440300MA5F8K2L3P"])
def test_check_digits_agree_with_the_standard_including_zero(code):
    """The first code's weighted sum is a multiple of 31: its check digit is 0 (the final
    ``% 31`` of the implementation), a case a table-driven test never reaches."""
    from generator.contracts.customers import _valid_credit_code, credit_code_check_digit

    assert credit_code_check_digit(code[:17]) == _gb32100_check_digit(code[:17]) == code[17]
    assert _valid_credit_code(code) == code


def test_two_customers_with_one_contract_number_write_nothing(tmp_path, capsys):
    from helpers import ROOT, run_cli

    example = (ROOT / "customers" / "examples" / "lanzhou-data.yml").read_text(encoding="utf-8")
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    first.write_text(example, encoding="utf-8")
    second.write_text(example.replace("id: lanzhou-data", "id: lanzhou-data-2"), encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run_cli(["--root", str(ROOT), "contract", str(first), str(second), "--out", str(out)], capsys)
    assert code == 1
    assert "b.yml" in err and "contract_number" in err and "ZSY-2026-0001" in err
    assert not out.exists()


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
