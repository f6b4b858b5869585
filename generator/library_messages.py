"""What a library's exception means, said in the reader's language.

pyHanko, pikepdf, asn1crypto, cryptography, openpyxl, sqlite3 and the standard
library word their exceptions in English (``'int' object is not callable``,
``Insufficient data - 12 bytes requested but only 3 available``). A message a
person reads never interpolates that text alone: :func:`library_reason` looks
the exception up by its type (any class of its MRO, qualified or not), by the
module it was raised in and by known wordings, and returns a message of ours
(an English msgid, translated), followed by the exception's type name, which
support can search for.

The library's own text is kept as a marked detail (see docs/cli.md, "Messages
from libraries"): in English it follows the type name; in Chinese it is shown
only with ``--debug`` (``（PdfReadError，原文：…）``), so no English sentence
reaches a Chinese reader who did not ask for it. Like pydantic_messages, one
msgid per kind of failure, not per library wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.i18n import N_, _, current_language, os_reason


@dataclass(frozen=True)
class Rule:
    """An exception this rule explains: a class name (``csv.Error`` or ``Error``), an optional
    module prefix where it was raised, and an optional regular expression on its text."""

    kind: str
    message: str
    module: str = ""
    wording: str = ""


_CORRUPT_DER = N_("its cryptographic data (DER/ASN.1) is damaged and cannot be parsed")
_BAD_PDF = N_("the PDF's structure cannot be read: the file is damaged or not a PDF")

RULES: tuple[Rule, ...] = (
    # PDF readers (pikepdf/qpdf, pyHanko, pypdf)
    Rule("PasswordError", N_("the PDF is encrypted with a password; ask for a copy without one")),
    Rule("PdfError", N_("the PDF is encrypted with a password; ask for a copy without one"), wording=r"(?i)password"),
    Rule("DataDecodingError", N_("a compressed stream of the PDF cannot be decoded: the file is damaged")),
    Rule("PdfStrictReadError", N_("the PDF breaks the format's rules and would have to be repaired to be read")),
    Rule("PdfReadError", _BAD_PDF, wording=r"(?i)header|startxref|trailer|xref"),
    Rule("PdfReadError", _BAD_PDF),
    Rule("PdfError", _BAD_PDF),
    Rule("PdfWriteError", N_("the PDF cannot be written back as an incremental update")),
    Rule("SigningError", N_("the signature cannot be made with this key and certificate")),
    Rule("SignatureValidationError", N_("the signature cannot be validated")),
    Rule("SuspiciousModification", N_("a change made after the signature is not allowed")),
    Rule("WeakHashAlgorithmError", N_("the signature uses a hash algorithm that is too weak")),
    Rule("DisallowedAlgorithmError", N_("the signature uses an algorithm that is not allowed")),
    Rule("InvalidCertificateError", N_("the certificate is not valid for this use")),
    Rule("PathBuildingError", N_("no chain of certificates leads to a trusted root")),
    Rule("PathValidationError", N_("the chain of certificates does not validate")),
    # cryptography and asn1crypto
    Rule("InvalidSignature", N_("the signature value does not verify with the certificate's key")),
    Rule("UnsupportedAlgorithm", N_("it uses an algorithm this installation does not support")),
    Rule("ValueError", N_("the key or certificate cannot be read: wrong password, or not a PKCS#12/PEM file"),
         module="cryptography"),
    Rule("ValueError", N_("the key or certificate cannot be read: wrong password, or not a PKCS#12/PEM file"),
         wording=r"(?i)pkcs ?12|deserializ|key data|bad decrypt|mac verify"),  # raised by its Rust core
    Rule("Exception", _CORRUPT_DER, module="asn1crypto"),
    Rule("Exception", _CORRUPT_DER, module="pyhanko_certvalidator"),
    # spreadsheets and text files
    Rule("BadZipFile", N_("the file is not an .xlsx workbook (it is not a ZIP archive); save it again as .xlsx")),
    Rule("InvalidFileException", N_("openpyxl cannot open this kind of file; save it as .xlsx")),
    Rule("KeyError", N_("the workbook lacks a part every .xlsx has: it is damaged or another format renamed "
                        ".xlsx"), wording=r"There is no item named"),
    Rule("Exception", N_("the workbook's contents cannot be read: it is damaged; save it again as .xlsx"),
         module="openpyxl"),
    Rule("UnicodeDecodeError", N_("the text is not UTF-8; save it as UTF-8")),
    Rule("_csv.Error", N_("the CSV file is malformed (a quote left open, or a NUL byte); save it again")),
    Rule("JSONDecodeError", N_("it is not valid JSON")),
    Rule("ParseError", N_("it is not well-formed XML")),
    Rule("XMLSyntaxError", N_("it is not well-formed XML")),
    Rule("UnidentifiedImageError", N_("it is not an image file that can be read (use PNG)")),
    Rule("DecompressionBombError", N_("the image is far too large")),
    # the register (sqlite3)
    Rule("DatabaseError", N_("the register is in use by another program; try again in a moment"),
         wording=r"locked|busy"),
    Rule("DatabaseError", N_("the file is not an SQLite database, or it is damaged"),
         wording=r"not a database|malformed|disk image"),
    Rule("DatabaseError", N_("the register's database refused the operation")),
    # the network (time-stamping authority, acceptance service)
    Rule("HTTPError", N_("the server answered with an error")),  # its status code is added
    Rule("TimeoutError", N_("no answer in time")),
    Rule("URLError", N_("cannot connect to the server")),
    Rule("InvalidURL", N_("the address is not a valid URL")),
    # anything else a library raises while parsing data it was handed
    Rule("Exception", _BAD_PDF, module="pikepdf"),
    Rule("Exception", N_("pyHanko cannot process the file: it is damaged or altered"), module="pyhanko"),
    Rule("Exception", N_("fontTools cannot process the font"), module="fontTools"),
    Rule("Exception", N_("the data is damaged: the library reading it stopped"),
         wording=r"object is not|has no attribute|index out of range|unpack|argument"),
)


def library_reason(error: BaseException) -> str:
    """``error`` said in the reader's language: our message for its kind, then its type name
    (and, in English or with ``--debug``, the library's own words)."""
    if isinstance(error, OSError) and error.strerror and type(error).__name__ in _PLAIN_OS_ERRORS:
        return os_reason(error)
    if _is_ours(error):
        return str(error)
    message = _message_for(error)
    kind = type(error).__name__
    original = _original(error)
    if current_language() == "en":
        return f"{message} ({kind}: {original})" if original else f"{message} ({kind})"
    if _show_original and original:
        return _("{message} ({kind}, original: {original})").format(message=message, kind=kind,
                                                                    original=original)
    return _("{message} ({kind})").format(message=message, kind=kind)


def tool_failure(error: BaseException, output: bytes | str | None = None) -> str:
    """Why an external program (pdftotext, mutool, qpdf) failed, without its English output
    in Chinese (the output is kept as :func:`library_reason` keeps a library's words)."""
    code = getattr(error, "returncode", None)
    message = (_("it did not finish in time") if code is None
               else _("it stopped with exit status {code}").format(code=code))
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    detail = (output or "").strip().splitlines()[:1]
    if detail and (current_language() == "en" or _show_original):
        return _("{message}; it said: {output}").format(message=message, output=detail[0][:300])
    return message


def developer_detail(text: str) -> str:
    """Our own English words meant for the template's author (why the fast path gave up): as
    they are in English or with --debug; in Chinese a pointer to --debug instead."""
    if current_language() == "en" or _show_original or _CJK.search(text):
        return text
    return _("run it again with --debug to see the details")


def _message_for(error: BaseException) -> str:
    text = _original(error)
    names = {name for cls in type(error).__mro__ for name in (cls.__name__, f"{cls.__module__}.{cls.__name__}")}
    raised_in = _raised_in(error)
    for rule in RULES:
        if rule.kind not in names:
            continue
        if rule.module and not raised_in.startswith(rule.module):
            continue
        if rule.wording and not re.search(rule.wording, text):
            continue
        message = _(rule.message)
        if isinstance(getattr(error, "code", None), int) and rule.kind == "HTTPError":
            message = _("{message}: HTTP {code}").format(message=message, code=error.code)
        return message
    if isinstance(error, OSError):
        return _("the system refused: {reason}").format(reason=os_reason(error))
    return _("an unexpected error of the library that read the file")


def _is_ours(error: BaseException) -> bool:
    """Our own message, already in the reader's language: of our own type, or Chinese, or (in
    English) raised in our code through a library's type, like the contract policy's
    SuspiciousModification (in Chinese such a message of ours is Chinese already)."""
    if type(error).__module__.startswith("generator") or _CJK.search(str(error)):
        return True
    return current_language() == "en" and _raised_in(error).startswith("generator.")


def _raised_in(error: BaseException) -> str:
    """The module whose code raised ``error`` (the innermost frame), e.g. ``asn1crypto.core``."""
    traceback = error.__traceback__
    module = type(error).__module__
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", module)
        traceback = traceback.tb_next
    return module or ""


def _original(error: BaseException) -> str:
    text = str(error).strip() or (str(error.args[0]) if error.args else "")
    return text.splitlines()[0][:300] if text else ""


# OSErrors whose strerror os_reason() already says in the reader's language.
_PLAIN_OS_ERRORS = frozenset({"OSError", "FileNotFoundError", "PermissionError", "IsADirectoryError",
                              "NotADirectoryError", "FileExistsError"})

_show_original = False
_CJK = re.compile(r"[\u3400-\u9fff]")


def show_originals(shown: bool) -> None:
    """``--debug``: a Chinese message also carries the library's own words."""
    global _show_original
    _show_original = shown


_NAME_LABELS = {
    "common_name": N_("Common Name"), "organization_name": N_("Organization"),
    "organizational_unit_name": N_("Organizational Unit"), "country_name": N_("Country"),
    "state_or_province_name": N_("State/Province"), "locality_name": N_("Locality"),
    "email_address": N_("Email Address"), "serial_number": N_("Serial Number"),
    "organization_identifier": N_("Organization Identifier"), "street_address": N_("Street Address"),
}


def certificate_name(name) -> str:
    """An X.509 name (asn1crypto ``Name``) for people: asn1crypto's ``human_friendly`` in English,
    and in Chinese each attribute's label translated with its value quoted (the value is the
    certificate holder's own words, in whatever language they wrote it)."""
    if current_language() == "en":
        return name.human_friendly
    parts = []
    for rdn in reversed(name.chosen):
        for attribute in rdn:
            key = attribute["type"].native
            label = _(_NAME_LABELS[key]) if key in _NAME_LABELS else attribute["type"].dotted
            value = attribute["value"].native
            parts.append(_("{label} “{value}”").format(label=label, value=value))
    return _(", ").join(parts)
