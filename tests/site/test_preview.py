"""`agreements serve`'s page generation: pages follow the YAML, a mistake keeps the last good pages."""

from __future__ import annotations

import pytest

from helpers import copy_site_project

from generator.site.preview import _Regenerate, write_preview

DRAFT = "2026-11-28"


def _project(tmp_path):
    return copy_site_project(tmp_path / "project")


def test_preview_defaults_to_the_newest_version_and_follows_edits(tmp_path, capsys):
    root = _project(tmp_path)
    docs = tmp_path / "docs"
    assert write_preview(root, None, docs) == DRAFT
    assert "接受本服务条款约束" in (docs / "index.md").read_text(encoding="utf-8")

    agreement = root / "content" / "versions" / DRAFT / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("短信轰炸", "短信攻击", 1), encoding="utf-8")
    handler = _Regenerate(root, DRAFT, docs)
    handler.regenerate()
    assert "短信攻击" in (docs / "index.md").read_text(encoding="utf-8")
    assert "preview of 2026-11-28 updated" in capsys.readouterr().out


def test_a_yaml_mistake_is_reported_and_the_last_good_pages_stay(tmp_path, capsys):
    root = _project(tmp_path)
    docs = tmp_path / "docs"
    write_preview(root, DRAFT, docs)
    before = (docs / "index.md").read_text(encoding="utf-8")
    agreement = root / "content" / "versions" / DRAFT / "agreement.yml"
    agreement.write_text(agreement.read_text(encoding="utf-8").replace("title: 服务范围", "title: [服务范围", 1),
                         encoding="utf-8")
    _Regenerate(root, DRAFT, docs).regenerate()
    err = capsys.readouterr().err
    assert "preview not updated" in err and "agreement.yml:" in err and "Traceback" not in err
    assert (docs / "index.md").read_text(encoding="utf-8") == before


def test_reading_files_does_not_trigger_a_regeneration(tmp_path):
    from watchdog.events import FileClosedNoWriteEvent, FileModifiedEvent, FileOpenedEvent

    handler = _Regenerate(tmp_path, DRAFT, tmp_path / "docs")
    handler.on_any_event(FileOpenedEvent(str(tmp_path / "content" / "a.yml")))
    handler.on_any_event(FileClosedNoWriteEvent(str(tmp_path / "content" / "a.yml")))
    assert handler.timer is None
    handler.on_any_event(FileModifiedEvent(str(tmp_path / "content" / "a.yml")))
    assert handler.timer is not None
    handler.timer.cancel()



def test_serve_on_a_port_in_use_says_so_before_announcing_the_preview(capsys):
    import socket

    from helpers import ROOT, run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run_cli(["--root", str(ROOT), "serve", "--port", str(port)], capsys)
    assert code == 1
    assert "previewing" not in out + err  # no address is announced that is not served
    assert "Traceback" not in err
    assert f"--port: cannot listen on 127.0.0.1:{port} (Address already in use)" in err
    assert "pass another --port" in err



# These tests assert messages in English, the msgids (tests/test_i18n.py checks the Chinese).
pytestmark = pytest.mark.usefixtures("english_messages")
