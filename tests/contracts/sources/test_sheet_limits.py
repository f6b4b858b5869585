"""Customer sheets cannot exhaust the machine, nor hide what becomes a contract (issue 16, item 7).

The hostile workbooks are real files in tests/fixtures/sheets/ (make_hostile.py writes them);
peak memory is measured in a fresh process, the way a batch runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.contracts.sources import read_records
from generator.contracts.sources.limits import MAX_CELL_CHARS, MAX_DATA_ROWS
from generator.errors import AgreementsError, ValidationFailed
from sheet_helpers import example_row, numbered, write_csv, write_workbook

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "sheets"
PEAK_LIMIT_MB = 300

# VmHWM, not getrusage's ru_maxrss: the latter keeps the forking parent's (pytest's) size across exec.
PEAK = """
import json, re, sys
from pathlib import Path
from generator.contracts.sources import read_records
from generator.errors import AgreementsError
try:
    outcome = f"{len(read_records(Path(sys.argv[1]), Path(sys.argv[2])))} records"
except AgreementsError as exc:
    outcome = str(exc)
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
print(json.dumps({"outcome": outcome, "peak_mb": peak_kb / 1024}))
"""


def read_in_fresh_process(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", PEAK, str(path), str(path.parent)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={"LANGUAGE": "en", "PATH": "/usr/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refusal(path: Path, root: Path | None = None) -> str:
    with pytest.raises(AgreementsError) as info:
        read_records(path, root or path.parent)
    return str(info.value)


@pytest.mark.parametrize("name, expected", [
    ("far-cell.xlsx", "cell XFD1048576 holds a value outside the 64 columns"),
    ("zip-bomb.xlsx", "unpacks to 200 MB, over the limit of 32 MB"),
    ("lying-bomb.xlsx", "Bad CRC-32"),
])
def test_a_small_hostile_workbook_is_refused_within_the_memory_bound(name, expected):
    path = FIXTURES / name
    assert path.stat().st_size < 256 * 1024  # small on disk: the danger is in what it declares
    result = read_in_fresh_process(path)
    assert expected in result["outcome"]
    assert result["outcome"].startswith(f"{path.name}:") or f"/{path.name}" in result["outcome"]
    assert result["peak_mb"] < PEAK_LIMIT_MB


def test_a_sheet_at_the_limits_reads_within_the_memory_bound():
    path = FIXTURES / "at-limits.xlsx"
    result = read_in_fresh_process(path)
    assert result["outcome"] == f"{MAX_DATA_ROWS} records"
    assert result["peak_mb"] < PEAK_LIMIT_MB


@pytest.mark.parametrize("name, where, named", [
    ("hidden-sheet.xlsx", "hidden-sheet.xlsx:", "sheet 备份 is hidden but holds data"),
    ("hidden-row.xlsx", "hidden-row.xlsx:客户!2:", "row 2 is hidden but holds data"),
    ("hidden-column.xlsx", "hidden-column.xlsx:", "column B is hidden but holds data"),
])
def test_data_nobody_sees_is_refused_and_named(name, where, named, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    message = refusal(FIXTURES / name)
    assert where in message and named in message


def test_hidden_rows_without_data_are_fine(tmp_path):
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "c.xlsx", [example_row()])
    book = load_workbook(path)
    book["客户"].row_dimensions[5].hidden = True  # an empty hidden row: nothing to see
    book["客户"].column_dimensions["Z"].hidden = True
    book.save(path)
    assert len(read_records(path, tmp_path)) == 1


def test_too_many_rows_in_a_csv_are_refused_with_the_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    path = write_csv(tmp_path / "many.csv", [numbered(example_row(), n) for n in range(MAX_DATA_ROWS + 101)])
    assert f"over the limit of {MAX_DATA_ROWS} customers" in refusal(path)


def test_an_overlong_cell_is_refused_with_its_row(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "en")
    long = "长" * (MAX_CELL_CHARS + 1)
    for path in (write_csv(tmp_path / "long.csv", [example_row(), example_row(住所=long)]),
                 write_workbook(tmp_path / "long.xlsx", [example_row(), example_row(住所=long)])):
        message = refusal(path)
        assert f"row 3 holds {MAX_CELL_CHARS + 1} characters" in message, message


@pytest.mark.parametrize("garbled", [
    "上海澜舟数据科技有限公司".encode("utf-8").decode("latin-1"),  # UTF-8 read as Latin-1: "ä¸\x8a…"
    "上海\ue000澜舟",  # a private-use character
    "上海╔═╗澜舟",  # box drawing, typical of Big5 or Shift-JIS bytes read as GB18030
])
def test_a_gb18030_csv_with_mis_decoded_text_is_refused_with_its_row(tmp_path, monkeypatch, garbled):
    monkeypatch.setenv("LANGUAGE", "en")
    path = write_csv(tmp_path / "gbk.csv", [example_row(), example_row(公司名称=garbled)], encoding="gb18030")
    message = refusal(path)
    assert ":3:" in message and "no company name or" in message and "CSV UTF-8" in message


def test_a_genuine_gb18030_csv_still_reads(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [example_row()], encoding="gb18030")
    assert len(read_records(path, tmp_path)) == 1


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    from generator.contracts.sources import limits, workbook

    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setattr(workbook, "MAX_FILE_BYTES", 1024)
    path = write_csv(tmp_path / "big.csv", [numbered(example_row(), n) for n in range(20)])
    assert "the limit for a customer sheet" in refusal(path)
    assert limits.MAX_FILE_BYTES > 1024  # the patch touched the reader's copy only
