"""Site figures besides build times: warm rebuild, serve's edit-to-visible time, search speed.

- warm build: `agreements build` of the real project again, every version cached;
- serve: the live preview (`agreements serve`'s code, no downloads) of a copy of the
  project; one clause of the draft is edited and the time until the preview server
  serves the page with the new text is taken (median of 5 edits);
- search in Chromium: the site's own search (assets/search.js) over the version's
  index for every question of tests/fixtures/search-questions.yml, median and
  slowest; and the first search of a page, index download included (target < 100 ms).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import yaml

ROOT = Path(__file__).resolve().parents[1]
SERVER = ("import sys; from pathlib import Path; from generator.site.preview import serve; "
          "serve(Path(sys.argv[1]), None, host='127.0.0.1', port=int(sys.argv[2]))")
CHROMIUM = "/usr/bin/chromium"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def serve_edit_to_visible(project: Path, edits: int = 5) -> list[float]:
    """Seconds from saving an edited draft clause to the preview serving it."""
    from generator.content.project import load_project

    draft = load_project(project, check_lock=False).newest
    port = _port()
    url = f"http://127.0.0.1:{port}/{draft.date}/"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(project), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    agreement = draft.folder / "agreement.yml"
    try:
        _wait(lambda: "<html" in _get(url))
        times = []
        for n in range(edits):
            marker = f"基准测试修改{n}"
            text = agreement.read_text(encoding="utf-8")
            started = time.perf_counter()
            agreement.write_text(text.replace("短信轰炸", f"短信轰炸{marker}", 1), encoding="utf-8")
            _wait(lambda: marker in _get(url))
            times.append(time.perf_counter() - started)
            agreement.write_text(text, encoding="utf-8")
            _wait(lambda: marker not in _get(url))
        return times
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait(ready, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if ready():
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.02)
    raise TimeoutError("the preview did not show the edit in time")


SEARCH_ALL = """async (queries) => {
  const index = await (await fetch('search/index.json')).json();
  const times = queries.map(q => { const t = performance.now(); agreementsSearch.find(index, q);
                                   return performance.now() - t; });
  return times;
}"""

FIRST_SEARCH = """async (query) => {
  const box = document.getElementById('agreements-search-input');
  const list = document.querySelector('.agreements-search__results');
  document.querySelector('.agreements-search__toggle').click();
  const t = performance.now();
  box.value = query;
  box.dispatchEvent(new Event('input'));
  while (!list.children.length) await new Promise(r => setTimeout(r, 0));
  return performance.now() - t;
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass


def search_speed(site: Path, version: str) -> tuple[list[float], float]:
    """Milliseconds per query (index loaded), and the first search of a page (index fetched)."""
    from playwright.sync_api import sync_playwright

    questions = yaml.safe_load((ROOT / "tests/fixtures/search-questions.yml").read_text(encoding="utf-8"))
    queries = [q["q"] for q in questions["questions"]] + questions["uncovered"]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{version}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            page.wait_for_function("window.agreementsSearch !== undefined")
            times = page.evaluate(SEARCH_ALL, queries)
            firsts = []
            for _ in range(5):
                page.goto(url)
                page.wait_for_function("window.agreementsSearch !== undefined")
                firsts.append(page.evaluate(FIRST_SEARCH, "短信轰炸"))
            browser.close()
    finally:
        httpd.shutdown()
    return times, statistics.median(firsts)


def bench_site_live(real: Path, run_measured, agreements: list[str]) -> list[tuple[str, str]]:
    """``real``: a copy of the project whose site was just built cold into real/site."""
    rows = []
    run = run_measured([*agreements, "--root", str(real), "build", "--out", str(real / "site")], cwd=real)
    rows.append(("site: build, real versions (warm cache)", f"{run['seconds']:.1f} s"))
    times = serve_edit_to_visible(real)
    rows.append(("site: serve, edited draft clause visible (median of 5; target < 1 s)",
                 f"{statistics.median(times):.2f} s (max {max(times):.2f} s)"))
    from generator.content.project import load_project

    version = load_project(real, check_lock=False).latest_published.date
    per_query, first = search_speed(real / "site", version)
    rows.append(("site: search in Chromium, per query (median / slowest of %d)" % len(per_query),
                 f"{statistics.median(per_query):.2f} ms / {max(per_query):.2f} ms"))
    rows.append(("site: search in Chromium, first query incl. index (target < 100 ms)", f"{first:.0f} ms"))
    return rows
