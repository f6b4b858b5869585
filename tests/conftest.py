"""Settings for the whole suite: helpers importable, the engine strict, the checkout untouched."""

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

# The fast contract path must never give up silently: in the tests, giving up is an error
# (forked workers and CLI subprocesses inherit the setting).
os.environ["AGREEMENTS_FAST_PATH"] = "strict"

# No test writes into the checkout, Hypothesis's own cache (its Unicode tables) included.
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "agreements-hypothesis")

# Hypothesis profiles: `ci` (make test, the default) runs a quarter of each property test's
# examples, `thorough` (make test-thorough) all of them; tests ask helpers.examples(N).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("ci", max_examples=25)
_hypothesis_settings.register_profile("thorough", max_examples=100)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


import pytest  # noqa: E402

from helpers import copy_site_project, warnings_fail  # noqa: E402
from desk_helpers import desk, desk_client, desk_pki, desk_root, desk_url, party_a_signer  # noqa: E402,F401 - one desk per session


@pytest.fixture(autouse=True)
def engine_warnings_fail(request):
    """The contract engine warns when a faster or smaller path gives up (a contract rendered in
    full, a font HarfBuzz could not subset): in the tests that fails, unless the test is marked
    ``expect_engine_warnings`` because it provokes the warning on purpose."""
    with warnings_fail(request, "generator.contracts", "expect_engine_warnings",
                       "the contract engine gave up a path") as records:
        yield records


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """One LibreOffice for the session, converting over UNO (tests/office.py): the Word and
    spreadsheet tests' independent reader, started once instead of once per conversion."""
    from office import Office

    running = Office(tmp_path_factory.mktemp("office"))
    try:
        yield running
    finally:
        running.close()


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the copy of the project it was built from
    site: Path  # the built site: one folder per version, versions.json, latest/


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> BuiltSite:
    """The real project's whole site, built once per session (reading no cache) from a copy of the
    project (a build caches under its root, never the checkout's). The site, browser and Word tests
    share it, and so do later ones (desk, acceptance): read it, never change it. A test that edits
    the project copies ``root`` whole: its .cache/site then rebuilds only what the edit touches."""
    from generator.build import build
    from generator.content.project import load_project

    work = tmp_path_factory.mktemp("real-site")
    root = copy_site_project(work / "project")
    build(load_project(root), work / "site", use_cache=False)
    return BuiltSite(root, work / "site")


@pytest.fixture
def fresh_caches():
    """Every process-wide cache of generator/caches.py emptied before and after the test, for a
    test that changes what one of them read (fonts, templates, the generator's code)."""
    from generator.caches import clear_caches

    clear_caches()
    yield
    clear_caches()
@pytest.fixture
def english_messages(monkeypatch):
    """Messages in English (the msgids) for tests that assert their text; CLI subprocesses
    inherit it. Chinese is the default: tests/test_i18n.py checks that side."""
    monkeypatch.setenv("LANGUAGE", "en")


@pytest.fixture(autouse=True)
def language_follows_the_environment():
    """`agreements --lang` sets the language for the rest of the process: after a test that
    ran main() with it, the next test's language comes from its environment again."""
    yield
    from generator import i18n

    i18n.use_language(None)


def pytest_collection_modifyitems(config, items):
    """The browser tests run last: one Chromium serves them all (tests/browser/conftest.py closes
    it after the last one, as Playwright's running loop would block pyHanko's asyncio.run)."""
    items.sort(key=lambda item: "tests/browser/" in item.path.as_posix())


# Units of work under pytest-xdist (`make test` runs two workers with --dist loadgroup): each test
# file is one unit, so its module fixtures are made once; the tests sharing an expensive session
# resource are one unit whatever their file, so it starts once: one Chromium, one PostgreSQL
# cluster, one LibreOffice for the Word files. (xdist's own xdist_group marker renames node ids,
# which pytest 9 no longer lets it do.)
SHARED_UNITS = {"tests/browser/": "browser", "tests/acceptance/": "acceptance",
                "tests/contracts/word/": "word"}


def work_unit(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    return next((unit for folder, unit in SHARED_UNITS.items() if path.startswith(folder)), path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from collections import OrderedDict

    from xdist.scheduler import LoadScopeScheduling

    class ByWorkUnit(LoadScopeScheduling):
        """xdist's load-by-scope scheduling over work_unit(); the units are handed out largest
        first, and the browser tests before all (the longest unit by far: handed out last, it
        would leave the other worker idle)."""

        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:
                queue = self.workqueue
                order = sorted(queue, key=lambda unit: (unit != "browser", -len(queue[unit])))
                self.workqueue, self.ordered = OrderedDict((unit, queue[unit]) for unit in order), True
            super()._assign_work_unit(node)

    return ByWorkUnit(config, log)
