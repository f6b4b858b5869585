"""Contract and site benchmarks, measured side by side in one run.

    python -m benchmarks --n 200            # everything
    python -m benchmarks --n 20 --skip-site --skip-memory   # quick, during development

Contracts: N synthetic customers (valid credit codes, varied values) written by
`agreements contract` as a subprocess (wall clock incl. start-up; CPU time of
every process of the batch, parent and workers, from ``RUSAGE_CHILDREN``; peak
RSS of the process tree sampled from /proc, and the largest single process
from ``RUSAGE_CHILDREN``) against the naive baseline: in this process, the
full contract HTML → ``weasyprint.HTML(string=html).write_pdf()`` per customer.
The baseline runs on ``--naive-n`` of the customers (default min(N, 20)) and
its rate is compared with the batch's; 0 means all N. The CPU time of one
contract is also measured on its own: a batch of ``--cpu-n`` customers
(default min(N, 50)) with one worker, in a fresh process, timed from one
written contract to the next (benchmarks/per_contract.py); the median and
90th percentile are reported, and apart the first contract, which also makes
the shared pages. The batch's PDFs are read back (qpdf, fontTools): median size,
per face the glyphs the pages draw against the glyphs the fonts embed, and what
the bytes are made of against the glyph floor (benchmarks/pdf_parts.py).

Memory: a batch of ``--memory-n`` (default 1000) contracts, RSS sampled over
time: after the first few contracts and at the peak.

Site: `agreements build` of the real project (cold, then warm), `serve`'s
edit-to-visible time and search speed in Chromium (benchmarks/site_live.py), a
copy with 20 versions (cold), and the rebuild after editing only the draft.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGREEMENTS = [sys.executable, "-m", "generator"]

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰晨曦嘉怡子涵浩然思远雨萱"
CITIES = [("上海市", "浦东新区"), ("北京市", "海淀区"), ("深圳市", "南山区"), ("杭州市", "西湖区"),
          ("成都市", "高新区"), ("武汉市", "洪山区"), ("南京市", "鼓楼区"), ("西安市", "雁塔区"),
          ("广州市", "天河区"), ("苏州市", "工业园区"), ("重庆市", "渝北区"), ("兰州市", "城关区")]
WORDS = ["云帆", "星河", "智联", "数融", "信达", "恒通", "鼎盛", "瑞丰", "华锐", "致远", "博观", "卓越",
         "合众", "启明", "天衡", "广微", "安泰", "汇金", "青橙", "新航"]
TRADES = ["数据科技", "信息技术", "网络科技", "金融信息服务", "电子商务", "软件开发", "通信技术"]
ROADS = ["张江路", "文三路", "科技园路", "中关村大街", "天府大道", "珞喻路", "中山路", "长安街"]
PURPOSES = ["用户实名认证", "贷前身份核验及反欺诈", "会员注册手机号验证", "账户安全风险控制",
            "订单配送联系确认", "保险投保人身份核实", "员工入职背景核验"]
FIELDS = ["姓名", "身份证号码", "手机号码", "银行卡号", "预留手机号码", "电子邮箱", "收货地址"]
SOURCES = ["某某数据服务有限公司", "中国银联股份有限公司", "某某征信有限公司", "某某通信服务有限公司"]
SERVICES = ["verification", "sms", "recharge", "other"]
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# --------------------------------------------------------------------------
# Set-up


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()
                      if l.startswith("MemTotal"))
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return (f"{dt.datetime.now().isoformat(timespec='seconds')} · {platform.node()} · "
            f"nproc {os.cpu_count()} · {model} · {memory} RAM · Python {platform.python_version()}")


def credit_code(rng: random.Random) -> str:
    from generator.contracts.customers import credit_code_check_digit
    first = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + \
        "".join(rng.choice(CODE_CHARS) for _ in range(9))
    return first + credit_code_check_digit(first)


def write_customers(folder: Path, n: int, seed: int = 1) -> list[Path]:
    """N valid customer files with varied names, addresses and 附录一 values."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        city, district = rng.choice(CITIES)
        company = f"{city[:-1]}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
        person = lambda: rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        fields = rng.sample(FIELDS, rng.randint(2, 5))
        services = sorted(rng.sample(SERVICES, rng.randint(1, 3)), key=SERVICES.index)
        # 附录一 (consent) applies only to the verification service: without it, no values.
        consent = (f"""consent:
  purpose: {rng.choice(PURPOSES)}
  personal_fields: [{", ".join(fields)}]
  source_name: {rng.choice(SOURCES)}
""" if "verification" in services else "")
        text = f"""id: bench-{i:05d}
company: {company}
credit_code: {credit_code(rng)}
address: {city}{district}{rng.choice(ROADS)} {rng.randint(1, 999)} 号 {rng.randint(1, 30)} 层
representative: {person()}
contact: {{name: {person()}, phone: "1{rng.randint(3000000000, 9999999999)}", email: c{i}@example.com}}
services: [{", ".join(services)}]
{consent}signing_date: 2026-12-{rng.randint(1, 28):02d}
"""
        path = folder / f"bench-{i:05d}.yml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


# --------------------------------------------------------------------------
# Measuring processes


def _tree_rss(pid: int) -> tuple[int, int, int]:
    """(sum RSS, max RSS, sum PSS) in bytes of ``pid`` and its descendants.

    RSS counts pages shared by forked workers (copy-on-write) once per process;
    PSS divides them among the sharers, so its sum is the tree's real footprint.
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            pages = int(Path(f"/proc/{entry}/statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children.get(p, []))
    values = [rss.get(p, 0) for p in seen]
    pss = 0
    for p in seen:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                    break
        except (OSError, ValueError):
            pass
    return sum(values), max(values), pss


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(args: list[str], *, cwd: Path = ROOT, watch: Path | None = None) -> dict:
    """Run a command; wall time, CPU time of it and every process it waited for,
    sampled tree RSS, and (if ``watch``) RSS vs files written."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    samples: list[tuple[float, int, int, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total, largest, pss = _tree_rss(process.pid)
            files = len(list(watch.glob("*.pdf"))) if watch and watch.is_dir() else 0
            samples.append((time.perf_counter() - started, files, total, largest, pss))
            done.wait(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    if process.returncode:
        raise SystemExit(f"{' '.join(map(str, args[:4]))} … failed:\n{err.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "samples": samples, "stdout": out.decode(),
            "cpu_seconds": _children_cpu() - cpu_before,
            # ru_maxrss of RUSAGE_CHILDREN only grows: meaningful when this run set a new high.
            "max_child_rss": after * 1024 if after > before else None}


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:.0f} MiB"


# --------------------------------------------------------------------------
# Parts


def bench_contracts(files: list[Path], work: Path, naive_n: int, cpu_n: int) -> list[tuple[str, str]]:
    out = work / "out"
    batch = run_measured([*contract_command(work), *map(str, files), "--out", str(out)], watch=out)
    pdfs = sorted(out.glob("*.pdf"))
    sizes = [p.stat().st_size for p in pdfs]
    batch_rate = len(files) / batch["seconds"]

    # The naive baseline, in this process: one weasyprint.HTML(...).write_pdf() per customer.
    import weasyprint
    from generator.content.project import load_project
    from generator.contracts.customers import load_customer
    from generator.contracts.contract import contract_css, contract_html
    project = load_project(ROOT)
    sample = files[:naive_n] if naive_n else files
    customers = [load_customer(path, project) for path in sample]
    base_url = (ROOT / "templates" / "pdf").as_uri() + "/"
    naive_sizes = []
    started = time.perf_counter()
    for customer in customers:
        html = contract_html(ROOT, project.config, customer.version, customer)
        css = weasyprint.CSS(string=contract_css(ROOT, project.config), base_url=base_url)
        naive_sizes.append(len(weasyprint.HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[css])))
    naive_seconds = time.perf_counter() - started
    naive_rate = len(customers) / naive_seconds

    peak_tree = max((s[2] for s in batch["samples"]), default=0)
    peak_pss = max((s[4] for s in batch["samples"]), default=0)
    return [
        ("contracts: batch (agreements contract, wall incl. start-up)",
         f"{len(files)} in {batch['seconds']:.1f} s = {batch_rate:.2f}/s "
         f"({1000 * batch['seconds'] / len(files):.0f} ms/contract)"),
        ("contracts: batch CPU, all processes (parent + workers, incl. start-up) / N",
         f"{1000 * batch['cpu_seconds'] / len(files):.0f} ms/contract "
         f"({batch['cpu_seconds']:.1f} s CPU in {batch['seconds']:.1f} s wall)"),
        *bench_cpu_per_contract(files[1:cpu_n + 1] if cpu_n else files, files[0]),
        ("contracts: naive baseline (1 process, HTML + CSS → write_pdf)",
         f"{len(customers)} in {naive_seconds:.1f} s = {naive_rate:.2f}/s "
         f"({1000 * naive_seconds / len(customers):.0f} ms/contract)"),
        ("contracts: speed-up batch/naive", f"{batch_rate / naive_rate:.1f}×"),
        ("contracts: median PDF size batch / naive",
         f"{statistics.median(sizes) / 1024:.0f} KiB / {statistics.median(naive_sizes) / 1024:.0f} KiB"),
        *bench_glyphs(pdfs),
        *bench_parts(pdfs),
        ("contracts: peak batch memory (tree RSS / tree PSS / largest process RSS)",
         f"{mib(peak_tree)} / {mib(peak_pss)} / {mib(batch['max_child_rss'])}"),
    ]


def bench_cpu_per_contract(files: list[Path], first: Path) -> list[tuple[str, str]]:
    """CPU ms of each contract of a one-worker batch, in a fresh process (see per_contract.py)."""
    run = run_measured([sys.executable, "-m", "benchmarks.per_contract", str(first), *map(str, files)])
    result = json.loads(run["stdout"])
    times = sorted(result["cpu_ms"])
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    return [("contracts: CPU per contract, one worker (median / 90th percentile)",
             f"{statistics.median(times):.0f} / {p90:.0f} ms over {len(times)} contracts "
             f"(the first, which also makes the shared pages: {result['first_ms']:.0f} ms)")]


def bench_parts(pdfs: list[Path]) -> list[tuple[str, str]]:
    """Median bytes per part of the PDFs and their glyph floor (benchmarks/pdf_parts.py)."""
    from benchmarks.pdf_parts import bench_parts as parts

    return parts(pdfs)


def bench_glyphs(pdfs: list[Path]) -> list[tuple[str, str]]:
    """Per face: distinct glyphs drawn vs embedded (median over the batch's PDFs)."""
    from generator.contracts.engine.glyph_usage import glyph_usage

    drawn: dict[str, list[int]] = {}
    embedded: dict[str, list[int]] = {}
    programs: dict[str, list[int]] = {}
    for pdf in pdfs[:50]:
        for face, usage in glyph_usage(pdf.read_bytes()).items():
            drawn.setdefault(face, []).append(len(usage.drawn))
            embedded.setdefault(face, []).append(len(usage.embedded))
            programs.setdefault(face, []).append(usage.programs)
    return [(f"contracts: glyphs of {face}, embedded / drawn (median; programs)",
             f"{statistics.median(embedded[face]):.0f} / {statistics.median(drawn[face]):.0f} "
             f"({max(programs[face])} per PDF)")
            for face in sorted(drawn)]


def bench_memory(files: list[Path], work: Path) -> list[tuple[str, str]]:
    out = work / "out-memory"
    run = run_measured([*contract_command(work), *map(str, files), "--out", str(out)], watch=out)
    samples = run["samples"]
    early = next((s for s in samples if s[1] >= 10), samples[0] if samples else None)
    peak_tree = max((s[2] for s in samples), default=0)
    peak_one = max((s[3] for s in samples), default=0)
    peak_pss = max((s[4] for s in samples), default=0)
    late = samples[-2] if len(samples) > 1 else None
    return [
        (f"memory: {len(files)} contracts", f"{run['seconds']:.1f} s = {len(files) / run['seconds']:.2f}/s"),
        ("memory: peak tree RSS / tree PSS / largest process RSS",
         f"{mib(peak_tree)} / {mib(peak_pss)} / {mib(max(peak_one, run['max_child_rss'] or 0))}"),
        ("memory: after ~10 contracts: tree PSS / largest process RSS",
         f"{mib(early[4]) if early else 'n/a'} / {mib(early[3]) if early else 'n/a'} ({early[1] if early else 0} written)"),
        ("memory: near the end: tree PSS / largest process RSS",
         f"{mib(late[4]) if late else 'n/a'} / {mib(late[3]) if late else 'n/a'} ({late[1] if late else 0} written)"),
    ]


def bench_single(files: list[Path], work: Path) -> list[tuple[str, str]]:
    out = work / "out-single"
    run = run_measured([*contract_command(work), str(files[0]), "--out", str(out)])
    return [("single contract, cold process", f"{run['seconds']:.2f} s")]


def contract_command(work: Path) -> list[str]:
    """`agreements contract` on a copy of the project: each run records its contracts in the
    project's register, which must not be the checkout's."""
    project = work / "contract-project"
    if not project.exists():
        _copy_project(project)
    return [*AGREEMENTS, "--root", str(project), "contract"]


def _copy_project(target: Path) -> None:
    for name in ("content", "templates", "schemas", "site_config.yml", "mkdocs.yml", "pyproject.toml"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.exists():
            shutil.copy2(source, target / name)


def bench_site(work: Path) -> list[tuple[str, str]]:
    rows = []
    single = work / "site-one"
    _copy_project(single)
    from generator.content.project import load_project as _load
    for version in _load(single).versions[1:]:  # keep the oldest, published version only
        shutil.rmtree(version.folder)
    run = run_measured([*AGREEMENTS, "--root", str(single), "build", "--out", str(single / "site")],
                       cwd=single)
    one_version = run["seconds"]
    rows.append(("site: build, one version (cold cache)", f"{one_version:.1f} s ({run['cpu_seconds']:.1f} s CPU)"))

    real = work / "site-real"
    _copy_project(real)
    run = run_measured([*AGREEMENTS, "--root", str(real), "build", "--out", str(real / "site")], cwd=real)
    # CPU besides wall: on a shared machine the wall clock says more about the others' load.
    rows.append(("site: build, real versions (cold cache)", f"{run['seconds']:.1f} s ({run['cpu_seconds']:.1f} s CPU)"))
    from benchmarks.lighthouse import bench_lighthouse
    from benchmarks.site_live import bench_site_live
    rows += bench_site_live(real, run_measured, AGREEMENTS)
    rows += bench_lighthouse(real / "site", _load(real).latest_published.date)

    many = work / "site-20"
    _copy_project(many)
    from generator.content import lifecycle
    from generator.content.project import load_project
    project = load_project(many)
    if project.newest.is_draft:
        lifecycle.publish(many, project.newest.date)
    day = dt.date.fromisoformat(load_project(many).newest.date)
    while len(load_project(many).versions) < 20:
        day += dt.timedelta(days=30)
        lifecycle.new_version(many, day.isoformat())
        if len(load_project(many).versions) < 20:
            lifecycle.publish(many, day.isoformat())
    build = [*AGREEMENTS, "--root", str(many), "build", "--out", str(many / "site")]
    run = run_measured(build, cwd=many)
    rows.append(("site: build, 20 versions (cold cache)", f"{run['seconds']:.1f} s ({run['cpu_seconds']:.1f} s CPU)"))
    draft = load_project(many).newest
    version_file = draft.folder / "version.yml"
    text = version_file.read_text(encoding="utf-8")
    version_file.write_text(text.replace("updated: ", "updated: （修订）", 1), encoding="utf-8")
    run = run_measured(build, cwd=many)
    rows.append(("site: rebuild after editing the draft, 20 versions", f"{run['seconds']:.1f} s"))
    rows.append(("site: that rebuild / one-version build (target ≤ 2×)",
                 f"{run['seconds'] / one_version:.2f}×"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="contracts in the batch (default 200)")
    parser.add_argument("--naive-n", type=int, default=None,
                        help="customers for the naive baseline (default min(N, 20); 0 = all N)")
    parser.add_argument("--cpu-n", type=int, default=None,
                        help="contracts timed one by one for the CPU median (default min(N, 50))")
    parser.add_argument("--memory-n", type=int, default=1000, help="contracts for the memory run")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-site", action="store_true")
    parser.add_argument("--skip-acceptance", action="store_true",
                        help="leave out the acceptance service's load test (benchmarks/acceptance_load.py)")
    args = parser.parse_args(argv)
    naive_n = min(args.n, 20) if args.naive_n is None else args.naive_n
    cpu_n = min(args.n, 50) if args.cpu_n is None else args.cpu_n

    print(machine())
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="agreements-bench-") as temporary:
        work = Path(temporary)
        files = write_customers(work / "customers", max(args.n, cpu_n + 1))
        rows += bench_single(files, work)
        rows += bench_contracts(files[:args.n], work, naive_n, cpu_n)
        if not args.skip_memory:
            more = write_customers(work / "customers-memory", args.memory_n, seed=2)
            rows += bench_memory(more, work)
        if not args.skip_site:
            rows += bench_site(work)
        if not args.skip_acceptance:
            from benchmarks.acceptance_load import bench_acceptance

            rows += bench_acceptance()
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
