"""JSON Schemas of every kind of YAML file, for editors (`agreements schema`)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from generator.content.config import SiteConfig
from generator.content.schema import FILE_KINDS
from generator.content.releases import ReleaseFile
from generator.content.synonyms import SynonymFile


def schema_models() -> dict[str, type[BaseModel]]:
    """Schema file stem → model. Customer files join when the contract stage exists."""
    models: dict[str, type[BaseModel]] = {stem: model for model, stem in FILE_KINDS.values()}
    models["site-config"] = SiteConfig
    models["search-synonyms"] = SynonymFile
    models["releases"] = ReleaseFile
    try:
        from generator.contracts.customers import CustomerFile
    except ImportError:  # the contract stage is optional for schema generation
        pass
    else:
        models["customer"] = CustomerFile
    return models


def schema_text(model: type[BaseModel]) -> str:
    schema = model.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, model in schema_models().items():
        path = out / f"{stem}.schema.json"
        path.write_text(schema_text(model), encoding="utf-8")
        written.append(path)
    return written
