"""Compiled theme templates kept for the whole process (Jinja's bytecode cache, in memory).

MkDocs makes a new Jinja environment for every build: the two versions of one
`agreements build`, and every rebuild of `agreements serve` after an edit. Compiling
Material's and the site's ~35 templates again each time was most of a rebuild's time.
Jinja keys each entry by the template's name and file and checks it against the
checksum of the template's current source, so an edited template is compiled afresh.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # Jinja drops it if the source's checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.compiled.clear()


THEME_TEMPLATES = MemoryBytecodeCache()


def clear_cache() -> None:
    THEME_TEMPLATES.clear()
