"""What the code relies on in libraries beyond their documented API. Each of these libraries is
pinned with `==` in pyproject.toml; before moving a pin, these tests say what to recheck. (The
WeasyPrint and Material ones are in tests/test_environment.py.)"""

from __future__ import annotations

import io
import re
import tomllib
import zipfile
from datetime import datetime

from helpers import ROOT


def test_private_behaviour_python_docx_part_blob():
    """generator/contracts/word/document.py and package.py replace a plain Part's bytes (the font
    table, docProps/app.xml) by assigning Part._blob, which is what Part.blob returns and what the
    package writes."""
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.part import Part, XmlPart

    document = Document()
    part = document.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    assert type(part) is Part and not isinstance(part, XmlPart)  # plain: its bytes are _blob
    replaced = b"<?xml version='1.0'?><Properties/>"
    part._blob = replaced
    assert part.blob == replaced
    saved = io.BytesIO()
    document.save(saved)
    with zipfile.ZipFile(saved) as package:
        assert package.read(part.partname.membername) == replaced


def test_private_behaviour_pikepdf_type_name():
    """generator/contracts/verify/compare.py compares two objects' kinds by Object._type_name."""
    import pikepdf

    pdf = pikepdf.new()
    names = {kind: obj._type_name for kind, obj in {
        "dictionary": pikepdf.Dictionary(), "array": pikepdf.Array([1]), "name": pikepdf.Name("/A"),
        "string": pikepdf.String("x"), "stream": pikepdf.Stream(pdf, b"x")}.items()}
    assert names == {kind: kind for kind in names}


def test_private_behaviour_openpyxl_excel_writer():
    """generator/contracts/sheet_template.py saves through openpyxl.writer.excel.ExcelWriter (not
    Workbook.save, which stamps the current time as the modification date), so that the same
    sheet gives the same bytes."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.writer.excel import ExcelWriter

    workbook = Workbook()
    workbook.active["A1"] = "客户编号"
    fixed = datetime(2021, 12, 20)
    workbook.properties.created = workbook.properties.modified = fixed
    raw = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as package:
        core = package.read("docProps/core.xml").decode()
    assert re.search(r"<dcterms:modified[^>]*>2021-12-20T00:00:00Z<", core), core
    assert load_workbook(io.BytesIO(raw.getvalue())).active["A1"].value == "客户编号"


def test_every_exact_pin_names_the_private_behaviour_it_guards():
    """A library pinned with `==` has a test_private_behaviour_<library>_* test (README promises it)."""
    import ast

    pinned = [re.split(r"[=<>\[ ]", dep)[0] for dep in
              tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
              if "==" in dep]
    tests = {node.name for path in (ROOT / "tests").rglob("test_*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.FunctionDef) and node.name.startswith("test_private_behaviour_")}
    assert pinned, "no pins found: the scan no longer reads pyproject.toml"
    for name in pinned:
        short = name.lower().replace("-", "_").removeprefix("mkdocs_")
        assert any(test.startswith(f"test_private_behaviour_{short}") for test in tests), name
