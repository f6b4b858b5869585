"""`agreements serve`: a live preview of one version for the legal team.

The version's pages are generated into a scratch folder that MkDocs serves
with live reload. A watcher regenerates them whenever a YAML file, a template
or the configuration changes; MkDocs notices the new pages and reloads the
browser. A mistake in the YAML is printed (file:line: key: message) and the
last good pages stay up until it is fixed.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import click
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.content.project import Project, load_project
from generator.errors import AgreementsError
from generator.i18n import _, os_reason
from generator.site import mkdocs_build as site
from generator.site import pages
from generator.site.build import page_extra
from generator.site.pages import Downloads

PREVIEW_DIR = Path(".cache") / "preview"
WATCHED = ("content", "templates", "site_config.yml", "mkdocs.yml")


def _choose(project: Project, version: str | None):
    return project.version(version) if version else project.newest


def _no_downloads(project: Project, version) -> tuple:
    return ()


def write_preview(root: Path, version: str | None, docs: Path, downloads: Downloads = _no_downloads) -> str:
    """(Re)generate the pages of the chosen version (and its downloads, if given); returns its date."""
    project = load_project(root, check_lock=False)  # a locked file being edited is shown, not refused
    chosen = _choose(project, version)
    pages.write_pages(project, chosen, docs, downloads)
    for download in downloads(project, chosen):
        (docs / download.name).write_bytes(download.render())
    return chosen.date


class _Regenerate(FileSystemEventHandler):
    """Debounced: an editor's save is several events; regenerate once they settle."""

    def __init__(self, root: Path, version: str | None, docs: Path,
                 downloads: Downloads = _no_downloads) -> None:
        self.root, self.version, self.docs, self.downloads = root, version, docs, downloads
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    # Reading a file is an event too (opened, closed without writing); only changes count,
    # or regenerating, which reads the sources, would trigger itself forever.
    CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed"})
    SETTLE = 0.1  # seconds without events before regenerating: an editor's save is over by then

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in self.CHANGES or event.is_directory:
            return
        if ".cache" in Path(event.src_path).parts:
            return
        with self.lock:
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(self.SETTLE, self.regenerate)
            self.timer.daemon = True
            self.timer.start()

    def regenerate(self) -> None:
        try:
            date = write_preview(self.root, self.version, self.docs, self.downloads)
        except AgreementsError as exc:
            click.echo(_("preview not updated:\n{problems}").format(problems=exc), err=True)
        else:
            click.echo(_("preview of {date} updated").format(date=date))


def check_port_free(host: str, port: int) -> None:
    """Refuse a port another program holds before saying where the preview is.

    Bound the way the preview server binds (``SO_REUSEADDR``, as Python's HTTP
    servers do), so a port in TIME_WAIT counts as free, as it is for the server.
    """
    try:
        family, kind, proto, _canonical_name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise AgreementsError(_("cannot use the host `{host}` ({reason}); pass --host 127.0.0.1").format(
            host=host, reason=os_reason(exc)),
                              key="--host") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise AgreementsError(_("cannot listen on {host}:{port} ({reason}); stop the program "
                                    "using it or pass another --port, e.g. --port {other}").format(
                                        host=host, port=port, reason=os_reason(exc), other=port % 65535 + 1),
                                  key="--port") from None


def serve(root: Path, version: str | None, *, host: str, port: int, downloads: Downloads = _no_downloads) -> None:
    check_port_free(host, port)
    docs = root / PREVIEW_DIR / "docs"
    project = load_project(root, check_lock=False)
    chosen = _choose(project, version)
    write_preview(root, chosen.date, docs, downloads)
    observer = Observer()
    handler = _Regenerate(root, chosen.date, docs, downloads)
    for name in WATCHED:
        path = root / name
        if path.exists():
            observer.schedule(handler, str(path if path.is_dir() else path.parent),
                              recursive=path.is_dir())
    observer.start()
    click.echo(_("previewing {date} ({status}) at http://{host}:{port}/{date}/ — "
                 "edit the YAML and the page reloads; Ctrl+C stops").format(
                     date=chosen.date, status=chosen.status, host=host, port=port))
    try:
        site.serve_version(docs, version=chosen.date, title=project.config.site.title,
                           status=chosen.status, extra=page_extra(project, chosen),
                           navigation=pages.NAVIGATION, project_root=root, host=host, port=port,
                           site_url=project.config.site.url)
    finally:
        observer.stop()
        observer.join()
