"""Writing a file whole or not at all.

Every file the tool writes (contracts, the lock of published versions, version.yml)
goes to a temporary file beside its target and is renamed over it, which is atomic
on POSIX: a reader sees the old file or the new one, never half of one. A full disk
or a read-only folder therefore fails the write without touching the target, and the
temporary file is removed whatever stopped the writing: an exception, Ctrl+C, or the
death of a worker's parent (see :func:`remove_unfinished`).

The data goes through ``os.write``, the OS boundary, so tests can make the disk
fail there (ENOSPC) without patching this module.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from generator.errors import AgreementsError, display_path
from generator.i18n import _, os_reason

# Temporary files this process is writing; registered before they exist, so that no
# signal can fall between creating one and remembering it.
_UNFINISHED: set[Path] = set()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a temporary file beside it, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    _UNFINISHED.add(temporary)
    try:
        # O_EXCL never overwrites; mode 0o666 less the umask, as any new file gets.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            remaining = memoryview(data)
            while remaining:
                remaining = remaining[os.write(fd, remaining):]
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        if exc.filename in (None, str(temporary)):  # name the file meant, not the temporary one
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        _UNFINISHED.discard(temporary)


def write_text_atomically(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"))


def remove_unfinished() -> None:
    """Remove the temporary files being written, for a process about to ``os._exit``."""
    for temporary in list(_UNFINISHED):
        temporary.unlink(missing_ok=True)


def prepare_output_folder(out: Path) -> None:
    """Refuse, before anything is rendered, a folder that cannot take the files."""
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise AgreementsError(_("{path} is a file, not a folder; choose another --out").format(
                                  path=display_path(existing)),
                              file=out, key="--out")
    probe = out / f".agreements-probe-{secrets.token_hex(6)}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
        probe.unlink()
    except OSError as exc:
        raise AgreementsError(_("cannot write into this folder ({reason}); choose a writable "
                                "--out").format(reason=os_reason(exc)),
                              file=out, key="--out") from None
