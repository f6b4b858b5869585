"""The `agreements` command: entry points, `check`, and the JSON Schemas for editors."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import FIXTURES, ROOT, VERSION_DIR, run_cli

VENV_BIN = Path(sys.executable).parent
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- entry points


def test_python_dash_m_generator_help():
    result = _run(sys.executable, "-m", "generator", "--help")
    assert result.returncode == 0, result.stderr
    for command in ("check", "text", "schema"):
        assert re.search(rf"^\s+{command}\b", result.stdout, re.M), command


def test_console_script_runs():
    script = VENV_BIN / "agreements"
    assert script.is_file(), "the `agreements` console script is not installed in the venv"
    result = _run(str(script), "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: agreements" in result.stdout
    version = _run(str(script), "--version")
    assert version.returncode == 0
    assert re.search(r"agreements, version \d+\.\d+", version.stdout)


def test_check_on_the_repository_prints_one_short_ok_line():
    result = _run(str(VENV_BIN / "agreements"), "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 100
    assert re.fullmatch(r"ok: \d+ version\(s\), \d+ clauses checked", lines[0])
    assert result.stderr == ""


def test_check_exit_code_is_1_on_bad_input():
    result = _run(str(VENV_BIN / "agreements"), "--root", str(FIXTURES / "bad" / "unknown-key"), "check")
    assert result.returncode == 1
    assert "txet" in result.stderr and "Traceback" not in result.stderr


def test_unknown_command_is_a_usage_error(capsys):
    code, _, err = run_cli(["frobnicate"], capsys)
    assert code == 2
    assert "No such command" in err


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


# A tiny JSON Schema checker for the keywords pydantic emits, used when `jsonschema`
# is not installed (it is not a dependency of the project).
_KNOWN_KEYWORDS = {
    "$schema", "$defs", "$ref", "title", "description", "default", "examples", "type", "properties",
    "required", "additionalProperties", "items", "anyOf", "oneOf", "allOf", "enum", "const",
    "pattern", "minLength", "maxLength", "minItems", "maxItems", "format", "minimum", "maximum",
    "propertyNames", "prefixItems", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum",
}
_TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}


def _meta_check(node, root, where="#") -> list[str]:
    """Structural checks of a schema against the 2020-12 vocabulary used here."""
    problems = []
    if isinstance(node, bool):
        return problems
    if not isinstance(node, dict):
        return [f"{where}: a schema must be an object or boolean"]
    for key, value in node.items():
        here = f"{where}/{key}"
        if key not in _KNOWN_KEYWORDS:
            problems.append(f"{here}: unknown keyword")
        elif key == "type":
            types = value if isinstance(value, list) else [value]
            problems += [f"{here}: bad type {t!r}" for t in types if t not in _TYPES]
        elif key in ("properties", "$defs"):
            if not isinstance(value, dict):
                problems.append(f"{here}: must be an object")
            else:
                for name, sub in value.items():
                    problems += _meta_check(sub, root, f"{here}/{name}")
        elif key in ("items", "additionalProperties", "propertyNames"):
            problems += _meta_check(value, root, here)
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            if not isinstance(value, list) or not value:
                problems.append(f"{here}: must be a non-empty array")
            else:
                for i, sub in enumerate(value):
                    problems += _meta_check(sub, root, f"{here}/{i}")
        elif key == "required":
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problems.append(f"{here}: must be an array of strings")
            elif set(value) - set(node.get("properties", {})):
                problems.append(f"{here}: names properties that do not exist")
        elif key == "$ref":
            try:
                _resolve(root, value)
            except (KeyError, ValueError):
                problems.append(f"{here}: unresolvable {value}")
        elif key == "pattern":
            try:
                re.compile(value)
            except re.error:
                problems.append(f"{here}: bad regex")
        elif key in ("minLength", "maxLength", "minItems", "maxItems"):
            if not isinstance(value, int) or value < 0:
                problems.append(f"{here}: must be a non-negative integer")
        elif key == "enum" and not isinstance(value, list):
            problems.append(f"{here}: must be an array")
    return problems


def _resolve(root: dict, ref: str):
    if not ref.startswith("#/"):
        raise ValueError(ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _validate(instance, schema, root, where="") -> list[str]:
    """Errors of ``instance`` against ``schema`` (the subset of 2020-12 pydantic emits)."""
    if schema is True:
        return []
    if schema is False:
        return [f"{where or '/'}: not allowed"]
    errors = []
    if "$ref" in schema:
        errors += _validate(instance, _resolve(root, schema["$ref"]), root, where)
    if "anyOf" in schema and all(_validate(instance, s, root, where) for s in schema["anyOf"]):
        errors.append(f"{where or '/'}: matches no alternative")
    if "type" in schema:
        checks = {"object": dict, "array": list, "string": str, "null": type(None),
                  "boolean": bool, "integer": int, "number": (int, float)}
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(isinstance(instance, checks[t]) for t in types):
            return errors + [f"{where or '/'}: not of type {schema['type']}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{where or '/'}: not one of {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{where or '/'}: not {schema['const']!r}")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{where}: does not match {schema['pattern']}")
        if len(instance) < schema.get("minLength", 0):
            errors.append(f"{where}: too short")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            errors.append(f"{where}: too long")
    if isinstance(instance, list):
        if len(instance) < schema.get("minItems", 0):
            errors.append(f"{where}: too few items")
        if "items" in schema:
            for i, item in enumerate(instance):
                errors += _validate(item, schema["items"], root, f"{where}/{i}")
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        errors += [f"{where}/{k}: required" for k in schema.get("required", []) if k not in instance]
        for key, value in instance.items():
            if key in properties:
                errors += _validate(value, properties[key], root, f"{where}/{key}")
            elif "additionalProperties" in schema:
                errors += _validate(value, schema["additionalProperties"], root, f"{where}/{key}")
    return errors


def _errors(instance, schema) -> list[str]:
    try:
        import jsonschema
    except ImportError:
        return _validate(instance, schema, schema)
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
        try:
            import jsonschema
        except ImportError:
            assert _meta_check(schema, schema) == [], name
        else:
            jsonschema.Draft202012Validator.check_schema(schema)


def test_meta_check_catches_a_broken_schema():
    broken = {"type": "objekt", "properties": {"a": {"$ref": "#/$defs/Missing"}}, "required": ["b"]}
    assert len(_meta_check(broken, broken)) == 3


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


def test_debug_is_accepted_after_the_command(tmp_path, capsys):
    from helpers import run_cli

    code, _, err = run_cli(["--root", str(tmp_path), "check", "--debug"], capsys)
    assert code == 1
    assert "Traceback" in err and "site_config.yml" in err


def test_build_published_only_leaves_drafts_out(tmp_path, capsys):
    import json

    from helpers import ROOT, run_cli

    code, out, err = run_cli(["--root", str(ROOT), "build", "--published-only", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    versions = json.loads((tmp_path / "versions.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in versions] == ["2021-12-20"]
    assert not (tmp_path / "2026-11-28").exists()
