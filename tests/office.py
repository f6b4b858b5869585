"""One long-lived LibreOffice for the whole test session (the ``office`` fixture in tests/conftest.py).

Starting ``soffice --convert-to`` costs seconds per call (a fresh profile each time); this starts
``soffice --headless --accept=pipe,…`` once, with a private profile, and converts every file over
UNO through tests/office_uno.py, run by Debian's /usr/bin/python3 (python3-uno). A conversion that
LibreOffice refuses fails the test with LibreOffice's own message; nothing falls back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

SOFFICE = Path("/usr/bin/soffice")  # the wrapper: it restarts soffice.bin once a new profile is made
SYSTEM_PYTHON = Path("/usr/bin/python3")
HELPER = Path(__file__).resolve().parent / "office_uno.py"

# What `soffice --convert-to EXT` picks, by document kind: Writer for .docx/.odt, Calc for sheets.
WRITER_FILTERS = {"txt": ("Text (encoded)", "UTF8"), "pdf": ("writer_pdf_Export", None),
                  "odt": ("writer8", None), "html": ("HTML (StarWriter)", None)}
CALC_FILTERS = {"xlsx": ("Calc MS Excel 2007 XML", None), "csv": ("Text - txt - csv (StarCalc)", "44,34,76"),
                "pdf": ("calc_pdf_Export", None)}
CSV_IMPORT = "Text - txt - csv (StarCalc)"


class Office:
    """A running LibreOffice and the UNO helper that talks to it."""

    def __init__(self, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        pipe = f"agreements-tests-{os.getpid()}"
        self._soffice = subprocess.Popen(
            [str(SOFFICE), f"-env:UserInstallation={(workdir / 'profile').as_uri()}", "--headless",
             "--invisible", "--norestore", "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self._helper = subprocess.Popen([str(SYSTEM_PYTHON), str(HELPER), pipe], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, start_new_session=True)
        ready = self._helper.stdout.readline()
        if not ready:
            self.close()
            raise RuntimeError("the UNO helper could not reach LibreOffice (is python3-uno installed?)")

    def convert(self, source: Path, target: Path, export_filter: str, options: str | None = None, *,
                import_filter: str | None = None, import_options: str | None = None) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        request = {"source": str(source.resolve()), "target": str(target.resolve()), "filter": export_filter,
                   "options": options, "import_filter": import_filter, "import_options": import_options}
        self._helper.stdin.write(json.dumps(request) + "\n")
        self._helper.stdin.flush()
        reply = json.loads(self._helper.stdout.readline() or '{"error": "the UNO helper died"}')
        assert "error" not in reply, f"LibreOffice could not convert {source.name}: {reply['error']}"
        assert target.is_file() and target.stat().st_size > 0, f"LibreOffice wrote no {target}"
        return target

    def writer(self, source: Path, fmt: str, out: Path) -> Path:
        """``source`` (.docx) as LibreOffice Writer saves it as ``fmt``, in ``out`` under its own stem."""
        return self.convert(source, out / f"{source.stem}.{fmt}", *WRITER_FILTERS[fmt])

    def calc(self, source: Path, fmt: str, out: Path, *, csv_options: str | None = None) -> Path:
        """``source`` (a sheet; CSV read with ``csv_options``) as LibreOffice Calc saves it as ``fmt``."""
        return self.convert(source, out / f"{source.stem}.{fmt}", *CALC_FILTERS[fmt],
                            import_filter=CSV_IMPORT if csv_options else None, import_options=csv_options)

    def close(self) -> None:
        if self._helper.poll() is None:
            try:
                self._helper.stdin.write(json.dumps({"quit": True}) + "\n")
                self._helper.stdin.flush()
                self._helper.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):  # already gone, or stuck: stopped below
                pass
        for process in (self._helper, self._soffice):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # its own session, started above
                process.wait()
