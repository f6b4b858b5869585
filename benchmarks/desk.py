"""The desk's speed: page latency with a large register, and the validation of a 200-row sheet.

    python -m benchmarks.desk                      # 10,000 contracts, 200-row sheet
    python -m benchmarks.desk --contracts 1000 --rows 50

A copy of the project gets a register of N contracts (each with a 生成 event and,
for every third, 已发出; written in one transaction through the register's own
schema), then each page is requested ``--repeat`` times through Starlette's
TestClient (the whole application: session, guard, SQLite, Jinja), and the
median and 90th percentile are reported against the target (100 ms median).
The sheet is a CSV of valid customers, validated as the desk's upload does
(the command line's reader and validator); target under 2 s.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.__main__ import ROOT, credit_code

PAGE_TARGET_MS = 100.0
SHEET_TARGET_S = 2.0


def copy_project(target: Path) -> Path:
    for name in ("content", "templates", "customers", "site_config.yml", "mkdocs.yml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
    return target


def fill_register(path: Path, n: int, seed: int = 7) -> list[str]:
    """N contracts straight into the register's tables (its schema, one transaction)."""
    from generator.contracts.register_schema import create_schema

    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    create_schema(db)
    numbers = []
    with db:
        for i in range(n):
            number, code = f"ZSY-B-{i:06d}", credit_code(rng)
            at = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T0{i % 10}:00:00Z"
            db.execute("INSERT INTO customers VALUES (?, ?, ?, ?)", (f"c-{i}", code, f"公司{i}", at))
            db.execute("INSERT INTO contracts VALUES (?, ?, ?, '2021-12-20', NULL, ?)", (number, f"c-{i}", code, at))
            db.execute("INSERT INTO events (contract_number, kind, at, by, file_name, folder, sha256, size, signed, "
                       "source, company, extra) VALUES (?, 'generated', ?, '王芳', ?, '/nowhere', ?, 1000, 0, "
                       "'bench.csv:2', ?, '{}')", (number, at, f"c-{i}_2021-12-20.pdf", "0" * 64,
                                                   f"上海{rng.choice('云星智数信恒鼎瑞')}科技{i}有限公司"))
            if i % 3 == 0:
                db.execute("INSERT INTO events (contract_number, kind, at, by) VALUES (?, 'sent', ?, '王芳')",
                           (number, at))
            numbers.append(number)
    db.close()
    return numbers


def sheet(path: Path, rows: int, seed: int = 11) -> Path:
    rng = random.Random(seed)
    header = ("客户编号,公司名称,统一社会信用代码,住所,法定代表人或授权代表,联系人,联系电话,电子邮箱,开通服务,"
              "核验目的,个人信息字段,最终信息源名称,合同编号,签订日期,协议版本")
    lines = [header]
    for i in range(rows):
        lines.append(f"s-{i},上海测试{i}数据科技有限公司,{credit_code(rng)},上海市浦东新区张江路 {i} 号,张三,李四,"
                     f"1380000{i:04d},c{i}@example.com,信息查询核验类接口、短信类接口,用户实名认证,"
                     f"姓名、身份证号码,某某数据服务有限公司,ZSY-S-{i:05d},2026-12-01,2021-12-20")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def time_pages(root: Path, numbers: list[str], repeat: int) -> list[tuple[str, float, float]]:
    from starlette.testclient import TestClient

    from generator.cli import main
    from generator.desk.app import Desk
    from generator.desk.routes import create_app

    client = TestClient(create_app(Desk(root, main)), base_url="http://127.0.0.1", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/name").text).group(1)
    client.post("/name", data={"csrf": token, "name": "王芳"})
    pages = {"查找合同 (newest 100)": "/", "查找合同 ?q=云 (partial name)": "/?q=云",
             "查找合同 ?q=number": f"/?q={numbers[len(numbers) // 2]}",
             "contract page": f"/contracts/{numbers[len(numbers) // 3]}", "新建合同": "/new",
             "旧版本客户": "/older"}
    results = []
    for label, url in pages.items():
        assert client.get(url).status_code == 200, url  # warm: templates compiled, caches filled
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        samples.sort()
        results.append((label, statistics.median(samples), samples[int(len(samples) * 0.9) - 1]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.desk", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    from generator.content.project import load_project
    from generator.desk.issue import validate

    with tempfile.TemporaryDirectory(prefix="desk-bench-") as work:
        root = copy_project(Path(work) / "project")
        started = time.perf_counter()
        numbers = fill_register(root / "out" / "register.sqlite", args.contracts)
        drafts = [v.date for v in load_project(root).versions if v.is_draft]
        if drafts:  # so that every contract of the register is on an older version (旧版本客户)
            from generator.content.lifecycle import publish

            publish(root, drafts[-1])
        print(f"register: {args.contracts} contracts written in {time.perf_counter() - started:.1f} s")
        print(f"{'page':34} {'median ms':>10} {'p90 ms':>8}  target {PAGE_TARGET_MS:.0f} ms median")
        worst = 0.0
        for label, median, p90 in time_pages(root, numbers, args.repeat):
            worst = max(worst, median)
            print(f"{label:34} {median:10.1f} {p90:8.1f}  {'ok' if median < PAGE_TARGET_MS else 'SLOW'}")
        path = sheet(Path(work) / "sheet.csv", args.rows)
        project = load_project(root)
        started = time.perf_counter()
        customers, problems = validate(path, project)
        seconds = time.perf_counter() - started
        assert len(customers) == args.rows and not problems, problems[:3]
        print(f"sheet: {args.rows} rows validated in {seconds:.2f} s (target {SHEET_TARGET_S:.0f} s): "
              f"{'ok' if seconds < SHEET_TARGET_S else 'SLOW'}")
    return 0 if worst < PAGE_TARGET_MS and seconds < SHEET_TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
