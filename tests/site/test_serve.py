"""`agreements serve` shows the pages `agreements build` writes: both run the same MkDocs
configuration and the same plugin (generator/site/plugin.py); nothing edits a built page."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.content.project import load_project
from generator.site import pages
from generator.site.build import page_extra
from generator.site.mkdocs_build import build_version
from generator.site.preview import write_preview
from helpers import copy_site_project

LIVERELOAD = re.compile(rb"<script>\s*var livereload = function.*?</script>", re.S)
SERVER = ("import sys; from pathlib import Path; from generator.site.preview import serve; "
          "serve(Path(sys.argv[1]), None, host='127.0.0.1', port=int(sys.argv[2]))")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # loopback only
        return response.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The preview server of a copy of the project, and the project's root."""
    root = copy_site_project(tmp_path_factory.mktemp("serve") / "project")
    port = _free_port()
    temporary = tmp_path_factory.mktemp("serve-tmp")  # its temporary fonts: never in /tmp
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(root), str(port)],
                              env={**os.environ, "TMPDIR": str(temporary)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/{load_project(root, check_lock=False).newest.date}/"
    try:
        for _ in range(600):
            try:
                _get(url)
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.1)
        yield url, root
    finally:
        server.send_signal(signal.SIGINT)  # as a person stops it: Ctrl+C, then its exit handlers
        server.wait(timeout=10)


def test_serve_and_build_give_the_same_pages(served, tmp_path: Path):
    url, root = served
    project = load_project(root, check_lock=False)
    version = project.newest
    docs = tmp_path / "docs"
    write_preview(root, version.date, docs)
    built = tmp_path / "site"
    build_version(docs, built, version=version.date, title=project.config.site.title, status=version.status,
                  extra=page_extra(project, version), project_root=root, navigation=pages.NAVIGATION,
                  site_url=project.config.site.url)
    html = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    assert len(html) == len(pages.NAVIGATION) + 1  # the pages and 404.html
    for name in html:
        path = name.removesuffix("index.html")
        shown = _get(url + path) if name != "404.html" else _404(url + "no/such/page/")
        assert LIVERELOAD.search(shown) or name == "404.html", name  # it really is the live preview
        assert LIVERELOAD.sub(b"", shown) == (built / name).read_bytes(), name
    assert _get(url + "search/index.json") == (built / "search" / "index.json").read_bytes()


def test_after_an_edit_serve_shows_what_build_writes(served, tmp_path: Path):
    url, root = served
    project = load_project(root, check_lock=False)
    version = project.newest
    agreement = version.folder / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("短信轰炸", "短信轰炸（已修改）", 1),
                         encoding="utf-8")
    for _ in range(300):
        shown = _get(url)
        if "短信轰炸（已修改）".encode() in shown:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the preview never showed the edit")
    docs, built = tmp_path / "docs", tmp_path / "site"
    write_preview(root, version.date, docs)
    project = load_project(root, check_lock=False)
    build_version(docs, built, version=version.date, title=project.config.site.title, status=version.status,
                  extra=page_extra(project, version), project_root=root, navigation=pages.NAVIGATION,
                  site_url=project.config.site.url)
    for name in ("", "changes/", "compare/"):
        assert LIVERELOAD.sub(b"", _get(url + name)) == (built / name / "index.html").read_bytes(), name


def _404(url: str) -> bytes:
    with pytest.raises(urllib.error.HTTPError) as raised:
        _get(url)
    assert raised.value.code == 404
    return raised.value.read()
