"""Helpers for the contract tests: the reference text, pdftotext, a throwaway CA.

tests/ has no __init__.py, so tests/contracts/conftest.py puts this folder on
sys.path and the test modules import from here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = FIXTURES / "reference-2021-12-20.md"
EXAMPLE = ROOT / "customers" / "examples" / "lanzhou-data.yml"
VERSION = "2021-12-20"
CONTRACT_NUMBER = "ZSY-2026-0001"
EXAMPLE_PDF_NAME = f"lanzhou-data_{VERSION}.pdf"

# Labels of 附录一's placeholders in the reference text → the customer field they stand for.
PLACEHOLDER_LABELS = {
    "【请填写核验目的】": "purpose",
    "【请填写个人信息字段信息，如姓名、身份证号码、手机号码】": "personal_fields",
    "【请填写最终信息源名称】": "source_name",
}


def squash(text: str) -> str:
    """Remove every whitespace character: layout is not content."""
    return "".join(text.split())


# --------------------------------------------------------------------------- the reference


def reference_blocks() -> list[str]:
    text = REFERENCE.read_text(encoding="utf-8")
    return [b.strip() for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]


def is_heading(block: str) -> bool:
    return block.startswith("#")


def plain(block: str) -> str:
    """Markdown markup removed: heading marks, ** and backslash escapes."""
    block = re.sub(r"^#+[ \t]*", "", block)
    block = block.replace("**", "")
    return re.sub(r"\\(.)", r"\1", block)


def reference_paragraphs() -> list[str]:
    return [plain(b) for b in reference_blocks()]


def bold_passages() -> list[str]:
    out = []
    for block in reference_blocks():
        for match in re.finditer(r"\*\*(.+?)\*\*", block, re.S):
            out.append(plain(match.group(1)))
    return out


_LABEL = re.compile(r"^(?:\d+(?:\.\d+)*\.?|\d+、)\s*")


def non_bold_passages(min_chars: int = 12) -> list[str]:
    """Body text the reference sets in the regular face, without clause numbers.

    Headings and short clause titles (e.g. ``2.2 短信类 API 接口``) are left
    out: the contract sets titles in bold on purpose.
    """
    out = []
    for block in reference_blocks():
        if is_heading(block) or "【请填写" in block:
            continue  # the placeholder paragraph is checked filled in, elsewhere
        pieces = re.split(r"\*\*.+?\*\*", block, flags=re.S)
        if len(pieces) == 1 and len(plain(block)) < 40:
            continue  # a clause title or a short numbered item
        for piece in pieces:
            text = squash(_LABEL.sub("", plain(piece).strip()))
            if len(text) >= min_chars:
                out.append(text)
    return out


# --------------------------------------------------------------------------- PDFs


def pdftotext_pages(pdf: Path | bytes) -> list[str]:
    """Each page's text as poppler reads it (pdftotext ends every page with a form feed)."""
    if isinstance(pdf, bytes):
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                                capture_output=True, check=True)
    else:
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                                capture_output=True, check=True)
    return result.stdout.decode("utf-8").split("\f")[:-1]


def strip_footers(page_text: str) -> str:
    """Whitespace-free page text without the running footers."""
    text = squash(page_text)
    text = re.sub(r"合同编号：[A-Za-z0-9-]+", "", text)
    text = re.sub(r"数据技术服务使用协议·版本\d{4}-\d{2}-\d{2}", "", text)  # the generic PDF's
    return re.sub(r"第\d+页共\d+页", "", text)


def body_text(pages: list[str]) -> str:
    return "".join(strip_footers(p) for p in pages)


def bbox_words(pdf: Path, page_number: int) -> list[tuple[str, float, float, float, float]]:
    """``(word, x0, y0, x1, y1)`` in PDF user space (origin bottom-left) of 1-based page."""
    import xml.etree.ElementTree as ET

    result = subprocess.run(["pdftotext", "-bbox", "-f", str(page_number), "-l", str(page_number),
                             str(pdf), "-"], capture_output=True, check=True)
    xml = result.stdout.decode("utf-8")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
    tree = ET.fromstring(xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    page = tree.find(".//x:page", ns)
    height = float(page.get("height"))
    words = []
    for word in page.findall("x:word", ns):
        x0, y0 = float(word.get("xMin")), float(word.get("yMin"))
        x1, y1 = float(word.get("xMax")), float(word.get("yMax"))
        words.append((word.text or "", x0, height - y1, x1, height - y0))
    return words


def bold_text(data: bytes) -> str:
    """Whitespace-free text drawn with a font whose /BaseFont has "Bold" in its name, no footers."""
    return _text_by_weight(data, bold=True)


def regular_text(data: bytes) -> str:
    """Whitespace-free text drawn with any font that is not a bold face, no footers."""
    return _text_by_weight(data, bold=False)


def _text_by_weight(data: bytes, *, bold: bool) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    chunks: list[str] = []

    def visit(text, cm, tm, font, size):
        if font is not None and ("Bold" in str(font.get("/BaseFont", ""))) == bold:
            chunks.append(text)

    pages = []
    for page in reader.pages:
        chunks.clear()
        page.extract_text(visitor_text=visit)
        pages.append(strip_footers("".join(chunks)))  # a paragraph may run across a page break
    return "".join(pages)


# --------------------------------------------------------------------------- a throwaway CA


@dataclass(frozen=True)
class Pki:
    root_cert: object  # cryptography x509.Certificate
    p12_path: Path
    password: str

    @property
    def root_asn1(self):
        from asn1crypto import x509 as asn1_x509
        from cryptography.hazmat.primitives import serialization

        return asn1_x509.Certificate.load(self.root_cert.public_bytes(serialization.Encoding.DER))


def make_pki(folder: Path, password: str = "s3cret-pw") -> Pki:
    """Root CA + leaf (digitalSignature, nonRepudiation) in a password-protected P12."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Agreements Test"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def usage(**on) -> x509.KeyUsage:
        flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                     crl_sign=False, encipher_only=False, decipher_only=False)
        flags.update(on)
        return x509.KeyUsage(**flags)

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = name("Contracts Test Root CA")
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(name("乙方 Contracts Signer")).issuer_name(root_name)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True, content_commitment=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                           critical=False)
            .sign(root_key, hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"party-b", key=leaf_key, cert=leaf, cas=[root],
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode()))
    path = folder / "party-b.p12"
    path.write_bytes(p12)
    return Pki(root, path, password)


def customer_yaml(**changes) -> str:
    """The example customer file with some top-level or consent values replaced (YAML text)."""
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    consent = changes.pop("consent", {})
    data.update(changes)
    data["consent"] = {**data["consent"], **consent}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
