"""The README says what the code does: its command examples run, its facts match the code."""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, copy_site_project

README = (ROOT / "README.md").read_text(encoding="utf-8")

# Examples that cannot run offline in a fresh copy of the project, each with why; every entry
# must still match an example (so the list cannot go stale).
NOT_RUN = {
    "agreements --root /path/to/other/checkout": "a placeholder for another checkout",
    "--sign-p12": "needs the company's PKCS#12 key and its password",
    "agreements serve": "runs until stopped (tests/site/test_preview.py runs the preview)",
    "agreements verify signed.pdf": "needs a contract a party has signed (tests/contracts/test_verify_*)",
    "agreements archive": "needs a signed contract, a TSA and CRL/OCSP responders (tests/contracts/test_archive.py)",
    "agreements verify signed.archived.pdf": "needs an archived contract (tests/contracts/test_archive.py)",
    "agreements accept-server": "runs until stopped (tests/acceptance/ run the service)",
    "agreements verify-receipt": "needs a receipt from a running service (tests/acceptance/test_receipts.py)",
    "agreements receipt-pdf": "needs an acceptance in the database (tests/acceptance/test_certificate.py)",
}


def readme_commands() -> list[str]:
    """Every `agreements …` line of the README's ```sh blocks, in reading order."""
    blocks = re.findall(r"^\s*```sh\n(.*?)^\s*```", README, re.S | re.M)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip().startswith("agreements ")]


def test_the_examples_to_skip_are_still_in_the_readme():
    commands = readme_commands()
    assert len(commands) > 20
    for part in NOT_RUN:
        assert any(part in command for command in commands), f"no README example has `{part}`"


@pytest.mark.slow
def test_every_readme_command_runs_in_a_fresh_copy_of_the_project(tmp_path, monkeypatch, capsys):
    """In reading order, as a reader would type them (the sheet first, then the contracts it
    makes). A line with a pipe or a redirection runs in bash; the others run in this process
    through the same entry point as the `agreements` script, which spares an interpreter each."""
    from generator.cli import main

    project = copy_site_project(tmp_path / "project")
    shutil.copytree(ROOT / "customers", project / "customers")
    monkeypatch.chdir(project)
    monkeypatch.setenv("LANGUAGE", "en")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = []
    for command in readme_commands():
        if any(part in command for part in NOT_RUN):
            continue
        words = shlex.split(command, comments=True)
        if any(word in ("|", ">") for word in words):
            result = subprocess.run(["bash", "-c", command], cwd=project, env=env, capture_output=True,
                                    text=True, timeout=300)
            code, err = result.returncode, result.stderr
        else:
            capsys.readouterr()
            code = main([match for word in words[1:] for match in (sorted(glob.glob(word)) or [word])])
            err = capsys.readouterr().err
        assert code == 0, f"`{command}` exited {code}:\n{err}"
        assert "Traceback" not in err and "DeprecationWarning" not in err, command
        ran.append(command)
        if command.startswith("agreements customer-sheet"):
            _fill_in_the_sheet(project / "customers.xlsx")
    assert len(ran) >= 20
    assert (project / "out" / "contracts" / "lanzhou-data_2021-12-20.pdf").is_file()
    assert (project / "content" / "versions" / "2027-03-01" / "version.yml").is_file()


def _fill_in_the_sheet(path: Path) -> None:
    """What the reader does between the README's commands: turn the marked example row into a
    real customer (the template's example row itself never becomes a contract)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook["客户"]
    assert str(sheet["A2"].value).startswith("示例-")
    sheet["A2"] = "lanzhou-data"
    headers = [cell.value for cell in sheet[1]]
    sheet.cell(2, headers.index("合同编号") + 1, "ZSY-2026-0001")  # as customers/examples/lanzhou-data.yml
    workbook.save(path)


def test_the_contract_number_format_is_the_one_written():
    from generator.contracts.customers import derived_contract_number

    shown = re.findall(r"lanzhou-data under 2021-12-20: `(ZSY-[0-9A-Z-]+)`", README)
    assert shown == [derived_contract_number("lanzhou-data", "2021-12-20")]
    assert re.fullmatch(r"ZSY-\d{8}-[0-9A-F]{8}", shown[0])


def test_every_debian_package_make_installs_is_named_in_the_readme():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    packages = re.search(r"^DEB_PACKAGES := (.*?)(?<!\\)\n", makefile, re.S | re.M).group(1).replace("\\\n", " ").split()
    assert "qpdf" in packages and "python3-uno" in packages
    named = set(re.findall(r"`([a-z0-9.+-]+)`", README))
    described = {"libharfbuzz-subset0", "libharfbuzz0b", "libpango-1.0-0", "libpangoft2-1.0-0"}  # "HarfBuzz", "Pango"
    assert [p for p in packages if p not in named and p not in described] == []
    assert "HarfBuzz" in README and "Pango" in README


def test_every_command_in_the_reference_table_exists():
    from generator.cli.app import cli

    table = README.split("## Command reference", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z-]+)", table, re.M))
    assert listed == set(cli.commands)
