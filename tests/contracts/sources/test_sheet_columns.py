"""The sheet's columns are the issue's header table, and each stands for a real customer-file key."""

from __future__ import annotations

import datetime as dt

import pytest

from sheet_helpers import ISSUE_HEADERS


def test_columns_are_the_issue_table():
    from generator.contracts.sources.columns import COLUMNS

    assert {c.header: c.key for c in COLUMNS} == ISSUE_HEADERS
    assert len({c.key for c in COLUMNS}) == len(COLUMNS)


def test_every_header_maps_to_a_customer_file_field(project):
    """Walk the pydantic models themselves (not the JSON Schema made from them); 附录一's keys are
    the placeholders every version declares."""
    from pydantic import BaseModel

    from generator.contracts.customers import CustomerFile

    for header, key in ISSUE_HEADERS.items():
        first, *rest = key.split(".")
        if first == "consent":
            for version in project.versions:
                assert rest[0] in {p.name for p in version.consent.placeholders}, (header, version.date)
            continue
        model: type[BaseModel] = CustomerFile
        for part in [first, *rest]:
            assert part in model.model_fields, (header, key)
            annotation = model.model_fields[part].annotation
            model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        assert model is None, f"{header} names a whole section ({key}), not a value"


def test_every_required_field_has_a_column():
    from generator.contracts.customers import Contact, CustomerFile
    from generator.contracts.sources.columns import COLUMNS

    keys = {c.key for c in COLUMNS}
    for name, field in CustomerFile.model_fields.items():
        if name == "contact":
            assert {f"contact.{n}" for n in Contact.model_fields} <= keys
        elif name != "consent":
            assert name in keys
    required = {c.key for c in COLUMNS if c.required}
    optional = {"contract_number", "signing_date", "version"}
    consent = {key for key in ISSUE_HEADERS.values() if key.startswith("consent.")}  # verification only
    assert required == set(ISSUE_HEADERS.values()) - optional - consent


@pytest.mark.parametrize("header", [*ISSUE_HEADERS, *ISSUE_HEADERS.values(), " 联系 电话 ", "Contact.Phone"])
def test_header_spellings(header):
    from generator.contracts.sources.columns import find_column

    column = find_column(header)
    assert column is not None
    assert "".join(header.split()) in (column.header, column.key) or header.lower() == column.key


def test_unknown_header():
    from generator.contracts.sources.columns import find_column

    assert find_column("电话") is None and find_column("phone") is None


@pytest.mark.parametrize("text,expected", [
    ("2026-12-01", dt.date(2026, 12, 1)), ("2026/12/1", dt.date(2026, 12, 1)),
    ("2026.12.01", dt.date(2026, 12, 1)), ("2026年12月1日", dt.date(2026, 12, 1)),
    (" 2026 年 1 月 9 日 ", dt.date(2026, 1, 9)), (dt.datetime(2026, 12, 1), dt.date(2026, 12, 1)),
    (dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
])
def test_dates(text, expected):
    from generator.contracts.sources.columns import cell_value, find_column

    assert cell_value(find_column("签订日期"), text) == expected


@pytest.mark.parametrize("value,words", [
    (dt.datetime(2026, 12, 1, 9, 30), "with a time of day (2026-12-01 09:30)"),
    (46357, "is a plain number (46357), not a date"),
    ("1/12/2026", "is not a date"), ("2026-02-30", "is not a real date"), (True, "is not a date"),
])
def test_bad_dates(value, words):
    from generator.contracts.sources.columns import CellProblem, cell_value, find_column

    with pytest.raises(CellProblem) as info:
        cell_value(find_column("签订日期"), value)
    assert words in str(info.value)


def test_services_by_name_or_key():
    from generator.contracts.customers import SERVICE_TITLES
    from generator.contracts.sources.columns import cell_value, find_column

    column = find_column("开通服务")
    names = "、".join(SERVICE_TITLES.values())
    assert cell_value(column, names) == list(SERVICE_TITLES)
    assert cell_value(column, "SMS, Other") == ["sms", "other"]


def test_a_value_that_only_looks_like_a_list_is_text():
    """核验目的 is one text: its 、 is part of it, not a separator."""
    from generator.contracts.sources.columns import cell_value, find_column

    assert cell_value(find_column("核验目的"), "贷前身份核验、反欺诈") == "贷前身份核验、反欺诈"


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
