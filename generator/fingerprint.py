"""SHA-256 fingerprints of what an output depends on, for provenance and caches."""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

# The libraries whose version changes what the site and the PDFs look like.
RENDERING_LIBRARIES = ("mkdocs", "mkdocs-material", "jieba", "weasyprint", "pydyf", "fonttools")


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
