"""Chinese first: every message a person reads has a Chinese translation, is Chinese when
no language is chosen, and English only when asked for.

The catalog is checked against the msgids Babel extracts from the code (ours and click's),
so a new message without a translation fails here; the error paths of the command line
run under zh_CN, under no language variables at all and under LANGUAGE=en.
"""

from __future__ import annotations

import csv
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from generator import i18n
from english import english_sentences
from helpers import BAD, FIXTURES, ROOT, copy_site_project, run_cli

CATALOG = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "agreements.po"
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
BAD_CUSTOMERS = FIXTURES / "customers" / "bad"

@pytest.fixture
def no_language(monkeypatch):
    for variable in LANGUAGE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(params=("unset", "zh_CN.UTF-8", "C.UTF-8"))
def chinese(request, monkeypatch, no_language):
    """The three ways a salesperson's machine ends up in Chinese."""
    if request.param != "unset":
        monkeypatch.setenv("LANG", request.param)
    return request.param


# --------------------------------------------------------------------------
# The catalog


def _extracted() -> dict[str | tuple[str, str], list[str]]:
    """Every msgid of the code, with where it is, as `make messages` extracts them."""
    method_map = [("**.py", "python")]
    found: dict = {}
    click_dir = Path(click.__file__).parent
    for folder in (ROOT / "generator", click_dir):
        for filename, lineno, message, _comments, _context in extract_from_dir(folder, method_map):
            found.setdefault(message, []).append(f"{folder.name}/{filename}:{lineno}")
    return found


def _fields(text: str) -> set[str]:
    """The placeholders of a message: ``{name}`` fields and ``%(name)s`` ones."""
    percent = {f"%{name}" for name in re.findall(r"%\((\w+)\)", text)}
    try:
        fields = {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None}
    except ValueError:  # a lone brace: the text is not a format string
        fields = set(re.findall(r"[{}]", text))
    return fields | percent


def test_every_message_has_a_chinese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for msgid, where in _extracted().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(key)
        strings = ([] if entry is None else
                   [s for s in (entry.string if isinstance(entry.string, tuple) else (entry.string,))])
        if entry is None or not all(strings):
            problems.append(f"{where[0]}: no Chinese translation of {msgid!r} (run `make messages`, translate it)")
        elif entry.fuzzy:
            problems.append(f"{where[0]}: the translation of {msgid!r} is fuzzy; check it and drop the flag")
        else:
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            offered = set().union(*(_fields(m) for m in ids))
            for translated in strings:
                # Chinese has one plural form: it keeps the plural's placeholders (the code
                # passes the singular's and the plural's to every form).
                if not _fields(ids[-1]) - _MAY_DROP.get(key, set()) <= _fields(translated) <= offered:
                    problems.append(f"{where[0]}: {translated!r} does not keep the placeholders of {msgid!r}")
                words = re.sub(r"\{[^{}]*\}|%\(\w+\)\w", "", key)  # the msgid's words, not its fields
                if (re.search(r"[A-Za-z]{2}", words) and not re.search(r"[\u3000-\u9fff\uff00-\uffef]", translated)
                        and key not in _SAME_IN_CHINESE):
                    problems.append(f"{where[0]}: {translated!r} is not Chinese")
    assert not problems, "\n".join(problems)


# Placeholders a translation may leave out: click's type names ("integer range") are English
# and never go through gettext, so the Chinese says "a number" instead.
_MAY_DROP = {"{value!r} is not a valid {number_type}.": {"number_type"}}

# msgids whose Chinese is the same text: a unit, a format, a name.
_SAME_IN_CHINESE = {"Choice({choices})", "' or '"}


def test_the_compiled_catalog_is_the_po_file():
    """`make` compiled the .mo from today's .po (an older .mo would hide new translations)."""
    mo_file = CATALOG.with_suffix(".mo")
    assert mo_file.is_file(), "run `make setup`: it compiles the catalog"
    assert mo_file.stat().st_mtime >= CATALOG.stat().st_mtime, "the .mo is older than the .po: run `make`"


# --------------------------------------------------------------------------
# Which language


@pytest.mark.parametrize("environ, language", [
    ({}, "zh"),
    ({"LANG": "C"}, "zh"),
    ({"LC_ALL": "C.UTF-8"}, "zh"),
    ({"LANG": "POSIX"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "fr:en_GB:zh", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "zh_TW:en"}, "zh"),
    ({"LANGUAGE": "", "LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_MESSAGES": "en_US", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "zh_CN.GB18030", "LC_MESSAGES": "en_US"}, "zh"),
    ({"LANG": "de_DE.UTF-8"}, "zh"),
    ({"LANG": "en@euro"}, "en"),
])
def test_language_comes_from_the_first_set_variable(environ, language):
    assert i18n.language_from_environment(environ) == language


def test_lang_option_beats_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    code, _out, err = run_cli(["--lang", "en", "contract", "--no-such-option"], capsys)
    assert code == 2 and "No such option" in err
    monkeypatch.setenv("LANGUAGE", "en")
    code, _out, err = run_cli(["--lang=zh", "contract", "--no-such-option"], capsys)
    assert code == 2 and "没有选项" in err and "No such option" not in err


def test_without_locales_or_variables_a_new_process_speaks_chinese(tmp_path):
    """A real process with no language variable and only the C locale: no setlocale needed."""
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(ROOT), "contract"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "用法:" in result.stderr and "缺少参数" in result.stderr, result.stderr
    assert not english_sentences(result.stderr), result.stderr


# --------------------------------------------------------------------------
# The error paths, in Chinese and in English

_USAGE_ERRORS = [
    ["contract"],                                 # missing argument
    ["contract", "x.yml", "--no-such-option"],    # unknown option
    ["no-such-command"],                          # unknown command
    ["--lang", "fr", "check"],                    # a choice not offered
    ["contract", "x.yml", "--format", "xls"],     # our own BadParameter
    ["contract", "x.yml", "--jobs", "abc"],       # a number that is not one
    ["verify", "c.pdf", "--format", "xml"],       # a report form not offered
]


@pytest.mark.parametrize("argv", _USAGE_ERRORS, ids=lambda a: " ".join(a))
def test_usage_errors_are_chinese(argv, chinese, capsys):
    code, out, err = run_cli(["--root", str(ROOT), *argv], capsys)
    assert code == 2
    assert "用法:" in err and "错误：" in err, err
    assert not english_sentences(out + err), err


@pytest.mark.parametrize("argv", _USAGE_ERRORS, ids=lambda a: " ".join(a))
def test_usage_errors_are_english_when_asked(argv, monkeypatch, capsys):
    monkeypatch.setenv("LANGUAGE", "en")
    code, _out, err = run_cli(["--root", str(ROOT), *argv], capsys)
    assert code == 2
    assert "Usage:" in err and "Error:" in err and not re.search(r"[\u4e00-\u9fff]{2}", err.split("Error:")[1]
                                                                 .replace("乙方", "")), err


def test_help_shows_clicks_own_words_in_chinese(chinese, capsys):
    code, out, _err = run_cli(["--root", str(ROOT), "contract", "--help"], capsys)
    assert code == 0
    assert "用法:" in out and "选项:" in out and "显示本帮助并退出。" in out


_CHINESE_SETTINGS = ("unset", "zh_CN.UTF-8", "C.UTF-8")


# Each bad file under one of the three Chinese settings in turn (all three would triple the time).
@pytest.mark.parametrize("name, setting", [
    (name, _CHINESE_SETTINGS[index % 3])
    for index, name in enumerate(sorted(p.name for p in BAD_CUSTOMERS.glob("*.yml")))])
def test_bad_customer_files_are_refused_in_chinese(name, setting, monkeypatch, no_language, tmp_path, capsys):
    if setting != "unset":
        monkeypatch.setenv("LANG", setting)
    code, out, err = run_cli(["--root", str(ROOT), "contract", str(BAD_CUSTOMERS / name),
                              "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    assert re.search(r"[\u4e00-\u9fff]", err), err
    assert not english_sentences(out + err), err


@pytest.mark.parametrize("case", sorted(p.name for p in BAD.iterdir() if p.is_dir()))
def test_bad_content_is_reported_in_chinese(case, monkeypatch, no_language, capsys):
    code, out, err = run_cli(["--root", str(BAD / case), "check"], capsys)
    assert code == 1
    assert not english_sentences(out + err), err


def _bad_sheet(path: Path) -> Path:
    from generator.contracts.sheet_template import EXAMPLE
    from generator.contracts.sources.columns import COLUMNS

    rows = [dict(EXAMPLE), dict(EXAMPLE, id="second", credit_code="91310115MA1K4QXR7A",
                                **{"contact.phone": "phone", "signing_date": "2026-02-30"})]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in COLUMNS] + ["公司名"])  # a misspelt 公司名称
        for row in rows:
            writer.writerow([row.get(c.key, "") for c in COLUMNS] + ["x"])
    return path


def test_a_bad_customer_sheet_is_refused_in_chinese(chinese, tmp_path, capsys):
    sheet = _bad_sheet(tmp_path / "customers.csv")
    code, out, err = run_cli(["--root", str(ROOT), "contract", str(sheet), "--out", str(tmp_path / "o")],
                             capsys)
    assert code == 1 and "公司名称 相近" in err, err
    assert not english_sentences(out + err), err


def test_a_bad_customer_sheet_is_refused_in_english_when_asked(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("LANGUAGE", "en")
    sheet = _bad_sheet(tmp_path / "customers.csv")
    code, _out, err = run_cli(["--root", str(ROOT), "contract", str(sheet), "--out", str(tmp_path / "o")],
                              capsys)
    assert code == 1 and "unknown column" in err, err


def test_a_bad_yaml_file_in_english_when_asked(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("LANGUAGE", "en_US.UTF-8")
    code, _out, err = run_cli(["--root", str(ROOT), "contract", str(BAD_CUSTOMERS / "yaml-syntax-error.yml"),
                               "--out", str(tmp_path / "o")], capsys)
    assert code == 1 and "YAML syntax error" in err and not re.search(r"[\u4e00-\u9fff]", err), err


def test_english_sentences_are_found():
    """The detector itself: prose is found, names are not."""
    assert english_sentences("x.yml:3: id: must be a list; fix the value")
    assert not english_sentences("x.yml:3: contact.phone: 应为电话号码；请用 `--out DIR` 或 'a b c' 写")


def test_system_reasons_are_said_in_the_readers_language(monkeypatch, no_language, tmp_path):
    import errno

    from generator.cli import environment_message

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "a.pdf"))
    message = environment_message(full)
    assert "磁盘空间已满" in message and not english_sentences(message), message
    monkeypatch.setenv("LANGUAGE", "en")
    assert "No space left on device" in environment_message(full)
    unknown = OSError(errno.EPROTO, "Protocol error")  # not in the catalog: the system's words stay
    assert i18n.os_reason(unknown) == "Protocol error"


@pytest.mark.parametrize("argv, language", [
    (["--lang", "en", "check"], "en"),
    (["--root", "x", "--lang=zh_CN.UTF-8", "check"], "zh"),
    (["check", "--", "--lang", "en"], None),
    (["--lang"], None),
    (["check"], None),
])
def test_lang_is_read_before_click_parses(argv, language):
    assert i18n.language_in_arguments(argv) == language


def test_a_missing_catalog_is_reported_not_hidden(monkeypatch, no_language, tmp_path, capsys):
    """No silent English: without the compiled catalog a Chinese run stops and says why."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_loaded", {})
    code, out, err = run_cli(["--root", str(ROOT), "check"], capsys)
    assert code == 1 and out == "" and "make setup" in err and "Traceback" not in err, err
    code, out, _err = run_cli(["--lang", "en", "--root", str(ROOT), "check"], capsys)
    assert code == 0 and out.startswith("ok: ")


def _unverifiable_pdfs(folder: Path) -> list[Path]:
    """Two files `verify` refuses cheaply: garbage bytes named .pdf (the structure check fails)
    and a well-formed PDF without provenance (the structure passes, the provenance fails)."""
    import pikepdf

    garbage = folder / "garbage.pdf"
    garbage.write_bytes(b"this is not a PDF at all\x00\xff" * 20)
    plain = folder / "plain.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(plain)
    return [garbage, plain]


@pytest.fixture(scope="module")
def a_contract(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A project copy, the example contract written in it (its register knows it), and a copy
    of that contract re-saved with another title: (root, genuine, altered)."""
    import pikepdf

    from generator.cli import main

    root = copy_site_project(tmp_path_factory.mktemp("project"))
    out = tmp_path_factory.mktemp("contract")
    assert main(["--root", str(root), "contract", "customers/examples/lanzhou-data.yml", "--out", str(out)]) == 0
    genuine = next(out.glob("*.pdf"))
    altered = out / "altered.pdf"
    with pikepdf.open(genuine) as pdf:
        pdf.docinfo["/Title"] = "another title"
        pdf.save(altered)
    return root, genuine, altered


def test_verify_reports_in_chinese(chinese, a_contract, tmp_path, capsys):
    for pdf in _unverifiable_pdfs(tmp_path):
        code, out, err = run_cli(["--root", str(ROOT), "verify", str(pdf)], capsys)
        assert code == 1, out + err
        assert "不真实" in err and "结论" in out, out + err
        assert not english_sentences(out + err), out + err
    root, genuine, altered = a_contract
    code, out, err = run_cli(["--root", str(root), "verify", str(genuine)], capsys)
    assert code == 0 and "真实" in out, out + err
    assert not english_sentences(out + err), out + err
    code, out, err = run_cli(["--root", str(root), "verify", str(altered)], capsys)
    assert code == 1 and "不真实" in err, out + err
    assert not english_sentences(out + err), out + err


def test_verify_reports_in_english_when_asked(monkeypatch, a_contract, tmp_path, capsys):
    monkeypatch.setenv("LANGUAGE", "en")
    garbage, plain = _unverifiable_pdfs(tmp_path)
    code, out, err = run_cli(["--root", str(ROOT), "verify", str(garbage)], capsys)
    assert code == 1 and "NOT genuine" in err and "does not start with %PDF-" in out, out + err
    code, out, err = run_cli(["--root", str(ROOT), "verify", str(plain)], capsys)
    assert code == 1 and "no provenance in this PDF" in out and "verdict:" in out, out + err
    assert not re.search(r"[\u4e00-\u9fff]", out + err), out + err
    root, genuine, _altered = a_contract
    code, out, err = run_cli(["--root", str(root), "verify", str(genuine)], capsys)
    assert code == 0 and "genuine — every check passed" in out and "SHA-256 matches" in out, out + err
