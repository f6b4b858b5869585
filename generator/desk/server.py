"""Serve the desk with uvicorn, and open the salesperson's browser on it."""

from __future__ import annotations

import socket
import threading
import webbrowser

from generator.desk.app import Desk
from generator.desk.routes import create_app


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def serve(desk: Desk, port: int, *, open_browser: bool, announce) -> None:
    """Run until Ctrl+C; ``announce(url)`` once the address is known."""
    import uvicorn

    port = port or free_port(desk.host)
    shown_host = f"[{desk.host}]" if ":" in desk.host else desk.host
    url = f"http://{shown_host}:{port}/"
    config = uvicorn.Config(create_app(desk), host=desk.host, port=port, log_level="warning",
                            access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    announce(url)
    if open_browser:  # once the socket listens, so the first page never fails to load
        threading.Thread(target=_open_when_ready, args=(server, url), daemon=True).start()
    try:
        server.run()
    finally:
        desk.verifier.close()


def _open_when_ready(server, url: str) -> None:
    import time

    for _ in range(200):
        if server.started:
            webbrowser.open(url)
            return
        time.sleep(0.05)
