"""Where `agreements desk` finds the online acceptance service: site_config.yml's
acceptance.service, unless --acceptance-url overrides it (docs/cli.md)."""

from __future__ import annotations

import pytest

from helpers import copy_project, ROOT, run_cli


@pytest.fixture
def started(monkeypatch):
    """The desks `agreements desk` would serve, recorded instead of started."""
    import generator.desk.app
    import generator.desk.server

    desks = []
    monkeypatch.setattr(generator.desk.app, "Desk", lambda root, main, **settings: settings)
    monkeypatch.setattr(generator.desk.server, "serve", lambda desk, port, **_: desks.append(desk))
    return desks


def _project(tmp_path, service: str | None):
    root = copy_project(ROOT, tmp_path / "project")
    config = root / "site_config.yml"
    text = config.read_text(encoding="utf-8")
    assert "  service: http://127.0.0.1:8765\n" in text
    replaced = f"  service: {service}\n" if service else ""
    config.write_text(text.replace("  service: http://127.0.0.1:8765\n", replaced), encoding="utf-8")
    return root


@pytest.mark.parametrize("service, option, expected", [
    ("https://accept.example.com", None, "https://accept.example.com"),
    ("https://accept.example.com", "http://127.0.0.1:9999", "http://127.0.0.1:9999"),
    (None, "http://127.0.0.1:9999", "http://127.0.0.1:9999"),
    (None, None, None),
])
def test_the_option_overrides_the_projects_service(service, option, expected, started, tmp_path, capsys):
    root = _project(tmp_path, service)
    argv = ["--root", str(root), "desk", "--no-browser", "--port", "0"]
    code, _out, err = run_cli(argv + (["--acceptance-url", option] if option else []), capsys)
    assert code == 0, err
    assert [desk["acceptance_url"] for desk in started] == [expected]


def test_a_bad_option_is_a_usage_error_even_with_a_configured_service(started, tmp_path, capsys):
    root = _project(tmp_path, "https://accept.example.com")
    code, _out, _err = run_cli(["--root", str(root), "desk", "--no-browser", "--acceptance-url", "ftp://x"],
                               capsys)
    assert code == 2 and started == []


def test_a_service_at_the_desks_own_address_is_not_asked(started, tmp_path, capsys, monkeypatch):
    """accept-server and the desk both default to port 8765: a desk asking itself is refused, and says so."""
    monkeypatch.setenv("LANGUAGE", "en")
    root = _project(tmp_path, "http://127.0.0.1:8765")
    code, _out, err = run_cli(["--root", str(root), "desk", "--no-browser"], capsys)
    assert code == 0 and [desk["acceptance_url"] for desk in started] == [None]
    assert "is this desk's own address" in err and "--acceptance-url" in err
    code, _out, err = run_cli(["--root", str(root), "desk", "--no-browser", "--port", "8766"], capsys)
    assert code == 0 and started[-1]["acceptance_url"] == "http://127.0.0.1:8765" and "own address" not in err


def test_a_desk_on_every_address_includes_its_own_loopback(started, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AGREEMENTS_DESK_PASSWORD_HASH", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g")
    root = _project(tmp_path, "http://127.0.0.1:8765")
    code, _out, err = run_cli(["--root", str(root), "desk", "--no-browser", "--host", "0.0.0.0"], capsys)
    assert code == 0 and started[-1]["acceptance_url"] is None and "--acceptance-url" in err
