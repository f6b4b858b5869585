"""`agreements verify`: is this contract what the generator made from its sources?

The PDF carries its provenance (agreement version, SHA-256 of the version's
sources and of the customer's values, and the values themselves). Verification
rebuilds the contract from that version and those values and compares the text
of every page with the text in the PDF.
"""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from generator.content.project import Project
from generator.content.resolve import SourceFile
from generator.contracts.customers import (
    Customer,
    CustomerFile,
    consent_values,
    derived_contract_number,
    values_digest,
)
from generator.errors import AgreementsError
from generator.contracts import contract
from generator.contracts.register import check_registered, register_path


@dataclass(frozen=True)
class Verdict:
    version: str
    contract_number: str
    customer: str
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()  # worth knowing, but the text still matches

    @property
    def genuine(self) -> bool:
        return not self.problems


def read_provenance(path: Path) -> dict[str, str]:
    try:
        info = PdfReader(path).metadata or {}
    except (OSError, PdfReadError) as exc:
        raise AgreementsError(f"not a readable PDF ({exc}); check the file", file=path) from None
    meta = {key.lstrip("/"): str(value) for key, value in info.items()}
    missing = [k for k in (contract.META_VERSION, contract.META_SOURCE, contract.META_VALUES,
                           contract.META_CUSTOMER) if k not in meta]
    if missing:
        raise AgreementsError(f"no provenance in this PDF (missing {', '.join(missing)}); only "
                              "contracts written by `agreements contract` can be verified", file=path)
    return meta


def page_texts(data: bytes) -> list[str]:
    """Each page's text as poppler extracts it, whitespace removed (layout is not content).

    The appearance of a signature field (the signer's stamp, e.g. "Digitally
    signed by …") is not contract text, so it is left out; pdftotext would
    otherwise read it and a signed contract could never verify.
    """
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(_without_signature_appearances(data))
        handle.flush()
        try:
            result = subprocess.run(["pdftotext", "-enc", "UTF-8", handle.name, "-"],
                                    capture_output=True, check=True)
        except FileNotFoundError:
            raise AgreementsError("pdftotext is not installed; install the Debian package "
                                  "poppler-utils: apt-get install poppler-utils") from None
        except subprocess.CalledProcessError as exc:
            raise AgreementsError("pdftotext could not read the PDF "
                                  f"({exc.stderr.decode(errors='replace').strip()}); the file is damaged") from None
    # pdftotext ends every page with a form feed.
    pages = result.stdout.decode("utf-8").split("\f")[:-1]
    return ["".join(page.split()) for page in pages]


def _without_signature_appearances(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    changed = False
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            field = annot
            while "/FT" not in field and "/Parent" in field:
                field = field["/Parent"].get_object()
            if annot.get("/Subtype") == "/Widget" and field.get("/FT") == "/Sig" and "/AP" in annot:
                del annot["/AP"]
                changed = True
    if not changed:
        return data
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def verify_contract(path: Path, project: Project) -> Verdict:
    meta = read_provenance(path)
    try:
        data = CustomerFile.model_validate(json.loads(meta[contract.META_CUSTOMER]))
    except (ValueError, ValidationError):  # json.JSONDecodeError is a ValueError
        raise AgreementsError(f"the {contract.META_CUSTOMER} entry of the PDF's metadata is not a "
                              "valid customer record; the file was altered or damaged",
                              file=path) from None
    try:
        version = project.version(meta[contract.META_VERSION])
    except AgreementsError as exc:
        raise AgreementsError(f"the contract names {exc.message}", file=path) from None
    number = meta.get(contract.META_NUMBER) or derived_contract_number(data.id, version.date)
    values, unfit = consent_values(data, version, SourceFile(path, {}))
    if unfit:
        return Verdict(version.date, number, data.company, tuple(
            f"the customer values in the PDF do not fit version {version.date}: {e.key}: {e.message}"
            for e in unfit))
    problems = []
    if version.source_sha256 != meta[contract.META_SOURCE]:
        problems.append(f"the sources of version {version.date} differ from those the contract "
                        "was made from (SHA-256 mismatch)")
    if values_digest(data, version.date, number) != meta[contract.META_VALUES]:
        problems.append("the customer values in the PDF do not match their SHA-256")
    customer = Customer(path, data, version, values, number)
    rebuilt = contract.render_pdf(project.root, project.config, version, customer)
    actual_pages, expected_pages = page_texts(path.read_bytes()), page_texts(rebuilt)
    notes = []
    layout_changed = meta.get(contract.META_LAYOUT) not in (None, contract.layout_digest(project.root))
    if layout_changed:
        # The text may still match (a colour changed); if not, this is the likely reason.
        notes.append("the contract templates or site_config.yml differ from those the contract was "
                     "made with (LayoutSHA256 mismatch); if the text differs, verify from the "
                     f"checkout that made it (generator {meta.get(contract.META_GENERATOR, '?')})")
    if actual_pages != expected_pages:
        problems.append(_text_difference(actual_pages, expected_pages))
    register = register_path(project.root, project.config)
    notes.append(f"register: {check_registered(register, path, number).message}")
    return Verdict(version.date, number, data.company, tuple(problems), tuple(notes))


def _text_difference(actual: list[str], expected: list[str]) -> str:
    if len(actual) != len(expected):
        return f"the PDF has {len(actual)} pages, the rebuilt contract {len(expected)}"
    for number, (a, e) in enumerate(zip(actual, expected), start=1):
        if a != e:
            at = next(i for i, (x, y) in enumerate(zip(a + "\0", e + "\0")) if x != y)
            return (f"the text of page {number} differs from the rebuilt contract near "
                    f"“{e[max(0, at - 10):at + 10]}” (PDF has “{a[max(0, at - 10):at + 10]}”)")
    return "the text differs"
