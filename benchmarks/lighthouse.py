"""Lighthouse (npm) scores of the built site, mobile: median of 5 runs per page.

Not a test: Lighthouse's scores are noisy. Run by `make bench` after the site benchmarks,
or alone: ``python -m benchmarks.lighthouse SITE_DIR``. Lighthouse runs through
``npx --yes lighthouse@VERSION`` (fetched into npm's cache the first time) with Debian's
Chromium; without npx the figures are reported as not measured.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

LIGHTHOUSE = "lighthouse@13.5.0"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUNS = 5


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def scores(url: str) -> dict[str, float]:
    """One Lighthouse run (mobile, the default form factor): category → score 0–100."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(["npx", "--yes", LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
                        f"--only-categories={','.join(CATEGORIES)}",
                        "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
                       check=True, capture_output=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
        data = json.loads(report.read_text(encoding="utf-8"))
    return {c: round(100 * data["categories"][c]["score"]) for c in CATEGORIES}


def bench_lighthouse(site: Path, version: str, pages=("", "history/", "compare/")) -> list[tuple[str, str]]:
    if shutil.which("npx") is None:
        return [("lighthouse", "not measured: npx is not installed")]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    Thread(target=httpd.serve_forever, daemon=True).start()
    rows = []
    try:
        for page in pages:
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{version}/{page}"
            runs = [scores(url) for _ in range(RUNS)]
            median = {c: statistics.median(r[c] for r in runs) for c in CATEGORIES}
            rows.append((f"lighthouse mobile, /{version}/{page} (median of {RUNS})",
                         " · ".join(f"{c} {median[c]:.0f}" for c in CATEGORIES)))
    finally:
        httpd.shutdown()
    return rows


if __name__ == "__main__":
    site_dir = Path(sys.argv[1])
    versions = json.loads((site_dir / "versions.json").read_text(encoding="utf-8"))
    current = next(v["version"] for v in versions if "latest" in v["aliases"])
    for name, value in bench_lighthouse(site_dir, current):
        print(f"{name}  {value}")
