"""The JSON Schemas editors use (`agreements schema`), checked with the `jsonschema` package."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from helpers import FIXTURES, ROOT, VERSION_DIR

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# --------------------------------------------------------------------------- schemas


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("schemas")
    from generator.cli import main

    assert main(["--root", str(ROOT), "schema", "--out", str(out)]) == 0
    return out


def _schemas(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.schema.json"))}


def test_schema_command_writes_one_schema_per_file_kind(written):
    names = set(_schemas(written))
    assert {"agreement.schema.json", "consent.schema.json", "list.schema.json",
            "version.schema.json", "site-config.schema.json"} <= names


def test_committed_schemas_are_up_to_date(written):
    """schemas/ must be what `agreements schema` writes now; rerun it after changing a model."""
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.schema.json")}
    fresh = {p.name: p.read_text(encoding="utf-8") for p in written.glob("*.schema.json")}
    assert sorted(committed) == sorted(fresh), "run `agreements schema` and commit schemas/"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"stale schemas (run `agreements schema`): {stale}"


def _errors(instance, schema) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return [e.message for e in validator.iter_errors(instance)]


def _as_json(data):
    """YAML data as JSON would hold it: dates become ISO strings."""
    if isinstance(data, dict):
        return {k: _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


def test_written_schemas_are_valid_json_schema_documents(written):
    for name, schema in _schemas(written).items():
        assert schema.get("$schema") == SCHEMA_DIALECT, name
        assert schema.get("type") == "object", name
        assert schema.get("additionalProperties") is False, f"{name} must refuse unknown keys"
        jsonschema.Draft202012Validator.check_schema(schema)


# Each content file and the schema that must accept it.
CONTENT_FILES = {
    "site_config.yml": "site-config.schema.json",
    str(VERSION_DIR / "version.yml"): "version.schema.json",
    str(VERSION_DIR / "agreement.yml"): "agreement.schema.json",
    str(VERSION_DIR / "consent.yml"): "consent.schema.json",
    str(VERSION_DIR / "prohibited.yml"): "list.schema.json",
}


@pytest.mark.parametrize("relative", sorted(CONTENT_FILES))
def test_written_schema_accepts_the_real_file(written, relative):
    schema = _schemas(written)[CONTENT_FILES[relative]]
    data = _as_json(yaml.safe_load((ROOT / relative).read_text(encoding="utf-8")))
    assert _errors(data, schema) == []


def _add_unknown_key(data: dict, path: list) -> None:
    node = data
    for part in path:
        node = node[part]
    node["txet"] = "拼错的键"


@pytest.mark.parametrize("relative, path", [
    (str(VERSION_DIR / "agreement.yml"), ["sections", 3, "clauses", 1]),
    (str(VERSION_DIR / "agreement.yml"), []),
    (str(VERSION_DIR / "consent.yml"), ["placeholders", 0]),
    (str(VERSION_DIR / "prohibited.yml"), ["items", 21]),
    (str(VERSION_DIR / "version.yml"), []),
    ("site_config.yml", ["provider"]),
])
def test_written_schema_rejects_an_unknown_key(written, relative, path):
    schema = _schemas(written)[CONTENT_FILES[relative]]
    data = _as_json(yaml.safe_load((ROOT / relative).read_text(encoding="utf-8")))
    _add_unknown_key(data, path)
    assert _errors(data, schema), f"schema accepted `txet` at {path}"


@pytest.mark.parametrize("relative, path", [
    (str(VERSION_DIR / "agreement.yml"), ["sections", 3, "clauses", 1]),
    (str(VERSION_DIR / "consent.yml"), ["placeholders", 0]),
])
def test_pydantic_models_reject_an_unknown_key(relative, path):
    from pydantic import ValidationError

    from generator.content.schema import FILE_KINDS

    model = FILE_KINDS[Path(relative).name][0]
    data = yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))
    model.model_validate(data)
    _add_unknown_key(data, path)
    with pytest.raises(ValidationError, match="txet"):
        model.model_validate(data)


def test_written_schema_rejects_a_bad_status_and_a_bad_id(written):
    version_schema = _schemas(written)["version.schema.json"]
    data = _as_json(yaml.safe_load((ROOT / VERSION_DIR / "version.yml").read_text(encoding="utf-8")))
    assert _errors({**data, "status": "maybe"}, version_schema)
    agreement_schema = _schemas(written)["agreement.schema.json"]
    data = yaml.safe_load((ROOT / VERSION_DIR / "agreement.yml").read_text(encoding="utf-8"))
    data["sections"][0]["clauses"][0]["id"] = "Bad Id"
    assert _errors(data, agreement_schema)


# --------------------------------------------------------------------------- schema comments

_MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _yaml_files() -> list[Path]:
    files = [ROOT / "site_config.yml", *sorted((ROOT / "content").rglob("*.yml"))]
    files += sorted((FIXTURES / "good").rglob("*.yml"))
    return files


def _expected_schema(path: Path) -> str:
    from generator.content.schema import FILE_KINDS

    if path.name == "site_config.yml":
        return "site-config.schema.json"
    if path.name in ("search-synonyms.yml", "releases.yml"):
        return path.stem + ".schema.json"
    return f"{FILE_KINDS[path.name][1]}.schema.json"


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_names_its_schema_on_the_first_line(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = _MODELINE.match(first)
    assert match, f"{path.name}: first line must be `# yaml-language-server: $schema=…`"
    target = (path.parent / match.group(1)).resolve()
    assert target.is_file(), f"{path.name} names a schema that does not exist: {match.group(1)}"
    assert target.name == _expected_schema(path)
    assert target.parent == (ROOT / "schemas").resolve()


def test_the_content_folder_has_yaml_files():
    assert len([p for p in _yaml_files() if "content" in p.parts]) >= 4


@pytest.mark.parametrize("path", sorted((ROOT / "customers" / "examples").glob("*.yml")), ids=lambda p: p.name)
def test_written_customer_schema_accepts_the_examples(written, path):
    schema = _schemas(written)["customer.schema.json"]
    assert _errors(_as_json(yaml.safe_load(path.read_text(encoding="utf-8"))), schema) == []


def test_written_customer_schema_rejects_a_bad_credit_code_shape_and_an_unknown_service(written):
    schema = _schemas(written)["customer.schema.json"]
    data = _as_json(yaml.safe_load((ROOT / "customers" / "examples" / "lanzhou-data.yml").read_text(encoding="utf-8")))
    assert _errors({**data, "services": ["telepathy"]}, schema)
    assert _errors({**data, "id": "Not A Slug"}, schema)


def test_written_customer_schema_bounds_lists_as_the_loader_does(written):
    # The editor flags what `agreements contract` refuses: duplicates and over-long lists.
    schema = _schemas(written)["customer.schema.json"]
    data = _as_json(yaml.safe_load((ROOT / "customers" / "examples" / "lanzhou-data.yml").read_text(encoding="utf-8")))
    assert _errors({**data, "services": ["sms", "sms"]}, schema)
    fields = [f"字段{i}" for i in range(51)]
    assert _errors({**data, "consent": {**data["consent"], "personal_fields": fields}}, schema)
    assert _errors({**data, "consent": {**data["consent"], "personal_fields": ["姓名", "姓名"]}}, schema)
    assert _errors({**data, "consent": {**data["consent"], "purpose": "目" * 501}}, schema)
    assert _errors({**data, "consent": {**data["consent"], "personal_fields": fields[:50]}}, schema) == []
