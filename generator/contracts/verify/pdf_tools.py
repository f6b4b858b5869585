"""poppler's and MuPDF's command-line readers run on PDF bytes: the second readers verify
compares the file with, each failing with one message that names the package to install."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable

from generator.errors import AgreementsError
from generator.i18n import _
from generator.library_messages import tool_failure


def tool_output(data: bytes, tool: str, package: str, arguments: Callable[[str], list[str]]) -> bytes:
    """What ``tool`` writes to its standard output, given ``data`` as a file: ``arguments``
    gets the file's path and gives the tool's arguments (the tools read files, not pipes)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        try:
            return subprocess.run([tool, *arguments(handle.name)],
                                  capture_output=True, check=True, timeout=120).stdout
        except FileNotFoundError:
            raise AgreementsError(_("{tool} is not installed; install the Debian package {package}: "
                                    "`apt-get install {package}`").format(tool=tool, package=package)) from None
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise AgreementsError(_("{tool} could not read the PDF ({error}); the file is damaged").format(
                tool=tool, error=tool_failure(exc, exc.stderr))) from None
