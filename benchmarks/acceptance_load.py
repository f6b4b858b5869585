"""Load on the acceptance service: acceptances per second and their latency.

    python -m benchmarks.acceptance_load --seconds 10 --concurrency 8

`agreements accept-server` runs in its own process (one uvicorn worker, SQLite in WAL mode
with synchronous=FULL, so every acceptance is on disk before its receipt is sent; the ledger
commits whatever is waiting as one group). This process is the load generator: an asyncio
client with ``--concurrency`` keep-alive connections to 127.0.0.1, each playing accounts that
first see the version (POST /v1/presentations) and then accept it (POST /v1/acceptances).
The presentations are made first, so that the timed phase is acceptances only; both phases
are reported. Bounded: by ``--seconds`` and ``--max`` acceptances.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class Connection:
    """HTTP/1.1 keep-alive over asyncio streams: the smallest client, so that the load generator
    costs less CPU than the service it measures on a two-core machine."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: dict | None = None,
                      headers: dict | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(data)}",
                "Content-Type: application/json", *(f"{k}: {v}" for k, v in (headers or {}).items())]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)


def make_tokens(private, accounts: list[str]) -> dict[str, str]:
    import jwt

    expires = int(time.time()) + 540
    return {a: jwt.encode({"sub": a, "exp": expires}, private, algorithm="EdDSA") for a in accounts}


def start_server(folder: Path, public_pem: Path, port: int, database: str | None = None) -> subprocess.Popen:
    database = database or f"sqlite:///{folder / 'acceptances.sqlite'}"
    command = [sys.executable, "-m", "generator", "--root", str(ROOT), "accept-server", "--port", str(port),
               "--account-key", str(public_pem), "--keys-dir", str(folder / "keys"), "--database", database,
               "--rate", "0", "--checkpoint-interval", "0"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            asyncio.run(Connection("127.0.0.1", port).request("GET", "/v1/versions/current"))
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()) from None
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the acceptance service did not start within 60 s")


async def _worker(port, version_hash, jobs, tokens, results, phase, stop_at) -> None:
    connection = Connection("127.0.0.1", port)
    while jobs and time.monotonic() < stop_at:
        account, payload = jobs.pop()
        body = ({"version_hash": version_hash, "presentation_id": payload} if phase == "accept" else
                {"version_hash": version_hash, "displayed_clauses": ["payment.refund"], "explanation_opened": True,
                 "scrolled_to_end": True, "viewport": {"width": 1280, "height": 800},
                 "shown_at": "2026-12-04T12:00:00Z"})
        started = time.perf_counter()
        status, answer = await connection.request(
            "POST", "/v1/acceptances" if phase == "accept" else "/v1/presentations", body,
            {"Authorization": f"Bearer {tokens[account]}"})
        results.append((time.perf_counter() - started, status, account, answer))


async def run_phase(port, version_hash, jobs, tokens, phase, concurrency, seconds) -> tuple[list, float]:
    results: list = []
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(_worker(port, version_hash, jobs, tokens, results, phase, stop_at)
                           for _ in range(concurrency)))
    return results, time.perf_counter() - started


def summary(name: str, results: list, elapsed: float) -> list[tuple[str, str]]:
    ok = [r for r in results if r[1] == 201]
    latencies = sorted(r[0] * 1000 for r in ok)
    if not latencies:
        return [(name, f"no successful requests ({len(results)} failed)")]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return [(f"{name} per second", f"{len(ok) / elapsed:.0f}/s ({len(ok)} in {elapsed:.1f} s, "
             f"{len(results) - len(ok)} failed)"),
            (f"{name} latency p50 / p99", f"{statistics.median(latencies):.1f} ms / {p99:.1f} ms")]


def bench_acceptance(seconds: float = 10, concurrency: int = 8, limit: int = 20_000) -> list[tuple[str, str]]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with tempfile.TemporaryDirectory(prefix="agreements-accept-bench-") as temporary:
        folder = Path(temporary)
        private = Ed25519PrivateKey.generate()
        (folder / "backend.pub.pem").write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        port = _free_port()
        server = start_server(folder, folder / "backend.pub.pem", port)
        try:
            return asyncio.run(_measure(port, private, seconds, concurrency, limit, server.pid))
        finally:
            server.kill()
            server.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its threads so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measure(port, private, seconds, concurrency, limit, pid) -> list[tuple[str, str]]:
    _, body = await Connection("127.0.0.1", port).request("GET", "/v1/versions/current")
    version_hash = json.loads(body)["version_hash"]
    accounts = [f"bench-{i}" for i in range(limit)]
    tokens = make_tokens(private, accounts)
    shown, shown_s = await run_phase(port, version_hash, [(a, None) for a in accounts[::-1]], tokens,
                                     "present", concurrency, seconds)
    jobs = [(account, json.loads(answer)["presentation_id"]) for _, status, account, answer in shown if status == 201]
    cpu_before = cpu_seconds(pid)
    accepted, accepted_s = await run_phase(port, version_hash, jobs, tokens, "accept", concurrency, seconds)
    cpu = cpu_seconds(pid) - cpu_before
    done = sum(1 for r in accepted if r[1] == 201) or 1
    load = os.getloadavg()[0]
    return [("acceptance service", f"1 worker process, SQLite WAL synchronous=FULL, {concurrency} connections"),
            *summary("presentations", shown, shown_s), *summary("acceptances", accepted, accepted_s),
            ("service CPU per acceptance", f"{cpu / done * 1000:.2f} ms (≈ {done / cpu if cpu else 0:.0f}/s "
             f"on one free core; load average {load:.1f} on {os.cpu_count()} cores during the run)")]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.acceptance_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--max", type=int, default=20_000, help="accounts at most (default 20000)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    for name, value in bench_acceptance(args.seconds, args.concurrency, args.max):
        print(f"{name:<34}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
