"""No process-wide patch of WeasyPrint or pydyf: building contracts leaves every module
attribute and every class attribute of both libraries as it was after importing them.

Run in a fresh interpreter, so that nothing imported earlier in the test session hides
a patch made at import time."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import ROOT

_SCRIPT = r'''
import importlib, inspect, json, pkgutil, sys
import weasyprint, pydyf
for info in pkgutil.walk_packages(weasyprint.__path__, "weasyprint."):
    if "__main__" not in info.name:
        importlib.import_module(info.name)

def snapshot():
    seen = {}
    for name, module in sorted(sys.modules.items()):
        if not (name == "pydyf" or name.split(".")[0] == "weasyprint") or module is None:
            continue
        for attribute, value in vars(module).items():
            seen[f"{name}.{attribute}"] = id(value)
            if inspect.isclass(value) and value.__module__ == name:
                for member, inner in vars(value).items():
                    seen[f"{name}.{attribute}.{member}"] = id(inner)
    return seen

before = snapshot()
from pathlib import Path
from generator.content.project import load_project
from generator.contracts import contract
from generator.contracts.export import load_customers
project = load_project(Path("."))
customer = load_customers([Path("customers/examples/hangzhou-fintech.yml")], project)[0]
fast = contract.render_pdf(project.root, project.config, customer.version, customer)
full = contract.render_pdf_full(project.root, project.config, customer.version, customer)
after = snapshot()
from weasyprint.text.ffi import harfbuzz
try:
    harfbuzz.hb_face_builder_create
    extended = True
except AttributeError:
    extended = False
changed = sorted(k for k in before if k in after and before[k] != after[k])
print(json.dumps({"changed": changed, "checked": len(before), "extended_binding": extended,
                  "sizes": [len(fast), len(full)]}))
'''


def test_building_contracts_patches_nothing_in_weasyprint_or_pydyf():
    result = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, capture_output=True,
                            text=True, check=True, timeout=300)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["checked"] > 1000          # every WeasyPrint module was looked at
    assert report["changed"] == []
    assert report["extended_binding"] is False   # WeasyPrint's cffi HarfBuzz binding as shipped
    assert min(report["sizes"]) > 50_000     # both contracts were really made
