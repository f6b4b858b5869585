"""Whole customer files, structure as well as values: refused with a message, or loaded; never a traceback.

Each document starts from the example customer and is damaged the ways a person or
a script damages YAML: a value replaced by any YAML structure (nested lists and
mappings, numbers, nulls, dates real and impossible, hostile text), a key dropped or
added, and the text itself edited (characters inserted, lines duplicated or cut),
which breaks indentation, quoting (an unquoted '2027-02-29' is a YAML date),
nesting (up to 9,000 levels) and numbers (5,000 digits). Part of the documents stay valid, and
the test asserts a minimum share of them is accepted, so it cannot pass by refusing
everything.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_helpers import EXAMPLE, Tally
from generator.errors import AgreementsError
from helpers import examples

FIELDS = ["id", "company", "credit_code", "address", "representative", "contact", "services", "consent",
          "contract_number", "signing_date", "version", "name", "phone", "email", "purpose",
          "personal_fields", "source_name"]

# Random on a developer's machine, a fixed sequence in CI (CI=true), as in test_fuzz.py.
DOCUMENTS = settings(max_examples=examples(300), deadline=None, database=None,
                     derandomize=bool(os.environ.get("CI")),
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _example() -> dict:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


EXAMPLE_DATA = _example()

dates = st.one_of(st.dates().map(lambda d: d.isoformat()),
                  st.sampled_from(["2027-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "9999-12-31"]))
hostile_text = st.sampled_from(["\u202e", "\u200b", "\x00", "\ufeff", "'", '"', ": ", "- ", "#", "{", "[",
                                "*a", "&a", "!!python/name:os.system", "\t", "\\", "\n", "%", "@", "`"])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), dates,
    st.text(max_size=12), st.lists(hostile_text, max_size=4).map("".join),
    st.sampled_from(["sms", "verification", "recharge", "other", "甲公司", "li@example.com", "13800000000"]),
)


def _containers(inner):
    keys = st.sampled_from(FIELDS) | st.text(max_size=8) | st.integers()
    return st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)


structures = st.recursive(scalars, _containers, max_leaves=12)


# Values a field can take and stay valid: the share of accepted documents comes from these.
words = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5) | st.sampled_from("ABCxyz 0123-"),
                min_size=1, max_size=20).filter(str.strip)
VALID_VALUES = {
    "services": st.lists(st.sampled_from(["verification", "sms", "recharge", "other"]), min_size=1, unique=True),
    "signing_date": st.dates().map(lambda d: d.isoformat()),
    "contract_number": st.just("ZSY-2026-0001"),
    "version": st.just("2021-12-20"),
    "personal_fields": st.lists(words, min_size=1, max_size=50, unique_by=str.strip),
}


def _valid_value(path):
    named = [part for part in path if isinstance(part, str)]
    if not isinstance(path[-1], str):  # an item of a list of texts
        return words
    return VALID_VALUES.get(named[-1], words if named[-1] in TEXT_FIELDS else st.nothing())


TEXT_FIELDS = {"company", "address", "representative", "name", "purpose", "source_name"}


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


@st.composite
def damaged_structure(draw) -> dict:
    data = copy.deepcopy(EXAMPLE_DATA)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(list(_paths(data))[1:]))
        *parents, last = path
        holder = data
        for part in parents:
            holder = holder[part]
        action = draw(st.sampled_from(["valid", "valid", "replace", "drop", "add"]))
        if action == "valid":
            valid = _valid_value(path)
            if not valid.is_empty:
                holder[last] = draw(valid)
        elif action == "replace":
            holder[last] = draw(structures)
        elif action == "drop":
            del holder[last]
        elif isinstance(holder, dict):
            holder[draw(st.sampled_from(FIELDS) | st.text(max_size=8))] = draw(structures)
        else:
            holder.append(draw(structures))
        if not isinstance(data, dict) or not data:
            break
    return data


@st.composite
def documents(draw) -> str:
    text = yaml.safe_dump(draw(damaged_structure()), allow_unicode=True, sort_keys=draw(st.booleans()),
                          default_flow_style=draw(st.sampled_from([False, None, True])))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        lines = text.splitlines(keepends=True) or [""]
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["insert", "duplicate", "cut", "indent", "unquote", "nest", "number"]))
        if edit == "insert":
            column = draw(st.integers(0, len(lines[at])))
            piece = draw(st.text(max_size=3) | hostile_text)
            lines[at] = lines[at][:column] + piece + lines[at][column:]
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        elif edit == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif edit == "indent":
            lines[at] = " " * draw(st.integers(1, 3)) + lines[at]
        elif edit == "number":  # a value becomes a number too long for int() (or slow in base 60)
            digits = draw(st.sampled_from(["9" * 5000, "1" + ":59" * 3000, "7" * 101]))
            lines[at] = lines[at].split(": ")[0].rstrip("\n") + ": " + digits + "\n"
        elif edit == "unquote":  # everywhere: '2027-02-29' becomes a YAML date, '1' a number …
            lines = [line.replace("'", "").replace('"', "") for line in lines]
        else:
            depth = draw(st.integers(1, 9000))
            lines[at] = lines[at].rstrip("\n") + " " + "[" * depth + "]" * depth + "\n"
        text = "".join(lines)
    return text


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def test_whole_customer_documents_never_crash(project, scratch):
    from generator.contracts.consent import consent_text
    from generator.contracts.customers import load_customer

    tally = Tally()
    path = scratch / "customer.yml"

    @DOCUMENTS
    @given(text=documents())
    def load(text):
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            customer = load_customer(path, project)
        except AgreementsError as exc:
            tally.add(accepted=False)
            message = str(exc)  # printing it must not fail either
            assert message and "Traceback" not in message
            assert all(len(line) < 1200 for line in message.splitlines())  # bounded quotes
            return
        tally.add(accepted=True)
        assert customer.data.company.strip() == customer.data.company
        assert consent_text(customer, "txt")

    load()
    # 25–35 % stay valid (no damage, or damage a value survives); refusing everything fails,
    # and so does a generator too timid to break anything.
    tally.assert_shares(accepted=0.15, refused=0.3, runs=examples(100))
