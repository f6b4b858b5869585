"""One acceptance service per backend per session (SQLite, and PostgreSQL in one throwaway
cluster run as the `postgres` user), the product backend's token key, and a client."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from helpers import ROOT

PG_BIN = Path("/usr/lib/postgresql/15/bin")
ADMIN_TOKEN = "test-admin-token-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*argv: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL cluster for the session (PostgreSQL refuses to run as root)."""
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is missing: `make setup` installs the postgresql package")
        pytest.skip("PostgreSQL is not installed (make setup installs it)")
    folder = Path(tempfile.mkdtemp(prefix="agreements-pg-"))
    folder.chmod(0o755)
    shutil.chown(folder, "postgres")
    port = free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                 "--no-instructions", "--no-sync")
    _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w", "start",
                 "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off")  # a throwaway cluster
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def new_database(postgres_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(postgres_url + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{postgres_url}/{name}"


@pytest.fixture(scope="session")
def account_key(tmp_path_factory):
    """The product backend's key: it signs the account tokens; the service knows its public half."""
    private = Ed25519PrivateKey.generate()
    path = tmp_path_factory.mktemp("account-key") / "backend.pub.pem"
    path.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, path


def token(private, account: str, *, ahead: int = 300, **claims) -> str:
    return jwt.encode({"sub": account, "exp": int(time.time()) + ahead, **claims}, private, algorithm="EdDSA")


@dataclass
class Running:
    url: str
    service: object
    private: object  # the account-token key
    folder: Path
    backend: str  # the backend: sqlite | postgresql

    shared: httpx.Client | None = None

    def client(self):
        """The session's one client (making one costs an SSL context), for a `with` block."""
        if self.shared is None:
            self.shared = httpx.Client(base_url=self.url, timeout=30)
        return contextlib.nullcontext(self.shared)

    def auth(self, account: str, **kw) -> dict:
        return {"Authorization": f"Bearer {token(self.private, account, **kw)}"}


def start_service(settings):
    """Serve the app on a free 127.0.0.1 port in a thread; return (url, service, stop)."""
    from generator.acceptance.app import create_app
    from generator.acceptance.server import listening_socket, uvicorn_server
    from generator.acceptance.service import Service

    service = Service(settings)
    sock = listening_socket("127.0.0.1", 0)
    server = uvicorn_server(create_app(service))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)
        sock.close()
        service.close()

    return f"http://127.0.0.1:{sock.getsockname()[1]}", service, stop


@contextlib.contextmanager
def _serving(backend: str, database: str, folder: Path, account_key, tsa_url: str):
    from generator.acceptance.service import Settings

    settings = Settings(root=ROOT, database=database, keys_dir=folder / "keys", account_key=account_key[1],
                        admin_token=ADMIN_TOKEN, tsa_url=tsa_url, max_body=8192, rate=0,
                        site_origins=["http://127.0.0.1:8000"])
    url, service, stop = start_service(settings)
    running = Running(url, service, account_key[0], folder, backend)
    try:
        yield running
    finally:
        if running.shared is not None:
            running.shared.close()
        stop()


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory, account_key, tsa):
    folder = tmp_path_factory.mktemp("service-sqlite")
    with _serving("sqlite", f"sqlite:///{folder / 'acceptances.sqlite'}", folder, account_key, tsa) as running:
        yield running


@pytest.fixture(scope="session")
def postgresql_server(tmp_path_factory, account_key, tsa, postgres_url):
    folder = tmp_path_factory.mktemp("service-postgresql")
    database = new_database(postgres_url, "acceptance_tests")
    with _serving("postgresql", database, folder, account_key, tsa) as running:
        yield running


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def server(request):
    """The service on each backend in turn (the same suite runs against both)."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture(scope="session")
def tsa_root(tsa, tmp_path_factory) -> Path:
    """The local TSA's root certificate (PEM)."""
    return tmp_path_factory.getbasetemp() / "acceptance-pki0" / "test-root.pem"


@pytest.fixture(scope="session")
def tsa(tmp_path_factory):
    """A local RFC 3161 TSA (pyHanko's test time stamper under a throwaway root), as the contract tests use."""
    from helpers import make_pki

    if str(ROOT / "tests" / "contracts") not in sys.path:
        sys.path.append(str(ROOT / "tests" / "contracts"))  # after everything, so nothing is shadowed
    from tamper import tsa_server

    folder = tmp_path_factory.mktemp("acceptance-pki")
    pki = make_pki(folder)
    pki.root_pem(folder)  # test-root.pem: the TSA's root, for verify-receipt --tsa-trust
    with tsa_server(pki.timestamper()) as url:
        yield url
