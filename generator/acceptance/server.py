"""Serving the app with uvicorn on a socket made here, so that it has TCP_NODELAY: without it a
small answer can wait ~40 ms for the client's delayed ACK (Nagle), which dwarfs the commit."""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it
    sock.bind((host, port))
    return sock


def uvicorn_server(app):
    import uvicorn

    # named, not "auto": a missing uvloop or httptools is an error, not a silently slower service
    return uvicorn.Server(uvicorn.Config(app, loop="uvloop", http="httptools", log_level="warning", access_log=False,
                                         limit_concurrency=1000, timeout_graceful_shutdown=5))
