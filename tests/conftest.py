"""Settings for the whole suite: helpers importable, the engine strict, the checkout untouched."""

import os
import sys
import tempfile
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


import pytest  # noqa: E402

from helpers import warnings_fail  # noqa: E402


@pytest.fixture(autouse=True)
def engine_warnings_fail(request):
    """The contract engine warns when a faster or smaller path gives up (a contract rendered in
    full, a font HarfBuzz could not subset): in the tests that fails, unless the test is marked
    ``expect_engine_warnings`` because it provokes the warning on purpose."""
    with warnings_fail(request, "generator.contracts", "expect_engine_warnings",
                       "the contract engine gave up a path") as records:
        yield records


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
