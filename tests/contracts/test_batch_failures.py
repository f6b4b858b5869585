"""A batch that cannot finish stops cleanly: a full or read-only disk, a bad --out, a killed parent.

The disks are real where the machine allows it (a small tmpfs, mounted by the test
as root, skipped where mounting is impossible) and otherwise a fake disk at the OS
boundary: ``os.write`` refusing with ENOSPC once a folder holds a given number of
bytes, inherited by the forked workers. Our own code is never patched.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contract_helpers import EXAMPLE, VERSION, customer_yaml
from helpers import small_disk


def _customers(folder: Path, count: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(1, count + 1):
        path = folder / f"batch-{n}.yml"
        text = customer_yaml(id=f"batch-{n}", company=f"批量测试{n}号有限公司")
        path.write_text(text.replace("contract_number: ZSY-2026-0001\n", ""), encoding="utf-8")
        files.append(str(path))
    return files


def _leftovers(folder: Path) -> list[str]:
    """Anything but a finished contract: temporary files, probes."""
    return sorted(p.name for p in folder.iterdir() if not re.fullmatch(rf"batch-\d+_{VERSION}\.pdf", p.name))


def _assert_stopped_batch(err: str, out: Path, total: int) -> None:
    """Exit 1's report: the failing contract, what was written (exactly the files present)."""
    assert "Traceback" not in err
    written = sorted(out.glob("*.pdf"))
    assert 0 < len(written) < total
    assert re.search(rf"the batch stopped: {len(written)} of {total} contract\(s\) written"
                     r"(, \d more failed)?:\n", err), err
    for path in written:
        assert re.search(rf"^  \S*{re.escape(path.name)}$", err, re.M), (path.name, err)
    failed = re.search(rf"(batch-\d+_{VERSION}\.pdf): cannot write the contract \(No space left on device\)", err)
    assert failed and not (out / failed.group(1)).exists(), err
    assert "free some space" in err
    assert _leftovers(out) == []  # no temporary file, nothing half-written


# --------------------------------------------------------------------------- --out


@pytest.mark.parametrize("command", ["contract", "pdf", "docx"])
def test_out_below_a_regular_file_is_refused_before_rendering(cli, capfd, tmp_path, command):
    blocker = tmp_path / "report.txt"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    args = [str(EXAMPLE)] if command == "contract" else [VERSION]
    assert cli(command, *args, "--out", str(blocker / "contracts")) == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert re.search(r"report\.txt/contracts: --out: \S*report\.txt is a file, not a folder", err), err
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder\n"


# --------------------------------------------------------------------------- real small disks


@contextlib.contextmanager
def _tmpfs(folder: Path, options: str):
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the fake disk test covers ENOSPC")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_stops_the_batch_and_lists_what_was_written(cli, capfd, tmp_path, example_pdf, jobs):
    files = _customers(tmp_path / "customers", 3)
    size_kib = len(example_pdf) * 5 // 2 // 1024  # room for two contracts, not three
    with _tmpfs(tmp_path / "disk", f"size={size_kib}k,mode=0755") as out:
        assert cli("contract", *files, "--out", str(out), "--jobs", jobs) == 1
        _assert_stopped_batch(capfd.readouterr().err, out, 3)
        assert len(list(out.glob("*.pdf"))) == 2


def test_a_read_only_folder_is_refused_before_rendering(cli, capfd, tmp_path):
    with _tmpfs(tmp_path / "disk", "ro,size=64k") as out:
        assert cli("contract", str(EXAMPLE), "--out", str(out / "contracts")) == 1
        err = capfd.readouterr().err
        assert "Traceback" not in err
        assert re.search(r"disk/contracts: --out: cannot write into this folder \(Read-only file system\)", err), err


# --------------------------------------------------------------------------- a fake full disk


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_enospc_mid_batch_stops_it_and_removes_the_temporary_file(cli, capfd, tmp_path, example_pdf,
                                                                  monkeypatch, jobs):
    files = _customers(tmp_path / "customers", 4)
    out = tmp_path / "out"
    out.mkdir()
    small_disk(monkeypatch, out, len(example_pdf) * 5 // 2)  # inherited by the forked workers
    assert cli("contract", *files, "--out", str(out), "--jobs", jobs) == 1
    _assert_stopped_batch(capfd.readouterr().err, out, 4)
    assert len(list(out.glob("*.pdf"))) == 2


def test_a_contract_is_written_in_all_its_formats_or_in_none(cli, capfd, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    small_disk(monkeypatch, out, 150_000)  # room for the .docx (about 50 kB), not the PDF
    assert cli("contract", str(EXAMPLE), "--out", str(out), "--type", "pdf,docx") == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "cannot write the contract (No space left on device)" in err
    assert "the batch stopped: 0 of 1 contract(s) written." in err
    assert list(out.iterdir()) == []  # the .docx written first was removed with its contract


# --------------------------------------------------------------------------- kill -9


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited worker whose new parent has not reaped it yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_workers_exit_when_the_parent_is_killed(tmp_path, contract_root):
    files = _customers(tmp_path / "customers", 40)
    out = tmp_path / "out"
    temporary = tmp_path / "tmp"  # a killed process leaves its temporary fonts: here, not in /tmp
    temporary.mkdir()
    batch = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(contract_root), "contract", *files,
                              "--out", str(out), "--jobs", "2"], env={**os.environ, "TMPDIR": str(temporary)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        # Mid-batch: both workers started and at least one contract written.
        assert _wait_for(lambda: len(_children(batch.pid)) >= 2 and any(out.glob("*.pdf")), 120)
        workers = _children(batch.pid)
        assert batch.poll() is None, "the batch finished before it could be killed; give it more customers"
        os.kill(batch.pid, signal.SIGKILL)
        batch.wait()
        assert _wait_for(lambda: not any(_running(pid) for pid in workers), 5), \
            f"workers still running after the parent was killed: {[p for p in workers if _running(p)]}"
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if batch.poll() is None:
            batch.kill()
    assert len(workers) == 2
    # The workers removed the file they were writing. A contract a worker had finished but the
    # killed parent had not yet named stays whole under its .pending name, for `register check`
    # to explain: rename it, or delete it if never recorded (test_register_life.py).
    waiting = [name for name in _leftovers(out) if re.fullmatch(rf"\.batch-\d+_{VERSION}\.pdf\.\d+\.pending", name)]
    assert [name for name in _leftovers(out) if name not in waiting] == []
    for contract in [*out.glob("*.pdf"), *(out / name for name in waiting)]:
        checked = subprocess.run(["qpdf", "--check", str(contract)], capture_output=True, text=True)
        assert checked.returncode == 0, (contract.name, checked.stdout[-500:])


# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
