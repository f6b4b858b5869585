"""SHA-256 fingerprints of what an output depends on, for provenance and caches."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import subprocess
from importlib import metadata
from pathlib import Path

# The libraries whose version changes what the site and the PDFs look like.
RENDERING_LIBRARIES = ("mkdocs", "mkdocs-material", "jieba", "weasyprint", "pydyf", "fonttools", "uharfbuzz")


def files_digest(root: Path, names: tuple[str, ...]) -> str:
    """One SHA-256 over files and folders (recursively) named relative to ``root``."""
    digest = hashlib.sha256()
    for name in names:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(f"{file.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest() if file.is_file() else b"-")
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """The generator's own source and the rendering libraries' versions (fixed per process)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(files_digest(package.parent, (package.name,)).encode())
    for name in RENDERING_LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-\n".encode())
    return digest.hexdigest()


# The native libraries that shape and subset text for WeasyPrint, by their shared-object name.
TEXT_LIBRARIES = (("harfbuzz", "hb_version_string"), ("pango-1.0", "pango_version_string"),
                  ("fontconfig", "FcGetVersion"))


@functools.cache
def system_digest() -> str:
    """The text libraries' versions and the installed fonts (fixed per process).

    Two machines with the same generator code can still write different PDF
    bytes when HarfBuzz, Pango or a font differ, so a contract names these too:
    `verify` then says "made with other fonts" instead of calling it altered.
    Fonts are identified by fontconfig's file, face index and font revision
    (from the font's own ``head`` table), which is cheap and survives copying.
    """
    digest = hashlib.sha256()
    for name, function in TEXT_LIBRARIES:
        digest.update(f"{name}={_library_version(name, function)}\n".encode())
    try:
        fonts = subprocess.run(["fc-list", "--format", "%{file}|%{index}|%{fontversion}\n"],
                               capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        fonts = b"fc-list unavailable"
    digest.update(b"\n".join(sorted(fonts.splitlines())))
    return digest.hexdigest()


def _library_version(name: str, function: str) -> str:
    path = ctypes.util.find_library(name)
    if path is None:
        return "-"
    try:
        symbol = getattr(ctypes.CDLL(path), function)
    except (OSError, AttributeError):
        return "-"
    if function == "FcGetVersion":  # an int such as 21401
        symbol.restype = ctypes.c_int
        return str(symbol())
    symbol.restype = ctypes.c_char_p
    return symbol().decode("ascii", "replace")
